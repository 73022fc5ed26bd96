//! Which parked events a replay sends back: only the function's own (a shared parking queue holds
//! every tripped function's records), and of those only what the operator's filters let through,
//! so the runaway's own events can be left out. Pure: one decision per event, no I/O.

use serde::Serialize;

use super::message::ParkedEvent;
use crate::name::FunctionName;
use crate::time::Timestamp;

/// The operator's filters (`--skip-depth-over`, `--only-source`, `--exclude-detail-type`,
/// `--since`, `--until`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Skip events whose chain header is deeper than this.
    pub skip_depth_over: Option<u32>,
    /// When not empty, replay only events from these sources.
    pub only_sources: Vec<String>,
    /// Skip events of these detail-types.
    pub exclude_detail_types: Vec<String>,
    /// Skip events parked before this.
    pub since: Option<Timestamp>,
    /// Skip events parked after this.
    pub until: Option<Timestamp>,
}

/// What to do with one parked event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Invoke the function with it.
    Replay,
    /// The function's, but a filter leaves it out (it stays in the queue).
    Skip(SkipReason),
    /// Another function's record: left alone.
    OtherFunction,
}

/// Which filter left an event out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// `--skip-depth-over`.
    Depth,
    /// `--only-source`.
    Source,
    /// `--exclude-detail-type`.
    DetailType,
    /// `--since` / `--until`, or no parking time to compare.
    Window,
}

impl Filter {
    /// The decision for `event`, parked at `parked_at`, when replaying `function`. A dead-letter
    /// message names no function: the queue it came from is the function's, by the operator's word.
    pub fn decide(
        &self,
        function: &FunctionName,
        event: &ParkedEvent,
        parked_at: Option<Timestamp>,
    ) -> Decision {
        if event.function.as_ref().is_some_and(|(name, _)| name != function) {
            return Decision::OtherFunction;
        }
        match self.skip(event, parked_at) {
            Some(reason) => Decision::Skip(reason),
            None => Decision::Replay,
        }
    }

    fn skip(&self, event: &ParkedEvent, parked_at: Option<Timestamp>) -> Option<SkipReason> {
        if let (Some(limit), Some(depth)) = (self.skip_depth_over, event.depth)
            && depth > limit
        {
            return Some(SkipReason::Depth);
        }
        let source = event.source.as_deref().unwrap_or_default();
        if !self.only_sources.is_empty() && !self.only_sources.iter().any(|s| s == source) {
            return Some(SkipReason::Source);
        }
        if let Some(detail_type) = event.detail_type.as_deref()
            && self.exclude_detail_types.iter().any(|t| t == detail_type)
        {
            return Some(SkipReason::DetailType);
        }
        if self.since.is_some() || self.until.is_some() {
            let inside = parked_at.is_some_and(|at| {
                self.since.is_none_or(|since| at >= since) && self.until.is_none_or(|until| at <= until)
            });
            if !inside {
                return Some(SkipReason::Window);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::message::Format;

    fn event(
        function: Option<&str>,
        source: Option<&str>,
        detail_type: Option<&str>,
        depth: Option<u32>,
    ) -> ParkedEvent {
        let function = function.map(|f| {
            let arn = format!("arn:aws:lambda:us-east-1:123456789012:function:{f}:$LATEST");
            let (name, parts) = FunctionName::from_name_or_arn(&arn).unwrap();
            (name, parts.unwrap())
        });
        ParkedEvent {
            format: Format::Destination,
            function,
            payload: "{}".into(),
            source: source.map(Into::into),
            detail_type: detail_type.map(Into::into),
            depth,
        }
    }

    fn orders() -> FunctionName {
        FunctionName::new("orders").unwrap()
    }

    #[test]
    fn another_functions_record_is_left_alone_whatever_the_filters() {
        let filter = Filter::default();
        assert_eq!(
            filter.decide(&orders(), &event(Some("billing"), None, None, None), None),
            Decision::OtherFunction
        );
        assert_eq!(
            filter.decide(&orders(), &event(Some("orders"), None, None, None), None),
            Decision::Replay
        );
        // A dead-letter message names no function: the queue is the function's.
        assert_eq!(filter.decide(&orders(), &event(None, None, None, None), None), Decision::Replay);
    }

    #[test]
    fn each_filter_leaves_out_only_what_it_names() {
        let filter = Filter {
            skip_depth_over: Some(3),
            only_sources: vec!["aws.s3".into(), "orders.api".into()],
            exclude_detail_types: vec!["OrderRetried".into()],
            since: Some(Timestamp::from_secs(100)),
            until: Some(Timestamp::from_secs(200)),
        };
        let at = Some(Timestamp::from_secs(150));
        let decide = |e: &ParkedEvent, at| filter.decide(&orders(), e, at);
        assert_eq!(
            decide(&event(Some("orders"), Some("orders.api"), Some("OrderPlaced"), Some(3)), at),
            Decision::Replay
        );
        assert_eq!(decide(&event(Some("orders"), Some("orders.api"), None, None), at), Decision::Replay);
        assert_eq!(
            decide(&event(Some("orders"), Some("orders.api"), None, Some(4)), at),
            Decision::Skip(SkipReason::Depth)
        );
        assert_eq!(
            decide(&event(Some("orders"), Some("aws.sns"), None, None), at),
            Decision::Skip(SkipReason::Source)
        );
        assert_eq!(decide(&event(Some("orders"), None, None, None), at), Decision::Skip(SkipReason::Source));
        assert_eq!(
            decide(&event(Some("orders"), Some("orders.api"), Some("OrderRetried"), None), at),
            Decision::Skip(SkipReason::DetailType)
        );
        let early = Some(Timestamp::from_secs(99));
        let late = Some(Timestamp::from_secs(201));
        let ok = event(Some("orders"), Some("orders.api"), None, None);
        assert_eq!(decide(&ok, early), Decision::Skip(SkipReason::Window));
        assert_eq!(decide(&ok, late), Decision::Skip(SkipReason::Window));
        assert_eq!(decide(&ok, None), Decision::Skip(SkipReason::Window));
        assert_eq!(decide(&ok, Some(Timestamp::from_secs(200))), Decision::Replay);
    }
}
