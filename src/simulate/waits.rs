//! Synchronous callers waiting for their callees.
//!
//! A function that invokes another (or itself) with `RequestResponse` keeps its execution
//! environment, and is billed, until the callee answers. So when a cohort of invocations finishes
//! its own work and has an active synchronous route (without backoff), its invocations do not
//! release their concurrency: a [`Wait`] records them, and the calls they made carry its id
//! ([`Cohort::wait`](super::cohort::Cohort::wait)). Then:
//! - calls that return (their own work done, their own synchronous calls returned) release the same
//!   share of the callers, which return in turn to their own callers;
//! - calls refused with a 429 (`arrive_sync`) fail the same share of the callers (rounded up):
//!   they release their concurrency, count in the caller's `Errors`, and fail their own callers,
//!   up to the chain's first caller.
//!
//! A route's fan-out or thinning can make calls and callers differ in number: callers are
//! released in proportion, the last call releasing the remainder. Every caller released is billed
//! its wait (the ticks since its own work ended) in `Duration` and GB-seconds, without a new
//! invocation. Asynchronous routes, queues, streams and routes with a backoff don't wait; neither
//! does traffic from outside the account. Callers still waiting at the horizon are neither billed
//! for the rest of their wait nor counted as held work.
//!
//! Work is proportional to what changes: a call's outcome walks up its callers' chain once, and
//! stops at the first level where no caller's wait ends.

use super::engine::Engine;
use super::model::{TICK_MS, TICKS_PER_SEC};

/// Invocations of one function waiting for the synchronous calls they made.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wait {
    /// The callers' function.
    func: usize,
    /// Caller invocations still waiting.
    waiting: u64,
    /// Calls still outstanding (running, or on their way).
    children: u64,
    /// The wait of the callers' own caller (0: none).
    parent: u32,
    /// When the callers finished their own work and started waiting.
    since_tick: u32,
}

/// The open waits, by id (index + 1; 0 means none). Freed slots are reused, last freed first, so
/// ids are deterministic.
#[derive(Debug, Clone, Default)]
pub(crate) struct Waits {
    slots: Vec<Wait>,
    free: Vec<u32>,
}

impl Waits {
    /// Opens a wait for `waiting` invocations of `func`, called by the wait `parent`.
    pub(crate) fn open(&mut self, func: usize, waiting: u64, parent: u32, since_tick: u32) -> u32 {
        let wait = Wait { func, waiting, children: 0, parent, since_tick };
        match self.free.pop() {
            Some(id) => {
                self.slots[id as usize - 1] = wait;
                id
            }
            None => {
                self.slots.push(wait);
                self.slots.len() as u32
            }
        }
    }

    /// Adds `n` outstanding calls to the wait `id`.
    pub(crate) fn add_calls(&mut self, id: u32, n: u64) {
        self.slots[id as usize - 1].children += n;
    }

    /// Waits still open.
    #[cfg(test)]
    pub(crate) fn open_count(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// `n` calls of the wait `id` ended: the callers whose wait ends with them (`ok`: returned,
    /// else failed; a failure rounds up), and the wait's function, start and parent.
    fn settle(&mut self, id: u32, n: u64, ok: bool) -> (u64, Wait) {
        let w = &mut self.slots[id as usize - 1];
        let n = n.min(w.children);
        if n == 0 {
            return (0, *w);
        }
        let share = u128::from(w.waiting) * u128::from(n);
        let before = u128::from(w.children);
        let callers = if ok { share / before } else { share.div_ceil(before) };
        let callers = (callers as u64).min(w.waiting);
        w.waiting -= callers;
        w.children -= n;
        let wait = *w;
        if w.children == 0 {
            // Every call is back: every caller has been released (the last share is the rest).
            debug_assert_eq!(w.waiting, 0);
            self.free.push(id);
        }
        (callers, wait)
    }
}

impl Engine<'_> {
    /// `invocations` of `func` handling `cohort` finished their own work: they emit, then either
    /// wait for the synchronous calls they made or return now.
    pub(super) fn complete(&mut self, func: usize, invocations: u32, cohort: super::cohort::Cohort) {
        if self.emit(func, invocations, cohort) == 0 {
            self.runtime[func].running -= invocations.min(self.runtime[func].running);
            self.calls_ended(cohort.wait, u64::from(invocations), true);
        }
    }

    /// `n` synchronous calls made by the callers of the wait `id` ended (`ok`: returned, else
    /// refused or failed): the callers whose wait ends with them release their concurrency, pay
    /// for the wait, and end calls of their own callers in turn.
    pub(super) fn calls_ended(&mut self, mut id: u32, mut n: u64, ok: bool) {
        while id != 0 && n > 0 {
            let (callers, wait) = self.waits.settle(id, n, ok);
            if callers > 0 {
                self.end_wait(wait, callers, ok);
            }
            (id, n) = (wait.parent, callers);
        }
    }

