//! Text output: a legend, then per scenario a table (guard and peers) and sparklines of invocations
//! per second, one line per mechanism on a shared scale, so "stopped" and "still burning" are
//! visible at a glance. Every time is counted from the incident (from the start in a benign
//! scenario, which has none) and printed in human units.

use std::fmt::Write as _;

use super::peers::Mechanism;
use super::result::{MechanismResult, SimulationResult, Timeline};

/// Sparkline glyphs, lowest to highest; a second with no invocations at all prints as a space.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// Columns of a sparkline.
const WIDTH: usize = 60;
/// The close-up window after an incident's start, in seconds.
const CLOSE_UP_SECS: usize = 600;

/// Renders every result as text, after one legend.
pub fn text(results: &[SimulationResult]) -> String {
    let mut out = legend();
    for r in results {
        scenario(&mut out, r);
    }
    out
}

/// What a mechanism is, in a line.
pub fn describe(m: Mechanism) -> &'static str {
    match m {
        Mechanism::Guard => "runaway-guard, the real detector and policy on the simulated account",
        Mechanism::LambdaLoopDetection => {
            "Lambda's own loop detection: drops an event after ~16 hops (SQS, SNS, S3, Lambda; never EventBridge)"
        }
        Mechanism::BillingKillSwitch => {
            "a billing alarm that throttles the spenders; its metric trails spend by 6 h"
        }
        Mechanism::NoGuard => "nothing: the runaway runs to the end of the simulation",
        Mechanism::Baseline => "the same account without the incident: what normal traffic does",
    }
}

fn legend() -> String {
    let mut out = String::from("Legend\n");
    let mut line = |term: &str, meaning: &str| {
        let _ = writeln!(out, "  {term:<22} {meaning}");
    };
    for m in [Mechanism::Guard].into_iter().chain(Mechanism::PEERS).chain([Mechanism::Baseline]) {
        line(m.as_str(), describe(m));
    }
    line("contained, after", "whether the runaway stopped before the end, and how long after the incident");
    line("leaked", "invocations and USD above the baseline, from the incident until it was contained");
    line(
        "organic lost",
        "real work (not the runaway's) sent to a DLQ or dropped by the mechanism's own action",
    );
    line("failed events", "events that never ran: sent to a DLQ or on-failure destination, or dropped");
    line("times", "counted from the incident (+ after, - before); from the start when there is none");
    out.push('\n');
    out
}

fn scenario(out: &mut String, r: &SimulationResult) {
    header(out, r);
    let origin = if r.benign { 0.0 } else { r.incident_at_s as f64 };
    row(out, Mechanism::Guard.as_str(), &r.guard, origin);
    for (name, m) in &r.peers {
        row(out, name, m, origin);
    }
    if r.guard_stats.signals_dropped > 0 {
        let _ = writeln!(
            out,
            "  note: {} chain signals over the per-batch cap were not fed to the guard",
            r.guard_stats.signals_dropped
        );
    }
    let (incident, horizon) = (r.incident_at_s as usize, r.horizon_s as usize);
    let after = duration(horizon.saturating_sub(incident) as f64);
    if r.benign {
        sparklines(out, &r.timelines, 0, horizon, &format!("the whole {}", duration(horizon as f64)));
    } else {
        let from = incident.saturating_sub(CLOSE_UP_SECS / 10);
        let to = (incident + CLOSE_UP_SECS).min(horizon);
        let close_up = format!(
            "{} before to {} after the incident",
            duration((incident - from) as f64),
            duration((to - incident) as f64)
        );
        sparklines(out, &r.timelines, from, to, &close_up);
        let whole =
            format!("the whole run, {} before to {after} after the incident", duration(incident as f64));
        sparklines(out, &r.timelines, 0, horizon, &whole);
    }
    out.push('\n');
}

/// The scenario's line (what it is, how long, which seed) and the table's column heads.
fn header(out: &mut String, r: &SimulationResult) {
    let _ = if r.benign {
        writeln!(
            out,
            "{} (benign: any trip is a false positive; {}; {} simulated; seed {})",
            r.scenario,
            r.mode.as_str(),
            duration(r.horizon_s as f64),
            r.seed
        )
    } else {
        writeln!(
            out,
            "{} (runaway; {}; {} of normal traffic, then {} after the incident; seed {})",
            r.scenario,
            r.mode.as_str(),
            duration(r.incident_at_s as f64),
            duration(r.horizon_s.saturating_sub(r.incident_at_s) as f64),
            r.seed
        )
    };
    let _ = writeln!(
        out,
        "  {:<22} {:>9} {:>12} {:>14} {:>12} {:>12} {:>14}  trips",
        "mechanism", "contained", "after", "leaked inv.", "leaked USD", "organic lost", "failed events"
    );
}

