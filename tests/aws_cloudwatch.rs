//! `CloudWatchMetrics` against moto: the offender search's and the judgement's inputs. Metric data
//! is put into moto through the SDK, then `active_functions` and `usage` must pick the spiking
//! function out of quiet ones, and `function_metrics` must return each candidate's published
//! minutes and hourly history.
#![cfg(feature = "guard")]

use crate::common::Moto;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_smithy_types::DateTime;
use runaway_guard::aws::CloudWatchMetrics;
use runaway_guard::name::{FunctionName, QueueName};
use runaway_guard::ports::{Metrics, MetricsWindow};
use runaway_guard::time::Timestamp;

fn name(s: &str) -> FunctionName {
    FunctionName::new(s).unwrap()
}

fn datum(metric: &str, dims: &[(&str, &str)], value: f64, at: Timestamp, unit: StandardUnit) -> MetricDatum {
    let mut d = MetricDatum::builder()
        .metric_name(metric)
        .value(value)
        .unit(unit)
        .timestamp(DateTime::from_millis(at.as_millis() as i64));
    for (k, v) in dims {
        d = d.dimensions(Dimension::builder().name(*k).value(*v).build());
    }
    d.build()
}

/// Puts `invocations` and `duration_ms` for `function` (whole-function series) at `at`.
async fn put_usage(moto: &Moto, function: &str, invocations: f64, duration_ms: f64, at: Timestamp) {
    let dims = [("FunctionName", function)];
    aws_sdk_cloudwatch::Client::new(&moto.config)
        .put_metric_data()
        .namespace("AWS/Lambda")
        .metric_data(datum("Invocations", &dims, invocations, at, StandardUnit::Count))
        .metric_data(datum("Duration", &dims, duration_ms, at, StandardUnit::Milliseconds))
        .send()
        .await
        .expect("put metric data");
}

#[tokio::test]
async fn usage_picks_the_spiking_function_out_of_quiet_ones() {
    let moto = Moto::start().await;
    let now = Timestamp::now();
    let a_minute_ago = now - std::time::Duration::from_secs(60);
    for quiet in ["billing", "orders", "search"] {
        put_usage(&moto, quiet, 5.0, 250.0, a_minute_ago).await;
    }
    put_usage(&moto, "loop-worker", 40_000.0, 8_000_000.0, a_minute_ago).await;
    put_usage(&moto, "loop-worker", 60_000.0, 12_000_000.0, now - std::time::Duration::from_secs(120)).await;
    // Outside the 10-minute window: must not count.
    put_usage(&moto, "orders", 99_999.0, 1.0, now - std::time::Duration::from_secs(3600)).await;

    let metrics = CloudWatchMetrics::new(&moto.config);
    let active = metrics.active_functions().await.unwrap();
    let names: Vec<&str> = active.iter().map(FunctionName::as_str).collect();
    assert_eq!(names, ["billing", "loop-worker", "orders", "search"]);

    let samples = metrics.usage(&active, 600, now).await.unwrap();
    assert_eq!(samples.len(), 4);
    let top = samples.iter().max_by(|a, b| a.invocations.total_cmp(&b.invocations)).unwrap();
    assert_eq!(top.function.as_str(), "loop-worker");
    // Two published minutes: the usage is a rate over those, not over the ten asked for.
    assert_eq!((top.invocations, top.duration_ms_sum, top.window_secs), (100_000.0, 20_000_000.0, 120));
    let orders = samples.iter().find(|s| s.function.as_str() == "orders").unwrap();
    assert_eq!((orders.invocations, orders.duration_ms_sum), (5.0, 250.0));
}

#[tokio::test]
async fn alias_and_version_series_are_not_counted_as_functions() {
    let moto = Moto::start().await;
    let at = Timestamp::now() - std::time::Duration::from_secs(60);
    put_usage(&moto, "orders", 3.0, 30.0, at).await;
    aws_sdk_cloudwatch::Client::new(&moto.config)
        .put_metric_data()
        .namespace("AWS/Lambda")
        .metric_data(datum(
            "Invocations",
            &[("FunctionName", "aliased"), ("Resource", "aliased:live")],
            7.0,
            at,
            StandardUnit::Count,
        ))
        .metric_data(datum("Errors", &[("FunctionName", "errors-only")], 1.0, at, StandardUnit::Count))
        .send()
        .await
        .unwrap();
    let active = CloudWatchMetrics::new(&moto.config).active_functions().await.unwrap();
    assert_eq!(active, [name("orders")]);
}

