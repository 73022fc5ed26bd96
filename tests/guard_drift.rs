//! The drift watch against moto, as in Lambda mode: a deploy that puts a tripped function's
//! concurrency back is reported to on-call once, marked on the function and shown by `status`, also
//! by a guard process that did not make the trip (another execution environment, or one after a cold
//! start); the same call on a function the guard never tripped reads its tags and nothing else (the
//! fault proxy in front of moto logs every request). Run through `scripts/test.sh` (it starts moto).
#![cfg(feature = "guard")]

use crate::common::fault_proxy::FaultProxy;
use crate::common::guard::{fixture, report};
use crate::common::{ACCOUNT, Moto, RECORD_KEY_ARN};
use runaway_guard::clients::AwsPorts;
use runaway_guard::config::Config;
use runaway_guard::name::FunctionName;
use runaway_guard::ports::tags;
use runaway_guard::report::{DriftOutcome, Outcome};
use runaway_guard::time::Timestamp;

const ROOT: &str = "1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d";

/// The Put fixture as moto's account would deliver it, for `function`, recorded at `at` (each
/// function's call with its own CloudTrail event id, as CloudTrail gives every call).
fn put_back(function: &str, at: Timestamp) -> Vec<u8> {
    let text = std::fs::read_to_string(fixture("cloudtrail-put-function-concurrency.json")).expect("fixture");
    let event_id = format!("9a8b7c6d-5e4f-4a3b-2c1d-{:0>12}", function.len());
    text.replace("111122223333", ACCOUNT)
        .replace("9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d", &event_id)
        .replace("orders-worker", function)
        .replace("2026-11-20T09:40:12Z", &at.to_rfc3339())
        .into_bytes()
}

#[tokio::test]
async fn a_deploy_undoing_a_trip_alerts_once_and_an_untripped_function_is_only_read() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.create_function("bystander").await;
    moto.reserve("orders-worker", 25).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let proxy = FaultProxy::start(&moto.endpoint);
    let sdk = moto.config_via(&proxy.url);
    let config = Config { self_function: FunctionName::new("runaway-guard").ok(), ..Config::default() };
    let key = Some(RECORD_KEY_ARN.to_owned());
    let tripping = AwsPorts::from_sdk(&sdk, Some(topic.clone()))
        .with_record_key(key.clone())
        .guard(config.clone(), Some(ACCOUNT.to_owned()));
    // The drift event reaches another execution environment, which did not make the trip.
    let guard =
        AwsPorts::from_sdk(&sdk, Some(topic)).with_record_key(key).guard(config, Some(ACCOUNT.to_owned()));

    let tripped_at = Timestamp::now();
    let trip = serde_json::to_vec(&report("orders-worker", 17, ROOT)).expect("event");
    let report = tripping.handle_bytes(&trip, tripped_at).await.expect("chain event");
    assert_eq!(report.decisions[0].outcome, Outcome::Throttled, "{report:?}");
    assert_eq!(moto.delivered(&queue).await.len(), 1, "the trip's alert");

    // A deploy puts 25 back; CloudTrail records it and EventBridge delivers the record.
    moto.reserve("orders-worker", 25).await;
    let later = Timestamp::from_secs(tripped_at.as_secs() + 60);
    let report =
        guard.handle_bytes(&put_back("orders-worker", later), later).await.expect("cloudtrail event");
    assert_eq!(report.drift[0].outcome, DriftOutcome::Reported, "{report:?}");
    let alerts = moto.delivered(&queue).await;
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let subject = alerts[0]["Subject"].as_str().unwrap_or_default();
    assert_eq!(subject, "DRIFT orders-worker: trip undone by deployer");
    let body = alerts[0]["Message"].as_str().unwrap_or_default();
    assert!(body.contains("Who: arn:aws:sts::123456789012:assumed-role/ci-deploy/deployer"), "{body}");
    assert!(body.contains("What: PutFunctionConcurrency (reserved concurrency 25)"), "{body}");
    assert!(body.contains("STALE"), "{body}");
    let note = moto.tags("orders-worker").await.remove(tags::DRIFT).unwrap_or_default();
    assert!(note.contains("PutFunctionConcurrency") && note.contains("deployer"), "{note}");
    let rows = runaway_guard::operator::status(guard.throttler()).await.expect("status");
    assert_eq!(rows[0].drift.as_deref(), Some(note.as_str()), "{rows:?}");

    // EventBridge delivers the same record again: no second alert.
    let again = guard.handle_bytes(&put_back("orders-worker", later), later).await.expect("again");
    assert_eq!(again.drift[0].why, "already reported");
    assert!(moto.delivered(&queue).await.is_empty());

    // The same call on a function the guard never tripped: its tags are read, and nothing else.
    proxy.take_log();
    let report = guard.handle_bytes(&put_back("bystander", later), later).await.expect("bystander");
    assert_eq!(report.drift[0].outcome, DriftOutcome::Ignored, "{report:?}");
    let ops: Vec<String> = proxy.take_log().into_iter().map(|attempt| attempt.op).collect();
    assert_eq!(ops, ["GetFunctionConfiguration", "ListTags"], "{:?}", report.drift);
    assert!(moto.delivered(&queue).await.is_empty());
}
