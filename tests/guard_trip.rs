//! The trip flow end to end through the real binary against moto: throttle, record, alert,
//! re-enable; idempotency; exemptions; dry run; the blast-radius cap; per-function depth tags.
//! Run through `scripts/test.sh` (it starts moto).
#![cfg(feature = "guard")]

use crate::common::guard::{Cli, attribute, handle, machine_block, report, reports};
use crate::common::{FunctionSpec, Moto};
use runaway_guard::ports::tags;

const ROOT: &str = "1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d";

fn trip_tags_present(tags: &std::collections::HashMap<String, String>) -> bool {
    [tags::TRIPPED_AT, tags::PREVIOUS_CONCURRENCY, tags::REASON].iter().all(|k| tags.contains_key(*k))
}

/// DESIGN.md: a subject naming function and why (≤100 chars), the previous concurrency, what happens to
/// events meanwhile, the exact re-enable command, a JSON block, and the filter-policy attributes.
fn assert_says_what_design_md_says(alert: &serde_json::Value) {
    let subject = alert["Subject"].as_str().expect("subject");
    assert!(subject.len() <= 100, "{subject}");
    assert!(subject.contains("THROTTLED") && subject.contains("orders-worker"), "{subject}");
    assert!(subject.contains("depth 17"), "subject says why: {subject}");
    let body = alert["Message"].as_str().expect("message");
    assert!(body.contains("Previous reserved concurrency: 25"), "{body}");
    assert!(body.contains("DROPPED"), "no DLQ: async events are dropped, and the alert says so: {body}");
    assert!(body.contains("runaway-guard reenable orders-worker --region us-east-1\n"), "{body}");
    let machine = machine_block(alert);
    assert_eq!(machine["function"], "orders-worker");
    assert_eq!(machine["outcome"], "throttled");
    assert_eq!(machine["previous_concurrency"], "25");
    assert_eq!(machine["reenable_command"], "runaway-guard reenable orders-worker --region us-east-1");
    assert_eq!(attribute(alert, "function"), "orders-worker");
    assert_eq!(attribute(alert, "reason"), "depth");
    assert_eq!(attribute(alert, "outcome"), "throttled");
    assert_eq!(attribute(alert, "region"), "us-east-1");
    assert_eq!(attribute(alert, "account"), crate::common::ACCOUNT);
}

#[tokio::test]
async fn throttles_alerts_and_reenable_restores_the_previous_reservation() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 25).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    moto.deploy_guard("runaway-guard", &topic, &[]).await;

    // The function's own report of its 17th hop, sent straight to the chain queue with its role.
    let event = report("orders-worker", 17, ROOT).to_string();
    let run = Cli::new(Some(&topic), &["handle", "-"]).stdin(event).run();
    assert_eq!(run.code, 0, "{run:?}");
    let report = run.json();
    let decision = &report["decisions"][0];
    assert_eq!(decision["function"], "orders-worker");
    assert_eq!(decision["outcome"], "throttled");
    assert_eq!(decision["rule"], "depth");
    assert_eq!(decision["previous_concurrency"], "25");
    assert_eq!(moto.reserved("orders-worker").await, Some(0));
    let tags = moto.tags("orders-worker").await;
    assert_eq!(tags[tags::PREVIOUS_CONCURRENCY], "25");
    assert!(tags[tags::REASON].contains("17"), "{tags:?}");
    assert!(runaway_guard::time::Timestamp::parse_rfc3339(&tags[tags::TRIPPED_AT]).is_some(), "{tags:?}");
    assert!(!tags.contains_key(tags::ALERT_PENDING), "alert went out, pending flag must be cleared");

    let alerts = moto.delivered(&queue).await;
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert_says_what_design_md_says(&alerts[0]);

    // --force: moto has no GetAccountSettings to check the restore of 25 against.
    let run = Cli::new(Some(&topic), &["reenable", "orders-worker", "--force", "--json"]).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["restored"], "25");
    assert_eq!(moto.reserved("orders-worker").await, Some(25));
    let tags = moto.tags("orders-worker").await;
    assert!(!trip_tags_present(&tags) && !tags.contains_key(tags::TRIPPED_AT), "{tags:?}");
    assert!(tags.contains_key(tags::REENABLED_AT), "{tags:?}");
    let alerts = moto.delivered(&queue).await;
    assert_eq!(alerts.len(), 1, "one re-enable alert: {alerts:#?}");
    let body = alerts[0]["Message"].as_str().expect("message");
    assert!(body.contains("re-enabled by arn:aws:"), "{body}");

    let again = Cli::new(Some(&topic), &["reenable", "orders-worker"]).run();
    assert_eq!(again.code, 0, "a second re-enable has nothing to do: {again:?}");
    assert!(
        again.stdout.contains("was already re-enabled at") && again.stdout.contains("by arn:aws:"),
        "{again:?}"
    );
    assert_eq!(moto.reserved("orders-worker").await, Some(25));
    assert_eq!(moto.delivered(&queue).await.len(), 0, "and pages nobody");
}

