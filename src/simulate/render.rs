//! Text output: per scenario, a table (guard and peers) and sparklines of invocations per second,
//! one line per mechanism on a shared scale, so "stopped" and "still burning" are visible at a glance.

use std::fmt::Write as _;

use super::peers::Mechanism;
use super::result::{MechanismResult, SimulationResult, Timeline};

/// Sparkline glyphs, lowest to highest; a second with no invocations at all prints as a space.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// Columns of a sparkline.
const WIDTH: usize = 60;
/// The close-up window after an incident's start, in seconds.
const CLOSE_UP_SECS: usize = 600;

/// Renders every result as text.
pub fn text(results: &[SimulationResult]) -> String {
    let mut out = String::new();
    for r in results {
        scenario(&mut out, r);
    }
    out
}

fn scenario(out: &mut String, r: &SimulationResult) {
    let kind = if r.benign { "benign: any trip is a false positive" } else { "runaway" };
    let _ = writeln!(
        out,
        "{} ({kind}; {}; incident at {} s; horizon {} s; seed {})",
        r.scenario,
        r.mode.as_str(),
        r.incident_at_s,
        r.horizon_s,
        r.seed
    );
    let _ = writeln!(
        out,
        "  {:<22} {:>9} {:>12} {:>14} {:>12}  trips",
        "mechanism", "contained", "in", "leaked inv.", "leaked USD"
    );
    row(out, Mechanism::Guard.as_str(), &r.guard);
    for (name, m) in &r.peers {
        row(out, name, m);
    }
    if r.guard_stats.signals_dropped > 0 {
        let _ = writeln!(
            out,
            "  note: {} chain signals over the per-batch cap were not fed to the guard",
            r.guard_stats.signals_dropped
        );
    }
    let incident = r.incident_at_s as usize;
    if !r.benign {
        let from = incident.saturating_sub(CLOSE_UP_SECS / 10);
        let to = incident + CLOSE_UP_SECS;
        let _ = writeln!(
            out,
            "  invocations/s, {} s before to {} s after the incident:",
            incident - from,
            CLOSE_UP_SECS
        );
        sparklines(out, &r.timelines, from, to);
    }
    let _ = writeln!(out, "  invocations/s, whole horizon:");
    sparklines(out, &r.timelines, 0, r.horizon_s as usize);
    out.push('\n');
}

fn row(out: &mut String, name: &str, m: &MechanismResult) {
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
        format!("{} {} at {}: {}{more}", first.function, first.outcome, duration(first.at_s), first.reason)
    };
    let _ = writeln!(
        out,
        "  {name:<22} {contained:>9} {time:>12} {:>14} {:>12}  {trips}",
        thousands(m.leaked_invocations),
        format!("${:.2}", m.leaked_usd)
    );
}

fn sparklines(out: &mut String, timelines: &[Timeline], from: usize, to: usize) {
    let series: Vec<(Mechanism, Vec<f64>)> = timelines
        .iter()
        .map(|t| (t.mechanism, bucket_means(&t.invocations_per_sec, from, to, WIDTH)))
        .collect();
    let max = series.iter().flat_map(|(_, v)| v.iter().copied()).fold(0.0, f64::max);
    for (m, values) in &series {
        let peak = values.iter().copied().fold(0.0, f64::max);
        let _ = writeln!(out, "  {:<22} {} peak {:.0}/s", m.as_str(), sparkline(values, max), peak);
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

/// `93 s`, `14.2 min`, `6.1 h`.
fn duration(secs: f64) -> String {
    if secs < 120.0 {
        format!("{secs:.1} s")
    } else if secs < 7_200.0 {
        format!("{:.1} min", secs / 60.0)
    } else {
        format!("{:.1} h", secs / 3_600.0)
    }
}

/// `86,317,006`.
fn thousands(n: u64) -> String {
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
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales_on_a_log_scale_and_shows_silence() {
        let line = sparkline(&[0.0, 1.0, 1000.0, 30.0], 1000.0);
        let glyphs: Vec<char> = line.chars().collect();
        assert_eq!(glyphs.len(), 4);
        assert_eq!(glyphs[0], ' ');
        assert_eq!(glyphs[2], '█');
        assert!(glyphs[1] < glyphs[3] && glyphs[3] < glyphs[2]);
    }

    #[test]
    fn buckets_average_and_fit_short_ranges() {
        assert_eq!(bucket_means(&[1, 3, 5, 7], 0, 4, 2), vec![2.0, 6.0]);
        assert_eq!(bucket_means(&[1, 3, 5, 7], 2, 10, 60), vec![5.0, 7.0]);
        assert!(bucket_means(&[1], 3, 2, 5).is_empty());
    }

    #[test]
    fn numbers_read_like_a_report() {
        assert_eq!(thousands(86_317_006), "86,317,006");
        assert_eq!(thousands(612), "612");
        assert_eq!(duration(14.0), "14.0 s");
        assert_eq!(duration(25_200.0), "7.0 h");
    }
}
