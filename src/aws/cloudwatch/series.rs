//! The judgement's reads: every candidate's recent published minutes and hourly history, with all
//! candidates in the same GetMetricData request (≤500 MetricStat queries per request, NextToken
//! pages). GetMetricData applies one time range to every query of a request, so the minutes
//! (period 60 over the recent minutes) and the history (period 3600 over days) are two requests,
//! each covering every candidate; both ranges are minute- or hour-aligned so no bucket is partial.
//! The history reads `ConcurrentExecutions` Maximum per hour besides the sums: its busiest minute,
//! which CloudWatch keeps exact in its 5-minute and 1-hour roll-ups.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};

use super::{CloudWatchMetrics, FUNCTION_DIMENSION, MAX_QUERIES_PER_CALL, NAMESPACE};
use crate::name::FunctionName;
use crate::ports::{
    FunctionMetrics, HOUR_SECS, HourMetrics, MINUTE_SECS, MetricsWindow, MinuteMetrics, PortError,
};
use crate::time::Timestamp;

/// One series the judgement reads: its query-id letter, metric and statistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Series {
    Invocations,
    Duration,
    Concurrency,
    Throttles,
    RecursionDropped,
    Errors,
    AsyncEvents,
}

impl Series {
    const RECENT: [Series; 7] = [
        Series::Invocations,
        Series::Duration,
        Series::Concurrency,
        Series::Throttles,
        Series::RecursionDropped,
        Series::Errors,
        Series::AsyncEvents,
    ];
    const HISTORY: [Series; 3] = [Series::Invocations, Series::Duration, Series::Concurrency];

    fn letter(self) -> char {
        match self {
            Series::Invocations => 'i',
            Series::Duration => 'd',
            Series::Concurrency => 'c',
            Series::Throttles => 't',
            Series::RecursionDropped => 'r',
            Series::Errors => 'e',
            Series::AsyncEvents => 'a',
        }
    }

    fn metric_and_stat(self) -> (&'static str, &'static str) {
        match self {
            Series::Invocations => ("Invocations", "Sum"),
            Series::Duration => ("Duration", "Sum"),
            Series::Concurrency => ("ConcurrentExecutions", "Maximum"),
            Series::Throttles => ("Throttles", "Sum"),
            Series::RecursionDropped => ("RecursiveInvocationsDropped", "Sum"),
            Series::Errors => ("Errors", "Sum"),
            Series::AsyncEvents => ("AsyncEventsReceived", "Sum"),
        }
    }
}

/// `m<letter><k>` (minutes) / `h<letter><k>` (hours) for the k-th function of a request: ids must
/// start with a lowercase letter.
pub(super) fn series_id(hourly: bool, series: Series, index: usize) -> String {
    format!("{}{}{index}", if hourly { 'h' } else { 'm' }, series.letter())
}

pub(super) fn parse_series_id(id: &str) -> Option<(bool, Series, usize)> {
    let mut chars = id.chars();
    let hourly = match chars.next()? {
        'h' => true,
        'm' => false,
        _ => return None,
    };
    let letter = chars.next()?;
    let series = Series::RECENT.into_iter().find(|s| s.letter() == letter)?;
    Some((hourly, series, id.get(2..)?.parse().ok()?))
}

fn series_query(hourly: bool, series: Series, index: usize, function: &FunctionName) -> MetricDataQuery {
    let (name, stat) = series.metric_and_stat();
    let metric = Metric::builder()
        .namespace(NAMESPACE)
        .metric_name(name)
        .dimensions(Dimension::builder().name(FUNCTION_DIMENSION).value(function.as_str()).build())
        .build();
    let period = if hourly { HOUR_SECS } else { MINUTE_SECS } as i32;
    MetricDataQuery::builder()
        .id(series_id(hourly, series, index))
        .metric_stat(MetricStat::builder().metric(metric).period(period).stat(stat).build())
        .return_data(true)
        .build()
}

/// Per function of one request: minute start → figures, hour start → figures.
type Minutes = Vec<BTreeMap<u64, MinuteMetrics>>;
type Hours = Vec<BTreeMap<u64, HourMetrics>>;

