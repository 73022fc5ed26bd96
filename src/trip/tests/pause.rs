//! Event source mappings with the trip, against in-memory ports: the polling ones are recorded,
//! then paused, then named in the alert; one disabled before the trip is never touched; faults in
//! the middle leave a record that the next event or `reenable` completes.

use super::*;

const A: &str = "a1b2c3d4-0000-4000-8000-00000000000a";
const B: &str = "a1b2c3d4-0000-4000-8000-00000000000b";
const C: &str = "a1b2c3d4-0000-4000-8000-00000000000c";
const QUEUE: &str = "arn:aws:sqs:us-east-1:123456789012:jobs-queue";
const OLD_QUEUE: &str = "arn:aws:sqs:us-east-1:123456789012:old-queue";
const STREAM: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/clicks";

/// `orders` at 25 fed by an enabled queue, a queue disabled before the trip and an enabled stream.
fn fed() -> FakeAccount {
    FakeAccount::default()
        .with_function("orders", Some(25))
        .with_mapping("orders", A, QUEUE, true)
        .with_mapping("orders", B, OLD_QUEUE, false)
        .with_mapping("orders", C, STREAM, true)
}

fn ids(list: &[&str]) -> Vec<crate::ports::MappingId> {
    list.iter().map(|s| crate::ports::MappingId::new(s).unwrap()).collect()
}

fn states(account: &FakeAccount) -> Vec<(String, bool)> {
    account.mapping_states("orders")
}

fn on(a: bool, b: bool, c: bool) -> Vec<(String, bool)> {
    vec![(A.into(), a), (B.into(), b), (C.into(), c)]
}

/// The calls that change something (or publish), in order.
fn ops(account: &FakeAccount) -> Vec<Op> {
    account.calls().into_iter().map(|(op, _)| op).filter(|op| *op != Op::Read).collect()
}

#[test]
fn a_trip_records_then_pauses_the_polling_mappings_and_names_each_queue_in_the_alert() {
    let account = fed();
    let report = handle_at(&guard_for(&account), "orders", 17, NOW);
    assert_eq!(outcome(&report), Outcome::Throttled, "{report:?}");
    assert!(report.decisions[0].errors.is_empty(), "{report:?}");
    let trip = account.function("orders").trip.unwrap();
    assert_eq!(trip.paused_mappings, ids(&[A, C]), "the disabled one is not recorded");
    assert_eq!(states(&account), on(false, false, false));
    assert_eq!(
        ops(&account),
        [Op::Tag, Op::UpdateMapping, Op::UpdateMapping, Op::Throttle, Op::Publish, Op::MarkAlerted],
        "record first, then the pollers, then the throttle"
    );
    let body = &account.alerts()[0].body;
    for needle in [
        format!("- SQS queue jobs-queue (mapping {A}): paused; messages stay in the queue"),
        "none go to a DLQ because of the trip".to_owned(),
        format!("- SQS queue old-queue (mapping {B}): disabled before the trip; left disabled"),
        format!(
            "- Kinesis stream clicks (mapping {C}): paused; records wait in the stream until its retention"
        ),
    ] {
        assert!(body.contains(&needle), "missing {needle:?} in\n{body}");
    }
    assert!(!body.contains("maxReceiveCount"), "{body}");

    let listed = block_on(operator::status(&account)).unwrap();
    let paused: Vec<_> = listed[0].paused_mappings.iter().map(|m| m.id.clone()).collect();
    assert_eq!(paused, ids(&[A, C]), "{listed:?}");

    let done = reenable(&account, &request("orders", None, false), NOW + secs(600)).unwrap();
    let ReenableOutcome::Restored(done) = done else { panic!("{done:?}") };
    assert_eq!((done.restored, done.resumed_mappings.clone()), (Some(25), ids(&[A, C])));
    assert_eq!(states(&account), on(true, false, true), "the one disabled before the trip stays disabled");
    let after: Vec<Op> = ops(&account).into_iter().skip(6).collect();
    assert_eq!(
        after,
        [Op::MarkReenabling, Op::Throttle, Op::UpdateMapping, Op::UpdateMapping, Op::Clear, Op::Publish],
        "concurrency back before the pollers resume"
    );
    assert!(account.alerts()[1].body.contains(&format!("re-enabled (paused by the trip): {A}, {C}")));
    assert_eq!(account.function("orders").trip, None);
}

#[test]
fn a_function_without_mappings_gets_no_line_about_queues_or_streams() {
    let account = FakeAccount::default().with_function("orders", Some(25));
    handle_at(&guard_for(&account), "orders", 17, NOW);
    let body = &account.alerts()[0].body;
    for needle in ["SQS", "DLQ after", "Kinesis", "mapping"] {
        assert!(!body.contains(needle), "{needle:?} in\n{body}");
    }
    assert!(account.function("orders").trip.unwrap().paused_mappings.is_empty());
}

