//! The account-wide trip cap against in-memory ports: environments sharing one budget cannot trip
//! more than the cap together; an unreachable count falls back to the per-environment cap; a
//! failed throttle gives its count back; manual trips and dry runs never spend it.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::*;
use crate::name::FunctionName;
use crate::ports::{MemoryBudget, TripHour};

/// One execution environment of the guard, counting its trips in `budget` too.
fn environment(account: &FakeAccount, budget: &Arc<MemoryBudget>, max_trips_per_hour: u32) -> FakeGuard {
    guard(account, Config { max_trips_per_hour, ..Config::default() }).with_trip_budget(budget.clone())
}

fn account() -> FakeAccount {
    ["a", "b", "c", "d"].into_iter().fold(FakeAccount::default(), |acc, f| acc.with_function(f, Some(5)))
}

#[test]
fn environments_sharing_the_budget_trip_no_more_than_the_cap_together() {
    let account = account();
    let budget = Arc::new(MemoryBudget::default());
    let (first, second) = (environment(&account, &budget, 2), environment(&account, &budget, 2));
    assert_eq!(outcome(&handle_at(&first, "a", 17, NOW)), Outcome::Throttled);
    assert_eq!(outcome(&handle_at(&second, "b", 17, NOW + secs(1))), Outcome::Throttled);
    // Each environment has used one of its own two trips, but the hour's two are spent.
    let report = handle_at(&second, "c", 17, NOW + secs(2));
    assert_eq!(outcome(&report), Outcome::Capped, "{report:?}");
    assert!(report.decisions[0].reason.contains("account-wide"), "{report:?}");
    assert_eq!(outcome(&handle_at(&first, "d", 17, NOW + secs(3))), Outcome::Capped);
    assert_eq!(account.function("c").reserved_concurrency, Some(5), "left alone");
    assert!(account.function("c").trip.is_none(), "no record written");
    assert_eq!(budget.count(TripHour::of(NOW)), 2);
    let capped = account.alerts().into_iter().filter(|a| a.subject.contains('c')).count();
    assert!(capped >= 1, "on-call hears of the capped trip");
}

#[test]
fn an_unreachable_count_falls_back_to_the_per_environment_cap() {
    let account = account();
    let budget = Arc::new(MemoryBudget::default());
    budget.unreachable.store(true, Ordering::SeqCst);
    let only = environment(&account, &budget, 1);
    let report = handle_at(&only, "a", 17, NOW);
    assert_eq!(outcome(&report), Outcome::Throttled, "a runaway is still stopped");
    assert!(report.decisions[0].reason.contains("counted in this environment only"), "{report:?}");
    assert_eq!(outcome(&handle_at(&only, "b", 17, NOW + secs(1))), Outcome::Capped, "the floor holds");
}

#[test]
fn a_failed_throttle_gives_its_count_back() {
    let account = account();
    let budget = Arc::new(MemoryBudget::default());
    let only = environment(&account, &budget, 2);
    account.fail(Op::Throttle, 1, false);
    assert_eq!(outcome(&handle_at(&only, "a", 17, NOW)), Outcome::Failed);
    assert_eq!(budget.count(TripHour::of(NOW)), 0);
}

#[test]
fn manual_trips_and_dry_runs_never_spend_the_shared_count() {
    let account = account();
    let budget = Arc::new(MemoryBudget::default());
    let only = environment(&account, &budget, 5);
    let decision = block_on(only.trip_by(&FunctionName::new("a").unwrap(), "by hand", Some(ONCALL), NOW));
    assert_eq!(decision.outcome, Outcome::Throttled);
    let dry = guard(&account, Config { dry_run: true, ..Config::default() }).with_trip_budget(budget.clone());
    assert_eq!(outcome(&handle_at(&dry, "b", 17, NOW)), Outcome::WouldThrottle);
    assert_eq!(budget.count(TripHour::of(NOW)), 0);
}
