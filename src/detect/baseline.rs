//! The judgement every metric-driven path shares (contributor events, the offender search, the
//! sweep): has this function left its own normal the way runaways do? Pure: CloudWatch series in,
//! [`Judgement`] out; the handler reads the series (one request for every candidate) and acts.
//!
//! A function is a runaway when Lambda's own loop detection dropped its events
//! (`RecursiveInvocationsDropped`) and its estimated spend over the published minutes is at least
//! the recursion floor, or when that spend is at least the cost floor and it runs at least `surge_factor` times its usual rate and cost at this time of day (any
//! rate, when it has no history) *and* it is growing minute over minute without a plateau or is
//! pinned at its concurrency ceiling with throttles, or it runs `extreme_factor` times its usual
//! rate and cost, whatever its shape. A function as busy as it always is, however
//! expensive, is never one. Thresholds and defaults: docs/detection-metrics.md.

use serde::Serialize;

use super::cost::FunctionProfile;
use crate::config::{Baseline, Prices};
use crate::ports::{Architecture, FunctionMetrics, HOUR_SECS, HourMetrics, MINUTE_SECS, MinuteMetrics};
use crate::time::Timestamp;
use crate::verdict::RunawayShape;

/// Published minutes the spend rate and the current rate are averaged over (the latest ones).
pub const RATE_MINUTES: usize = 3;
/// History hours this close to now's hour of day (either side) are "this time of day".
pub const TIME_OF_DAY_SLACK_HOURS: u64 = 1;
/// Only history at least this old is a baseline: younger hours may hold the incident itself.
pub const MIN_BASELINE_AGE_SECS: u64 = 20 * HOUR_SECS;
/// Concurrency at or above this share of the reserved ceiling counts as pinned.
pub const CEILING_SHARE: f64 = 0.9;

/// What the judgement knows about the function besides its metrics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Subject {
    /// Memory and architecture, for pricing.
    pub profile: FunctionProfile,
    /// Reserved concurrency (its ceiling), when one is set and not 0.
    pub ceiling: Option<u32>,
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
    if recursion {
        let times_normal =
            usual(&metrics.history, subject.profile, prices, now).map(|u| rate(latest) / u.per_minute);
        return Judgement::Runaway { shape: RunawayShape::Recursion { dropped }, usd_per_hour, times_normal };
    }
    let times_normal = match usual(&metrics.history, subject.profile, prices, now) {
        None => None,
        Some(usual) => {
            let times = rate(latest) / usual.per_minute;
            if times < t.surge_factor || usd_per_hour < t.surge_factor * usual.usd_per_hour {
                let why = format!(
                    "busy as usual: {times:.1}x its usual rate and ${usd_per_hour:.2}/h against ${:.2}/h at this \
                     time of day (a runaway needs {:.0}x both)",
                    usual.usd_per_hour, t.surge_factor
                );
                return Judgement::Normal { usd_per_hour, why };
            }
            if times >= t.extreme_factor && usd_per_hour >= t.extreme_factor * usual.usd_per_hour {
                let shape = RunawayShape::Surge { times_normal: times };
                return Judgement::Runaway { shape, usd_per_hour, times_normal: Some(times) };
            }
            Some(times)
        }
    };
    if let Some(shape) = growth(&published, t).or_else(|| saturation(&published, subject.ceiling, t)) {
        return Judgement::Runaway { shape, usd_per_hour, times_normal };
    }
    let why = match times_normal {
        Some(times) => format!("{times:.0}x its usual rate but neither growing nor pinned at its ceiling"),
        None => "no history, and neither growing nor pinned at its ceiling".to_owned(),
    };
    Judgement::Normal { usd_per_hour, why }
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
fn usd(invocations: f64, duration_ms: f64, profile: FunctionProfile, prices: &Prices) -> f64 {
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

/// The function's busiest hour at this time of day on previous days.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Usual {
    per_minute: f64,
    usd_per_hour: f64,
}

