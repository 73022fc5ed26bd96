//! Parking asynchronous events with the trip, against in-memory ports (which, unlike moto, keep a
//! DLQ): a function with nowhere to send them gets the parking queue first and its previous
//! configuration in the record; one with its own DLQ or destination keeps it; a refused parking
//! still throttles and says the events are dropped; `reenable` puts back exactly what was there.

use super::*;
use crate::ports::{FailureTarget, InvokeConfig};

const PARKING: &str = "arn:aws:sqs:us-east-1:123456789012:runaway-guard-parked";
const OWN_DLQ: &str = "arn:aws:sqs:us-east-1:123456789012:orders-dlq";
const SUCCESS: &str = "arn:aws:events:us-east-1:123456789012:event-bus/orders";

fn parking_guard(account: &FakeAccount) -> FakeGuard {
    guard(account, Config { parking_queue_arn: Some(PARKING.into()), ..Config::default() })
}

fn ops(account: &FakeAccount) -> Vec<Op> {
    account.calls().into_iter().map(|(op, _)| op).filter(|op| *op != Op::Read).collect()
}

fn user_config() -> InvokeConfig {
    InvokeConfig {
        max_retry_attempts: Some(1),
        max_event_age_secs: Some(3600),
        on_success: Some(SUCCESS.into()),
        on_failure: None,
    }
}

