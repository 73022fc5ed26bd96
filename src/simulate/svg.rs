//! The SVG chart (`--svg FILE`): one panel per scenario, invocations per second over time, one line
//! per mechanism. Both axes are logarithmic: a guard stopping a loop in seconds and a billing alarm
//! stopping it after hours belong on the same chart. Runaway panels start at the incident. Each
//! mechanism's legend entry carries its leaked dollars; a marker on the time axis shows when it
//! contained the runaway. Lines are drawn widest first (the longest-burning mechanism at the
//! bottom), so a line that coincides with another still shows as a band around it.

use std::fmt::Write as _;

use super::peers::Mechanism;
use super::render::{duration, money};
use super::result::{MechanismResult, SimulationResult, Timeline};

const WIDTH: f64 = 900.0;
const PANEL_HEIGHT: f64 = 300.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 280.0;
const TOP: f64 = 34.0;
const BOTTOM: f64 = 56.0;
/// Points per line.
const POINTS: usize = 240;
/// Stroke width of the bottom line; each line above is thinner.
const WIDEST: f64 = 9.0;

/// Renders every result as one SVG document.
pub fn render(results: &[SimulationResult]) -> String {
    let height = PANEL_HEIGHT * results.len().max(1) as f64;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="white"/>"#);
    for (i, r) in results.iter().enumerate() {
        panel(&mut out, r, i as f64 * PANEL_HEIGHT);
    }
    out.push_str("</svg>\n");
    out
}

fn colour(m: Mechanism) -> (&'static str, &'static str) {
    match m {
        Mechanism::Guard => ("#2ca02c", ""),
        Mechanism::LambdaLoopDetection => ("#ff7f0e", ""),
        Mechanism::BillingKillSwitch => ("#9467bd", ""),
        Mechanism::NoGuard => ("#d62728", ""),
        Mechanism::Baseline => ("#555555", r#" stroke-dasharray="5 4""#),
    }
}

/// Maps seconds since the panel's start and a rate to pixels.
struct Frame {
    y0: f64,
    span_secs: f64,
    max_rate: f64,
}

impl Frame {
    fn plot_w(&self) -> f64 {
        WIDTH - LEFT - RIGHT
    }
    fn plot_h(&self) -> f64 {
        PANEL_HEIGHT - TOP - BOTTOM
    }
    fn x(&self, secs: f64) -> f64 {
        LEFT + (1.0 + secs.max(0.0)).log10() / (1.0 + self.span_secs).log10() * self.plot_w()
    }
    fn y(&self, rate: f64) -> f64 {
        self.y0 + TOP + self.plot_h() * (1.0 - (1.0 + rate).log10() / (1.0 + self.max_rate).log10())
    }
}

/// One mechanism's line and figures in a panel.
struct Line<'a> {
    mechanism: Mechanism,
    points: Vec<(f64, f64)>,
    figures: Option<&'a MechanismResult>,
}

fn figures(r: &SimulationResult, m: Mechanism) -> Option<&MechanismResult> {
    match m {
        Mechanism::Guard => Some(&r.guard),
        Mechanism::Baseline => None,
        peer => r.peers.get(peer.as_str()),
    }
}

fn panel(out: &mut String, r: &SimulationResult, y0: f64) {
    let start = if r.benign { 0 } else { r.incident_at_s as usize };
    let span = (r.horizon_s as usize).saturating_sub(start).max(2);
    let mut lines: Vec<Line<'_>> = r
        .timelines
        .iter()
        .map(|t| Line {
            mechanism: t.mechanism,
            points: log_binned(t, start, span),
            figures: figures(r, t.mechanism),
        })
        .collect();
    let max_rate = lines.iter().flat_map(|l| l.points.iter().map(|&(_, v)| v)).fold(1.0, f64::max);
    let f = Frame { y0, span_secs: span as f64, max_rate };
    let (since, note) =
        if r.benign { ("since the start", " (benign: no incident)") } else { ("since the incident", "") };
    let _ = writeln!(
        out,
        r#"<text x="{LEFT}" y="{:.1}" font-size="13" font-weight="bold">{} — invocations per second {since}{note}</text>"#,
        y0 + 20.0,
        escape(&r.scenario)
    );
    axes(out, &f, since);
    draw_lines(out, &f, &mut lines);
    if !r.benign {
        markers(out, &f, &lines);
    }
    let mut order: Vec<&Line<'_>> = lines.iter().collect();
    order.sort_by_key(|l| l.mechanism);
    legend(out, &order, y0);
}

