//! Per-function rate windows: a ring of fixed-width buckets, each tagged with the bucket number it
//! holds, and the two rate rules evaluated when a new bucket opens.
//!
//! Tagging the buckets makes clearing lazy (a bucket whose tag is stale reads as zero) and makes late
//! events safe: an event for a bucket still inside the ring is counted where it belongs, one older than
//! the ring is dropped, and neither can move the window backwards or disturb newer counts.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use crate::verdict::Reason;

/// Buckets in the ring: with 10 s buckets, 5 min 20 s of history.
pub(crate) const RING: usize = 32;

/// What recording one event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Recorded {
    /// Counted in the newest bucket or a late one still in the ring.
    Counted,
    /// Counted, and it opened a newer bucket: the buckets before it are complete, evaluate the rules.
    Opened,
    /// Older than the ring: ignored.
    TooOld,
}

/// Event counts per bucket for one function. Lock-free: each bucket is one `AtomicU64` packing the
/// bucket number (high half) and its count (low half), so counting an event is a single
/// compare-and-swap and readers never block writers.
#[derive(Debug, Default)]
pub(crate) struct RateWindow {
    buckets: [AtomicU64; RING],
    head: AtomicU32,
}

fn pack(number: u32, count: u32) -> u64 {
    (u64::from(number) << 32) | u64::from(count)
}

fn unpack(bucket: u64) -> (u32, u32) {
    ((bucket >> 32) as u32, bucket as u32)
}

impl RateWindow {
    /// Counts one event falling in bucket `number` (seconds since the epoch / bucket width).
    #[cfg(test)]
    pub fn record(&self, number: u32) -> Recorded {
        self.record_many(number, 1)
    }

    /// Counts `events` events falling in bucket `number` with one compare-and-swap (a batch's events
    /// for one function share a bucket).
    pub fn record_many(&self, number: u32, events: u32) -> Recorded {
        let head = self.head.load(Ordering::Relaxed);
        if u64::from(number) + RING as u64 <= u64::from(head) {
            return Recorded::TooOld;
        }
        let slot = &self.buckets[number as usize % RING];
        let mut current = slot.load(Ordering::Relaxed);
        loop {
            let (held, count) = unpack(current);
            let next = match held.cmp(&number) {
                std::cmp::Ordering::Equal => pack(number, count.saturating_add(events)),
                // The slot holds a bucket a whole ring older: outside the window now, start afresh.
                std::cmp::Ordering::Less => pack(number, events),
                // A concurrent writer already moved this slot a ring ahead: this event is too old.
                std::cmp::Ordering::Greater => return Recorded::TooOld,
            };
            match slot.compare_exchange_weak(current, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
        // Only the first event of a newer bucket touches `head`; of racing openers exactly one wins.
        if number > head && self.head.fetch_max(number, Ordering::Relaxed) < number {
            return Recorded::Opened;
        }
        Recorded::Counted
    }

    /// Events counted in bucket `number` (zero outside the ring).
    pub fn count(&self, number: u32) -> u32 {
        let (held, count) = unpack(self.buckets[number as usize % RING].load(Ordering::Relaxed));
        let head = self.head.load(Ordering::Relaxed);
        if held == number && u64::from(number) + (RING as u64) > u64::from(head) { count } else { 0 }
    }

    /// The newest bucket number seen.
    pub fn head(&self) -> u32 {
        self.head.load(Ordering::Relaxed)
    }
}

/// The rate rules, in per-bucket units.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RateRules {
    /// Bucket width in seconds.
    pub bucket_secs: u32,
    /// Absolute rule: events per second over the last complete bucket.
    pub limit_per_sec: f64,
    /// Growth rule: consecutive complete buckets each at least twice the one before.
    pub growth_buckets: u32,
    /// Growth rule: the last of those buckets must hold at least this many events.
    pub growth_floor: u64,
}

impl RateRules {
    /// The bucket number holding second `secs`.
    pub fn bucket_of(&self, secs: u64) -> u32 {
        u32::try_from(secs / u64::from(self.bucket_secs.max(1))).unwrap_or(u32::MAX)
    }

