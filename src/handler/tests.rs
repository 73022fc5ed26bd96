//! The handler's trip flow against in-memory ports: the orderings and failure paths that moto
//! cannot produce on demand.

use crate::config::Config;
use crate::fake::{FakeAccount, Op};
use crate::handler::Guard;
use crate::name::FunctionName;
use crate::report::{Outcome, Report};
use crate::time::Timestamp;

const NOW: Timestamp = Timestamp::from_secs(1_795_000_000);

/// `function`'s own report of a hop at `depth`, sent with its execution role.
fn chain_event(function: &str, depth: u32) -> Vec<u8> {
    crate::fake::signed_chain_event(function, depth, "1-abc-def", "123456789012")
}

fn guard(account: &FakeAccount, config: Config) -> Guard<FakeAccount, FakeAccount, FakeAccount> {
    Guard::new(config, account.clone(), account.clone(), account.clone())
}

async fn handle(guard: &Guard<FakeAccount, FakeAccount, FakeAccount>, function: &str) -> Report {
    match guard.handle_bytes(&chain_event(function, 17), NOW).await {
        Ok(report) => report,
        Err(err) => panic!("event rejected: {err}"),
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

#[test]
fn trip_records_before_throttling_and_alerts_once() {
    let account = FakeAccount::default().with_function("orders", Some(25));
    let guard = guard(&account, Config::default());
    let report = block_on(handle(&guard, "orders"));
    assert_eq!(report.decisions[0].outcome, Outcome::Throttled);
    assert_eq!(report.decisions[0].previous_concurrency.as_deref(), Some("25"));
    let ops: Vec<Op> = account.calls().into_iter().map(|(op, _)| op).collect();
    assert_eq!(ops, [Op::Read, Op::Tag, Op::Throttle, Op::Publish, Op::MarkAlerted]);
    let state = account.function("orders");
    assert_eq!(state.reserved_concurrency, Some(0));
    let trip = state.trip.unwrap();
    assert_eq!((trip.previous_concurrency, trip.alert_pending), (Some(25), false));
    assert_eq!(account.alerts().len(), 1);
}

#[test]
fn tag_failure_still_throttles_and_the_alert_carries_the_previous_value() {
    let account = FakeAccount::default().with_function("orders", Some(7));
    account.fail(Op::Tag, 1, false);
    let report = block_on(handle(&guard(&account, Config::default()), "orders"));
    let decision = &report.decisions[0];
    assert_eq!(decision.outcome, Outcome::Throttled);
    assert_eq!(decision.errors.len(), 1, "{:?}", decision.errors);
    assert_eq!(account.function("orders").reserved_concurrency, Some(0));
    let alert = &account.alerts()[0];
    assert!(alert.body.contains("Previous reserved concurrency: 7"), "{}", alert.body);
}

#[test]
fn throttle_failure_is_reported_alerted_retryable_and_finished_by_the_retry() {
    let account = FakeAccount::default().with_function("orders", None);
    account.fail(Op::Throttle, 1, true);
    let guard = guard(&account, Config::default());
    let first = block_on(handle(&guard, "orders"));
    assert_eq!(first.decisions[0].outcome, Outcome::Failed);
    assert!(first.needs_retry());
    assert!(account.alerts()[0].subject.starts_with("FAILED"), "{}", account.alerts()[0].subject);
    assert_eq!(account.function("orders").reserved_concurrency, None);
    // Lambda's retry (a minute later, after the policy's short backoff) finds the record without
    // the throttle and completes the trip, keeping `none`.
    let retry_at = NOW + crate::policy::RETRY_BACKOFF;
    let second =
        block_on(guard.handle_bytes(&chain_event("orders", 17), retry_at)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(second.decisions[0].outcome, Outcome::Throttled, "{:?}", second.decisions[0]);
    let state = account.function("orders");
    assert_eq!(state.reserved_concurrency, Some(0));
    assert_eq!(state.trip.unwrap().previous_concurrency, None);
}

#[test]
fn a_re_sent_alert_that_fails_again_is_still_worth_a_retry() {
    let account = FakeAccount::default().with_function("orders", Some(3));
    account.fail(Op::Publish, 2, true);
    let first = block_on(handle(&guard(&account, Config::default()), "orders"));
    assert!(first.needs_retry());
    let second = block_on(handle(&guard(&account, Config::default()), "orders"));
    assert_eq!(second.decisions[0].outcome, Outcome::AlreadyTripped);
    assert!(second.needs_retry(), "the trip's alert is still unsent: {second:?}");
    let third = block_on(handle(&guard(&account, Config::default()), "orders"));
    assert!(third.decisions[0].alerted && !third.needs_retry());
    assert_eq!(account.alerts().len(), 1);
}

#[test]
fn lost_alert_is_retried_and_sent_exactly_once_more() {
    let account = FakeAccount::default().with_function("orders", Some(3));
    account.fail(Op::Publish, 1, true);
    let guard = guard(&account, Config::default());
    let first = block_on(handle(&guard, "orders"));
    assert_eq!(first.decisions[0].outcome, Outcome::Throttled);
    assert!(first.needs_retry() && !first.decisions[0].alerted);
    assert!(account.function("orders").trip.unwrap().alert_pending);
    // A retry in a fresh container (no in-memory dedupe) re-sends the pending alert.
    let retry = Guard::new(Config::default(), account.clone(), account.clone(), account.clone());
    let second = block_on(handle(&retry, "orders"));
    assert_eq!(second.decisions[0].outcome, Outcome::AlreadyTripped);
    assert!(second.decisions[0].alerted);
    assert_eq!(account.alerts().len(), 1);
    let subject = &account.alerts()[0].subject;
    assert!(subject.starts_with("THROTTLED"), "on-call hears of the trip as a trip: {subject}");
    assert!(!account.function("orders").trip.unwrap().alert_pending);
    let third = block_on(handle(
        &Guard::new(Config::default(), account.clone(), account.clone(), account.clone()),
        "orders",
    ));
    assert!(!third.decisions[0].alerted);
    assert_eq!(account.alerts().len(), 1);
}

#[test]
fn zero_set_by_hand_is_never_recorded_as_previous() {
    let account = FakeAccount::default().with_function("orders", Some(0));
    let report = block_on(handle(&guard(&account, Config::default()), "orders"));
    assert_eq!(report.decisions[0].outcome, Outcome::AlreadyTripped);
    assert!(account.function("orders").trip.is_none());
    assert!(account.calls().iter().all(|(op, _)| *op == Op::Read));
}

#[test]
fn dry_run_and_self_and_exempt_mutate_nothing() {
    let account = FakeAccount::default().with_function("orders", Some(5)).with_function("guard", None);
    let dry = Config { dry_run: true, ..Config::default() };
    let report = block_on(handle(&guard(&account, dry), "orders"));
    assert_eq!(report.decisions[0].outcome, Outcome::WouldThrottle);
    assert!(account.alerts()[0].subject.starts_with("WOULD THROTTLE"));
    let myself = Config { self_function: Some(FunctionName::new("guard").unwrap()), ..Config::default() };
    let report = block_on(handle(&guard(&account, myself), "guard"));
    assert_eq!(report.decisions[0].outcome, Outcome::Exempt);
    account.edit("orders", |s| s.exempt_tag = true);
    let report = block_on(handle(&guard(&account, Config::default()), "orders"));
    assert_eq!(report.decisions[0].outcome, Outcome::Exempt);
    let mutations =
        account.calls().into_iter().filter(|(op, _)| matches!(op, Op::Tag | Op::Throttle | Op::MarkAlerted));
    assert_eq!(mutations.count(), 0);
    assert_eq!(account.function("orders").reserved_concurrency, Some(5));
}

#[test]
fn a_per_function_max_depth_tag_raises_the_limit() {
    let account = FakeAccount::default().with_function("deep", Some(2));
    account.edit("deep", |s| s.max_depth_tag = Some(40));
    let report = block_on(handle(&guard(&account, Config::default()), "deep"));
    assert_eq!(report.decisions[0].outcome, Outcome::Exempt, "{:?}", report.decisions[0]);
    assert_eq!(account.function("deep").reserved_concurrency, Some(2));
}

#[test]
fn a_trip_racing_a_reenable_leaves_the_function_alone() {
    // The re-enable has marked `reenabled-at` and restored 25, but not yet cleared the record.
    let account = FakeAccount::default().with_function("orders", Some(25));
    let tripped_at = NOW - std::time::Duration::from_secs(60);
    account.edit("orders", |s| {
        s.trip = Some(crate::ports::TripRecord {
            tripped_at,
            previous_concurrency: Some(25),
            reason: "chain depth 17 > limit 16".into(),
            alert_pending: false,
            paused_mappings: Vec::new(),
            tripped_by: None,
            parked: None,
        });
        s.reenabled_at = Some(NOW);
    });
    let report = block_on(handle(&guard(&account, Config::default()), "orders"));
    assert_eq!(report.decisions[0].outcome, Outcome::AlreadyTripped);
    assert_eq!(account.function("orders").reserved_concurrency, Some(25));
    assert!(account.calls().iter().all(|(op, _)| *op == Op::Read));
}

#[test]
fn reenable_marks_before_restoring_then_clears_the_record() {
    let account = FakeAccount::default().with_function("orders", Some(25));
    let guard = guard(&account, Config::default());
    block_on(handle(&guard, "orders"));
    let identity = FakeIdentity;
    let function = FunctionName::new("orders").unwrap();
    let later = NOW + std::time::Duration::from_secs(600);
    let ports =
        || crate::operator::ReenablePorts { throttler: &account, notifier: &account, identity: &identity };
    let request = crate::operator::ReenableRequest { function, to: None, force: false };
    let done =
        block_on(crate::operator::reenable(ports(), None, &request, later)).unwrap_or_else(|e| panic!("{e}"));
    let crate::operator::ReenableOutcome::Restored(done) = done else { panic!("{done:?}") };
    assert_eq!(done.restored, Some(25));
    let state = account.function("orders");
    assert_eq!((state.reserved_concurrency, state.trip, state.reenabled_at), (Some(25), None, Some(later)));
    let again =
        block_on(crate::operator::reenable(ports(), None, &request, later)).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(again, crate::operator::ReenableOutcome::AlreadyReenabled { .. }), "{again:?}");
}

struct FakeIdentity;

impl crate::ports::Identity for FakeIdentity {
    async fn caller(&self) -> Result<crate::ports::Caller, crate::ports::PortError> {
        Ok(crate::ports::Caller {
            arn: "arn:aws:iam::123456789012:user/oncall".into(),
            account: "123456789012".into(),
        })
    }
}

fn candidate(trigger: &str, recursion: bool, muted: Option<&str>) -> crate::verdict::Verdict {
    crate::verdict::Verdict::Judge(crate::verdict::Candidate {
        function: FunctionName::new("orders").unwrap(),
        trigger: trigger.into(),
        recursion,
        muted: muted.map(str::to_owned),
    })
}

#[test]
fn two_triggers_for_one_function_in_a_batch_keep_the_recursion_signal() {
    // The Invocations contributor arrives first, Lambda's RecursiveInvocationsDropped second: the
    // one judgement must still know Lambda saw a loop.
    for order in [[false, true], [true, false]] {
        let mut targets = super::Targets::default();
        targets.add(candidate(if order[0] { "drops" } else { "invocations" }, order[0], None));
        targets.add(candidate(if order[1] { "drops" } else { "invocations" }, order[1], Some("deploy")));
        assert_eq!(targets.candidates.len(), 1);
        let c = &targets.candidates[0];
        assert!(c.recursion, "{order:?}: {c:?}");
        assert!(c.trigger.contains("drops") && c.trigger.contains("invocations"), "{}", c.trigger);
        assert_eq!(c.muted.as_deref(), Some("deploy"));
    }
}

/// One SQS record carrying `function`'s header at depth 17, sent by `sender`.
fn sent_by(function: &str, sender: &str, id: usize) -> String {
    format!(
        r#"{{"messageId":"forged-{id}","receiptHandle":"r","body":"x","attributes":{{"SenderId":"{sender}"}},
        "messageAttributes":{{"runaway-guard-chain":{{"stringValue":"root=r-{id};depth=17;function={function}","dataType":"String"}}}},
        "eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:chain","awsRegion":"us-east-1"}}"#
    )
}

