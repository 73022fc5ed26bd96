//! SQS batches: each record counted once however often it is delivered, and a partial batch
//! response naming only the records whose throttle failed.

use crate::config::Config;
use crate::fake::{FakeAccount, Op};
use crate::handler::Guard;
use crate::report::{Outcome, Report};
use crate::time::Timestamp;

const NOW: Timestamp = Timestamp::from_secs(1_795_000_000);

type FakeGuard = Guard<FakeAccount, FakeAccount, FakeAccount>;

/// An SQS batch: `(messageId, root, depth, function)` per record, the header as message attribute,
/// each sent by the function it names with its own execution role.
fn batch(records: &[(String, &str, u32, String)]) -> Vec<u8> {
    let records: Vec<String> = records
        .iter()
        .map(|(id, root, depth, function)| {
            let sender = crate::fake::role_id(function);
            format!(
                r#"{{"messageId":"{id}","receiptHandle":"r","body":"{{}}","attributes":{{"SentTimestamp":"1795000000000","SenderId":"{sender}:{function}"}},
                "messageAttributes":{{"runaway-guard-chain":{{"stringValue":"root={root};depth={depth};function={function}","dataType":"String"}}}},
                "eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:guard-chain","awsRegion":"us-east-1"}}"#
            )
        })
        .collect();
    format!(r#"{{"Records":[{}]}}"#, records.join(",")).into_bytes()
}

/// 300 events of one harmless root: a chain ten functions long, 30 events at each level, ids `prefix-0..`.
fn harmless(prefix: &str) -> Vec<u8> {
    let records: Vec<_> = (0..300)
        .map(|i| (format!("{prefix}-{i}"), "1-harmless-root", 1 + i % 10, format!("worker-{}", i % 10)))
        .collect();
    batch(&records)
}

/// SQS redelivers a record once its visibility timeout (at least 6 × the guard's timeout) is over.
const REDELIVERED: Timestamp = Timestamp::from_secs(1_795_000_000 + 400);

fn handle(guard: &FakeGuard, raw: &[u8]) -> Report {
    handle_at(guard, raw, NOW)
}

fn handle_at(guard: &FakeGuard, raw: &[u8], now: Timestamp) -> Report {
    match futures::executor::block_on(guard.handle_bytes(raw, now)) {
        Ok(report) => report,
        Err(err) => panic!("batch rejected: {err}"),
    }
}

fn failures(report: &Report) -> Vec<&str> {
    let failures = report.batch_item_failures.as_ref().expect("an SQS batch gets a partial batch response");
    failures.iter().map(|f| f.item_identifier.as_str()).collect()
}

fn account() -> FakeAccount {
    (0..10).fold(FakeAccount::default(), |a, i| a.with_function(&format!("worker-{i}"), None))
}

#[test]
fn a_redelivered_batch_is_not_counted_twice() {
    let account = account();
    let guard = Guard::new(Config::default(), account.clone(), account.clone(), account.clone());
    let first = handle(&guard, &harmless("m"));
    assert!(first.decisions.is_empty(), "{:?}", first.decisions);
    assert_eq!(failures(&first), Vec::<&str>::new());
    let again = handle_at(&guard, &harmless("m"), REDELIVERED);
    assert!(
        again.decisions.is_empty(),
        "300 + 300 redelivered must not pass the budget of 500: {:?}",
        again.decisions
    );
    assert!(
        again.notes.iter().any(|n| n == "300 redelivered records not counted again"),
        "{:?}",
        again.notes
    );
    let acted = account.calls().into_iter().filter(|(op, _)| *op != Op::ReadDepthTag).count();
    assert_eq!(acted, 0, "{:?}", account.calls());
}

#[test]
fn the_same_events_under_new_ids_do_count() {
    // The control for the test above: 600 distinct records of the root pass the budget of 500.
    let account = account();
    let guard = Guard::new(Config::default(), account.clone(), account.clone(), account.clone());
    handle(&guard, &harmless("m"));
    let second = handle_at(&guard, &harmless("n"), REDELIVERED);
    // A chain-size verdict: no report of a hop past the depth limit backs it, so it goes to the
    // judgement (whose fake metrics are calm), not to a throttle.
    assert!(
        second.notes.iter().any(|n| n.contains("unauthenticated chain claims: chain size")),
        "{:?}",
        second.notes
    );
    assert_eq!(second.count(Outcome::Throttled), 0, "{:?}", second.decisions);
}

#[test]
fn only_the_records_whose_throttle_failed_are_redelivered_and_their_throttle_is_retried() {
    let account = FakeAccount::default().with_function("looper", Some(5)).with_function("bystander", None);
    account.fail(Op::Throttle, 1, true);
    let guard = Guard::new(Config::default(), account.clone(), account.clone(), account.clone());
    let records = [
        ("a".to_owned(), "1-loop", 17, "looper".to_owned()),
        ("b".to_owned(), "1-calm", 2, "bystander".to_owned()),
        ("c".to_owned(), "1-loop", 18, "looper".to_owned()),
    ];
    let report = handle(&guard, &batch(&records));
    assert_eq!(report.decisions.len(), 1, "{:?}", report.decisions);
    assert_eq!(report.decisions[0].outcome, Outcome::Failed);
    assert_eq!(failures(&report), ["a", "c"]);
    // SQS redelivers a and c: not counted again, but the failed throttle is retried.
    let retry = handle_at(&guard, &batch(&records[..1]), REDELIVERED);
    assert_eq!(retry.decisions.len(), 1, "{:?}", retry.decisions);
    assert_eq!(retry.decisions[0].outcome, Outcome::Throttled, "{:?}", retry.decisions);
    assert_eq!(failures(&retry), Vec::<&str>::new());
    assert_eq!(account.function("looper").reserved_concurrency, Some(0));
    assert_eq!(account.function("looper").trip.unwrap().previous_concurrency, Some(5));
    // c comes back too: its retry finds the function tripped and changes nothing.
    let throttles = |a: &FakeAccount| a.calls().iter().filter(|(op, _)| *op == Op::Throttle).count();
    let before = throttles(&account);
    let third = handle_at(&guard, &batch(&records[2..]), REDELIVERED);
    assert!(third.decisions.iter().all(|d| d.outcome == Outcome::AlreadyTripped), "{:?}", third.decisions);
    assert_eq!((throttles(&account), failures(&third)), (before, Vec::<&str>::new()));
}

#[test]
fn a_failed_alert_redelivers_only_its_records_and_the_retry_sends_it() {
    let account = FakeAccount::default().with_function("looper", Some(5)).with_function("other", None);
    account.fail(Op::Publish, 1, true);
    let guard = Guard::new(Config::default(), account.clone(), account.clone(), account.clone());
    let records = [
        ("a".to_owned(), "1-loop", 17, "looper".to_owned()),
        ("b".to_owned(), "1-other", 17, "other".to_owned()),
    ];
    let report = handle(&guard, &batch(&records));
    assert_eq!(report.count(Outcome::Throttled), 2, "{:?}", report.decisions);
    assert_eq!(failures(&report), ["a"]);
    let retry = handle_at(&guard, &batch(&records[..1]), REDELIVERED);
    assert!(retry.decisions[0].alerted, "{:?}", retry.decisions);
    assert_eq!(account.alerts().len(), 2);
}
