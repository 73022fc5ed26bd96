//! A bounded, time-limited memory of ids already handled (SQS `messageId`s, CloudTrail `eventID`s),
//! so a redelivered record is not counted twice and a recorded call is not reported twice.
//!
//! Size bound: at most `capacity` ids, each kept as a 64-bit hash (foldhash, seeded per process)
//! with the time it was first seen and, for a record whose action failed, the verdicts to retry
//! when it comes back. An entry is
//! about 40 bytes in the map plus 16 in the queue of arrival order, so the default 100,000 ids cost
//! about 6 MB. When full, the oldest id is forgotten first; ids older than `ttl_secs` are forgotten
//! as new ones arrive. A forgotten id redelivered later is counted again: that needs more than
//! `capacity` records within the TTL in one container (a flood the guard is already tripping on).
//! SQS assigns message ids (senders cannot choose them), so a hash collision is chance only:
//! about 1 in 10^9 at full capacity.

use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::sync::Mutex;

use crate::name::FunctionName;
use crate::time::Timestamp;
use crate::verdict::Reason;

/// Ids remembered by default.
pub const DEFAULT_CAPACITY: usize = 100_000;
/// How long an id is remembered by default: the chain queue's retention (`infra/events.tf`), after
/// which SQS cannot redeliver the message.
pub const DEFAULT_TTL_SECS: u64 = 3_600;

/// Throttles a record asked for and could not get: retried when the record is redelivered.
pub type Retries = Vec<(FunctionName, Reason)>;

/// The memory (shared by the handler's concurrent tasks behind a mutex never held across `.await`).
#[derive(Debug)]
pub struct SeenIds {
    inner: Mutex<Inner>,
    /// Seeded per process: ids map to the same key for the life of the memory only.
    keyer: foldhash::fast::RandomState,
    capacity: usize,
    ttl_secs: u64,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<u64, (Timestamp, Option<Box<Retries>>), foldhash::fast::RandomState>,
    order: VecDeque<(Timestamp, u64)>,
}

/// What the memory knew of an id.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    /// Never seen (or forgotten).
    New,
    /// Seen before; the throttles its first delivery could not complete, if any.
    Again(Retries),
}

impl SeenIds {
    /// A memory of at most `capacity` ids, each for `ttl_secs`.
    pub fn new(capacity: usize, ttl_secs: u64) -> Self {
        let keyer = foldhash::fast::RandomState::default();
        Self { inner: Mutex::new(Inner::default()), keyer, capacity: capacity.max(1), ttl_secs }
    }

    /// Whether `id` was seen within the TTL (and what to retry for it), without remembering it.
    pub fn check(&self, id: &str, now: Timestamp) -> Seen {
        let mut inner = self.lock();
        inner.expire(now, self.ttl_secs);
        match inner.entries.get(&self.key(id)) {
            Some((_, retries)) => Seen::Again(retries.as_deref().cloned().unwrap_or_default()),
            None => Seen::New,
        }
    }

    /// Remembers `id` (first seen now, unless already remembered) with the throttles to retry when
    /// it is delivered again (empty: nothing to retry).
    pub fn remember(&self, id: &str, retries: Retries, now: Timestamp) {
        let mut inner = self.lock();
        inner.expire(now, self.ttl_secs);
        inner.insert(self.key(id), retries, now, self.capacity);
    }

    /// [`check`](Self::check) for every id of a batch under one lock (`None`: a record without
    /// an id, always new).
    pub fn check_all<'a>(&self, ids: impl Iterator<Item = Option<&'a str>>, now: Timestamp) -> Vec<Seen> {
        let mut inner = self.lock();
        inner.expire(now, self.ttl_secs);
        ids.map(|id| match id.and_then(|id| inner.entries.get(&self.key(id))) {
            Some((_, retries)) => Seen::Again(retries.as_deref().cloned().unwrap_or_default()),
            None => Seen::New,
        })
        .collect()
    }

    /// [`remember`](Self::remember) for every `(id, retries)` of a batch under one lock.
    pub fn remember_all<'a>(&self, items: impl Iterator<Item = (&'a str, Retries)>, now: Timestamp) {
        let mut inner = self.lock();
        inner.expire(now, self.ttl_secs);
        // One growth for the batch instead of a rehash every doubling (a batch is up to 10,000).
        let room = items.size_hint().1.unwrap_or(0).min(self.capacity.saturating_sub(inner.entries.len()));
        inner.entries.reserve(room);
        inner.order.reserve(room);
        for (id, retries) in items {
            inner.insert(self.key(id), retries, now, self.capacity);
        }
    }

    /// Ids remembered now.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn key(&self, id: &str) -> u64 {
        self.keyer.hash_one(id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the maps inconsistent in a way that matters
        // here (at worst an id is remembered twice in `order`), so a poisoned lock is used as is.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Default for SeenIds {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY, DEFAULT_TTL_SECS)
    }
}

impl Inner {
    fn insert(&mut self, key: u64, retries: Retries, now: Timestamp, capacity: usize) {
        let retries = (!retries.is_empty()).then(|| Box::new(retries));
        if let Some(entry) = self.entries.get_mut(&key) {
            entry.1 = retries;
            return;
        }
        while self.entries.len() >= capacity {
            let Some((_, oldest)) = self.order.pop_front() else { break };
            self.entries.remove(&oldest);
        }
        self.entries.insert(key, (now, retries));
        self.order.push_back((now, key));
    }

    fn expire(&mut self, now: Timestamp, ttl_secs: u64) {
        while let Some(&(at, key)) = self.order.front() {
            if now.since(at).as_secs() < ttl_secs {
                break;
            }
            self.order.pop_front();
            if self.entries.get(&key).is_some_and(|(first, _)| *first == at) {
                self.entries.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = Timestamp::from_secs(1_795_000_000);

    fn at(secs: u64) -> Timestamp {
        Timestamp::from_secs(T0.as_secs() + secs)
    }

    #[test]
    fn remembers_within_the_ttl_and_forgets_after() {
        let seen = SeenIds::new(10, 60);
        assert_eq!(seen.check("a", T0), Seen::New);
        seen.remember("a", Vec::new(), T0);
        assert_eq!(seen.check("a", at(59)), Seen::Again(Vec::new()));
        assert_eq!(seen.check("a", at(60)), Seen::New);
        assert!(seen.is_empty());
    }

    #[test]
    fn never_holds_more_than_its_capacity_and_forgets_the_oldest_first() {
        let seen = SeenIds::new(3, 3_600);
        for (i, id) in ["a", "b", "c", "d"].iter().enumerate() {
            seen.remember(id, Vec::new(), at(i as u64));
        }
        assert_eq!(seen.len(), 3);
        assert_eq!(seen.check("a", at(5)), Seen::New);
        assert_eq!(seen.check("d", at(5)), Seen::Again(Vec::new()));
    }

    #[test]
    fn keeps_the_retries_of_a_failed_record_until_they_succeed() {
        let seen = SeenIds::new(10, 3_600);
        let orders = FunctionName::new("orders").unwrap();
        let reason = Reason::Manual { text: "x".into() };
        seen.remember("a", vec![(orders.clone(), reason.clone())], T0);
        assert_eq!(seen.check("a", at(1)), Seen::Again(vec![(orders, reason)]));
        seen.remember("a", Vec::new(), at(2));
        assert_eq!(seen.check("a", at(3)), Seen::Again(Vec::new()));
        assert_eq!(seen.len(), 1);
    }
}
