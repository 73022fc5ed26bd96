//! Trip records that cannot be forged, end to end through the real binary against moto. The owner
//! of `attacker-fn` may tag only their own function; the records they write, or edit, are shown as
//! unverified and never acted on: `reenable` restores no value from them and resumes no mapping
//! they name, and the guard does not take them for its own trips. Genuine records round-trip.
//! Run through `scripts/test.sh` (it starts moto).
#![cfg(feature = "guard")]

use crate::common::Moto;
use crate::common::guard::{Cli, handle, report};
use runaway_guard::aws::LambdaThrottler;
use runaway_guard::name::FunctionName;
use runaway_guard::ports::{MappingId, Throttler, TripRecord, tags};
use runaway_guard::time::Timestamp;
use serde_json::Value;

const ROOT: &str = "1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d";

/// `attacker-fn` (reserved 5) and another team's `payments` with a deliberately disabled SQS mapping.
async fn two_teams(moto: &Moto) -> (String, String) {
    let arn = moto.create_function("attacker-fn").await;
    moto.reserve("attacker-fn", 5).await;
    moto.create_function("payments").await;
    let theirs = moto.sqs_mapping("payments", "payments-queue", false).await;
    (arn, theirs)
}

/// Tags `pairs` on the function `arn`, as its owner may.
async fn tag(moto: &Moto, arn: &str, pairs: &[(&str, &str)]) {
    let request = pairs.iter().fold(moto.lambda().tag_resource().resource(arn), |r, (k, v)| r.tags(*k, *v));
    request.send().await.expect("tag as the function's owner");
}

fn status_entry(moto_topic: &str, function: &str) -> Value {
    let run = Cli::new(Some(moto_topic), &["status", "--json"]).run();
    assert_eq!(run.code, 0, "{run:?}");
    let entries = run.json();
    let found = entries.as_array().expect("array").iter().find(|e| e["function"] == function).cloned();
    found.unwrap_or_else(|| panic!("{function} not listed: {entries}"))
}

#[tokio::test]
async fn a_forged_record_is_shown_unverified_and_reenable_changes_nothing() {
    let moto = Moto::start().await;
    let (arn, theirs) = two_teams(&moto).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    moto.deploy_guard("runaway-guard", &topic, &[]).await;
    let forged = [
        (tags::TRIPPED_AT, "2026-11-20T09:14:03Z"),
        (tags::PREVIOUS_CONCURRENCY, "900"),
        (tags::REASON, "manual"),
        (tags::PAUSED_MAPPINGS, theirs.as_str()),
    ];
    tag(&moto, &arn, &forged).await;
    let fake_mac = format!("v1:{}", "A".repeat(44));
    for (mac, check) in [(None, "unsigned"), (Some(fake_mac.as_str()), "invalid")] {
        if let Some(mac) = mac {
            tag(&moto, &arn, &[(tags::RECORD_MAC, mac)]).await;
        }
        let entry = status_entry(&topic, "attacker-fn");
        assert_eq!(entry["record_check"], check, "{entry}");
        assert!(
            entry["record_check_detail"].as_str().is_some_and(|d| d.starts_with("unverified")),
            "{entry}"
        );
        let table = Cli::new(Some(&topic), &["status"]).run();
        assert!(table.stdout.contains("UNVERIFIED: attacker-fn's trip record"), "{table:?}");

        let before = moto.snapshot().await;
        for args in [vec!["reenable", "attacker-fn"], vec!["reenable", "attacker-fn", "--force"]] {
            let run = Cli::new(Some(&topic), &args).run();
            assert_eq!(run.code, 2, "{args:?}: {run:?}");
            assert!(run.stderr.contains("never restores a value from it") && run.stderr.contains("--to N"));
            assert_eq!(moto.snapshot().await, before, "{args:?} changed something");
            assert_eq!(moto.mapping_state(&theirs).await, "Disabled", "the other team's mapping stays off");
        }
        assert!(moto.delivered(&queue).await.is_empty(), "no page");
    }
}