    /// `n` callers of `wait` stop waiting: concurrency back, the wait billed, errors counted.
    fn end_wait(&mut self, wait: Wait, n: u64, ok: bool) {
        let f = wait.func;
        let rt = &mut self.runtime[f];
        rt.running -= (n.min(u64::from(u32::MAX)) as u32).min(rt.running);
        let wait_ms = u64::from(self.tick.saturating_sub(wait.since_tick)) * TICK_MS;
        let usd = n as f64 * wait_ms as f64 * self.model.functions[f].usd_per_ms;
        let second = (self.tick / TICKS_PER_SEC) as usize;
        self.series.add(f, second, 0, usd);
        let mut account = self.account.lock();
        account.cloudwatch.waited(f, n, wait_ms, usd);
        if !ok {
            account.cloudwatch.errors(f, n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::cloudwatch::FnMinute;
    use super::super::engine::tests::engine_for;
    use super::super::model::Model;
    use super::super::series::RunOutput;
    use super::*;

    fn model(json: &str) -> Model {
        let scenario = crate::simulate::parse_scenario(json, "t").expect("parses");
        Model::compile(&scenario, &crate::config::Prices::default()).expect("compiles")
    }

    /// `f`'s metrics summed over the run's minutes.
    fn total(run: &RunOutput, f: usize) -> FnMinute {
        run.minutes.iter().map(|m| m.functions[f]).fold(FnMinute::default(), |a, m| FnMinute {
            invocations: a.invocations + m.invocations,
            duration_ms: a.duration_ms + m.duration_ms,
            throttles: a.throttles + m.throttles,
            concurrency_max: a.concurrency_max.max(m.concurrency_max),
            recursive_dropped: a.recursive_dropped + m.recursive_dropped,
            errors: a.errors + m.errors,
            async_events: a.async_events + m.async_events,
        })
    }

    /// `front` (100 ms) calls `back` (1 s) synchronously for each of 10 calls a second.
    fn chain(back_reserved: &str) -> Model {
        model(&format!(
            r#"{{"name": "t", "horizon_secs": 120,
                "functions": [{{"name": "front", "memory_mb": 1024, "duration_ms": 100}},
                              {{"name": "back", "memory_mb": 128, "duration_ms": 1000{back_reserved}}}],
                "routes": [{{"from": "front", "to": {{"sync": "back"}}}}],
                "traffic": [{{"to": {{"sync": "front"}}, "rate_per_sec": 10}}]}}"#
        ))
    }

    #[test]
    fn a_synchronous_caller_holds_its_concurrency_and_pays_for_its_wait() {
        let model = chain("");
        let run = engine_for(&model).run();
        let (front, back) = (total(&run, 0), total(&run, 1));
        assert!((1_100..=1_300).contains(&front.invocations), "{front:?}");
        // Each call holds `front` for its own 100 ms, the call's 100 ms on its way and `back`'s 1 s.
        let per_call = front.duration_ms / front.invocations as f64;
        assert!((1_150.0..=1_250.0).contains(&per_call), "{per_call}");
        assert!(front.concurrency_max >= 10, "held while back runs: {front:?}");
        assert_eq!((front.errors, back.errors), (0, 0));
        assert!(back.invocations + 20 >= front.invocations, "{back:?}");
        // The wait is billed: front's GB-seconds (1 GB) are about its Duration.
        let front_usd: f64 = run.series.fn_usd[0].iter().sum();
        let gb_s = front.duration_ms / 1000.0 * model.functions[0].usd_per_ms * 1000.0;
        assert!((front_usd - gb_s).abs() < 0.05 * gb_s, "{front_usd} vs {gb_s}");
        assert_eq!(
            run.series.fn_invocations[0].iter().sum::<u64>(),
            front.invocations,
            "no extra invocations"
        );
    }

    #[test]
    fn a_refused_callee_fails_its_caller() {
        let model = chain(r#", "reserved_concurrency": 5"#);
        let run = engine_for(&model).run();
        let (front, back) = (total(&run, 0), total(&run, 1));
        assert!(back.throttles > 500, "{back:?}");
        assert_eq!(front.errors, back.throttles, "each refused call is its caller's error");
        assert_eq!(run.lost.organic_other.refused, back.throttles);
        // Failed callers waited only for the refusal: the mean is well below a full call.
        let per_call = front.duration_ms / front.invocations as f64;
        assert!(per_call < 800.0, "{per_call}");
    }

    #[test]
    fn a_synchronous_recursion_fills_its_reservation_and_fails_its_chains() {
        let model = model(
            r#"{"name": "t", "horizon_secs": 600, "incident_at_secs": 30,
                "functions": [{"name": "r", "memory_mb": 1024, "duration_ms": 500, "reserved_concurrency": 20}],
                "routes": [{"from": "r", "to": {"sync": "r"}, "incident": true}],
                "traffic": [{"to": {"sync": "r"}, "rate_per_sec": 2}]}"#,
        );
        let run = engine_for(&model).run();
        let pinned = &run.minutes[2..];
        assert!(pinned.iter().all(|m| m.functions[0].concurrency_max == 20), "chains fill the reservation");
        let (invocations, errors, duration) = pinned
            .iter()
            .map(|m| m.functions[0])
            .fold((0, 0, 0.0), |a, m| (a.0 + m.invocations, a.1 + m.errors, a.2 + m.duration_ms));
        assert!(errors as f64 > 0.9 * invocations as f64, "{errors} errors of {invocations}");
        let per_invocation = duration / invocations as f64;
        assert!(per_invocation > 3.0 * 500.0, "{per_invocation} ms");
        assert!(total(&run, 0).throttles > 0);
        assert!(run.lost.runaway.refused > 0, "{:?}", run.lost);
    }

    #[test]
    fn a_synchronous_self_call_that_does_not_wait_pins_without_errors_or_waiting() {
        let model = model(
            r#"{"name": "t", "horizon_secs": 600, "incident_at_secs": 30,
                "functions": [{"name": "r", "memory_mb": 1024, "duration_ms": 500, "reserved_concurrency": 20}],
                "routes": [{"from": "r", "to": {"sync": "r"}, "waits": false, "incident": true}],
                "traffic": [{"to": {"sync": "r"}, "rate_per_sec": 2}]}"#,
        );
        let run = engine_for(&model).run();
        let pinned = &run.minutes[2..];
        assert!(pinned.iter().all(|m| m.functions[0].concurrency_max == 20), "chains fill the reservation");
        let r = total(&run, 0);
        assert_eq!(r.errors, 0, "a caller that does not wait never fails with its call");
        assert!(r.throttles > 0, "{r:?}");
        let per_invocation = r.duration_ms / r.invocations as f64;
        assert!((per_invocation - 500.0).abs() < 1.0, "{per_invocation} ms: its own time only");
    }