#[test]
fn a_report_from_another_role_or_session_is_judged_not_acted_on() {
    let account = FakeAccount::default().with_function("orders", Some(25)).with_function("billing", None);
    let guard = guard(&account, Config::default());
    let orders_role = crate::fake::role_id("orders");
    let records = [
        sent_by("orders", &format!("{}:orders", crate::fake::role_id("billing")), 1),
        sent_by("orders", &format!("{orders_role}:billing"), 2),
    ];
    let raw = format!(r#"{{"Records":[{}]}}"#, records.join(","));
    let report = block_on(guard.handle_bytes(raw.as_bytes(), NOW)).expect("batch");
    assert!(report.decisions.is_empty(), "{report:?}");
    assert!(report.notes.iter().any(|n| n.contains("not orders's execution role")), "{:?}", report.notes);
    assert!(
        report.notes.iter().any(|n| n.starts_with("left orders alone (unauthenticated")),
        "{:?}",
        report.notes
    );
    assert_eq!(account.function("orders").reserved_concurrency, Some(25));
    // The same claims a second later: no second judgement (one CloudWatch read a minute).
    let later = NOW + std::time::Duration::from_secs(1);
    let again = block_on(guard.handle_bytes(raw.replace("forged-", "again-").as_bytes(), later));
    let notes = again.expect("batch").notes;
    assert!(notes.iter().any(|n| n.contains("judged 1s ago")), "{notes:?}");
}

#[test]
fn a_flood_of_self_named_senders_reads_a_bounded_number_of_roles() {
    let names: Vec<String> = (0..15).map(|i| format!("fn-{i}")).collect();
    let account = names.iter().fold(FakeAccount::default(), |a, n| a.with_function(n, None));
    let guard = guard(&account, Config::default());
    let records: Vec<String> =
        names.iter().enumerate().map(|(i, n)| sent_by(n, &format!("AROAFORGED00000000001:{n}"), i)).collect();
    let raw = format!(r#"{{"Records":[{}]}}"#, records.join(","));
    let report = block_on(guard.handle_bytes(raw.as_bytes(), NOW)).expect("batch");
    assert!(report.decisions.is_empty(), "{report:?}");
    let unread = report.notes.iter().filter(|n| n.contains("not read: 10 reads per event")).count();
    assert_eq!(unread, 5, "{:?}", report.notes);
}

#[test]
fn bus_claims_naming_sixty_functions_judge_fifty_and_cap_the_rest_without_a_call() {
    let names: Vec<String> = (0..60).map(|i| format!("fn-{i:02}")).collect();
    let account = names.iter().fold(FakeAccount::default(), |a, n| a.with_function(n, None));
    let guard = guard(&account, Config::default());
    let records: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let body = format!(
                r#"{{"source":"x","account":"123456789012","region":"us-east-1","detail":{{"runawayGuard":{{"root":"r-{i}","depth":17,"function":"{n}"}}}}}}"#
            );
            format!(
                r#"{{"messageId":"b-{i}","body":{},"eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:chain","awsRegion":"us-east-1"}}"#,
                serde_json::Value::String(body)
            )
        })
        .collect();
    let raw = format!(r#"{{"Records":[{}]}}"#, records.join(","));
    let report = block_on(guard.handle_bytes(raw.as_bytes(), NOW)).expect("batch");
    let judged: usize = account.metric_reads().iter().map(Vec::len).sum();
    assert_eq!(judged, 50, "{:?}", account.metric_reads());
    assert_eq!(report.count(Outcome::Capped), 10, "{:?}", report.decisions);
    assert_eq!(report.count(Outcome::Throttled), 0, "{:?}", report.decisions);
    // The judgement reads the configuration of the fifty it judges; the ten capped cost no call.
    let read: Vec<String> =
        account.calls().into_iter().filter(|(op, _)| *op == Op::Read).map(|(_, f)| f).collect();
    assert_eq!(read, names[..50], "{:?}", account.calls());
    assert!(
        account.calls().iter().all(|(op, _)| matches!(op, Op::Read | Op::ReadDepthTag)),
        "{:?}",
        account.calls()
    );
}
