//! The judgement every metric-driven path shares (contributor events, the offender search, the
//! sweep): has this function left its own normal the way runaways do? Pure: CloudWatch series in,
//! [`Judgement`] out; the handler reads the series (one request for every candidate) and acts.
//!
//! A function is a runaway when Lambda's own loop detection dropped its events
//! (`RecursiveInvocationsDropped`) and its estimated spend over the published minutes is at least
//! the recursion floor; or when that spend is at least the cost floor, it runs at least
//! `surge_factor` times its usual busiest minute and that minute's cost at a moment like now (any
//! rate, when it has no history: `usual`), *and* it shows a runaway's shape: growing minute over
//! minute without a plateau (without history: only once its spend is `surge_factor` times the cost
//! floor), or pinned at a concurrency ceiling it is not usually at (called only synchronously:
//! with its calls failing or waiting on themselves); or, as cost evidence, it runs
//! `extreme_factor` times its usual minute and cost *and* spends `extreme_factor` times the cost
//! floor. Size alone never trips: a launch that steps up and holds below every ceiling and below
//! that spend is left alone, however large.
//! A function as busy as it usually is, however expensive, is never one. Thresholds and defaults:
//! docs/detection-metrics.md.

use serde::Serialize;

use super::cost::FunctionProfile;
use crate::config::{Baseline, Prices};
use crate::ports::{Architecture, FunctionMetrics, HOUR_SECS, MINUTE_SECS, MappingCeiling, MinuteMetrics};
use crate::time::Timestamp;
use crate::verdict::RunawayShape;

mod ceiling;
mod drain;
mod usual;

use ceiling::saturation;

pub use drain::{DRAIN_SHARE, draining, polls_a_queue};
pub use usual::{Basis, Usual};

/// Published minutes the spend rate and the current rate are averaged over (the latest ones).
pub const RATE_MINUTES: usize = 3;
/// History hours this close to now's hour of day (either side) are "this time of day".
pub const TIME_OF_DAY_SLACK_HOURS: u64 = 1;
/// History at least this old is always a baseline; younger hours only when they predate the rise.
pub const MIN_BASELINE_AGE_SECS: u64 = 20 * HOUR_SECS;
/// The least minute-over-minute rise a compounding growth run may hold.
pub const SLOW_GROWTH_STEP: f64 = 1.2;
/// Concurrency at or above this share of a ceiling counts as pinned.
pub const CEILING_SHARE: f64 = 0.9;

/// What the judgement knows about the function besides its metrics.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Subject {
    /// Memory and architecture, for pricing.
    pub profile: FunctionProfile,
    /// Reserved concurrency (its ceiling), when one is set and not 0.
    pub ceiling: Option<u32>,
    /// The lowest ceiling its event source mappings put on it, when it has one.
    pub mapping: Option<MappingCeiling>,
    /// The account's unreserved concurrency (the pool a function without a reservation draws on),
    /// when it could be read.
    pub account_unreserved: Option<u32>,
    /// The trigger itself reports dropped recursive invocations.
    pub recursion_reported: bool,
}

/// The outcome for one function.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "judgement", rename_all = "snake_case")]
pub enum Judgement {
    /// It left its normal the way runaways do: throttle it.
    Runaway {
        /// How.
        shape: RunawayShape,
        /// Estimated spend over the published minutes.
        usd_per_hour: f64,
        /// Its rate now over its usual at this time of day (`None`: no history).
        times_normal: Option<f64>,
    },
    /// Leave it alone.
    Normal {
        /// Estimated spend over the published minutes.
        usd_per_hour: f64,
        /// Why, in a sentence for the report and the alert.
        why: String,
    },
}

