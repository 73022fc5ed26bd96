//! Event source mappings with the trip, end to end through the real binary against moto: a tripped
//! SQS-fed function's enabled mapping is disabled, recorded in its tags, named in the alert, shown
//! by `status` and re-enabled by `reenable`; a mapping disabled before the trip is never touched;
//! the alert says which queue has a DLQ and which has none, as SQS's redrive policy says.
//! A mapping bound to an alias is found (listed by the alias) and paused like the others.
//! Run through `scripts/test.sh` (it starts moto).
#![cfg(feature = "guard")]

use crate::common::Moto;
use crate::common::guard::{Cli, handle, machine_block, report};
use runaway_guard::ports::tags;

const FUNCTION: &str = "orders-worker";
const ROOT: &str = "1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d";

#[tokio::test]
async fn a_tripped_sqs_fed_function_has_its_mapping_paused_recorded_named_and_resumed() {
    let moto = Moto::start().await;
    moto.create_function(FUNCTION).await;
    moto.reserve(FUNCTION, 25).await;
    let jobs = moto.sqs_mapping(FUNCTION, "jobs-queue", true).await;
    let old = moto.sqs_mapping(FUNCTION, "old-queue", false).await;
    moto.set_dead_letter("jobs-queue", "jobs-dlq", 5).await;
    let (topic, alerts) = moto.topic_with_queue("guard").await;

    let run = handle(&topic, &report(FUNCTION, 17, ROOT)).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["decisions"][0]["outcome"], "throttled", "{run:?}");
    assert_eq!(moto.reserved(FUNCTION).await, Some(0), "reserved concurrency still goes to 0");
    assert_eq!(moto.mapping_state(&jobs).await, "Disabled", "the queue's poller is paused");
    assert_eq!(moto.mapping_state(&old).await, "Disabled");
    let tags = moto.tags(FUNCTION).await;
    assert_eq!(tags.get(tags::PAUSED_MAPPINGS), Some(&jobs), "only the mapping the guard disabled: {tags:?}");

    let delivered = moto.delivered(&alerts).await;
    assert_eq!(delivered.len(), 1, "{delivered:#?}");
    let body = delivered[0]["Message"].as_str().expect("message");
    let paused = format!("- SQS queue jobs-queue (mapping {jobs}): paused; messages stay in the queue");
    assert!(body.contains(&paused), "{body}");
    assert!(body.contains("because of the trip. Its DLQ is jobs-dlq (after 5 receives).\n"), "{body}");
    assert!(
        body.contains(&format!("- SQS queue old-queue (mapping {old}): disabled before the trip")),
        "{body}"
    );
    assert!(!body.contains("maxReceiveCount"), "no DLQ is promised or threatened: {body}");
    let machine = machine_block(&delivered[0]);
    let sources = machine["event_sources"].as_array().expect("event_sources");
    let statuses: Vec<(&str, &str)> = sources
        .iter()
        .map(|s| (s["mapping"]["id"].as_str().unwrap(), s["status"]["status"].as_str().unwrap()))
        .collect();
    let mut expected = vec![(jobs.as_str(), "paused"), (old.as_str(), "already_disabled")];
    expected.sort();
    assert_eq!(statuses, expected, "{machine:#}");
    let jobs_entry = sources.iter().find(|s| s["mapping"]["id"] == jobs.as_str()).expect("jobs entry");
    assert_eq!(jobs_entry["queue"]["dead_letter"]["max_receive_count"], 5, "{machine:#}");
    assert!(jobs_entry["queue"]["dead_letter"]["queue_arn"].as_str().unwrap().ends_with(":jobs-dlq"));

    let status = Cli::new(Some(&topic), &["status", "--json"]).run();
    assert_eq!(status.code, 0, "{status:?}");
    let paused = serde_json::json!([{"id": jobs, "source": "SQS queue jobs-queue", "state": "Disabled"}]);
    assert_eq!(status.json()[0]["paused_mappings"], paused, "{status:?}");
    let text = Cli::new(Some(&topic), &["status"]).run();
    assert!(
        text.stdout.contains(&format!(
            "{FUNCTION}: event source mappings paused by the trip (reenable re-enables them): SQS queue \
             jobs-queue (Disabled, {jobs})"
        )),
        "{text:?}"
    );

    let run = Cli::new(Some(&topic), &["reenable", FUNCTION, "--force", "--json"]).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["resumed_mappings"], serde_json::json!([jobs]), "{run:?}");
    assert_eq!(moto.reserved(FUNCTION).await, Some(25));
    assert_eq!(moto.mapping_state(&jobs).await, "Enabled", "the guard's pause is undone");
    assert_eq!(moto.mapping_state(&old).await, "Disabled", "one disabled before the trip stays disabled");
    let tags = moto.tags(FUNCTION).await;
    assert!(!tags.contains_key(tags::PAUSED_MAPPINGS), "the record is gone: {tags:?}");
    let delivered = moto.delivered(&alerts).await;
    let body = delivered[0]["Message"].as_str().expect("message");
    assert!(body.contains(&format!("re-enabled (paused by the trip): {jobs}")), "{body}");
}

