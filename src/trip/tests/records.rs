//! Records the guard does not take for its own trips: one whose MAC does not verify (the Lambda
//! adapter leaves it out of the state; the fake keeps it aside), and a genuine one copied back
//! after a later re-enable, which names a value the function no longer has.

use super::*;
use crate::ports::{RecordCheck, Throttler};

fn record(previous: u32) -> TripRecord {
    TripRecord {
        tripped_at: NOW,
        previous_concurrency: Some(previous),
        reason: "manual".into(),
        alert_pending: false,
        paused_mappings: Vec::new(),
        tripped_by: None,
        parked: None,
    }
}

fn recorded(account: &FakeAccount, function: &str) -> (Option<u32>, RecordCheck) {
    let name = crate::name::FunctionName::new(function).unwrap();
    let checked = block_on(account.trip_record(&name)).unwrap().expect("a record");
    (checked.record.previous_concurrency, checked.check)
}

#[test]
fn a_forged_record_neither_opts_a_function_out_nor_sets_what_is_restored() {
    let account = FakeAccount::default().with_function("attacker-fn", Some(5)).with_unverified_record(
        "attacker-fn",
        record(900),
        RecordCheck::Invalid,
    );
    let guard = guard_for(&account);
    assert_eq!(outcome(&handle_at(&guard, "attacker-fn", 17, NOW)), Outcome::Throttled);
    assert_eq!(account.function("attacker-fn").reserved_concurrency, Some(0));
    assert_eq!(recorded(&account, "attacker-fn"), (Some(5), RecordCheck::Verified), "the guard's own record");
}

#[test]
fn a_genuine_record_copied_back_does_not_describe_the_function_and_is_replaced() {
    // The function had 900 at an earlier trip; it now has 10; its owner copies the old record back.
    let account = FakeAccount::default().with_function("orders", Some(10));
    account.edit("orders", |s| s.trip = Some(record(900)));
    let guard = guard_for(&account);
    assert_eq!(outcome(&handle_at(&guard, "orders", 17, NOW + secs(5))), Outcome::Throttled);
    assert_eq!(recorded(&account, "orders").0, Some(10), "reenable restores what it really had");
    // An unfinished trip (record written, throttle failed) names the value the function still has.
    let unfinished = FakeAccount::default().with_function("orders", Some(25));
    unfinished.edit("orders", |s| s.trip = Some(record(25)));
    let guard = guard_for(&unfinished);
    let report = handle_at(&guard, "orders", 17, NOW + secs(5));
    assert_eq!(unfinished.function("orders").reserved_concurrency, Some(0), "{report:?}");
    assert_eq!(recorded(&unfinished, "orders").0, Some(25));
    assert_eq!(unfinished.function("orders").trip.unwrap().tripped_at, NOW, "the first record stays");
}
