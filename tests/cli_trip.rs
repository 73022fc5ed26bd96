//! The manual kill switch through the real binary against moto: any reason a person types is taken
//! (the alert carries it as written, the record what a tag value holds, and the CLI says when they
//! differ); `--dry-run` changes nothing, says what a real trip would page and pages "DRY RUN" only.
//! Run through `scripts/test.sh`.
#![cfg(feature = "guard")]

use crate::common::Moto;
use crate::common::guard::Cli;
use runaway_guard::ports::tags;

const GUARD: &str = "runaway-guard";

#[tokio::test]
async fn any_reason_is_taken_the_record_says_what_it_kept_and_the_alert_has_it_as_written() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    moto.deploy_guard(GUARD, &topic, &[]).await;
    let before = moto.snapshot().await;
    for reason in ["", "  ", "manual:"] {
        let run = Cli::new(Some(&topic), &["trip", "orders-worker", "--reason", reason]).run();
        assert_eq!(run.code, 2, "{reason:?}: {run:?}");
        assert!(run.stderr.contains("--reason"), "{}", run.stderr);
    }
    assert_eq!(moto.snapshot().await, before);

    let run = Cli::new(Some(&topic), &["trip", "orders-worker", "--reason", "manual: stop it"]).run();
    assert_eq!(run.code, 0, "{run:?}");
    let first = run.stdout.lines().next().expect("a sentence");
    assert!(first.starts_with("Tripped orders-worker in 123456789012/us-east-1"), "{}", run.stdout);
    assert!(run.stdout.contains("Restore with: runaway-guard reenable orders-worker"), "{}", run.stdout);
    assert!(!run.stdout.contains("note:"), "stored unchanged, nothing to say: {}", run.stdout);
    assert_eq!(moto.tags("orders-worker").await[tags::REASON], "manual: stop it", "stored as given");
    let alerts = moto.delivered(&queue).await;
    let body = alerts[0]["Message"].as_str().expect("message");
    assert!(body.contains("Tripped by: arn:aws:") && !body.contains("manual: manual:"), "{body}");
    assert_eq!(Cli::new(None, &["reenable", "orders-worker"]).run().code, 0);

    let typed = "loop via EventBridge, see INC-42 (\"orders\" <-> billing)";
    let run = Cli::new(None, &["trip", "orders-worker", "--reason", typed]).run();
    assert_eq!(run.code, 0, "punctuation is never refused: {run:?}");
    let stored = &moto.tags("orders-worker").await[tags::REASON];
    assert_eq!(
        runaway_guard::aws::trip_tags::text::decode(stored),
        format!("manual: {typed}"),
        "kept exactly"
    );
    assert!(!run.stdout.contains("note:"), "nothing to say: {}", run.stdout);
    let alerts = moto.delivered(&queue).await;
    let body = alerts.last().and_then(|a| a["Message"].as_str()).expect("message");
    assert!(body.contains("loop via EventBridge, see INC-42"), "the alert has it as written: {body}");
    assert_eq!(Cli::new(None, &["reenable", "orders-worker"]).run().code, 0);

    let long = format!("INC-42: {}", "the queue re-sends every message ".repeat(10));
    let run = Cli::new(None, &["trip", "orders-worker", "--reason", &long, "--json"]).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["decisions"][0]["outcome"], "throttled");
    assert!(run.stderr.contains("cut to fit a Lambda tag value"), "{}", run.stderr);
    let kept = &moto.tags("orders-worker").await[tags::REASON];
    assert!(kept.starts_with("manual: INC-42: the queue") && kept.chars().count() <= 256, "{kept}");
    assert!(runaway_guard::aws::trip_tags::text::decode(kept).ends_with(" (truncated)"), "{kept}");
}

#[tokio::test]
async fn a_dry_run_says_what_would_be_paged_and_pages_dry_run_only() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 300).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    moto.deploy_guard(GUARD, &topic, &[]).await;
    let before = moto.snapshot().await;

    let run = Cli::new(None, &["trip", "orders-worker", "--reason", "looks wrong", "--dry-run"]).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(moto.snapshot().await, before, "nothing changed");
    assert!(!run.stdout.contains("On-call was paged"), "{}", run.stdout);
    assert!(
        run.stdout.contains("reserved concurrency 300 would become 0; nothing was changed"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Sent one alert marked DRY RUN"), "{}", run.stdout);
    let would =
        format!("A real trip would page {topic} with \"THROTTLED orders-worker: manual: looks wrong\"");
    assert!(run.stdout.contains(&would), "{}", run.stdout);
    let alerts = moto.delivered(&queue).await;
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let body = alerts[0]["Message"].as_str().expect("message");
    assert!(body.contains("DRY RUN: runaway-guard WOULD THROTTLE orders-worker"), "{body}");
    assert!(body.contains("Reserved concurrency: 300 (unchanged: dry run)"), "{body}");
    assert!(!body.contains("re-enable restores it"), "nothing happened to restore: {body}");
}
