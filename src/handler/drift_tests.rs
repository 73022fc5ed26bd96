//! The drift watch against in-memory ports: which calls cost an AWS call, and the alert sent once.

use crate::config::Config;
use crate::fake::{FakeAccount, Op};
use crate::handler::Guard;
use crate::name::FunctionName;
use crate::report::{DriftOutcome, Outcome, Report};
use crate::role::RoleRef;
use crate::time::Timestamp;

const NOW: Timestamp = Timestamp::from_secs(1_795_000_000);
/// The guard's execution role (a path, as CloudTrail's session issuer shows it).
const GUARD_ROLE: &str = "arn:aws:iam::111122223333:role/platform/runaway-guard-role";

type FakeGuard = Guard<FakeAccount, FakeAccount, FakeAccount>;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn put_back() -> String {
    fixture("cloudtrail-put-function-concurrency.json")
}

fn handle(guard: &FakeGuard, raw: &str) -> Report {
    match futures::executor::block_on(guard.handle_bytes(raw.as_bytes(), NOW)) {
        Ok(report) => report,
        Err(err) => panic!("event rejected: {err}"),
    }
}

fn guard(account: &FakeAccount) -> FakeGuard {
    let config = Config {
        self_function: FunctionName::new("runaway-guard").ok(),
        self_role: RoleRef::from_arn(GUARD_ROLE),
        ..Config::default()
    };
    Guard::new(config, account.clone(), account.clone(), account.clone())
        .with_location(Some("111122223333".into()), Some("us-east-1".into()))
}

/// Trips `orders-worker` through the handler, then a deploy puts 25 back (the call every
/// `put_back()` here records), and forgets the calls the trip made.
fn tripped(account: &FakeAccount, guard: &FakeGuard) {
    let event = crate::fake::signed_chain_event("orders-worker", 17, "1-abc-def", "111122223333");
    let event = String::from_utf8(event).expect("UTF-8");
    assert_eq!(handle(guard, &event).decisions[0].outcome, Outcome::Throttled);
    account.edit("orders-worker", |s| s.reserved_concurrency = Some(25));
    account.forget_calls();
}

#[test]
fn a_call_made_before_the_trip_or_undone_again_since_is_not_a_page() {
    let account = FakeAccount::default().with_function("orders-worker", Some(25));
    let guard = guard(&account);
    tripped(&account, &guard);
    // Made an hour before the trip (NOW), delivered after it.
    let early = put_back().replace("2026-11-20T09:40:12Z", "2026-11-18T10:06:40Z");
    let entry = handle(&guard, &early).drift.remove(0);
    assert_eq!(entry.outcome, DriftOutcome::Ignored, "{entry:?}");
    assert!(entry.why.contains("before the trip"), "{}", entry.why);
    // Re-tripped before the call's record arrived: at 0 again, the trip holds.
    account.edit("orders-worker", |s| s.reserved_concurrency = Some(0));
    let entry = handle(&guard, &put_back()).drift.remove(0);
    assert_eq!(entry.outcome, DriftOutcome::Ignored, "{entry:?}");
    assert!(entry.why.starts_with("already contained again"), "{}", entry.why);
    assert_eq!(account.alerts().len(), 1, "the trip's alert only");
}

