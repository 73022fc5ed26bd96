//! The offender search for an account-level alarm, against metric data put into moto's CloudWatch:
//! the spiking function is picked out of quiet ones and throttled with rule `cost`; when nobody is
//! over the limit nothing is throttled and on-call gets the top functions.
//! Run through `scripts/test.sh` (it starts moto).
#![cfg(feature = "guard")]

mod common;

use common::guard::{Cli, attribute, fixture};
use common::{ACCOUNT, FunctionSpec, Moto};

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

#[tokio::test]
async fn picks_the_spiking_function_out_of_quiet_ones() {
    let moto = Moto::start().await;
    quiet_account(&moto).await;
    // 120,000 one-second invocations at 3,008 MB in five minutes ≈ $70/h, over the $5/h default.
    let big = FunctionSpec { memory_mb: 3008, ..FunctionSpec::default() };
    moto.create_function_with("image-resizer", big).await;
    moto.put_usage("image-resizer", 120_000.0, 120_000_000.0).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let before = moto.snapshot().await;

    let run = Cli::new(Some(&topic), &["handle", "-"]).stdin(alarm_in_moto_account()).run();
    assert_eq!(run.code, 0, "{run:?}");
    let report = run.json();
    let decisions = report["decisions"].as_array().expect("decisions");
    assert_eq!(decisions.len(), 1, "{report:#}");
    assert_eq!(decisions[0]["function"], "image-resizer");
    assert_eq!(decisions[0]["outcome"], "throttled");
    assert_eq!(decisions[0]["rule"], "cost");
    assert_eq!(moto.reserved("image-resizer").await, Some(0));
    let after = moto.snapshot().await;
    for name in QUIET {
        assert_eq!(after[name], before[name], "quiet {name} untouched");
    }
    let alerts = moto.delivered(&queue).await;
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert_eq!(attribute(&alerts[0], "function"), "image-resizer");
    assert_eq!(attribute(&alerts[0], "reason"), "cost");
    let subject = alerts[0]["Subject"].as_str().expect("subject");
    assert!(subject.contains("image-resizer") && subject.contains("/h"), "{subject}");
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
