//! The shape of one chain root, reduced to what tells a fork bomb from a wide, shallow fan-out, in
//! 8 bytes per root (docs/chain-rules.md).
//!
//! A bomb deepens and multiplies level after level: a ×k bomb's newest level holds about k − 1
//! times all the levels above it. A map step puts nearly all of its invocations in one level: one
//! planner, thousands of workers, perhaps one result per worker after them. So each invocation is
//! either *charged* to the root's chain size or *free*:
//!
//! - while no level is wide, every invocation is charged (a bomb pays exactly what a plain
//!   invocation budget would charge it);
//! - a level turns *wide* once it holds more than the allowance and at least `fan_out` times all
//!   the invocations above it, provided the root has not tripped; from then on its invocations past
//!   the allowance are free (those charged while its fan-out was still short are credited back);
//! - deeper levels are free up to the wide level's width in total (one result per worker: a
//!   plateau), and charged beyond it (a level that multiplies again is what a bomb does);
//! - anything shallower than the wide level is charged.
//!
//! While no level is wide only the two deepest levels are counted: an event for the level above
//! the deepest still counts there, because the workers of a wide level keep reporting after the
//! quickest of them have started the next level. When that level turns wide, the deepest level's
//! invocations so far were its plateau all along and are credited back too. An event for an older
//! level is charged, so a late event can only make the rule trip sooner. Credit is given only to a
//! root that has not tripped, so the chain size falls only before the rule fires, and the rule fires
//! at most once. Counts saturate at `u16::MAX`; the invocations they would have freed are then
//! charged, so saturation only makes the rule stricter.

/// Per-root level counts (four `u16`s, so the chain-table bucket stays at 48 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct LevelShape {
    /// Deepest depth seen (clamped to 1..=`u16::MAX`; 0 only before the first event).
    depth: u16,
    /// Depth of the wide level; 0 while no level is wide.
    wide_depth: u16,
    /// No wide level yet: invocations at `depth`. Wide: invocations of the wide level.
    first: u16,
    /// No wide level yet: invocations at `depth - 1`. Wide: free invocations deeper than it.
    second: u16,
}

/// The thresholds a root's shape is judged by (the same for every root of a table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShapeRule {
    /// Invocations a level holds (charged) before it can turn wide; at most `u16::MAX`.
    pub allowance: u16,
    /// A level turns wide only once it holds at least this many times the invocations above it.
    pub fan_out: u64,
    /// The chain budget: a root that saw more invocations than this before any level turned wide has
    /// tripped, and no level of it turns wide any more.
    pub budget: u64,
}

impl LevelShape {
    /// The shape after a root's first observation, and the invocations it freed (0 or 1).
    pub fn first(depth: u32, rule: &ShapeRule) -> (Self, u32) {
        let mut shape = Self::default();
        let freed = shape.record(depth, rule, || 0);
        (shape, freed)
    }

    /// Deepest depth seen.
    pub fn depth(&self) -> u32 {
        u32::from(self.depth)
    }

    /// Invocations of the wide level, or of the wider of the two deepest levels while there is none.
    pub fn widest(&self) -> u64 {
        if self.wide_depth == 0 { u64::from(self.first.max(self.second)) } else { u64::from(self.first) }
    }

    /// The smallest fan-out per hop the counts show. Depth `n` is written by the chain's `n`th
    /// invocation, so a tree with fan-out `k` has `k^n` events at depth `n`: a level holding `c`
    /// events at depth `L` took at least `c^(1/L)` per hop on average, and the deepest level against
    /// the one above it shows the newest hop's own fan-out (a floor while it is still filling in).
    /// At least 1.
    pub fn fan_out_seen(&self) -> f64 {
        let per_hop = |count: u16, depth: u16| {
            if depth > 0 { f64::from(count).powf(1.0 / f64::from(depth)) } else { 1.0 }
        };
        if self.wide_depth != 0 {
            return per_hop(self.first, self.wide_depth).max(1.0);
        }
        let newest = if self.second > 0 { f64::from(self.first) / f64::from(self.second) } else { 1.0 };
        per_hop(self.first, self.depth)
            .max(per_hop(self.second, self.depth.saturating_sub(1)))
            .max(newest)
            .max(1.0)
    }

