//! Detector tests: the rules end to end through `Detector::observe` (and `observe_batch`, which must
//! decide the same), and the caps under floods.

use proptest::prelude::*;

use super::*;
use crate::signal::{AlarmMetric, AlarmTransport, ChainObservation, SweepSignal};

const T0: u64 = 1_800_000_000;

fn name(s: &str) -> FunctionName {
    FunctionName::new(s).unwrap()
}

fn chain(root: &str, depth: u32, function: &str) -> Signal {
    let header = ChainHeader { root: ChainRoot::new(root).unwrap(), depth, function: name(function) };
    Signal::Chain(ChainObservation::bare(header))
}

fn at(secs: u64) -> Timestamp {
    Timestamp::from_secs(T0 + secs)
}

fn alarm(state: AlarmState, namespace: &str, functions: &[&str]) -> Signal {
    Signal::Alarm(Box::new(AlarmSignal {
        alarm_name: "a1".into(),
        alarm_arn: None,
        state,
        metrics: vec![AlarmMetric { namespace: namespace.into(), name: "Invocations".into() }],
        functions: functions.iter().map(|f| name(f)).collect(),
        reason: None,
        at: None,
        account: None,
        region: None,
        transport: AlarmTransport::EventBridge,
    }))
}

fn rules(verdicts: &[Verdict]) -> Vec<(&str, &'static str)> {
    verdicts
        .iter()
        .filter_map(|v| match v {
            Verdict::Throttle { function, reason } => Some((function.as_str(), reason.rule())),
            _ => None,
        })
        .collect()
}

#[test]
fn depth_over_the_limit_throttles_the_emitter() {
    let d = Detector::new(DetectorConfig::default());
    assert!(d.observe(&chain("r", 16, "f"), at(0)).is_empty());
    let v = d.observe(&chain("r", 17, "f"), at(0));
    assert_eq!(rules(&v), [("f", "depth")]);
    let Verdict::Throttle { reason: Reason::Depth { depth, limit, .. }, .. } = &v[0] else { panic!("{v:?}") };
    assert_eq!((*depth, *limit), (17, 16));
}

#[test]
fn per_function_depth_limit_overrides_and_clears() {
    let d = Detector::new(DetectorConfig::default());
    d.set_depth_limit(&name("f"), Some(3));
    assert_eq!(rules(&d.observe(&chain("r", 4, "f"), at(0))), [("f", "depth")]);
    assert!(d.observe(&chain("r", 4, "g"), at(0)).is_empty(), "other functions keep the default");
    d.set_depth_limit(&name("f"), None);
    assert!(d.observe(&chain("r", 4, "f"), at(0)).is_empty());
}

#[test]
fn depth_rule_works_when_every_table_is_full() {
    let config = DetectorConfig { max_chains: 1, max_functions: 1, ..DetectorConfig::default() };
    let d = Detector::new(config);
    d.observe(&chain("a", 1, "f"), at(0));
    assert_eq!(rules(&d.observe(&chain("b", 40, "g"), at(0))), [("g", "depth")]);
    let stats = d.stats();
    assert_eq!((stats.chains, stats.chains_rejected, stats.functions_rejected), (1, 1, 1));
}

/// A ×2 fan-out from one root: each invocation at depth n emits two events at depth n + 1.
#[test]
fn a_doubling_fan_out_trips_the_chain_budget_long_before_depth_16() {
    let d = Detector::new(DetectorConfig::default());
    let mut verdicts = Vec::new();
    let mut tripped_at_depth = None;
    'fan: for depth in 1..=16u32 {
        for _ in 0..(1u32 << (depth - 1)) {
            let v = d.observe(&chain("bomb", depth, "forker"), at(u64::from(depth)));
            if !v.is_empty() {
                tripped_at_depth.get_or_insert(depth);
                verdicts.extend(v);
                break 'fan;
            }
        }
    }
    assert_eq!(rules(&verdicts), [("forker", "chain_size")]);
    assert_eq!(tripped_at_depth, Some(9), "501st invocation is at depth 9 (511 in a depth-9 tree)");
    assert_eq!(d.chain_stats(&ChainRoot::new("bomb").unwrap()).unwrap().invocations, 501);
}

