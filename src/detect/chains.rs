//! The chain table: per-root state (invocations, level shape, first/last seen, top emitters) with a
//! hard cap and TTL eviction, so a flood of unique roots cannot grow memory without bound.
//!
//! Hot-path choices (see docs/benchmarks.md for the measurements):
//! - roots are keyed by a seeded 64-bit hash of the root id, not an owned `String`: no allocation per
//!   observation, no pointer chase to compare keys, and a 48-byte bucket. Two roots colliding only merges
//!   their counts; the seed is random per process, so a sender cannot aim for a collision, and a sender
//!   able to emit chain events could simply reuse a root anyway.
//! - emitters are small interned ids, tracked with the Space-Saving algorithm in three slots: any
//!   function carrying more than a third of a root's invocations is guaranteed to hold a slot.
//! - a root's chain size is its invocations less the free ones (`shape.rs`, `docs/chain-rules.md`):
//!   a bomb multiplies level after level and pays for all of them, a map step's one wide level (and
//!   one plateau after it) is free past `level_allowance`. A charged observation adds one to the
//!   size, a free one nothing; credit given back when a level turns wide lowers it, but only before
//!   the root tripped. So the rule fires on the single observation that takes the size from `budget`
//!   to `budget + 1`, and the ceiling on the one that takes the invocations from `ceiling` to
//!   `ceiling + 1`, saying whether the size rule fired before: each rule reports once per root
//!   lifetime without a flag, and the detector decides which crossings become verdicts.
//! - the invocation count is not stored: Space-Saving keeps the emitter slots' sum equal to it.

use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};

use dashmap::{DashMap, SharedValue};

use super::shape::{LevelShape, ShapeRule};

/// Interned function id (see `functions.rs`); ids are never reused.
pub(crate) type FunctionId = u32;

/// Emitters tracked per root.
pub(crate) const EMITTER_SLOTS: usize = 3;

/// Id held by an emitter slot that has counted nothing yet (the untracked id, see `emitter_slot`).
const EMPTY_SLOT: FunctionId = FunctionId::MAX;

/// An emitter is throttled for chain size when it carries at least 1/`MEANINGFUL_SHARE` of the root's
/// invocations: a two- or three-function loop trips every member, a bystander emitting once does not.
const MEANINGFUL_SHARE: u64 = 5;

/// State of one chain root. Times are whole seconds since the epoch (u32 lasts until 2106), which keeps
/// the bucket at 8 + 40 bytes: 1 M live chains fit the 128 MB budget with hashbrown's headroom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChainState {
    /// Invocations per depth level, as far as the rule needs them.
    shape: LevelShape,
    /// First observation of this lifetime.
    pub first_seen: u32,
    /// Latest observation (never moves backwards for late events).
    pub last_seen: u32,
    emitter_ids: [FunctionId; EMITTER_SLOTS],
    emitter_counts: [u32; EMITTER_SLOTS],
}

impl ChainState {
    #[cfg(test)]
    fn new(now: u32) -> Self {
        Self {
            shape: LevelShape::default(),
            first_seen: now,
            last_seen: now,
            emitter_ids: [EMPTY_SLOT; EMITTER_SLOTS],
            emitter_counts: [0; EMITTER_SLOTS],
        }
    }

    /// The state after a root's first observation, and the invocations it freed: what `new(now)` +
    /// `record(depth, emitter, now, rule)` gives, built directly (every new root takes this path).
    fn first(depth: u32, emitter: FunctionId, now: u32, rule: &ShapeRule) -> (Self, u32) {
        let mut emitter_ids = [EMPTY_SLOT; EMITTER_SLOTS];
        emitter_ids[0] = emitter;
        let mut emitter_counts = [0; EMITTER_SLOTS];
        emitter_counts[0] = 1;
        let (shape, freed) = LevelShape::first(depth, rule);
        (Self { shape, first_seen: now, last_seen: now, emitter_ids, emitter_counts }, freed)
    }

