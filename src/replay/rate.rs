//! How fast a replay sends events back, and how many it holds at once. The default is a small
//! fraction of the function's usual rate (the median hour of its CloudWatch history, which the
//! runaway's few hours do not move); without enough history (a new function, a local endpoint) it
//! is a fixed small number. Pure: the CLI reads the history and sleeps.

use std::time::Duration;

use serde::Serialize;

use crate::ports::{HourMetrics, MetricsWindow};
use crate::time::Timestamp;

/// Events per second without enough history to size the rate (stated in `replay --help`).
pub const FALLBACK_PER_SEC: f64 = 1.0;
/// The share of the usual rate a default replay uses.
pub const USUAL_SHARE: f64 = 0.1;
/// The slowest default (one event every ten seconds), for functions that are usually quiet.
pub const MIN_DEFAULT_PER_SEC: f64 = 0.1;
/// The fastest default, whatever the history.
pub const MAX_DEFAULT_PER_SEC: f64 = 50.0;
/// The fastest `--rate` accepted.
pub const MAX_PER_SEC: f64 = 500.0;
/// Days of hourly history read to find the usual rate.
pub const HISTORY_DAYS: u32 = 7;
/// Hours with data needed before the history is taken as usual.
pub const MIN_HISTORY_HOURS: usize = 24;
/// Longest a batch of messages is held invisible in the queue: a run killed outright leaves them
/// hidden at most this long (plus [`HOLD_MARGIN_SECS`]) before a rerun sees them again.
pub const HOLD_SECS: f64 = 300.0;
/// Slack on each hold, for the calls around the invokes.
pub const HOLD_MARGIN_SECS: u64 = 120;
/// Most messages held at once.
pub const MAX_BATCH: usize = 500;

/// The rate a replay runs at, and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rate {
    /// Events per second.
    pub per_sec: f64,
    /// Where the figure came from.
    pub source: RateSource,
    /// The function's usual rate (events per second), when the history gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usual_per_sec: Option<f64>,
}

/// Where a replay's rate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RateSource {
    /// `--rate`.
    Flag,
    /// [`USUAL_SHARE`] of the usual rate in CloudWatch.
    Metrics,
    /// [`FALLBACK_PER_SEC`]: not enough history.
    Fallback,
}

/// Checks `--rate`: a positive number of events per second up to [`MAX_PER_SEC`].
pub fn from_flag(per_sec: f64) -> Result<Rate, String> {
    if per_sec.is_finite() && per_sec > 0.0 && per_sec <= MAX_PER_SEC {
        Ok(Rate { per_sec, source: RateSource::Flag, usual_per_sec: None })
    } else {
        Err(format!("--rate {per_sec}: give events per second, above 0 and at most {MAX_PER_SEC}"))
    }
}

/// The CloudWatch read the default rate is sized from: [`HISTORY_DAYS`] of hourly history up to `now`.
pub fn history_window(now: Timestamp) -> MetricsWindow {
    MetricsWindow { now, recent_minutes: 1, history_days: HISTORY_DAYS }
}

/// The default rate from the function's hourly history (hours with an `Invocations` datapoint).
pub fn from_history(history: &[HourMetrics]) -> Rate {
    let mut hours: Vec<f64> = history.iter().map(|h| h.invocations).filter(|n| n.is_finite()).collect();
    if hours.len() < MIN_HISTORY_HOURS {
        return fallback();
    }
    hours.sort_by(f64::total_cmp);
    let usual = hours[hours.len() / 2] / 3600.0;
    let per_sec = (usual * USUAL_SHARE).clamp(MIN_DEFAULT_PER_SEC, MAX_DEFAULT_PER_SEC);
    Rate { per_sec, source: RateSource::Metrics, usual_per_sec: Some(usual) }
}

/// [`FALLBACK_PER_SEC`].
pub fn fallback() -> Rate {
    Rate { per_sec: FALLBACK_PER_SEC, source: RateSource::Fallback, usual_per_sec: None }
}

impl Rate {
    /// When the `n`th event of a batch (from 0) is due, after the batch's start.
    pub fn due(&self, n: usize) -> Duration {
        Duration::from_secs_f64(n as f64 / self.per_sec)
    }

    /// How many messages one batch holds: what the rate sends within [`HOLD_SECS`], 1 to [`MAX_BATCH`].
    pub fn batch_size(&self) -> usize {
        ((self.per_sec * HOLD_SECS) as usize).clamp(1, MAX_BATCH)
    }

    /// How long to hold `count` messages invisible while they are sent at this rate.
    pub fn hold_secs(&self, count: usize) -> u64 {
        self.due(count).as_secs() + HOLD_MARGIN_SECS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Timestamp;

    fn hours(per_hour: &[f64]) -> Vec<HourMetrics> {
        per_hour
            .iter()
            .enumerate()
            .map(|(i, n)| HourMetrics {
                start: Timestamp::from_secs(i as u64 * 3600),
                invocations: *n,
                ..Default::default()
            })
            .collect()
    }

    #[test]
    fn default_is_a_share_of_the_median_hour_so_the_runaway_does_not_move_it() {
        let mut usual = vec![36_000.0; 30];
        usual.extend([9_000_000.0; 3]);
        let rate = from_history(&hours(&usual));
        assert_eq!(rate.source, RateSource::Metrics);
        assert_eq!(rate.usual_per_sec, Some(10.0));
        assert!((rate.per_sec - 1.0).abs() < 1e-9, "{rate:?}");
    }

    #[test]
    fn too_little_history_gives_the_fixed_fallback_and_bounds_hold() {
        assert_eq!(from_history(&hours(&[1000.0; 23])), fallback());
        assert_eq!(from_history(&[]).per_sec, FALLBACK_PER_SEC);
        assert_eq!(from_history(&hours(&[1.0; 48])).per_sec, MIN_DEFAULT_PER_SEC);
        assert_eq!(from_history(&hours(&[1e9; 48])).per_sec, MAX_DEFAULT_PER_SEC);
    }

    #[test]
    fn flag_is_checked_and_pacing_follows_the_rate() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, MAX_PER_SEC + 1.0] {
            assert!(from_flag(bad).is_err(), "{bad}");
        }
        let rate = from_flag(4.0).unwrap();
        assert_eq!(rate.due(0), Duration::ZERO);
        assert_eq!(rate.due(6), Duration::from_millis(1500));
        assert_eq!(rate.batch_size(), 500);
        assert_eq!(from_flag(0.5).unwrap().batch_size(), 150);
        assert_eq!(from_flag(0.001).unwrap().batch_size(), 1);
        assert_eq!(rate.hold_secs(8), 2 + HOLD_MARGIN_SECS);
    }
}
