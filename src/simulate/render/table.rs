//! One scenario's table: a row per shown guard mode, per peer and for the baseline. A runaway's
//! table counts what leaked until containment; a benign one counts trips and what the run cost,
//! since nothing there can leak. Below it, what each row's failed events were.

use std::fmt::Write as _;

use super::format::{duration, thousands, usd, usd_delta};
use super::modes::Group;
use crate::simulate::lost::Lost;
use crate::simulate::peers::Mechanism;
use crate::simulate::result::MechanismResult;

/// One row: a name and its figures; the baseline's row has no mechanism to judge.
pub(super) struct Row<'a> {
    pub label: String,
    pub m: &'a MechanismResult,
    pub baseline: bool,
}

/// The guard per shown mode, the peers in display order, then the baseline.
pub(super) fn rows<'a>(group: &Group<'a>) -> Vec<Row<'a>> {
    let first = group.first();
    let guards =
        group.shown.iter().map(|&r| Row { label: group.guard_label(r), m: &r.guard, baseline: false });
    let peers = Mechanism::PEERS.iter().filter_map(|p| {
        first.peers.get(p.as_str()).map(|m| Row { label: p.as_str().to_owned(), m, baseline: false })
    });
    let baseline = Row { label: Mechanism::Baseline.as_str().to_owned(), m: &first.baseline, baseline: true };
    guards.chain(peers).chain([baseline]).collect()
}

/// A runaway's table: containment and leak.
pub(super) fn runaway(out: &mut String, rows: &[Row<'_>], origin: f64) {
    let _ = writeln!(
        out,
        "  {:<22} {:>9} {:>12} {:>14} {:>12} {:>12} {:>14}  trips",
        "mechanism", "contained", "after", "leaked inv.", "leaked USD", "organic lost", "failed events"
    );
    for row in rows {
        let m = row.m;
        let dash = || "-".to_owned();
        let (contained, after, leaked, leaked_usd, organic, trips) = if row.baseline {
            (dash(), dash(), dash(), dash(), dash(), "- (no incident, no mechanism)".to_owned())
        } else {
            let contained = match m.contained {
                None => "-",
                Some(true) => "yes",
                Some(false) => "NO",
            };
            (
                contained.to_owned(),
                m.time_to_containment_s.map_or_else(dash, duration),
                thousands(m.leaked_invocations),
                usd(m.leaked_usd),
                thousands(m.lost_work.organic_by_mechanism.total()),
                trips_text(m, origin),
            )
        };
        let _ = writeln!(
            out,
            "  {:<22} {contained:>9} {after:>12} {leaked:>14} {leaked_usd:>12} {organic:>12} {:>14}  {trips}",
            row.label,
            thousands(m.failed_events),
        );
    }
}

/// A benign scenario's table: trips (each a false positive) and cost against the baseline's.
pub(super) fn benign(out: &mut String, rows: &[Row<'_>], origin: f64) {
    let _ = writeln!(
        out,
        "  {:<22} {:>6} {:>12} {:>12} {:>12} {:>14}  first trip",
        "mechanism", "trips", "cost USD", "vs baseline", "organic lost", "failed events"
    );
    let baseline_usd = rows.iter().find(|r| r.baseline).map_or(0.0, |r| r.m.total_usd);
    for row in rows {
        let m = row.m;
        let (trips, delta, organic, first) = if row.baseline {
            ("-".to_owned(), "-".to_owned(), "-".to_owned(), "- (no mechanism)".to_owned())
        } else {
            (
                m.trips.len().to_string(),
                usd_delta(m.total_usd - baseline_usd),
                thousands(m.lost_work.organic_by_mechanism.total()),
                trips_text(m, origin),
            )
        };
        let _ = writeln!(
            out,
            "  {:<22} {trips:>6} {:>12} {delta:>12} {organic:>12} {:>14}  {first}",
            row.label,
            usd(m.total_usd),
            thousands(m.failed_events),
        );
    }
}

/// "order-events throttled at +12.0 s: chain depth 17 > limit 16 (+1 more)", or "none".
fn trips_text(m: &MechanismResult, origin: f64) -> String {
    let Some(first) = m.trips.first() else { return "none".to_owned() };
    let more = if m.trips.len() > 1 { format!(" (+{} more)", m.trips.len() - 1) } else { String::new() };
    let at = first.at_s - origin;
    let sign = if at < 0.0 { "-" } else { "+" };
    format!("{} {} at {sign}{}: {}{more}", first.function, first.outcome, duration(at.abs()), first.reason)
}

/// What each row's failed events were, by whose and where they went, and what still waited at
/// the end; the categories are defined once in the legend.
pub(super) fn failures(out: &mut String, rows: &[Row<'_>]) {
    // Rows with the same figures share a line: a peer that fails only what the baseline fails says so.
    let mut lines: Vec<(Vec<&str>, String)> = Vec::new();
    for row in rows {
        let Some(line) = failure_line(row.m) else { continue };
        match lines.iter_mut().find(|(_, l)| *l == line) {
            Some((labels, _)) => labels.push(&row.label),
            None => lines.push((vec![&row.label], line)),
        }
    }
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "  failed events, by whose (see the legend), and events still waiting at the end:");
    for (labels, line) in lines {
        let _ = writeln!(out, "    {}: {line}", labels.join(" / "));
    }
}

fn failure_line(m: &MechanismResult) -> Option<String> {
    let w = &m.lost_work;
    let mut parts: Vec<String> = [
        ("the runaway's own", &w.runaway),
        ("organic, by its action", &w.organic_by_mechanism),
        ("organic, other", &w.organic_other),
    ]
    .into_iter()
    .filter(|(_, lost)| lost.total() > 0)
    .map(|(whose, lost)| format!("{} {whose} ({})", thousands(lost.total()), fates(lost)))
    .collect();
    if w.parked.total() > 0 {
        let replay = m.replay.filter(|r| r.events > 0).map_or_else(String::new, |r| {
            let organic = if r.runaway > 0 {
                format!(
                    "; {} and {} without the runaway's",
                    duration(r.organic_longest_secs),
                    usd(r.organic_usd)
                )
            } else {
                String::new()
            };
            format!("; replay at the default rate: {} and {}{organic}", duration(r.longest_secs), usd(r.usd))
        });
        parts.push(format!(
            "parked, not lost: {} organic, {} the runaway's{replay}",
            thousands(w.parked.organic),
            thousands(w.parked.runaway)
        ));
    }
    let held = w.held_at_end;
    if held.organic + held.runaway > 0 {
        parts.push(format!(
            "waiting: {} organic, {} the runaway's",
            thousands(held.organic),
            thousands(held.runaway)
        ));
    }
    (!parts.is_empty()).then(|| {
        let lost = if m.failed_events > 0 {
            format!("{} failed: ", thousands(m.failed_events))
        } else {
            String::new()
        };
        format!("{lost}{}", parts.join("; "))
    })
}

/// "3 to an SQS DLQ, 5 dropped": where the lost events went.
fn fates(lost: &Lost) -> String {
    [
        (lost.sqs_dlq, "to an SQS DLQ"),
        (lost.async_dlq, "to a DLQ or destination"),
        (lost.dropped, "dropped"),
        (lost.refused, "refused to synchronous callers"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, place)| format!("{} {place}", thousands(n)))
    .collect::<Vec<_>>()
    .join(", ")
}
