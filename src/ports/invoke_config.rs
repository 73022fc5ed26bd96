//! A function's asynchronous invocation settings (its event-invoke configuration) and the trip's
//! parking of them: while a function is at reserved concurrency 0, Lambda sends each asynchronous
//! event at once, without retries, to its dead-letter queue or on-failure destination, and drops it
//! when there is neither. A trip of a function with neither gives it the guard's parking queue as
//! on-failure destination first, and records the configuration it replaced (see
//! docs/trip-and-restore.md).

use serde::Serialize;

/// A function's event-invoke configuration (`GetFunctionEventInvokeConfig` on the unqualified
/// function), every field as Lambda holds it: `None` is "not set" (Lambda's default applies).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InvokeConfig {
    /// `MaximumRetryAttempts` (0–2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_retry_attempts: Option<u32>,
    /// `MaximumEventAgeInSeconds` (60–21600).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_event_age_secs: Option<u32>,
    /// The on-success destination's ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_success: Option<String>,
    /// The on-failure destination's ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<String>,
}

impl InvokeConfig {
    /// This configuration with `queue` as its on-failure destination and every other setting kept:
    /// what the trip puts (a Put replaces the whole configuration, so nothing else may change).
    pub fn parked_in(&self, queue: &str) -> Self {
        Self { on_failure: Some(queue.to_owned()), ..self.clone() }
    }
}

/// What a trip changed about the function's asynchronous events, in its signed record: the parking
/// queue it set as on-failure destination, and the configuration before (`None`: there was none,
/// and `reenable` deletes the configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parked {
    /// The parking queue's ARN.
    pub queue: String,
    /// The event-invoke configuration before the trip.
    pub previous: Option<InvokeConfig>,
}

/// Where the trip left the function's asynchronous events, for the alert and the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "parking", rename_all = "snake_case")]
pub enum Parking {
    /// The parking queue is its on-failure destination: events wait there for `replay`.
    Parked {
        /// The parking queue's ARN.
        queue: String,
    },
    /// Dry run: the trip would park them in `queue`.
    WouldPark {
        /// The parking queue's ARN.
        queue: String,
    },
    /// Parking was needed (no DLQ, no destination) but did not happen: events are dropped.
    NotParked {
        /// Why, in words (Lambda's refusal, an unwritten record, ...).
        why: String,
    },
}
