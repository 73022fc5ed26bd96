//! The drift alert: someone other than the guard changed a function the guard holds tripped, so
//! its trip record no longer describes it (a deploy put the concurrency back, a mapping was
//! re-enabled). Who, when, what changed, and what to do.

use serde_json::json;

use super::model::{AlertModel, NextStep};
use super::{AlertContext, attributes, function_arn, reenable_command, subject, where_line};
use crate::name::FunctionName;
use crate::ports::{Alert, TripRecord};
use crate::report::reservation_text;
use crate::sanitise::Plain;

/// What the change undid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undone<'a> {
    /// The reserved concurrency of 0 (changed or removed).
    Concurrency,
    /// A paused event source mapping was enabled again; `source` is its queue or stream ARN, when
    /// CloudTrail named it.
    Mapping {
        /// The mapping's event source ARN.
        source: Option<&'a str>,
    },
}

/// A drift, as the watch saw it.
#[derive(Debug, Clone)]
pub struct DriftFacts<'a> {
    /// The tripped function.
    pub function: &'a FunctionName,
    /// The call, as on-call knows it, with the new value (`PutFunctionConcurrency (reserved concurrency 25)`).
    pub change: &'a str,
    /// What the call undid, for what happens to the function's events now.
    pub undone: Undone<'a>,
    /// Who made it (`userIdentity.arn`, else `principalId`).
    pub by: &'a str,
    /// When CloudTrail recorded it (RFC 3339), if it said.
    pub at: Option<&'a str>,
    /// CloudTrail's `eventID`, to find the call in CloudTrail.
    pub event_id: &'a str,
    /// The trip record now stale.
    pub record: &'a TripRecord,
    /// Where, and when the guard noticed.
    pub context: AlertContext<'a>,
}

/// The drift alert ("DRIFT orders: ... by ...; trip record stale").
pub fn drift_alert(facts: &DriftFacts<'_>) -> Alert {
    let name = facts.function.as_str();
    let record = facts.record;
    let subject = subject(&format!("DRIFT {name}: trip undone by {}", Plain(short_caller(facts.by))));
    let mut text = format!(
        "runaway-guard: {name} was changed by someone else while the guard holds it tripped.\n\
         It may be running again; its trip record is now STALE.\n\n"
    );
    text += &format!("What: {}\n", Plain(facts.change));
    text += &format!("Who: {}\n", Plain(facts.by));
    text += &format!("When: {}\n", Plain(facts.at.unwrap_or("unknown (CloudTrail gave no time)")));
    text += &format!("CloudTrail event: {}\n", Plain(facts.event_id));
    text += &where_line(&facts.context);
    text += &format!(
        "\nThe trip: {} at {}; reserved concurrency before it: {}.\n",
        Plain(&record.reason),
        record.tripped_at,
        reservation_text(record.previous_concurrency)
    );
    text += &format!("\nNow: {}\n", risk(facts.undone));
    text += "`runaway-guard status` lists it with this drift until it is re-enabled or tripped again.\n";
    let machine = json!({
        "kind": "drift",
        "function": name,
        "outcome": "drift",
        "change": facts.change,
        "by": facts.by,
        "changed_at": facts.at,
        "event_id": facts.event_id,
        "tripped_at": record.tripped_at.to_rfc3339(),
        "trip_reason": record.reason,
        "previous_concurrency": reservation_text(record.previous_concurrency),
        "risk": risk(facts.undone),
        "account": facts.context.account,
        "region": facts.context.region,
        "at": facts.context.at.to_rfc3339(),
    });
    let next = vec![
        NextStep::new(
            "if the runaway is not fixed, stop it again; this pauses its mappings again",
            &[format!("runaway-guard trip {name} --reason drift")],
            &facts.context,
        ),
        NextStep::new(
            "if the change was meant, accept it; this restores the recorded value and clears the record",
            &[reenable_command(facts.function)],
            &facts.context,
        ),
    ];
    AlertModel {
        subject,
        text,
        next,
        machine,
        attributes: attributes(name, "drift", "drift", &facts.context),
        function_arn: function_arn(facts.function, &facts.context),
    }
    .render()
}

/// What happens to the function's events after the change.
fn risk(undone: Undone<'_>) -> String {
    match undone {
        Undone::Concurrency => "its reserved concurrency is no longer 0: it processes events again, and a \
                                runaway that is not fixed runs (and costs) again."
            .to_owned(),
        Undone::Mapping { source: Some(arn) } if arn.starts_with("arn:") && arn.contains(":sqs:") => format!(
            "the mapping for {} polls again while the function is held at 0: every throttled receive \
             counts toward the queue's maxReceiveCount, so its messages move to the queue's DLQ (or, \
             without one, stay until the retention period ends) without being processed.",
            Plain(arn)
        ),
        Undone::Mapping { source } => format!(
            "the mapping{} reads again while the function is held at 0: an SQS queue's throttled \
             receives count toward its maxReceiveCount (messages move to its DLQ unprocessed); a \
             stream's shards block and records older than its retention are lost.",
            source.map(|s| format!(" for {}", Plain(s))).unwrap_or_default()
        ),
    }
}

/// The last part of an ARN (`deployer` of `arn:aws:sts::1:assumed-role/ci/deployer`), for the subject.
fn short_caller(by: &str) -> &str {
    by.rsplit(['/', ':']).find(|part| !part.is_empty()).unwrap_or(by)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Timestamp;

    #[test]
    fn names_who_what_when_and_that_the_record_is_stale() {
        let function = FunctionName::new("orders").unwrap();
        let record = TripRecord {
            tripped_at: Timestamp::from_secs(1_795_000_000),
            previous_concurrency: Some(25),
            reason: "chain depth 17 > limit 16".into(),
            alert_pending: false,
            paused_mappings: Vec::new(),
            tripped_by: None,
            parked: None,
        };
        let alert = drift_alert(&DriftFacts {
            function: &function,
            change: "PutFunctionConcurrency (reserved concurrency 25)",
            undone: Undone::Concurrency,
            by: "arn:aws:sts::123456789012:assumed-role/ci/deployer",
            at: Some("2026-11-20T09:30:00Z"),
            event_id: "e-1",
            record: &record,
            context: AlertContext {
                account: Some("123456789012"),
                region: Some("us-east-1"),
                ..Default::default()
            },
        });
        assert_eq!(alert.subject, "DRIFT orders: trip undone by deployer");
        assert!(
            alert.body.contains("Who: arn:aws:sts::123456789012:assumed-role/ci/deployer\n"),
            "{}",
            alert.body
        );
        assert!(alert.body.contains("What: PutFunctionConcurrency (reserved concurrency 25)\n"));
        assert!(alert.body.contains("STALE"));
        assert!(alert.attributes.contains(&("outcome".to_owned(), "drift".to_owned())));
        assert!(alert.next_steps[0].contains("runaway-guard trip orders"));
    }
}
