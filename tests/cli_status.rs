//! `status` and the drift watch through the real binary against moto: who tripped each function,
//! its reserved concurrency now, the reason as written, paused mappings by queue name, functions at
//! 0 without a record listed apart; a drift call made before the trip pages no one; a re-trip
//! resolves a drift and says what it changed. Run through `scripts/test.sh` (it starts moto).
#![cfg(feature = "guard")]

use crate::common::Moto;
use crate::common::guard::{Cli, fixture, handle, reports};
use runaway_guard::time::Timestamp;
use serde_json::Value;

/// The CloudTrail record of `UpdateEventSourceMapping Enabled=true` on `uuid` of `function`, made
/// at `at`, with its own event id.
fn mapping_enabled(function: &str, uuid: &str, at: Timestamp, event_id: &str) -> Value {
    let text =
        std::fs::read_to_string(fixture("cloudtrail-update-event-source-mapping.json")).expect("fixture");
    let text = text
        .replace("111122223333", crate::common::ACCOUNT)
        .replace("a1b2c3d4-5678-90ab-cdef-11111EXAMPLE", uuid)
        .replace("1c2d3e4f-5a6b-4c7d-9e8f-0a1b2c3d4e5f", event_id)
        .replace("orders-worker", function)
        .replace("2026-11-20T09:42:30Z", &at.to_rfc3339());
    serde_json::from_str(&text).expect("JSON")
}

/// `status --json`'s entry for `function`.
fn row(topic: &str, function: &str) -> Value {
    let run = Cli::new(Some(topic), &["status", "--json"]).run();
    assert_eq!(run.code, 0, "{run:?}");
    let rows = run.json();
    let found = rows.as_array().expect("array").iter().find(|r| r["function"] == function).cloned();
    found.unwrap_or_else(|| panic!("{function} not listed: {rows:#}"))
}

#[tokio::test]
async fn status_says_who_tripped_what_now_and_why_as_written() {
    let moto = Moto::start().await;
    for name in ["looper", "orders", "by-hand"] {
        moto.create_function(name).await;
    }
    moto.reserve("orders", 12).await;
    moto.reserve("by-hand", 0).await;
    let uuid = moto.sqs_mapping("orders", "orders-jobs", true).await;
    let (topic, _queue) = moto.topic_with_queue("guard").await;
    moto.deploy_guard("runaway-guard", &topic, &[]).await;

    assert_eq!(handle(&topic, &reports(&[("looper", 17, "r1")])).run().code, 0);
    let trip = Cli::new(Some(&topic), &["trip", "orders", "--reason", "runaway bill INC-42"]).run();
    assert_eq!(trip.code, 0, "{trip:?}");

    let looper = row(&topic, "looper");
    assert_eq!(looper["tripped_by"], serde_json::json!({"kind": "guard", "rule": "depth"}), "{looper}");
    assert_eq!(looper["reserved_concurrency"], "0", "{looper}");
    let reason = looper["reason"].as_str().expect("reason");
    assert!(reason.starts_with("chain depth 17 > limit 16 (root "), "as the guard wrote it: {reason}");
    assert_eq!(looper["record_check"], "verified", "a v2 record verifies: {looper}");

    let orders = row(&topic, "orders");
    assert_eq!(orders["tripped_by"]["kind"], "operator", "{orders}");
    assert!(orders["tripped_by"]["arn"].as_str().expect("arn").starts_with("arn:aws:"), "{orders}");
    assert_eq!(orders["reason"], "manual: runaway bill INC-42");
    let paused = &orders["paused_mappings"][0];
    assert_eq!(
        (paused["id"].as_str(), paused["source"].as_str(), paused["state"].as_str()),
        (Some(uuid.as_str()), Some("SQS queue orders-jobs"), Some("Disabled")),
        "{orders}"
    );

    let bare = row(&topic, "by-hand");
    assert_eq!((bare["record"].as_bool(), bare["reserved_concurrency"].as_str()), (Some(false), Some("0")));
    assert!(bare.get("tripped_by").is_none(), "{bare}");

    let table = Cli::new(Some(&topic), &["status"]).run();
    assert_eq!(table.code, 0, "{table:?}");
    let text = &table.stdout;
    assert!(!text.contains("Tripped by runaway-guard"), "{text}");
    let looper_line = text.lines().find(|l| l.starts_with("looper")).expect("looper row");
    assert!(looper_line.contains("runaway-guard (rule depth)"), "{text}");
    let orders_line = text.lines().find(|l| l.starts_with("orders")).expect("orders row");
    assert!(orders_line.contains("arn:aws:") && !orders_line.contains("rule"), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("by-hand")), "not among the trips: {text}");
    assert!(text.contains("At reserved concurrency 0 with no trip record"), "{text}");
    assert!(text.contains("by-hand: restore with runaway-guard reenable by-hand --to N"), "{text}");
    assert!(!text.contains("alert names"), "{text}");
    assert!(text.contains("SQS queue orders-jobs (Disabled"), "{text}");
}

