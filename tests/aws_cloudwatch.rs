//! `CloudWatchMetrics` against moto: the offender search's inputs. Metric data is put into moto
//! through the SDK, then `active_functions` and `usage` must pick the spiking function out of quiet ones.
#![cfg(feature = "guard")]

mod common;

use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_smithy_types::DateTime;
use common::Moto;
use runaway_guard::aws::CloudWatchMetrics;
use runaway_guard::name::FunctionName;
use runaway_guard::ports::Metrics;
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
    assert_eq!((top.invocations, top.duration_ms_sum, top.window_secs), (100_000.0, 20_000_000.0, 600));
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
    assert!(samples.iter().all(|s| s.window_secs == 300));
}
