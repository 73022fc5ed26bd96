//! [`CloudWatchMetrics`]: the offender search's view of CloudWatch behind [`Metrics`]: which Lambda
//! functions were recently invoked (ListMetrics) and how much each ran over a window (GetMetricData
//! with MetricStat queries, ≤500 per call, NextToken pages).
//!
//! Protocol pin: `aws-sdk-cloudwatch` is held at `=1.99.0` in Cargo.toml. From 1.100 the crate speaks
//! Smithy RPC v2 CBOR, which moto 5.2.5 (the local AWS every integration test runs against) cannot
//! parse; 1.99 speaks awsQuery, which real CloudWatch still accepts. The cost is missing newer
//! CloudWatch operations (none used here) and manual bumps; revisit when moto speaks CBOR.

use std::collections::BTreeSet;

use aws_config::SdkConfig;
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::operation::describe_alarm_contributors::DescribeAlarmContributorsOutput;
use aws_sdk_cloudwatch::types::{
    Dimension, DimensionFilter, Metric, MetricDataQuery, MetricDataResult, MetricStat, RecentlyActive,
};
use aws_smithy_types::DateTime;

mod contributors;
mod parked;
mod queues;
mod series;

pub use parked::ParkedSince;

use super::error::port_error;
use crate::name::FunctionName;
use crate::ports::{AlarmContributor, FunctionMetrics, Metrics, MetricsWindow, PortError, UsageSample};
use crate::time::Timestamp;

/// GetMetricData accepts at most 500 queries per call; each function needs two.
pub(super) const MAX_QUERIES_PER_CALL: usize = 500;
const FUNCTIONS_PER_CALL: usize = MAX_QUERIES_PER_CALL / 2;
const _: () = assert!(FUNCTIONS_PER_CALL * 2 <= MAX_QUERIES_PER_CALL);
pub(super) const NAMESPACE: &str = "AWS/Lambda";
pub(super) const FUNCTION_DIMENSION: &str = "FunctionName";

/// The CloudWatch adapter.
#[derive(Debug, Clone)]
pub struct CloudWatchMetrics {
    client: Client,
}

impl CloudWatchMetrics {
    /// Builds the adapter from the shared SDK configuration.
    pub fn new(config: &SdkConfig) -> Self {
        Self { client: Client::new(config) }
    }

    /// Wraps an existing client.
    pub fn from_client(client: Client) -> Self {
        Self { client }
    }

    /// GetMetricData over `[start, end)` seconds with its NextToken pages: every result of every
    /// page. Every CloudWatch call lives in this file, where the IAM ⇔ adapter test finds it.
    pub(super) async fn metric_data(
        &self,
        queries: Vec<MetricDataQuery>,
        (start, end): (i64, i64),
    ) -> Result<Vec<MetricDataResult>, PortError> {
        let mut pages = self
            .client
            .get_metric_data()
            .set_metric_data_queries(Some(queries))
            .start_time(DateTime::from_secs(start))
            .end_time(DateTime::from_secs(end))
            .into_paginator()
            .send();
        let mut results = Vec::new();
        while let Some(page) =
            pages.try_next().await.map_err(|e| port_error("GetMetricData", NAMESPACE, e))?
        {
            results.extend(page.metric_data_results.unwrap_or_default());
        }
        Ok(results)
    }

    /// One DescribeAlarmContributors page of `alarm`.
    async fn contributors_page(
        &self,
        alarm: &str,
        token: Option<String>,
    ) -> Result<DescribeAlarmContributorsOutput, PortError> {
        self.client
            .describe_alarm_contributors()
            .alarm_name(alarm)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| port_error("DescribeAlarmContributors", alarm, e))
    }

    /// One GetMetricData call (with its pages) for at most [`FUNCTIONS_PER_CALL`] functions.
    async fn usage_batch(
        &self,
        batch: &[FunctionName],
        window: Window,
    ) -> Result<Vec<UsageSample>, PortError> {
        let queries = batch
            .iter()
            .enumerate()
            .flat_map(|(i, f)| {
                [
                    query(Series::Invocations, i, f, window.period),
                    query(Series::Duration, i, f, window.period),
                ]
            })
            .collect();
        let mut sums = vec![(0.0_f64, 0.0_f64); batch.len()];
        // Minutes with an `Invocations` datapoint: the usage is spread over these only, since
        // CloudWatch publishes each minute one to three minutes after it ends.
        let mut published = vec![BTreeSet::new(); batch.len()];
        for result in self.metric_data(queries, (window.start_secs, window.end_secs)).await? {
            let Some((series, i)) = result.id().and_then(parse_query_id) else { continue };
            let (Some(slot), Some(minutes)) = (sums.get_mut(i), published.get_mut(i)) else { continue };
            let total: f64 = result.values().iter().filter(|v| v.is_finite()).sum();
            match series {
                Series::Invocations => {
                    slot.0 += total;
                    minutes.extend(result.timestamps().iter().map(DateTime::secs));
                }
                Series::Duration => slot.1 += total,
            }
        }
        Ok(batch
            .iter()
            .zip(sums.into_iter().zip(published))
            .map(|(f, ((invocations, duration_ms_sum), minutes))| UsageSample {
                function: f.clone(),
                invocations,
                duration_ms_sum,
                window_secs: minutes.len() as u64 * MINUTE,
            })
            .collect())
    }
}

