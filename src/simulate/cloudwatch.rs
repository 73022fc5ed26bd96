//! The simulated CloudWatch: per-minute Lambda metrics and the account's running bill, visible only
//! after the ingestion lag real metrics have, so alarms and offender searches see what AWS would show.

use std::sync::Arc;

use super::history::History;
use super::scenario::LambdaMetric;

/// Seconds after a minute ends before its datapoints can be read (standard Lambda metrics).
pub(crate) const METRIC_LAG_SECS: u64 = 60;

/// One function's metrics for one minute.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct FnMinute {
    pub invocations: u64,
    pub duration_ms: f64,
    pub throttles: u64,
    pub concurrency_max: u32,
    /// Events Lambda's recursive loop detection stopped on their way to the function.
    pub recursive_dropped: u64,
    /// Invocations that ended in an error: synchronous callers whose callee was refused (429),
    /// directly or further down their chain.
    pub errors: u64,
    /// Events that reached the function's async queue (`AsyncEventsReceived`): EventBridge, SNS,
    /// S3 and async invokes; not SQS or stream records (a poller invokes synchronously), not
    /// synchronous calls.
    pub async_events: u64,
}

impl FnMinute {
    /// The minute's datapoint of `metric` (Maximum for concurrency, Sum for counts).
    pub(crate) fn value(&self, metric: LambdaMetric) -> f64 {
        match metric {
            LambdaMetric::ConcurrentExecutions => f64::from(self.concurrency_max),
            LambdaMetric::Invocations => self.invocations as f64,
            LambdaMetric::Throttles => self.throttles as f64,
            LambdaMetric::RecursiveInvocationsDropped => self.recursive_dropped as f64,
            LambdaMetric::Duration => self.duration_ms,
        }
    }
}

/// One queue's `AWS/SQS` counts for one minute.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct QueueCounts {
    /// `NumberOfMessagesSent`: messages that reached the queue (a redelivery after the visibility
    /// timeout is not a send).
    pub sent: u64,
    /// `NumberOfMessagesDeleted`: messages its consumer took, counted when taken (Lambda deletes a
    /// batch when its invocation succeeds, and a simulated poller's invocations do not fail).
    pub deleted: u64,
}

/// Every function's and queue's metrics for one minute, plus account-wide figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Minute {
    pub functions: Vec<FnMinute>,
    pub queues: Vec<QueueCounts>,
    pub account_concurrency_max: u32,
    /// Account charges accrued since the start, at the end of the minute (USD).
    pub cumulative_usd: f64,
}

/// Closed minutes and the one being filled.
#[derive(Debug, Clone)]
pub(crate) struct CloudWatch {
    closed: Vec<Minute>,
    current: Minute,
    /// What was published before the run started.
    history: Arc<History>,
}

impl CloudWatch {
    /// Empty metrics for `functions` functions and `queues` queues.
    pub(crate) fn new(functions: usize, queues: usize) -> Self {
        let current = Minute {
            functions: vec![FnMinute::default(); functions],
            queues: vec![QueueCounts::default(); queues],
            ..Minute::default()
        };
        Self { closed: Vec::new(), current, history: Arc::default() }
    }

    /// Metrics with `history` before the run's first minute.
    pub(crate) fn with_history(functions: usize, queues: usize, history: Arc<History>) -> Self {
        Self { history, ..Self::new(functions, queues) }
    }

    /// Queue `q`'s counts for `minute` as published by `now_secs` (an active queue publishes
    /// zeros too); `None` before the run or before publication.
    pub(crate) fn queue_minute(&self, q: usize, minute: i64, now_secs: u64) -> Option<QueueCounts> {
        let index = usize::try_from(minute).ok()?;
        let published_at = (minute as u64 + 1) * 60 + METRIC_LAG_SECS;
        self.closed.get(index).filter(|_| published_at <= now_secs)?.queues.get(q).copied()
    }

    /// Records `n` messages sent to queue `q`.
    pub(crate) fn queue_sent(&mut self, q: usize, n: u64) {
        if let Some(c) = self.current.queues.get_mut(q) {
            c.sent += n;
        }
    }