#[tokio::test]
async fn more_functions_than_one_call_allows_are_batched() {
    let moto = Moto::start().await;
    let now = Timestamp::now();
    let at = now - std::time::Duration::from_secs(60);
    // 260 functions → 520 queries → two GetMetricData calls (≤500 each).
    let functions: Vec<FunctionName> = (0..260).map(|i| name(&format!("fn-{i:03}"))).collect();
    put_usage(&moto, "fn-003", 11.0, 110.0, at).await;
    put_usage(&moto, "fn-257", 22.0, 220.0, at).await;
    let samples = CloudWatchMetrics::new(&moto.config).usage(&functions, 300, now).await.unwrap();
    assert_eq!(samples.len(), 260);
    let seen: Vec<(&str, f64)> = samples
        .iter()
        .filter(|s| s.invocations > 0.0)
        .map(|s| (s.function.as_str(), s.invocations))
        .collect();
    assert_eq!(seen, [("fn-003", 11.0), ("fn-257", 22.0)]);
    let published: Vec<u64> = samples.iter().filter(|s| s.invocations > 0.0).map(|s| s.window_secs).collect();
    assert_eq!(published, [60, 60]);
    assert!(samples.iter().filter(|s| s.invocations == 0.0).all(|s| s.window_secs == 0));
}

/// `(seconds before the minute, invocations, peak concurrency, throttles, recursion drops)`.
type Row = (u64, Option<f64>, Option<f64>, Option<f64>, Option<f64>);

/// Puts one datum of `metric` for `function` at `at`.
async fn put(moto: &Moto, function: &str, metric: &str, value: f64, at: Timestamp) {
    let unit = if metric == "Duration" { StandardUnit::Milliseconds } else { StandardUnit::Count };
    aws_sdk_cloudwatch::Client::new(&moto.config)
        .put_metric_data()
        .namespace("AWS/Lambda")
        .metric_data(datum(metric, &[("FunctionName", function)], value, at, unit))
        .send()
        .await
        .expect("put metric data");
}

#[tokio::test]
async fn function_metrics_reads_published_minutes_and_hourly_history_in_one_request_each() {
    let moto = Moto::start().await;
    let now = Timestamp::now();
    let minute = now.as_secs() / 60 * 60;
    let at = |secs_before_minute: u64| Timestamp::from_secs(minute - secs_before_minute);
    // Recent minutes of "loop": rising, pinned, throttled, with drops reported by Lambda.
    for (i, calls) in [1000.0, 2000.0, 4000.0].into_iter().enumerate() {
        let t = at(180 - 60 * i as u64) + std::time::Duration::from_secs(5);
        put(&moto, "loop", "Invocations", calls, t).await;
        put(&moto, "loop", "Duration", calls * 100.0, t).await;
        put(&moto, "loop", "ConcurrentExecutions", 100.0 * (i + 1) as f64, t).await;
        put(&moto, "loop", "Throttles", 7.0, t).await;
    }
    put(&moto, "loop", "RecursiveInvocationsDropped", 3.0, at(60)).await;
    // Errors and async events, which tell a synchronous recursion from a launch.
    put(&moto, "loop", "Errors", 11.0, at(120)).await;
    put(&moto, "loop", "AsyncEventsReceived", 40.0, at(180)).await;
    // Two datapoints in one minute sum; concurrency keeps the peak.
    put(&moto, "loop", "ConcurrentExecutions", 50.0, at(60) + std::time::Duration::from_secs(30)).await;
    // History of "steady": two days ago and yesterday, two datapoints in one hour.
    let hour = now.as_secs() / 3600 * 3600;
    for days in [1, 2] {
        let start = hour - days * 86_400;
        for (offset, concurrency) in [(60, 4.0), (1800, 9.0)] {
            put(&moto, "steady", "Invocations", 500.0, Timestamp::from_secs(start + offset)).await;
            put(&moto, "steady", "Duration", 5_000.0, Timestamp::from_secs(start + offset)).await;
            put(&moto, "steady", "ConcurrentExecutions", concurrency, Timestamp::from_secs(start + offset))
                .await;
        }
    }
    // Outside both windows: must not appear.
    put(&moto, "steady", "Invocations", 1e9, Timestamp::from_secs(hour - 9 * 86_400)).await;

    let window = MetricsWindow { now, recent_minutes: 10, history_days: 7 };
    let read = CloudWatchMetrics::new(&moto.config)
        .function_metrics(&[name("loop"), name("steady"), name("absent")], window)
        .await
        .unwrap();
    let names: Vec<&str> = read.iter().map(|m| m.function.as_str()).collect();
    assert_eq!(names, ["loop", "steady", "absent"]);
    let loop_minutes: Vec<Row> = read[0]
        .recent
        .iter()
        .map(|m| {
            (minute - m.start.as_secs(), m.invocations, m.concurrency_max, m.throttles, m.recursion_dropped)
        })
        .collect();
    assert_eq!(
        loop_minutes,
        [
            (180, Some(1000.0), Some(100.0), Some(7.0), None),
            (120, Some(2000.0), Some(200.0), Some(7.0), None),
            (60, Some(4000.0), Some(300.0), Some(7.0), Some(3.0)),
        ]
    );
    assert_eq!(read[0].recent[2].duration_ms, Some(400_000.0));
    let errors_and_async: Vec<(Option<f64>, Option<f64>)> =
        read[0].recent.iter().map(|m| (m.errors, m.async_events)).collect();
    assert_eq!(errors_and_async, [(None, Some(40.0)), (Some(11.0), None), (None, None)]);
    assert!(read[0].history.iter().all(|h| h.start.as_secs() % 3600 == 0));
    let history: Vec<(u64, f64, f64)> =
        read[1].history.iter().map(|h| (hour - h.start.as_secs(), h.invocations, h.duration_ms)).collect();
    assert_eq!(history, [(2 * 86_400, 1000.0, 10_000.0), (86_400, 1000.0, 10_000.0)]);
    // Each hour's busiest minute: the Maximum of its concurrency datapoints.
    let peaks: Vec<Option<f64>> = read[1].history.iter().map(|h| h.concurrency_max).collect();
    assert_eq!(peaks, [Some(9.0), Some(9.0)]);
    assert!(read[1].recent.is_empty());
    assert!(read[2].recent.is_empty() && read[2].history.is_empty());
}