#[test]
fn chain_size_fires_once_per_root_and_names_every_loop_member() {
    let d = Detector::new(DetectorConfig { chain_budget: 10, ..DetectorConfig::default() });
    let mut all = Vec::new();
    for i in 0..1000u32 {
        let f = ["a", "b"][i as usize % 2];
        all.extend(d.observe(&chain("loop", 1, f), at(0)));
    }
    d.observe(&chain("loop", 1, "bystander"), at(0));
    let mut got = rules(&all);
    got.sort();
    assert_eq!(got, [("a", "chain_size"), ("b", "chain_size")]);
}

#[test]
fn roots_expire_after_the_ttl() {
    let d = Detector::new(DetectorConfig { chain_ttl_secs: 60, ..DetectorConfig::default() });
    d.observe(&chain("old", 1, "f"), at(0));
    d.observe(&chain("new", 1, "f"), at(1000));
    assert_eq!(d.stats().chains, 1, "the sweep dropped the expired root");
    assert!(d.chain_stats(&ChainRoot::new("old").unwrap()).is_none());
}

#[test]
fn a_doubling_rate_trips_growth_and_a_step_does_not() {
    let d = Detector::new(DetectorConfig::default());
    let mut v = Vec::new();
    // Different roots each time so the chain budget stays out of it.
    for (bucket, n) in [1u64, 2, 4, 8, 16, 32, 1].into_iter().enumerate() {
        for i in 0..n {
            v.extend(d.observe(&chain(&format!("r{bucket}-{i}"), 1, "loop"), at(bucket as u64 * 10)));
        }
    }
    assert_eq!(rules(&v), [("loop", "rate_growth")]);
    let mut v = Vec::new();
    for (bucket, n) in [50u64, 50, 50, 270, 500, 500, 500, 1].into_iter().enumerate() {
        for i in 0..n {
            v.extend(d.observe(&chain(&format!("s{bucket}-{i}"), 1, "surge"), at(bucket as u64 * 10)));
        }
    }
    assert!(v.is_empty(), "{v:?}");
}

#[test]
fn late_and_out_of_order_events_are_safe() {
    let d = Detector::new(DetectorConfig::default());
    d.observe(&chain("r", 1, "f"), at(10_000));
    assert!(d.observe(&chain("r", 2, "f"), at(9_990)).is_empty(), "late by 10 s: counted");
    let stats = d.chain_stats(&ChainRoot::new("r").unwrap()).unwrap();
    assert_eq!((stats.invocations, stats.first_seen, stats.last_seen), (2, at(9_990), at(10_000)));
    assert!(d.observe(&chain("r", 1, "f"), Timestamp::from_secs(0)).is_empty(), "ancient: a new lifetime");
    assert_eq!(d.chain_stats(&ChainRoot::new("r").unwrap()).unwrap().invocations, 1);
    // One bogus far-future time must not switch eviction off for the real clock.
    assert!(d.observe(&chain("far", 1, "f"), Timestamp::from_millis(u64::MAX)).is_empty());
    d.observe(&chain("r2", 1, "g"), at(20_000));
    d.observe(&chain("x", 1, "g"), at(21_000));
    assert!(d.chain_stats(&ChainRoot::new("r2").unwrap()).is_none(), "r2 expired and was swept");
    assert_eq!(d.stats().chains, 1);
}

#[test]
fn alarms_map_to_functions_or_an_offender_search() {
    let d = Detector::new(DetectorConfig::default());
    let v = d.observe(&alarm(AlarmState::Alarm, "AWS/Lambda", &["a", "b"]), at(0));
    assert_eq!(rules(&v), [("a", "alarm"), ("b", "alarm")]);
    for ns in ["AWS/Lambda", "AWS/Billing"] {
        let v = d.observe(&alarm(AlarmState::Alarm, ns, &[]), at(0));
        assert!(matches!(&v[..], [Verdict::SearchOffenders { alarm, .. }] if alarm == "a1"), "{v:?}");
    }
    assert!(d.observe(&alarm(AlarmState::Ok, "AWS/Lambda", &["a"]), at(0)).is_empty());
    assert!(d.observe(&alarm(AlarmState::InsufficientData, "AWS/Billing", &[]), at(0)).is_empty());
    assert!(d.observe(&alarm(AlarmState::Alarm, "AWS/EC2", &[]), at(0)).is_empty());
}

