//! One page per cause, against in-memory ports: a read the judgement needs and cannot make fails
//! the invocation (so the one-shot event is retried) and pages once per subject per period, the
//! retries of the same event included; a search never says "nothing ran away" on missing data;
//! the sweep's summary pages only when its situation changes.

use super::tests::{
    NOW, account_alarm, block_on, contributor, doubling, minutes, outcomes, series, usage, week,
};
use crate::config::Config;
use crate::fake::{FakeAccount, Op};
use crate::handler::Guard;
use crate::report::{Outcome, Report};
use crate::signal::{AlarmState, Signal, SweepSignal};
use crate::time::Timestamp;

type FakeGuard = Guard<FakeAccount, FakeAccount, FakeAccount>;

fn guard(account: &FakeAccount, config: Config) -> FakeGuard {
    Guard::new(config, account.clone(), account.clone(), account.clone())
}

fn at(guard: &FakeGuard, signals: &[Signal], secs_after: u64) -> Report {
    block_on(guard.handle_signals(signals, Timestamp::from_secs(NOW + secs_after)))
}

/// A function as busy as it always is, at about $25/h: over the $5/h limit, never a runaway.
fn with_steady(account: FakeAccount) -> FakeAccount {
    let account = account.with_function("steady", None).with_metrics(series(
        "steady",
        minutes(&[(120_000.0, 200.0); 10]),
        week(7_200_000.0, 200.0),
    ));
    account.edit("steady", |s| s.memory_mb = 1024);
    account
}

fn subjects(alerts: &[crate::ports::Alert]) -> Vec<String> {
    alerts.iter().map(|a| a.subject.clone()).collect()
}

#[test]
fn a_failed_judgement_read_fails_the_invocation_and_pages_once_until_the_retry_judges() {
    let account = FakeAccount::default().with_function("orders", None).with_metrics(series(
        "orders",
        doubling(),
        vec![],
    ));
    account.edit("orders", |s| s.memory_mb = 5120);
    let guard = guard(&account, Config::default());
    let event = [contributor("orders", AlarmState::Alarm)];
    account.fail(Op::ReadSeries, 3, true);
    for retry in 0..3 {
        let report = at(&guard, &event, 60 * retry);
        assert!(report.needs_retry(), "a failed read must fail the invocation: {report:?}");
        assert!(report.decisions.is_empty(), "nothing concluded from missing data: {report:?}");
        assert_eq!(report.unread.len(), 1, "{:?}", report.unread);
        assert_eq!(report.unread[0].subject, "orders");
        assert!(report.unread[0].error.contains("GetMetricData"), "{}", report.unread[0].error);
        assert_eq!(report.unread[0].alerted, retry == 0, "paged on the first failure only");
    }
    let alerts = account.alerts();
    assert_eq!(subjects(&alerts), ["UNJUDGED orders: 1 read(s) failed"]);
    assert!(alerts[0].body.contains("- orders: Fake failed for GetMetricData"), "{}", alerts[0].body);
    // The read works again: the retried event is judged and the runaway throttled.
    let report = at(&guard, &event, 180);
    assert!(!report.needs_retry(), "{report:?}");
    assert_eq!(outcomes(&report), [("orders".into(), Outcome::Throttled, "runaway".into())]);
}