/// Judges `metrics` against the function's own history at `now`.
pub fn judge(
    metrics: &FunctionMetrics,
    subject: Subject,
    prices: &Prices,
    t: &Baseline,
    now: Timestamp,
) -> Judgement {
    let published: Vec<&MinuteMetrics> = metrics.recent.iter().filter(|m| m.invocations.is_some()).collect();
    let latest = &published[published.len().saturating_sub(RATE_MINUTES)..];
    let usd_per_hour = minutes_usd_per_hour(latest, subject.profile, prices);
    let dropped: f64 =
        metrics.recent.iter().filter_map(|m| m.recursion_dropped).filter(|x| x.is_finite()).sum();
    let recursion = dropped > 0.0 || subject.recursion_reported;
    // Lambda itself saw a loop: far less spend is worth a throttle than for a surge, because the
    // loop's shape is already proven; the floor still spares a cheap job Lambda cuts at 16 hops.
    let (floor, which) = if recursion {
        (t.recursion_floor_usd_per_hour, "recursion floor")
    } else {
        (t.cost_floor_usd_per_hour, "floor")
    };
    if usd_per_hour < floor {
        let why = format!("${usd_per_hour:.2}/h is under the ${floor:.2}/h {which}");
        return Judgement::Normal { usd_per_hour, why };
    }
    let current = rate(latest);
    let usual = usual::usual(&metrics.history, (subject.profile, prices), now, current, t.surge_factor);
    let times_normal = usual.map(|u| current / u.per_minute);
    if recursion {
        return Judgement::Runaway { shape: RunawayShape::Recursion { dropped }, usd_per_hour, times_normal };
    }
    let found = Found { usual, times_normal, usd_per_hour };
    match evidence(&published, &subject, found, t) {
        Ok(shape) => Judgement::Runaway { shape, usd_per_hour, times_normal },
        Err(why) => Judgement::Normal { usd_per_hour, why },
    }
}

/// What the judgement has found before it looks for evidence.
#[derive(Debug, Clone, Copy)]
struct Found {
    usual: Option<Usual>,
    times_normal: Option<f64>,
    usd_per_hour: f64,
}

/// The evidence that separates a runaway from a launch, or why there is none: busy as usual;
/// growth (without history, only over `surge_factor` × the cost floor); a ceiling it is not usually
/// at (for a function called only synchronously, with its calls failing or waiting on themselves);
/// then cost (the extreme factor over its usual minute and cost, and over the extreme factor ×
/// the cost floor).
fn evidence(
    published: &[&MinuteMetrics],
    subject: &Subject,
    f: Found,
    t: &Baseline,
) -> Result<RunawayShape, String> {
    if let (Some(u), Some(times)) = (f.usual, f.times_normal)
        && (times < t.surge_factor || f.usd_per_hour < t.surge_factor * u.usd_per_hour)
    {
        // No relief for a synchronous pin whose calls fail or wait: anyone allowed to call a
        // public API can send it slow, failing requests, and a lower bar for those would let them
        // have it stopped.
        return Err(format!(
            "busy as usual: {times:.1}x its usual busiest minute and ${:.2}/h against ${:.2}/h {} \
             (a runaway needs {:.0}x both)",
            f.usd_per_hour,
            u.usd_per_hour,
            u.basis.describe(),
            t.surge_factor
        ));
    }
    // Without history of a day like today, growth is no proof: a feature-flag rollout doubles too,
    // behind a canary that has run for hours as much as on a function new this minute. A bomb
    // reaches a ceiling within minutes; a rollout levels off below it.
    let growth_bar = t.surge_factor * t.cost_floor_usd_per_hour;
    let established = f.usual.is_some_and(|u| u.basis != Basis::SinceStart);
    let grows = growth(published, t);
    if let Some(shape) = grows.clone().filter(|_| established || f.usd_per_hour >= growth_bar) {
        return Ok(shape);
    }
    let pinned_launch = match saturation(published, subject, f.usual, t) {
        Some(Ok(shape)) => return Ok(shape),
        Some(Err(why)) => Some(why),
        None => None,
    };
    // Cost evidence: two orders of magnitude over its usual minute and spending what no launch is
    // left to do unannounced.
    let costly = t.extreme_factor * t.cost_floor_usd_per_hour;
    if let (Some(u), Some(times)) = (f.usual, f.times_normal)
        && times >= t.extreme_factor
        && f.usd_per_hour >= t.extreme_factor * u.usd_per_hour
        && f.usd_per_hour >= costly
    {
        return Ok(RunawayShape::Surge { times_normal: times, over_usd_per_hour: costly });
    }
    if let Some(why) = pinned_launch {
        return Err(why);
    }
    Err(match (f.times_normal, grows) {
        (times, Some(_)) if !established => format!(
            "{}, growing but under ${growth_bar:.2}/h and below every ceiling (a rollout levels off; a bomb reaches a ceiling)",
            match times {
                Some(times) =>
                    format!("{times:.0}x its usual busiest minute since it started (no day like today yet)"),
                None => "no history".to_owned(),
            }
        ),
        // What a launch looks like: a step up (however large) that holds below every ceiling.
        (Some(times), _) => format!(
            "{times:.0}x its usual busiest minute but neither growing nor pinned at a ceiling (a launch steps up and holds)"
        ),
        (None, _) => {
            "no history, and neither growing nor pinned at a ceiling (a launch steps up and holds)".to_owned()
        }
    })
}

