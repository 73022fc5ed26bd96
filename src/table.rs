//! Plain-text tables for the CLI's default (non-JSON) output.

use crate::operator::{ReenableOutcome, Restored, StatusEntry};
use crate::report::{Decision, Outcome, reservation_text};
use crate::sanitise::Plain;

mod status;
pub use status::status;

/// What happens to unsent trip alerts: the deployed guard re-sends each on the function's next
/// event; where none is deployed nothing does, and nothing must promise it.
pub fn unsent_alerts_follow_up(rows: &[StatusEntry], guard: Option<&str>, context: &str) -> String {
    if !rows.iter().any(|r| r.alert_pending) {
        return String::new();
    }
    match guard {
        Some(guard) => format!("The guard {guard} re-sends an unsent alert on the function's next event.\n"),
        None => format!(
            "No runaway-guard is deployed in {context}: nothing re-sends an unsent alert; tell on-call \
             yourself.\n"
        ),
    }
}

pub(crate) fn aligned<const N: usize>(header: [&str; N], rows: &[[&str; N]]) -> String {
    let mut widths = header.map(str::len);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[&str; N]| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == N {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        out.push('\n');
        out
    };
    let mut out = line(&header);
    for row in rows {
        out.push_str(&line(row));
    }
    out
}

/// A `reenable` outcome as sentences naming where it happened.
pub fn reenable_outcome(outcome: &ReenableOutcome, context: &str) -> String {
    match outcome {
        ReenableOutcome::Restored(done) => reenabled(done, context),
        ReenableOutcome::NothingToDo { function, reserved } => format!(
            "{function} in {context} is not tripped and not throttled (reserved concurrency {}): nothing \
             to do; no alert sent, no grace period started.\n",
            reservation_text(*reserved)
        ),
        ReenableOutcome::AlreadyReenabled { function, at, by, reserved } => format!(
            "{function} in {context} was already re-enabled at {at} by {} (reserved concurrency now {}): \
             nothing to do.\n",
            Plain(by.as_deref().unwrap_or("an unknown caller")),
            reservation_text(*reserved)
        ),
    }
}

/// A restore as text.
pub fn reenabled(done: &Restored, context: &str) -> String {
    let restored = match done.restored {
        Some(n) => format!("restored to {n}"),
        None => "reservation removed (it had none before the trip)".to_owned(),
    };
    let mut out = format!(
        "Re-enabled {} in {context}: reserved concurrency {restored} by {} at {}.\n",
        done.function,
        Plain(&done.caller),
        done.reenabled_at
    );
    if let Some(earlier) = done.finished_earlier {
        out.push_str(&format!("This finished a re-enable started at {earlier}.\n"));
    }
    for warning in &done.warnings {
        out.push_str(&format!("warning: {}\n", Plain(warning)));
    }
    if !done.resumed_mappings.is_empty() {
        let ids: Vec<String> = done.resumed_mappings.iter().map(|m| Plain(m).to_string()).collect();
        out.push_str(&format!(
            "Event source mappings re-enabled (paused by the trip): {}.\n",
            ids.join(", ")
        ));
    }
    if let Some(unparked) = done.invoke_config {
        let what = match unparked {
            crate::operator::Unparked::Restored => "put back as it was before the trip",
            crate::operator::Unparked::Deleted => "removed (it had none before the trip)",
        };
        out.push_str(&format!(
            "Event-invoke configuration {what}; events parked during the trip: runaway-guard replay {}\n",
            done.function
        ));
    }
    if !done.record_cleared {
        out.push_str("error: the trip record is still there; run this reenable again to remove it\n");
    }
    if !done.alerted {
        out.push_str("error: on-call was NOT paged about this re-enable; tell them yourself\n");
    }
    out
}

/// `runaway-guard trip` as sentences: what happened, whether on-call heard, how to undo it.
pub fn tripped(decision: &Decision, context: &str) -> String {
    let f = &decision.function;
    let was = match decision.previous_concurrency.as_deref() {
        Some("none") | None => "unreserved".to_owned(),
        Some(n) => n.to_owned(),
    };
    // The policy appends why it skipped after the trip's own reason: a refusal needs only the why.
    let why = Plain(decision.reason.rsplit("; ").next().unwrap_or(&decision.reason));
    let reason = Plain(&decision.reason);
    let mut out = match decision.outcome {
        Outcome::Throttled => format!(
            "Tripped {f} in {context}: reserved concurrency set to 0 (was {was}).\nReason: {reason}\n\
             Restore with: runaway-guard reenable {f}\n"
        ),
        Outcome::WouldThrottle => format!(
            "Dry run: would trip {f} in {context}: reserved concurrency {was} would become 0; nothing was \
             changed.\nReason: {reason}\n"
        ),
        Outcome::AlreadyTripped if decision.repaused_mappings > 0 => format!(
            "{f} in {context} was already tripped; its trip is complete again: paused {} event source \
             mapping(s) its trip record names that were polling.\nRestore with: runaway-guard reenable {f}\n",
            decision.repaused_mappings
        ),
        Outcome::AlreadyTripped => {
            format!("{f} in {context} is already tripped; nothing changed ({why}).\n")
        }
        Outcome::Exempt => format!("error: refusing to trip {f} in {context}: {why}\n"),
        Outcome::Capped | Outcome::Failed => {
            format!("error: {f} in {context} was NOT tripped ({}): {reason}\n", decision.outcome.as_str())
        }
    };
    for error in &decision.errors {
        out.push_str(&format!("error: {}\n", Plain(error)));
    }
    match (decision.outcome, decision.alerted) {
        (Outcome::Throttled, true) => out.push_str("On-call was paged.\n"),
        (Outcome::WouldThrottle, true) => {
            out.push_str("Sent one alert marked DRY RUN (nothing throttled, nothing to re-enable).\n")
        }
        (Outcome::Throttled, false) => out.push_str(
            "error: on-call was NOT paged. The trip record keeps runaway-guard:alert-pending=true and \
             `runaway-guard status` shows the alert as NOT SENT; tell on-call yourself.\n",
        ),
        (Outcome::WouldThrottle, false) => out.push_str("error: on-call was NOT sent the dry-run alert.\n"),
        _ => {}
    }
    out
}