    /// Invocations recorded as free so far (the sum of what [`Self::record`] returned).
    pub fn free(&self, rule: &ShapeRule) -> u64 {
        if self.wide_depth == 0 {
            return 0;
        }
        u64::from(self.first - rule.allowance) + u64::from(self.second)
    }

    /// Counts one invocation at `depth`; returns the invocations it freed: 0 (charged), 1 (free), or
    /// more when it turned a level wide and earlier invocations were credited back. `seen()` gives
    /// the root's invocations before this one (asked only while no level is wide, once a level has
    /// passed the allowance).
    pub fn record(&mut self, depth: u32, rule: &ShapeRule, seen: impl FnOnce() -> u64) -> u32 {
        let depth = u16::try_from(depth).unwrap_or(u16::MAX).max(1);
        if self.wide_depth == 0 {
            self.record_narrow(depth, rule, seen)
        } else {
            u32::from(self.record_wide(depth))
        }
    }

    /// No wide level yet: count the event's level, and make it the wide level once it holds more
    /// than the allowance and at least `rule.fan_out` times everything above it, if the root has not
    /// tripped.
    fn record_narrow(&mut self, depth: u16, rule: &ShapeRule, seen: impl FnOnce() -> u64) -> u32 {
        let count = if depth > self.depth {
            self.second = if depth == self.depth.saturating_add(1) { self.first } else { 0 };
            self.first = 1;
            self.depth = depth;
            1
        } else if depth == self.depth {
            self.first = self.first.saturating_add(1);
            self.first
        } else if depth.saturating_add(1) == self.depth {
            self.second = self.second.saturating_add(1);
            self.second
        } else {
            return 0;
        };
        if count <= rule.allowance {
            return 0;
        }
        let seen = seen();
        let below = if depth < self.depth { self.first } else { 0 };
        // The rest of what was seen (this invocation included) is above the level, or late.
        let above = (seen + 1).saturating_sub(u64::from(count) + u64::from(below));
        // A root that has tripped keeps paying per invocation: the size never falls after a trip.
        if u64::from(count) < rule.fan_out.saturating_mul(above) || seen > rule.budget {
            return 0;
        }
        // The level's invocations past the allowance are credited back (those before this one were
        // charged while its fan-out was still short), and so is the deepest level seen so far: it
        // was the wide level's plateau all along.
        let plateau = below.min(count);
        (self.wide_depth, self.first, self.second) = (depth, count, plateau);
        u32::from(count - rule.allowance) + u32::from(plateau)
    }