#[tokio::test]
async fn without_a_reservation_reenable_deletes_the_reservation() {
    let moto = Moto::start().await;
    // moto 5.2.5 drops DeadLetterConfig on create; the on-failure destination is the other way AWS names.
    let dest = "arn:aws:sqs:us-east-1:123456789012:thumbs-failed";
    let spec = FunctionSpec { on_failure: Some(dest), ..FunctionSpec::default() };
    moto.create_function_with("thumbnailer", spec).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    moto.deploy_guard("runaway-guard", &topic, &[]).await;

    let run = handle(&topic, &report("thumbnailer", 17, ROOT)).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["decisions"][0]["previous_concurrency"], "none");
    assert_eq!(moto.reserved("thumbnailer").await, Some(0));
    assert_eq!(moto.tags("thumbnailer").await[tags::PREVIOUS_CONCURRENCY], "none");
    let alerts = moto.delivered(&queue).await;
    let body = alerts[0]["Message"].as_str().expect("message");
    assert!(body.contains(&format!("on-failure destination {dest}")), "names where events go: {body}");

    let run = Cli::new(Some(&topic), &["reenable", "thumbnailer", "--json"]).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["restored"], "none");
    assert_eq!(moto.reserved("thumbnailer").await, None, "DeleteFunctionConcurrency, not Put");
    assert!(!trip_tags_present(&moto.tags("thumbnailer").await));
}

#[tokio::test]
async fn a_second_event_changes_nothing_and_sends_no_second_alert() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 25).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let event = report("orders-worker", 17, ROOT);

    assert_eq!(handle(&topic, &event).run().code, 0);
    let after_first = moto.snapshot().await;
    assert_eq!(moto.delivered(&queue).await.len(), 1);

    let second = handle(&topic, &report("orders-worker", 18, ROOT)).run();
    assert_eq!(second.code, 0, "{second:?}");
    assert_eq!(second.outcomes(), [("orders-worker".to_owned(), "already_tripped".to_owned())]);
    assert_eq!(moto.snapshot().await, after_first, "tags and concurrency unchanged");
    assert!(moto.delivered(&queue).await.is_empty(), "no second alert");
    assert_eq!(moto.tags("orders-worker").await[tags::PREVIOUS_CONCURRENCY], "25", "never 0");
}

#[tokio::test]
async fn a_reservation_of_zero_set_by_hand_is_never_recorded_as_previous() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 0).await;
    let (topic, _queue) = moto.topic_with_queue("guard").await;
    let before = moto.snapshot().await;

    let run = handle(&topic, &report("orders-worker", 17, ROOT)).run();
    assert_eq!(run.outcomes(), [("orders-worker".to_owned(), "already_tripped".to_owned())]);
    assert_eq!(moto.snapshot().await, before, "no record claiming previous = 0");
}