/// Widest first: the mechanism that burned longest at the bottom, the baseline dashed on top.
fn draw_lines(out: &mut String, f: &Frame, lines: &mut [Line<'_>]) {
    lines.sort_by_key(|l| {
        // Ties (every benign panel) keep the guard on top.
        let leaked = l.figures.map_or(0, |m| m.leaked_invocations);
        (l.mechanism == Mechanism::Baseline, std::cmp::Reverse(leaked), std::cmp::Reverse(l.mechanism))
    });
    let drawn = lines.len().max(2) as f64;
    for (i, line) in lines.iter().enumerate() {
        let (stroke, dash) = colour(line.mechanism);
        let width = if line.mechanism == Mechanism::Baseline {
            1.5
        } else {
            WIDEST - (WIDEST - 1.8) * i as f64 / (drawn - 2.0).max(1.0)
        };
        let path: Vec<String> =
            line.points.iter().map(|&(s, v)| format!("{:.1},{:.1}", f.x(s), f.y(v))).collect();
        let _ = writeln!(
            out,
            r#"<polyline fill="none" stroke="{stroke}" stroke-width="{width:.1}" stroke-linejoin="round"{dash} points="{}"><title>{}</title></polyline>"#,
            path.join(" "),
            line.mechanism.as_str()
        );
    }
}

fn axes(out: &mut String, f: &Frame, since: &str) {
    let (x0, x1) = (LEFT, LEFT + f.plot_w());
    let (ya, yb) = (f.y(0.0), f.y(f.max_rate));
    let _ = writeln!(out, r##"<path d="M{x0},{yb:.1} V{ya:.1} H{x1:.1}" stroke="#333" fill="none"/>"##);
    for (secs, label) in [
        (1.0, "1 s"),
        (10.0, "10 s"),
        (60.0, "1 min"),
        (600.0, "10 min"),
        (3_600.0, "1 h"),
        (21_600.0, "6 h"),
        (86_400.0, "24 h"),
    ] {
        if secs <= f.span_secs {
            let x = f.x(secs);
            let _ = writeln!(
                out,
                r##"<line x1="{x:.1}" y1="{ya:.1}" x2="{x:.1}" y2="{:.1}" stroke="#333"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{label}</text>"##,
                ya + 4.0,
                ya + 16.0
            );
        }
    }
    let _ = writeln!(
        out,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">time {since} (log scale)</text>"#,
        (x0 + x1) / 2.0,
        ya + 32.0
    );
    y_axis(out, f);
}

/// Gridlines at each power of ten and the rotated axis title.
fn y_axis(out: &mut String, f: &Frame) {
    let (x0, x1) = (LEFT, LEFT + f.plot_w());
    let (ya, yb) = (f.y(0.0), f.y(f.max_rate));
    let mut rate = 1.0;
    while rate <= f.max_rate * 1.0001 {
        let y = f.y(rate);
        let _ = writeln!(
            out,
            r##"<line x1="{:.1}" y1="{y:.1}" x2="{x1:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            x0,
            x0 - 4.0,
            y + 4.0,
            super::render::thousands(rate as u64)
        );
        rate *= 10.0;
    }
    let (cx, cy) = (18.0, (ya + yb) / 2.0);
    let _ = writeln!(
        out,
        r#"<text x="{cx}" y="{cy:.1}" text-anchor="middle" transform="rotate(-90 {cx} {cy:.1})">invocations per second (log scale)</text>"#
    );
}

/// A triangle under the time axis and a dotted drop line where each mechanism contained the runaway.
fn markers(out: &mut String, f: &Frame, lines: &[Line<'_>]) {
    let ya = f.y(0.0);
    for line in lines {
        let Some(t) = line.figures.and_then(|m| m.time_to_containment_s) else { continue };
        let (stroke, _) = colour(line.mechanism);
        let x = f.x(t);
        let _ = writeln!(
            out,
            r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{ya:.1}" stroke="{stroke}" stroke-width="1.2" stroke-dasharray="2 3"/><path d="M{x:.1},{ya:.1} l-5,-9 h10 z" fill="{stroke}"><title>{} contained the runaway after {}</title></path>"#,
            f.y(f.max_rate),
            line.mechanism.as_str(),
            duration(t)
        );
    }
}

fn legend(out: &mut String, lines: &[&Line<'_>], y0: f64) {
    let x = WIDTH - RIGHT + 18.0;
    for (i, line) in lines.iter().enumerate() {
        let y = y0 + TOP + 8.0 + i as f64 * 34.0;
        let (stroke, dash) = colour(line.mechanism);
        let _ = writeln!(
            out,
            r#"<line x1="{x}" y1="{y}" x2="{}" y2="{y}" stroke="{stroke}" stroke-width="3"{dash}/><text x="{}" y="{}" font-weight="bold">{}</text>"#,
            x + 22.0,
            x + 28.0,
            y + 4.0,
            line.mechanism.as_str()
        );
        let _ = writeln!(
            out,
            r##"<text x="{}" y="{}" fill="#333">{}</text>"##,
            x + 28.0,
            y + 18.0,
            escape(&summary(line.figures))
        );
    }
}

/// `$0.02 leaked, contained after 13.0 s`; the baseline has no figures.
fn summary(figures: Option<&MechanismResult>) -> String {
    let Some(m) = figures else { return "normal traffic, no incident".to_owned() };
    let leaked = format!("${} leaked", money(m.leaked_usd));
    match (m.contained, m.time_to_containment_s) {
        (Some(true), Some(t)) => format!("{leaked}, contained after {}", duration(t)),
        (Some(false), _) => format!("{leaked}, never contained"),
        _ if m.trips.is_empty() => "no trip (no false positive)".to_owned(),
        _ if m.trips.len() == 1 => "1 trip: a false positive".to_owned(),
        _ => format!("{} trips: false positives", m.trips.len()),
    }
}

/// Mean rate in log-spaced bins of seconds since `start`, as (seconds, rate) points.
fn log_binned(t: &Timeline, start: usize, span: usize) -> Vec<(f64, f64)> {
    let values = t.invocations_per_sec.get(start..).unwrap_or(&[]);
    let span = span.min(values.len());
    let mut points = Vec::new();
    let mut a = 0usize;
    for i in 1..=POINTS {
        let b = (((span as f64).powf(i as f64 / POINTS as f64)).round() as usize).clamp(a + 1, span.max(1));
        if b <= a || a >= span {
            continue;
        }
        let mean = values[a..b].iter().sum::<u64>() as f64 / (b - a) as f64;
        points.push(((a + b) as f64 / 2.0, mean));
        a = b;
    }
    points
}

fn escape(s: &str) -> String {
    crate::sanitise::xml(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_bins_cover_the_span_once_in_order() {
        let t = Timeline { mechanism: Mechanism::Guard, invocations_per_sec: (0..1000).collect() };
        let points = log_binned(&t, 100, 900);
        assert!(points.len() > 20);
        assert!(points.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(points[0], (0.5, 100.0));
    }

    #[test]
    fn legend_figures_name_dollars_and_containment() {
        let mut m = MechanismResult {
            contained: Some(true),
            time_to_containment_s: Some(13.0),
            leaked_invocations: 547,
            leaked_usd: 1_129.984,
            total_invocations: 0,
            total_usd: 0.0,
            failed_events: 0,
            lost_work: Default::default(),
            replay: None,
            mappings_paused: 0,
            trips: Vec::new(),
        };
        assert_eq!(summary(Some(&m)), "$1,129.98 leaked, contained after 13.0 s");
        m.contained = Some(false);
        assert_eq!(summary(Some(&m)), "$1,129.98 leaked, never contained");
        m.contained = None;
        assert_eq!(summary(Some(&m)), "no trip (no false positive)");
        m.trips.push(super::super::result::Trip {
            function: "f".into(),
            rule: "rate_absolute".into(),
            reason: "r".into(),
            outcome: "throttled".into(),
            at_s: 1.0,
        });
        assert_eq!(summary(Some(&m)), "1 trip: a false positive");
        assert_eq!(summary(None), "normal traffic, no incident");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
        assert_eq!(escape("x\u{1b}[2J"), "x\\u{1b}[2J");
    }
}
