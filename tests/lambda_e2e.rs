//! End to end: the real binary in Lambda mode under cargo-lambda's Runtime API emulator, invoked
//! with fixture events, acting on moto. Checks the JSON report, moto's state and the delivered alert.
//!
//! The emulator runs as `cargo lambda watch --only-lambda-apis` and the binary is started by this
//! test against it, so the artifact exercised is exactly the one the other tests drive (Cargo's
//! build for this test run, or `RUNAWAY_GUARD_BIN`) rather than a second build made by
//! `cargo lambda watch`.
//! Run through `scripts/test.sh` (it starts moto and puts cargo-lambda on PATH).
#![cfg(feature = "guard")]

use crate::common::Moto;
use crate::common::guard::{attribute, chain_event, fixture, report, reports};
use crate::common::lambda::Lambda;
use runaway_guard::ports::tags;
use serde_json::Value;

fn outcomes(report: &Value) -> Vec<(String, String)> {
    let mut out: Vec<_> = report["decisions"]
        .as_array()
        .unwrap_or_else(|| panic!("no decisions in {report}"))
        .iter()
        .map(|d| {
            (d["function"].as_str().unwrap_or("").to_owned(), d["outcome"].as_str().unwrap_or("").to_owned())
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn the_release_binary_under_the_runtime_api_throttles_alerts_and_refuses_bad_events() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 25).await;
    for name in ["fan-a", "fan-b", "shallow"] {
        moto.create_function(name).await;
    }
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let lambda = Lambda::start(&topic);

    // The function's own report of its 17th hop, sent straight to the chain queue with its role.
    let chain = report("orders-worker", 17, "1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d").to_string().into_bytes();
    let report = lambda.invoke(&chain);
    assert_eq!(outcomes(&report), [("orders-worker".to_owned(), "throttled".to_owned())], "{report}");
    assert_eq!(report["decisions"][0]["previous_concurrency"], "25");
    assert_eq!(moto.reserved("orders-worker").await, Some(0));
    assert_eq!(moto.tags("orders-worker").await[tags::PREVIOUS_CONCURRENCY], "25");
    let alerts = moto.delivered(&queue).await;
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert_eq!(attribute(&alerts[0], "function"), "orders-worker");
    let body = alerts[0]["Message"].as_str().expect("message");
    assert!(body.contains("runaway-guard reenable orders-worker"), "{body}");

    let batch = reports(&[("fan-a", 17, "root-a"), ("fan-b", 17, "root-b"), ("shallow", 3, "root-c")]);
    let report = lambda.invoke(batch.to_string().as_bytes());
    let throttled = |f: &str| (f.to_owned(), "throttled".to_owned());
    assert_eq!(outcomes(&report), [throttled("fan-a"), throttled("fan-b")], "{report}");
    assert_eq!(report["signals"], 3);
    assert_eq!(moto.reserved("fan-a").await, Some(0));
    assert_eq!(moto.reserved("shallow").await, None);
    assert_eq!(moto.delivered(&queue).await.len(), 2);
    // The partial batch response: every record acted on, none to redeliver.
    assert_eq!(report["batchItemFailures"], serde_json::json!([]), "{report}");
    // SQS delivers the same batch again: its records are not counted a second time.
    let again = lambda.invoke(batch.to_string().as_bytes());
    assert_eq!(again["decisions"], serde_json::json!([]), "{again}");
    assert_eq!(again["notes"], serde_json::json!(["3 redelivered records not counted again"]), "{again}");

    // The same chain reported again (a new message) in the same execution environment: idempotent,
    // no second alert.
    let chain = crate::common::guard::report("orders-worker", 18, "1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d");
    let report = lambda.invoke(chain.to_string().as_bytes());
    assert_eq!(outcomes(&report), [("orders-worker".to_owned(), "already_tripped".to_owned())]);

    // Valid JSON the guard must refuse: answered (not an error Lambda would retry), nothing done.
    let before = moto.snapshot().await;
    let mut hostile = chain_event("orders-worker;rm -rf /", 17, "root-x");
    let report = lambda.invoke(hostile.to_string().as_bytes());
    assert_eq!(report["decisions"], serde_json::json!([]), "{report}");
    assert!(report["error"].as_str().is_some_and(|e| !e.is_empty()), "the refusal says why: {report}");
    hostile["detail"]["runawayGuard"] = serde_json::json!({"root": "r", "depth": -1, "function": "fan-a"});
    let report = lambda.invoke(hostile.to_string().as_bytes());
    assert_eq!(report["decisions"], serde_json::json!([]), "{report}");
    // Not JSON at all (Lambda's Invoke API refuses such a payload; the emulator passes it through):
    // the runtime fails the invocation before the handler runs.
    let truncated = std::fs::read(fixture("truncated-chain-event.json")).expect("fixture");
    let (ok, text) = lambda.invoke_raw(&truncated);
    assert!(!ok && text.contains("deserialize"), "{text}");
    // The guard is still serving after both.
    let chain = crate::common::guard::report("orders-worker", 19, "1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d");
    let report = lambda.invoke(chain.to_string().as_bytes());
    assert_eq!(outcomes(&report), [("orders-worker".to_owned(), "already_tripped".to_owned())]);
    assert_eq!(moto.snapshot().await, before);
    assert!(moto.delivered(&queue).await.is_empty());
}