#[tokio::test]
async fn exempt_tag_env_and_the_guard_itself_are_never_touched() {
    let moto = Moto::start().await;
    let exempt = FunctionSpec { tags: &[(tags::EXEMPT, "true")], ..FunctionSpec::default() };
    moto.create_function_with("payments", exempt).await;
    moto.create_function("billing-export").await;
    moto.create_function("runaway-guard-prod").await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let before = moto.snapshot().await;

    let batch = reports(&[
        ("payments", 17, ROOT),
        ("billing-export", 17, "root-2"),
        ("runaway-guard-prod", 17, "root-3"),
    ]);
    let run = handle(&topic, &batch)
        .env("RUNAWAY_GUARD_EXEMPT", "billing-export,someone-else")
        .env("AWS_LAMBDA_FUNCTION_NAME", "runaway-guard-prod")
        .run();
    assert_eq!(run.code, 0, "{run:?}");
    let exempt = |f: &str| (f.to_owned(), "exempt".to_owned());
    assert_eq!(run.outcomes(), [exempt("billing-export"), exempt("payments"), exempt("runaway-guard-prod")]);
    assert_eq!(moto.snapshot().await, before);
    assert!(moto.delivered(&queue).await.is_empty(), "exempt functions are not alerted on");
}

#[tokio::test]
async fn dry_run_alerts_would_throttle_and_mutates_nothing() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 25).await;
    moto.create_function("thumbnailer").await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let before = moto.snapshot().await;

    let by_env = handle(&topic, &report("orders-worker", 17, ROOT)).env("RUNAWAY_GUARD_DRY_RUN", "true");
    let by_flag = Cli::new(Some(&topic), &["handle", "--dry-run", "-"])
        .stdin(report("thumbnailer", 40, "root-2").to_string());
    for (run, function) in [(by_env.run(), "orders-worker"), (by_flag.run(), "thumbnailer")] {
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(run.outcomes(), [(function.to_owned(), "would_throttle".to_owned())]);
    }
    assert_eq!(moto.snapshot().await, before);
    let alerts = moto.delivered(&queue).await;
    assert_eq!(alerts.len(), 2, "{alerts:#?}");
    for alert in &alerts {
        assert!(alert["Subject"].as_str().expect("subject").starts_with("WOULD THROTTLE"), "{alert}");
        assert_eq!(attribute(alert, "outcome"), "would_throttle");
    }
}

#[tokio::test]
async fn the_blast_radius_cap_throttles_two_and_caps_the_rest() {
    let moto = Moto::start().await;
    let names = ["fn-a", "fn-b", "fn-c", "fn-d"];
    for name in names {
        moto.create_function(name).await;
    }
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let before = moto.snapshot().await;

    let roots: Vec<String> = names.iter().map(|f| format!("root-{f}")).collect();
    let list: Vec<(&str, u64, &str)> = names.iter().zip(&roots).map(|(f, r)| (*f, 17, r.as_str())).collect();
    let run = handle(&topic, &reports(&list)).env("RUNAWAY_GUARD_MAX_TRIPS_PER_HOUR", "2").run();
    assert_eq!(run.code, 0, "{run:?}");
    let outcomes = run.outcomes();
    let throttled: Vec<_> = outcomes.iter().filter(|(_, o)| o == "throttled").map(|(f, _)| f).collect();
    let capped: Vec<_> = outcomes.iter().filter(|(_, o)| o == "capped").map(|(f, _)| f).collect();
    assert_eq!((throttled.len(), capped.len()), (2, 2), "{outcomes:?}");
    for f in &throttled {
        assert_eq!(moto.reserved(f).await, Some(0));
    }
    let after = moto.snapshot().await;
    for f in &capped {
        assert_eq!(after[f.as_str()], before[f.as_str()], "capped {f} must not be mutated");
    }
    let alerts = moto.delivered(&queue).await;
    let capped_alerts = alerts.iter().filter(|a| attribute(a, "outcome") == "capped").count();
    assert_eq!(capped_alerts, 2, "on-call still hears about capped offenders: {alerts:#?}");
}