impl Metrics for CloudWatchMetrics {
    async fn active_functions(&self) -> Result<Vec<FunctionName>, PortError> {
        let mut pages = self
            .client
            .list_metrics()
            .namespace(NAMESPACE)
            .metric_name("Invocations")
            .dimensions(DimensionFilter::builder().name(FUNCTION_DIMENSION).build())
            .recently_active(RecentlyActive::Pt3H)
            .into_paginator()
            .send();
        let mut names = BTreeSet::new();
        while let Some(page) = pages.try_next().await.map_err(|e| port_error("ListMetrics", NAMESPACE, e))? {
            names.extend(page.metrics().iter().filter_map(function_of));
        }
        Ok(names.into_iter().collect())
    }

    async fn usage(
        &self,
        functions: &[FunctionName],
        window_secs: u64,
        now: Timestamp,
    ) -> Result<Vec<UsageSample>, PortError> {
        let window = Window::ending_at(now, window_secs);
        let mut samples = Vec::with_capacity(functions.len());
        for batch in functions.chunks(FUNCTIONS_PER_CALL) {
            samples.extend(self.usage_batch(batch, window).await?);
        }
        Ok(samples)
    }

    async fn function_metrics(
        &self,
        functions: &[FunctionName],
        window: MetricsWindow,
    ) -> Result<Vec<FunctionMetrics>, PortError> {
        self.read_function_metrics(functions, window).await
    }

    async fn queue_flows(
        &self,
        queues: &[crate::name::QueueName],
        window: MetricsWindow,
    ) -> Result<Vec<crate::ports::QueueFlow>, PortError> {
        self.read_queue_flows(queues, window).await
    }

    async fn alarm_contributors(&self, alarm: &str) -> Result<Vec<AlarmContributor>, PortError> {
        self.read_alarm_contributors(alarm).await
    }

    async fn alarm_watches_recursion(&self, alarm: &str) -> Result<bool, PortError> {
        self.read_alarm_watches_recursion(alarm).await
    }
}

/// The whole-function series (only a `FunctionName` dimension): per-alias, per-version and
/// `ExecutedVersion` series would count the same invocations twice.
fn function_of(metric: &Metric) -> Option<FunctionName> {
    match metric.dimensions() {
        [d] if d.name() == Some(FUNCTION_DIMENSION) => d.value().and_then(|v| FunctionName::new(v).ok()),
        _ => None,
    }
}

/// Seconds per usage bucket: CloudWatch's smallest standard-resolution period.
const MINUTE: u64 = 60;

/// The query window: `window_secs` rounded up to whole minutes, ending at the start of `now`'s
/// minute, read per minute (an unaligned window would split minutes and read partial ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    start_secs: i64,
    end_secs: i64,
    period: i32,
}

impl Window {
    fn ending_at(now: Timestamp, window_secs: u64) -> Self {
        let minutes = window_secs.div_ceil(MINUTE).clamp(1, 24 * 60);
        let end = now.as_secs() / MINUTE * MINUTE;
        let end_secs = i64::try_from(end).unwrap_or(i64::MAX);
        Self { start_secs: end_secs - (minutes * MINUTE) as i64, end_secs, period: MINUTE as i32 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Series {
    Invocations,
    Duration,
}

/// Query ids must start with a lowercase letter: `i<k>` / `d<k>` for the k-th function of the batch.
fn query_id(series: Series, index: usize) -> String {
    match series {
        Series::Invocations => format!("i{index}"),
        Series::Duration => format!("d{index}"),
    }
}

fn parse_query_id(id: &str) -> Option<(Series, usize)> {
    let series = match id.as_bytes().first()? {
        b'i' => Series::Invocations,
        b'd' => Series::Duration,
        _ => return None,
    };
    Some((series, id[1..].parse().ok()?))
}

fn query(series: Series, index: usize, function: &FunctionName, period: i32) -> MetricDataQuery {
    let metric_name = match series {
        Series::Invocations => "Invocations",
        Series::Duration => "Duration",
    };
    let metric = Metric::builder()
        .namespace(NAMESPACE)
        .metric_name(metric_name)
        .dimensions(Dimension::builder().name(FUNCTION_DIMENSION).value(function.as_str()).build())
        .build();
    MetricDataQuery::builder()
        .id(query_id(series, index))
        .metric_stat(MetricStat::builder().metric(metric).period(period).stat("Sum").build())
        .return_data(true)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_ids_round_trip() {
        for (series, i) in [(Series::Invocations, 0), (Series::Duration, 249)] {
            assert_eq!(parse_query_id(&query_id(series, i)), Some((series, i)));
        }
        assert_eq!(parse_query_id("x1"), None);
        assert_eq!(parse_query_id("i"), None);
    }

    #[test]
    fn window_is_whole_minutes_ending_at_the_minute() {
        let w = Window::ending_at(Timestamp::from_secs(10_000), 90);
        assert_eq!((w.period, w.end_secs, w.start_secs), (60, 9_960, 9_840));
        let w = Window::ending_at(Timestamp::from_secs(10_000), 0);
        assert_eq!((w.period, w.start_secs), (60, 9_900));
    }

    #[test]
    fn only_whole_function_series_count() {
        let dim = |n: &str, v: &str| Dimension::builder().name(n).value(v).build();
        let whole = Metric::builder().dimensions(dim("FunctionName", "orders")).build();
        let alias = Metric::builder()
            .dimensions(dim("FunctionName", "orders"))
            .dimensions(dim("Resource", "orders:live"))
            .build();
        assert_eq!(function_of(&whole).map(|f| f.to_string()), Some("orders".into()));
        assert_eq!(function_of(&alias), None);
    }
}