fn row(out: &mut String, name: &str, m: &MechanismResult, origin: f64) {
    let contained = match m.contained {
        None => "-",
        Some(true) => "yes",
        Some(false) => "NO",
    };
    let time = m.time_to_containment_s.map_or_else(|| "-".to_owned(), duration);
    let trips = if m.trips.is_empty() {
        "none".to_owned()
    } else {
        let first = &m.trips[0];
        let more = if m.trips.len() > 1 { format!(" (+{} more)", m.trips.len() - 1) } else { String::new() };
        let at = first.at_s - origin;
        let sign = if at < 0.0 { "-" } else { "+" };
        format!(
            "{} {} at {sign}{}: {}{more}",
            first.function,
            first.outcome,
            duration(at.abs()),
            first.reason
        )
    };
    let _ = writeln!(
        out,
        "  {name:<22} {contained:>9} {time:>12} {:>14} {:>12} {:>12} {:>14}  {trips}",
        thousands(m.leaked_invocations),
        format!("${}", money(m.leaked_usd)),
        thousands(m.lost_work.organic_by_mechanism.total()),
        thousands(m.failed_events),
    );
}

fn sparklines(out: &mut String, timelines: &[Timeline], from: usize, to: usize, span: &str) {
    let series: Vec<(Mechanism, Vec<f64>)> = timelines
        .iter()
        .map(|t| (t.mechanism, bucket_means(&t.invocations_per_sec, from, to, WIDTH)))
        .collect();
    let max = series.iter().flat_map(|(_, v)| v.iter().copied()).fold(0.0, f64::max);
    let columns = series.first().map_or(0, |(_, v)| v.len()).max(1);
    let per_column = (to.saturating_sub(from)) as f64 / columns as f64;
    let _ = writeln!(
        out,
        "  invocations/s, {span} (one column = {}; log scale: {} = 1/s, {} = {}/s, blank = none):",
        duration(per_column),
        BARS[0],
        BARS[BARS.len() - 1],
        thousands(max.round() as u64)
    );
    for (m, values) in &series {
        let peak = values.iter().copied().fold(0.0, f64::max);
        let _ = writeln!(
            out,
            "  {:<22} {} peak {}/s",
            m.as_str(),
            sparkline(values, max),
            thousands(peak.round() as u64)
        );
    }
}

/// Means of `values[from..to]` over `width` equal buckets.
pub(crate) fn bucket_means(values: &[u64], from: usize, to: usize, width: usize) -> Vec<f64> {
    let to = to.min(values.len());
    if from >= to || width == 0 {
        return Vec::new();
    }
    let span = to - from;
    (0..width.min(span))
        .map(|i| {
            let a = from + i * span / width.min(span);
            let b = (from + (i + 1) * span / width.min(span)).max(a + 1);
            values[a..b].iter().sum::<u64>() as f64 / (b - a) as f64
        })
        .collect()
}

/// One glyph per value, scaled to `max` on a log scale (rates span five orders of magnitude).
pub fn sparkline(values: &[f64], max: f64) -> String {
    let top = (1.0 + max).ln();
    values
        .iter()
        .map(|&v| {
            if v <= 0.0 || top <= 0.0 {
                return ' ';
            }
            let level = ((1.0 + v).ln() / top * (BARS.len() - 1) as f64).round() as usize;
            BARS[level.min(BARS.len() - 1)]
        })
        .collect()
}

/// `13.0 s`, `5 min 12 s`, `7 h 2 min`, `24 h 5 min`: what a person would say.
pub fn duration(secs: f64) -> String {
    if secs < 60.0 {
        return format!("{secs:.1} s");
    }
    let whole = secs.round() as u64;
    if whole < 3_600 {
        let (m, s) = (whole / 60, whole % 60);
        return if s == 0 { format!("{m} min") } else { format!("{m} min {s} s") };
    }
    let minutes = (secs / 60.0).round() as u64;
    let (h, m) = (minutes / 60, minutes % 60);
    if m == 0 { format!("{h} h") } else { format!("{h} h {m} min") }
}

/// `3,881.94`.
pub fn money(usd: f64) -> String {
    let cents = (usd.max(0.0) * 100.0).round() as u64;
    format!("{}.{:02}", thousands(cents / 100), cents % 100)
}

/// `86,317,006`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests;