    /// Invocations seen for this root in its current lifetime: the emitter slots' sum, which
    /// Space-Saving keeps equal to it.
    pub fn invocations(&self) -> u64 {
        sum(&self.emitter_counts)
    }

    /// Deepest depth seen (saturated at 65,535; the depth rule reads the event itself).
    pub fn max_depth(&self) -> u32 {
        self.shape.depth()
    }

    /// The root's level counts.
    pub fn shape(&self) -> &LevelShape {
        &self.shape
    }

    /// Invocations of the root's wide level (or of its wider deepest level while it has none).
    pub fn widest_level(&self) -> u64 {
        self.shape.widest()
    }

    /// The chain size: invocations less the free ones (see `shape.rs`).
    fn size(&self, rule: &ShapeRule) -> u64 {
        self.invocations() - self.shape.free(rule)
    }

    /// Stale when last seen more than a TTL away from `now` in either direction: an entry stamped far in
    /// the future by one bogus clock reading must not pin a slot until that time comes.
    fn expired(&self, now: u32, ttl: u32) -> bool {
        now.abs_diff(self.last_seen) > ttl
    }

    /// Counts one invocation; returns the invocations it freed (see [`LevelShape::record`]).
    fn record(&mut self, depth: u32, emitter: FunctionId, now: u32, rule: &ShapeRule) -> u32 {
        let counts = &self.emitter_counts;
        let freed = self.shape.record(depth, rule, || sum(counts));
        self.last_seen = self.last_seen.max(now);
        self.first_seen = self.first_seen.min(now);
        let slot = match self.emitter_slot(emitter) {
            Ok(slot) => slot,
            Err(smallest) => {
                // Space-Saving: take over the smallest slot and inherit its count (an over-estimate that
                // keeps the slots' sum equal to the invocations seen).
                self.emitter_ids[smallest] = emitter;
                smallest
            }
        };
        self.emitter_counts[slot] = self.emitter_counts[slot].saturating_add(1);
        freed
    }

    /// The slot counting `emitter`. Empty slots hold `EMPTY_SLOT` (no count check needed): slots fill
    /// in order and never empty, so the only emitter that can match an empty slot is the untracked id,
    /// and it then lands in the first empty slot, where Space-Saving would have put it anyway.
    /// `Err` carries the slot with the smallest count (the first of equals), found in the same pass.
    fn emitter_slot(&self, emitter: FunctionId) -> Result<usize, usize> {
        let mut smallest = 0;
        for i in 0..EMITTER_SLOTS {
            if self.emitter_ids[i] == emitter {
                return Ok(i);
            }
            if self.emitter_counts[i] < self.emitter_counts[smallest] {
                smallest = i;
            }
        }
        Err(smallest)
    }

    /// Emitters carrying a meaningful share, largest first (the top one always included).
    pub fn top_emitters(&self) -> Vec<(FunctionId, u32)> {
        let mut top: Vec<(FunctionId, u32)> = (0..EMITTER_SLOTS)
            .filter(|&i| self.emitter_counts[i] > 0)
            .map(|i| (self.emitter_ids[i], self.emitter_counts[i]))
            .collect();
        top.sort_by_key(|e| std::cmp::Reverse(e.1));
        let total = self.invocations();
        let mut keep = 0;
        while keep < top.len() && (keep == 0 || u64::from(top[keep].1) * MEANINGFUL_SHARE >= total) {
            keep += 1;
        }
        top.truncate(keep);
        top
    }
}

/// The emitter slots' sum: a root's invocations.
fn sum(counts: &[u32; EMITTER_SLOTS]) -> u64 {
    counts.iter().map(|&count| u64::from(count)).sum()
}

/// A hasher for keys that already are good 64-bit hashes.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only reached for keys other than u64; fold them in so the hasher stays correct.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// Limits of the chain table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChainLimits {
    /// Hard cap on live roots.
    pub max_chains: usize,
    /// Seconds after its last observation a root is forgotten.
    pub ttl_secs: u32,
    /// Chain size (invocations less the free ones) per root before its top emitters are throttled.
    pub budget: u64,
    /// Invocations a depth level holds (charged) before it can turn wide.
    pub level_allowance: u64,
    /// A level turns wide only once it holds at least this many times the invocations above it.
    pub fan_out: u64,
    /// Invocations per root that trip whatever the shape (bounds an emitter that lies about depth).
    pub ceiling: u64,
}

