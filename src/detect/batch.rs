//! Working memory of `Detector::observe_batch`, kept between batches so the hot path allocates
//! nothing per batch: the batch's keyed hops grouped by chain-table shard, and the count of
//! events per function.
//!
//! Fresh per-batch buffers cost more than their `malloc`: a batch of several kilobytes of scratch asks
//! the allocator for a large block right after the previous batch's signals were freed, which makes
//! glibc consolidate those thousands of small free chunks inside the call (docs/benchmarks.md).

use super::chains::{FunctionId, ShardRuns};

/// Scratch buffers for one batch; cleared at the start of each use.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// The batch's chain events, keyed and grouped by shard.
    pub hops: ShardRuns,
    /// Events per function.
    pub tally: Tally,
    /// Function ids of the names already interned in this batch.
    pub names: NameMemo,
}

/// Slots of the name memo (a batch names a few distinct functions; 6 KB, cleared per batch).
const MEMO_SLOTS: usize = 256;

/// Function ids by where a name's text lives, for one batch: the parser shares one allocation per
/// distinct name across a batch (`Arc<str>`), so a repeated name is recognised by its address and
/// length without hashing it again. Sound because the batch's signals are borrowed for the whole
/// call: two live, non-empty strings at the same address with the same length are the same text.
/// Cleared before each batch, since addresses are reused once a batch is freed. A miss (a collision
/// or a copied name) just interns as before.
#[derive(Debug, Default)]
pub(crate) struct NameMemo {
    /// `(address, length, id)`; address 0 marks a free slot (never the address of a name).
    slots: Vec<(usize, usize, FunctionId)>,
}

impl NameMemo {
    /// Forgets every name (the memo must not outlive the batch it was filled from).
    pub fn clear(&mut self) {
        self.slots.clear();
        self.slots.resize(MEMO_SLOTS, (0, 0, 0));
    }

    /// The id memoised for `name` in this batch.
    pub fn get(&self, name: &str) -> Option<FunctionId> {
        let (address, len) = (name.as_ptr().addr(), name.len());
        let &(held, held_len, id) = self.slots.get(Self::slot(address))?;
        (held == address && held_len == len).then_some(id)
    }

    /// Remembers `name`'s id for the rest of the batch.
    pub fn insert(&mut self, name: &str, id: FunctionId) {
        let address = name.as_ptr().addr();
        if let Some(slot) = self.slots.get_mut(Self::slot(address)) {
            *slot = (address, name.len(), id);
        }
    }

    fn slot(address: usize) -> usize {
        // Heap strings are at least 16-byte aligned: the bits above those vary between names.
        (address >> 4) % MEMO_SLOTS
    }
}

/// Marks a free slot of the tally (never a counted id: untracked events are not tallied).
const FREE: FunctionId = FunctionId::MAX;

/// Events per function id in one batch: open addressing on the id itself (ids are slots of the
/// function index, so their low bits are already spread), at most half full, so adding is one or two
/// plain loads with no hashing; only the used slots are visited and freed when the batch is done.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    slots: Vec<(FunctionId, u32)>,
    used: Vec<usize>,
}

impl Tally {
    /// Makes room for a batch of up to `events` events (the tally must be empty).
    pub fn prepare(&mut self, events: usize) {
        let wanted = events.saturating_mul(2).next_power_of_two().max(64);
        if self.slots.len() < wanted {
            self.slots = vec![(FREE, 0); wanted];
        }
    }

    /// Counts one event of `id`.
    pub fn add(&mut self, id: FunctionId) {
        let mask = self.slots.len() - 1;
        let mut at = id as usize & mask;
        loop {
            let slot = &mut self.slots[at];
            if slot.0 == id {
                slot.1 += 1;
                return;
            }
            if slot.0 == FREE {
                *slot = (id, 1);
                self.used.push(at);
                return;
            }
            at = (at + 1) & mask;
        }
    }

    /// Every `(id, events)` counted, in first-seen order, leaving the tally empty.
    pub fn drain(&mut self) -> impl Iterator<Item = (FunctionId, u32)> + '_ {
        let slots = &mut self.slots;
        self.used.drain(..).map(move |at| std::mem::replace(&mut slots[at], (FREE, 0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_recognises_the_same_text_by_address_only() {
        let (a, b) = (String::from("orders"), String::from("orders"));
        let mut memo = NameMemo::default();
        assert_eq!(memo.get(&a), None, "an uncleared memo has no slots");
        memo.clear();
        memo.insert(&a, 7);
        assert_eq!(memo.get(&a), Some(7));
        assert_eq!(memo.get(&a[..3]), None, "same address, shorter text");
        assert_eq!(memo.get(&b), None, "same text elsewhere: interned again, not memoised");
        memo.clear();
        assert_eq!(memo.get(&a), None);
    }

    #[test]
    fn tally_counts_colliding_ids_apart_and_empties_when_drained() {
        let mut tally = Tally::default();
        tally.prepare(10);
        for id in [3, 67, 3, 131, 67, 3] {
            tally.add(id);
        }
        assert_eq!(tally.drain().collect::<Vec<_>>(), [(3, 3), (67, 2), (131, 1)]);
        assert!(tally.slots.iter().all(|&slot| slot == (FREE, 0)));
        tally.add(5);
        assert_eq!(tally.drain().collect::<Vec<_>>(), [(5, 1)]);
    }
}