#[tokio::test]
async fn a_max_depth_tag_raises_the_limit_for_that_function() {
    let moto = Moto::start().await;
    let deep = FunctionSpec { tags: &[(tags::MAX_DEPTH, "20")], ..FunctionSpec::default() };
    moto.create_function_with("crawler", deep).await;
    let (topic, _queue) = moto.topic_with_queue("guard").await;
    let before = moto.snapshot().await;

    let within = handle(&topic, &report("crawler", 20, ROOT)).run();
    assert_eq!(within.outcomes(), [("crawler".to_owned(), "exempt".to_owned())], "{within:?}");
    assert_eq!(moto.snapshot().await, before);

    let over = handle(&topic, &report("crawler", 21, ROOT)).run();
    assert_eq!(over.outcomes(), [("crawler".to_owned(), "throttled".to_owned())], "{over:?}");
    assert_eq!(moto.reserved("crawler").await, Some(0));
}

#[tokio::test]
async fn a_max_depth_tag_lower_than_the_default_sets_the_limit() {
    let moto = Moto::start().await;
    let shallow = FunctionSpec { tags: &[(tags::MAX_DEPTH, "4")], ..FunctionSpec::default() };
    moto.create_function_with("fanout", shallow).await;
    moto.create_function("untagged").await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let before = moto.snapshot().await;

    let within = handle(&topic, &report("fanout", 4, ROOT)).run();
    assert_eq!((within.code, within.outcomes()), (0, vec![]), "depth 4 is within the tag: {within:?}");
    let untagged = handle(&topic, &report("untagged", 5, ROOT)).run();
    assert_eq!(untagged.outcomes(), vec![], "the default of 16 applies: {untagged:?}");
    assert_eq!(moto.snapshot().await, before);

    let over = handle(&topic, &report("fanout", 5, ROOT)).run();
    assert_eq!(over.outcomes(), [("fanout".to_owned(), "throttled".to_owned())], "{over:?}");
    assert!(
        over.json()["decisions"][0]["reason"].as_str().is_some_and(|r| r.contains("limit 4")),
        "{over:?}"
    );
    assert_eq!(moto.reserved("fanout").await, Some(0));
    assert_eq!(moto.delivered(&queue).await.len(), 1);
}

/// `reenable` says exactly what is true, through the SDK against moto: a healthy function needs
/// nothing (no page, no grace tag, even with `--force`); a second re-enable says when and by whom.
#[tokio::test]
async fn reenable_of_a_healthy_function_pages_no_one_and_a_second_one_says_when_and_by_whom() {
    use runaway_guard::operator::{self, ReenableOutcome, ReenablePorts, ReenableRequest};
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 25).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let ports = runaway_guard::clients::AwsPorts::load(Some(topic.clone()))
        .await
        .with_record_key(Some(crate::common::RECORD_KEY_ARN.to_owned()));
    let function = runaway_guard::name::FunctionName::new("orders-worker").expect("name");
    let reenable = |force| {
        let request = ReenableRequest { function: function.clone(), to: None, force };
        let ports = ReenablePorts {
            throttler: &ports.throttler,
            notifier: &ports.notifier,
            identity: &ports.identity,
        };
        async move { operator::reenable(ports, None, &request, runaway_guard::time::Timestamp::now()).await }
    };
    for force in [false, true] {
        let outcome = reenable(force).await.expect("reenable");
        assert!(matches!(outcome, ReenableOutcome::NothingToDo { reserved: Some(25), .. }), "{outcome:?}");
    }
    assert!(moto.delivered(&queue).await.is_empty(), "no RE-ENABLED page");
    assert!(!moto.tags("orders-worker").await.contains_key(tags::REENABLED_AT), "no grace period");

    assert_eq!(handle(&topic, &report("orders-worker", 17, ROOT)).run().code, 0);
    assert!(matches!(reenable(true).await.expect("reenable"), ReenableOutcome::Restored(_)));
    let again = reenable(false).await.expect("second reenable");
    let ReenableOutcome::AlreadyReenabled { by, reserved, .. } = again else { panic!("{again:?}") };
    assert_eq!(reserved, Some(25));
    assert!(by.as_deref().is_some_and(|b| b.starts_with("arn:aws:")), "{by:?}");
}
