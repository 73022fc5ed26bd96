//! Plain-text tables for the CLI's default (non-JSON) output.

use crate::operator::{ReenableOutcome, Restored, StatusEntry};
use crate::report::{Decision, Outcome, reservation_text};
use crate::sanitise::Plain;

/// `runaway-guard status` as an aligned table under the line naming where it was read.
pub fn status(rows: &[StatusEntry], context: &str) -> String {
    if rows.is_empty() {
        return format!("No functions are tripped by runaway-guard in {context}.\n");
    }
    // The record's texts are tag values anyone with TagResource could have written.
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|e| {
            let alert = match (e.record, e.alert_pending) {
                (false, _) => "unknown",
                (true, true) => "NOT SENT",
                (true, false) => "sent",
            };
            let alert = if e.unreadable.is_some() { "unknown" } else { alert };
            let record = match e.record_check {
                _ if e.unreadable.is_some() => "NOT READ",
                Some("verified") => "verified",
                Some("outdated") => "OUTDATED",
                Some(_) => "UNVERIFIED",
                None => "none",
            };
            [
                e.function.to_string(),
                Plain(&e.tripped_at).to_string(),
                Plain(&e.previous_concurrency).to_string(),
                record.to_owned(),
                alert.to_owned(),
                Plain(&e.reason).to_string(),
            ]
        })
        .collect();
    let cells: Vec<[&str; 6]> = cells.iter().map(|row| row.each_ref().map(String::as_str)).collect();
    let mut out = format!("Tripped by runaway-guard in {context}:\n\n");
    out.push_str(&aligned(["FUNCTION", "TRIPPED AT", "PREVIOUS", "RECORD", "ALERT", "REASON"], &cells));
    let unread: Vec<&str> =
        rows.iter().filter(|r| r.unreadable.is_some()).map(|r| r.function.as_str()).collect();
    let tripped = rows.len() - unread.len();
    out.push_str(&format!("\n{tripped} tripped. Restore one with: runaway-guard reenable FUNCTION\n"));
    if !unread.is_empty() {
        out.push_str(&format!(
            "NOT READ: {} (listed, but could not be read; see REASON)\n",
            unread.join(", ")
        ));
    }
    for row in rows.iter().filter(|r| r.drift.is_some()) {
        out.push_str(&format!(
            "DRIFT: {} was changed after its trip ({}); its trip record is stale and it may be running\n",
            row.function,
            Plain(row.drift.as_deref().unwrap_or_default())
        ));
    }
    for row in rows.iter().filter(|r| r.record_check_detail.is_some()) {
        out.push_str(&format!(
            "UNVERIFIED: {}'s trip record is {}; its values are claims, not the guard's: reenable restores \
             only the value you give with --to N, and resumes none of its mappings\n",
            row.function,
            row.record_check_detail.as_deref().unwrap_or_default()
        ));
    }
    for row in rows.iter().filter(|r| r.reenable_unfinished_since.is_some()) {
        out.push_str(&format!(
            "warning: a re-enable of {} started at {} did not finish; run runaway-guard reenable {} again\n",
            row.function,
            Plain(row.reenable_unfinished_since.as_deref().unwrap_or_default()),
            row.function
        ));
    }
    for row in rows.iter().filter(|r| !r.paused_mappings.is_empty() && r.record_check == Some("verified")) {
        let ids: Vec<String> = row.paused_mappings.iter().map(|m| Plain(m).to_string()).collect();
        out.push_str(&format!(
            "{}: event source mappings paused by the trip (reenable re-enables them): {}\n",
            row.function,
            ids.join(", ")
        ));
    }
    let unsent = rows.iter().filter(|r| r.alert_pending).count();
    if unsent > 0 {
        out.push_str(&format!(
            "warning: {unsent} trip alert(s) NOT SENT: on-call may not know; the guard re-sends on the \
             function's next event\n"
        ));
    }
    out
}

