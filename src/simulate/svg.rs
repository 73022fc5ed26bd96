//! The SVG chart (`--svg FILE`): one panel per scenario, invocations per second over time, one line
//! per mechanism. Both axes are logarithmic: a guard stopping a loop in seconds and a billing alarm
//! stopping it after hours belong on the same chart. Runaway panels start at the incident.

use std::fmt::Write as _;

use super::peers::Mechanism;
use super::result::{SimulationResult, Timeline};

const WIDTH: f64 = 760.0;
const PANEL_HEIGHT: f64 = 250.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 170.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 40.0;
/// Points per line.
const POINTS: usize = 240;

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
        Mechanism::Baseline => ("#7f7f7f", r#" stroke-dasharray="4 3""#),
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
        LEFT + (1.0 + secs).log10() / (1.0 + self.span_secs).log10() * self.plot_w()
    }
    fn y(&self, rate: f64) -> f64 {
        self.y0 + TOP + self.plot_h() * (1.0 - (1.0 + rate).log10() / (1.0 + self.max_rate).log10())
    }
}

fn panel(out: &mut String, r: &SimulationResult, y0: f64) {
    let start = if r.benign { 0 } else { r.incident_at_s as usize };
    let span = (r.horizon_s as usize).saturating_sub(start).max(2);
    let lines: Vec<(Mechanism, Vec<(f64, f64)>)> =
        r.timelines.iter().map(|t| (t.mechanism, log_binned(t, start, span))).collect();
    let max_rate = lines.iter().flat_map(|(_, p)| p.iter().map(|&(_, v)| v)).fold(1.0, f64::max);
    let f = Frame { y0, span_secs: span as f64, max_rate };
    let since = if r.benign { "since start" } else { "since the incident" };
    let _ = writeln!(
        out,
        r#"<text x="{LEFT}" y="{:.1}" font-size="13" font-weight="bold">{} — invocations/s {since} (log–log)</text>"#,
        y0 + 18.0,
        escape(&r.scenario)
    );
    axes(out, &f);
    for (m, points) in &lines {
        let (stroke, dash) = colour(*m);
        let path: Vec<String> = points.iter().map(|&(s, v)| format!("{:.1},{:.1}", f.x(s), f.y(v))).collect();
        let _ = writeln!(
            out,
            r#"<polyline fill="none" stroke="{stroke}" stroke-width="1.6"{dash} points="{}"><title>{}</title></polyline>"#,
            path.join(" "),
            m.as_str()
        );
    }
    legend(out, &lines.iter().map(|(m, _)| *m).collect::<Vec<_>>(), y0);
}

fn axes(out: &mut String, f: &Frame) {
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
    let mut rate = 1.0;
    while rate <= f.max_rate * 1.0001 {
        let y = f.y(rate);
        let _ = writeln!(
            out,
            r##"<line x1="{:.1}" y1="{y:.1}" x2="{x1:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{rate}</text>"##,
            x0,
            x0 - 4.0,
            y + 4.0
        );
        rate *= 10.0;
    }
}

fn legend(out: &mut String, mechanisms: &[Mechanism], y0: f64) {
    let x = WIDTH - RIGHT + 16.0;
    for (i, m) in mechanisms.iter().enumerate() {
        let y = y0 + TOP + 10.0 + i as f64 * 18.0;
        let (stroke, dash) = colour(*m);
        let _ = writeln!(
            out,
            r#"<line x1="{x}" y1="{y}" x2="{}" y2="{y}" stroke="{stroke}" stroke-width="2"{dash}/><text x="{}" y="{}">{}</text>"#,
            x + 22.0,
            x + 28.0,
            y + 4.0,
            m.as_str()
        );
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
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
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
    fn escapes_markup() {
        assert_eq!(escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
    }
}