/// Which limit a root crossed. Each is reported once per root lifetime, on the observation that
/// crosses it, so a caller that holds back a budget crossing still hears of the ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Crossed {
    /// The chain size went from the budget to one past it, with the invocations within the ceiling.
    Budget,
    /// The invocations went from the ceiling to one past it; `after_budget` when the chain size had
    /// already crossed the budget (and that crossing was reported).
    Ceiling {
        /// The budget crossing came first.
        after_budget: bool,
    },
}

/// A root that crossed a limit, and which one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChainTrip {
    /// The root's state after the observation that crossed.
    pub state: ChainState,
    /// The limit crossed: the budget (chain size) or the ceiling (invocations).
    pub limit: u64,
    /// Which rule crossed it.
    pub crossed: Crossed,
    /// The root's table key (see [`ChainTable::key`]).
    pub key: u64,
}

/// What one observation concluded about its root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ChainOutcome {
    /// Counted; nothing to report.
    Counted,
    /// This observation took the root over the budget or the ceiling.
    OverBudget(ChainTrip),
    /// The table is full of live roots: not tracked (the depth rule still applies).
    Rejected,
}

/// One chain event of a batch, keyed (see [`ChainTable::key`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hop {
    /// Table key of the root.
    pub key: u64,
    /// Depth claimed by the event.
    pub depth: u32,
    /// Interned emitter.
    pub emitter: FunctionId,
    /// Where the event sits in its batch (reported back with its outcome).
    pub index: usize,
}

/// A batch's hops grouped by shard as they are keyed, in event order within each shard, so the
/// table takes each shard lock once without sorting; kept between batches by the caller so grouping
/// allocates nothing.
#[derive(Debug, Default)]
pub(crate) struct ShardRuns {
    runs: Vec<Vec<Hop>>,
    len: usize,
}