#[test]
fn a_tripped_function_put_back_by_someone_else_is_reported_once() {
    let account = FakeAccount::default().with_function("orders-worker", Some(25));
    let guard = guard(&account);
    tripped(&account, &guard);
    let report = handle(&guard, &put_back());
    let entry = &report.drift[0];
    assert_eq!((entry.outcome.clone(), entry.alerted), (DriftOutcome::Reported, true), "{entry:?}");
    let alert = account.alerts().pop().unwrap();
    assert!(alert.subject.starts_with("DRIFT orders-worker"), "{}", alert.subject);
    assert!(alert.body.contains("arn:aws:sts::111122223333:assumed-role/ci-deploy/deployer"));
    let ops: Vec<Op> = account.calls().into_iter().map(|(op, _)| op).collect();
    assert_eq!(ops, [Op::Read, Op::RecordDrift, Op::Publish]);
    let again = handle(&guard, &put_back());
    assert_eq!(again.drift[0].why, "already reported");
    assert_eq!(account.alerts().len(), 2, "the trip's alert and one drift alert");
    let rows = futures::executor::block_on(crate::operator::status(&account)).unwrap();
    let drift = rows[0].drift.as_deref().unwrap_or_default();
    assert!(drift.contains("PutFunctionConcurrency") && drift.contains("deployer"), "{drift}");
}

#[test]
fn an_untripped_function_costs_one_read_and_nothing_else() {
    let account = FakeAccount::default().with_function("orders-worker", Some(25));
    let guard = guard(&account);
    for name in [
        "cloudtrail-put-function-concurrency.json",
        "cloudtrail-delete-function-concurrency.json",
        "cloudtrail-update-event-source-mapping.json",
    ] {
        let report = handle(&guard, &fixture(name));
        assert_eq!(report.drift[0].outcome, DriftOutcome::Ignored, "{name}: {:?}", report.drift);
        assert_eq!(report.drift[0].why, "no trip record in force on the function");
        let ops: Vec<Op> = account.calls().into_iter().map(|(op, _)| op).collect();
        assert_eq!(ops, [Op::Read], "{name}: only the record is read");
        account.forget_calls();
    }
    let failed = handle(&guard, &fixture("cloudtrail-put-function-concurrency-failed.json"));
    assert_eq!(failed.drift[0].outcome, DriftOutcome::Ignored);
    assert!(account.calls().is_empty(), "a failed call is not read: {:?}", account.calls());
    assert!(account.alerts().is_empty());
}

#[test]
fn a_trip_made_by_another_environment_is_seen() {
    let account = FakeAccount::default().with_function("orders-worker", Some(25));
    tripped(&account, &guard(&account));
    // A fresh guard: another execution environment, or this one after a cold start.
    let other = guard(&account);
    let report = handle(&other, &put_back());
    assert_eq!(report.drift[0].outcome, DriftOutcome::Reported, "{:?}", report.drift);
    let ops: Vec<Op> = account.calls().into_iter().map(|(op, _)| op).collect();
    assert_eq!(ops, [Op::Read, Op::Read, Op::RecordDrift, Op::Publish]);
    assert!(account.alerts().pop().is_some_and(|a| a.subject.starts_with("DRIFT orders-worker")));
}

#[test]
fn an_unreadable_record_fails_the_call_for_a_retry() {
    let account = FakeAccount::default().with_function("orders-worker", Some(25));
    let guard = guard(&account);
    account.fail(Op::Read, 1, true);
    let report = handle(&guard, &put_back());
    let entry = &report.drift[0];
    assert_eq!((entry.outcome.clone(), entry.retryable), (DriftOutcome::Failed, true), "{entry:?}");
    assert!(account.alerts().is_empty());
}

#[test]
fn the_guards_own_calls_and_calls_that_keep_it_contained_are_not_read() {
    let account = FakeAccount::default().with_function("orders-worker", Some(25));
    let guard = guard(&account);
    tripped(&account, &guard);
    let own = put_back()
        .replace("assumed-role/ci-deploy/deployer", "assumed-role/runaway-guard-role/runaway-guard")
        .replace("AROAEXAMPLEDEPLOYROLE:deployer", "AROAEXAMPLEGUARD:runaway-guard")
        .replace("arn:aws:iam::111122223333:role/ci-deploy", GUARD_ROLE);
    assert_eq!(handle(&guard, &own).drift[0].why, "the guard's own call (its execution role)");
    let zero =
        put_back().replace("\"reservedConcurrentExecutions\": 25 }", "\"reservedConcurrentExecutions\": 0 }");
    assert_eq!(handle(&guard, &zero).drift[0].why, "reserved concurrency 0 keeps it contained");
    assert!(account.calls().is_empty(), "{:?}", account.calls());
}