#[tokio::test]
async fn the_guard_does_not_take_a_forged_record_for_its_own_trip() {
    let moto = Moto::start().await;
    let (arn, _) = two_teams(&moto).await;
    let (topic, _queue) = moto.topic_with_queue("guard").await;
    tag(&moto, &arn, &[(tags::TRIPPED_AT, "2026-11-20T09:14:03Z"), (tags::PREVIOUS_CONCURRENCY, "900")])
        .await;
    let run = handle(&topic, &report("attacker-fn", 17, ROOT)).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["decisions"][0]["outcome"], "throttled", "not 'already tripped': {run:?}");
    assert_eq!(moto.reserved("attacker-fn").await, Some(0));
    let entry = status_entry(&topic, "attacker-fn");
    assert_eq!(
        (entry["record_check"].as_str(), entry["previous_concurrency"].as_str()),
        (Some("verified"), Some("5"))
    );
}

#[tokio::test]
async fn a_genuine_trip_round_trips_and_an_edit_after_signing_unverifies_it() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 25).await;
    let (topic, _queue) = moto.topic_with_queue("guard").await;
    moto.deploy_guard("runaway-guard", &topic, &[]).await;
    let trip = Cli::new(Some(&topic), &["trip", "orders-worker", "--reason", "runaway bill"]).run();
    assert_eq!(trip.code, 0, "{trip:?}");
    let entry = status_entry(&topic, "orders-worker");
    assert_eq!(
        (entry["record_check"].as_str(), entry["previous_concurrency"].as_str()),
        (Some("verified"), Some("25"))
    );
    let run = Cli::new(Some(&topic), &["reenable", "orders-worker", "--force", "--json"]).run();
    assert_eq!((run.code, run.json()["restored"].as_str()), (0, Some("25")), "{run:?}");
    assert_eq!(moto.reserved("orders-worker").await, Some(25));

    // Tripped again; then the function's owner raises the recorded value after the guard signed it.
    let trip = Cli::new(Some(&topic), &["trip", "orders-worker", "--reason", "again"]).run();
    assert_eq!(trip.code, 0, "{trip:?}");
    let arn = moto.lambda().get_function_configuration().function_name("orders-worker").send().await;
    let arn = arn.expect("configuration").function_arn().expect("ARN").to_owned();
    tag(&moto, &arn, &[(tags::PREVIOUS_CONCURRENCY, "900")]).await;
    assert_eq!(status_entry(&topic, "orders-worker")["record_check"], "invalid");
    let before = moto.snapshot().await;
    let refused = Cli::new(Some(&topic), &["reenable", "orders-worker", "--force"]).run();
    assert_eq!(refused.code, 2, "{refused:?}");
    assert_eq!(moto.snapshot().await, before);

    // The operator names the value: restored, and the edited record is gone.
    let run = Cli::new(Some(&topic), &["reenable", "orders-worker", "--to", "25", "--force", "--json"]).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        (run.json()["restored"].as_str(), run.json()["source"].as_str()),
        (Some("25"), Some("operator"))
    );
    assert_eq!(moto.reserved("orders-worker").await, Some(25));
    let tags = moto.tags("orders-worker").await;
    assert!(!tags.contains_key(tags::TRIPPED_AT) && !tags.contains_key(tags::RECORD_MAC), "{tags:?}");
}

#[tokio::test]
async fn a_verified_record_naming_another_functions_mapping_does_not_resume_it() {
    let moto = Moto::start().await;
    let (_, theirs) = two_teams(&moto).await;
    let mine = moto.sqs_mapping("attacker-fn", "attacker-queue", false).await;
    let (topic, _queue) = moto.topic_with_queue("guard").await;
    // A record signed with the real key (an operator's slip, or a bug) that names both mappings.
    let signed = LambdaThrottler::new(&moto.config).with_signer(Some(moto.record_signer()));
    let function = FunctionName::new("attacker-fn").expect("name");
    let record = TripRecord {
        tripped_at: Timestamp::now(),
        previous_concurrency: Some(5),
        reason: "manual".into(),
        alert_pending: false,
        paused_mappings: [&mine, &theirs].map(|id| MappingId::new(id).expect("uuid")).to_vec(),
        tripped_by: None,
        parked: None,
    };
    signed.write_trip_record(&function, &record).await.expect("signed record");
    signed.set_reserved_concurrency(&function, Some(0)).await.expect("throttle");
    assert_eq!(status_entry(&topic, "attacker-fn")["record_check"], "verified");

    let run = Cli::new(Some(&topic), &["reenable", "attacker-fn", "--force", "--json"]).run();
    assert_eq!(run.code, 0, "{run:?}");
    let out = run.json();
    assert_eq!(out["resumed_mappings"], serde_json::json!([mine]), "{out}");
    let warned = out["warnings"].as_array().expect("warnings").iter().any(|w| {
        w.as_str().is_some_and(|w| w.contains(theirs.as_str()) && w.contains("does not feed attacker-fn"))
    });
    assert!(warned, "{out}");
    assert_eq!(moto.mapping_state(&mine).await, "Enabled");
    assert_eq!(moto.mapping_state(&theirs).await, "Disabled", "another function's mapping stays off");
    assert_eq!(moto.reserved("attacker-fn").await, Some(5));
}

