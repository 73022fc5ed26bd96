//! The offender search for an account-level alarm, against metric data put into moto's CloudWatch:
//! a function running away (doubling minute over minute) is picked out of quiet ones and throttled
//! with rule `runaway`; a function as busy as it always is (the same rate every hour of the last
//! week) is left alone however expensive; when nobody qualifies nothing is throttled and on-call
//! gets the top functions. Run through `scripts/test.sh` (it starts moto).
#![cfg(feature = "guard")]

use crate::common::guard::{Cli, attribute, fixture};
use crate::common::{ACCOUNT, FunctionSpec, Moto};
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_smithy_types::DateTime;

const ALARM: &str = "eventbridge-alarm-state-change-account.json";
const QUIET: [&str; 3] = ["quiet-api", "quiet-cron", "quiet-webhook"];

/// The account-level alarm as moto's account would send it: the guard trusts only its own account.
fn alarm_in_moto_account() -> Vec<u8> {
    let text = std::fs::read_to_string(fixture(ALARM)).expect("alarm fixture");
    text.replace("111122223333", ACCOUNT).into_bytes()
}

/// Three quiet functions: a few short invocations each ($0.00/h).
async fn quiet_account(moto: &Moto) {
    for (i, name) in QUIET.iter().enumerate() {
        moto.create_function(name).await;
        moto.put_usage(name, 10.0 + i as f64, 1_000.0).await;
    }
}

/// Puts `(seconds ago, invocations, milliseconds per call)` datapoints of `function` as Lambda would.
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

/// Minutes 4..1 ago doubling from 7,500 one-second calls: a bomb.
fn doubling_minutes() -> Vec<(u64, f64, f64)> {
    (0..4).map(|i| (240 - 60 * i, 7_500.0 * 2f64.powi(i as i32), 1_000.0)).collect()
}

#[tokio::test]
async fn picks_the_runaway_out_of_quiet_ones() {
    let moto = Moto::start().await;
    quiet_account(&moto).await;
    // Doubling each minute at 3,008 MB: far over the $5/h limit, and growing without a plateau.
    let big = FunctionSpec { memory_mb: 3008, ..FunctionSpec::default() };
    moto.create_function_with("image-resizer", big).await;
    put_series(&moto, "image-resizer", &doubling_minutes()).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let before = moto.snapshot().await;

    let run = Cli::new(Some(&topic), &["handle", "-"]).stdin(alarm_in_moto_account()).run();
    assert_eq!(run.code, 0, "{run:?}");
    let report = run.json();
    let decisions = report["decisions"].as_array().expect("decisions");
    assert_eq!(decisions.len(), 1, "{report:#}");
    assert_eq!(decisions[0]["function"], "image-resizer");
    assert_eq!(decisions[0]["outcome"], "throttled");
    assert_eq!(decisions[0]["rule"], "runaway");
    assert_eq!(moto.reserved("image-resizer").await, Some(0));
    let after = moto.snapshot().await;
    for name in QUIET {
        assert_eq!(after[name], before[name], "quiet {name} untouched");
    }
    let alerts = moto.delivered(&queue).await;
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert_eq!(attribute(&alerts[0], "function"), "image-resizer");
    assert_eq!(attribute(&alerts[0], "reason"), "runaway");
    let subject = alerts[0]["Subject"].as_str().expect("subject");
    assert!(subject.contains("image-resizer") && subject.contains("/h"), "{subject}");
}

#[tokio::test]
async fn a_function_as_busy_as_always_is_left_alone_however_expensive() {
    let moto = Moto::start().await;
    // 2,000 calls/s at 1 GB and 200 ms (about $25/h), every hour of the last week and right now.
    let spec = FunctionSpec { memory_mb: 1024, ..FunctionSpec::default() };
    moto.create_function_with("checkout", spec).await;
    let mut points: Vec<(u64, f64, f64)> =
        (1..=7 * 24).map(|h| (h * 3600 + 1800, 7_200_000.0, 200.0)).collect();
    points.extend((1..=5).map(|m| (m * 60, 120_000.0, 200.0)));
    put_series(&moto, "checkout", &points).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let before = moto.snapshot().await;

    let run = Cli::new(Some(&topic), &["handle", "-"]).stdin(alarm_in_moto_account()).run();
    assert_eq!(run.code, 0, "{run:?}");
    let report = run.json();
    assert_eq!(report["decisions"], serde_json::json!([]), "{report:#}");
    let notes = report["notes"].to_string();
    assert!(notes.contains("left checkout alone") && notes.contains("busy as usual"), "{notes}");
    assert_eq!(moto.snapshot().await, before);
    let alerts = moto.delivered(&queue).await;
    assert_eq!(alerts.len(), 1, "one summary alert: {alerts:#?}");
    assert_eq!(attribute(&alerts[0], "outcome"), "no_offender");
}

#[tokio::test]
async fn nobody_over_the_limit_throttles_nothing_and_reports_the_top_functions() {
    let moto = Moto::start().await;
    quiet_account(&moto).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let before = moto.snapshot().await;

    let run = Cli::new(Some(&topic), &["handle", "-"]).stdin(alarm_in_moto_account()).run();
    assert_eq!(run.code, 0, "{run:?}");
    let report = run.json();
    assert_eq!(report["decisions"], serde_json::json!([]), "{report:#}");
    let notes = report["notes"].to_string();
    assert!(notes.contains("throttled nothing"), "{notes}");
    assert_eq!(moto.snapshot().await, before);

    let alerts = moto.delivered(&queue).await;
    assert_eq!(alerts.len(), 1, "one summary alert: {alerts:#?}");
    assert_eq!(attribute(&alerts[0], "outcome"), "no_offender");
    let body = alerts[0]["Message"].as_str().expect("message");
    assert!(body.contains("nothing was throttled"), "{body}");
    for name in QUIET {
        assert!(body.contains(name), "top functions listed: {name} in {body}");
    }
}

#[tokio::test]
async fn an_account_with_no_activity_throttles_nothing() {
    let moto = Moto::start().await;
    moto.create_function("idle").await;
    let (topic, _queue) = moto.topic_with_queue("guard").await;
    let before = moto.snapshot().await;

    let run = Cli::new(Some(&topic), &["handle", "-"]).stdin(alarm_in_moto_account()).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["decisions"], serde_json::json!([]));
    assert_eq!(moto.snapshot().await, before);
}
