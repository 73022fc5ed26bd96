//! `--alerts`: the alert the guard sent for its first trip in a scenario, as an e-mail subscriber
//! reads it. The text is the guard's own (`alert::trip_alert` composed it in the run, and
//! `alert::email_text` renders it here as the SNS adapter does); times are on the simulator's clock.

use std::fmt::Write as _;

use super::modes::Group;

/// Prints the first trip's alert of each shown mode, or says why there is none in a runaway.
pub(super) fn first_trip(out: &mut String, group: &Group<'_>) {
    for r in &group.shown {
        let mode = if group.shown.len() > 1 { format!(", {}", r.mode.as_str()) } else { String::new() };
        match &r.first_trip_alert {
            Some(alert) => {
                let _ = writeln!(
                    out,
                    "  the guard's first trip alert{mode}, as e-mailed to on-call (SQS and Lambda subscribers \
                     also get a JSON block):"
                );
                let subject = format!("Subject: {}", alert.subject);
                for line in [subject.as_str(), ""].into_iter().chain(alert.text.lines()) {
                    let _ = writeln!(out, "{}", format!("    | {line}").trim_end());
                }
            }
            None if r.guard.trips.is_empty() && !r.benign => {
                let _ = writeln!(out, "  no trip alert{mode}: the guard tripped nothing in this run");
            }
            None if !r.guard.trips.is_empty() => {
                let _ = writeln!(out, "  no trip alert{mode}: the guard published none for its first trip");
            }
            None => {}
        }
    }
}
