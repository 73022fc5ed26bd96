//! Composing on-call alerts from a decision's facts (pure: no SDK, no clock). The kinds: a trip
//! (throttled, dry run, capped, failed, already throttled, exempt), a re-enable, an offender search
//! that found no one over the limit, metric candidates that could not be judged, and a drift
//! (someone else changed a function the guard holds tripped). Each has a subject a human reads in
//! five seconds (≤100 ASCII characters: what, which function, why), a body with the evidence, what
//! happens to the function's events now and the exact next commands (`--region` on each, the
//! account beside it), a JSON block for machines, and message attributes for subscription filter
//! policies. Every kind is one [`AlertModel`] rendered once per protocol, so no body can say less.

use crate::ports::Reservation;
use crate::sanitise::{self, Plain};
use crate::time::Timestamp;

mod arn;
mod chatbot;
mod drift;
mod email;
mod evidence;
mod model;
mod parking;
mod reenable;
mod search;
mod seen;
mod sources;
mod trip;

pub use arn::function_arn;
pub use chatbot::{CHATBOT_SCHEMA_VERSION, MAX_DESCRIPTION_CHARS, chatbot_notification};
pub use drift::{DriftFacts, Undone, drift_alert};
pub use email::{MACHINE_MARKER, email_text, human_text};
pub use model::{AlertModel, NextStep};
pub use reenable::{ReenableFacts, reenable_alert};
pub use search::{RankedFunction, SearchFacts, search_alert, unjudged_alert};
pub use seen::{SeenFacts, seen_alert};
pub use sources::EventSources;
pub use trip::{TripFacts, reenable_command, reenable_to_command, trip_alert};

/// SNS's subject limit.
pub const MAX_SUBJECT_CHARS: usize = sanitise::MAX_SUBJECT_CHARS;
/// Lambda needs this much unreserved concurrency left in the account after a reservation.
pub const MIN_UNRESERVED: u32 = 100;

/// Where and when, shared by every alert.
#[derive(Debug, Clone, Copy, Default)]
pub struct AlertContext<'a> {
    /// Account id, when known.
    pub account: Option<&'a str>,
    /// Region code, when known.
    pub region: Option<&'a str>,
    /// When the guard acted.
    pub at: Timestamp,
}

/// "Where: account A, region R" when either is known (on-call may watch several accounts).
fn where_line(context: &AlertContext<'_>) -> String {
    match (context.account.map(Plain), context.region.map(Plain)) {
        (Some(a), Some(r)) => format!("Where: account {a}, region {r}\n"),
        (Some(a), None) => format!("Where: account {a}\n"),
        (None, Some(r)) => format!("Where: region {r}\n"),
        (None, None) => String::new(),
    }
}

fn reservation_text(value: Reservation) -> String {
    value.map_or_else(|| "none".to_owned(), |n| n.to_string())
}

fn attributes(
    function: &str,
    rule: &str,
    outcome: &str,
    context: &AlertContext<'_>,
) -> Vec<(String, String)> {
    let pairs = [
        ("function", function),
        ("reason", rule),
        ("outcome", outcome),
        ("account", context.account.unwrap_or("")),
        ("region", context.region.unwrap_or("")),
    ];
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn with_json(mut body: String, machine: &serde_json::Value) -> String {
    body += &format!("\n{MACHINE_MARKER}\n");
    body += &sanitise::json(&serde_json::to_string_pretty(machine).unwrap_or_default());
    body.push('\n');
    body
}

/// The SNS subject: ASCII, one line, ≤100 characters, "..." when cut ([`sanitise::subject`]).
fn subject(text: &str) -> String {
    sanitise::subject(text)
}

#[cfg(test)]
mod tests;
