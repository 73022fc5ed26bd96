//! Lost work: events that never ran, by whose events they were (organic or the runaway's), what
//! lost them (the mechanism's own action or something else) and where they went (an SQS DLQ, a
//! function's DLQ or on-failure destination, or nowhere). Also the events still waiting at the end
//! of a run (in a queue, a stream or Lambda's async queue): neither run nor lost, and the async
//! events the guard parked (its parking queue, replayable): not lost either.
//!
//! "Organic" is every event the scenario's organic traffic and its non-incident routes cause: the
//! account's real work. "Runaway" is an event an incident route emitted (and everything it caused),
//! and the part of an incident rate change above the organic rate.

use serde::Serialize;

use super::result::Parked;
use crate::ports::FailureTarget;

/// Where lost events went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Lost {
    /// SQS messages moved to their queue's DLQ (after `maxReceiveCount` receives, or by Lambda's
    /// loop detection).
    pub sqs_dlq: u64,
    /// Async events sent to the function's DLQ or on-failure destination.
    pub async_dlq: u64,
    /// Events gone for good: async events with no failure target, SQS messages and stream
    /// records past their retention, events Lambda's loop detection dropped with nowhere to go.
    pub dropped: u64,
    /// Synchronous calls refused with a 429: nothing was queued, and the caller saw the error.
    pub refused: u64,
}

impl Lost {
    /// Every lost event.
    pub fn total(&self) -> u64 {
        self.sqs_dlq + self.async_dlq + self.dropped + self.refused
    }

    fn add(&mut self, fate: Fate, n: u64) {
        match fate {
            Fate::SqsDlq => self.sqs_dlq += n,
            Fate::AsyncDlq => self.async_dlq += n,
            Fate::Dropped => self.dropped += n,
            Fate::Refused => self.refused += n,
            // Not lost: counted in `LostWork::parked` before it reaches a bucket.
            Fate::Parked => {}
        }
    }
}

/// Events still waiting at the end of the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Held {
    /// Organic events waiting.
    pub organic: u64,
    /// The runaway's events waiting (a paused loop's messages: re-enabling before the fix replays them).
    pub runaway: u64,
}

/// What one run lost, split so that what containment cost can be told from what the runaway cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LostWork {
    /// Organic events lost because of the mechanism's own action: its throttle (async events at
    /// reserved concurrency 0, SQS messages received by a throttled function until
    /// `maxReceiveCount`, records of a blocked or paused shard ageing out) or its drops.
    pub organic_by_mechanism: Lost,
    /// Organic events lost otherwise: aged out while the runaway held the concurrency, dropped by
    /// Lambda's loop detection when it is not the mechanism compared.
    pub organic_other: Lost,
    /// The runaway's own events that never ran, whatever stopped them.
    pub runaway: Lost,
    /// Events neither run nor lost when the run ended.
    pub held_at_end: Held,
    /// Async events the guard's throttle sent to its parking queue (not lost: `replay` re-invokes them).
    pub parked: Parked,
}

impl LostWork {
    /// Every lost event.
    pub fn total(&self) -> u64 {
        self.organic_by_mechanism.total() + self.organic_other.total() + self.runaway.total()
    }

    /// Counts `n` lost (or, [`Fate::Parked`], parked) events.
    pub(crate) fn add(&mut self, runaway: bool, by_mechanism: bool, fate: Fate, n: u64) {
        if fate == Fate::Parked {
            if runaway {
                self.parked.runaway += n
            } else {
                self.parked.organic += n
            }
            return;
        }
        let bucket = match (runaway, by_mechanism) {
            (true, _) => &mut self.runaway,
            (false, true) => &mut self.organic_by_mechanism,
            (false, false) => &mut self.organic_other,
        };
        bucket.add(fate, n);
    }
}

/// Where one lost event goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    SqsDlq,
    AsyncDlq,
    Dropped,
    /// A synchronous call refused with a 429 (the caller sees it; Lambda queues nothing).
    Refused,
    /// Sent to the guard's parking queue (an on-failure destination the guard gave the function).
    Parked,
}

impl Fate {
    /// A failed async event of a function with this failure target.
    pub(crate) fn of_async(target: &FailureTarget) -> Fate {
        Self::of_async_parked(target, false)
    }

    /// A failed async event of a function with this failure target, or with the guard's parking
    /// queue when `parked` (the guard gives it only to a tripped function with neither DLQ nor
    /// destination; one with its own keeps it).
    pub(crate) fn of_async_parked(target: &FailureTarget, parked: bool) -> Fate {
        match target {
            FailureTarget::Dropped | FailureTarget::Unknown if parked => Fate::Parked,
            FailureTarget::DeadLetter(_) | FailureTarget::Destination(_) => Fate::AsyncDlq,
            FailureTarget::Dropped | FailureTarget::Unknown => Fate::Dropped,
        }
    }

    /// A failed SQS message of a queue with or without a DLQ.
    pub(crate) fn of_sqs(dlq: bool) -> Fate {
        if dlq { Fate::SqsDlq } else { Fate::Dropped }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn losses_land_in_their_bucket_and_add_up() {
        let mut w = LostWork::default();
        w.add(false, true, Fate::SqsDlq, 3);
        w.add(false, false, Fate::Dropped, 2);
        w.add(true, true, Fate::AsyncDlq, 5);
        w.add(true, false, Fate::AsyncDlq, 1);
        assert_eq!(w.organic_by_mechanism, Lost { sqs_dlq: 3, ..Lost::default() });
        assert_eq!(w.organic_other.dropped, 2);
        assert_eq!(w.runaway.async_dlq, 6);
        assert_eq!(w.total(), 11);
        assert_eq!(Fate::of_async(&FailureTarget::Dropped), Fate::Dropped);
        assert_eq!(Fate::of_async(&FailureTarget::DeadLetter("arn".into())), Fate::AsyncDlq);
        assert_eq!((Fate::of_sqs(true), Fate::of_sqs(false)), (Fate::SqsDlq, Fate::Dropped));
    }

    #[test]
    fn parked_events_are_counted_apart_and_never_lost() {
        let mut w = LostWork::default();
        w.add(false, true, Fate::Parked, 4);
        w.add(true, true, Fate::Parked, 6);
        assert_eq!(w.parked, Parked { organic: 4, runaway: 6 });
        assert_eq!(w.total(), 0, "parked events are replayable, not lost");
        assert_eq!(Fate::of_async_parked(&FailureTarget::Dropped, true), Fate::Parked);
        assert_eq!(Fate::of_async_parked(&FailureTarget::Unknown, true), Fate::Parked);
        let own = FailureTarget::Destination("arn".into());
        assert_eq!(Fate::of_async_parked(&own, true), Fate::AsyncDlq, "its own destination is kept");
        assert_eq!(Fate::of_async_parked(&FailureTarget::Dropped, false), Fate::Dropped);
    }
}