impl ShardRuns {
    /// True when no hop is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Slots for new roots reserved from the cap by one batch: `live` counts them as taken until they
/// are used or handed back, so concurrent batches can never overshoot the cap together.
#[derive(Debug)]
struct SlotCredit {
    /// Reserved and not yet used.
    held: usize,
    /// Hops of the batch not yet recorded (an upper bound on the new roots still to come).
    wanted: usize,
}

/// What a batch's shard runs concluded, kept until every shard lock is released.
#[derive(Debug, Default)]
struct RunOutcomes {
    /// Batch index and state of every hop that took its root over the budget.
    over_budget: Vec<(usize, ChainTrip)>,
    /// Hops of new roots that found the table full: retried once the locks are released, because a
    /// sweep locks every shard.
    deferred: Vec<Hop>,
}

impl RunOutcomes {
    fn settle(&mut self, hop: Hop, outcome: Option<ChainOutcome>) {
        match outcome {
            Some(ChainOutcome::OverBudget(trip)) => self.over_budget.push((hop.index, trip)),
            Some(_) => {}
            None => self.deferred.push(hop),
        }
    }
}

/// Roots the table has room for from the start: skips the first rounds of rehashing in a burst,
/// while the untouched pages of the buckets cost no RSS (~1.5 MB of address space).
const INITIAL_CHAINS: usize = 32_768;

/// Most slots one batch reserves at a time: small against any sensible cap, so a batch holding
/// credit can only make a concurrent one see the table full a little early.
const SLOT_CHUNK: usize = 64;

/// Known roots of a shard run looked up at once (see [`ChainTable::observe_batch`]).
const LOOKUP_GROUP: usize = 4;

/// The raw shard behind a DashMap shard lock: values are `(key, state)` buckets.
type Shard = hashbrown::raw::RawTable<(u64, SharedValue<ChainState>)>;

/// Per-root chain state in a DashMap keyed by a seeded hash of the root.
///
/// Observations go through the shard directly (DashMap's `raw-api`) rather than `entry()`: uncontended
/// lock atomics cost ~13 plain instructions each here, so a batch takes each shard lock once instead of
/// once per event (docs/benchmarks.md). All code here is safe; the raw table is only used through its
/// safe `get_mut` / `insert_entry`, with DashMap's own hash (the key itself, via `PassThrough`).
#[derive(Debug)]
pub(crate) struct ChainTable {
    map: DashMap<u64, ChainState, BuildHasherDefault<PassThrough>>,
    keyer: foldhash::fast::RandomState,
    live: AtomicUsize,
    rejected: AtomicU64,
    last_forced_sweep: AtomicU32,
    limits: ChainLimits,
    /// `budget + 1`: the chain size that reports the root (computed once, compared per event).
    trips_at: u64,
    /// `ceiling + 1`: the invocation count that reports the root whatever its shape.
    ceiling_trips_at: u64,
    /// The smaller of `trips_at` and `ceiling_trips_at`: a root with fewer invocations crosses neither.
    quiet_below: u64,
    /// The limits as the shape applies them (an allowance past `u16::MAX` never lets a level turn wide).
    rule: ShapeRule,
}

impl ChainTable {
    /// An empty table.
    pub fn new(limits: ChainLimits) -> Self {
        Self {
            map: DashMap::with_capacity_and_hasher(
                limits.max_chains.min(INITIAL_CHAINS),
                BuildHasherDefault::default(),
            ),
            keyer: foldhash::fast::RandomState::default(),
            live: AtomicUsize::new(0),
            rejected: AtomicU64::new(0),
            last_forced_sweep: AtomicU32::new(u32::MAX),
            trips_at: limits.budget.saturating_add(1),
            ceiling_trips_at: limits.ceiling.saturating_add(1),
            quiet_below: limits.budget.min(limits.ceiling).saturating_add(1),
            rule: ShapeRule {
                allowance: u16::try_from(limits.level_allowance).unwrap_or(u16::MAX),
                fan_out: limits.fan_out,
                budget: limits.budget,
            },
            limits,
        }
    }

    /// The table key for a root id.
    pub fn key(&self, root: &str) -> u64 {
        // The bytes alone: `hash_one(&str)` would also feed a 0xff terminator, one more multiply per
        // event, that only matters when several fields are hashed in a row.
        let mut hasher = self.keyer.build_hasher();
        hasher.write(root.as_bytes());
        hasher.finish()
    }

    /// Counts one invocation of `root` at `depth` by `emitter`.
    pub fn observe(&self, root: &str, depth: u32, emitter: FunctionId, now: u32) -> ChainOutcome {
        self.observe_hop(Hop { key: self.key(root), depth, emitter, index: 0 }, now)
    }

    /// Empties `runs` (keeping their capacity) and gives it one run per shard.
    pub fn clear_runs(&self, runs: &mut ShardRuns) {
        runs.runs.iter_mut().for_each(Vec::clear);
        runs.runs.resize_with(self.map.shards().len(), Vec::new);
        runs.len = 0;
    }

    /// Keys `root` and adds the hop to its shard's run (`runs` cleared by [`Self::clear_runs`]).
    pub fn push(&self, runs: &mut ShardRuns, root: &str, depth: u32, emitter: FunctionId, index: usize) {
        let key = self.key(root);
        runs.runs[self.shard_of(key)].push(Hop { key, depth, emitter, index });
        runs.len += 1;
    }

