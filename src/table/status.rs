//! `runaway-guard status` as text: the tripped functions in one aligned table (who tripped each,
//! when, why, its reserved concurrency now), the functions at 0 without a record apart, then one
//! line per thing on-call must act on or know (drift, unverified records, paused mappings).

use super::aligned;
use crate::operator::StatusEntry;
use crate::sanitise::Plain;

/// `runaway-guard status` as aligned tables under the line naming where it was read.
pub fn status(rows: &[StatusEntry], context: &str) -> String {
    if rows.is_empty() {
        return format!("No functions are tripped by runaway-guard in {context}.\n");
    }
    let (recorded, bare): (Vec<&StatusEntry>, Vec<&StatusEntry>) =
        rows.iter().partition(|r| r.record || r.unreadable.is_some());
    let mut out = String::new();
    if !recorded.is_empty() {
        out.push_str(&format!("Tripped functions in {context}:\n\n"));
        let cells: Vec<[String; 8]> = recorded.iter().map(|e| cells(e)).collect();
        let cells: Vec<[&str; 8]> = cells.iter().map(|row| row.each_ref().map(String::as_str)).collect();
        let header = ["FUNCTION", "NOW", "TRIPPED AT", "BY", "PREVIOUS", "RECORD", "ALERT", "REASON"];
        out.push_str(&aligned(header, &cells));
        let unread: Vec<&str> =
            recorded.iter().filter(|r| r.unreadable.is_some()).map(|r| r.function.as_str()).collect();
        let tripped = recorded.len() - unread.len();
        out.push_str(&format!("\n{tripped} tripped. Restore one with: runaway-guard reenable FUNCTION\n"));
        if !unread.is_empty() {
            out.push_str(&format!(
                "NOT READ: {} (listed, but could not be read; see REASON)\n",
                unread.join(", ")
            ));
        }
    }
    if !bare.is_empty() {
        out.push_str(&without_record(&bare, context, !recorded.is_empty()));
    }
    notes(&mut out, &recorded);
    out
}

/// One tripped function's cells. The record's texts are tag values anyone with TagResource could
/// have written: shown through [`Plain`].
fn cells(e: &StatusEntry) -> [String; 8] {
    let alert = match e.alert_pending {
        _ if e.unreadable.is_some() => "unknown",
        true => "NOT SENT",
        false => "sent",
    };
    let record = match e.record_check {
        _ if e.unreadable.is_some() => "NOT READ",
        Some("verified") => "verified",
        Some("outdated") => "OUTDATED",
        Some(_) => "UNVERIFIED",
        None => "none",
    };
    let by = match &e.tripped_by {
        Some(by) => Plain(&by.to_string()).to_string(),
        None if e.unreadable.is_some() => "unknown".to_owned(),
        None => "not recorded".to_owned(),
    };
    [
        e.function.to_string(),
        Plain(&e.reserved_concurrency).to_string(),
        Plain(&e.tripped_at).to_string(),
        by,
        Plain(&e.previous_concurrency).to_string(),
        record.to_owned(),
        alert.to_owned(),
        Plain(&e.reason).to_string(),
    ]
}

/// The functions at reserved concurrency 0 with no trip record: nothing says the guard set them.
fn without_record(rows: &[&StatusEntry], context: &str, after_table: bool) -> String {
    let mut out = String::new();
    if after_table {
        out.push('\n');
    }
    out.push_str(&format!(
        "At reserved concurrency 0 with no trip record in {context} (set by hand or by something else; \
         no record holds a value to restore):\n"
    ));
    for row in rows {
        out.push_str(&format!(
            "  {f}: restore with runaway-guard reenable {f} --to N, or aws lambda \
             put-function-concurrency / delete-function-concurrency\n",
            f = row.function
        ));
    }
    out
}

/// The lines after the tables: drift, unverified records, unfinished re-enables, paused mappings,
/// parked events, unsent alerts.
fn notes(out: &mut String, rows: &[&StatusEntry]) {
    for row in rows.iter().filter(|r| r.drift.is_some()) {
        let note = Plain(row.drift.as_deref().unwrap_or_default());
        let f = &row.function;
        out.push_str(&match row.drift_state.map(|s| s.as_str()) {
            Some("resolved") => format!(
                "DRIFT (resolved): {f} was changed after its trip ({note}); it is contained again (reserved \
                 concurrency 0, its recorded mappings paused)\n"
            ),
            _ => format!(
                "DRIFT (open): {f} was changed after its trip ({note}); it is not contained and may be \
                 running: contain it again with runaway-guard trip {f} --reason \"drift\"\n"
            ),
        });
    }
    for row in rows.iter().filter(|r| r.record_check_detail.is_some() && r.record) {
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
        let mappings: Vec<String> = row
            .paused_mappings
            .iter()
            .map(|m| format!("{} ({}, {})", Plain(&m.source), Plain(&m.state), m.id))
            .collect();
        out.push_str(&format!(
            "{}: event source mappings paused by the trip (reenable re-enables them): {}\n",
            row.function,
            mappings.join("; ")
        ));
    }
    for row in rows.iter().filter(|r| r.parked_queue.is_some()) {
        let f = &row.function;
        out.push_str(&match row.parked_since_trip {
            Some(0) => format!("{f}: no asynchronous event parked since the trip\n"),
            Some(n) => format!(
                "{f}: about {n} asynchronous event(s) parked since the trip (Lambda's AsyncEventsDropped); once \
                 it is fixed and re-enabled, send them back with runaway-guard replay {f}\n"
            ),
            None => format!(
                "{f}: its asynchronous events are parked (not counted); once it is fixed and re-enabled, send \
                 them back with runaway-guard replay {f}\n"
            ),
        });
    }
    let unsent = rows.iter().filter(|r| r.alert_pending).count();
    if unsent > 0 {
        out.push_str(&format!("warning: {unsent} trip alert(s) NOT SENT: on-call may not know\n"));
    }
}

#[cfg(test)]
mod tests;
