//! Composing on-call alerts from a decision's facts (pure: no SDK, no clock). Three kinds: a trip
//! (throttled, dry run, capped or failed), a re-enable, and an offender search that found no one
//! over the limit. Each has a subject a human reads in five seconds (≤100 ASCII characters: what,
//! which function, why), a body with the evidence and the next command to run, a JSON block for
//! machines, and message attributes for subscription filter policies. A fourth, the drift alert,
//! says someone else changed a function the guard holds tripped.

use serde_json::json;

use crate::name::FunctionName;
use crate::ports::{Alert, FailureTarget, Parking, Reservation};
use crate::report::Outcome;
use crate::sanitise::{self, Plain};
use crate::time::Timestamp;
use crate::verdict::Reason;

mod arn;
mod chatbot;
mod drift;
mod email;
mod parking;
mod reenable;
mod search;
mod sources;

pub use arn::function_arn;
pub use chatbot::{CHATBOT_SCHEMA_VERSION, MAX_DESCRIPTION_CHARS, chatbot_notification};
pub use drift::{DriftFacts, drift_alert};
pub use email::{MACHINE_MARKER, email_text, human_text};
pub use reenable::{ReenableFacts, reenable_alert};
pub use search::{RankedFunction, SearchFacts, search_alert, unjudged_alert};
pub use sources::EventSources;

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

/// One trip decision, as the handler or `runaway-guard trip` saw it.
#[derive(Debug, Clone)]
pub struct TripFacts<'a> {
    /// The offender.
    pub function: &'a FunctionName,
    /// `throttled`, `would_throttle`, `capped` or `failed` (others are described plainly).
    pub outcome: Outcome,
    /// Why.
    pub reason: &'a Reason,
    /// Reserved concurrency before the trip; `None` when it could not be read.
    pub previous_concurrency: Option<Reservation>,
    /// Where async events go while throttled; `None` when it could not be read.
    pub failure_target: Option<&'a FailureTarget>,
    /// The function's event source mappings and what the trip did about each.
    pub event_sources: EventSources<'a>,
    /// The blast-radius cap in force (mentioned when `outcome` is `capped`).
    pub max_trips_per_hour: u32,
    /// What failed (throttle call, or the trip-record tags), already free of secrets.
    pub error: Option<&'a str>,
    /// The trip record could not be written: the alert is then the only place that says what
    /// to restore, so it names `reenable --to`.
    pub record_missing: bool,
    /// Who tripped it: a caller ARN for a manual trip, `None` for the guard's own detection.
    pub tripped_by: Option<&'a str>,
    /// For a failure or a cap that pages once per period: no further page before this time.
    pub quiet_until: Option<Timestamp>,
    /// Where and when.
    pub context: AlertContext<'a>,
    /// Why nothing was changed, when the outcome alone does not say (a grace period).
    pub note: Option<&'a str>,
    /// What the trip did about asynchronous events with nowhere else to go (parked, or why not);
    /// `None` when it did nothing about them (see `parking.rs`).
    pub parking: Option<&'a Parking>,
}

/// The trip alert.
pub fn trip_alert(facts: &TripFacts<'_>) -> Alert {
    let name = facts.function.as_str();
    let subject = subject(&format!("{} {name}: {}", headline(facts.outcome), short_reason(facts.reason)));
    let mut body = format!("{}\n\n", summary(facts));
    body += &format!("Why: {} [rule: {}]\n", Plain(facts.reason), facts.reason.rule());
    body += &format!("Tripped by: {}\n", tripped_by(facts));
    body += &format!("When: {}\n", facts.context.at);
    body += &where_line(&facts.context);
    body += &previous_line(facts);
    if let Some(error) = facts.error {
        body += &format!("Error: {}\n", Plain(error));
    }
    if facts.record_missing {
        body += "Trip record: NOT WRITTEN. `runaway-guard status` lists the function as at 0 without a \
                 record; only the command below restores its previous value.\n";
    }
    if let Some(note) = facts.note {
        body += &format!("Not throttled: {}\n", Plain(note));
    }
    if let Some(until) = facts.quiet_until {
        body += &format!("No further page about this function from this guard instance before {until}.\n");
    }
    body += &format!("\n{}\n", meanwhile(facts));
    body += &format!("\nNext: {}\n", next_step(facts));
    let machine = json!({
        "kind": "trip",
        "function": name,
        "outcome": facts.outcome,
        "rule": facts.reason.rule(),
        "reason": facts.reason.to_string(),
        "evidence": facts.reason,
        "previous_concurrency": facts.previous_concurrency.map(reservation_text),
        "failure_target": facts.failure_target,
        "parking": facts.parking,
        "event_sources": sources::machine(facts.event_sources),
        "error": facts.error,
        "record_written": !facts.record_missing,
        "tripped_by": facts.tripped_by.unwrap_or("runaway-guard"),
        "account": facts.context.account,
        "region": facts.context.region,
        "at": facts.context.at.to_rfc3339(),
        "reenable_command": restore_command(facts),
    });
    let attributes = attributes(name, facts.reason.rule(), facts.outcome.as_str(), &facts.context);
    Alert {
        subject,
        body: with_json(body, &machine),
        attributes,
        function_arn: function_arn(facts.function, &facts.context),
        next_steps: vec![next_step(facts)],
    }
}

