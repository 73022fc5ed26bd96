//! Chain-size rule tests through `Detector`: wide, shallow fan-outs never trip; bombs trip as early as
//! a plain invocation budget would; an emitter lying about depth is still bounded (docs/chain-rules.md).

use proptest::prelude::*;

use super::*;
use crate::signal::ChainObservation;

const T0: u64 = 1_800_000_000;

fn chain(root: &str, depth: u32, function: &str) -> Signal {
    let function = FunctionName::new(function).unwrap();
    let header = ChainHeader { root: ChainRoot::new(root).unwrap(), depth, function };
    Signal::Chain(ChainObservation::bare(header))
}

fn now() -> Timestamp {
    Timestamp::from_secs(T0)
}

/// Chain-size verdicts as `(function, invocations, limit)`.
fn size_trips(verdicts: &[Verdict]) -> Vec<(String, u64, u64)> {
    verdicts
        .iter()
        .filter_map(|v| match v {
            Verdict::Throttle { function, reason: Reason::ChainSize { invocations, budget, .. } } => {
                Some((function.as_str().to_owned(), *invocations, *budget))
            }
            _ => None,
        })
        .collect()
}

/// Feeds `events` one `observe` call each; returns the 1-based position of the first event that
/// produced a verdict, with its verdicts.
fn first_trip(d: &Detector, events: impl IntoIterator<Item = Signal>) -> Option<(usize, Vec<Verdict>)> {
    events.into_iter().enumerate().find_map(|(i, event)| {
        let verdicts = d.observe(&event, now());
        (!verdicts.is_empty()).then_some((i + 1, verdicts))
    })
}

/// A ×2 fork bomb level by level: each invocation at depth n emits two at depth n + 1.
fn doubling_bomb(root: &str, claimed_depth: impl Fn(u32) -> u32) -> impl Iterator<Item = Signal> {
    let levels = (1..=20u32).flat_map(|depth| std::iter::repeat_n(depth, 1 << (depth - 1)));
    levels.map(move |depth| chain(root, claimed_depth(depth), "forker"))
}

#[test]
fn a_two_thousand_wide_map_step_never_trips() {
    let d = Detector::new(DetectorConfig::default());
    let mut events = vec![chain("map", 1, "planner")];
    events.extend((0..2000).map(|i| chain("map", 2, &format!("shard-{}", i % 64))));
    // Delivered as the handler delivers them (SQS batches of up to 1,000), then one by one.
    for batch in events.chunks(1000) {
        assert!(d.observe_batch(batch, now()).is_empty());
    }
    let one_by_one = Detector::new(DetectorConfig::default());
    assert_eq!(first_trip(&one_by_one, events).map(|t| t.0), None);
    let stats = one_by_one.chain_stats(&ChainRoot::new("map").unwrap()).unwrap();
    assert_eq!((stats.invocations, stats.widest_level, stats.max_depth), (2001, 2000, 2));
}

#[test]
fn a_map_step_whose_quickest_workers_start_the_next_level_never_trips() {
    // Every 100th worker hands its result to a writer (depth 3) before most workers have reported.
    let d = Detector::new(DetectorConfig::default());
    let mut events = vec![chain("map", 1, "planner")];
    for i in 0..2000 {
        events.push(chain("map", 2, "shard"));
        if i % 100 == 0 {
            events.push(chain("map", 3, "writer"));
        }
    }
    assert_eq!(first_trip(&d, events).map(|t| t.0), None);
}

#[test]
fn a_two_level_fifty_by_forty_fan_out_never_trips() {
    // Interleaved as it runs: each of the 50 planners' workers start before the next planner reports.
    let d = Detector::new(DetectorConfig::default());
    let mut events = vec![chain("plan", 1, "root-planner")];
    for _ in 0..50 {
        events.push(chain("plan", 2, "planner"));
        events.extend((0..40).map(|_| chain("plan", 3, "worker")));
    }
    assert_eq!(first_trip(&d, events).map(|t| t.0), None);
    assert_eq!(d.chain_stats(&ChainRoot::new("plan").unwrap()).unwrap().invocations, 2051);
}

#[test]
fn a_doubling_bomb_trips_on_its_501st_invocation_as_with_a_plain_budget() {
    let d = Detector::new(DetectorConfig::default());
    let (at, verdicts) = first_trip(&d, doubling_bomb("bomb", |depth| depth)).unwrap();
    assert_eq!(at, 501, "depth 9 of the tree, as the plain invocation budget of 500 tripped it");
    assert_eq!(size_trips(&verdicts), [("forker".to_owned(), 501, 500)]);
}