    /// Counts every hop of `runs` observed at `now`, taking each shard lock once; returns the `index`
    /// and state of every hop that took its root over the budget, in batch order. Same outcomes as
    /// calling [`Self::observe`] for each hop in batch order.
    pub fn observe_batch(&self, runs: &ShardRuns, now: u32) -> Vec<(usize, ChainTrip)> {
        let mut out = RunOutcomes::default();
        let mut slots = SlotCredit { held: 0, wanted: runs.len };
        for (shard, run) in runs.runs.iter().enumerate().filter(|(_, run)| !run.is_empty()) {
            let mut table = self.map.shards()[shard].write();
            self.observe_run(&mut table, run, now, &mut slots, &mut out);
        }
        self.live.fetch_sub(slots.held, Ordering::AcqRel);
        let RunOutcomes { mut over_budget, deferred } = out;
        for hop in deferred {
            if let ChainOutcome::OverBudget(trip) = self.observe_hop(hop, now) {
                over_budget.push((hop.index, trip));
            }
        }
        over_budget.sort_unstable_by_key(|&(index, _)| index);
        over_budget
    }

    /// Counts one shard's run under its lock. Known, distinct roots are looked up `LOOKUP_GROUP` at a
    /// time, so the cache misses of their buckets overlap instead of following one another; a group
    /// holding a new or repeated root goes one hop at a time (its first lookups have warmed the cache).
    fn observe_run(
        &self,
        table: &mut Shard,
        run: &[Hop],
        now: u32,
        slots: &mut SlotCredit,
        out: &mut RunOutcomes,
    ) {
        let mut groups = run.chunks_exact(LOOKUP_GROUP);
        for group in &mut groups {
            let keys: [u64; LOOKUP_GROUP] = std::array::from_fn(|i| group[i].key);
            let Some(states) = table.get_many_mut(keys, |i, (k, _)| *k == keys[i]) else {
                for &hop in group {
                    slots.wanted -= 1;
                    out.settle(hop, self.record(table, hop, now, slots));
                }
                continue;
            };
            slots.wanted -= LOOKUP_GROUP;
            for (&hop, (_, state)) in group.iter().zip(states) {
                out.settle(hop, Some(self.update(state.get_mut(), hop, now)));
            }
        }
        for &hop in groups.remainder() {
            slots.wanted -= 1;
            out.settle(hop, self.record(table, hop, now, slots));
        }
    }

    fn shard_of(&self, key: u64) -> usize {
        // `PassThrough` makes DashMap's hash of a key the key itself.
        self.map.determine_shard(key as usize)
    }

    fn observe_hop(&self, hop: Hop, now: u32) -> ChainOutcome {
        if let Some(outcome) = self.record_locked(hop, now) {
            return outcome;
        }
        // Full: forget expired roots (at most once per second of event time, so a flood of new roots
        // cannot turn every observation into a full scan) and try once more.
        if self.last_forced_sweep.swap(now, Ordering::Relaxed) != now {
            self.sweep(now);
            if let Some(outcome) = self.record_locked(hop, now) {
                return outcome;
            }
        }
        self.rejected.fetch_add(1, Ordering::Relaxed);
        ChainOutcome::Rejected
    }

    fn record_locked(&self, hop: Hop, now: u32) -> Option<ChainOutcome> {
        let mut table = self.map.shards()[self.shard_of(hop.key)].write();
        let mut slots = SlotCredit { held: 0, wanted: 0 };
        self.record(&mut table, hop, now, &mut slots)
    }

