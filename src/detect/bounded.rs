//! Trees bounded by `runaway-guard:max-depth` (docs/chain-rules.md): a root whose emitters all carry
//! the tag cannot grow deeper than the largest of their limits without the depth rule throttling the
//! emitter that goes deeper. Such a tree is judged by its shape, not by the flat chain budget: the
//! fan-out it shows, carried down to its depth limit, gives the most it will cost; when that stays
//! within the ceiling, the budget crossing is held back (a crawler bounded at depth 5 with fan-out 5
//! makes 781 invocations a crawl, 780 chain events); when it does not, the root trips at the budget
//! like any bomb.

use super::shape::LevelShape;

/// Chain events of a tree with `fan_out` per hop whose events go as deep as `max_depth`: depth `n`
/// holds `k^n` of them (`k + k² + … + k^max_depth`), or `cap + 1` once the sum passes `cap`.
pub(crate) fn projected_size(fan_out: f64, max_depth: u32, cap: u64) -> u64 {
    let limit = cap as f64;
    let (mut level, mut total) = (fan_out, 0.0_f64);
    for _ in 0..max_depth {
        total += level;
        if total > limit || !total.is_finite() {
            return cap.saturating_add(1);
        }
        level *= fan_out;
    }
    // Below `cap` (a u64): the rounding of a sum of at most `max_depth` terms is irrelevant here.
    total.ceil() as u64
}

/// Whether a root with `shape`, whose emitters are all bounded at depth `bound`, stays within the
/// ceiling down to that depth at the fan-out it shows.
pub(crate) fn stays_within(shape: &LevelShape, bound: u32, ceiling: u64) -> bool {
    shape.depth() <= bound && projected_size(shape.fan_out_seen(), bound, ceiling) <= ceiling
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::shape::ShapeRule;

    const RULE: ShapeRule = ShapeRule { allowance: 100, fan_out: 8, budget: 500 };

    /// The shape after the events of a tree with fan-out `k` (`k^n` at depth `n`), level by level,
    /// cut after `events`.
    fn tree(k: usize, depth: u32, events: usize) -> LevelShape {
        let mut shape = LevelShape::default();
        let levels = (1..=depth).flat_map(|d| std::iter::repeat_n(d, k.pow(d)));
        for (seen, d) in levels.take(events).enumerate() {
            shape.record(d, &RULE, || seen as u64);
        }
        shape
    }

    #[test]
    fn a_tag_of_five_bounds_a_fan_out_of_five_at_3905_events() {
        // The crawl itself: 781 invocations, the last level emitting nothing, 780 events to depth 4.
        assert_eq!(projected_size(5.0, 4, 10_000), 780);
        // What the tag allows: events to depth 5.
        assert_eq!(projected_size(5.0, 5, 10_000), 3905);
        assert_eq!(projected_size(1.0, 32, 10_000), 32, "a linear retry chain");
        assert_eq!(projected_size(20.0, 5, 10_000), 10_001, "capped past the ceiling");
        assert_eq!(projected_size(f64::MAX, 3, 10_000), 10_001);
    }

    #[test]
    fn the_bounded_crawler_is_within_its_shape_when_it_crosses_the_budget() {
        // At event 501 the fourth level is partly filled: the levels above it give the fan-out.
        let shape = tree(5, 4, 501);
        assert_eq!(shape.depth(), 4);
        assert!((shape.fan_out_seen() - 5.0).abs() < 1e-9, "{}", shape.fan_out_seen());
        assert!(stays_within(&shape, 5, 10_000));
    }

    #[test]
    fn a_bomb_under_a_depth_tag_is_not_within_it() {
        assert!(!stays_within(&tree(20, 5, 501), 5, 10_000), "×20 to depth 5 is 3.4 M events");
        assert!(!stays_within(&tree(2, 40, 501), 32, 10_000), "×2 to depth 32");
        assert!(!stays_within(&tree(5, 6, 3906), 5, 10_000), "deeper than its bound");
    }

    #[test]
    fn an_uneven_tree_is_projected_from_its_widest_average() {
        // 50 → 100 → 200 → 400: at least 200^(1/3) ≈ 5.85 per hop by depth 3; 9,155 events to depth 5.
        let mut shape = LevelShape::default();
        let levels = [(1, 50), (2, 100), (3, 200), (4, 150)];
        let depths = levels.iter().flat_map(|&(d, n)| std::iter::repeat_n(d, n));
        for (seen, d) in depths.enumerate() {
            shape.record(d, &RULE, || seen as u64);
        }
        assert!(shape.fan_out_seen() > 5.8 && shape.fan_out_seen() < 5.9, "{}", shape.fan_out_seen());
        assert!(stays_within(&shape, 5, 10_000));
        assert!(!stays_within(&shape, 6, 10_000));
    }
}