fn restored(account: &FakeAccount, at: Timestamp) -> crate::operator::Restored {
    match reenable(account, &request("orders", None, false), at).unwrap() {
        ReenableOutcome::Restored(done) => done,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_function_without_dlq_or_destination_is_parked_before_the_throttle_and_restored_to_none() {
    let account = FakeAccount::default().with_function("orders", Some(25));
    let report = handle_at(&parking_guard(&account), "orders", 17, NOW);
    assert_eq!(outcome(&report), Outcome::Throttled, "{report:?}");
    let trip = account.function("orders").trip.unwrap();
    let parked = trip.parked.expect("the parking is in the record");
    assert_eq!((parked.queue.as_str(), parked.previous), (PARKING, None));
    assert_eq!(account.invoke_config("orders"), Some(InvokeConfig::default().parked_in(PARKING)));
    assert_eq!(
        ops(&account),
        [Op::Tag, Op::PutInvokeConfig, Op::Throttle, Op::Publish, Op::MarkAlerted],
        "record first, then the parking, then the throttle"
    );
    let body = &account.alerts()[0].body;
    assert!(body.contains(&format!("are PARKED in the guard's parking queue {PARKING}")), "{body}");
    assert!(
        body.contains(
            "the ones that are not the runaway's:\n  runaway-guard replay orders --dry-run\n  runaway-guard replay orders\n"
        ),
        "{body}"
    );

    let done = restored(&account, NOW + secs(600));
    assert_eq!(done.invoke_config, Some(crate::operator::Unparked::Deleted), "{done:?}");
    assert_eq!(account.invoke_config("orders"), None, "no configuration before the trip: none after");
    let after: Vec<Op> = ops(&account).into_iter().skip(5).collect();
    assert_eq!(after, [Op::MarkReenabling, Op::Throttle, Op::PutInvokeConfig, Op::Clear, Op::Publish]);
}

#[test]
fn the_users_own_settings_ride_along_and_come_back_exactly() {
    let account =
        FakeAccount::default().with_function("orders", None).with_invoke_config("orders", user_config());
    assert_eq!(outcome(&handle_at(&parking_guard(&account), "orders", 17, NOW)), Outcome::Throttled);
    let parked = account.function("orders").trip.unwrap().parked.unwrap();
    assert_eq!(parked.previous, Some(user_config()));
    assert_eq!(
        account.invoke_config("orders"),
        Some(user_config().parked_in(PARKING)),
        "retries, age, on-success kept"
    );

    let done = restored(&account, NOW + secs(600));
    assert_eq!(done.invoke_config, Some(crate::operator::Unparked::Restored));
    assert_eq!(account.invoke_config("orders"), Some(user_config()));
    assert_eq!(account.function("orders").failure_target, FailureTarget::Dropped);
}

#[test]
fn a_function_with_its_own_dlq_or_destination_keeps_it_and_the_alert_names_it() {
    let account = FakeAccount::default().with_function("orders", Some(25)).with_function("billing", None);
    account.edit("orders", |s| s.failure_target = FailureTarget::DeadLetter(OWN_DLQ.into()));
    let destination = InvokeConfig { on_failure: Some(OWN_DLQ.into()), ..InvokeConfig::default() };
    let account = account.with_invoke_config("billing", destination.clone());
    let guard = parking_guard(&account);
    assert_eq!(outcome(&handle_at(&guard, "orders", 17, NOW)), Outcome::Throttled);
    assert_eq!(outcome(&handle_at(&guard, "billing", 17, NOW + secs(1))), Outcome::Throttled);
    assert!(!ops(&account).contains(&Op::PutInvokeConfig), "{:?}", account.calls());
    assert_eq!(account.function("orders").trip.unwrap().parked, None);
    assert_eq!(account.invoke_config("billing"), Some(destination));
    let bodies: Vec<String> = account.alerts().into_iter().map(|a| a.body).collect();
    assert!(bodies[0].contains(&format!("go to its dead-letter queue {OWN_DLQ}")), "{}", bodies[0]);
    assert!(bodies[1].contains(&format!("go to its on-failure destination {OWN_DLQ}")), "{}", bodies[1]);
    let replay = format!("runaway-guard replay billing --from {OWN_DLQ}\n");
    assert!(bodies[1].contains(&replay), "{}", bodies[1]);

    let done = restored(&account, NOW + secs(600));
    assert_eq!(done.invoke_config, None);
    assert!(
        !ops(&account).contains(&Op::PutInvokeConfig),
        "reenable touches no configuration the guard did not set"
    );
}

#[test]
fn a_refused_parking_still_throttles_and_says_the_events_are_dropped() {
    let account = FakeAccount::default().with_function("orders", Some(25));
    account.fail(Op::PutInvokeConfig, 1, false);
    let report = handle_at(&parking_guard(&account), "orders", 17, NOW);
    assert_eq!(outcome(&report), Outcome::Throttled, "{report:?}");
    assert_eq!(account.function("orders").reserved_concurrency, Some(0));
    assert!(report.decisions[0].errors.iter().any(|e| e.contains("not parked")), "{report:?}");
    let body = &account.alerts()[0].body;
    assert!(body.contains("are DROPPED: it has no DLQ and no on-failure destination, and they were not parked: Lambda refused"), "{body}");
    assert!(!body.contains("PARKED"), "{body}");

    let done = restored(&account, NOW + secs(600));
    assert_eq!(done.invoke_config, None, "nothing was parked, so nothing is put back: {done:?}");
    assert!(done.warnings.is_empty(), "{done:?}");
    assert_eq!(account.invoke_config("orders"), None);
}

#[test]
fn a_configuration_changed_since_the_trip_is_left_alone_with_a_warning() {
    let account = FakeAccount::default().with_function("orders", Some(25));
    assert_eq!(outcome(&handle_at(&parking_guard(&account), "orders", 17, NOW)), Outcome::Throttled);
    let theirs = InvokeConfig { on_failure: Some(OWN_DLQ.into()), ..InvokeConfig::default() };
    let account = account.with_invoke_config("orders", theirs.clone());
    let done = restored(&account, NOW + secs(600));
    assert_eq!(done.invoke_config, None);
    assert!(
        done.warnings.iter().any(|w| w.contains("changed since the trip") && w.contains(OWN_DLQ)),
        "{done:?}"
    );
    assert_eq!(account.invoke_config("orders"), Some(theirs));
}

#[test]
fn a_failed_restore_keeps_the_record_and_the_next_reenable_finishes_it() {
    let account = FakeAccount::default().with_function("orders", Some(25));
    assert_eq!(outcome(&handle_at(&parking_guard(&account), "orders", 17, NOW)), Outcome::Throttled);
    account.fail(Op::PutInvokeConfig, 1, true);
    let failed = reenable(&account, &request("orders", None, false), NOW + secs(600));
    assert!(matches!(failed, Err(ReenableError::UnparkFailed { .. })), "{failed:?}");
    assert!(account.function("orders").trip.is_some(), "the record stays");
    let done = restored(&account, NOW + secs(700));
    assert_eq!(done.invoke_config, Some(crate::operator::Unparked::Deleted));
    assert_eq!(account.invoke_config("orders"), None);
}

#[test]
fn dry_run_and_a_guard_without_parking_queue_change_no_configuration() {
    let account = FakeAccount::default().with_function("orders", Some(25)).with_function("other", None);
    let dry = guard(
        &account,
        Config { dry_run: true, parking_queue_arn: Some(PARKING.into()), ..Config::default() },
    );
    assert_eq!(outcome(&handle_at(&dry, "orders", 17, NOW)), Outcome::WouldThrottle);
    assert!(account.alerts()[0].body.contains("would be PARKED"), "{}", account.alerts()[0].body);
    assert_eq!(outcome(&handle_at(&guard_for(&account), "other", 17, NOW + secs(1))), Outcome::Throttled);
    assert!(!ops(&account).contains(&Op::PutInvokeConfig), "{:?}", account.calls());
    assert!(account.alerts()[1].body.contains("are DROPPED"), "{}", account.alerts()[1].body);
}
