//! Each function's metric history before the run starts: the scenario's organic traffic without its
//! incident, on the days before. It is the baseline run's own per-minute metrics (same scenario,
//! same seed, no incident, no guard), repeated day after day by time of day, so "this time of day
//! on earlier days" reads what the scenario's normal traffic does then. Minutes of the day a
//! shorter scenario does not cover repeat its last hour (traffic as it stands at the horizon). A
//! function deployed `deployed_before_secs` before the start has no datapoints before then. A
//! function with a `history_calendar` did the baseline's work only on the days it names (by the
//! date of virtual time, which starts at midnight UTC 2026-11-20, a Friday) and a share of it on
//! the others. Every figure is the baseline's, `Errors` and `AsyncEventsReceived` included (its
//! async arrivals and its failed synchronous calls).

use super::cloudwatch::{FnMinute, Minute};
use super::ports::EPOCH_SECS;
use super::scenario::HistoryCalendar;
use crate::time::Timestamp;

/// Minutes in a day.
const MINUTES_PER_DAY: i64 = 1_440;
/// How much of the end of a short scenario stands in for the minutes of the day it does not cover.
const TAIL_MINUTES: usize = 60;

/// The baseline's minutes, replayed before the run.
#[derive(Debug, Clone, Default)]
pub(crate) struct History {
    baseline: Vec<Minute>,
    deployed_before_secs: Vec<Option<u64>>,
    calendars: Vec<Option<HistoryCalendar>>,
}

impl History {
    /// History from the baseline run's closed minutes and each function's deployment time.
    pub(crate) fn new(baseline: Vec<Minute>, deployed_before_secs: Vec<Option<u64>>) -> Self {
        Self { baseline, deployed_before_secs, calendars: Vec::new() }
    }

    /// The same history with each function's calendar (by function index).
    pub(crate) fn with_calendars(self, calendars: Vec<Option<HistoryCalendar>>) -> Self {
        Self { calendars, ..self }
    }

    /// The share of the baseline `f` did on the day of `minute` (< 0).
    fn scale(&self, f: usize, minute: i64) -> f64 {
        let Some(Some(c)) = self.calendars.get(f) else { return 1.0 };
        let secs = (EPOCH_SECS as i64 + minute * 60).max(0) as u64;
        let day = Timestamp::from_secs(secs);
        let like = c.days_of_month.contains(&day.date().2) || c.weekdays.contains(&day.weekday());
        if like { 1.0 } else { c.other_days_scale }
    }

    /// `f`'s metrics for `minute` (< 0: minutes before the run starts), if it had data then.
    pub(crate) fn minute(&self, f: usize, minute: i64) -> Option<FnMinute> {
        if minute >= 0 || self.baseline.is_empty() {
            return None;
        }
        let deployed = self.deployed_before_secs.get(f).copied().flatten();
        if deployed.is_some_and(|d| minute.unsigned_abs().saturating_mul(60) > d) {
            return None;
        }
        let of_day = minute.rem_euclid(MINUTES_PER_DAY) as usize;
        let len = self.baseline.len();
        let index = if of_day < len {
            of_day
        } else {
            let span = TAIL_MINUTES.min(len);
            let base = len - span;
            base + (of_day - base) % span
        };
        let m = scaled(self.baseline[index].functions.get(f).copied()?, self.scale(f, minute));
        // CloudWatch stores no datapoint for a function that did nothing in a minute.
        (m != FnMinute::default()).then_some(m)
    }
}

/// `m` with its counts and peak scaled by `k` (a day with `k` times the baseline's work).
fn scaled(m: FnMinute, k: f64) -> FnMinute {
    if k == 1.0 {
        return m;
    }
    let count = |n: u64| (n as f64 * k).round() as u64;
    let invocations = count(m.invocations);
    FnMinute {
        invocations,
        duration_ms: if invocations == 0 { 0.0 } else { m.duration_ms * k },
        throttles: count(m.throttles),
        concurrency_max: if invocations == 0 { 0 } else { (f64::from(m.concurrency_max) * k).ceil() as u32 },
        recursive_dropped: count(m.recursive_dropped),
        errors: count(m.errors),
        async_events: count(m.async_events),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minute(invocations: u64) -> Minute {
        Minute { functions: vec![FnMinute { invocations, ..FnMinute::default() }], ..Minute::default() }
    }

    #[test]
    fn earlier_days_repeat_the_baseline_by_time_of_day() {
        // A two-hour baseline: minute i has i + 1 invocations.
        let h = History::new((0..120).map(|i| minute(i + 1)).collect(), vec![None]);
        let inv = |m: i64| h.minute(0, m).map(|m| m.invocations);
        assert_eq!(inv(0), None, "the run itself is not history");
        assert_eq!(inv(-MINUTES_PER_DAY), Some(1), "same time yesterday");
        assert_eq!(inv(-MINUTES_PER_DAY + 5), Some(6));
        assert_eq!(inv(-7 * MINUTES_PER_DAY + 119), Some(120));
        // Minute 120 of the day is past the horizon: the last hour repeats (minute 60 → 61).
        assert_eq!(inv(-MINUTES_PER_DAY + 120), Some(61));
        assert_eq!(inv(-1), Some(60 + (1_439 - 60) % 60 + 1));
    }

    #[test]
    fn a_calendar_scales_the_days_it_does_not_name() {
        // Virtual time zero is Friday 2026-11-20: the 20th of last month was a Tuesday.
        let calendar = HistoryCalendar { days_of_month: vec![20], weekdays: vec![], other_days_scale: 0.1 };
        let h = History::new(vec![minute(100); 1_440], vec![None]).with_calendars(vec![Some(calendar)]);
        let inv = |days_ago: i64| h.minute(0, -days_ago * MINUTES_PER_DAY).map(|m| m.invocations);
        assert_eq!((inv(1), inv(7)), (Some(10), Some(10)));
        assert_eq!(inv(31), Some(100), "2026-10-20");
        let mondays = HistoryCalendar { days_of_month: vec![], weekdays: vec![0], other_days_scale: 0.0 };
        let h = History::new(vec![minute(100); 1_440], vec![None]).with_calendars(vec![Some(mondays)]);
        assert_eq!(h.minute(0, -4 * MINUTES_PER_DAY).map(|m| m.invocations), Some(100), "Monday 16th");
        assert!(h.minute(0, -MINUTES_PER_DAY).is_none(), "no work on Thursday: no datapoint");
    }

    #[test]
    fn nothing_before_deployment_and_no_datapoint_for_an_idle_minute() {
        let h = History::new(vec![minute(5), minute(0)], vec![Some(3_600)]);
        assert_eq!(h.minute(0, -60).map(|m| m.invocations), Some(5), "minute 1,380 of the day → 0");
        assert!(h.minute(0, -61).is_none(), "deployed an hour before the start");
        assert!(h.minute(0, -1).is_none(), "minute 1,439 of the day → 1, which was idle");
        let idle = History::new(vec![minute(0)], vec![None]);
        assert!(idle.minute(0, -MINUTES_PER_DAY).is_none());
    }
}