#[tokio::test]
async fn dry_run_names_the_mapping_it_would_pause_and_changes_nothing() {
    let moto = Moto::start().await;
    moto.create_function(FUNCTION).await;
    let jobs = moto.sqs_mapping(FUNCTION, "jobs-queue", true).await;
    let (topic, alerts) = moto.topic_with_queue("guard").await;

    let run = handle(&topic, &report(FUNCTION, 17, ROOT)).env("RUNAWAY_GUARD_DRY_RUN", "true").run();
    assert_eq!(run.json()["decisions"][0]["outcome"], "would_throttle", "{run:?}");
    assert_eq!(moto.mapping_state(&jobs).await, "Enabled");
    assert!(!moto.tags(FUNCTION).await.contains_key(tags::PAUSED_MAPPINGS));
    let delivered = moto.delivered(&alerts).await;
    let body = delivered[0]["Message"].as_str().expect("message");
    assert!(body.contains(&format!("jobs-queue (mapping {jobs}): would be paused")), "{body}");
    assert!(
        body.contains("none go to a DLQ because of the trip. It has no DLQ.\n"),
        "a queue without one: {body}"
    );
}

#[tokio::test]
async fn a_function_without_mappings_gets_no_queue_line() {
    let moto = Moto::start().await;
    moto.create_function(FUNCTION).await;
    let (topic, alerts) = moto.topic_with_queue("guard").await;
    let run = handle(&topic, &report(FUNCTION, 17, ROOT)).run();
    assert_eq!(run.code, 0, "{run:?}");
    let delivered = moto.delivered(&alerts).await;
    let body = delivered[0]["Message"].as_str().expect("message");
    assert!(!body.contains("SQS") && !body.contains("mapping"), "{body}");
}

#[tokio::test]
async fn a_mapping_bound_to_an_alias_is_paused_and_resumed_too() {
    let moto = Moto::start().await;
    moto.create_function(FUNCTION).await;
    moto.reserve(FUNCTION, 25).await;
    let lambda = moto.lambda();
    let version = lambda.publish_version().function_name(FUNCTION).send().await.expect("publish version");
    let version = version.version().expect("version number").to_owned();
    lambda
        .create_alias()
        .function_name(FUNCTION)
        .name("live")
        .function_version(&version)
        .send()
        .await
        .expect("create alias");
    // Bound to the alias: not listed by the unqualified name.
    let live = moto.sqs_mapping(&format!("{FUNCTION}:live"), "live-queue", true).await;
    let unqualified = moto.sqs_mapping(FUNCTION, "jobs-queue", true).await;
    let (topic, _alerts) = moto.topic_with_queue("guard").await;

    let run = handle(&topic, &report(FUNCTION, 17, ROOT)).run();
    assert_eq!(run.json()["decisions"][0]["outcome"], "throttled", "{run:?}");
    assert_eq!(moto.mapping_state(&live).await, "Disabled", "the alias's poller is paused");
    assert_eq!(moto.mapping_state(&unqualified).await, "Disabled");
    let paused = moto.tags(FUNCTION).await.get(tags::PAUSED_MAPPINGS).cloned().unwrap_or_default();
    assert!(paused.contains(&live) && paused.contains(&unqualified), "{paused}");

    let run = Cli::new(Some(&topic), &["reenable", FUNCTION, "--force", "--json"]).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(moto.mapping_state(&live).await, "Enabled", "resumed with the others");
}