#[test]
fn a_sweep_asks_for_an_offender_search() {
    let d = Detector::new(DetectorConfig::default());
    let v = d.observe(&Signal::Sweep(SweepSignal { at: None, account: None }), at(0));
    assert!(
        matches!(&v[..], [Verdict::SearchOffenders { alarm, .. }, Verdict::RejudgeContributors] if alarm == "sweep")
    );
}

#[test]
fn the_detector_can_be_shared_across_tasks() {
    fn shared<T: Send + Sync>() {}
    shared::<Detector>();
}

#[test]
fn builds_from_config() {
    let config = Config { max_depth: 7, chain_budget: 9, max_functions: 3, ..Config::default() };
    let d = DetectorConfig::from(&config);
    assert_eq!((d.max_depth, d.chain_budget, d.max_functions), (7, 9, 3));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn tables_never_exceed_their_caps(
        events in prop::collection::vec((0u16..500, 0u8..40, 0u64..400, 1u32..30), 1..600),
        max_chains in 1usize..50,
        max_functions in 1usize..10,
    ) {
        let config = DetectorConfig { max_chains, max_functions, chain_ttl_secs: 60, ..DetectorConfig::default() };
        let d = Detector::new(config);
        for (root, function, secs, depth) in events {
            d.observe(&chain(&format!("r{root}"), depth, &format!("f{function}")), at(secs));
            let stats = d.stats();
            prop_assert!(stats.chains <= max_chains, "{stats:?}");
            prop_assert!(stats.functions <= max_functions, "{stats:?}");
        }
    }
}

/// `(function, rule)` of every throttle verdict, sorted and deduplicated.
fn rule_set(verdicts: &[Verdict]) -> Vec<(String, &'static str)> {
    let mut set: Vec<_> = rules(verdicts).into_iter().map(|(f, r)| (f.to_owned(), r)).collect();
    set.sort();
    set.dedup();
    set
}

#[test]
fn a_batch_mixes_alarms_and_chain_events() {
    let d = Detector::new(DetectorConfig { chain_budget: 2, ..DetectorConfig::default() });
    let batch = [
        chain("r", 1, "a"),
        alarm(AlarmState::Alarm, "AWS/Lambda", &["b"]),
        chain("r", 2, "a"),
        chain("r", 17, "c"),
        chain("r", 18, "c"),
    ];
    let v = d.observe_batch(&batch, at(0));
    let expected = [("a", "chain_size"), ("b", "alarm"), ("c", "chain_size"), ("c", "depth")];
    assert_eq!(rule_set(&v), expected.map(|(f, r)| (f.to_owned(), r)));
    assert_eq!(rules(&v).iter().filter(|r| r.1 == "depth").count(), 1, "one depth verdict per function");
    assert_eq!(d.chain_stats(&ChainRoot::new("r").unwrap()).unwrap().invocations, 4);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// The batch path is an optimisation only: batches decide what the same events one by one decide
    /// and leave the same state behind.
    #[test]
    fn a_batch_decides_like_its_events_one_by_one(
        batches in prop::collection::vec(
            (0u64..40, prop::collection::vec((0u16..60, 0u8..12, 1u32..24), 0..80)), 1..12),
        max_functions in 1usize..16,
    ) {
        let config = DetectorConfig {
            chain_budget: 6, max_functions, chain_ttl_secs: 60, bucket_secs: 5, rate_limit_per_sec: 4.0,
            growth_floor: 4, ..DetectorConfig::default()
        };
        let (single, batched) = (Detector::new(config.clone()), Detector::new(config));
        let mut clock = 0;
        for (step, events) in batches {
            clock += step;
            let signals: Vec<Signal> = events.iter()
                .map(|&(root, function, depth)| chain(&format!("r{root}"), depth, &format!("f{function}")))
                .collect();
            let one_by_one: Vec<Verdict> = signals.iter().flat_map(|s| single.observe(s, at(clock))).collect();
            let together = batched.observe_batch(&signals, at(clock));
            prop_assert_eq!(rule_set(&one_by_one), rule_set(&together), "at {}", clock);
            prop_assert_eq!(single.stats(), batched.stats());
        }
        for root in 0..60 {
            let root = ChainRoot::new(&format!("r{root}")).unwrap();
            prop_assert_eq!(single.chain_stats(&root), batched.chain_stats(&root));
        }
    }

    #[test]
    fn batches_never_exceed_the_caps(
        batches in prop::collection::vec((0u64..100, prop::collection::vec((0u16..500, 0u8..40), 0..200)), 1..10),
        max_chains in 1usize..50,
        max_functions in 1usize..10,
    ) {
        let config = DetectorConfig { max_chains, max_functions, chain_ttl_secs: 60, ..DetectorConfig::default() };
        let d = Detector::new(config);
        let mut clock = 0;
        for (step, events) in batches {
            clock += step;
            let signals: Vec<Signal> =
                events.iter().map(|&(root, function)| chain(&format!("r{root}"), 1, &format!("f{function}"))).collect();
            d.observe_batch(&signals, at(clock));
            let stats = d.stats();
            prop_assert!(stats.chains <= max_chains, "{stats:?}");
            prop_assert!(stats.functions <= max_functions, "{stats:?}");
        }
    }
}