fn aligned<const N: usize>(header: [&str; N], rows: &[[&str; N]]) -> String {
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
            "Dry run: would trip {f} in {context} (reserved concurrency now {was}); nothing was changed.\nReason: {reason}\n"
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
        (Outcome::Throttled | Outcome::WouldThrottle, true) => out.push_str("On-call was paged.\n"),
        (Outcome::Throttled, false) => out.push_str(
            "error: on-call was NOT paged. The trip record keeps runaway-guard:alert-pending=true and \
             `runaway-guard status` shows the alert as NOT SENT; tell on-call yourself.\n",
        ),
        (Outcome::WouldThrottle, false) => out.push_str("error: on-call was NOT sent the dry-run alert.\n"),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::FunctionName;

    #[test]
    fn status_table_aligns_columns_and_says_how_to_restore() {
        let entry = |name: &str, prev: &str, alert_pending: bool| StatusEntry {
            function: FunctionName::new(name).unwrap(),
            tripped_at: "2026-11-20T09:14:03Z".into(),
            reason: "chain depth 17 > limit 16".into(),
            previous_concurrency: prev.into(),
            record: true,
            alert_pending,
            reenable_unfinished_since: None,
            paused_mappings: Vec::new(),
            record_check: Some("verified"),
            record_check_detail: None,
            drift: None,
            unreadable: None,
            incomplete: false,
        };
        let here = "123456789012/us-east-1 (guard g)";
        let text = status(&[entry("a", "none", false), entry("orders-worker", "25", true)], here);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].contains(here), "{text}");
        assert!(lines[2].starts_with("FUNCTION       TRIPPED AT"), "{text}");
        assert_eq!(lines[3].find("2026"), lines[4].find("2026"));
        assert!(lines[4].contains("NOT SENT") && lines[3].contains("sent"), "{text}");
        assert!(text.contains("runaway-guard reenable FUNCTION"));
        assert!(text.contains("1 trip alert(s) NOT SENT"), "{text}");
        assert_eq!(status(&[], here), format!("No functions are tripped by runaway-guard in {here}.\n"));
        let forged = StatusEntry {
            record_check: Some("invalid"),
            record_check_detail: Some("unverified: the MAC does not match (edited or forged)".into()),
            ..entry("attacker-fn", "900", false)
        };
        let text = status(&[entry("a", "none", false), forged], here);
        let row = text.lines().find(|l| l.starts_with("attacker-fn")).unwrap();
        assert!(row.contains("UNVERIFIED"), "{text}");
        assert!(text.lines().find(|l| l.starts_with("a ")).unwrap().contains("verified"), "{text}");
        assert!(text.contains("UNVERIFIED: attacker-fn's trip record is unverified: the MAC"), "{text}");
        assert!(text.contains("--to N"), "{text}");
    }

    #[test]
    fn a_hand_written_record_cannot_forge_or_colour_a_line() {
        let entry = StatusEntry {
            function: FunctionName::new("orders").unwrap(),
            tripped_at: "2026-11-20T09:14:03Z\u{1b}[2J".into(),
            reason: "x\nDRIFT: payments was changed \u{202e}<!here>".into(),
            previous_concurrency: "25".into(),
            record: true,
            alert_pending: false,
            reenable_unfinished_since: None,
            paused_mappings: Vec::new(),
            record_check: Some("verified"),
            record_check_detail: None,
            drift: Some("by\nwarning: forged".into()),
            unreadable: None,
            incomplete: false,
        };
        let text = status(&[entry], "here");
        assert!(!text.chars().any(|c: char| c != '\n' && crate::sanitise::is_hidden(c)), "{text:?}");
        assert!(
            !text.lines().any(|l| l.starts_with("DRIFT: payments") || l.starts_with("warning: forged")),
            "{text}"
        );
        assert!(!text.contains("<!here>"), "{text}");
    }
}