    /// Records `n` messages of queue `q` taken by its consumer.
    pub(crate) fn queue_deleted(&mut self, q: usize, n: u64) {
        if let Some(c) = self.current.queues.get_mut(q) {
            c.deleted += n;
        }
    }

    /// `f`'s datapoints for `minute` (negative: before the run) as published by `now_secs`: `None`
    /// when CloudWatch has none (not yet published, the function idle or not yet deployed).
    pub(crate) fn fn_minute(&self, f: usize, minute: i64, now_secs: u64) -> Option<FnMinute> {
        let Ok(index) = usize::try_from(minute) else { return self.history.minute(f, minute) };
        let published_at = (minute as u64 + 1) * 60 + METRIC_LAG_SECS;
        let m = self.closed.get(index).filter(|_| published_at <= now_secs)?.functions.get(f).copied()?;
        (m != FnMinute::default()).then_some(m)
    }

    /// Records `n` invocations of `f` lasting `duration_ms` each, costing `usd` in total.
    pub(crate) fn invocations(&mut self, f: usize, n: u64, duration_ms: u32, usd: f64) {
        if let Some(m) = self.current.functions.get_mut(f) {
            m.invocations += n;
            m.duration_ms += n as f64 * f64::from(duration_ms);
        }
        self.current.cumulative_usd += usd;
    }

    /// Adds another service's charge to the account's bill.
    pub(crate) fn charge(&mut self, usd: f64) {
        self.current.cumulative_usd += usd;
    }

    /// Records what `n` synchronous callers of `f` waited for their callees, `wait_ms` each, costing
    /// `usd` in total: added to `Duration` (and the bill) without new invocations.
    pub(crate) fn waited(&mut self, f: usize, n: u64, wait_ms: u64, usd: f64) {
        if let Some(m) = self.current.functions.get_mut(f) {
            m.duration_ms += n as f64 * wait_ms as f64;
        }
        self.current.cumulative_usd += usd;
    }

    /// Records `n` invocations of `f` that ended in an error.
    pub(crate) fn errors(&mut self, f: usize, n: u64) {
        if let Some(m) = self.current.functions.get_mut(f) {
            m.errors += n;
        }
    }

    /// Records `n` events reaching `f`'s async queue.
    pub(crate) fn async_events(&mut self, f: usize, n: u64) {
        if let Some(m) = self.current.functions.get_mut(f) {
            m.async_events += n;
        }
    }

    /// Records `n` throttled invocation attempts of `f`.
    pub(crate) fn throttles(&mut self, f: usize, n: u64) {
        if let Some(m) = self.current.functions.get_mut(f) {
            m.throttles += n;
        }
    }

    /// Records `n` events Lambda's loop detection stopped on their way to `f`.
    pub(crate) fn recursive_dropped(&mut self, f: usize, n: u64) {
        if let Some(m) = self.current.functions.get_mut(f) {
            m.recursive_dropped += n;
        }
    }

    /// Records the concurrency observed in a tick.
    pub(crate) fn concurrency(&mut self, running: &[u32]) {
        for (m, &r) in self.current.functions.iter_mut().zip(running) {
            m.concurrency_max = m.concurrency_max.max(r);
        }
        let total: u32 = running.iter().sum();
        self.current.account_concurrency_max = self.current.account_concurrency_max.max(total);
    }

    /// Ends the current minute.
    pub(crate) fn close_minute(&mut self) {
        let next = Minute {
            functions: vec![FnMinute::default(); self.current.functions.len()],
            queues: vec![QueueCounts::default(); self.current.queues.len()],
            account_concurrency_max: 0,
            cumulative_usd: self.current.cumulative_usd,
        };
        self.closed.push(std::mem::replace(&mut self.current, next));
    }

