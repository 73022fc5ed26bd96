//! Plain-text tables for the CLI's default (non-JSON) output.

use crate::operator::{ReenableOutcome, Restored, StatusEntry};
use crate::report::reservation_text;

/// `runaway-guard status` as an aligned table.
pub fn status(entries: &[StatusEntry]) -> String {
    if entries.is_empty() {
        return "No functions are tripped by runaway-guard.\n".to_owned();
    }
    let rows: Vec<[&str; 4]> = entries
        .iter()
        .map(|e| {
            [e.function.as_str(), e.tripped_at.as_str(), e.previous_concurrency.as_str(), e.reason.as_str()]
        })
        .collect();
    let header = ["FUNCTION", "TRIPPED AT", "PREVIOUS", "REASON"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 4]| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        out.push('\n');
        out
    };
    let mut out = line(header);
    for row in rows {
        out.push_str(&line(row));
    }
    out.push_str(&format!(
        "\n{} tripped. Restore one with: runaway-guard reenable FUNCTION\n",
        entries.len()
    ));
    out
}

/// `runaway-guard reenable` as text.
pub fn reenabled(done: &Restored) -> String {
    let mut out = format!(
        "Re-enabled {}: reserved concurrency restored to {} by {} at {}.\n",
        done.function,
        reservation_text(done.restored),
        done.caller,
        done.reenabled_at
    );
    if let Some(earlier) = done.finished_earlier {
        out.push_str(&format!("This finished a re-enable started at {earlier}.\n"));
    }
    for warning in &done.warnings {
        out.push_str(&format!("warning: {warning}\n"));
    }
    if !done.alerted {
        out.push_str("warning: on-call was not alerted\n");
    }
    out
}

/// A `reenable` outcome as one sentence.
pub fn reenable_outcome(outcome: &ReenableOutcome) -> String {
    match outcome {
        ReenableOutcome::Restored(done) => reenabled(done),
        ReenableOutcome::NothingToDo { function, reserved } => format!(
            "{function} is not tripped and not throttled (reserved concurrency {}): nothing to do",
            reservation_text(*reserved)
        ),
        ReenableOutcome::AlreadyReenabled { function, at, by, reserved } => format!(
            "{function} was already re-enabled at {at} by {} (reserved concurrency {}): nothing to do",
            by.as_deref().unwrap_or("an unknown caller"),
            reservation_text(*reserved)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::FunctionName;

    #[test]
    fn status_table_aligns_columns_and_says_how_to_restore() {
        let entry = |name: &str, prev: &str| StatusEntry {
            function: FunctionName::new(name).unwrap(),
            tripped_at: "2026-11-20T09:14:03Z".into(),
            reason: "chain depth 17 > limit 16".into(),
            previous_concurrency: prev.into(),
            record: true,
            alert_pending: false,
            reenable_unfinished_since: None,
        };
        let text = status(&[entry("a", "none"), entry("orders-worker", "25")]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("FUNCTION       TRIPPED AT"));
        assert_eq!(lines[1].find("2026"), lines[2].find("2026"));
        assert!(text.contains("runaway-guard reenable FUNCTION"));
        assert_eq!(status(&[]), "No functions are tripped by runaway-guard.\n");
    }
}
