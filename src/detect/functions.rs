//! Tracked functions: interned ids (so chain state stores 4 bytes per emitter instead of a name) and
//! each function's rate window. Capped, with idle functions forgotten; ids are never reused, so a chain
//! that outlives its emitter's entry can only fail to name it, never name the wrong function.
//!
//! Like chain roots, names are keyed by a seeded 64-bit hash: the hot path hashes the name once and
//! never compares strings (a collision, which a sender cannot aim for, would only share a window).

use std::hash::{BuildHasher, BuildHasherDefault};
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};

use dashmap::DashMap;
use dashmap::mapref::entry::Entry;

use super::chains::{FunctionId, PassThrough};
use super::window::{RING, RateRules, RateWindow, Recorded};
use crate::name::FunctionName;
use crate::verdict::Reason;

#[derive(Debug)]
struct Tracked {
    id: FunctionId,
    last_seen: u32,
    window: RateWindow,
}

/// Function name → id, rate window; id → name for verdicts.
#[derive(Debug)]
pub(crate) struct FunctionTable {
    by_name: DashMap<u64, Tracked, BuildHasherDefault<PassThrough>>,
    keyer: foldhash::fast::RandomState,
    names: DashMap<FunctionId, FunctionName, foldhash::fast::RandomState>,
    next_id: AtomicU32,
    live: AtomicUsize,
    rejected: AtomicU64,
    max_functions: usize,
    idle_secs: u32,
    rules: RateRules,
}

impl FunctionTable {
    /// An empty table; functions idle for `idle_secs` (and at least the ring's span) are forgotten.
    pub fn new(max_functions: usize, idle_secs: u32, rules: RateRules) -> Self {
        let span = rules.bucket_secs.saturating_mul(RING as u32);
        Self {
            by_name: DashMap::default(),
            keyer: foldhash::fast::RandomState::default(),
            names: DashMap::default(),
            next_id: AtomicU32::new(0),
            live: AtomicUsize::new(0),
            rejected: AtomicU64::new(0),
            max_functions,
            idle_secs: idle_secs.max(span),
            rules,
        }
    }

    /// Counts one chain event emitted by `function` at second `now`. Returns the function's id (`None`
    /// when the table is full) and a rate reason when a bucket just completed over a rule.
    pub fn observe(&self, function: &FunctionName, now: u64) -> (Option<FunctionId>, Option<Reason>) {
        let now_secs = u32::try_from(now).unwrap_or(u32::MAX);
        let bucket = self.rules.bucket_of(now);
        let key = self.keyer.hash_one(function.as_str());
        let mut tracked = match self.by_name.get_mut(&key) {
            Some(tracked) => tracked,
            None => match self.admit(key, function, now_secs) {
                Some(tracked) => tracked,
                None => {
                    self.rejected.fetch_add(1, Ordering::Relaxed);
                    return (None, None);
                }
            },
        };
        let tracked = tracked.value_mut();
        tracked.last_seen = tracked.last_seen.max(now_secs);
        let reason = match tracked.window.record(bucket) {
            Recorded::Opened => self.rules.evaluate(&tracked.window),
            Recorded::Counted | Recorded::TooOld => None,
        };
        (Some(tracked.id), reason)
    }

    fn admit(
        &self,
        key: u64,
        function: &FunctionName,
        now: u32,
    ) -> Option<dashmap::mapref::one::RefMut<'_, u64, Tracked>> {
        match self.by_name.entry(key) {
            Entry::Occupied(entry) => Some(entry.into_ref()),
            Entry::Vacant(vacant) => {
                let max = self.max_functions;
                self.live
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < max).then_some(n + 1))
                    .ok()?;
                // Ids are never reused; after 2^32 - 1 admissions (never, in a container's life) refuse.
                let Ok(id) = self.next_id.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                    (n < FunctionId::MAX - 1).then_some(n + 1)
                }) else {
                    self.live.fetch_sub(1, Ordering::AcqRel);
                    return None;
                };
                self.names.insert(id, function.clone());
                Some(vacant.insert(Tracked { id, last_seen: now, window: RateWindow::default() }))
            }
        }
    }

    /// The name behind an id, if the function is still tracked.
    pub fn name(&self, id: FunctionId) -> Option<FunctionName> {
        self.names.get(&id).map(|name| name.value().clone())
    }

    /// Forgets functions idle for longer than the idle time.
    pub fn sweep(&self, now: u64) {
        let now = u32::try_from(now).unwrap_or(u32::MAX);
        self.by_name.retain(|_, tracked| {
            let keep = now.abs_diff(tracked.last_seen) <= self.idle_secs;
            if !keep {
                self.names.remove(&tracked.id);
                self.live.fetch_sub(1, Ordering::AcqRel);
            }
            keep
        });
    }

    /// Functions tracked.
    pub fn len(&self) -> usize {
        self.live.load(Ordering::Acquire)
    }

    /// Observations of new functions refused because the table was full.
    pub fn rejected(&self) -> u64 {
        self.rejected.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(max: usize) -> FunctionTable {
        let rules = RateRules { bucket_secs: 10, limit_per_sec: 1.0, growth_buckets: 3, growth_floor: 20 };
        FunctionTable::new(max, 60, rules)
    }

    fn name(s: &str) -> FunctionName {
        FunctionName::new(s).unwrap()
    }

    #[test]
    fn interns_names_to_stable_ids() {
        let t = table(10);
        let a = t.observe(&name("a"), 0).0.unwrap();
        let b = t.observe(&name("b"), 0).0.unwrap();
        assert_ne!(a, b);
        assert_eq!(t.observe(&name("a"), 1).0, Some(a));
        assert_eq!(t.name(b), Some(name("b")));
    }

    #[test]
    fn full_table_refuses_new_functions_and_sweeps_idle_ones() {
        let t = table(1);
        let a = t.observe(&name("a"), 0).0.unwrap();
        assert_eq!(t.observe(&name("b"), 0), (None, None));
        assert_eq!(t.rejected(), 1);
        t.sweep(10_000);
        assert_eq!((t.len(), t.name(a)), (0, None));
        let b = t.observe(&name("b"), 10_000).0.unwrap();
        assert_ne!(a, b, "ids are never reused");
    }

    #[test]
    fn reports_a_rate_reason_when_a_hot_bucket_completes() {
        let t = table(10);
        let f = name("hot");
        for _ in 0..11 {
            assert_eq!(t.observe(&f, 100).1, None);
        }
        assert!(matches!(t.observe(&f, 110).1, Some(Reason::RateAbsolute { .. })));
    }
}
