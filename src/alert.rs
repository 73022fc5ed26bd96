//! TEMPORARY stub (lead): replaced by the AWS-slice alert composer at merge.
#![allow(missing_docs)]
use crate::name::FunctionName;
use crate::ports::{Alert, FailureTarget, Reservation};
use crate::report::Outcome;
use crate::verdict::Reason;

pub struct TripFacts<'a> {
    pub function: &'a FunctionName,
    pub outcome: Outcome,
    pub reason: &'a Reason,
    pub previous_concurrency: Reservation,
    pub failure_target: &'a FailureTarget,
    pub errors: &'a [String],
    pub account: Option<&'a str>,
    pub region: Option<&'a str>,
}

pub fn trip_alert(facts: &TripFacts<'_>) -> Alert {
    Alert {
        subject: format!("{} {}", facts.outcome.as_str(), facts.function),
        body: facts.reason.to_string(),
        attributes: vec![("function".into(), facts.function.to_string())],
    }
}

pub fn search_summary_alert(alarm: &str, note: &str) -> Alert {
    Alert { subject: format!("ALARM {alarm}: no offender throttled"), body: note.to_owned(), attributes: vec![] }
}

pub fn reenable_alert(function: &FunctionName, restored: &str, caller: &str, warnings: &[String]) -> Alert {
    Alert {
        subject: format!("RE-ENABLED {function}"),
        body: format!("re-enabled by {caller}; restored {restored}; {warnings:?}"),
        attributes: vec![],
    }
}
