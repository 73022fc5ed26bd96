//! Policy tests: every outcome, the cap, dry-run, no alert storms, grace.

use super::*;
use crate::ports::{Architecture, FailureTarget, TripRecord};

const T0: u64 = 1_800_000_000;

fn name(s: &str) -> FunctionName {
    FunctionName::new(s).unwrap()
}

fn at(secs: u64) -> Timestamp {
    Timestamp::from_secs(T0 + secs)
}

fn state(f: &str) -> FunctionState {
    FunctionState {
        function: name(f),
        reserved_concurrency: None,
        exempt_tag: false,
        max_depth_tag: None,
        trip: None,
        reenabled_at: None,
        reenabled_by: None,
        memory_mb: 128,
        architecture: Architecture::Arm64,
        failure_target: FailureTarget::Dropped,
    }
}

fn config() -> PolicyConfig {
    PolicyConfig::from(&Config {
        self_function: Some(name("guard")),
        exempt: [name("vip")].into(),
        max_trips_per_hour: 2,
        grace_secs: 900,
        ..Config::default()
    })
}

fn rate() -> Reason {
    Reason::RateAbsolute { per_second: 500.0, limit: 100.0 }
}

fn depth() -> Reason {
    Reason::Depth { root: crate::chain::ChainRoot::new("r").unwrap(), depth: 17, limit: 16, event: None }
}

fn outcome(plan: &Plan) -> (Outcome, bool) {
    match plan {
        Plan::Throttle => (Outcome::Throttled, true),
        Plan::WouldThrottle => (Outcome::WouldThrottle, true),
        Plan::Skip { outcome, alert, .. } => (*outcome, *alert),
    }
}

#[test]
fn the_guard_and_env_exempt_functions_are_screened_out_without_io() {
    let p = Policy::new(config());
    for f in ["guard", "vip"] {
        assert_eq!(outcome(&p.screen(&name(f), &depth(), at(0)).unwrap()), (Outcome::Exempt, false));
        assert_eq!(
            outcome(&p.decide(&state(f), &depth(), at(0))),
            (Outcome::Exempt, false),
            "decide re-checks"
        );
    }
    assert_eq!(p.screen(&name("other"), &depth(), at(0)), None);
}

#[test]
fn throttles_then_screens_repeats_for_a_minute() {
    let p = Policy::new(config());
    assert_eq!(p.decide(&state("f"), &depth(), at(0)), Plan::Throttle);
    assert_eq!(outcome(&p.screen(&name("f"), &depth(), at(30)).unwrap()), (Outcome::AlreadyTripped, false));
    assert_eq!(p.screen(&name("f"), &depth(), at(61)), None);
}

#[test]
fn exempt_tag_and_trip_record_win() {
    let p = Policy::new(config());
    let exempt = FunctionState { exempt_tag: true, ..state("f") };
    assert_eq!(outcome(&p.decide(&exempt, &depth(), at(0))), (Outcome::Exempt, false));
    let record = TripRecord {
        tripped_at: at(0),
        previous_concurrency: None,
        reason: "x".into(),
        alert_pending: false,
        paused_mappings: Vec::new(),
        tripped_by: None,
        parked: None,
    };
    let tripped = FunctionState { trip: Some(record), reenabled_at: Some(at(0)), ..state("g") };
    assert_eq!(outcome(&p.decide(&tripped, &rate(), at(1))), (Outcome::AlreadyTripped, false));
}

#[test]
fn grace_holds_judged_reasons_back_pages_once_but_not_authenticated_depth() {
    let p = Policy::new(config());
    let s = FunctionState { reenabled_at: Some(at(0)), ..state("f") };
    let Plan::Skip { outcome, why, alert } = p.decide(&s, &rate(), at(100)) else { panic!() };
    assert_eq!((outcome, alert), (Outcome::Exempt, true), "not throttled, never silent");
    assert!(why.contains("grace period"), "{why}");
    let Plan::Skip { alert, .. } = p.decide(&s, &rate(), at(200)) else { panic!() };
    assert!(!alert, "one page per re-enable");
    assert_eq!(p.screen(&name("f"), &depth(), at(101)), None, "a grace skip must not hide chain evidence");
    assert_eq!(p.decide(&s, &depth(), at(101)), Plan::Throttle);
    let g = FunctionState { reenabled_at: Some(at(0)), ..state("g") };
    assert_eq!(p.decide(&g, &rate(), at(900)), Plan::Throttle, "grace over");
}

