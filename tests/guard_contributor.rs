//! A contributor of the per-function Metrics Insights alarm, end to end against moto: the binary
//! reads the documented EventBridge event, judges the named function from the metrics put into
//! moto's CloudWatch, throttles a runaway (reporting the alarm's mute rule), leaves a function as
//! busy as always alone, tells a synchronous launch past its reservation from a synchronous
//! recursion by its `Errors` and `AsyncEventsReceived`, and never restores anything when the
//! contributor goes back to OK.
//! Run through `scripts/test.sh` (it starts moto).
#![cfg(feature = "guard")]

use crate::common::guard::{Cli, attribute, fixture};
use crate::common::{ACCOUNT, FunctionSpec, Moto};
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_smithy_types::DateTime;

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

/// Puts `(seconds ago, [(metric, value)])` datapoints of `function`, each a count but `Duration`.
async fn put_minutes(moto: &Moto, function: &str, minutes: &[(u64, Vec<(&str, f64)>)]) {
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&moto.config);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    for (ago, figures) in minutes {
        let mut put = cloudwatch.put_metric_data().namespace("AWS/Lambda");
        for &(name, value) in figures {
            let unit = if name == "Duration" { StandardUnit::Milliseconds } else { StandardUnit::Count };
            put = put.metric_data(
                MetricDatum::builder()
                    .metric_name(name)
                    .dimensions(Dimension::builder().name("FunctionName").value(function).build())
                    .timestamp(DateTime::from_secs((now - ago) as i64))
                    .value(value)
                    .unit(unit)
                    .build(),
            );
        }
        put.send().await.expect("put metric data");
    }
}

#[tokio::test]
async fn a_synchronous_launch_past_its_reservation_is_left_alone_and_a_synchronous_recursion_is_not() {
    let moto = Moto::start().await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    // Two 3 GB APIs held at reserved 50, usually 300 calls a minute of 250 ms, now 40x that,
    // pinned with callers refused. The launch serves its calls; the recursion's fail.
    for (function, failing) in [("catalog-api", 0.0_f64), ("ref-resolver", 0.98)] {
        moto.create_function_with(function, FunctionSpec { memory_mb: 3008, ..FunctionSpec::default() })
            .await;
        moto.reserve(function, 50).await;
        let history: Vec<(u64, f64, f64)> =
            (1..=7 * 24).map(|h| (h * 3600 + 1800, 18_000.0, 250.0)).collect();
        put_series(&moto, function, &history).await;
        let pinned: Vec<(u64, Vec<(&str, f64)>)> = (1..=5)
            .map(|m| {
                let figures = vec![
                    ("Invocations", 12_000.0),
                    ("Duration", 12_000.0 * 250.0),
                    ("ConcurrentExecutions", 50.0),
                    ("Throttles", 12_000.0),
                    ("Errors", (12_000.0 * failing).round()),
                ];
                (m * 60, figures)
            })
            .collect();
        put_minutes(&moto, function, &pinned).await;
    }
    let launch = Cli::new(Some(&topic), &["handle", "-"]).stdin(contributor("catalog-api", "ALARM")).run();
    assert_eq!(launch.code, 0, "{launch:?}");
    let report = launch.json();
    assert_eq!(report["decisions"], serde_json::json!([]), "{report:#}");
    assert!(
        report["notes"].to_string().contains("every call is synchronous and 0% of its calls failed"),
        "{report:#}"
    );
    assert_eq!(moto.reserved("catalog-api").await, Some(50));
    assert!(moto.delivered(&queue).await.is_empty(), "nothing to alert");

    // The same pin with async events received is no synchronous launch: the pin is evidence.
    put_minutes(&moto, "catalog-api", &[(120, vec![("AsyncEventsReceived", 40.0)])]).await;
    let mixed = Cli::new(Some(&topic), &["handle", "-"]).stdin(contributor("catalog-api", "ALARM")).run();
    assert_eq!(mixed.outcomes(), [("catalog-api".to_owned(), "throttled".to_owned())], "{:#}", mixed.json());

    let recursion =
        Cli::new(Some(&topic), &["handle", "-"]).stdin(contributor("ref-resolver", "ALARM")).run();
    assert_eq!(recursion.code, 0, "{recursion:?}");
    let report = recursion.json();
    assert_eq!(recursion.outcomes(), [("ref-resolver".to_owned(), "throttled".to_owned())], "{report:#}");
    let reason = report["decisions"][0]["reason"].as_str().expect("reason");
    assert!(reason.contains("98% of its calls failed"), "{reason}");
    assert_eq!(moto.reserved("ref-resolver").await, Some(0));
}
