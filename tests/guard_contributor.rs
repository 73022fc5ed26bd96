//! A contributor of the per-function Metrics Insights alarm, end to end against moto: the binary
//! reads the documented EventBridge event, judges the named function from the metrics put into
//! moto's CloudWatch, throttles a runaway (reporting the alarm's mute rule), leaves a function as
//! busy as always alone, and never restores anything when the contributor goes back to OK.
//! Run through `scripts/test.sh` (it starts moto).
#![cfg(feature = "guard")]

mod common;

use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_smithy_types::DateTime;
use common::guard::{Cli, attribute, fixture};
use common::{ACCOUNT, FunctionSpec, Moto};

const CONTRIBUTOR: &str = "eventbridge-contributor-state-change.json";

/// The documented contributor event as moto's account would send it, naming `function`, in `state`.
fn contributor(function: &str, state: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(fixture(CONTRIBUTOR)).expect("contributor fixture");
    text.replace("111122223333", ACCOUNT)
        .replace("orders-worker", function)
        .replace("\"value\": \"ALARM\"", &format!("\"value\": \"{state}\""))
        .into_bytes()
}

/// Puts `(seconds ago, invocations, milliseconds per call)` datapoints of `function`.
async fn put_series(moto: &Moto, function: &str, points: &[(u64, f64, f64)]) {
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&moto.config);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    for chunk in points.chunks(400) {
        let mut put = cloudwatch.put_metric_data().namespace("AWS/Lambda");
        for &(ago, calls, ms) in chunk {
            let at = DateTime::from_secs((now - ago) as i64);
            let datum = |name: &str, value: f64, unit: StandardUnit| {
                MetricDatum::builder()
                    .metric_name(name)
                    .dimensions(Dimension::builder().name("FunctionName").value(function).build())
                    .timestamp(at)
                    .value(value)
                    .unit(unit)
                    .build()
            };
            put = put.metric_data(datum("Invocations", calls, StandardUnit::Count)).metric_data(datum(
                "Duration",
                calls * ms,
                StandardUnit::Milliseconds,
            ));
        }
        put.send().await.expect("put metric data");
    }
}

#[tokio::test]
async fn a_runaway_contributor_is_throttled_and_ok_restores_nothing() {
    let moto = Moto::start().await;
    let spec = FunctionSpec { memory_mb: 4096, ..FunctionSpec::default() };
    moto.create_function_with("orders-worker", spec).await;
    moto.reserve("orders-worker", 300).await;
    // An EventBridge loop deployed an hour ago: no history, doubling each minute, at 4 GB already
    // spending $19/h (without history, growth trips over 10x the cost floor: a rollout under it
    // levels off).
    let doubling: Vec<(u64, f64, f64)> =
        (0..4).map(|i| (240 - 60 * i, 2_000.0 * 2f64.powi(i as i32), 500.0)).collect();
    put_series(&moto, "orders-worker", &doubling).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;

    let run = Cli::new(Some(&topic), &["handle", "-"]).stdin(contributor("orders-worker", "ALARM")).run();
    assert_eq!(run.code, 0, "{run:?}");
    let report = run.json();
    assert_eq!(run.outcomes(), [("orders-worker".to_owned(), "throttled".to_owned())], "{report:#}");
    assert_eq!(report["decisions"][0]["rule"], "runaway");
    let reason = report["decisions"][0]["reason"].as_str().expect("reason");
    assert!(reason.contains("contributor of alarm runaway-guard-function-invocations"), "{reason}");
    assert!(report["notes"].to_string().contains("alarm-mute-rule:weekend-maintenance"), "{report:#}");
    assert_eq!(moto.reserved("orders-worker").await, Some(0));
    assert_eq!(moto.tags("orders-worker").await["runaway-guard:previous-concurrency"], "300");
    let alerts = moto.delivered(&queue).await;
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert_eq!(attribute(&alerts[0], "reason"), "runaway");

    // Throttled, it stops publishing Invocations and its contributor goes to OK: not a recovery.
    let after_trip = moto.snapshot().await;
    let run = Cli::new(Some(&topic), &["handle", "-"]).stdin(contributor("orders-worker", "OK")).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["decisions"], serde_json::json!([]));
    assert_eq!(moto.snapshot().await, after_trip, "OK restores nothing");
}

#[tokio::test]
async fn a_contributor_as_busy_as_always_is_left_alone() {
    let moto = Moto::start().await;
    let spec = FunctionSpec { memory_mb: 1024, ..FunctionSpec::default() };
    moto.create_function_with("checkout", spec).await;
    let mut points: Vec<(u64, f64, f64)> =
        (1..=7 * 24).map(|h| (h * 3600 + 1800, 7_200_000.0, 200.0)).collect();
    points.extend((1..=5).map(|m| (m * 60, 120_000.0, 200.0)));
    put_series(&moto, "checkout", &points).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let before = moto.snapshot().await;

    let run = Cli::new(Some(&topic), &["handle", "-"]).stdin(contributor("checkout", "ALARM")).run();
    assert_eq!(run.code, 0, "{run:?}");
    let report = run.json();
    assert_eq!(report["decisions"], serde_json::json!([]), "{report:#}");
    assert!(report["notes"].to_string().contains("busy as usual"), "{report:#}");
    assert_eq!(moto.snapshot().await, before);
    assert!(moto.delivered(&queue).await.is_empty(), "nothing to alert");
}
