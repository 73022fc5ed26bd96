//! Domain types of the [`Metrics`](super::Metrics) port's per-function reads: each candidate's
//! recent published minutes and its hourly history with each hour's peak minute (what
//! `detect::baseline` judges), and the
//! contributors of a multi-time-series alarm now in ALARM (what the sweep re-judges).

use serde::Serialize;

use crate::arn::FunctionArn;
use crate::name::{FunctionName, QueueName};
use crate::time::Timestamp;

/// Seconds in a CloudWatch minute bucket.
pub const MINUTE_SECS: u64 = 60;
/// Seconds in one history bucket.
pub const HOUR_SECS: u64 = 3_600;

/// Which stretch of metrics a per-function read covers, in whole minutes and hours (CloudWatch
/// buckets by period from the query's start: unaligned times split minutes and read partial ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MetricsWindow {
    /// The moment of the read. The recent minutes end at the start of `now`'s minute; the history
    /// ends at the start of `now`'s hour.
    pub now: Timestamp,
    /// How many whole minutes before `now`'s minute are read per minute.
    pub recent_minutes: u32,
    /// How many days of hourly history are read.
    pub history_days: u32,
}

impl MetricsWindow {
    /// `[start, end)` of the recent minutes, in seconds, minute-aligned.
    pub fn recent_range(&self) -> (u64, u64) {
        let end = self.now.as_secs() / MINUTE_SECS * MINUTE_SECS;
        (end.saturating_sub(u64::from(self.recent_minutes) * MINUTE_SECS), end)
    }

    /// `[start, end)` of the history, in seconds, hour-aligned.
    pub fn history_range(&self) -> (u64, u64) {
        let end = self.now.as_secs() / HOUR_SECS * HOUR_SECS;
        (end.saturating_sub(u64::from(self.history_days) * 24 * HOUR_SECS), end)
    }
}

/// One minute of one function as CloudWatch has published it. Each figure is `None` when
/// CloudWatch has no datapoint for it (not published yet, or nothing happened).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct MinuteMetrics {
    /// Start of the minute (minute-aligned).
    pub start: Timestamp,
    /// `Invocations` Sum.
    pub invocations: Option<f64>,
    /// `Duration` Sum, milliseconds.
    pub duration_ms: Option<f64>,
    /// `ConcurrentExecutions` Maximum.
    pub concurrency_max: Option<f64>,
    /// `Throttles` Sum.
    pub throttles: Option<f64>,
    /// `RecursiveInvocationsDropped` Sum (the metric exists only for functions that dropped one).
    pub recursion_dropped: Option<f64>,
    /// `Errors` Sum: invocations that ended in a function error (published with the invocations).
    pub errors: Option<f64>,
    /// `AsyncEventsReceived` Sum: events queued for an asynchronous invocation (published only in
    /// minutes that received one, so in a published minute `None` means none).
    pub async_events: Option<f64>,
}

/// One hour of a function's history.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct HourMetrics {
    /// Start of the hour (hour-aligned).
    pub start: Timestamp,
    /// `Invocations` Sum over the hour.
    pub invocations: f64,
    /// `Duration` Sum over the hour, milliseconds.
    pub duration_ms: f64,
    /// `ConcurrentExecutions` Maximum over the hour: its busiest minute's peak concurrency (the
    /// Maximum statistic survives CloudWatch's roll-up to 5-minute and 1-hour data, so it is exact
    /// for the whole 455 days). `None` when CloudWatch has no datapoint for it.
    pub concurrency_max: Option<f64>,
}

/// Everything the judgement reads about one function.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionMetrics {
    /// The function.
    pub function: FunctionName,
    /// Minutes of [`MetricsWindow::recent_range`] with at least one datapoint, oldest first.
    pub recent: Vec<MinuteMetrics>,
    /// Hours of [`MetricsWindow::history_range`] with an `Invocations` datapoint, oldest first.
    pub history: Vec<HourMetrics>,
}

/// One minute of an SQS queue as CloudWatch publishes it (`AWS/SQS` by `QueueName`, which only SQS
/// itself writes). `None`: no datapoint for that minute.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct QueueMinute {
    /// Start of the minute (minute-aligned).
    pub start: Timestamp,
    /// `NumberOfMessagesSent` Sum: messages added to the queue.
    pub sent: Option<f64>,
    /// `NumberOfMessagesDeleted` Sum: messages its consumers handled and deleted.
    pub deleted: Option<f64>,
}

/// One queue's recent minutes (the same [`MetricsWindow::recent_range`] as the functions').
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueFlow {
    /// The queue's name.
    pub queue: QueueName,
    /// Minutes with at least one datapoint, oldest first.
    pub minutes: Vec<QueueMinute>,
}

/// A contributor (one time series) of a multi-time-series alarm, as `DescribeAlarmContributors`
/// lists it: only contributors now in ALARM are listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlarmContributor {
    /// CloudWatch's id of the contributor.
    pub id: String,
    /// The `FunctionName` attribute, when present and a valid function name or function ARN.
    pub function: Option<FunctionName>,
    /// The attribute's ARN, when it is one: the function lies in that account and region, which
    /// must be the guard's own before the function is judged.
    pub function_arn: Option<FunctionArn>,
    /// Every attribute `(name, value)`.
    pub attributes: Vec<(String, String)>,
    /// CloudWatch's state reason.
    pub reason: Option<String>,
    /// When it went to ALARM.
    pub since: Option<Timestamp>,
}