    /// A wide level exists: free if it widens it, or if it is deeper and the deeper levels have not
    /// yet used up the wide level's width.
    fn record_wide(&mut self, depth: u16) -> bool {
        self.depth = self.depth.max(depth);
        if depth == self.wide_depth {
            return self.first.checked_add(1).map(|first| self.first = first).is_some();
        }
        if depth > self.wide_depth && self.second < self.first {
            self.second += 1;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const RULE: ShapeRule = ShapeRule { allowance: 100, fan_out: 8, budget: 500 };

    /// The shape after `depths`, and how many of them were freed.
    fn shape_of(depths: impl IntoIterator<Item = u32>) -> (LevelShape, u64) {
        let mut shape = LevelShape::default();
        let freed =
            depths.into_iter().enumerate().map(|(seen, depth)| shape.record(depth, &RULE, || seen as u64));
        let free = freed.map(u64::from).sum();
        (shape, free)
    }

    fn level(depth: u32, count: usize) -> impl Iterator<Item = u32> {
        std::iter::repeat_n(depth, count)
    }

    #[test]
    fn a_map_step_is_one_wide_level() {
        let (shape, free) = shape_of(level(1, 1).chain(level(2, 2000)));
        assert_eq!((shape.depth(), shape.widest(), shape.wide_depth, free), (2, 2000, 2, 1900));
        assert_eq!(shape.free(&RULE), free);
    }

    #[test]
    fn one_result_per_worker_is_a_free_plateau_and_more_is_charged() {
        let (_, free) = shape_of(level(1, 1).chain(level(2, 2000)).chain(level(3, 2000)).chain(level(4, 1)));
        assert_eq!(free, 1900 + 2000, "the aggregator after the results is charged");
        let (_, free) = shape_of(level(1, 1).chain(level(2, 2000)).chain(level(3, 3000)));
        assert_eq!(free, 1900 + 2000, "a level that multiplies again pays for the growth");
    }

    #[test]
    fn a_bomb_that_fans_out_less_than_eightfold_has_no_wide_level() {
        for k in [2usize, 4, 8] {
            let (shape, free) = shape_of((1..=6).flat_map(|depth| level(depth, k.pow(depth - 1))));
            assert_eq!((shape.wide_depth, free), (0, 0), "×{k}");
        }
    }

    #[test]
    fn a_level_turns_wide_once_its_fan_out_is_reached_and_is_credited_back() {
        // 20 planners above: the workers' level needs 8 × 21 = 168 before it is wide.
        let (shape, free) = shape_of(level(1, 1).chain(level(2, 20)).chain(level(3, 167)));
        assert_eq!((shape.wide_depth, free), (0, 0));
        let (shape, free) = shape_of(level(1, 1).chain(level(2, 20)).chain(level(3, 300)));
        assert_eq!((shape.wide_depth, free), (3, 200));
    }

    #[test]
    fn results_reported_as_fast_as_their_workers_are_credited_when_the_workers_turn_wide() {
        let (shape, free) = shape_of(level(1, 1).chain((0..2000).flat_map(|_| [2, 3])));
        assert_eq!((shape.wide_depth, free), (2, 1900 + 2000));
    }

    #[test]
    fn no_level_turns_wide_after_the_root_has_tripped() {
        let mut shape = LevelShape::default();
        let freed: u32 = level(1, 2000).map(|depth| shape.record(depth, &RULE, || 501)).sum();
        assert_eq!((shape.wide_depth, freed), (0, 0));
    }

    #[test]
    fn late_events_of_the_level_above_the_deepest_still_count_there() {
        // Workers at depth 2 whose quickest members already started depth 3.
        let (shape, free) = shape_of([1, 2, 3].into_iter().chain(level(2, 999)).chain(level(3, 5)));
        assert_eq!((shape.widest(), shape.wide_depth, free), (1000, 2, 900 + 1 + 5));
    }

    #[test]
    fn events_two_levels_behind_and_shallower_than_the_wide_level_are_charged() {
        let (_, free) = shape_of(level(1, 1).chain(level(2, 30)).chain([3, 4]).chain(level(2, 400)));
        assert_eq!(free, 0);
        let (_, free) = shape_of(level(2, 300).chain(level(1, 100)));
        assert_eq!(free, 200);
    }

    #[test]
    fn counts_saturate_instead_of_wrapping_and_then_charge() {
        let (shape, free) = shape_of(level(1, 70_000));
        assert_eq!((shape.widest(), free), (u64::from(u16::MAX), u64::from(u16::MAX - 100)));
        let (deep, _) = LevelShape::first(u32::MAX, &RULE);
        assert_eq!(deep.depth(), u32::from(u16::MAX));
        let (zero, _) = LevelShape::first(0, &RULE);
        assert_eq!(zero.depth(), 1, "depth 0 (never parsed) counts as 1");
    }

    #[test]
    fn an_allowance_of_zero_makes_the_first_level_wide() {
        let rule = ShapeRule { allowance: 0, ..RULE };
        let (shape, freed) = LevelShape::first(3, &rule);
        assert_eq!((shape.wide_depth, freed, shape.free(&rule)), (3, 1, 1));
    }

    proptest! {
        /// Whatever depths an emitter claims, `free` is the sum of what each event freed; an event
        /// frees more than itself only before the root tripped, and the freed events never exceed the
        /// invocations seen less the allowance.
        #[test]
        fn free_counts_exactly_the_freed_events(
            depths in prop::collection::vec(1u32..24, 1..600),
            allowance in 0u16..40,
            fan_out in 1u64..10,
            budget in 1u64..600,
        ) {
            let rule = ShapeRule { allowance, fan_out, budget };
            let mut shape = LevelShape::default();
            let mut freed = 0;
            for (seen, &depth) in depths.iter().enumerate() {
                let now = shape.record(depth, &rule, || seen as u64);
                prop_assert!(now <= 1 || seen as u64 <= budget);
                freed += u64::from(now);
                prop_assert_eq!(shape.free(&rule), freed);
                prop_assert!(freed == 0 || freed + u64::from(allowance) <= seen as u64 + 1);
            }
        }
    }
}