#[test]
fn one_bad_read_in_a_batch_neither_rethrottles_nor_repages_the_others_on_the_retry() {
    let account = FakeAccount::default()
        .with_function("billing", None)
        .with_metrics(series("billing", minutes(&[(10.0, 100.0); 10]), week(600.0, 100.0)))
        .with_function("orders", None)
        .with_metrics(series("orders", doubling(), vec![]));
    account.edit("orders", |s| s.memory_mb = 5120);
    let guard = guard(&account, Config::default());
    let event = [contributor("billing", AlarmState::Alarm), contributor("orders", AlarmState::Alarm)];
    // billing's configuration is read first, and fails.
    account.fail(Op::Read, 1, true);
    let first = at(&guard, &event, 0);
    assert_eq!(outcomes(&first), [("orders".into(), Outcome::Throttled, "runaway".into())]);
    assert!(first.needs_retry(), "billing was not judged: {first:?}");
    assert_eq!(first.unread.iter().map(|u| u.subject.as_str()).collect::<Vec<_>>(), ["billing"]);
    assert_eq!(account.alerts().len(), 2, "the trip and one UNJUDGED page");
    account.fail(Op::Read, 1, true);
    let retry = at(&guard, &event, 60);
    assert!(retry.needs_retry());
    assert!(retry.decisions.iter().all(|d| d.outcome == Outcome::AlreadyTripped && !d.alerted), "{retry:?}");
    assert_eq!(account.alerts().len(), 2, "no second trip alert, no second page for billing");
    let healed = at(&guard, &event, 120);
    assert!(!healed.needs_retry(), "{healed:?}");
    assert!(healed.unread.is_empty());
    assert_eq!(account.alerts().len(), 2);
    assert_eq!(account.function("orders").reserved_concurrency, Some(0));
    assert_eq!(account.function("billing").reserved_concurrency, None);
}

#[test]
fn a_search_whose_judgement_read_fails_never_pages_no_offender() {
    let account = with_steady(FakeAccount::default().with_usage(vec![usage("steady", 360_000.0, 200.0)]));
    let guard = guard(&account, Config::default());
    account.fail(Op::ReadSeries, 1, true);
    let report = at(&guard, &[Signal::Alarm(Box::new(account_alarm()))], 0);
    assert!(report.needs_retry(), "{report:?}");
    let subjects = subjects(&account.alerts());
    assert_eq!(subjects, ["UNJUDGED steady: 1 read(s) failed"], "never NO OFFENDER on missing data");
}

#[test]
fn a_search_whose_usage_read_fails_pages_once_per_alarm_and_fails_the_invocation() {
    let account = with_steady(FakeAccount::default().with_usage(vec![usage("steady", 360_000.0, 200.0)]));
    let guard = guard(&account, Config::default());
    account.fail(Op::ReadMetrics, 2, true);
    let alarm = [Signal::Alarm(Box::new(account_alarm()))];
    assert!(at(&guard, &alarm, 0).needs_retry());
    assert!(at(&guard, &alarm, 60).needs_retry());
    assert_eq!(subjects(&account.alerts()), ["UNJUDGED alarm account-concurrency: 1 read(s) failed"]);
}

#[test]
fn the_sweep_pages_only_when_its_situation_changes() {
    let sweep = [Signal::Sweep(SweepSignal { at: None, account: None })];
    // Nothing over the limit: the sweep has nothing to say, tick after tick.
    let quiet =
        FakeAccount::default().with_usage(vec![usage("quiet", 10.0, 100.0)]).with_function("quiet", None);
    let guard_quiet = guard(&quiet, Config::default());
    for tick in 0..4 {
        let report = at(&guard_quiet, &sweep, 900 * tick);
        assert!(!report.needs_retry(), "{report:?}");
    }
    assert!(quiet.alerts().is_empty(), "{:?}", subjects(&quiet.alerts()));
    // A steady function over the limit: paged once, not every 15 minutes.
    let account = with_steady(FakeAccount::default().with_usage(vec![usage("steady", 360_000.0, 200.0)]));
    let guard = guard(&account, Config::default());
    for tick in 0..4 {
        at(&guard, &sweep, 900 * tick);
    }
    let alerts = account.alerts();
    assert_eq!(subjects(&alerts), ["NO OFFENDER for alarm sweep: none over $5.00/h ran away"]);
    assert!(
        alerts[0].body.contains("over the limit of $5.00/h is within its own normal")
            && alerts[0].body.contains("steady ($"),
        "the text agrees with the list: {}",
        alerts[0].body
    );
    // It goes quiet, then comes back: a new situation each time it reappears.
    let _ = account.clone().with_usage(vec![usage("quiet", 10.0, 100.0)]);
    at(&guard, &sweep, 900 * 4);
    let _ = account.clone().with_usage(vec![usage("steady", 360_000.0, 200.0)]);
    at(&guard, &sweep, 900 * 5);
    assert_eq!(account.alerts().len(), 2, "{:?}", subjects(&account.alerts()));
}