/// The exact command that undoes a trip.
pub fn reenable_command(function: &FunctionName) -> String {
    format!("runaway-guard reenable {function}")
}

/// The exact command that undoes a trip whose record could not be written: the value to restore
/// given explicitly (`--to N`, or `--to none` to remove the reservation).
pub fn reenable_to_command(function: &FunctionName, previous: Reservation) -> String {
    format!("runaway-guard reenable {function} --to {}", reservation_text(previous))
}

/// The command this alert tells on-call to run to undo the trip.
fn restore_command(facts: &TripFacts<'_>) -> String {
    match (facts.record_missing, facts.previous_concurrency) {
        (true, Some(previous)) => reenable_to_command(facts.function, previous),
        _ => reenable_command(facts.function),
    }
}

fn tripped_by(facts: &TripFacts<'_>) -> String {
    match facts.tripped_by {
        Some(arn) => format!("{} (runaway-guard trip)", Plain(arn)),
        None => format!("runaway-guard (automatic, rule {})", facts.reason.rule()),
    }
}

fn headline(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Throttled => "THROTTLED",
        Outcome::WouldThrottle => "WOULD THROTTLE",
        Outcome::Capped => "CAPPED",
        Outcome::Failed => "FAILED to throttle",
        Outcome::AlreadyTripped => "ALREADY THROTTLED",
        Outcome::Exempt => "EXEMPT",
    }
}

/// The reason in a few words, for the subject.
fn short_reason(reason: &Reason) -> String {
    match reason {
        Reason::Depth { depth, limit, .. } => format!("chain depth {depth} > {limit}"),
        Reason::ChainSize { invocations, budget, .. } => format!("chain of {invocations} calls > {budget}"),
        Reason::RateAbsolute { per_second, limit } => format!("{per_second:.0}/s > {limit:.0}/s"),
        Reason::RateGrowth { buckets } => format!("rate doubled {} times", buckets.len().saturating_sub(1)),
        Reason::Alarm { alarm, .. } => format!("alarm {alarm}"),
        Reason::Cost { usd_per_hour, limit_usd_per_hour, .. } => {
            format!("${usd_per_hour:.2}/h > ${limit_usd_per_hour:.2}/h")
        }
        Reason::Runaway { usd_per_hour, times_normal, .. } => match times_normal {
            Some(times) => format!("runaway ${usd_per_hour:.2}/h, {times:.0}x usual"),
            None => format!("runaway ${usd_per_hour:.2}/h, no history"),
        },
        Reason::Manual { text } => format!("manual: {text}"),
    }
}

fn summary(facts: &TripFacts<'_>) -> String {
    let name = facts.function;
    match facts.outcome {
        Outcome::Throttled => format!("runaway-guard THROTTLED {name}: its reserved concurrency is now 0."),
        Outcome::WouldThrottle => {
            format!("DRY RUN: runaway-guard WOULD THROTTLE {name}. Nothing was changed.")
        }
        Outcome::Capped => format!(
            "runaway-guard did NOT throttle {name}: the cap of {} trips per hour is reached. It is still running.",
            facts.max_trips_per_hour
        ),
        Outcome::Failed => format!("runaway-guard FAILED to throttle {name}. It is still running."),
        Outcome::AlreadyTripped => format!("{name} is already throttled by runaway-guard; nothing changed."),
        Outcome::Exempt => format!("{name} is exempt from runaway-guard; nothing changed."),
    }
}

fn meanwhile(facts: &TripFacts<'_>) -> String {
    let lead = if facts.outcome == Outcome::Throttled { "While throttled" } else { "If throttled" };
    let async_events = parking::async_events(facts);
    let sources = sources::lines(facts.event_sources);
    format!("{lead}:\n- async events (EventBridge, SNS, S3, async Invoke) {async_events}\n{sources}")
        .trim_end()
        .to_owned()
}

fn next_step(facts: &TripFacts<'_>) -> String {
    let trip = format!("runaway-guard trip {} --reason TEXT", facts.function);
    match facts.outcome {
        Outcome::Throttled | Outcome::AlreadyTripped => {
            format!("fix the cause, then re-enable with:\n  {}", restore_command(facts))
        }
        Outcome::Failed | Outcome::Capped => format!("investigate now; to stop it by hand:\n  {trip}"),
        Outcome::WouldThrottle | Outcome::Exempt => format!("to stop it by hand:\n  {trip}"),
    }
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

/// What the function's reservation was; a dry run changed nothing, so nothing is there to restore.
fn previous_line(facts: &TripFacts<'_>) -> String {
    match (facts.outcome, facts.previous_concurrency) {
        (Outcome::WouldThrottle, Some(now)) => {
            format!("Reserved concurrency: {} (unchanged: dry run)\n", reservation_text(now))
        }
        (Outcome::WouldThrottle, None) => "Reserved concurrency: unknown (it could not be read)\n".to_owned(),
        (_, previous) => format!("Previous reserved concurrency: {}\n", previous_text(previous)),
    }
}

fn previous_text(previous: Option<Reservation>) -> String {
    match previous {
        Some(Some(n)) => format!("{n} (re-enable restores it)"),
        Some(None) => "none (no reservation; re-enable removes the reservation)".to_owned(),
        None => "unknown (it could not be read)".to_owned(),
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
