//! What `runaway-guard replay` does with the events the guard parked, once each tripped function is
//! fixed and re-enabled: it sends every parked event back once, oldest first, at the function's
//! default rate (the CLI's rule, [`crate::replay::rate`], on the same CloudWatch history), one
//! function's replay beside another's. The runaway's own parked events go back too unless the
//! operator leaves them out; those whose chain header is deeper than the guard's depth limit are
//! what `--skip-depth-over LIMIT` leaves out. Each replayed event runs once: the fix stopped the loop.

use serde::Serialize;

use crate::replay::Rate;

use super::cohort::Cohort;

/// One function's parked events, as the replay sees them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ParkedEvents {
    /// Organic events.
    pub organic: u64,
    /// The runaway's own events.
    pub runaway: u64,
    /// The runaway's events whose chain header is deeper than the depth limit.
    pub runaway_deep: u64,
}

impl ParkedEvents {
    /// Counts `cohort`'s events, parked; `depth_limit` is the guard's.
    pub(crate) fn add(&mut self, cohort: &Cohort, depth_limit: u32) {
        let n = cohort.total();
        if !cohort.runaway {
            self.organic += n;
            return;
        }
        self.runaway += n;
        if u32::from(cohort.hops) > depth_limit {
            self.runaway_deep += n;
        }
    }

    fn total(&self) -> u64 {
        self.organic + self.runaway
    }
}

/// The replay of one run's parked events (the guard's runs only: peers park nothing).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Replay {
    /// Parked events the replay sends back (every one, as the alert's command does).
    pub events: u64,
    /// Of which the runaway's own.
    pub runaway: u64,
    /// The runaway's events `--skip-depth-over LIMIT` would leave out (their chain header is
    /// deeper than the guard's depth limit; 0 without the header).
    pub skippable_by_depth: u64,
    /// Seconds the longest replay takes at its function's default rate.
    pub longest_secs: f64,
    /// What the replayed invocations cost, in USD.
    pub usd: f64,
    /// The same two figures when the runaway's own events are left out (a replay filtered by
    /// depth, source, detail-type or time, where those tell them apart).
    pub organic_longest_secs: f64,
    /// See `organic_longest_secs`.
    pub organic_usd: f64,
}

impl Replay {
    /// The replay of each function's parked events at its default rate, each costing its price
    /// per invocation.
    pub(crate) fn of(functions: impl IntoIterator<Item = (ParkedEvents, Rate, f64)>) -> Self {
        functions.into_iter().filter(|(parked, ..)| parked.total() > 0).fold(
            Self::default(),
            |sum, (parked, rate, cost_per_invocation)| {
                let (n, organic) = (parked.total() as f64, parked.organic as f64);
                Self {
                    events: sum.events + parked.total(),
                    runaway: sum.runaway + parked.runaway,
                    skippable_by_depth: sum.skippable_by_depth + parked.runaway_deep,
                    longest_secs: sum.longest_secs.max(n / rate.per_sec),
                    usd: sum.usd + n * cost_per_invocation,
                    organic_longest_secs: sum.organic_longest_secs.max(organic / rate.per_sec),
                    organic_usd: sum.organic_usd + organic * cost_per_invocation,
                }
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::rate;

    fn cohort(runaway: bool, hops: u16, roots: u32) -> Cohort {
        Cohort {
            first_root: 0,
            roots,
            per_root: 1,
            depth: hops,
            hops,
            receives: 0,
            born: 0,
            runaway,
            wait: 0,
        }
    }

    #[test]
    fn every_parked_event_goes_back_once_at_its_function_s_rate_side_by_side() {
        let mut a = ParkedEvents::default();
        a.add(&cohort(false, 1, 600), 16);
        a.add(&cohort(true, 3, 100), 16);
        a.add(&cohort(true, 17, 50), 16);
        assert_eq!(a, ParkedEvents { organic: 600, runaway: 150, runaway_deep: 50 });
        let mut b = ParkedEvents::default();
        b.add(&cohort(false, 1, 30), 16);
        let replay = Replay::of([
            (a, rate::from_flag(5.0).unwrap(), 0.001),
            (b, rate::fallback(), 0.01),
            (ParkedEvents::default(), rate::fallback(), 1.0),
        ]);
        assert_eq!((replay.events, replay.runaway, replay.skippable_by_depth), (780, 150, 50));
        assert!((replay.longest_secs - 150.0).abs() < 1e-9, "750 events at 5/s beside 30 at 1/s: {replay:?}");
        assert!((replay.usd - 1.05).abs() < 1e-9, "{replay:?}");
        assert!((replay.organic_longest_secs - 120.0).abs() < 1e-9, "600 organic at 5/s: {replay:?}");
        assert!((replay.organic_usd - 0.9).abs() < 1e-9, "{replay:?}");
        assert_eq!(Replay::of([]), Replay::default());
    }
}
