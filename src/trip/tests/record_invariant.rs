//! The record invariant: a throttle never exists without a durable record of the previous value
//! (the trip record's tags, or the published alert); while neither exists the value is logged at
//! ERROR and the invocation fails, so the retry writes the record or publishes the alert.

use super::*;

const RETRY: Duration = Duration::from_secs(61);

#[test]
fn record_written_and_alert_lost_keeps_the_record_and_retries_a_retryable_publish() {
    let account = FakeAccount::default().with_function("orders", Some(7));
    account.fail(Op::Publish, 1, true);
    let report = handle_at(&guard(&account, Config::default()), "orders", 17, NOW);
    assert_eq!(outcome(&report), Outcome::Throttled);
    assert!(report.needs_retry(), "{report:?}");
    let trip = account.function("orders").trip.unwrap();
    assert_eq!((trip.previous_concurrency, trip.alert_pending), (Some(7), true));
}

#[test]
fn record_lost_and_alert_published_needs_no_retry() {
    let account = FakeAccount::default().with_function("orders", Some(7));
    account.fail(Op::Tag, 1, false);
    let report = handle_at(&guard(&account, Config::default()), "orders", 17, NOW);
    assert_eq!(outcome(&report), Outcome::Throttled);
    assert!(!report.needs_retry(), "the alert holds the value: {report:?}");
    assert!(account.alerts()[0].body.contains("reenable orders --to 7"));
}

#[test]
fn record_denied_and_alert_failing_fails_the_invocation_until_the_alert_goes_out() {
    let account = FakeAccount::default().with_function("orders", Some(7));
    account.fail(Op::Tag, 2, false);
    account.fail(Op::Publish, 1, false);
    let guard = guard(&account, Config::default());
    let report = handle_at(&guard, "orders", 17, NOW);
    assert_eq!(outcome(&report), Outcome::Throttled);
    assert_eq!(account.function("orders").reserved_concurrency, Some(0), "containment first");
    assert!(report.needs_retry(), "denials too: nothing durable holds the value: {report:?}");
    let errors = report.decisions[0].errors.join("; ");
    assert!(errors.contains("previous reserved concurrency (7)"), "{errors}");
    assert!(!report.decisions[0].alerted && account.alerts().is_empty());
    let listed = block_on(operator::status(&account)).unwrap();
    let why = &listed[0].reason;
    assert!(why.contains("--to N") && !why.contains("the trip alert names N"), "no alert went out: {why}");

    let retry = handle_at(&guard, "orders", 17, NOW + RETRY);
    assert_eq!(outcome(&retry), Outcome::AlreadyTripped, "{retry:?}");
    assert!(!retry.needs_retry(), "the alert now names the value: {retry:?}");
    let body = &account.alerts()[0].body;
    assert!(body.contains("THROTTLED") && !body.contains("ALREADY THROTTLED"), "{body}");
    assert!(body.contains("runaway-guard reenable orders --to 7\n"), "{body}");
    assert!(body.contains("Trip record: NOT WRITTEN"), "{body}");
    assert_eq!(account.function("orders").reserved_concurrency, Some(0));

    let later = handle_at(&guard, "orders", 17, NOW + RETRY + RETRY);
    assert_eq!(outcome(&later), Outcome::AlreadyTripped);
    assert_eq!(account.alerts().len(), 1, "recorded once: no second page");
}

#[test]
fn record_and_alert_failing_then_the_retry_writes_the_record_with_the_true_value() {
    let account = FakeAccount::default().with_function("orders", Some(7));
    account.fail(Op::Tag, 1, false);
    account.fail(Op::Publish, 1, false);
    let guard = guard(&account, Config::default());
    assert!(handle_at(&guard, "orders", 17, NOW).needs_retry());

    let retry = handle_at(&guard, "orders", 17, NOW + RETRY);
    assert!(!retry.needs_retry(), "{retry:?}");
    let trip = account.function("orders").trip.expect("the retry wrote the record");
    assert_eq!(trip.previous_concurrency, Some(7), "never 0, the throttle's own value");
    assert_eq!(trip.tripped_at, NOW, "the time of the throttle, not of the retry");
    assert!(!trip.alert_pending, "the alert went out with it");
    let listed = block_on(operator::status(&account)).unwrap();
    assert_eq!(listed[0].previous_concurrency, "7", "{listed:?}");
}

#[test]
fn record_and_alert_failing_on_every_retry_keep_failing_the_invocation() {
    let account = FakeAccount::default().with_function("orders", Some(7));
    account.fail(Op::Tag, 3, false);
    account.fail(Op::Publish, 3, true);
    let guard = guard(&account, Config::default());
    for attempt in 0..3 {
        let report = handle_at(&guard, "orders", 17, NOW + RETRY * attempt);
        assert!(report.needs_retry(), "attempt {attempt}: {report:?}");
    }
    assert!(!handle_at(&guard, "orders", 17, NOW + RETRY * 3).needs_retry());
    assert_eq!(account.alerts().len(), 1, "the fourth attempt records and pages");
    assert_eq!(account.function("orders").trip.unwrap().previous_concurrency, Some(7));
}