    #[test]
    fn a_synchronous_launch_is_throttled_without_errors() {
        let model = model(
            r#"{"name": "t", "horizon_secs": 120,
                "functions": [{"name": "api", "memory_mb": 1024, "duration_ms": 500, "reserved_concurrency": 20}],
                "traffic": [{"to": {"sync": "api"}, "rate_per_sec": 100}]}"#,
        );
        let run = engine_for(&model).run();
        let api = total(&run, 0);
        assert_eq!(api.errors, 0);
        assert!(api.throttles > 5_000, "{api:?}");
        assert!((api.duration_ms / api.invocations as f64 - 500.0).abs() < 1e-9, "{api:?}");
        assert_eq!(engine_for(&model).waits.open_count(), 0);
    }

    #[test]
    fn async_arrivals_are_counted_and_queues_and_calls_are_not() {
        let model = model(
            r#"{"name": "t", "horizon_secs": 120,
                "functions": [{"name": "a", "memory_mb": 128, "duration_ms": 100},
                              {"name": "w", "memory_mb": 128, "duration_ms": 100},
                              {"name": "s", "memory_mb": 128, "duration_ms": 100},
                              {"name": "e", "memory_mb": 128, "duration_ms": 100}],
                "queues": [{"name": "jobs", "consumer": "w"}],
                "routes": [{"from": "s", "to": {"eventbridge": "e"}}],
                "traffic": [{"to": {"async": "a"}, "rate_per_sec": 10},
                            {"to": {"sqs": "jobs"}, "rate_per_sec": 10},
                            {"to": {"sync": "s"}, "rate_per_sec": 10}]}"#,
        );
        let run = engine_for(&model).run();
        let (a, w, s, e) = (total(&run, 0), total(&run, 1), total(&run, 2), total(&run, 3));
        assert!(a.async_events > 1_000 && a.async_events.abs_diff(a.invocations) < 5, "{a:?}");
        assert_eq!((w.async_events, s.async_events), (0, 0), "{w:?} {s:?}");
        assert!(e.async_events > 1_000 && e.async_events.abs_diff(e.invocations) < 5, "{e:?}");
        assert_eq!(s.errors + a.errors + e.errors, 0);
    }

    #[test]
    fn callers_are_released_in_proportion_and_failures_round_up() {
        let mut waits = Waits::default();
        let top = waits.open(0, 3, 0, 0);
        assert_eq!(top, 1);
        // Three callers made six calls (a fan-out of two).
        waits.add_calls(top, 6);
        assert_eq!(waits.settle(top, 1, false).0, 1, "one refused call fails its caller");
        assert_eq!(waits.settle(top, 1, true).0, 0, "2 callers, 5 calls: 2/5 rounds down");
        assert_eq!(waits.settle(top, 2, true).0, 1);
        assert_eq!(waits.open_count(), 1);
        assert_eq!(waits.settle(top, 2, true).0, 1, "the last calls release the rest");
        assert_eq!(waits.open_count(), 0);
        assert_eq!(waits.open(1, 1, 0, 5), top, "a freed slot is reused");
    }
}