    /// Takes one slot for a new root from `slots`, reserving more from the cap when it has none:
    /// up to one per hop still to come in the batch (at most `SLOT_CHUNK`), so a batch of new roots
    /// pays one atomic per chunk instead of one per root. Unused slots go back when the batch ends.
    fn take_slot(&self, slots: &mut SlotCredit) -> Option<()> {
        if slots.held == 0 {
            let (max, chunk) = (self.limits.max_chains, slots.wanted.min(SLOT_CHUNK - 1) + 1);
            let before = self
                .live
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < max).then(|| max.min(n + chunk)))
                .ok()?;
            slots.held = max.min(before + chunk) - before;
        }
        slots.held -= 1;
        Some(())
    }

    /// Records into an existing or newly admitted root of a locked shard; `None` when the table is full.
    fn record(&self, table: &mut Shard, hop: Hop, now: u32, slots: &mut SlotCredit) -> Option<ChainOutcome> {
        let key = hop.key;
        if let Some((_, state)) = table.get_mut(key, |(k, _)| *k == key) {
            return Some(self.update(state.get_mut(), hop, now));
        }
        // A slot is reserved before inserting, so concurrent inserts can never overshoot the cap.
        self.take_slot(slots)?;
        let (state, freed) = ChainState::first(hop.depth, hop.emitter, now, &self.rule);
        table.insert_entry(key, (key, SharedValue::new(state)), |(k, _)| *k);
        Some(self.outcome(&state, freed, key))
    }

    /// Counts one hop into its root's state.
    fn update(&self, state: &mut ChainState, hop: Hop, now: u32) -> ChainOutcome {
        let freed = if state.expired(now, self.limits.ttl_secs) {
            let freed;
            (*state, freed) = ChainState::first(hop.depth, hop.emitter, now, &self.rule);
            freed
        } else {
            state.record(hop.depth, hop.emitter, now, &self.rule)
        };
        self.outcome(state, freed, hop.key)
    }

    /// Over budget when this observation took the root's chain size from `budget` to `budget + 1`
    /// with its invocations still within the ceiling; over the ceiling when it took the invocations
    /// from `ceiling` to `ceiling + 1`, whether or not the size rule fired before (the trip says
    /// which: a caller that held the budget crossing back still has the ceiling as its backstop). An
    /// observation that freed `freed` invocations changed the size by `1 - freed`: only a charged one
    /// (0) can cross the budget, and the size falls (a credited plateau) only while the root has not
    /// tripped, so each rule fires at most once per root lifetime.
    fn outcome(&self, state: &ChainState, freed: u32, key: u64) -> ChainOutcome {
        let invocations = state.invocations();
        // The size never exceeds the invocations: below both limits nothing can cross (most events).
        if invocations < self.quiet_below {
            return ChainOutcome::Counted;
        }
        let size = state.size(&self.rule);
        let trip =
            |limit, crossed| ChainOutcome::OverBudget(ChainTrip { state: *state, limit, crossed, key });
        if freed == 0 && size == self.trips_at && invocations < self.ceiling_trips_at {
            return trip(self.limits.budget, Crossed::Budget);
        }
        if invocations == self.ceiling_trips_at {
            let size_before = (size + u64::from(freed)).saturating_sub(1);
            let after_budget = size_before > self.limits.budget;
            return trip(self.limits.ceiling, Crossed::Ceiling { after_budget });
        }
        ChainOutcome::Counted
    }

    /// Whether `key` names a live root (expired roots are gone after a [`Self::sweep`]).
    pub fn contains(&self, key: u64) -> bool {
        self.map.contains_key(&key)
    }

    /// Removes every root not seen for longer than the TTL.
    pub fn sweep(&self, now: u32) {
        if self.len() == 0 {
            // Nothing to forget (the first batch of a container lands here): skip scanning every bucket.
            return;
        }
        let ttl = self.limits.ttl_secs;
        self.map.retain(|_, state| {
            let keep = !state.expired(now, ttl);
            if !keep {
                self.live.fetch_sub(1, Ordering::AcqRel);
            }
            keep
        });
    }

    /// A copy of a root's state, if tracked.
    pub fn get(&self, root: &str) -> Option<ChainState> {
        self.map.get(&self.key(root)).map(|entry| *entry.value())
    }

    /// Live roots.
    pub fn len(&self) -> usize {
        self.live.load(Ordering::Acquire)
    }

    /// Observations of new roots refused because the table was full of live roots.
    pub fn rejected(&self) -> u64 {
        self.rejected.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(max_chains: usize, budget: u64) -> ChainTable {
        ChainTable::new(ChainLimits {
            max_chains,
            ttl_secs: 60,
            budget,
            level_allowance: u64::MAX,
            fan_out: 8,
            ceiling: u64::MAX,
        })
    }

    #[test]
    fn bucket_stays_small() {
        assert_eq!(size_of::<(u64, ChainState)>(), 48);
    }

    #[test]
    fn a_first_observation_is_built_as_new_then_record_would_build_it() {
        for emitter in [0, 7, FunctionId::MAX] {
            let mut recorded = ChainState::new(100);
            let rule = ShapeRule { allowance: 0, fan_out: 8, budget: 500 };
            let freed = recorded.record(3, emitter, 100, &rule);
            assert_eq!(ChainState::first(3, emitter, 100, &rule), (recorded, freed));
        }
    }

    #[test]
    fn untracked_emitters_share_one_slot_like_any_other() {
        let t = table(10, 100);
        for emitter in [FunctionId::MAX, 1, FunctionId::MAX, 2, FunctionId::MAX] {
            t.observe("r", 1, emitter, 0);
        }
        assert_eq!(t.get("r").unwrap().top_emitters(), vec![(FunctionId::MAX, 3), (1, 1), (2, 1)]);
    }

    #[test]
    fn counts_invocations_depth_and_times() {
        let t = table(10, 100);
        for (depth, now) in [(1, 100), (3, 105), (2, 99)] {
            assert_eq!(t.observe("r", depth, 7, now), ChainOutcome::Counted);
        }
        let s = t.get("r").unwrap();
        assert_eq!((s.invocations(), s.max_depth(), s.first_seen, s.last_seen), (3, 3, 99, 105));
        assert_eq!(s.top_emitters(), vec![(7, 3)]);
    }

    #[test]
    fn fires_once_when_crossing_the_budget() {
        let t = table(10, 5);
        let fired: Vec<_> = (0..20)
            .map(|_| t.observe("r", 1, 1, 0))
            .filter(|o| matches!(o, ChainOutcome::OverBudget(_)))
            .collect();
        assert_eq!(fired.len(), 1);
        let ChainOutcome::OverBudget(trip) = &fired[0] else { unreachable!() };
        assert_eq!((trip.state.invocations(), trip.limit), (6, 5));
    }

    #[test]
    fn keeps_heavy_emitters_and_drops_bystanders() {
        let t = table(10, 1000);
        for i in 0..100u32 {
            t.observe("r", 1, if i % 2 == 0 { 1 } else { 2 }, 0);
        }
        t.observe("r", 1, 3, 0);
        let top = t.get("r").unwrap().top_emitters();
        let ids: Vec<_> = top.iter().map(|e| e.0).collect();
        assert!(ids.contains(&1) && ids.contains(&2) && !ids.contains(&3), "{top:?}");
    }

    #[test]
    fn space_saving_finds_the_heavy_hitter_among_many() {
        let t = table(10, 10_000);
        for i in 0..1000u32 {
            let emitter = if i % 2 == 0 { 42 } else { 100 + i };
            t.observe("r", 1, emitter, 0);
        }
        assert_eq!(t.get("r").unwrap().top_emitters()[0].0, 42);
    }

    #[test]
    fn full_table_rejects_new_roots_until_they_expire() {
        let t = table(3, 100);
        for root in ["a", "b", "c"] {
            assert_eq!(t.observe(root, 1, 1, 0), ChainOutcome::Counted);
        }
        assert_eq!(t.observe("d", 1, 1, 10), ChainOutcome::Rejected);
        assert_eq!(t.observe("a", 1, 1, 10), ChainOutcome::Counted, "known roots still count");
        assert_eq!((t.len(), t.rejected()), (3, 1));
        // b and c expire at 61+; a was refreshed at 10.
        assert_eq!(t.observe("d", 1, 1, 65), ChainOutcome::Counted);
        assert_eq!(t.len(), 2);
        assert!(t.get("b").is_none());
    }

    #[test]
    fn an_expired_root_starts_a_new_lifetime() {
        let t = table(10, 100);
        t.observe("r", 5, 1, 0);
        t.observe("r", 1, 1, 1000);
        let s = t.get("r").unwrap();
        assert_eq!((s.invocations(), s.max_depth(), s.first_seen), (1, 1, 1000));
    }
}
