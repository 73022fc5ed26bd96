//! Tracked functions: interned ids (so chain state stores 4 bytes per emitter instead of a name) and
//! each function's rate window, behind a lock-free index so the hot path takes no lock here.
//!
//! The index is open addressing over a fixed array sized at twice the cap: a slot's key is a seeded
//! 64-bit hash of the name (0 = empty), published with a release store after the slot's entry is set,
//! so a reader that sees the key sees the entry. Lookups are plain loads; admitting a new function
//! takes a mutex (rare). The slot index is the function's id. Slots are never released: a function
//! keeps its slot for the container's life (its window's stale buckets read as zero), so an id always
//! names the same function, and after `max_functions` distinct names new ones go untracked (counted;
//! the depth and chain-size rules still apply to them). Like chain roots, a hash collision — which a
//! sender cannot aim for — would only make two functions share a window.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use super::chains::FunctionId;
use super::window::{RateRules, RateWindow, Recorded};
use crate::name::FunctionName;
use crate::verdict::Reason;

#[derive(Debug)]
struct Tracked {
    name: FunctionName,
    window: RateWindow,
}

/// Function name → id and rate window; id → name for verdicts.
#[derive(Debug)]
pub(crate) struct FunctionTable {
    keys: Box<[AtomicU64]>,
    entries: Box<[OnceLock<Box<Tracked>>]>,
    keyer: foldhash::fast::RandomState,
    admitting: Mutex<()>,
    live: AtomicUsize,
    rejected: AtomicU64,
    max_functions: usize,
    rules: RateRules,
}

impl FunctionTable {
    /// An empty table for at most `max_functions` functions (24 bytes per slot, two slots each).
    pub fn new(max_functions: usize, rules: RateRules) -> Self {
        let capacity = max_functions.saturating_mul(2).next_power_of_two().max(16);
        Self {
            keys: (0..capacity).map(|_| AtomicU64::new(0)).collect(),
            entries: (0..capacity).map(|_| OnceLock::new()).collect(),
            keyer: foldhash::fast::RandomState::default(),
            admitting: Mutex::new(()),
            live: AtomicUsize::new(0),
            rejected: AtomicU64::new(0),
            max_functions,
            rules,
        }
    }

    /// Counts one chain event emitted by `function` at second `now`. Returns the function's id (`None`
    /// when the table is full) and a rate reason when a bucket just completed over a rule.
    #[cfg(test)]
    pub fn observe(&self, function: &FunctionName, now: u64) -> (Option<FunctionId>, Option<Reason>) {
        let id = self.intern(function);
        (id, id.and_then(|id| self.record(id, now, 1)))
    }

    /// The id of `function`, admitting it when new; `None` (counted as rejected) when the table is full.
    #[inline(always)]
    pub fn intern(&self, function: &FunctionName) -> Option<FunctionId> {
        let key = self.key(function.as_str());
        // Known names (nearly every event) are found at their home slot: one load, no call.
        let mask = self.keys.len() - 1;
        let home = key as usize & mask;
        if self.keys[home].load(Ordering::Acquire) == key {
            return FunctionId::try_from(home).ok();
        }
        self.intern_slow(key, function)
    }

    /// The index key of a name: its seeded hash over the bytes alone (no `str` terminator: one string
    /// per key), never 0, which marks an empty slot.
    #[inline(always)]
    fn key(&self, name: &str) -> u64 {
        let mut hasher = self.keyer.build_hasher();
        hasher.write(name.as_bytes());
        hasher.finish() | 1
    }

    /// [`Self::intern`] past the home slot: probe on, admit when new.
    #[inline(never)]
    fn intern_slow(&self, key: u64, function: &FunctionName) -> Option<FunctionId> {
        let found = self.find_id(key).or_else(|| self.admit(key, function).map(|(id, _)| id));
        if found.is_none() {
            self.rejected.fetch_add(1, Ordering::Relaxed);
        }
        found
    }

