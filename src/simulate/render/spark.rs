//! Sparklines of invocations per second, one line per mechanism on a shared log scale, so
//! "stopped" and "still burning" are visible at a glance.

use std::fmt::Write as _;

use super::format::{duration, rate};

/// Sparkline glyphs, lowest to highest; a second with no invocations at all prints as a space.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// Columns of a sparkline.
const WIDTH: usize = 60;

/// One sparkline per named per-second series over `[from, to)` seconds; `span` says what that is.
pub(super) fn sparklines(out: &mut String, lines: &[(String, &[u64])], from: usize, to: usize, span: &str) {
    let series: Vec<(&str, Vec<f64>)> =
        lines.iter().map(|(name, per_sec)| (name.as_str(), bucket_means(per_sec, from, to, WIDTH))).collect();
    let max = series.iter().flat_map(|(_, v)| v.iter().copied()).fold(0.0, f64::max);
    let columns = series.first().map_or(0, |(_, v)| v.len()).max(1);
    let per_column = (to.saturating_sub(from)) as f64 / columns as f64;
    let _ = writeln!(
        out,
        "  invocations/s, {span} (one column = {}; log scale from {} = above 0 to {} = {}/s, blank = none):",
        duration(per_column),
        BARS[0],
        BARS[BARS.len() - 1],
        rate(max)
    );
    for (name, values) in &series {
        let peak = values.iter().copied().fold(0.0, f64::max);
        let _ = writeln!(out, "  {name:<22} {} peak {}/s", sparkline(values, max), rate(peak));
    }
}

/// Means of `values[from..to]` over `width` equal buckets.
pub(super) fn bucket_means(values: &[u64], from: usize, to: usize, width: usize) -> Vec<f64> {
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
