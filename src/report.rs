//! The JSON report the handler returns and `runaway-guard handle` prints:
//! `{"decisions": [{"function", "outcome", "reason", "previous_concurrency", ...}]}`.

use serde::Serialize;

use crate::name::FunctionName;
use crate::ports::Reservation;

/// What happened to one function (DESIGN.md contract: these six names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Reserved concurrency set to 0.
    Throttled,
    /// Dry run: would have been throttled.
    WouldThrottle,
    /// Already carrying a trip record: nothing changed, no second alert.
    AlreadyTripped,
    /// The guard itself, an exempt function, or inside the grace period.
    Exempt,
    /// The blast-radius cap was reached: alert only.
    Capped,
    /// An AWS call failed; `error` says which.
    Failed,
}

impl Outcome {
    /// Every outcome, in contract order.
    pub const ALL: [Outcome; 6] = [
        Outcome::Throttled,
        Outcome::WouldThrottle,
        Outcome::AlreadyTripped,
        Outcome::Exempt,
        Outcome::Capped,
        Outcome::Failed,
    ];

    /// The contract name, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Throttled => "throttled",
            Outcome::WouldThrottle => "would_throttle",
            Outcome::AlreadyTripped => "already_tripped",
            Outcome::Exempt => "exempt",
            Outcome::Capped => "capped",
            Outcome::Failed => "failed",
        }
    }
}

/// Formats a reservation the way tags and reports write it: `none` or the integer.
pub fn reservation_text(value: Reservation) -> String {
    match value {
        None => "none".to_owned(),
        Some(n) => n.to_string(),
    }
}

/// One decision about one function.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// The function.
    pub function: FunctionName,
    /// What happened.
    pub outcome: Outcome,
    /// Why (the detector's reason, or why nothing was done).
    pub reason: String,
    /// The detection rule (`depth`, `chain_size`, `rate_absolute`, `rate_growth`, `alarm`, `cost`, `manual`).
    pub rule: String,
    /// `"none"`, an integer as a string, or null when unknown (not read).
    pub previous_concurrency: Option<String>,
    /// Whether an alert was published for this decision.
    pub alerted: bool,
    /// The failures, when any step failed (each names the operation).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// True when a failure means the function was not contained and a retry could fix it.
    #[serde(skip)]
    pub retryable: bool,
    /// Mappings an already-tripped function's record names that were polling again and are now
    /// paused (`already_tripped` that still changed something); serialised only when any.
    #[serde(skip_serializing_if = "is_zero")]
    pub repaused_mappings: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Decision {
    /// A decision with no AWS facts attached yet.
    pub fn new(function: FunctionName, outcome: Outcome, rule: &str, reason: String) -> Self {
        Self {
            function,
            outcome,
            reason,
            rule: rule.to_owned(),
            previous_concurrency: None,
            alerted: false,
            errors: Vec::new(),
            retryable: false,
            repaused_mappings: 0,
        }
    }
}

/// A record that could not be used, reported so a bad record is never silently dropped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejected {
    /// Where in the event (e.g. `Records[3]`).
    pub location: String,
    /// The typed error, as text.
    pub error: String,
}

/// The handler's answer for one event.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Decisions, one per function acted on or considered.
    pub decisions: Vec<Decision>,
    /// Signals accepted from the event.
    pub signals: usize,
    /// Records rejected, with their errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<Rejected>,
    /// Offender-search notes (e.g. "no function over the limit; top five: ...").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// What the drift watch made of each Lambda call CloudTrail recorded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<DriftEntry>,
    /// Reads the judgement needed and could not make: the invocation fails so that it is retried,
    /// and nothing is concluded from the missing data.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<Unread>,
    /// For an SQS batch: the records the guard could not act on, for Lambda to redeliver (the
    /// partial batch response; `[]` means the whole batch succeeded). Absent for other events.
    #[serde(rename = "batchItemFailures", skip_serializing_if = "Option::is_none")]
    pub batch_item_failures: Option<Vec<BatchItemFailure>>,
}

/// One record of an SQS batch to redeliver: `{"itemIdentifier": messageId}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchItemFailure {
    /// The record's `messageId`.
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

/// A read the judgement needed and could not make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unread {
    /// What was to be judged: a function, or `alarm NAME` for a search or a contributor listing.
    pub subject: String,
    /// The failed call, its target and the service's answer.
    pub error: String,
    /// Whether on-call was paged about it by this invocation (at most once per period per subject).
    pub alerted: bool,
}

/// What the drift watch did about one recorded call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftOutcome {
    /// A tripped function was changed by someone else: on-call was alerted (or is to be, on retry).
    Reported,
    /// Nothing to report; `why` says why.
    Ignored,
    /// An AWS call failed; `errors` says which.
    Failed,
}

/// One recorded Lambda call and what the drift watch made of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriftEntry {
    /// The function, when the event names one.
    pub function: Option<FunctionName>,
    /// The call and its new value.
    pub change: String,
    /// Who made it.
    pub by: Option<String>,
    /// CloudTrail's `eventID`.
    pub event_id: String,
    /// What the watch did.
    pub outcome: DriftOutcome,
    /// Why.
    pub why: String,
    /// Whether on-call was alerted.
    pub alerted: bool,
    /// The failures, when any step failed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// True when a retry could deliver an alert that failed.
    #[serde(skip)]
    pub retryable: bool,
}

impl Report {
    /// True when some function could not be contained for a reason a retry may fix, or a read the
    /// judgement needed failed.
    pub fn needs_retry(&self) -> bool {
        self.decisions.iter().any(|d| d.retryable)
            || self.drift.iter().any(|d| d.retryable)
            || !self.unread.is_empty()
    }

    /// Number of decisions with the given outcome.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.decisions.iter().filter(|d| d.outcome == outcome).count()
    }
}