#[tokio::test]
async fn a_guard_without_the_record_key_writes_records_nobody_restores_from() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 25).await;
    let (topic, _queue) = moto.topic_with_queue("guard").await;
    let keyless =
        |args: &[&str]| Cli::new(Some(&topic), args).env_remove("RUNAWAY_GUARD_RECORD_KEY_ARN").run();
    // No guard deployed: this shell's keyless settings apply only when forced.
    assert_eq!(keyless(&["trip", "orders-worker", "--reason", "x"]).code, 2);
    assert_eq!(keyless(&["trip", "orders-worker", "--reason", "x", "--force"]).code, 0);
    assert!(!moto.tags("orders-worker").await.contains_key(tags::RECORD_MAC));
    // The signing deployment (and this one) sees an unsigned record: honest, and restorable with --to.
    assert_eq!(status_entry(&topic, "orders-worker")["record_check"], "unsigned");
    assert_eq!(keyless(&["reenable", "orders-worker", "--force"]).code, 2);
    let run = keyless(&["reenable", "orders-worker", "--to", "25", "--force"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(moto.reserved("orders-worker").await, Some(25));
}

/// What Lambda's `GetAccountSettings` answers for an account with `unreserved` executions to spare.
fn account_settings(unreserved: u32) -> &'static str {
    let body = format!(
        r#"{{"AccountLimit":{{"ConcurrentExecutions":1000,"UnreservedConcurrentExecutions":{unreserved},"CodeSizeUnzipped":262144000,"CodeSizeZipped":52428800,"TotalCodeSize":80530636800}},"AccountUsage":{{"FunctionCount":2,"TotalCodeSize":0}}}}"#
    );
    Box::leak(body.into_boxed_str())
}

#[tokio::test]
async fn reenable_never_leaves_the_account_fewer_than_100_unreserved_without_force() {
    use crate::common::fault_proxy::{ALWAYS, Fault, FaultProxy, attempts};
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 900).await;
    let (topic, _queue) = moto.topic_with_queue("guard").await;
    moto.deploy_guard("runaway-guard", &topic, &[]).await;
    assert_eq!(Cli::new(Some(&topic), &["trip", "orders-worker", "--reason", "x"]).run().code, 0);
    let proxy = FaultProxy::start(&moto.endpoint);
    let reenable = |args: &[&str]| Cli::new(Some(&topic), args).env("AWS_ENDPOINT_URL", &proxy.url).run();

    // Lambda says 950 are unreserved: putting 900 back would leave 50.
    proxy.fail("GetAccountSettings", ALWAYS, Fault::Answer(account_settings(950)));
    let before = moto.snapshot().await;
    let refused = reenable(&["reenable", "orders-worker"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("fewer than 100 unreserved") && refused.stderr.contains("950"),
        "{refused:?}"
    );
    assert_eq!(moto.snapshot().await, before, "a refusal changes nothing");

    // Forced: the settings are not read at all.
    proxy.take_log();
    let forced = reenable(&["reenable", "orders-worker", "--force", "--json"]);
    assert_eq!((forced.code, forced.json()["restored"].as_str()), (0, Some("900")), "{forced:?}");
    assert_eq!(attempts(&proxy.take_log(), "GetAccountSettings"), [], "--force reads no account settings");

    // With room to spare the record restores without --force.
    assert_eq!(Cli::new(Some(&topic), &["trip", "orders-worker", "--reason", "y"]).run().code, 0);
    proxy.fail("GetAccountSettings", ALWAYS, Fault::Answer(account_settings(1000)));
    let fits = reenable(&["reenable", "orders-worker", "--json"]);
    assert_eq!((fits.code, fits.json()["restored"].as_str()), (0, Some("900")), "{fits:?}");

    // Denied: it says it cannot read them, and refuses.
    assert_eq!(Cli::new(Some(&topic), &["trip", "orders-worker", "--reason", "z"]).run().code, 0);
    proxy.fail("GetAccountSettings", ALWAYS, Fault::Deny403);
    let denied = reenable(&["reenable", "orders-worker"]);
    assert_eq!(denied.code, 2, "{denied:?}");
    assert!(denied.stderr.contains("cannot read the account's unreserved concurrency"), "{denied:?}");
    assert_eq!(moto.reserved("orders-worker").await, Some(0));
}