#[tokio::test]
async fn queue_flows_read_each_queues_sent_and_deleted_minutes_in_one_request() {
    let moto = Moto::start().await;
    let now = Timestamp::now();
    let minute = now.as_secs() / 60 * 60;
    let at = |secs_before_minute: u64| Timestamp::from_secs(minute - secs_before_minute + 5);
    let put_queue = |queue: &'static str, metric: &'static str, value: f64, t: Timestamp| {
        let config = moto.config.clone();
        async move {
            aws_sdk_cloudwatch::Client::new(&config)
                .put_metric_data()
                .namespace("AWS/SQS")
                .metric_data(datum(metric, &[("QueueName", queue)], value, t, StandardUnit::Count))
                .send()
                .await
                .expect("put metric data");
        }
    };
    // "jobs" drains: a redrive lands, then it deletes far more than it receives.
    put_queue("jobs", "NumberOfMessagesSent", 200_000.0, at(180)).await;
    put_queue("jobs", "NumberOfMessagesDeleted", 12_000.0, at(180)).await;
    put_queue("jobs", "NumberOfMessagesSent", 30.0, at(120)).await;
    put_queue("jobs", "NumberOfMessagesDeleted", 12_000.0, at(120)).await;
    // Another queue's counts and another namespace's are not "jobs"'s.
    put_queue("other.fifo", "NumberOfMessagesSent", 7.0, at(120)).await;
    put(&moto, "jobs", "Invocations", 99.0, at(120)).await;

    let window = MetricsWindow { now, recent_minutes: 10, history_days: 7 };
    let queues = [QueueName::new("jobs").unwrap(), QueueName::new("other.fifo").unwrap()];
    let read = CloudWatchMetrics::new(&moto.config).queue_flows(&queues, window).await.unwrap();
    let named: Vec<&str> = read.iter().map(|f| f.queue.as_str()).collect();
    assert_eq!(named, ["jobs", "other.fifo"]);
    let jobs: Vec<(u64, Option<f64>, Option<f64>)> =
        read[0].minutes.iter().map(|m| (minute - m.start.as_secs(), m.sent, m.deleted)).collect();
    assert_eq!(jobs, [(180, Some(200_000.0), Some(12_000.0)), (120, Some(30.0), Some(12_000.0))]);
    let other: Vec<(u64, Option<f64>, Option<f64>)> =
        read[1].minutes.iter().map(|m| (minute - m.start.as_secs(), m.sent, m.deleted)).collect();
    assert_eq!(other, [(120, Some(7.0), None)]);
}