impl CloudWatchMetrics {
    /// Reads [`FunctionMetrics`] for every function, [`MAX_QUERIES_PER_CALL`] queries per request.
    pub(super) async fn read_function_metrics(
        &self,
        functions: &[FunctionName],
        window: MetricsWindow,
    ) -> Result<Vec<FunctionMetrics>, PortError> {
        let mut minutes: Minutes = vec![BTreeMap::new(); functions.len()];
        let mut hours: Hours = vec![BTreeMap::new(); functions.len()];
        let recent_per_call = MAX_QUERIES_PER_CALL / Series::RECENT.len();
        for (chunk, batch) in functions.chunks(recent_per_call).enumerate() {
            let base = chunk * recent_per_call;
            let queries = batch
                .iter()
                .enumerate()
                .flat_map(|(i, f)| Series::RECENT.into_iter().map(move |s| series_query(false, s, i, f)));
            let (start, end) = window.recent_range();
            self.each_value(queries.collect(), (start, end), |hourly, series, i, at, value| {
                if let (false, Some(slot)) = (hourly, minutes.get_mut(base + i)) {
                    record_minute(slot, series, at, value);
                }
            })
            .await?;
        }
        let history_per_call = MAX_QUERIES_PER_CALL / Series::HISTORY.len();
        for (chunk, batch) in functions.chunks(history_per_call).enumerate() {
            let base = chunk * history_per_call;
            let queries = batch
                .iter()
                .enumerate()
                .flat_map(|(i, f)| Series::HISTORY.into_iter().map(move |s| series_query(true, s, i, f)));
            self.each_value(queries.collect(), window.history_range(), |hourly, series, i, at, value| {
                if let (true, Some(slot)) = (hourly, hours.get_mut(base + i)) {
                    record_hour(slot, series, at, value);
                }
            })
            .await?;
        }
        Ok(functions
            .iter()
            .zip(minutes.into_iter().zip(hours))
            .map(|(function, (minutes, hours))| FunctionMetrics {
                function: function.clone(),
                recent: minutes.into_values().collect(),
                history: hours.into_values().filter(|h| h.invocations > 0.0).collect(),
            })
            .collect())
    }

    /// One GetMetricData request with its pages; `each` sees every `(hourly, series, index, time, value)`.
    async fn each_value(
        &self,
        queries: Vec<MetricDataQuery>,
        (start, end): (u64, u64),
        mut each: impl FnMut(bool, Series, usize, u64, f64),
    ) -> Result<(), PortError> {
        if queries.is_empty() || end <= start {
            return Ok(());
        }
        let secs = |s: u64| i64::try_from(s).unwrap_or(i64::MAX);
        for result in self.metric_data(queries, (secs(start), secs(end))).await? {
            let Some((hourly, series, index)) = result.id().and_then(parse_series_id) else { continue };
            for (at, value) in result.timestamps().iter().zip(result.values()) {
                let Ok(at) = u64::try_from(at.secs()) else { continue };
                if value.is_finite() && *value >= 0.0 {
                    each(hourly, series, index, at, *value);
                }
            }
        }
        Ok(())
    }
}

fn record_minute(slot: &mut BTreeMap<u64, MinuteMetrics>, series: Series, at: u64, value: f64) {
    let start = at / MINUTE_SECS * MINUTE_SECS;
    let minute = slot
        .entry(start)
        .or_insert_with(|| MinuteMetrics { start: Timestamp::from_secs(start), ..MinuteMetrics::default() });
    let field = match series {
        Series::Invocations => &mut minute.invocations,
        Series::Duration => &mut minute.duration_ms,
        Series::Concurrency => &mut minute.concurrency_max,
        Series::Throttles => &mut minute.throttles,
        Series::RecursionDropped => &mut minute.recursion_dropped,
        Series::Errors => &mut minute.errors,
        Series::AsyncEvents => &mut minute.async_events,
    };
    *field = Some(match (series, *field) {
        (Series::Concurrency, Some(old)) => old.max(value),
        (_, Some(old)) => old + value,
        (_, None) => value,
    });
}

fn record_hour(slot: &mut BTreeMap<u64, HourMetrics>, series: Series, at: u64, value: f64) {
    let start = at / HOUR_SECS * HOUR_SECS;
    let hour = slot
        .entry(start)
        .or_insert_with(|| HourMetrics { start: Timestamp::from_secs(start), ..HourMetrics::default() });
    match series {
        Series::Invocations => hour.invocations += value,
        Series::Duration => hour.duration_ms += value,
        Series::Concurrency => {
            hour.concurrency_max = Some(hour.concurrency_max.map_or(value, |c| c.max(value)))
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_ids_round_trip_and_fit_every_request() {
        for hourly in [false, true] {
            for series in Series::RECENT {
                for index in [0, 99, 249] {
                    assert_eq!(
                        parse_series_id(&series_id(hourly, series, index)),
                        Some((hourly, series, index))
                    );
                }
            }
        }
        assert_eq!(parse_series_id("mx1"), None);
        assert_eq!(parse_series_id("i1"), None);
        assert_eq!(parse_series_id("mi"), None);
        const { assert!(MAX_QUERIES_PER_CALL / Series::RECENT.len() * Series::RECENT.len() <= 500) };
    }

    #[test]
    fn minutes_sum_and_concurrency_keeps_the_peak() {
        let mut slot = BTreeMap::new();
        record_minute(&mut slot, Series::Invocations, 120, 5.0);
        record_minute(&mut slot, Series::Invocations, 150, 2.0);
        record_minute(&mut slot, Series::Concurrency, 120, 7.0);
        record_minute(&mut slot, Series::Concurrency, 130, 3.0);
        let minute = slot[&120];
        assert_eq!(
            (minute.invocations, minute.concurrency_max, minute.throttles),
            (Some(7.0), Some(7.0), None)
        );
    }
}
