//! Metrics Insights alarms grouped by `FunctionName` (`SELECT SUM(metric) FROM SCHEMA("AWS/Lambda",
//! FunctionName) GROUP BY FunctionName ORDER BY SUM() DESC`, period 60): every function with data
//! is a contributor whose state is evaluated on its own datapoints, with the same period,
//! publication delay and M-of-N rule as a classic alarm. Each contributor state change is one
//! EventBridge `CloudWatch Alarm Contributor State Change` event; the module's rule forwards only
//! those into ALARM to the guard. A throttled function publishes no `Invocations`, so its contributor
//! goes back to OK (missing data is not breaching), which sends nothing the guard acts on.

use crate::signal::AlarmState;
use crate::time::Timestamp;

use super::model::Alarm;

/// Most series a Metrics Insights query returns (the largest, with `ORDER BY SUM() DESC`).
pub(crate) const MAX_SERIES: usize = 500;
/// Most contributors of one alarm in ALARM at once (CloudWatch's limit).
pub(crate) const MAX_IN_ALARM: usize = 100;

/// One contributor's state change.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ContributorChange {
    /// Index of the alarm in the model.
    pub alarm: usize,
    /// Index of the contributing function.
    pub function: usize,
    /// The contributor's new state.
    pub state: AlarmState,
    /// The datapoint that decided it (`None`: no datapoint, not breaching).
    pub value: Option<f64>,
    /// When the alarm evaluated.
    pub at: Timestamp,
}

/// Recent datapoints of one series, newest in bit 0 (1 = breaching), and the state they produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SeriesState {
    recent: u32,
    pub(crate) in_alarm: bool,
}

impl SeriesState {
    /// Adds one datapoint; returns the new state when it changed.
    pub(crate) fn push(&mut self, breach: bool, alarm: &Alarm) -> Option<bool> {
        let mask =
            if alarm.evaluation_periods >= 32 { u32::MAX } else { (1 << alarm.evaluation_periods) - 1 };
        self.recent = ((self.recent << 1) | u32::from(breach)) & mask;
        let in_alarm = self.recent.count_ones() >= alarm.datapoints;
        (in_alarm != self.in_alarm).then(|| {
            self.in_alarm = in_alarm;
            in_alarm
        })
    }
}

/// The query a per-function alarm runs (as the module writes it).
pub(crate) fn expression(alarm: &Alarm) -> String {
    let m = alarm.metric.as_str();
    format!(
        "SELECT SUM({m}) FROM SCHEMA(\"AWS/Lambda\", FunctionName) GROUP BY FunctionName ORDER BY SUM() DESC"
    )
}

/// CloudWatch's state reason for a contributor.
pub(crate) fn reason(alarm: &Alarm, value: Option<f64>) -> String {
    let op = alarm.comparison.symbol();
    match value {
        Some(v) => format!("contributor datapoint {v:.0} {op} threshold {:.0}", alarm.threshold),
        None => "contributor has no datapoint (not breaching)".to_owned(),
    }
}

/// Evaluates alarm `index` (a per-function one) on `values` (one datapoint per function, `None`
/// where the function published nothing), updating `states`; returns the contributor changes.
pub(crate) fn evaluate(
    index: usize,
    alarm: &Alarm,
    values: &[Option<f64>],
    states: &mut [SeriesState],
    at: Timestamp,
) -> Vec<ContributorChange> {
    // The query returns the largest series first and at most MAX_CONTRIBUTORS of them.
    let mut ranked: Vec<usize> = (0..values.len()).filter(|&f| values[f].is_some()).collect();
    ranked.sort_by(|&a, &b| values[b].partial_cmp(&values[a]).unwrap_or(std::cmp::Ordering::Equal));
    ranked.truncate(MAX_SERIES);
    let mut returned = vec![false; values.len()];
    ranked.iter().for_each(|&f| returned[f] = true);
    let mut in_alarm = states.iter().filter(|s| s.in_alarm).count();
    let mut changes = Vec::new();
    for (f, state) in states.iter_mut().enumerate() {
        let value = values[f].filter(|_| returned[f]);
        let full = !state.in_alarm && in_alarm >= MAX_IN_ALARM;
        let breach = !full && value.is_some_and(|v| alarm.comparison.breaches(v, alarm.threshold));
        if let Some(now_in_alarm) = state.push(breach, alarm) {
            in_alarm = if now_in_alarm { in_alarm + 1 } else { in_alarm - 1 };
            let state = if now_in_alarm { AlarmState::Alarm } else { AlarmState::Ok };
            changes.push(ContributorChange { alarm: index, function: f, state, value, at });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::scenario::{Comparison, LambdaMetric};

    fn alarm(threshold: f64, evaluation_periods: u32, datapoints: u32) -> Alarm {
        Alarm {
            name: "per-function".into(),
            metric: LambdaMetric::Invocations,
            function: None,
            per_function: true,
            comparison: Comparison::GreaterThanThreshold,
            threshold,
            evaluation_periods,
            datapoints,
        }
    }

    #[test]
    fn each_function_is_a_contributor_with_its_own_state() {
        let a = alarm(1_000.0, 1, 1);
        let mut states = vec![SeriesState::default(); 3];
        let at = Timestamp::from_secs(0);
        let changes = evaluate(0, &a, &[Some(5_000.0), Some(1_000.0), None], &mut states, at);
        assert_eq!(changes.len(), 1, "only the first is over (> 1,000, not >=)");
        assert_eq!((changes[0].function, changes[0].state), (0, AlarmState::Alarm));
        assert!(evaluate(0, &a, &[Some(6_000.0), Some(900.0), None], &mut states, at).is_empty());
        // Throttled: no datapoint at all, so the contributor goes back to OK.
        let changes = evaluate(0, &a, &[None, Some(900.0), None], &mut states, at);
        assert_eq!((changes[0].function, changes[0].state, changes[0].value), (0, AlarmState::Ok, None));
    }

    #[test]
    fn m_of_n_needs_enough_breaching_minutes() {
        let a = alarm(0.0, 3, 2);
        let mut s = SeriesState::default();
        assert_eq!(s.push(true, &a), None);
        assert_eq!(s.push(false, &a), None);
        assert_eq!(s.push(true, &a), Some(true), "2 of the last 3");
        assert_eq!(s.push(false, &a), Some(false), "1 of the last 3");
    }
}
