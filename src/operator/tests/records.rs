//! `reenable` never restores from a record it cannot verify, never takes more than the account can
//! spare, and resumes only mappings the verified record names that feed the function itself.

use super::*;
use crate::ports::{MappingId, RecordCheck, Throttler};

const MINE: &str = "a1b2c3d4-0000-4000-8000-000000000001";
const THEIRS: &str = "a1b2c3d4-0000-4000-8000-000000000002";

fn forged() -> TripRecord {
    TripRecord {
        tripped_at: NOW,
        previous_concurrency: Some(900),
        reason: "manual".into(),
        alert_pending: false,
        paused_mappings: vec![MappingId::new(THEIRS).unwrap()],
        tripped_by: None,
        parked: None,
    }
}

fn two_teams() -> FakeAccount {
    FakeAccount::default()
        .with_function("attacker-fn", Some(5))
        .with_function("payments", None)
        .with_mapping("attacker-fn", MINE, "arn:aws:sqs:us-east-1:123456789012:mine", false)
        .with_mapping("payments", THEIRS, "arn:aws:sqs:us-east-1:123456789012:theirs", false)
}

#[test]
fn an_unverified_record_is_never_restored_from_even_forced() {
    for check in [RecordCheck::Invalid, RecordCheck::Unsigned, RecordCheck::Unchecked("KMS down".into())] {
        let account = two_teams().with_unverified_record("attacker-fn", forged(), check.clone());
        for force in [false, true] {
            let refused = run(&account, "attacker-fn", None, force);
            let Err(ReenableError::UnverifiedRecord { check: said, .. }) = &refused else {
                panic!("{refused:?}")
            };
            assert_eq!(*said, check.to_string());
            assert!(refused.unwrap_err().to_string().contains("--to N"));
        }
        assert_eq!(account.function("attacker-fn").reserved_concurrency, Some(5), "nothing restored");
        assert_eq!(account.mapping_states("payments"), [(THEIRS.to_owned(), false)], "nothing resumed");
        assert!(account.calls().iter().all(|(op, _)| *op == Op::Read), "{:?}", account.calls());
        assert!(account.alerts().is_empty());
    }
}

#[test]
fn to_restores_an_unverified_record_clears_it_and_resumes_nothing_it_names() {
    let account = two_teams()
        .with_unverified_record("attacker-fn", forged(), RecordCheck::Invalid)
        .with_unreserved(Some(1000));
    let ReenableOutcome::Restored(done) = run(&account, "attacker-fn", Some(Some(10)), false).unwrap() else {
        panic!()
    };
    assert_eq!((done.restored, done.source), (Some(10), RestoreSource::Operator));
    assert!(done.resumed_mappings.is_empty());
    assert!(
        done.warnings.iter().any(|w| w.contains(THEIRS) && w.contains("not resumed")),
        "{:?}",
        done.warnings
    );
    assert_eq!(account.mapping_states("payments"), [(THEIRS.to_owned(), false)]);
    let after = futures::executor::block_on(account.trip_record(&FunctionName::new("attacker-fn").unwrap()));
    assert_eq!(after.unwrap(), None, "the forged record is removed");
}

#[test]
fn a_verified_record_resumes_only_the_mappings_that_feed_its_function() {
    let account = two_teams();
    account.edit("attacker-fn", |s| {
        s.reserved_concurrency = Some(0);
        s.trip = Some(TripRecord {
            previous_concurrency: Some(5),
            paused_mappings: vec![MappingId::new(MINE).unwrap(), MappingId::new(THEIRS).unwrap()],
            ..forged()
        });
    });
    let ReenableOutcome::Restored(done) = run(&account, "attacker-fn", None, false).unwrap() else {
        panic!()
    };
    assert_eq!(done.resumed_mappings, [MappingId::new(MINE).unwrap()]);
    assert!(
        done.warnings.iter().any(|w| w.contains(THEIRS) && w.contains("does not feed")),
        "{:?}",
        done.warnings
    );
    assert_eq!(account.mapping_states("attacker-fn"), [(MINE.to_owned(), true)]);
    assert_eq!(account.mapping_states("payments"), [(THEIRS.to_owned(), false)], "another team's stays off");
}