#[tokio::test]
async fn a_record_that_cannot_be_signed_is_not_written_and_the_alert_names_the_restore() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 25).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let missing_key = "arn:aws:kms:us-east-1:123456789012:alias/no-such-key";
    // No guard deployed: the shell's (missing) key applies to a forced trip.
    let run = Cli::new(Some(&topic), &["trip", "orders-worker", "--reason", "x", "--force"])
        .env("RUNAWAY_GUARD_RECORD_KEY_ARN", missing_key)
        .run();
    assert_eq!(run.code, 0, "contained and paged: {run:?}");
    assert_eq!(moto.reserved("orders-worker").await, Some(0), "the throttle does not wait for the key");
    let tags = moto.tags("orders-worker").await;
    assert!(!tags.contains_key(tags::TRIPPED_AT), "no unsigned record is written: {tags:?}");
    let alerts = moto.delivered(&queue).await;
    let body = alerts[0]["Message"].as_str().expect("message");
    assert!(body.contains("GenerateMac") && body.contains("reenable orders-worker --to 25"), "{body}");
}

#[tokio::test]
async fn a_genuine_record_copied_back_later_is_replaced_by_the_next_trip() {
    let moto = Moto::start().await;
    let arn = moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 900).await;
    let (topic, _queue) = moto.topic_with_queue("guard").await;
    moto.deploy_guard("runaway-guard", &topic, &[]).await;
    assert_eq!(Cli::new(Some(&topic), &["trip", "orders-worker", "--reason", "x"]).run().code, 0);
    let old: Vec<(String, String)> =
        moto.tags("orders-worker").await.into_iter().filter(|(k, _)| k != tags::ALERT_PENDING).collect();
    assert!(old.iter().any(|(k, _)| k == tags::RECORD_MAC), "{old:?}");
    assert_eq!(Cli::new(Some(&topic), &["reenable", "orders-worker", "--force"]).run().code, 0);
    moto.reserve("orders-worker", 10).await; // the platform team lowers it

    // The owner copies the old, genuinely signed record back (and removes the re-enable's mark, so
    // the record looks in force): it verifies, but names 900.
    let pairs: Vec<(&str, &str)> = old.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    tag(&moto, &arn, &pairs).await;
    let untag = moto.lambda().untag_resource().resource(&arn).tag_keys(tags::REENABLED_AT);
    untag.tag_keys(tags::REENABLED_BY).send().await.expect("untag as the owner");
    let entry = status_entry(&topic, "orders-worker");
    assert_eq!(entry["record_check"], "outdated", "{entry}");
    let before = moto.snapshot().await;
    let refused = Cli::new(Some(&topic), &["reenable", "orders-worker", "--force"]).run();
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("it names 900"), "{refused:?}");
    assert_eq!(moto.snapshot().await, before, "900 is not put back");
    let run = handle(&topic, &report("orders-worker", 17, ROOT)).run();
    assert_eq!(run.json()["decisions"][0]["outcome"], "throttled", "{run:?}");
    let entry = status_entry(&topic, "orders-worker");
    let shown = (entry["record_check"].as_str(), entry["previous_concurrency"].as_str());
    assert_eq!(shown, (Some("verified"), Some("10")), "the guard's fresh record: {entry}");
}