#[test]
fn a_failed_pause_is_named_and_the_next_event_pauses_it_from_the_record() {
    let account = fed();
    account.fail(Op::UpdateMapping, 1, true);
    let guard = guard_for(&account);
    let report = handle_at(&guard, "orders", 17, NOW);
    assert_eq!(outcome(&report), Outcome::Throttled, "containment goes on");
    assert!(report.needs_retry(), "a throttled UpdateEventSourceMapping is worth a retry: {report:?}");
    assert_eq!(states(&account), on(true, false, false));
    assert_eq!(account.function("orders").trip.unwrap().paused_mappings, ids(&[A, C]), "recorded anyway");
    let body = &account.alerts()[0].body;
    assert!(body.contains(&format!("jobs-queue (mapping {A}): NOT paused (the disable failed")), "{body}");
    assert!(body.contains("maxReceiveCount a message moves to the queue's DLQ if it has one"), "{body}");
    assert!(
        !body.contains("Its DLQ is") && !body.contains("it has no DLQ, so"),
        "an unread queue is promised nothing: {body}"
    );

    let retry = handle_at(&guard, "orders", 17, NOW + secs(61));
    assert_eq!(outcome(&retry), Outcome::AlreadyTripped, "{retry:?}");
    assert!(!retry.needs_retry(), "{retry:?}");
    assert!(retry.decisions[0].reason.contains("paused 1 event source mapping(s)"), "{retry:?}");
    assert_eq!(states(&account), on(false, false, false), "the retry finished the pause");
    assert_eq!(account.function("orders").reserved_concurrency, Some(0));
}

#[test]
fn a_mapping_enabled_after_the_trip_is_left_to_its_owner() {
    let account =
        FakeAccount::default().with_function("orders", Some(25)).with_mapping("orders", A, QUEUE, true);
    let guard = guard_for(&account);
    handle_at(&guard, "orders", 17, NOW);
    let account = account.with_mapping("orders", B, OLD_QUEUE, true);
    let report = handle_at(&guard, "orders", 17, NOW + secs(61));
    assert_eq!(outcome(&report), Outcome::AlreadyTripped);
    assert_eq!(account.mapping_states("orders"), [(A.into(), false), (B.into(), true)]);
}

#[test]
fn dry_run_names_what_it_would_pause_and_changes_nothing() {
    let account = fed();
    let guard = guard(&account, Config { dry_run: true, ..Config::default() });
    assert_eq!(outcome(&handle_at(&guard, "orders", 17, NOW)), Outcome::WouldThrottle);
    assert_eq!(ops(&account), [Op::Publish], "nothing but the alert");
    assert_eq!(states(&account), on(true, false, true));
    let body = &account.alerts()[0].body;
    assert!(body.contains(&format!("jobs-queue (mapping {A}): would be paused")), "{body}");
    assert!(body.contains(&format!("clicks (mapping {C}): would be paused")), "{body}");
}

#[test]
fn without_a_record_nothing_is_paused_because_nothing_could_be_restored() {
    let account = fed();
    account.fail(Op::Tag, 1, false);
    let report = handle_at(&guard_for(&account), "orders", 17, NOW);
    assert_eq!(outcome(&report), Outcome::Throttled, "{report:?}");
    assert_eq!(states(&account), on(true, false, true));
    assert!(!ops(&account).contains(&Op::UpdateMapping));
    let body = &account.alerts()[0].body;
    assert!(body.contains("NOT paused (the trip record could not be written"), "{body}");
}

#[test]
fn an_unreadable_mapping_list_never_stops_the_throttle_and_the_alert_says_so() {
    let account = fed();
    account.fail(Op::ListMappings, 1, false);
    let report = handle_at(&guard_for(&account), "orders", 17, NOW);
    assert_eq!(outcome(&report), Outcome::Throttled, "{report:?}");
    assert_eq!(account.function("orders").reserved_concurrency, Some(0));
    let body = &account.alerts()[0].body;
    assert!(body.contains("event source mappings: could not be read"), "{body}");
    assert!(report.decisions[0].errors[0].contains("event source mappings not read"), "{report:?}");
}

#[test]
fn mappings_beyond_what_the_record_holds_are_left_polling_and_named() {
    let mut account = FakeAccount::default().with_function("orders", Some(25));
    for n in 0..26 {
        account = account.with_mapping("orders", &format!("a1b2c3d4-0000-4000-8000-{n:012}"), QUEUE, true);
    }
    let report = handle_at(&guard_for(&account), "orders", 17, NOW);
    assert_eq!(outcome(&report), Outcome::Throttled);
    assert!(report.decisions[0].errors[0].contains("26 event source mappings do not fit"), "{report:?}");
    assert_eq!(account.function("orders").trip.unwrap().paused_mappings.len(), 24);
    let polling = account.mapping_states("orders").into_iter().filter(|(_, on)| *on).count();
    assert_eq!(polling, 2);
    assert_eq!(account.alerts()[0].body.matches("NOT paused (no room in the trip record)").count(), 2);
}

