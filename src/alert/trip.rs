//! The trip alert: what the guard did (throttled, would throttle, capped, failed, already
//! throttled, exempt), why with the evidence, what happens to the function's events now, and the
//! exact commands to run next.

use serde_json::json;

use super::model::{AlertModel, NextStep};
use super::sources::{self, EventSources};
use super::{AlertContext, attributes, function_arn, reservation_text, subject, where_line};
use super::{evidence, parking};
use crate::name::FunctionName;
use crate::ports::{Alert, FailureTarget, Parking, Reservation};
use crate::report::Outcome;
use crate::sanitise::Plain;
use crate::time::Timestamp;
use crate::verdict::Reason;

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
    /// `None` when it did nothing about them: they go where `failure_target` says (see
    /// `parking.rs`).
    pub parking: Option<&'a Parking>,
}

/// The trip alert.
pub fn trip_alert(facts: &TripFacts<'_>) -> Alert {
    let name = facts.function.as_str();
    let subject = subject(&format!("{} {name}: {}", headline(facts.outcome), short_reason(facts.reason)));
    let mut text = format!("{}\n\n", summary(facts));
    text += &format!("Why: {} [rule: {}]\n", Plain(facts.reason), facts.reason.rule());
    text += &evidence::lines(facts.reason);
    text += &format!("Tripped by: {}\n", tripped_by(facts));
    text += &format!("When: {}\n", facts.context.at);
    text += &where_line(&facts.context);
    text += &previous_line(facts);
    if let Some(error) = facts.error {
        text += &format!("Error: {}\n", Plain(error));
    }
    if facts.record_missing {
        text += "Trip record: NOT WRITTEN. `runaway-guard status` lists the function as at 0 without a \
                 record; only the command below restores its previous value.\n";
    }
    if let Some(note) = facts.note {
        text += &format!("Not throttled: {}\n", Plain(note));
    }
    if let Some(until) = facts.quiet_until {
        text += &format!("No further page about this function from this guard instance before {until}.\n");
    }
    text += &format!("\n{}\n", meanwhile(facts));
    let mut next = vec![next_step(facts)];
    next.extend(parking::replay_step(facts));
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
        "reenable_command": super::model::in_region(&restore_command(facts), &facts.context),
    });
    AlertModel {
        subject,
        text,
        next,
        machine,
        attributes: attributes(name, facts.reason.rule(), facts.outcome.as_str(), &facts.context),
        function_arn: function_arn(facts.function, &facts.context),
    }
    .render()
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

/// What happens to the function's events: async events, then each event source mapping.
fn meanwhile(facts: &TripFacts<'_>) -> String {
    let lead = if facts.outcome == Outcome::Throttled { "While throttled" } else { "If throttled" };
    let async_events = parking::async_events(facts);
    let sources = sources::lines(facts.event_sources);
    format!("{lead}:\n- async events (EventBridge, SNS, S3, async Invoke) {async_events}.\n{sources}")
        .trim_end()
        .to_owned()
}

fn next_step(facts: &TripFacts<'_>) -> NextStep {
    let trip = format!("runaway-guard trip {} --reason TEXT", facts.function);
    let (step, command) = match facts.outcome {
        Outcome::Throttled | Outcome::AlreadyTripped => {
            ("fix the cause, then re-enable with", restore_command(facts))
        }
        Outcome::Failed | Outcome::Capped => ("investigate now; to stop it by hand", trip),
        Outcome::WouldThrottle | Outcome::Exempt => ("to stop it by hand", trip),
    };
    NextStep::new(step, &[command], &facts.context)
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