#[test]
fn a_reenabled_function_is_not_drift_and_a_foreign_account_is_rejected() {
    let account = FakeAccount::default().with_function("orders-worker", Some(25));
    let guard = guard(&account);
    tripped(&account, &guard);
    account.edit("orders-worker", |s| s.reenabled_at = Some(Timestamp::from_secs(1_795_000_001)));
    let report = handle(&guard, &fixture("cloudtrail-delete-function-concurrency.json"));
    assert_eq!(report.drift[0].why, "no trip record in force (re-enabled)");
    let foreign = put_back().replace("\"account\": \"111122223333\"", "\"account\": \"999999999999\"");
    let report = handle(&guard, &foreign);
    assert!(report.drift.is_empty());
    assert_eq!(report.rejected[0].location, "calls[0]");
}

#[test]
fn a_failed_drift_alert_is_retried_and_then_sent() {
    let account = FakeAccount::default().with_function("orders-worker", Some(25));
    let guard = guard(&account);
    tripped(&account, &guard);
    account.fail(Op::Publish, 1, true);
    let report = handle(&guard, &put_back());
    assert!(report.needs_retry(), "{:?}", report.drift);
    let retry = handle(&guard, &put_back());
    assert!(retry.drift[0].alerted, "{:?}", retry.drift);
}

/// A session name is the caller's choice: `dev-role` taking a session named after the guard is
/// still `dev-role`, and its call on a tripped function is drift.
#[test]
fn a_session_named_after_the_guard_is_not_the_guard() {
    let account = FakeAccount::default().with_function("orders-worker", Some(25));
    let guard = guard(&account);
    tripped(&account, &guard);
    let disguised = put_back()
        .replace("assumed-role/ci-deploy/deployer", "assumed-role/dev-role/runaway-guard")
        .replace("AROAEXAMPLEDEPLOYROLE:deployer", "AROAEXAMPLEDEVROLE:runaway-guard")
        .replace("role/ci-deploy", "role/dev-role");
    let report = handle(&guard, &disguised);
    let entry = &report.drift[0];
    assert_eq!((entry.outcome.clone(), entry.alerted), (DriftOutcome::Reported, true), "{entry:?}");
    assert!(account.alerts().pop().unwrap().body.contains("assumed-role/dev-role/runaway-guard"));
}

/// Without a session issuer, the role of the assumed-role ARN decides; without a known guard role,
/// no call is the guard's.
#[test]
fn the_role_decides_without_an_issuer_and_an_unknown_guard_role_owns_nothing() {
    let account = FakeAccount::default().with_function("orders-worker", Some(25));
    let guard = guard(&account);
    tripped(&account, &guard);
    let issuer = r#""sessionIssuer": {
          "type": "Role",
          "principalId": "AROAEXAMPLEDEPLOYROLE",
          "arn": "arn:aws:iam::111122223333:role/ci-deploy",
          "accountId": "111122223333",
          "userName": "ci-deploy"
        },"#;
    assert!(put_back().contains(issuer));
    let bare = put_back()
        .replace(issuer, "")
        .replace("assumed-role/ci-deploy/deployer", "assumed-role/runaway-guard-role/lambda-session");
    assert_eq!(handle(&guard, &bare).drift[0].why, "the guard's own call (its execution role)");
    let nameless = Config { self_function: FunctionName::new("runaway-guard").ok(), ..Config::default() };
    let unknown = Guard::new(nameless, account.clone(), account.clone(), account.clone())
        .with_location(Some("111122223333".into()), Some("us-east-1".into()));
    assert_eq!(handle(&unknown, &bare).drift[0].outcome, DriftOutcome::Reported);
}