#[test]
fn one_result_per_worker_after_a_map_step_never_trips() {
    // Planner → 2,000 workers → one result each → one aggregation: a plateau after the wide level.
    let d = Detector::new(DetectorConfig::default());
    let mut events = vec![chain("map", 1, "planner")];
    events.extend((0..2000).flat_map(|_| [chain("map", 2, "worker"), chain("map", 3, "results")]));
    events.push(chain("map", 4, "aggregate"));
    assert_eq!(first_trip(&d, events).map(|t| t.0), None);
}

#[test]
fn a_bomb_with_a_wide_first_step_is_stopped_once_it_multiplies_again() {
    // ×2000: its first two levels look exactly like a map step, and its third is free for as long as
    // it could still be one result per worker. Beyond that it pays: 101 charged so far (the root and
    // the wide level's allowance), 400 more reach 501.
    let d = Detector::new(DetectorConfig::default());
    let mut events = vec![chain("wide-bomb", 1, "forker")];
    events.extend((0..2000).map(|_| chain("wide-bomb", 2, "forker")));
    events.extend((0..100_000).map(|_| chain("wide-bomb", 3, "forker")));
    let (at, verdicts) = first_trip(&d, events).unwrap();
    assert_eq!(at, 2001 + 2000 + 400);
    assert_eq!(size_trips(&verdicts), [("forker".to_owned(), 4401, 500)]);
}

#[test]
fn only_one_plateau_after_the_wide_level_is_free() {
    let d = Detector::new(DetectorConfig::default());
    let mut events = vec![chain("long", 1, "planner")];
    for depth in 2..=5 {
        events.extend((0..2000).map(|_| chain("long", depth, "stage")));
    }
    assert_eq!(first_trip(&d, events).map(|t| t.0), Some(1 + 2000 + 2000 + 400));
}

/// The table in docs/chain-rules.md: where a ×k bomb, delivered level by level, trips at the defaults
/// (a plain invocation budget of 500 tripped every one of them at 501).
#[test]
fn level_ordered_bombs_trip_where_the_docs_say() {
    let table = [
        (2usize, 501, 9),
        (3, 501, 7),
        (4, 501, 6),
        (5, 501, 5),
        (10, 501, 4),
        (20, 1201, 4),
        (40, 3601, 4),
        (100, 501, 3),
        (2000, 4401, 3),
    ];
    for (k, invocations, depth) in table {
        let d = Detector::new(DetectorConfig::default());
        let root = format!("x{k}");
        let levels = (1..=12u32).flat_map(|depth| std::iter::repeat_n(depth, k.saturating_pow(depth - 1)));
        let events = levels.map(|depth| chain(&root, depth, "forker"));
        let (at, _) = first_trip(&d, events).unwrap();
        let stats = d.chain_stats(&ChainRoot::new(&root).unwrap()).unwrap();
        assert_eq!((at, stats.max_depth), (invocations, depth), "×{k}");
    }
}

#[test]
fn a_tree_that_multiplies_at_every_level_pays_like_a_bomb() {
    // 1 → 10 → 100 → 1,000: no level is eight times everything above it before invocation 501.
    let d = Detector::new(DetectorConfig::default());
    let levels = (1..=4u32).flat_map(|depth| std::iter::repeat_n(depth, 10usize.pow(depth - 1)));
    let trip = first_trip(&d, levels.map(|depth| chain("tree", depth, "node")));
    assert_eq!(trip.map(|t| t.0), Some(501));
}

#[test]
fn a_deep_linear_chain_still_trips_on_depth() {
    let d = Detector::new(DetectorConfig::default());
    let (at, verdicts) = first_trip(&d, (1..=40).map(|depth| chain("loop", depth, "looper"))).unwrap();
    assert_eq!(at, 17);
    assert!(matches!(&verdicts[..], [Verdict::Throttle { reason: Reason::Depth { depth: 17, .. }, .. }]));
}

#[test]
fn a_bomb_that_never_deepens_its_claimed_depth_is_stopped_by_the_ceiling() {
    // The header's depth comes from the emitter: a bomb writing depth=1 forever looks like one wide
    // level. The per-root ceiling bounds it.
    let d = Detector::new(DetectorConfig::default());
    let (at, verdicts) = first_trip(&d, doubling_bomb("liar", |_| 1)).unwrap();
    assert_eq!(at, 10_001);
    assert_eq!(size_trips(&verdicts), [("forker".to_owned(), 10_001, 10_000)]);
}