    /// Counts `events` chain events of function `id` at second `now`; a rate reason when a bucket just
    /// completed over a rule. Unknown ids count nothing.
    pub fn record(&self, id: FunctionId, now: u64, events: u32) -> Option<Reason> {
        let tracked = self.entries.get(id as usize)?.get()?;
        match tracked.window.record_many(self.rules.bucket_of(now), events) {
            Recorded::Opened => self.rules.evaluate(&tracked.window),
            Recorded::Counted | Recorded::TooOld => None,
        }
    }

    /// The slot holding `key` (`Ok`), else the free slot where it would go (`Err(None)`: no free slot).
    fn probe(&self, key: u64) -> Result<usize, Option<usize>> {
        let mask = self.keys.len() - 1;
        let mut slot = key as usize & mask;
        for _ in 0..self.keys.len() {
            match self.keys[slot].load(Ordering::Acquire) {
                0 => return Err(Some(slot)),
                found if found == key => return Ok(slot),
                _ => slot = (slot + 1) & mask,
            }
        }
        Err(None)
    }

    /// The id of a published key. The entry is not touched: a key is stored only once its entry is
    /// set (release store, acquire load), so a key found names a live entry.
    fn find_id(&self, key: u64) -> Option<FunctionId> {
        FunctionId::try_from(self.probe(key).ok()?).ok()
    }

    fn find(&self, key: u64) -> Option<(FunctionId, &Tracked)> {
        let slot = self.probe(key).ok()?;
        Some((FunctionId::try_from(slot).ok()?, self.entries[slot].get()?))
    }

    fn admit(&self, key: u64, function: &FunctionName) -> Option<(FunctionId, &Tracked)> {
        let _admitting = self.admitting.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = match self.probe(key) {
            Ok(_) => return self.find(key),
            Err(slot) => slot?,
        };
        if self.live.load(Ordering::Relaxed) >= self.max_functions {
            return None;
        }
        let tracked = Box::new(Tracked { name: function.clone(), window: RateWindow::default() });
        self.entries[slot].set(tracked).ok()?;
        // Publish the key only once the entry is in place (readers load the key with Acquire).
        self.keys[slot].store(key, Ordering::Release);
        self.live.fetch_add(1, Ordering::Relaxed);
        self.find(key)
    }

    /// The name behind an id.
    pub fn name(&self, id: FunctionId) -> Option<FunctionName> {
        self.entries.get(id as usize)?.get().map(|tracked| tracked.name.clone())
    }

    /// Functions tracked.
    pub fn len(&self) -> usize {
        self.live.load(Ordering::Relaxed)
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
        FunctionTable::new(max, rules)
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
    fn full_table_refuses_new_functions_but_keeps_counting_known_ones() {
        let t = table(2);
        let a = t.observe(&name("a"), 0).0.unwrap();
        t.observe(&name("b"), 0);
        assert_eq!(t.observe(&name("c"), 0), (None, None));
        assert_eq!((t.len(), t.rejected()), (2, 1));
        assert_eq!(t.observe(&name("a"), 10_000).0, Some(a));
        assert_eq!(t.name(FunctionId::MAX), None);
    }

    #[test]
    fn many_functions_probe_past_each_other() {
        let t = table(500);
        let ids: Vec<_> = (0..500).map(|i| t.observe(&name(&format!("f{i}")), 0).0.unwrap()).collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(t.name(*id), Some(name(&format!("f{i}"))));
            assert_eq!(t.observe(&name(&format!("f{i}")), 1).0, Some(*id));
        }
    }

    #[test]
    fn concurrent_admission_and_counting_lose_nothing() {
        let t = table(64);
        let ids: Vec<Vec<FunctionId>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        (0..8_000).map(|i| t.observe(&name(&format!("f{}", i % 8)), 5).0.unwrap()).collect()
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        assert_eq!(t.len(), 8);
        for i in 0..8 {
            assert!(ids.iter().all(|v| v[i] == ids[0][i]), "one id per name across threads");
        }
        let key = t.key("f0");
        assert_eq!(t.find(key).unwrap().1.window.count(0), 4 * 1_000, "every event counted");
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