    /// Evaluates both rules over the complete buckets before the window's head.
    pub fn evaluate(&self, window: &RateWindow) -> Option<Reason> {
        let last = window.head().checked_sub(1)?;
        let per_second = f64::from(window.count(last)) / f64::from(self.bucket_secs.max(1));
        if per_second > self.limit_per_sec {
            return Some(Reason::RateAbsolute { per_second, limit: self.limit_per_sec });
        }
        self.growth(window, last)
    }

    fn growth(&self, window: &RateWindow, last: u32) -> Option<Reason> {
        let steps = self.growth_buckets.clamp(1, RING as u32 - 2);
        let first = last.checked_sub(steps)?;
        let buckets: Vec<u64> = (first..=last).map(|n| u64::from(window.count(n))).collect();
        let doubling = buckets.windows(2).all(|pair| pair[0] > 0 && pair[1] >= 2 * pair[0]);
        let above_floor = buckets.last().is_some_and(|&n| n >= self.growth_floor);
        (doubling && above_floor).then_some(Reason::RateGrowth { buckets })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn rules() -> RateRules {
        RateRules { bucket_secs: 10, limit_per_sec: 100.0, growth_buckets: 3, growth_floor: 20 }
    }

    /// Feeds `per_bucket[i]` events into bucket 1000 + i, then opens the next bucket; returns every
    /// reason the rules gave when a bucket opened.
    fn run(per_bucket: &[u32]) -> Vec<Reason> {
        let (rules, window, mut reasons) = (rules(), RateWindow::default(), Vec::new());
        for (i, &n) in per_bucket.iter().chain(&[1]).enumerate() {
            for _ in 0..n {
                if window.record(1000 + i as u32) == Recorded::Opened {
                    reasons.extend(rules.evaluate(&window));
                }
            }
        }
        reasons
    }

    #[test]
    fn counts_late_events_in_their_bucket_and_drops_ancient_ones() {
        let w = RateWindow::default();
        assert_eq!(w.record(100), Recorded::Opened);
        assert_eq!(w.record(98), Recorded::Counted);
        assert_eq!(w.record(100 - RING as u32), Recorded::TooOld);
        assert_eq!((w.count(100), w.count(98), w.count(100 - RING as u32)), (1, 1, 0));
        assert_eq!(w.record(100 + RING as u32), Recorded::Opened);
        assert_eq!(w.count(100), 0, "a whole ring later the old bucket reads as empty");
    }

    #[test]
    fn absolute_rule_trips_over_the_limit_only() {
        assert!(run(&[1000, 1000]).is_empty(), "100/s is the limit, not over it");
        assert!(matches!(run(&[10, 1001])[..], [Reason::RateAbsolute { .. }]));
    }

    #[test]
    fn a_times_ten_step_surge_does_not_trip() {
        // Steady 5/s, then 50/s, with the step landing anywhere inside a bucket.
        for before in 0..=10u32 {
            let mid = 5 * before + 50 * (10 - before);
            assert!(run(&[50, 50, 50, mid, 500, 500, 500]).is_empty(), "step at {before}s");
        }
    }

    #[test]
    fn a_doubling_loop_trips_the_growth_rule() {
        let reasons = run(&[1, 2, 4, 8, 16, 32, 64]);
        assert_eq!(reasons.first(), Some(&Reason::RateGrowth { buckets: vec![4, 8, 16, 32] }));
    }

    #[test]
    fn growth_below_the_floor_is_ignored() {
        assert!(run(&[1, 2, 4, 8, 16]).is_empty());
    }

    proptest! {
        #[test]
        fn counts_match_a_naive_model(offsets in prop::collection::vec(0u32..80, 1..400)) {
            let window = RateWindow::default();
            let mut accepted: Vec<u32> = Vec::new();
            let mut head = 0u32;
            for &offset in &offsets {
                let number = 1000 + offset;
                // The model: keep every event not a whole ring older than the newest seen.
                let keep = number + RING as u32 > head;
                prop_assert_eq!(window.record(number) != Recorded::TooOld, keep);
                if keep {
                    accepted.push(number);
                    head = head.max(number);
                }
            }
            for number in 1000..1080 {
                let in_ring = number <= head && number + RING as u32 > head;
                let expected = if in_ring { accepted.iter().filter(|&&n| n == number).count() } else { 0 };
                prop_assert_eq!(window.count(number) as usize, expected, "bucket {}", number);
            }
        }
    }
}