fn contributor(state: AlarmState, function: Option<&str>, metric: ContributorMetric) -> Signal {
    Signal::Contributor(Box::new(ContributorSignal {
        alarm_name: "per-function".into(),
        alarm_arn: None,
        contributor_id: "c1".into(),
        function: function.map(name),
        state,
        metric,
        expression: None,
        reason: None,
        at: None,
        account: None,
        region: None,
        mute: Some(crate::signal::MuteDetail { summary: "muted by rule".into() }),
    }))
}

#[test]
fn an_alarm_contributor_is_a_candidate_and_ok_is_never_a_recovery() {
    let d = Detector::new(DetectorConfig::default());
    let other = || ContributorMetric::Other("SELECT SUM(Invocations) ...".into());
    match &d.observe(&contributor(AlarmState::Alarm, Some("orders"), other()), at(0))[..] {
        [Verdict::Judge(c)] => {
            assert_eq!((c.function.as_str(), c.recursion), ("orders", false));
            assert_eq!(
                (c.trigger.as_str(), c.muted.as_deref()),
                ("contributor of alarm per-function", Some("muted by rule"))
            );
        }
        other => panic!("{other:?}"),
    }
    let recursion =
        d.observe(&contributor(AlarmState::Alarm, Some("loop"), ContributorMetric::RecursionDropped), at(0));
    assert!(matches!(&recursion[..], [Verdict::Judge(c)] if c.recursion));
    for state in [AlarmState::Ok, AlarmState::InsufficientData] {
        assert!(d.observe(&contributor(state, Some("orders"), other()), at(0)).is_empty());
    }
    assert!(d.observe(&contributor(AlarmState::Alarm, None, other()), at(0)).is_empty());
}

#[test]
fn a_sweep_searches_and_rejudges_while_a_rejudge_schedule_only_rejudges() {
    let sweep = Signal::Sweep(crate::signal::SweepSignal { at: None, account: None });
    let now = Timestamp::from_secs(1_800_000_000);
    let full = Detector::new(DetectorConfig::default()).observe(&sweep, now);
    assert!(matches!(&full[..], [Verdict::SearchOffenders { .. }, Verdict::RejudgeContributors]), "{full:?}");
    let config = DetectorConfig { sweep_offender_search: false, ..DetectorConfig::default() };
    let rejudge = Detector::new(config).observe(&sweep, now);
    assert!(matches!(&rejudge[..], [Verdict::RejudgeContributors]), "{rejudge:?}");
}