    /// The datapoint an alarm reads for `minute`, if that minute is closed.
    pub(crate) fn datapoint(
        &self,
        metric: LambdaMetric,
        function: Option<usize>,
        minute: usize,
    ) -> Option<f64> {
        let m = self.closed.get(minute)?;
        Some(match (metric, function) {
            (LambdaMetric::ConcurrentExecutions, None) => f64::from(m.account_concurrency_max),
            (metric, None) => m.functions.iter().map(|f| f.value(metric)).sum(),
            (metric, Some(f)) => m.functions.get(f)?.value(metric),
        })
    }

    /// The datapoint of `metric` (one function's, or the account's) for `minute` before the run, from
    /// the history: the account's concurrency is the sum of its functions' peaks (an upper bound:
    /// the history keeps per-function minutes only).
    pub(crate) fn history_datapoint(
        &self,
        metric: LambdaMetric,
        function: Option<usize>,
        minute: i64,
    ) -> f64 {
        let value = |f: usize| self.history.minute(f, minute).map_or(0.0, |m| m.value(metric));
        match function {
            Some(f) => value(f),
            None => (0..self.current.functions.len()).map(value).sum(),
        }
    }

    /// The closed minutes, oldest first.
    pub(crate) fn closed(&self) -> &[Minute] {
        &self.closed
    }

    /// Account charges accrued by the end of the last closed minute at or before `secs`.
    pub(crate) fn charges_at(&self, secs: u64) -> f64 {
        let minutes = (secs / 60) as usize;
        match minutes.checked_sub(1).and_then(|i| self.closed.get(i)) {
            Some(m) => m.cumulative_usd,
            None if minutes == 0 => 0.0,
            None => self.closed.last().map_or(0.0, |m| m.cumulative_usd),
        }
    }

    /// Visible invocations and summed duration of `f` over the `window_secs` before `now_secs`.
    pub(crate) fn usage(&self, f: usize, window_secs: u64, now_secs: u64) -> (f64, f64) {
        let visible_end = (now_secs.saturating_sub(METRIC_LAG_SECS) / 60) as usize;
        let start = (now_secs.saturating_sub(window_secs) / 60) as usize;
        let end = visible_end.min(self.closed.len());
        self.closed
            .get(start.min(end)..end)
            .unwrap_or(&[])
            .iter()
            .filter_map(|m| m.functions.get(f))
            .fold((0.0, 0.0), |(inv, dur), m| (inv + m.invocations as f64, dur + m.duration_ms))
    }

    /// Whether `f` has visible invocations within the `window_secs` before `now_secs`.
    pub(crate) fn active(&self, f: usize, window_secs: u64, now_secs: u64) -> bool {
        self.usage(f, window_secs, now_secs).0 > 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_become_visible_after_the_lag() {
        let mut cw = CloudWatch::new(2, 0);
        cw.invocations(1, 100, 250, 1.5);
        cw.concurrency(&[3, 40]);
        cw.close_minute();
        cw.invocations(1, 50, 250, 0.5);
        cw.close_minute();
        // Minute 0 is visible from 120 s, minute 1 from 180 s.
        assert_eq!(cw.usage(1, 600, 119), (0.0, 0.0));
        assert_eq!(cw.usage(1, 600, 120), (100.0, 25_000.0));
        assert_eq!(cw.usage(1, 600, 180), (150.0, 37_500.0));
        assert_eq!(cw.usage(1, 120, 180), (50.0, 12_500.0));
        assert_eq!(cw.usage(1, 60, 180), (0.0, 0.0), "the last minute is not visible yet");
        assert_eq!(cw.datapoint(LambdaMetric::ConcurrentExecutions, None, 0), Some(43.0));
        assert_eq!(cw.datapoint(LambdaMetric::Invocations, Some(1), 1), Some(50.0));
        assert_eq!(cw.datapoint(LambdaMetric::Invocations, Some(1), 2), None);
        assert!((cw.charges_at(120) - 2.0).abs() < 1e-9);
        assert!((cw.charges_at(60) - 1.5).abs() < 1e-9);
        assert!(cw.active(1, 600, 200) && !cw.active(0, 600, 200));
    }
}
