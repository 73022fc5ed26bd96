//! Each function's metric history before the run starts: the scenario's organic traffic without its
//! incident, on the days before. It is the baseline run's own per-minute metrics (same scenario,
//! same seed, no incident, no guard), repeated day after day by time of day, so "this time of day
//! on earlier days" reads what the scenario's normal traffic does then. Minutes of the day a
//! shorter scenario does not cover repeat its last hour (traffic as it stands at the horizon). A
//! function deployed `deployed_before_secs` before the start has no datapoints before then.

use super::cloudwatch::{FnMinute, Minute};

/// Minutes in a day.
const MINUTES_PER_DAY: i64 = 1_440;
/// How much of the end of a short scenario stands in for the minutes of the day it does not cover.
const TAIL_MINUTES: usize = 60;

/// The baseline's minutes, replayed before the run.
#[derive(Debug, Clone, Default)]
pub(crate) struct History {
    baseline: Vec<Minute>,
    deployed_before_secs: Vec<Option<u64>>,
}

impl History {
    /// History from the baseline run's closed minutes and each function's deployment time.
    pub(crate) fn new(baseline: Vec<Minute>, deployed_before_secs: Vec<Option<u64>>) -> Self {
        Self { baseline, deployed_before_secs }
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
        let m = self.baseline[index].functions.get(f).copied()?;
        // CloudWatch stores no datapoint for a function that did nothing in a minute.
        (m != FnMinute::default()).then_some(m)
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
    fn nothing_before_deployment_and_no_datapoint_for_an_idle_minute() {
        let h = History::new(vec![minute(5), minute(0)], vec![Some(3_600)]);
        assert_eq!(h.minute(0, -60).map(|m| m.invocations), Some(5), "minute 1,380 of the day → 0");
        assert!(h.minute(0, -61).is_none(), "deployed an hour before the start");
        assert!(h.minute(0, -1).is_none(), "minute 1,439 of the day → 1, which was idle");
        let idle = History::new(vec![minute(0)], vec![None]);
        assert!(idle.minute(0, -MINUTES_PER_DAY).is_none());
    }
}
