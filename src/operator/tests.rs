//! `reenable` says exactly what is true: nothing to do, already re-enabled (when, by whom), a
//! restore from the record or from `--to`, and refusals that change nothing.

use super::*;
use crate::fake::{FakeAccount, Op};
use crate::name::FunctionName;
use crate::ports::PortError;
use crate::ports::{Reservation, TripRecord};

const NOW: Timestamp = Timestamp::from_secs(1_795_000_000);
const ONCALL: &str = "arn:aws:sts::123456789012:assumed-role/OnCall/alice";

struct Oncall;

impl Identity for Oncall {
    async fn caller(&self) -> Result<Caller, PortError> {
        Ok(Caller { arn: ONCALL.into(), account: "123456789012".into() })
    }
}

fn run(
    account: &FakeAccount,
    function: &str,
    to: Option<Reservation>,
    force: bool,
) -> Result<ReenableOutcome, ReenableError> {
    let request = ReenableRequest { function: FunctionName::new(function).unwrap(), to, force };
    let ports = ReenablePorts { throttler: account, notifier: account, identity: &Oncall };
    futures::executor::block_on(reenable(ports, None, &request, NOW))
}

fn tripped(previous: Reservation) -> TripRecord {
    TripRecord {
        tripped_at: NOW,
        previous_concurrency: previous,
        reason: "x".into(),
        alert_pending: false,
        paused_mappings: Vec::new(),
        tripped_by: None,
        parked: None,
    }
}

#[test]
fn a_healthy_function_needs_nothing_even_with_force_no_page_no_grace() {
    let account = FakeAccount::default().with_function("orders", Some(25)).with_function("free", None);
    for (name, reserved) in [("orders", Some(25)), ("free", None)] {
        for force in [false, true] {
            let outcome = run(&account, name, None, force).unwrap();
            let nothing =
                ReenableOutcome::NothingToDo { function: FunctionName::new(name).unwrap(), reserved };
            assert_eq!(outcome, nothing);
        }
    }
    assert!(account.alerts().is_empty(), "no RE-ENABLED page");
    assert_eq!(account.function("orders").reenabled_at, None, "no grace period");
    assert!(account.calls().iter().all(|(op, _)| *op == Op::Read), "{:?}", account.calls());
}

#[test]
fn a_second_reenable_says_when_and_by_whom() {
    let account = FakeAccount::default().with_function("orders", Some(0));
    account.edit("orders", |s| s.trip = Some(tripped(Some(25))));
    assert!(matches!(run(&account, "orders", None, false).unwrap(), ReenableOutcome::Restored(_)));
    let again = run(&account, "orders", None, false).unwrap();
    let expected = ReenableOutcome::AlreadyReenabled {
        function: FunctionName::new("orders").unwrap(),
        at: NOW,
        by: Some(ONCALL.to_owned()),
        reserved: Some(25),
    };
    assert_eq!(again, expected);
    assert_eq!(account.alerts().len(), 1, "one page, for the re-enable that did something");
}

#[test]
fn to_must_agree_with_the_record_unless_forced_and_never_be_zero() {
    let account = FakeAccount::default().with_function("orders", Some(0));
    account.edit("orders", |s| s.trip = Some(tripped(Some(25))));
    let conflict = run(&account, "orders", Some(Some(5)), false);
    assert!(matches!(conflict, Err(ReenableError::ConflictsWithRecord { .. })), "{conflict:?}");
    let zero = run(&account, "orders", Some(Some(0)), true);
    assert!(matches!(zero, Err(ReenableError::RestoreToZero(_))), "{zero:?}");
    assert_eq!(account.function("orders").reserved_concurrency, Some(0), "refusals change nothing");
    let ReenableOutcome::Restored(done) = run(&account, "orders", Some(Some(5)), true).unwrap() else {
        panic!()
    };
    assert_eq!((done.restored, done.source), (Some(5), RestoreSource::Operator));
}

#[test]
fn force_on_a_zero_without_a_record_removes_the_reservation() {
    let account = FakeAccount::default().with_function("orders", Some(0));
    let ReenableOutcome::Restored(done) = run(&account, "orders", None, true).unwrap() else { panic!() };
    assert_eq!((done.restored, done.source), (None, RestoreSource::Forced));
    assert_eq!(account.function("orders").reserved_concurrency, None);
    let ReenableOutcome::Restored(_) =
        run(&FakeAccount::default().with_function("n", Some(0)), "n", Some(None), false).unwrap()
    else {
        panic!()
    };
}

mod records;
