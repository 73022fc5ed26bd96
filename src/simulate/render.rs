//! Text output, read as a report: a legend that states each mechanism's assumption once, then per
//! scenario a table (the guard in each mode shown, the peers, the baseline), what the failed events
//! were, sparklines of invocations per second, and (`--alerts`) the guard's first trip alert as
//! sent; last, a summary table like README's. Every time is counted from the incident (from the
//! start in a benign scenario, which has none) and printed in human units.

use std::fmt::Write as _;

use super::Instrumentation;
use super::peers::Mechanism;
use super::result::SimulationResult;

mod alerts;
mod format;
mod modes;
mod spark;
mod summary;
mod table;

pub use format::{duration, money, thousands};
#[cfg(test)]
use spark::bucket_means;
pub use spark::sparkline;

/// The close-up window after an incident's start, in seconds.
const CLOSE_UP_SECS: usize = 600;

/// What to print besides the tables.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Print, per scenario where the guard tripped, its first trip's alert as on-call reads it.
    pub alerts: bool,
    /// The mode shown as the guard's when results hold both (`--uninstrumented`): the other mode
    /// is then only compared with it in a sentence. `None` shows every mode side by side.
    pub primary: Option<Instrumentation>,
}

/// Renders every result as text with the default options (every mode side by side, no alerts).
pub fn text(results: &[SimulationResult]) -> String {
    text_with(results, Options::default())
}

/// Renders `results` (one or two modes per scenario, in any order) as a report.
pub fn text_with(results: &[SimulationResult], options: Options) -> String {
    let groups = modes::group(results, options.primary);
    let mut out = legend();
    for group in &groups {
        scenario(&mut out, group);
        if options.alerts {
            alerts::first_trip(&mut out, group);
        }
        out.push('\n');
    }
    summary::table(&mut out, &groups);
    out
}

/// What a mechanism is and what its figures assume, in a line.
pub fn describe(m: Mechanism) -> &'static str {
    match m {
        Mechanism::Guard => {
            "runaway-guard, the real detector and policy on the simulated account; a function it \
             throttles stays at 0 until the end of the run (nobody re-enables it)"
        }
        Mechanism::LambdaLoopDetection => {
            "Lambda's own loop detection: drops an event after ~16 hops (SQS, SNS, S3, Lambda; never \
             EventBridge); the function keeps running"
        }
        Mechanism::BillingKillSwitch => {
            "a billing alarm that throttles every function; its metric trails spend by 6 h; the \
             functions stay at 0 until the end of the run"
        }
        Mechanism::NoGuard => "nothing: the runaway runs to the end of the run",
        Mechanism::Baseline => {
            "the same account without the incident and without any mechanism: what normal traffic does"
        }
    }
}

fn legend() -> String {
    let mut out = String::from("Legend\n");
    let mut line = |term: &str, meaning: &str| {
        let _ = writeln!(out, "  {term:<25} {meaning}");
    };
    for m in [Mechanism::Guard].into_iter().chain(Mechanism::PEERS).chain([Mechanism::Baseline]) {
        line(m.as_str(), describe(m));
    }
    line("contained, after", "whether the runaway stopped before the end, and how long after the incident");
    line("leaked", "invocations and USD above the baseline, from the incident until it was contained");
    line(
        "cost, vs baseline",
        "benign scenarios: what the whole run cost, and the difference from the baseline",
    );
    line(
        "organic lost",
        "real work (not the runaway's) sent to a DLQ or dropped by the mechanism's own action, to the end of the run",
    );
    line("failed events", "events that never ran: sent to a DLQ or on-failure destination, or dropped;");
    line("", "below each table, by whose and why:");
    line("  the runaway's own", "the loop's events, stopped by the mechanism or out of retries");
    line(
        "  organic, by its action",
        "real work its throttle turned away or it dropped (the organic lost column)",
    );
    line(
        "  organic, other",
        "real work lost whatever the mechanism: aged out or out of retries at a concurrency limit, or dropped by \
         Lambda's loop detection (on under the guard and as a peer)",
    );
    line(
        "  waiting",
        "events still queued at the end (in a queue, a stream or Lambda's async queue): neither run nor lost",
    );
    line("times", "counted from the incident (+ after, - before); from the start when there is none");
    out.push('\n');
    out
}

fn scenario(out: &mut String, group: &modes::Group<'_>) {
    header(out, group);
    let origin = group.origin();
    let rows = table::rows(group);
    if group.first().benign {
        table::benign(out, &rows, origin);
    } else {
        table::runaway(out, &rows, origin);
    }
    let dropped = group.shown.iter().map(|r| r.guard_stats.signals_dropped).max().unwrap_or(0);
    if dropped > 0 {
        let _ =
            writeln!(out, "  note: {dropped} chain signals over the per-batch cap were not fed to the guard");
    }
    modes::compare(out, group);
    table::failures(out, &rows);
    charts(out, group);
}

/// The scenario's line (what it is, which modes, how long, which seed).
fn header(out: &mut String, group: &modes::Group<'_>) {
    let r = group.first();
    let modes = group.shown.iter().map(|r| r.mode.as_str()).collect::<Vec<_>>().join(" and ");
    let _ = if r.benign {
        writeln!(
            out,
            "{} (benign: any trip is a false positive; {modes}; {} simulated; seed {})",
            r.scenario,
            duration(r.horizon_s as f64),
            r.seed
        )
    } else {
        writeln!(
            out,
            "{} (runaway; {modes}; {} of normal traffic, then {} after the incident; seed {})",
            r.scenario,
            duration(r.incident_at_s as f64),
            duration(r.horizon_s.saturating_sub(r.incident_at_s) as f64),
            r.seed
        )
    };
}

/// Sparklines: the whole run, and for a runaway a close-up around the incident first.
fn charts(out: &mut String, group: &modes::Group<'_>) {
    let r = group.first();
    let lines = group.timelines();
    let (incident, horizon) = (r.incident_at_s as usize, r.horizon_s as usize);
    if r.benign {
        spark::sparklines(out, &lines, 0, horizon, &format!("the whole {}", duration(horizon as f64)));
        return;
    }
    let from = incident.saturating_sub(CLOSE_UP_SECS / 10);
    let to = (incident + CLOSE_UP_SECS).min(horizon);
    let close_up = format!(
        "{} before to {} after the incident",
        duration(incident.saturating_sub(from) as f64),
        duration(to.saturating_sub(incident) as f64)
    );
    spark::sparklines(out, &lines, from, to, &close_up);
    let after = duration(horizon.saturating_sub(incident) as f64);
    let whole = format!("the whole run, {} before to {after} after the incident", duration(incident as f64));
    spark::sparklines(out, &lines, 0, horizon, &whole);
}

#[cfg(test)]
mod tests;
