//! The account-wide trip cap against moto, through the real binary: two guard processes (two
//! execution environments, or one before and one after a cold start) racing over different
//! functions trip no more than `RUNAWAY_GUARD_MAX_TRIPS_PER_HOUR` together, because each trip is a
//! conditional count in the DynamoDB table the deployed guard names; with the table unreachable,
//! each process still stops runaways up to its own cap. Run through `scripts/test.sh` (it starts moto).
#![cfg(feature = "guard")]

use crate::common::Moto;
use crate::common::fault_proxy::FaultProxy;
use crate::common::guard::{Cli, Run, report};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use serde_json::Value;

const GUARD: &str = "runaway-guard";
const TABLE: &str = "runaway-guard-trip-cap";
const CAP: u32 = 3;

/// Deploys a guard whose environment names `topic`, the trip-cap `table` and a cap of [`CAP`].
async fn deploy_guard(moto: &Moto, topic: &str, table: &str) {
    let cap = CAP.to_string();
    let extra = [("RUNAWAY_GUARD_TRIP_CAP_TABLE", table), ("RUNAWAY_GUARD_MAX_TRIPS_PER_HOUR", cap.as_str())];
    moto.deploy_guard(GUARD, topic, &extra).await;
}

/// The table as infra/dynamodb.tf creates it.
async fn create_table(moto: &Moto) -> aws_sdk_dynamodb::Client {
    let client = aws_sdk_dynamodb::Client::new(&moto.config);
    client
        .create_table()
        .table_name(TABLE)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("hour")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("attribute"),
        )
        .key_schema(
            KeySchemaElement::builder().attribute_name("hour").key_type(KeyType::Hash).build().expect("key"),
        )
        .send()
        .await
        .expect("create the trip-cap table in moto");
    client
}

/// An SQS batch of depth-17 reports, one per function (each its own root), each sent by the
/// function's own role (the only chain claim that trips at once).
fn batch(functions: &[String]) -> Value {
    let records: Vec<Value> = functions
        .iter()
        .enumerate()
        .map(|(i, f)| report(f, 17, &format!("1-673dc1a2-5e6f7a8b9c0d1e2f3a4b{i:04}"))["Records"][0].clone())
        .collect();
    serde_json::json!({ "Records": records })
}

/// Runs `handle` on both batches at once, in two processes acting for the deployed guard.
/// Through a proxy that forwards one request at a time: DynamoDB applies each conditional write
/// atomically, moto's threaded server does not (`tests/common/fault_proxy.rs`).
fn race(moto: &Moto, first: &Value, second: &Value) -> (Run, Run) {
    let proxy = FaultProxy::one_at_a_time(&moto.endpoint);
    let run = |event: &Value| {
        Cli::new(None, &["handle", "-"]).stdin(event.to_string()).env("AWS_ENDPOINT_URL", &proxy.url).run()
    };
    std::thread::scope(|scope| {
        let a = scope.spawn(|| run(first));
        let b = scope.spawn(|| run(second));
        (a.join().expect("first process"), b.join().expect("second process"))
    })
}

fn throttled(run: &Run) -> usize {
    assert_eq!(run.code, 0, "{run:?}");
    run.outcomes().iter().filter(|(_, outcome)| outcome == "throttled").count()
}

async fn functions(moto: &Moto, prefix: &str, n: usize) -> Vec<String> {
    let mut names = Vec::new();
    for i in 0..n {
        let name = format!("{prefix}{i}");
        moto.create_function(&name).await;
        moto.reserve(&name, 5).await;
        names.push(name);
    }
    names
}

async fn at_zero(moto: &Moto, names: &[String]) -> usize {
    let mut zero = 0;
    for name in names {
        if moto.reserved(name).await == Some(0) {
            zero += 1;
        }
    }
    zero
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_guard_processes_racing_never_exceed_the_cap_together() {
    let moto = Moto::start().await;
    let (topic, _queue) = moto.topic_with_queue("guard").await;
    let table = create_table(&moto).await;
    deploy_guard(&moto, &topic, TABLE).await;
    let left = functions(&moto, "left", 3).await;
    let right = functions(&moto, "right", 3).await;

    // Each process alone may trip CAP (its own cap): without the shared count they would trip 6.
    let (a, b) = race(&moto, &batch(&left), &batch(&right));
    let total = throttled(&a) + throttled(&b);
    assert_eq!(total, CAP as usize, "a: {:?}\nb: {:?}", a.outcomes(), b.outcomes());
    let capped = [&a, &b].iter().flat_map(|r| r.outcomes()).filter(|(_, o)| o == "capped").count();
    assert_eq!(capped, 6 - CAP as usize);
    let all: Vec<String> = left.iter().chain(&right).cloned().collect();
    assert_eq!(at_zero(&moto, &all).await, CAP as usize);

    let items = table.scan().table_name(TABLE).send().await.expect("scan");
    let items = items.items();
    assert_eq!(items.len(), 1, "one item per hour: {items:?}");
    let trips = items[0].get("trips").and_then(|v| v.as_n().ok()).cloned();
    assert_eq!(trips.as_deref(), Some("3"), "{items:?}");
    assert!(items[0].get("expires_at").is_some_and(|v| v.as_n().is_ok()), "TTL attribute set: {items:?}");

    // A cold start (a third process) finds the hour spent too.
    let later = functions(&moto, "later", 1).await;
    let run = Cli::new(None, &["handle", "-"]).stdin(batch(&later).to_string()).run();
    assert_eq!(run.outcomes(), [("later0".to_owned(), "capped".to_owned())], "{run:?}");
    assert_eq!(moto.reserved("later0").await, Some(5));
}

#[tokio::test]
async fn an_unreachable_table_leaves_each_process_its_own_cap() {
    let moto = Moto::start().await;
    let (topic, _queue) = moto.topic_with_queue("guard").await;
    // The deployed guard names a table that does not exist: every count fails.
    deploy_guard(&moto, &topic, "no-such-table").await;
    let names = functions(&moto, "f", 4).await;
    let run = Cli::new(None, &["handle", "-"]).stdin(batch(&names).to_string()).run();
    assert_eq!(throttled(&run), CAP as usize, "{:?}", run.outcomes());
    let report = run.json();
    let reasons: Vec<&str> = report["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .filter_map(|d| d["reason"].as_str())
        .collect();
    assert!(reasons.iter().any(|r| r.contains("counted in this environment only")), "{reasons:?}");
    assert_eq!(at_zero(&moto, &names).await, CAP as usize);
}
