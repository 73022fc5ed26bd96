//! The trip flow's failure paths against in-memory ports: a record that cannot be written, a
//! half-finished re-enable, failures that never heal, dry run, the depth-limit tag, who tripped.

use std::time::Duration;

use crate::config::Config;
use crate::fake::{FakeAccount, Op};
use crate::handler::Guard;
use crate::operator::{self, ReenableError, ReenableOutcome, ReenablePorts, ReenableRequest};
use crate::policy::{PAGE_PERIOD, REENABLE_WINDOW};
use crate::ports::{Caller, Identity, PortError, TripRecord};
use crate::report::{Outcome, Report};
use crate::time::Timestamp;

const NOW: Timestamp = Timestamp::from_secs(1_795_000_000);
const ONCALL: &str = "arn:aws:iam::123456789012:user/oncall";

type FakeGuard = Guard<FakeAccount, FakeAccount, FakeAccount>;

fn guard(account: &FakeAccount, config: Config) -> FakeGuard {
    Guard::new(config, account.clone(), account.clone(), account.clone())
}

/// `function`'s own report of a hop at `depth`, sent with its execution role at `at` and handled then.
fn handle_at(guard: &FakeGuard, function: &str, depth: u32, at: Timestamp) -> Report {
    let event = crate::fake::signed_chain_event_at(function, depth, "1-abc-def", "123456789012", at);
    block_on(guard.handle_bytes(&event, at)).unwrap_or_else(|e| panic!("{e}"))
}