fn at_zero_with_record(previous: u32, unreserved: Option<u32>) -> FakeAccount {
    let account = FakeAccount::default().with_function("orders", Some(0)).with_unreserved(unreserved);
    account
        .edit("orders", |s| s.trip = Some(TripRecord { previous_concurrency: Some(previous), ..forged() }));
    account
}

#[test]
fn a_restore_that_leaves_under_100_unreserved_is_refused_unless_forced() {
    let account = at_zero_with_record(900, Some(999));
    let refused = run(&account, "orders", None, false);
    assert!(matches!(refused, Err(ReenableError::AccountCannotSpare { restore: 900, unreserved: 999, .. })));
    assert_eq!(account.function("orders").reserved_concurrency, Some(0), "a refusal changes nothing");
    let ReenableOutcome::Restored(done) = run(&account, "orders", None, true).unwrap() else { panic!() };
    assert_eq!(done.restored, Some(900));
    let fits = at_zero_with_record(900, Some(1000));
    assert!(matches!(run(&fits, "orders", None, false), Ok(ReenableOutcome::Restored(_))));
}

#[test]
fn unreadable_account_settings_refuse_without_force_and_force_reads_nothing() {
    let missing = at_zero_with_record(25, None);
    let refused = run(&missing, "orders", None, false).unwrap_err();
    assert!(matches!(refused, ReenableError::AccountSettingsUnreadable { .. }), "{refused:?}");
    assert!(refused.to_string().contains("--force"), "{refused}");
    let denied = at_zero_with_record(25, Some(1000));
    denied.fail(Op::ReadAccount, 1, false);
    let refused = run(&denied, "orders", None, false).unwrap_err();
    assert!(matches!(refused, ReenableError::AccountSettingsUnreadable { source: Some(_), .. }));
    assert_eq!(denied.function("orders").reserved_concurrency, Some(0));
    // Forced: the settings are not read at all (a failure would be consumed and shown otherwise).
    denied.fail(Op::ReadAccount, 1, false);
    let ReenableOutcome::Restored(done) = run(&denied, "orders", None, true).unwrap() else { panic!() };
    assert_eq!(done.restored, Some(25));
    let refused_again = run(&at_zero_with_record(25, Some(1000)), "orders", None, false);
    assert!(refused_again.is_ok(), "{refused_again:?}");
    // Removing the reservation takes nothing from the account: nothing to check.
    let none = FakeAccount::default().with_function("free", Some(0)).with_unreserved(None);
    none.edit("free", |s| s.trip = Some(TripRecord { previous_concurrency: None, ..forged() }));
    assert!(matches!(run(&none, "free", None, false), Ok(ReenableOutcome::Restored(_))));
}

#[test]
fn a_verified_record_that_does_not_describe_the_function_is_not_restored_from() {
    // A genuine record from an earlier trip (900) copied back onto a function that now has 10.
    let account = two_teams();
    account.edit("attacker-fn", |s| {
        s.reserved_concurrency = Some(10);
        s.trip = Some(TripRecord { paused_mappings: vec![MappingId::new(MINE).unwrap()], ..forged() });
    });
    let refused = run(&account, "attacker-fn", None, true).unwrap_err();
    assert!(
        matches!(refused, ReenableError::UnverifiedRecord { ref check, .. } if check.contains("names 900"))
    );
    assert_eq!(account.function("attacker-fn").reserved_concurrency, Some(10), "nothing changes");
    let ReenableOutcome::Restored(done) = run(&account, "attacker-fn", Some(Some(10)), true).unwrap() else {
        panic!()
    };
    assert!(done.resumed_mappings.is_empty(), "its mappings are not resumed either");
    assert_eq!(account.mapping_states("attacker-fn"), [(MINE.to_owned(), false)]);
}
