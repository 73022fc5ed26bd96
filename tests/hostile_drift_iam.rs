//! Hostile principals against the drift watch, through the real binary and moto (as the CLI's
//! `handle` and in Lambda mode): a call that undoes a trip is drift whoever names their session after
//! the guard; only the guard's execution role (the deployed guard's `Role` for the CLI, STS's answer in
//! Lambda) makes the guard's own calls. The IAM side of the same issue (the guard's role vs the
//! operator policy, tag keys) is checked statically by `tests/infra.rs`.
//! Run through `scripts/test.sh` (it starts moto and puts cargo-lambda on PATH).
#![cfg(feature = "guard")]

use crate::common::guard::{Cli, fixture, handle, report};
use crate::common::{ACCOUNT, Moto, ROLE_ARN};
use runaway_guard::ports::tags;
use serde_json::Value;

const GUARD: &str = "runaway-guard";
const ROOT: &str = "1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d";

/// Deploys a guard function as the Terraform module does, its execution role [`ROLE_ARN`].
async fn deploy_guard(moto: &Moto, topic: &str) {
    moto.deploy_guard(GUARD, topic, &[]).await;
}

/// The CloudTrail record of a PutFunctionConcurrency 25 on `orders-worker`, made in a session
/// `session` of the role `role` (an IAM role ARN), with its own event id.
fn put_back_by(role: &str, session: &str, event: u32) -> Value {
    let text = std::fs::read_to_string(fixture("cloudtrail-put-function-concurrency.json")).expect("fixture");
    let role_name = role.rsplit('/').next().unwrap_or_default();
    // Made now: a call made before the trip is not drift.
    let now = runaway_guard::time::Timestamp::now().to_rfc3339();
    let text = text
        .replace("2026-11-20T09:40:12Z", &now)
        .replace("111122223333", ACCOUNT)
        .replace("arn:aws:iam::123456789012:role/ci-deploy", role)
        .replace("assumed-role/ci-deploy/deployer", &format!("assumed-role/{role_name}/{session}"))
        .replace("AROAEXAMPLEDEPLOYROLE:deployer", &format!("AROAEXAMPLE:{session}"))
        .replace("9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d", &format!("9a8b7c6d-5e4f-4a3b-2c1d-{event:0>12}"));
    serde_json::from_str(&text).expect("fixture JSON")
}

fn drift(run: &crate::common::guard::Run) -> Value {
    assert_eq!(run.code, 0, "{run:?}");
    run.json()["drift"][0].clone()
}

#[tokio::test]
async fn a_session_named_after_the_guard_is_reported_and_only_the_guards_role_is_its_own() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 25).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    deploy_guard(&moto, &topic).await;

    let trip = handle(&topic, &report("orders-worker", 17, ROOT)).run();
    assert_eq!(trip.outcomes(), [("orders-worker".to_owned(), "throttled".to_owned())], "{trip:?}");
    assert_eq!(moto.delivered(&queue).await.len(), 1, "the trip's alert");

    // dev-role takes a session named after the guard and puts the concurrency back.
    moto.reserve("orders-worker", 25).await;
    let disguised = put_back_by("arn:aws:iam::123456789012:role/dev-role", GUARD, 1);
    let entry = drift(&Cli::new(None, &["handle", "-"]).stdin(disguised.to_string()).run());
    assert_eq!(entry["outcome"], "reported", "{entry}");
    let alerts = moto.delivered(&queue).await;
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let body = alerts[0]["Message"].as_str().unwrap_or_default();
    assert!(body.contains("assumed-role/dev-role/runaway-guard"), "{body}");
    let note = moto.tags("orders-worker").await.remove(tags::DRIFT).unwrap_or_default();
    assert!(note.contains("dev-role"), "{note}");

    // The deployed guard's own execution role, in any session, is the guard.
    let own = put_back_by(ROLE_ARN, "any-session", 2);
    let entry = drift(&Cli::new(None, &["handle", "-"]).stdin(own.to_string()).run());
    assert_eq!(entry["outcome"], "ignored", "{entry}");
    assert_eq!(entry["why"], "the guard's own call (its execution role)", "{entry}");
    assert!(moto.delivered(&queue).await.is_empty());
}

/// In Lambda mode (the real binary under cargo-lambda's Runtime API), the guard asks STS who it is the
/// first time a CloudTrail call needs it. moto answers with a user, not a role: no call is the
/// guard's own, so a session named after the guard's function is reported (the session name
/// decided it before).
#[tokio::test]
async fn in_lambda_a_session_named_after_the_guard_function_is_reported() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 25).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let lambda =
        crate::common::lambda::Lambda::start_with(&topic, &[("AWS_LAMBDA_FUNCTION_NAME", GUARD)], None);

    let trip = lambda.invoke(report("orders-worker", 17, ROOT).to_string().as_bytes());
    assert_eq!(trip["decisions"][0]["outcome"], "throttled", "{trip}");
    assert_eq!(moto.delivered(&queue).await.len(), 1, "the trip's alert");

    moto.reserve("orders-worker", 25).await;
    let disguised = put_back_by("arn:aws:iam::123456789012:role/dev-role", GUARD, 3);
    let report = lambda.invoke(disguised.to_string().as_bytes());
    assert_eq!(report["drift"][0]["outcome"], "reported", "{report}");
    assert_eq!(moto.delivered(&queue).await.len(), 1, "the drift alert");
}