#[test]
fn a_resume_that_fails_keeps_the_record_and_the_next_reenable_finishes_it() {
    let account = fed();
    handle_at(&guard_for(&account), "orders", 17, NOW);
    account.fail(Op::UpdateMapping, 1, true);
    let at = NOW + secs(600);
    let failed = reenable(&account, &request("orders", None, false), at);
    assert!(matches!(failed, Err(ReenableError::ResumeFailed { .. })), "{failed:?}");
    assert_eq!(account.function("orders").reserved_concurrency, Some(25), "restored first");
    let listed = block_on(operator::status(&account)).unwrap();
    assert_eq!(listed[0].reenable_unfinished_since.as_deref(), Some(at.to_rfc3339().as_str()));
    let paused: Vec<_> = listed[0].paused_mappings.iter().map(|m| m.id.clone()).collect();
    assert_eq!(paused, ids(&[A, C]));

    let done = reenable(&account, &request("orders", None, false), at + secs(60)).unwrap();
    let ReenableOutcome::Restored(done) = done else { panic!("{done:?}") };
    assert_eq!(done.resumed_mappings, ids(&[A, C]));
    assert_eq!(states(&account), on(true, false, true));
    assert_eq!(account.function("orders").trip, None);
}

#[test]
fn the_alert_says_whether_each_queue_has_a_dlq_as_read_after_the_throttle() {
    const DLQ: &str = "arn:aws:sqs:us-east-1:123456789012:jobs-dlq";
    let account = fed().with_queue(QUEUE, Some((DLQ, 5)), 345_600).with_queue(OLD_QUEUE, None, 3_600);
    account.fail(Op::UpdateMapping, 1, false);
    let report = handle_at(&guard_for(&account), "orders", 17, NOW);
    assert_eq!(outcome(&report), Outcome::Throttled, "{report:?}");
    let body = &account.alerts()[0].body;
    let expected = format!(
        "- SQS queue jobs-queue (mapping {A}): NOT paused (the disable failed: injected UpdateMapping failure); \
         each throttled receive counts: after 5 receives a message moves to its DLQ jobs-dlq."
    );
    assert!(body.contains(&expected), "{body}");

    let quiet = FakeAccount::default()
        .with_function("orders", Some(25))
        .with_mapping("orders", A, QUEUE, true)
        .with_queue(QUEUE, None, 345_600);
    handle_at(&guard_for(&quiet), "orders", 17, NOW);
    let body = &quiet.alerts()[0].body;
    assert!(body.contains("none go to a DLQ because of the trip. It has no DLQ."), "{body}");

    let unread =
        FakeAccount::default().with_function("orders", Some(25)).with_mapping("orders", A, QUEUE, true);
    unread.fail(Op::UpdateMapping, 1, false);
    unread.fail(Op::ReadQueue, 1, true);
    let report = handle_at(&guard_for(&unread), "orders", 17, NOW);
    assert_eq!(outcome(&report), Outcome::Throttled, "a failed queue read changes nothing: {report:?}");
    let body = &unread.alerts()[0].body;
    assert!(body.contains("its attributes could not be read: "), "{body}");
    assert_eq!(unread.function("orders").reserved_concurrency, Some(0));
}

#[test]
fn a_retrip_after_a_half_finished_reenable_keeps_the_first_trips_paused_mappings() {
    let account = fed();
    let guard = guard_for(&account);
    handle_at(&guard, "orders", 17, NOW);
    account.fail(Op::UpdateMapping, 1, true);
    let at = NOW + secs(600);
    let failed = reenable(&account, &request("orders", None, false), at);
    assert!(matches!(failed, Err(ReenableError::ResumeFailed { .. })), "{failed:?}");
    assert_eq!(states(&account), on(false, false, false), "restored, but nothing resumed");

    let again = at + REENABLE_WINDOW + secs(1);
    assert_eq!(outcome(&handle_at(&guard, "orders", 17, again)), Outcome::Throttled);
    let trip = account.function("orders").trip.unwrap();
    assert_eq!(trip.paused_mappings, ids(&[A, C]), "the first trip's mappings are not dropped");
    assert_eq!(trip.previous_concurrency, Some(25));

    let done = reenable(&account, &request("orders", None, false), again + secs(600)).unwrap();
    let ReenableOutcome::Restored(done) = done else { panic!("{done:?}") };
    assert_eq!(done.resumed_mappings, ids(&[A, C]));
    assert_eq!(states(&account), on(true, false, true), "B was disabled before any trip");
}

#[test]
fn finishing_a_pause_never_leaves_disabled_a_mapping_a_racing_reenable_resumes() {
    let account = fed();
    account.fail(Op::UpdateMapping, 1, true);
    let guard = guard_for(&account);
    let report = handle_at(&guard, "orders", 17, NOW);
    assert_eq!(outcome(&report), Outcome::Throttled);
    assert_eq!(states(&account), on(true, false, false), "A's disable failed");
    // The retry lists A as polling; a reenable marks the record just before A's disable lands.
    account.reenable_before_next_disable("orders", NOW + secs(60));
    let retry = handle_at(&guard, "orders", 17, NOW + secs(61));
    assert!(retry.decisions[0].errors.is_empty(), "{retry:?}");
    assert_eq!(states(&account).first(), Some(&(A.into(), true)), "the re-enable's A stays enabled");
}
