//! The chain budget under `runaway-guard:max-depth` tags, through `Detector`: a tree bounded at
//! depth d is judged by its shape, the ceiling stays its backstop, and bombs still trip at the budget
//! (docs/chain-rules.md).

use super::*;
use crate::signal::ChainObservation;

const T0: u64 = 1_800_000_000;

fn chain(root: &str, depth: u32, function: &str) -> Signal {
    let function = FunctionName::new(function).unwrap();
    let header = ChainHeader { root: ChainRoot::new(root).unwrap(), depth, function };
    Signal::Chain(ChainObservation::bare(header))
}

/// The chain events of a tree with fan-out `k` whose events go to `depth`, level by level: the
/// chain's `n`th invocation writes depth `n`, so depth `n` holds `k^n` events.
fn tree(root: &str, k: usize, depth: u32, function: &str) -> Vec<Signal> {
    (1..=depth).flat_map(|d| std::iter::repeat_n(d, k.pow(d))).map(|d| chain(root, d, function)).collect()
}

/// Chain-size verdicts as `(position of the event, invocations, limit)`, events fed one by one.
fn size_trips(d: &Detector, events: &[Signal]) -> Vec<(usize, u64, u64)> {
    let now = Timestamp::from_secs(T0);
    let mut trips = Vec::new();
    for (i, event) in events.iter().enumerate() {
        for verdict in d.observe(event, now) {
            if let Verdict::Throttle { reason: Reason::ChainSize { invocations, budget, .. }, .. } = verdict {
                trips.push((i + 1, invocations, budget));
            }
        }
    }
    trips
}

fn tagged(function: &str, depth: u32) -> Detector {
    let d = Detector::new(DetectorConfig::default());
    d.set_depth_limit(&FunctionName::new(function).unwrap(), Some(depth));
    d
}

#[test]
fn a_crawler_bounded_at_depth_five_with_fan_out_five_never_trips() {
    // 781 invocations: the seed and four levels of links emit 780 events, to depth 4.
    let crawl = tree("crawl", 5, 4, "crawler");
    assert_eq!(crawl.len(), 780);
    assert_eq!(size_trips(&tagged("crawler", 5), &crawl), []);
    // Without the tag the same crawl is a ×5 bomb for all the guard knows.
    let untagged = Detector::new(DetectorConfig::default());
    assert_eq!(size_trips(&untagged, &crawl), [(501, 501, 500)]);
}

#[test]
fn a_bomb_under_a_depth_tag_still_trips_at_the_budget() {
    // ×20 to depth 5 would be 3.4 M events: far past the ceiling. (1 → 20 → 400 is a two-level
    // fan-out to the shape rule; its third level is charged past its plateau.)
    assert_eq!(size_trips(&tagged("crawler", 5), &tree("trap", 20, 5, "crawler")), [(1201, 1201, 500)]);
    // ×2 under a tag of 32 (a retry chain's tag) would be 2³³ − 2.
    let bomb: Vec<Signal> = tree("b", 2, 12, "forker");
    assert_eq!(size_trips(&tagged("forker", 32), &bomb), [(501, 501, 500)]);
}

#[test]
fn an_untagged_emitter_among_the_top_ones_keeps_the_budget() {
    let d = tagged("crawler", 5);
    let mut crawl = tree("mixed", 5, 4, "crawler");
    for (i, event) in crawl.iter_mut().enumerate().filter(|(i, _)| i % 2 == 1) {
        let Signal::Chain(observation) = event else { unreachable!() };
        *event = chain("mixed", observation.header.depth, if i % 4 == 1 { "fetcher" } else { "crawler" });
    }
    // A quarter of the crawl comes from an untagged fetcher: both are throttled at the budget.
    assert_eq!(size_trips(&d, &crawl), [(501, 501, 500), (501, 501, 500)]);
}

#[test]
fn a_held_back_tree_that_keeps_growing_trips_at_the_ceiling_once() {
    // Crawls under one root id: each is within its shape, together they pass the ceiling.
    let d = tagged("crawler", 5);
    let crawls: Vec<Signal> = (0..14).flat_map(|_| tree("reused", 5, 4, "crawler")).collect();
    assert_eq!(size_trips(&d, &crawls), [(10_001, 10_001, 10_000)]);
}

#[test]
fn a_budget_trip_acted_on_is_not_repeated_at_the_ceiling() {
    let d = Detector::new(DetectorConfig::default());
    let crawls: Vec<Signal> = (0..14).flat_map(|_| tree("reused", 5, 4, "crawler")).collect();
    assert_eq!(size_trips(&d, &crawls), [(501, 501, 500)]);
}

#[test]
fn the_batch_path_holds_back_like_the_single_path() {
    let d = tagged("crawler", 5);
    let now = Timestamp::from_secs(T0);
    let crawls: Vec<Signal> = (0..14).flat_map(|_| tree("reused", 5, 4, "crawler")).collect();
    let trips: Vec<u64> = crawls
        .chunks(1000)
        .flat_map(|batch| d.observe_batch(batch, now))
        .filter_map(|v| match v {
            Verdict::Throttle { reason: Reason::ChainSize { budget, .. }, .. } => Some(budget),
            _ => None,
        })
        .collect();
    assert_eq!(trips, [10_000]);
}