#[tokio::test]
async fn a_drift_call_before_the_trip_pages_no_one_and_a_re_trip_resolves_a_drift() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 12).await;
    let uuid = moto.sqs_mapping("orders-worker", "jobs-queue", true).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    moto.deploy_guard("runaway-guard", &topic, &[]).await;
    let trip = Cli::new(Some(&topic), &["trip", "orders-worker", "--reason", "loop"]).run();
    assert_eq!(trip.code, 0, "{trip:?}");
    let tripped_at = Timestamp::now();
    assert_eq!(moto.delivered(&queue).await.len(), 1, "the trip's alert");

    // CloudTrail delivers, after the trip, a call made two minutes before it.
    let early = Timestamp::from_secs(tripped_at.as_secs() - 120);
    let run = handle(&topic, &mapping_enabled("orders-worker", &uuid, early, "e-0001")).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("before the trip"), "{}", run.stdout);
    assert!(moto.delivered(&queue).await.is_empty(), "not drift, not a page");
    assert!(row(&topic, "orders-worker").get("drift").is_none());

    // A deploy enables the mapping after the trip: drift, open.
    moto.lambda().update_event_source_mapping().uuid(&uuid).enabled(true).send().await.expect("enable");
    let later = Timestamp::from_secs(tripped_at.as_secs() + 1);
    let run = handle(&topic, &mapping_enabled("orders-worker", &uuid, later, "e-0002")).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(moto.delivered(&queue).await.len(), 1, "the drift page: {}", run.stdout);
    assert_eq!(row(&topic, "orders-worker")["drift_state"], "open");

    // The drift alert's advice: trip it again. It changes something, and says so.
    let again = Cli::new(Some(&topic), &["trip", "orders-worker", "--reason", "drift"]).run();
    assert_eq!(again.code, 0, "{again:?}");
    assert!(!again.stdout.contains("nothing changed"), "{}", again.stdout);
    assert!(again.stdout.contains("paused 1 event source mapping(s)"), "{}", again.stdout);
    assert_eq!(moto.mapping_state(&uuid).await, "Disabled");
    let resolved = row(&topic, "orders-worker");
    assert_eq!(resolved["drift_state"], "resolved", "{resolved}");
    let table = Cli::new(Some(&topic), &["status"]).run().stdout;
    assert!(table.contains("DRIFT (resolved): orders-worker"), "{table}");
    assert!(!table.contains("may be running"), "{table}");

    // The same kind of call, delivered after the re-trip: contained again, not a page.
    moto.delivered(&queue).await;
    let late = handle(&topic, &mapping_enabled("orders-worker", &uuid, later, "e-0003")).run();
    assert!(late.stdout.contains("already contained again"), "{}", late.stdout);
    assert!(moto.delivered(&queue).await.is_empty(), "no second page");
}

/// A record a format v1 guard wrote (its lossy reason, a `v1:` MAC, no `tripped-by`) still
/// verifies; a `tripped-by` tag someone added beside it is nobody's word and is not shown.
#[tokio::test]
async fn a_v1_record_still_verifies_and_a_tripped_by_beside_it_is_ignored() {
    use runaway_guard::ports::{RecordSigner, TripRecord, tags};
    use runaway_guard::record::{RecordSubject, canonical_bytes_of, format_mac};

    let moto = Moto::start().await;
    let arn = moto.create_function("legacy").await;
    moto.reserve("legacy", 0).await;
    let (topic, _queue) = moto.topic_with_queue("guard").await;
    let record = TripRecord {
        tripped_at: Timestamp::parse_rfc3339("2026-11-20T09:14:03Z").expect("time"),
        previous_concurrency: Some(25),
        reason: "chain depth 17 gt limit 16 root 1-abc".into(),
        alert_pending: false,
        paused_mappings: Vec::new(),
        tripped_by: None,
        parked: None,
    };
    let subject = RecordSubject::from_arn(&arn).expect("function ARN");
    let mac = moto.record_signer().sign(&canonical_bytes_of(1, &subject, &record)).await.expect("MAC");
    let v1_mac = format!("v1:{}", format_mac(&mac).split_once(':').expect("v2:…").1);
    let written = [
        (tags::TRIPPED_AT, "2026-11-20T09:14:03Z"),
        (tags::PREVIOUS_CONCURRENCY, "25"),
        (tags::REASON, record.reason.as_str()),
        (tags::RECORD_MAC, v1_mac.as_str()),
        (tags::TRIPPED_BY, "operator:arn:aws:iam::123456789012:user/mallory"),
    ];
    let mut request = moto.lambda().tag_resource().resource(&arn);
    for (key, value) in written {
        request = request.tags(key, value);
    }
    request.send().await.expect("tag the v1 record");

    let legacy = row(&topic, "legacy");
    assert_eq!(legacy["record_check"], "verified", "{legacy}");
    assert_eq!(legacy["reason"], "chain depth 17 gt limit 16 root 1-abc", "read as stored: {legacy}");
    assert!(legacy.get("tripped_by").is_none(), "a v1 MAC covers no tripped-by: {legacy}");
    assert_eq!(legacy["previous_concurrency"], "25");
}
