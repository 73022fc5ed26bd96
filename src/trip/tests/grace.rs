//! Grace never means silence: after a re-enable, fresh rate, cost or alarm evidence against the
//! function is judged and pages once per re-enable; it does not throttle until the grace period
//! ends. Chain evidence throttles at once.

use super::*;
use crate::policy::{Policy, PolicyConfig};
use crate::trip::{TripContext, UnrecordedTrips};
use crate::verdict::Reason;

fn rate() -> Reason {
    Reason::RateAbsolute { per_second: 500.0, limit: 100.0 }
}

fn act(account: &FakeAccount, policy: &Policy, reason: &Reason, at: Timestamp) -> crate::report::Decision {
    let unrecorded = UnrecordedTrips::default();
    let context = TripContext {
        throttler: account,
        notifier: account,
        policy,
        account: None,
        region: None,
        dry_run: false,
        max_trips_per_hour: 10,
        actor: None,
        budget: None,
        unrecorded: &unrecorded,
        parking_queue: None,
    };
    let function = crate::name::FunctionName::new("looper").unwrap();
    block_on(context.act(&function, reason, at))
}

#[test]
fn evidence_during_the_grace_period_pages_once_per_reenable_and_does_not_throttle() {
    let account = FakeAccount::default().with_function("looper", Some(5));
    let policy = Policy::new(PolicyConfig::from(&Config::default()));
    assert_eq!(act(&account, &policy, &rate(), NOW).outcome, Outcome::Throttled);
    let at = NOW + secs(600);
    assert!(matches!(
        reenable(&account, &request("looper", None, false), at),
        Ok(ReenableOutcome::Restored(_))
    ));
    let paged = account.alerts().len();

    let again = act(&account, &policy, &rate(), at + secs(120));
    assert_eq!(again.outcome, Outcome::Exempt, "{again:?}");
    assert!(again.alerted, "the runaway is heard about: {again:?}");
    assert_eq!(account.function("looper").reserved_concurrency, Some(5), "the documented rule: no throttle");
    let alerts = account.alerts();
    assert_eq!(alerts.len(), paged + 1);
    let body = &alerts[paged].body;
    assert!(body.contains("Not throttled: grace period: re-enabled at"), "{body}");
    assert!(body.contains("runaway-guard trip looper"), "says how to stop it now: {body}");

    let later = act(&account, &policy, &rate(), at + secs(300));
    assert_eq!((later.outcome, later.alerted), (Outcome::Exempt, false), "one page per re-enable");

    let chain = Reason::Depth {
        root: crate::chain::ChainRoot::new("1-abc").unwrap(),
        depth: 17,
        limit: 16,
        event: None,
    };
    assert_eq!(act(&account, &policy, &chain, at + secs(400)).outcome, Outcome::Throttled);
}

#[test]
fn after_the_grace_period_the_same_evidence_throttles_again() {
    let account = FakeAccount::default().with_function("looper", Some(5));
    let policy = Policy::new(PolicyConfig::from(&Config::default()));
    act(&account, &policy, &rate(), NOW);
    let at = NOW + secs(600);
    assert!(reenable(&account, &request("looper", None, false), at).is_ok());
    let grace = secs(Config::default().grace_secs);
    assert_eq!(act(&account, &policy, &rate(), at + grace + secs(1)).outcome, Outcome::Throttled);
}
