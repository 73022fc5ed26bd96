//! The `Metrics` port on the simulated CloudWatch: what `GetMetricData`, `ListMetrics` and
//! `DescribeAlarmContributors` would answer at the guard's virtual now. Minutes are published after
//! the ingestion lag; before the run starts each function's history is the baseline's (`history`).

use crate::name::{FunctionName, QueueName};
use crate::ports::{
    AlarmContributor, FunctionMetrics, HOUR_SECS, HourMetrics, MINUTE_SECS, Metrics, MetricsWindow,
    MinuteMetrics, PortError, QueueFlow, QueueMinute, UsageSample,
};
use crate::time::Timestamp;

use super::cloudwatch::FnMinute;
use super::ports::{EPOCH_SECS, Shared, SimMetrics};

impl Metrics for SimMetrics {
    async fn active_functions(&self) -> Result<Vec<FunctionName>, PortError> {
        let shared = self.0.lock();
        let now = shared.now.as_secs().saturating_sub(EPOCH_SECS);
        Ok((0..shared.functions.len())
            .filter(|&i| shared.cloudwatch.active(i, 3_600, now))
            .map(|i| shared.functions[i].func.name.clone())
            .collect())
    }

    async fn usage(
        &self,
        functions: &[FunctionName],
        window_secs: u64,
        now: Timestamp,
    ) -> Result<Vec<UsageSample>, PortError> {
        let shared = self.0.lock();
        let now = now.as_secs().saturating_sub(EPOCH_SECS);
        Ok(functions
            .iter()
            .filter_map(|f| shared.functions.iter().position(|c| &c.func.name == f))
            .map(|i| {
                let (invocations, duration_ms_sum) = shared.cloudwatch.usage(i, window_secs, now);
                UsageSample {
                    function: shared.functions[i].func.name.clone(),
                    invocations,
                    duration_ms_sum,
                    window_secs,
                }
            })
            .collect())
    }

    async fn function_metrics(
        &self,
        functions: &[FunctionName],
        window: MetricsWindow,
    ) -> Result<Vec<FunctionMetrics>, PortError> {
        let shared = self.0.lock();
        Ok(functions
            .iter()
            .map(|f| match shared.functions.iter().position(|c| &c.func.name == f) {
                Some(i) => shared.function_metrics(i, window),
                None => FunctionMetrics { function: f.clone(), recent: Vec::new(), history: Vec::new() },
            })
            .collect())
    }

    async fn queue_flows(
        &self,
        queues: &[QueueName],
        window: MetricsWindow,
    ) -> Result<Vec<QueueFlow>, PortError> {
        let shared = self.0.lock();
        let now = window.now.as_secs().saturating_sub(EPOCH_SECS);
        let (start, end) = window.recent_range();
        Ok(queues
            .iter()
            .filter_map(|name| shared.queues.iter().position(|(q, _)| q == name).map(|i| (name, i)))
            .map(|(name, i)| QueueFlow {
                queue: name.clone(),
                minutes: (start..end)
                    .step_by(MINUTE_SECS as usize)
                    .filter_map(|secs| {
                        let c = shared.cloudwatch.queue_minute(i, virtual_minute(secs), now)?;
                        Some(QueueMinute {
                            start: Timestamp::from_secs(secs),
                            sent: Some(c.sent as f64),
                            deleted: Some(c.deleted as f64),
                        })
                    })
                    .collect(),
            })
            .collect())
    }

    async fn alarm_contributors(&self, alarm: &str) -> Result<Vec<AlarmContributor>, PortError> {
        let shared = self.0.lock();
        Ok(shared
            .contributors
            .iter()
            .filter(|c| c.alarm == alarm)
            .map(|c| {
                let name = shared.functions[c.function].func.name.clone();
                AlarmContributor {
                    id: contributor_id(&c.alarm, c.function),
                    attributes: vec![("FunctionName".to_owned(), name.to_string())],
                    function: Some(name),
                    function_arn: None,
                    reason: Some(c.reason.clone()),
                    since: Some(c.since),
                }
            })
            .collect())
    }
}

/// A stable contributor id (CloudWatch's are opaque hashes of the attributes).
pub(crate) fn contributor_id(alarm: &str, function: usize) -> String {
    format!("{alarm}-contributor-{function:04}")
}

impl Shared {
    /// What CloudWatch would show now for function `i`: its published minutes in the recent range
    /// and its hourly sums and peak concurrency over the history range (the baseline's days before
    /// the run).
    pub(super) fn function_metrics(&self, i: usize, window: MetricsWindow) -> FunctionMetrics {
        let now = window.now.as_secs().saturating_sub(EPOCH_SECS);
        let minute = |secs: u64| self.cloudwatch.fn_minute(i, virtual_minute(secs), now);
        let (start, end) = window.recent_range();
        let recent = (start..end)
            .step_by(MINUTE_SECS as usize)
            .filter_map(|secs| minute(secs).map(|m| published(secs, m)))
            .collect();
        let (start, end) = window.history_range();
        let history = (start..end)
            .step_by(HOUR_SECS as usize)
            .filter_map(|hour| {
                let minutes = (hour..hour + HOUR_SECS).step_by(MINUTE_SECS as usize);
                let (invocations, duration_ms, peak) =
                    minutes.filter_map(minute).fold((0.0, 0.0, 0u32), |(n, d, c), m| {
                        (n + m.invocations as f64, d + m.duration_ms, c.max(m.concurrency_max))
                    });
                (invocations > 0.0).then(|| HourMetrics {
                    start: Timestamp::from_secs(hour),
                    invocations,
                    duration_ms,
                    concurrency_max: Some(f64::from(peak)),
                })
            })
            .collect();
        FunctionMetrics { function: self.functions[i].func.name.clone(), recent, history }
    }
}