fn outcome(report: &Report) -> Outcome {
    assert_eq!(report.decisions.len(), 1, "{report:?}");
    report.decisions[0].outcome
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

struct Oncall;

impl Identity for Oncall {
    async fn caller(&self) -> Result<Caller, PortError> {
        Ok(Caller { arn: ONCALL.into(), account: "123456789012".into() })
    }
}

fn reenable(
    account: &FakeAccount,
    request: &ReenableRequest,
    at: Timestamp,
) -> Result<ReenableOutcome, ReenableError> {
    let ports = ReenablePorts { throttler: account, notifier: account, identity: &Oncall };
    block_on(operator::reenable(ports, Some("us-east-1"), request, at))
}

fn request(function: &str, to: Option<Option<u32>>, force: bool) -> ReenableRequest {
    ReenableRequest { function: crate::name::FunctionName::new(function).unwrap(), to, force }
}

/// Control-plane calls (everything but publishing) made so far.
fn control_calls(account: &FakeAccount) -> usize {
    account.calls().iter().filter(|(op, _)| *op != Op::Publish).count()
}

#[test]
fn a_trip_whose_record_cannot_be_written_is_listed_and_restored_from_what_its_alert_names() {
    let account = FakeAccount::default().with_function("orders", Some(7));
    account.fail(Op::Tag, 1, false);
    let guard = guard(&account, Config::default());
    let report = handle_at(&guard, "orders", 17, NOW);
    assert_eq!(outcome(&report), Outcome::Throttled);
    assert!(report.decisions[0].errors[0].contains("trip record not written"), "{report:?}");
    let body = &account.alerts()[0].body;
    assert!(body.contains("runaway-guard reenable orders --to 7\n"), "{body}");
    assert!(body.contains("Trip record: NOT WRITTEN"), "{body}");
    assert!(!account.calls().iter().any(|(op, _)| *op == Op::MarkAlerted), "no record to mark");

    let listed = block_on(operator::status(&account)).unwrap();
    assert_eq!(listed.len(), 1, "status lists the function at 0 without a record: {listed:?}");
    assert!(!listed[0].record && listed[0].reason.contains("--to N"), "{listed:?}");

    let refused = reenable(&account, &request("orders", None, false), NOW + secs(60));
    assert!(matches!(refused, Err(ReenableError::NoRecordAtZero(_))), "{refused:?}");
    assert_eq!(account.function("orders").reserved_concurrency, Some(0), "a refusal changes nothing");
    let done = reenable(&account, &request("orders", Some(Some(7)), false), NOW + secs(60)).unwrap();
    let ReenableOutcome::Restored(done) = done else { panic!("{done:?}") };
    assert_eq!(done.restored, Some(7));
    assert_eq!(account.function("orders").reserved_concurrency, Some(7), "the true previous value");
}

#[test]
fn events_for_a_function_at_zero_without_a_record_give_their_cap_slot_back() {
    let account = FakeAccount::default()
        .with_function("stuck", Some(0))
        .with_function("b", None)
        .with_function("c", None);
    let guard = guard(&account, Config { max_trips_per_hour: 2, ..Config::default() });
    for i in 0..3 {
        let report = handle_at(&guard, "stuck", 17, NOW + secs(61 * i));
        assert_eq!(outcome(&report), Outcome::AlreadyTripped, "{report:?}");
    }
    assert_eq!(outcome(&handle_at(&guard, "b", 17, NOW + secs(200))), Outcome::Throttled);
    assert_eq!(outcome(&handle_at(&guard, "c", 17, NOW + secs(201))), Outcome::Throttled, "cap not used up");
}

#[test]
fn a_reenable_whose_cleanup_failed_never_mutes_detection_and_the_next_reenable_finishes_it() {
    let account = FakeAccount::default().with_function("orders", Some(25));
    let guard = guard(&account, Config::default());
    assert_eq!(outcome(&handle_at(&guard, "orders", 17, NOW)), Outcome::Throttled);
    account.fail(Op::Clear, 1, false);
    let at = NOW + secs(600);
    let ReenableOutcome::Restored(done) = reenable(&account, &request("orders", None, false), at).unwrap()
    else {
        panic!()
    };
    assert!(
        !done.record_cleared && done.warnings.iter().any(|w| w.contains("run reenable again")),
        "{done:?}"
    );
    assert_eq!(account.function("orders").reserved_concurrency, Some(25));

    let racing = handle_at(&guard, "orders", 17, at + secs(5));
    assert_eq!(outcome(&racing), Outcome::AlreadyTripped, "a re-enable under way is left alone");
    let later = at + REENABLE_WINDOW + secs(1);
    let report = handle_at(&guard, "orders", 17, later);
    assert_eq!(outcome(&report), Outcome::Throttled, "{report:?}");
    let state = account.function("orders");
    let trip = state.trip.clone().unwrap();
    assert_eq!(
        (state.reserved_concurrency, trip.previous_concurrency, trip.tripped_at),
        (Some(0), Some(25), later)
    );

    let ReenableOutcome::Restored(done) =
        reenable(&account, &request("orders", None, false), later + secs(60)).unwrap()
    else {
        panic!()
    };
    assert_eq!((done.restored, done.record_cleared), (Some(25), true));
    assert_eq!(account.function("orders").trip, None);
}

#[test]
fn a_reenable_whose_restore_failed_keeps_the_function_listed_and_the_next_reenable_restores_it() {
    let account = FakeAccount::default().with_function("orders", Some(25));
    let guard = guard(&account, Config::default());
    assert_eq!(outcome(&handle_at(&guard, "orders", 17, NOW)), Outcome::Throttled);
    account.fail(Op::Throttle, 1, false);
    let at = NOW + secs(600);
    let failed = reenable(&account, &request("orders", None, false), at);
    assert!(matches!(failed, Err(ReenableError::RestoreFailed { .. })), "{failed:?}");
    let listed = block_on(operator::status(&account)).unwrap();
    assert_eq!(listed[0].reenable_unfinished_since.as_deref(), Some(at.to_rfc3339().as_str()), "{listed:?}");
    let report = handle_at(&guard, "orders", 17, at + secs(3600));
    assert_eq!(outcome(&report), Outcome::AlreadyTripped, "still at 0: contained, no new trip");
    assert!(report.decisions[0].reason.contains("did not restore"), "{report:?}");

    let ReenableOutcome::Restored(done) =
        reenable(&account, &request("orders", None, false), at + secs(4000)).unwrap()
    else {
        panic!()
    };
    assert_eq!((done.restored, done.finished_earlier), (Some(25), Some(at)));
    assert_eq!(account.function("orders").reserved_concurrency, Some(25));
}

#[test]
fn a_throttle_that_is_always_denied_pages_once_per_period_without_new_calls_in_between() {
    let account = FakeAccount::default().with_function("orders", Some(25));
    account.fail(Op::Throttle, 1000, false);
    let guard = guard(&account, Config::default());
    assert_eq!(outcome(&handle_at(&guard, "orders", 17, NOW)), Outcome::Failed);
    let calls = control_calls(&account);
    for i in 1..=6 {
        let report = handle_at(&guard, "orders", 17, NOW + secs(5 * i));
        assert_eq!(outcome(&report), Outcome::Failed, "{report:?}");
    }
    assert_eq!(account.alerts().len(), 1, "one page for a failure that does not heal");
    assert!(account.alerts()[0].body.contains("No further page"), "{}", account.alerts()[0].body);
    assert_eq!(control_calls(&account), calls, "no control-plane call until the period is over");
    assert_eq!(outcome(&handle_at(&guard, "orders", 17, NOW + PAGE_PERIOD)), Outcome::Failed);
    assert_eq!(account.alerts().len(), 2, "the next period pages again");
}

#[test]
fn a_retryable_failure_is_tried_again_soon_but_pages_once() {
    let account = FakeAccount::default().with_function("orders", Some(25));
    account.fail(Op::Throttle, 3, true);
    let guard = guard(&account, Config::default());
    for i in 0..3 {
        let report = handle_at(&guard, "orders", 17, NOW + secs(31 * i));
        assert_eq!(outcome(&report), Outcome::Failed, "{report:?}");
        assert!(report.needs_retry(), "attempt {i} is worth a retry");
    }
    assert_eq!(account.alerts().len(), 1);
    assert_eq!(outcome(&handle_at(&guard, "orders", 17, NOW + secs(93))), Outcome::Throttled);
    assert_eq!(account.alerts().len(), 2, "the throttle that worked pages");
}

#[test]
fn a_failed_read_pages_once_and_a_missing_function_pages_no_one() {
    let account = FakeAccount::default().with_function("orders", Some(25));
    account.fail(Op::Read, 1000, false);
    let guard = guard(&account, Config::default());
    for i in 0..4 {
        assert_eq!(outcome(&handle_at(&guard, "orders", 17, NOW + secs(5 * i))), Outcome::Failed);
    }
    assert_eq!(account.alerts().len(), 1, "{:?}", account.alerts());
    assert!(account.alerts()[0].subject.starts_with("FAILED to throttle orders"));
    let reads = account.calls().iter().filter(|(op, _)| *op == Op::Read).count();
    assert_eq!(reads, 1);

    // A function that does not exist has no execution role: its claims are judged, never acted on.
    let empty = FakeAccount::default();
    let guard = guard_for(&empty);
    let report = handle_at(&guard, "ghost", 17, NOW);
    assert!(report.decisions.is_empty(), "{report:?}");
    assert!(empty.alerts().is_empty(), "a function that does not exist pages no one");
}

fn guard_for(account: &FakeAccount) -> FakeGuard {
    guard(account, Config::default())
}

#[test]
fn dry_run_mutates_nothing_not_even_the_alert_pending_flag() {
    let account = FakeAccount::default().with_function("orders", Some(0));
    let record = TripRecord {
        tripped_at: NOW,
        previous_concurrency: Some(25),
        reason: "chain depth 17".into(),
        alert_pending: true,
        paused_mappings: Vec::new(),
        tripped_by: None,
        parked: None,
    };
    account.edit("orders", |s| s.trip = Some(record.clone()));
    let guard = guard(&account, Config { dry_run: true, ..Config::default() });
    let report = handle_at(&guard, "orders", 17, NOW + secs(10));
    assert!(report.decisions[0].alerted, "the pending alert is still sent: {report:?}");
    let mutations: Vec<Op> =
        account.calls().into_iter().map(|(op, _)| op).filter(|op| *op != Op::Read).collect();
    assert_eq!(mutations, [Op::Publish], "dry run: nothing but the alert");
    assert_eq!(account.function("orders").trip, Some(record));
}

#[test]
fn a_max_depth_tag_lower_than_the_default_sets_the_limit() {
    let account = FakeAccount::default().with_function("orders", Some(25)).with_function("other", None);
    account.edit("orders", |s| s.max_depth_tag = Some(4));
    let guard = guard_for(&account);
    assert_eq!(handle_at(&guard, "orders", 4, NOW).decisions.len(), 0, "depth 4 is within the tag");
    let report = handle_at(&guard, "orders", 5, NOW + secs(1));
    assert_eq!(outcome(&report), Outcome::Throttled, "{report:?}");
    assert!(report.decisions[0].reason.contains("limit 4"), "{report:?}");
    assert_eq!(handle_at(&guard, "other", 5, NOW + secs(2)).decisions.len(), 0, "untagged: default 16");
    let lookups = account.calls().iter().filter(|(op, _)| *op == Op::ReadDepthTag).count();
    assert_eq!(lookups, 2, "one lookup per function per refresh period");
}

#[test]
fn a_max_depth_tag_higher_than_the_default_raises_the_limit() {
    let account = FakeAccount::default().with_function("deep", None);
    account.edit("deep", |s| s.max_depth_tag = Some(30));
    let guard = guard_for(&account);
    assert_eq!(handle_at(&guard, "deep", 3, NOW).decisions.len(), 0);
    assert_eq!(handle_at(&guard, "deep", 25, NOW + secs(1)).decisions.len(), 0, "learned limit 30");
    assert_eq!(outcome(&handle_at(&guard, "deep", 31, NOW + secs(2))), Outcome::Throttled);
}

#[test]
fn the_trip_alert_says_who_tripped_it() {
    let account = FakeAccount::default().with_function("orders", None).with_function("auto", None);
    let guard = guard_for(&account);
    let f = crate::name::FunctionName::new("orders").unwrap();
    let decision = block_on(guard.trip_by(&f, "stop it", Some(ONCALL), NOW));
    assert_eq!(decision.outcome, Outcome::Throttled);
    assert!(account.alerts()[0].body.contains(&format!("Tripped by: {ONCALL} (runaway-guard trip)")));
    handle_at(&guard, "auto", 17, NOW + secs(1));
    assert!(account.alerts()[1].body.contains("Tripped by: runaway-guard (automatic, rule depth)"));
}

mod cap;
mod grace;
mod park;
mod pause;
mod record_invariant;
mod records;