#[test]
fn caps_trips_per_rolling_hour_and_alerts_beyond() {
    let p = Policy::new(config());
    assert_eq!(p.decide(&state("a"), &depth(), at(0)), Plan::Throttle);
    assert_eq!(p.decide(&state("b"), &depth(), at(10)), Plan::Throttle);
    assert_eq!(outcome(&p.decide(&state("c"), &depth(), at(20))), (Outcome::Capped, true));
    assert_eq!(outcome(&p.screen(&name("c"), &depth(), at(30)).unwrap()), (Outcome::Capped, false));
    assert_eq!(p.decide(&state("d"), &depth(), at(3600)), Plan::Throttle, "a's slot rolled out");
    // Exempt and already-tripped decisions do not use up the cap.
    let q = Policy::new(config());
    for i in 0..5 {
        q.decide(&FunctionState { exempt_tag: true, ..state(&format!("e{i}")) }, &depth(), at(0));
    }
    assert_eq!(q.decide(&state("x"), &depth(), at(0)), Plan::Throttle);
}

#[test]
fn a_failed_trip_gives_its_slot_back() {
    let p = Policy::new(config());
    assert_eq!(p.decide(&state("a"), &depth(), at(0)), Plan::Throttle);
    assert_eq!(p.decide(&state("b"), &depth(), at(0)), Plan::Throttle);
    assert!(p.trip_failed(&name("b"), at(0), true, "503"), "the first failure pages");
    let held = p.screen(&name("b"), &depth(), at(1)).map(|plan| outcome(&plan));
    assert_eq!(held, Some((Outcome::Failed, false)), "held back without a call or a page");
    let retry = at(0) + RETRY_BACKOFF;
    assert_eq!(p.screen(&name("b"), &depth(), retry), None, "a retryable failure is tried again soon");
    assert_eq!(p.decide(&state("b"), &depth(), retry), Plan::Throttle, "its slot came back");
    assert!(!p.trip_failed(&name("b"), retry, true, "503"), "but pages once per period");
}

#[test]
fn a_capped_function_pages_once_per_period_and_is_screened_while_the_cap_is_full() {
    let p = Policy::new(PolicyConfig { max_trips_per_hour: 1, ..config() });
    assert_eq!(p.decide(&state("a"), &depth(), at(0)), Plan::Throttle);
    assert_eq!(outcome(&p.decide(&state("b"), &depth(), at(1))), (Outcome::Capped, true));
    let screened = p.screen(&name("b"), &depth(), at(120)).map(|plan| outcome(&plan));
    assert_eq!(screened, Some((Outcome::Capped, false)), "no read, no page");
    let later = at(1) + PAGE_PERIOD;
    assert_eq!(p.screen(&name("b"), &depth(), later), None);
    assert_eq!(outcome(&p.decide(&state("b"), &depth(), later)), (Outcome::Capped, true), "next period");
    assert_eq!(p.screen(&name("b"), &depth(), at(3601)), None, "a free slot lets it through");
    assert_eq!(p.decide(&state("b"), &depth(), at(3601)), Plan::Throttle);
}

#[test]
fn a_record_a_reenable_did_not_clear_mutes_nothing_after_the_window() {
    let p = Policy::new(config());
    let record = TripRecord {
        tripped_at: at(0),
        previous_concurrency: Some(5),
        reason: "x".into(),
        alert_pending: false,
        paused_mappings: Vec::new(),
        tripped_by: None,
        parked: None,
    };
    let stale = FunctionState {
        trip: Some(record),
        reenabled_at: Some(at(100)),
        reserved_concurrency: Some(5),
        ..state("f")
    };
    assert_eq!(outcome(&p.decide(&stale, &depth(), at(110))), (Outcome::AlreadyTripped, false), "under way");
    let after = at(100) + REENABLE_WINDOW;
    let Plan::Skip { why, .. } = p.decide(&stale, &rate(), after) else { panic!() };
    assert!(why.contains("grace period"), "the re-enable's grace applies: {why}");
    assert_eq!(p.decide(&stale, &depth(), after), Plan::Throttle, "chain evidence trips it again");
    let at_zero = FunctionState { reserved_concurrency: Some(0), ..stale };
    let Plan::Skip { why, .. } = p.decide(&at_zero, &depth(), at(5000)) else { panic!() };
    assert!(why.contains("did not restore"), "{why}");
}

#[test]
fn dry_run_would_throttle_and_counts_against_the_cap() {
    let p = Policy::new(PolicyConfig { dry_run: true, max_trips_per_hour: 1, ..config() });
    assert_eq!(p.decide(&state("a"), &depth(), at(0)), Plan::WouldThrottle);
    assert_eq!(outcome(&p.decide(&state("b"), &depth(), at(0))), (Outcome::Capped, true));
}