/// Minutes since virtual time zero (negative before the run).
fn virtual_minute(secs: u64) -> i64 {
    (secs as i64 - EPOCH_SECS as i64).div_euclid(MINUTE_SECS as i64)
}

/// The datapoints Lambda publishes for a minute: invocation metrics (`Errors` among them, 0
/// included) when it ran, `Throttles` when anything was throttled, `RecursiveInvocationsDropped`
/// and `AsyncEventsReceived` only when something was dropped or received.
fn published(start: u64, m: FnMinute) -> MinuteMetrics {
    let ran = m.invocations > 0;
    let when = |cond: bool, v: f64| cond.then_some(v);
    MinuteMetrics {
        start: Timestamp::from_secs(start),
        invocations: when(ran, m.invocations as f64),
        duration_ms: when(ran, m.duration_ms),
        concurrency_max: when(ran || m.concurrency_max > 0, f64::from(m.concurrency_max)),
        throttles: when(ran || m.throttles > 0, m.throttles as f64),
        recursion_dropped: when(m.recursive_dropped > 0, m.recursive_dropped as f64),
        // A caller's error is recorded when its wait ends, which can be after its last start.
        errors: when(ran || m.errors > 0, m.errors as f64),
        async_events: when(m.async_events > 0, m.async_events as f64),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use futures::executor::block_on;

    use super::*;
    use crate::simulate::cloudwatch::Minute;
    use crate::simulate::engine::tests::two_function_model;
    use crate::simulate::history::History;
    use crate::simulate::ports::Account;

    /// A baseline in which function 0 ran 60 times a minute, function 1 never.
    fn account() -> (Account, SimMetrics) {
        let model = two_function_model(None);
        let minute = Minute {
            functions: vec![
                FnMinute {
                    invocations: 60,
                    duration_ms: 12_000.0,
                    concurrency_max: 1,
                    ..FnMinute::default()
                },
                FnMinute::default(),
            ],
            ..Minute::default()
        };
        let history = History::new(vec![minute; 1_440], vec![None, None]);
        let account = Account::new(&model, Arc::new(history));
        (account.clone(), SimMetrics(account))
    }

    #[test]
    fn history_reads_the_days_before_the_run_by_the_hour() {
        let (_, metrics) = account();
        let names = [FunctionName::new("loop").unwrap(), FunctionName::new("other").unwrap()];
        let window =
            MetricsWindow { now: Timestamp::from_secs(EPOCH_SECS + 90), recent_minutes: 10, history_days: 7 };
        let got = block_on(metrics.function_metrics(&names, window)).unwrap();
        assert_eq!(got[0].history.len(), 7 * 24);
        assert!(got[0].history.iter().all(|h| h.invocations == 3_600.0 && h.duration_ms == 720_000.0));
        assert_eq!(got[0].history.last().unwrap().start, Timestamp::from_secs(EPOCH_SECS - 3_600));
        assert!(got[1].history.is_empty(), "a function that never ran has no datapoints");
        // The recent range reaches back before the run: those minutes are history too.
        assert_eq!(got[0].recent.len(), 9, "minute 0 of the run is not published yet at 90 s");
        assert_eq!(got[0].recent[0].invocations, Some(60.0));
        assert_eq!(got[0].recent[0].recursion_dropped, None);
    }

    #[test]
    fn the_run_is_published_after_the_lag_and_contributors_are_listed() {
        let (account, metrics) = account();
        {
            let mut shared = account.lock();
            shared.cloudwatch.invocations(1, 30, 100, 0.0);
            shared.cloudwatch.recursive_dropped(1, 4);
            shared.cloudwatch.close_minute();
            shared.contributors.push(super::super::ports::InAlarm {
                alarm: "a".into(),
                function: 1,
                since: Timestamp::from_secs(EPOCH_SECS + 130),
                reason: "r".into(),
            });
        }
        let names = [FunctionName::new("other").unwrap()];
        let at = |secs| MetricsWindow {
            now: Timestamp::from_secs(EPOCH_SECS + secs),
            recent_minutes: 2,
            history_days: 0,
        };
        assert!(block_on(metrics.function_metrics(&names, at(119))).unwrap()[0].recent.is_empty());
        let got = block_on(metrics.function_metrics(&names, at(120))).unwrap();
        assert_eq!(
            (got[0].recent[0].invocations, got[0].recent[0].recursion_dropped),
            (Some(30.0), Some(4.0))
        );
        assert_eq!(
            (got[0].recent[0].errors, got[0].recent[0].async_events),
            (Some(0.0), None),
            "Errors with the invocations, AsyncEventsReceived only when one was received"
        );
        let listed = block_on(metrics.alarm_contributors("a")).unwrap();
        assert_eq!(listed[0].function.as_ref().map(|f| f.as_str()), Some("other"));
        assert!(block_on(metrics.alarm_contributors("b")).unwrap().is_empty());
    }
}
