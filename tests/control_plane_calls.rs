//! How many Lambda control-plane calls the guard makes, counted by the budgeted Lambda client's
//! HTTP layer (`runaway_guard::aws::budget::calls`) against moto: per trip, per judged function
//! and per 10,000-record batch. The figures are printed (`--nocapture`) and written in
//! docs/benchmarks.md; the asserts hold each to a bound. Run through `scripts/test.sh` (it starts
//! moto).
#![cfg(feature = "guard")]

use std::collections::BTreeMap;

use crate::common::guard::{fixture, report, reports};
use crate::common::{ACCOUNT, Moto};
use runaway_guard::aws::{CloudWatchMetrics, LambdaThrottler, SnsNotifier, budget};
use runaway_guard::config::Config;
use runaway_guard::handler::Guard;
use runaway_guard::report::{Outcome, Report};
use runaway_guard::time::Timestamp;

type AwsGuard = Guard<LambdaThrottler, CloudWatchMetrics, SnsNotifier>;

fn guard(moto: &Moto, topic: &str) -> AwsGuard {
    let throttler = LambdaThrottler::new(&moto.config).with_signer(Some(moto.record_signer()));
    let notifier = SnsNotifier::new(&moto.config, topic);
    Guard::new(Config::default(), throttler, CloudWatchMetrics::new(&moto.config), notifier)
        .with_location(Some(ACCOUNT.into()), Some("us-east-1".into()))
}

/// The calls `event` makes, by operation.
async fn counted(guard: &AwsGuard, event: &[u8]) -> (Report, BTreeMap<String, u64>) {
    let before = budget::calls();
    let report = guard.handle_bytes(event, Timestamp::now()).await.expect("event parses");
    let after = budget::calls();
    let made = after
        .into_iter()
        .map(|(op, n)| (op.clone(), n - before.get(&op).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect();
    (report, made)
}

fn print(what: &str, made: &BTreeMap<String, u64>) -> u64 {
    let total: u64 = made.values().sum();
    println!("{what}: {total} Lambda calls");
    for (op, n) in made {
        println!("  {n:>4}  {op}");
    }
    total
}

fn contributor(function: &str) -> Vec<u8> {
    let text =
        std::fs::read_to_string(fixture("eventbridge-contributor-state-change.json")).expect("fixture");
    text.replace("111122223333", ACCOUNT).replace("orders-worker", function).into_bytes()
}

#[tokio::test]
async fn lambda_calls_per_trip_per_judged_function_and_per_batch() {
    let moto = Moto::start().await;
    let (topic, _alerts) = moto.topic_with_queue("guard").await;
    let guard = guard(&moto, &topic);

    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 25).await;
    moto.sqs_mapping("orders-worker", "jobs-queue", true).await;
    let (trip, made) = counted(
        &guard,
        report("orders-worker", 17, "1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d").to_string().as_bytes(),
    )
    .await;
    assert_eq!(trip.decisions[0].outcome, Outcome::Throttled, "{trip:?}");
    let per_trip = print("one trip (a function with one SQS mapping)", &made);
    assert_eq!(made.get("PUT /2017-10-31/functions/{}/concurrency"), Some(&1), "{made:?}");
    assert!(per_trip <= 20, "{made:?}");

    moto.create_function("billing").await;
    let (judged, made) = counted(&guard, &contributor("billing")).await;
    assert!(judged.decisions.is_empty(), "no metrics in moto: left alone, {judged:?}");
    let per_judged = print("one judged function (a contributor event)", &made);
    assert!(per_judged <= 12, "{made:?}");

    let emitters: Vec<String> = (0..50).map(|i| format!("emitter-{i:02}")).collect();
    for name in &emitters {
        moto.create_function(name).await;
    }
    let roots: Vec<String> = (0..1_000).map(|i| format!("1-673dc1a2-{i:024x}")).collect();
    let list: Vec<(&str, u64, &str)> =
        (0..10_000).map(|i| (emitters[i % 50].as_str(), 3, roots[i % 1_000].as_str())).collect();
    let (batch, made) = counted(&guard, reports(&list).to_string().as_bytes()).await;
    assert!(batch.decisions.is_empty(), "depth 3 trips nothing: {:?}", batch.decisions);
    let per_batch = print("one batch of 10,000 reports from 50 emitters", &made);
    assert!(per_batch <= 50, "{made:?}");
}