#[test]
fn a_bomb_that_claims_a_shallower_depth_trips_no_later() {
    // Claiming depths that go back up the tree only moves invocations out of the widest level.
    let d = Detector::new(DetectorConfig::default());
    let (at, _) = first_trip(&d, doubling_bomb("zigzag", |depth| 1 + depth % 3)).unwrap();
    assert!(at <= 501, "tripped at {at}");
}

#[test]
fn the_ceiling_and_the_budget_fire_once_between_them() {
    let config =
        DetectorConfig { chain_budget: 5, chain_level_allowance: 0, chain_ceiling: 8, ..Default::default() };
    // A wide level: the budget is never reached (size stays 1), the ceiling fires once.
    let d = Detector::new(config.clone());
    let wide: Vec<Verdict> = (0..50).flat_map(|_| d.observe(&chain("w", 1, "f"), now())).collect();
    assert_eq!(size_trips(&wide), [("f".to_owned(), 9, 8)]);
    // A deepening chain: the budget fires first and the ceiling stays quiet afterwards.
    let d = Detector::new(config);
    let deep: Vec<Verdict> = (1..=12).flat_map(|depth| d.observe(&chain("d", depth, "f"), now())).collect();
    // With no allowance depth 1 is the wide level and depth 2 its plateau: size 6 at invocation 8.
    assert_eq!(size_trips(&deep), [("f".to_owned(), 8, 5)]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// A ×2 bomb delivered in any order a real one can arrive in (a parent before its children) trips
    /// on its 501st invocation: a level of n in a binary tree has at least n - 1 invocations above
    /// it, never the eightfold fan-out a wide level needs, so every invocation is charged.
    #[test]
    fn a_doubling_bomb_trips_at_501_in_any_causal_order(picks in prop::collection::vec(any::<u32>(), 600)) {
        // A random tree is deeper than a level-ordered one: lift the depth limit to watch the size rule.
        let d = Detector::new(DetectorConfig { max_depth: 10_000, ..DetectorConfig::default() });
        let mut frontier = vec![1u32];
        let events = picks.iter().map(|&pick| {
            let depth = frontier.swap_remove(pick as usize % frontier.len());
            frontier.extend([depth + 1, depth + 1]);
            chain("bomb", depth, "forker")
        });
        prop_assert_eq!(first_trip(&d, events).map(|t| t.0), Some(501));
    }

    /// Whatever depths the emitters claim, a root trips at most once per lifetime and never later
    /// than its ceiling.
    #[test]
    fn any_claimed_depths_trip_once_and_by_the_ceiling(depths in prop::collection::vec(1u32..30, 1..400)) {
        let config = DetectorConfig {
            max_depth: 1_000, chain_budget: 40, chain_level_allowance: 10, chain_ceiling: 120, ..Default::default()
        };
        let d = Detector::new(config);
        let verdicts: Vec<Verdict> = depths.iter().flat_map(|&depth| d.observe(&chain("r", depth, "f"), now())).collect();
        let trips = size_trips(&verdicts);
        prop_assert!(trips.len() <= 1, "{:?}", trips);
        if depths.len() > 120 {
            prop_assert_eq!(trips.len(), 1);
        }
        if let Some((_, invocations, _)) = trips.first() {
            prop_assert!(*invocations <= 121);
        }
    }

    /// The batch path applies the shape rule exactly as the one-by-one path does.
    #[test]
    fn a_batch_applies_the_shape_rule_like_its_events_one_by_one(
        batches in prop::collection::vec(prop::collection::vec((0u8..4, 1u32..8), 0..120), 1..8),
    ) {
        let config = DetectorConfig {
            chain_budget: 12, chain_level_allowance: 4, chain_ceiling: 60, ..Default::default()
        };
        let (single, batched) = (Detector::new(config.clone()), Detector::new(config));
        for events in batches {
            let signals: Vec<Signal> =
                events.iter().map(|&(root, depth)| chain(&format!("r{root}"), depth, "f")).collect();
            let one_by_one: Vec<Verdict> = signals.iter().flat_map(|s| single.observe(s, now())).collect();
            prop_assert_eq!(size_trips(&one_by_one), size_trips(&batched.observe_batch(&signals, now())));
        }
        for root in 0..4 {
            let root = ChainRoot::new(&format!("r{root}")).unwrap();
            prop_assert_eq!(single.chain_stats(&root), batched.chain_stats(&root));
        }
    }
}
