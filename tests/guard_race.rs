//! Races against moto: two guard instances tripping one function at once, and a re-enable racing a
//! trip. Lambda's tag API has no conditional writes, so the guarantee is about the record, not the
//! alert count: the recorded previous concurrency is the true one, never 0, and a function is never
//! left at 0 without a record. Run through `scripts/test.sh` (it starts moto).
#![cfg(feature = "guard")]

use crate::common::Moto;
use crate::common::guard::report;
use runaway_guard::clients::AwsPorts;
use runaway_guard::config::Config;
use runaway_guard::name::FunctionName;
use runaway_guard::ports::tags;
use runaway_guard::report::Outcome;
use runaway_guard::time::Timestamp;

const ROOT: &str = "1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d";

async fn guard(
    topic: &str,
) -> runaway_guard::handler::Guard<
    runaway_guard::aws::LambdaThrottler,
    runaway_guard::aws::CloudWatchMetrics,
    runaway_guard::clients::TopicNotifier,
> {
    AwsPorts::load(Some(topic.to_owned()))
        .await
        .with_record_key(Some(crate::common::RECORD_KEY_ARN.to_owned()))
        .guard(Config::default(), None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_guards_tripping_one_function_keep_the_true_previous_concurrency() {
    let moto = Moto::start().await;
    moto.create_function("orders").await;
    moto.reserve("orders", 25).await;
    let (topic, queue) = moto.topic_with_queue("race").await;
    let (a, b) = (guard(&topic).await, guard(&topic).await);
    let event = serde_json::to_vec(&report("orders", 17, ROOT)).expect("event");
    let now = Timestamp::now();
    let (ra, rb) = tokio::join!(a.handle_bytes(&event, now), b.handle_bytes(&event, now));
    let outcomes: Vec<Outcome> =
        [ra, rb].into_iter().map(|r| r.expect("accepted").decisions[0].outcome).collect();
    assert!(outcomes.contains(&Outcome::Throttled), "{outcomes:?}");
    assert!(!outcomes.contains(&Outcome::Failed), "{outcomes:?}");
    assert_eq!(moto.reserved("orders").await, Some(0));
    let tags = moto.tags("orders").await;
    assert_eq!(tags.get(tags::PREVIOUS_CONCURRENCY).map(String::as_str), Some("25"), "{tags:?}");
    let alerts = moto.delivered(&queue).await;
    assert!((1..=2).contains(&alerts.len()), "{} alerts", alerts.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reenable_racing_a_trip_never_leaves_zero_without_a_record() {
    let moto = Moto::start().await;
    let (topic, _queue) = moto.topic_with_queue("race").await;
    for round in 0..4 {
        let name = format!("orders{round}");
        let function = FunctionName::new(&name).expect("name");
        moto.create_function(&name).await;
        moto.reserve(&name, 25).await;
        let tripper = guard(&topic).await;
        let first = tripper.trip(&function, "first trip", Timestamp::now()).await;
        assert_eq!(first.outcome, Outcome::Throttled);
        let ports = AwsPorts::load(Some(topic.clone()))
            .await
            .with_record_key(Some(crate::common::RECORD_KEY_ARN.to_owned()));
        let event = serde_json::to_vec(&report(&name, 17, ROOT)).expect("event");
        let racer = guard(&topic).await;
        let request =
            // --force: moto has no GetAccountSettings to check the restore against.
            runaway_guard::operator::ReenableRequest { function: function.clone(), to: None, force: true };
        let (reenabled, tripped) = tokio::join!(
            runaway_guard::operator::reenable(
                runaway_guard::operator::ReenablePorts {
                    throttler: &ports.throttler,
                    notifier: &ports.notifier,
                    identity: &ports.identity,
                },
                None,
                &request,
                Timestamp::now(),
            ),
            racer.handle_bytes(&event, Timestamp::now()),
        );
        reenabled.expect("re-enable");
        tripped.expect("event accepted");
        let (reserved, tags) = (moto.reserved(&name).await, moto.tags(&name).await);
        let recorded = tags.get(tags::PREVIOUS_CONCURRENCY).cloned();
        match (reserved, recorded.as_deref()) {
            (Some(25), None) | (Some(0), Some("25")) => {}
            other => panic!("round {round}: inconsistent end state {other:?} ({tags:?})"),
        }
    }
}
