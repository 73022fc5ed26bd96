//! `runaway-guard reenable` against moto through the real binary says exactly what is true: a healthy
//! function has nothing to do (no page, no grace period, even with `--force`); a second re-enable
//! says when and by whom; `--to N` restores a 0 without a record; a bad `--to` is refused before
//! any call. Run through `scripts/test.sh`.
#![cfg(feature = "guard")]

use crate::common::Moto;
use crate::common::guard::Cli;
use runaway_guard::ports::tags;

#[tokio::test]
async fn a_healthy_function_has_nothing_to_do_even_forced() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 25).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    moto.deploy_guard("runaway-guard", &topic, &[]).await;
    let before = moto.snapshot().await;

    for args in [["reenable", "orders-worker"].as_slice(), &["reenable", "orders-worker", "--force"]] {
        let run = Cli::new(Some(&topic), args).run();
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
        assert!(
            run.stdout
                .starts_with("orders-worker in 123456789012/us-east-1 is not tripped and not throttled"),
            "{}",
            run.stdout
        );
        assert!(run.stdout.contains("no alert sent, no grace period started"), "{}", run.stdout);
    }
    let json = Cli::new(Some(&topic), &["reenable", "orders-worker", "--json"]).run();
    assert_eq!(
        (json.json()["result"].as_str(), json.json()["reserved"].as_str()),
        (Some("nothing_to_do"), Some("25"))
    );
    assert_eq!(json.json()["account"], "123456789012");
    assert_eq!(moto.snapshot().await, before, "no reenabled-at tag: no grace period");
    assert!(moto.delivered(&queue).await.is_empty(), "nobody paged");
}

#[tokio::test]
async fn a_second_reenable_says_when_and_by_whom() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 12).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    moto.deploy_guard("runaway-guard", &topic, &[]).await;
    assert_eq!(Cli::new(Some(&topic), &["trip", "orders-worker", "--reason", "x"]).run().code, 0);
    // moto does not answer GetAccountSettings: the restore of 12 cannot be checked, so it is refused.
    let unchecked = Cli::new(Some(&topic), &["reenable", "orders-worker"]).run();
    assert_eq!(unchecked.code, 2, "{unchecked:?}");
    assert!(
        unchecked.stderr.contains("cannot read the account's unreserved concurrency")
            && unchecked.stderr.contains("--force"),
        "{}",
        unchecked.stderr
    );
    assert_eq!(moto.reserved("orders-worker").await, Some(0), "a refusal changes nothing");
    let first = Cli::new(Some(&topic), &["reenable", "orders-worker", "--force"]).run();
    assert_eq!(first.code, 0, "{first:?}");
    assert!(
        first.stdout.starts_with("Re-enabled orders-worker in 123456789012/us-east-1"),
        "{}",
        first.stdout
    );
    assert_eq!(moto.delivered(&queue).await.len(), 2, "the trip and the re-enable");

    let again = Cli::new(Some(&topic), &["reenable", "orders-worker", "--json"]).run();
    assert_eq!(again.code, 0, "{again:?}");
    let out = again.json();
    assert_eq!(out["result"], "already_reenabled", "{out}");
    assert!(out["by"].as_str().is_some_and(|by| by.starts_with("arn:aws:")), "{out}");
    assert!(out["at"].as_str().is_some_and(|at| at.starts_with("20")), "{out}");
    assert!(moto.delivered(&queue).await.is_empty(), "no second page");
    assert_eq!(moto.reserved("orders-worker").await, Some(12));
}

#[tokio::test]
async fn to_restores_a_zero_without_a_record_and_bad_values_are_refused() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 0).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    moto.deploy_guard("runaway-guard", &topic, &[]).await;
    let before = moto.snapshot().await;

    for to in ["0", "-1", "lots", ""] {
        let run = Cli::new(Some(&topic), &["reenable", "orders-worker", "--to", to]).run();
        assert_eq!(run.code, 2, "--to {to:?}: {run:?}");
        assert!(run.stderr.lines().count() == 1 && run.stderr.contains("--to"), "{}", run.stderr);
    }
    let refused = Cli::new(Some(&topic), &["reenable", "orders-worker"]).run();
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("--to N") && refused.stderr.contains("123456789012/us-east-1"),
        "{}",
        refused.stderr
    );
    assert_eq!(moto.snapshot().await, before);
    assert!(moto.delivered(&queue).await.is_empty());

    let run = Cli::new(Some(&topic), &["reenable", "orders-worker", "--to", "7", "--force", "--json"]).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        (run.json()["restored"].as_str(), run.json()["source"].as_str()),
        (Some("7"), Some("operator"))
    );
    assert_eq!(moto.reserved("orders-worker").await, Some(7));
    assert!(moto.tags("orders-worker").await.contains_key(tags::REENABLED_AT));
    assert_eq!(moto.delivered(&queue).await.len(), 1, "the re-enable is paged");
}