fn usual(
    history: &[HourMetrics],
    profile: FunctionProfile,
    prices: &Prices,
    now: Timestamp,
) -> Option<Usual> {
    let now_secs = now.as_secs();
    let hour_of_day = |secs: u64| (secs / HOUR_SECS) % 24;
    let near = |secs: u64| {
        let d = hour_of_day(secs).abs_diff(hour_of_day(now_secs));
        d.min(24 - d) <= TIME_OF_DAY_SLACK_HOURS
    };
    history
        .iter()
        .filter(|h| h.start.as_secs() + MIN_BASELINE_AGE_SECS <= now_secs && near(h.start.as_secs()))
        .filter(|h| h.invocations.is_finite() && h.invocations > 0.0)
        .map(|h| Usual {
            per_minute: h.invocations / 60.0,
            usd_per_hour: usd(h.invocations, h.duration_ms, profile, prices),
        })
        .reduce(|a, b| Usual {
            per_minute: a.per_minute.max(b.per_minute),
            usd_per_hour: a.usd_per_hour.max(b.usd_per_hour),
        })
}

/// The latest run of consecutive published minutes, at most `len` long, ending at `end` (exclusive).
fn run<'a>(minutes: &[&'a MinuteMetrics], end: usize, len: usize) -> Option<Vec<&'a MinuteMetrics>> {
    let slice = minutes.get(end.checked_sub(len)?..end)?;
    let consecutive = slice.windows(2).all(|w| w[1].start.as_secs() == w[0].start.as_secs() + MINUTE_SECS);
    consecutive.then(|| slice.to_vec())
}

/// Reads one figure of a minute.
type Reader = fn(&MinuteMetrics) -> Option<f64>;

/// Invocations or peak concurrency rising by at least the ratio in each of `growth_minutes`
/// consecutive minutes. The newest published minute may still be filling in, so a run ending one
/// minute earlier counts too.
fn growth(published: &[&MinuteMetrics], t: &Baseline) -> Option<RunawayShape> {
    let len = t.growth_minutes as usize + 1;
    let series: [(&'static str, Reader); 2] =
        [("invocations", |m| m.invocations), ("concurrency", |m| m.concurrency_max)];
    for end in [published.len(), published.len().saturating_sub(1)] {
        let Some(minutes) = run(published, end, len) else { continue };
        for (name, read) in series {
            let values: Vec<f64> = minutes.iter().map(|m| read(m).unwrap_or(0.0)).collect();
            let rising = values.windows(2).all(|w| w[0] >= 1.0 && w[1] >= t.growth_ratio * w[0]);
            if rising {
                return Some(RunawayShape::Growth { minutes: values, series: name });
            }
        }
    }
    None
}

/// Throttled in each of `saturation_minutes` consecutive minutes while at the ceiling: 90% of the
/// reserved concurrency, or (no reservation: the account's limit, unknown here) a flat top within
/// 10% of the run's peak.
fn saturation(published: &[&MinuteMetrics], ceiling: Option<u32>, t: &Baseline) -> Option<RunawayShape> {
    let minutes = run(published, published.len(), t.saturation_minutes as usize)?;
    let peak = minutes.iter().filter_map(|m| m.concurrency_max).fold(0.0_f64, f64::max);
    let floor = match ceiling {
        Some(ceiling) => CEILING_SHARE * f64::from(ceiling),
        None => CEILING_SHARE * peak,
    };
    let pinned = peak >= 1.0
        && minutes
            .iter()
            .all(|m| m.throttles.unwrap_or(0.0) > 0.0 && m.concurrency_max.unwrap_or(0.0) >= floor);
    pinned.then(|| RunawayShape::Saturation {
        concurrency: peak,
        throttles: minutes.iter().filter_map(|m| m.throttles).sum(),
        minutes: t.saturation_minutes,
    })
}

#[cfg(test)]
mod tests;