/// USD per hour over published minutes: their requests and GB-seconds over their own length only.
pub fn minutes_usd_per_hour(minutes: &[&MinuteMetrics], profile: FunctionProfile, prices: &Prices) -> f64 {
    if minutes.is_empty() {
        return 0.0;
    }
    let usd: f64 = minutes
        .iter()
        .map(|m| usd(m.invocations.unwrap_or(0.0), m.duration_ms.unwrap_or(0.0), profile, prices))
        .sum();
    usd * 3600.0 / (minutes.len() as u64 * MINUTE_SECS) as f64
}

/// Requests plus GB-seconds; non-finite or negative figures cost nothing (bad data never acts).
pub(crate) fn usd(invocations: f64, duration_ms: f64, profile: FunctionProfile, prices: &Prices) -> f64 {
    let sane = |x: f64| if x.is_finite() && x > 0.0 { x } else { 0.0 };
    let per_gb_second = match profile.architecture {
        Architecture::X86_64 => prices.per_gb_second_x86,
        Architecture::Arm64 => prices.per_gb_second_arm,
    };
    let gb_seconds = sane(duration_ms) / 1000.0 * f64::from(profile.memory_mb) / 1024.0;
    sane(invocations) * prices.per_request + gb_seconds * per_gb_second
}

/// Mean invocations per published minute.
fn rate(minutes: &[&MinuteMetrics]) -> f64 {
    let total: f64 = minutes.iter().filter_map(|m| m.invocations).filter(|x| x.is_finite()).sum();
    total / minutes.len().max(1) as f64
}

/// The latest run of consecutive published minutes, at most `len` long, ending at `end` (exclusive).
pub(super) fn run<'a>(
    minutes: &[&'a MinuteMetrics],
    end: usize,
    len: usize,
) -> Option<Vec<&'a MinuteMetrics>> {
    let slice = minutes.get(end.checked_sub(len)?..end)?;
    let consecutive = slice.windows(2).all(|w| w[1].start.as_secs() == w[0].start.as_secs() + MINUTE_SECS);
    consecutive.then(|| slice.to_vec())
}

/// Reads one figure of a minute.
type Reader = fn(&MinuteMetrics) -> Option<f64>;

/// Invocations or peak concurrency compounding without a plateau: at least `growth_minutes`
/// consecutive rises, each at least [`SLOW_GROWTH_STEP`] (or the growth ratio, if lower), together
/// at least `growth_ratio ^ growth_minutes`. Three rises of 1.5x qualify at once; a loop adding 30 %
/// a hop (long calls, ×1.3 a minute) after five; an organic ramp of 10 % a minute never does. The
/// newest published minute may still be filling in, so a run ending one minute earlier counts too.
fn growth(published: &[&MinuteMetrics], t: &Baseline) -> Option<RunawayShape> {
    let step = SLOW_GROWTH_STEP.min(t.growth_ratio);
    let needed = t.growth_ratio.powf(f64::from(t.growth_minutes));
    let series: [(&'static str, Reader); 2] =
        [("invocations", |m| m.invocations), ("concurrency", |m| m.concurrency_max)];
    for end in [published.len(), published.len().saturating_sub(1)] {
        for (name, read) in series {
            let values = rising_run(&published[..end], read, step);
            let rises = values.len().saturating_sub(1);
            let total = match (values.first(), values.last()) {
                (Some(first), Some(last)) if *first >= 1.0 => last / first,
                _ => 0.0,
            };
            if rises >= t.growth_minutes as usize && total >= needed {
                return Some(RunawayShape::Growth { minutes: values, series: name });
            }
        }
    }
    None
}

/// The longest run of consecutive minutes ending at the last of `minutes` in which `read` rose by at
/// least `step` each minute from at least 1, oldest first.
fn rising_run(minutes: &[&MinuteMetrics], read: Reader, step: f64) -> Vec<f64> {
    let mut values: Vec<f64> = Vec::new();
    let mut next: Option<&MinuteMetrics> = None;
    for m in minutes.iter().rev() {
        let value = read(m).unwrap_or(0.0);
        if let Some(later) = next {
            let later_value = values.last().copied().unwrap_or(0.0);
            let consecutive = later.start.as_secs() == m.start.as_secs() + MINUTE_SECS;
            if !consecutive || value < 1.0 || later_value < step * value {
                break;
            }
        }
        values.push(value);
        next = Some(m);
    }
    values.reverse();
    values
}

#[cfg(test)]
mod tests;
