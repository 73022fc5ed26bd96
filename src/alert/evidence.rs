//! The evidence lines of a trip alert, under its "Why:": what the rule saw, in the figures on-call
//! checks — an alarm's datapoints and threshold as CloudWatch stated them, the chain event's time,
//! sender, `source` and `detail-type`, the judgement's figures. Nothing when "Why:" already says all.

use crate::sanitise::Plain;
use crate::verdict::{ChainEvent, Reason};

/// `Evidence: …` (and `Chain event: …`) lines for `reason`, each ending in a newline; empty when
/// the reason's own line holds every figure.
pub fn lines(reason: &Reason) -> String {
    match reason {
        Reason::Alarm { state_reason: Some(text), .. } => {
            format!("Evidence: CloudWatch says: {}\n", Plain(text))
        }
        Reason::Alarm { state_reason: None, .. } => {
            "Evidence: the alarm went to ALARM; its event carried no state reason (datapoints and \
             threshold are in the alarm's history)\n"
                .to_owned()
        }
        Reason::Depth { event: Some(event), .. } => format!("Chain event: {}\n", chain_event(event)),
        Reason::RateGrowth { buckets } => {
            let shown: Vec<String> = buckets.iter().map(u64::to_string).collect();
            format!("Evidence: events per bucket, oldest first: {}\n", shown.join(", "))
        }
        Reason::Runaway { trigger, .. } => format!("Evidence: judged after {}\n", Plain(trigger)),
        _ => String::new(),
    }
}

/// "sent 2026-…Z by AROA…:orders; source orders.app, detail-type OrderPlaced" (what is known).
fn chain_event(event: &ChainEvent) -> String {
    let mut parts = Vec::new();
    parts.push(match &event.sent_at {
        Some(at) => format!("sent {}", Plain(at)),
        None => "send time unknown".to_owned(),
    });
    if let Some(sender) = &event.sender {
        parts.push(format!("by {} (straight to the chain queue)", Plain(sender)));
    }
    match (&event.source, &event.detail_type) {
        (None, None) => {}
        (source, detail_type) => parts.push(format!(
            "source {}, detail-type {}",
            Plain(source.as_deref().unwrap_or("unknown")),
            Plain(detail_type.as_deref().unwrap_or("unknown"))
        )),
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::ChainRoot;

    #[test]
    fn an_alarm_shows_its_datapoints_and_threshold_as_cloudwatch_stated_them() {
        let state_reason = "Threshold Crossed: 2 out of the last 2 datapoints [48211.0 (20/11/26 09:13:00), \
                            47990.0 (20/11/26 09:12:00)] was greater than the threshold (5000.0)";
        let reason = Reason::Alarm {
            alarm: "orders-invocations".into(),
            metric: "AWS/Lambda/Invocations".into(),
            state_reason: Some(state_reason.into()),
        };
        let text = lines(&reason);
        assert!(
            text.contains("[48211.0 (20/11/26 09:13:00), 47990.0") && text.contains("threshold (5000.0)")
        );
    }

    #[test]
    fn a_chain_event_names_its_time_sender_source_and_detail_type() {
        let event = ChainEvent {
            sent_at: Some("2026-11-20T09:13:58Z".into()),
            source: Some("orders.app".into()),
            detail_type: Some("OrderPlaced".into()),
            sender: None,
        };
        let reason = Reason::Depth {
            root: ChainRoot::new("1-abc").unwrap(),
            depth: 17,
            limit: 16,
            event: Some(Box::new(event)),
        };
        assert_eq!(
            lines(&reason),
            "Chain event: sent 2026-11-20T09:13:58Z; source orders.app, detail-type OrderPlaced\n"
        );
        let bare =
            Reason::Depth { root: ChainRoot::new("1-abc").unwrap(), depth: 17, limit: 16, event: None };
        assert_eq!(lines(&bare), "");
    }
}
