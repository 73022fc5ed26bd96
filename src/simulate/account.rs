//! The simulated account's compute: concurrency (reserved, the shared 1,000 pool, the scaling rate),
//! starting invocations, and billing them.
//!
//! Scaling follows AWS's current rule, kept simple: each function may add 1,000 execution environments
//! per 10 s; environments, once created, stay warm (no idle reclaim within a run).

use super::cohort::Cohort;
use super::engine::{Engine, Event};
use super::ports::ACCOUNT_LIMIT;

/// New execution environments a function may add per scaling period.
pub(crate) const SCALE_STEP: u32 = 1_000;
/// The scaling period, in ticks (10 s).
pub(crate) const SCALE_PERIOD_TICKS: u32 = 100;

/// One function's execution state.
#[derive(Debug, Clone, Default)]
pub(crate) struct Runtime {
    /// Invocations running now.
    pub running: u32,
    /// Execution environments created so far.
    pub environments: u32,
    /// Environments it may still add in this scaling period.
    pub scale_budget: u32,
    /// Lambda's internal queue of async events waiting for concurrency.
    pub backlog: std::collections::VecDeque<Cohort>,
    /// Async events that reached the internal queue in this tick.
    pub arrived: u64,
}

impl Engine<'_> {
    /// Invocations `f` may start now.
    pub(super) fn free_capacity(&self, f: usize) -> u32 {
        let rt = &self.runtime[f];
        let limit_free = match self.reserved[f] {
            Some(r) => r.saturating_sub(rt.running),
            None => {
                let reserved: u32 = self.reserved.iter().flatten().sum();
                let pool = ACCOUNT_LIMIT.saturating_sub(reserved);
                let used: u32 = self
                    .runtime
                    .iter()
                    .zip(&self.reserved)
                    .filter(|(_, r)| r.is_none())
                    .map(|(rt, _)| rt.running)
                    .sum();
                pool.saturating_sub(used)
            }
        };
        let scalable = (rt.environments + rt.scale_budget).saturating_sub(rt.running);
        limit_free.min(scalable)
    }

    /// Starts `invocations` invocations of `f` handling `cohort`, bills them, schedules completion.
    pub(super) fn start(&mut self, f: usize, invocations: u32, cohort: Cohort) {
        let rt = &mut self.runtime[f];
        rt.running += invocations;
        if rt.running > rt.environments {
            rt.scale_budget = rt.scale_budget.saturating_sub(rt.running - rt.environments);
            rt.environments = rt.running;
        }
        let timing = self.timing(f);
        let usd = f64::from(invocations) * timing.cost_per_invocation;
        let second = (self.tick / super::model::TICKS_PER_SEC) as usize;
        self.series.add(f, second, u64::from(invocations), usd);
        self.account.lock().cloudwatch.invocations(f, u64::from(invocations), timing.duration_ms, usd);
        self.schedule(timing.duration_ticks, Event::Complete { func: f, invocations, cohort });
    }

    /// How long an invocation of `f` starting now runs, and what it costs.
    pub(super) fn timing(&self, f: usize) -> super::model::Timing {
        self.model.functions[f].timing(self.incident_active())
    }

    /// A synchronous invoke of `f`: it runs now if `f` has concurrency, else the caller gets a 429
    /// (counted in `Throttles`, and `refused`: Lambda keeps nothing, and a caller's retry would be
    /// new traffic). A calling function's invocations fail with it (`waits`).
    pub(super) fn arrive_sync(&mut self, f: usize, cohort: Cohort) {
        let free = if self.reserved[f] == Some(0) { 0 } else { u64::from(self.free_capacity(f)) };
        let (taken, refused) = cohort.split(free);
        if let Some(t) = taken {
            self.start(f, t.total() as u32, t);
        }
        let by_mechanism = self.throttled_by_mechanism[f];
        for r in refused.into_iter().flatten() {
            self.account.lock().cloudwatch.throttles(f, r.total());
            self.lost.add(r.runaway, by_mechanism, super::lost::Fate::Refused, r.total());
            self.calls_ended(r.wait, r.total(), false);
        }
    }

    /// Refills every function's scaling budget at the start of each period.
    pub(super) fn refill_scaling(&mut self) {
        if self.tick.is_multiple_of(SCALE_PERIOD_TICKS) {
            for rt in &mut self.runtime {
                rt.scale_budget = SCALE_STEP;
            }
        }
    }

    /// Serves `f`'s async backlog, oldest first, up to its capacity. An event that arrived this
    /// tick and found no concurrency is throttled on its first attempt (429, back to the internal
    /// queue): counted in `Throttles` once. Lambda's later retries of it are not counted, so the
    /// metric is a lower bound of what AWS would show.
    pub(super) fn serve_async(&mut self, f: usize) {
        self.serve_backlog(f);
        let arrived = std::mem::take(&mut self.runtime[f].arrived);
        if arrived > 0 && !self.runtime[f].backlog.is_empty() {
            let mut waiting = 0;
            for c in self.runtime[f].backlog.iter().rev() {
                waiting += c.total();
                if waiting >= arrived {
                    break;
                }
            }
            self.account.lock().cloudwatch.throttles(f, waiting.min(arrived));
        }
    }

    fn serve_backlog(&mut self, f: usize) {
        let mut free = u64::from(self.free_capacity(f));
        while free > 0 {
            let Some(cohort) = self.runtime[f].backlog.pop_front() else { break };
            let (taken, rest) = cohort.split(free);
            for r in rest.into_iter().rev().flatten() {
                self.runtime[f].backlog.push_front(r);
            }
            if let Some(t) = taken {
                free -= t.total();
                self.start(f, t.total() as u32, t);
            }
        }
    }

    /// Serves the SQS queues `f` consumes, up to its capacity. Messages received in one tick are
    /// batched together (`ceil(messages / batch_size)` invocations) however they are split into
    /// cohorts, so runs that track roots and runs that merge them bill the same invocations.
    pub(super) fn serve_queues(&mut self, f: usize) {
        let model = self.model;
        for &qi in &model.functions[f].queues {
            let batch = u64::from(model.queues[qi].batch_size);
            let queue_free = match model.queues[qi].max_concurrency {
                Some(max) => max.saturating_sub(self.queue_running[qi]),
                None => u32::MAX,
            };
            let mut free_messages = u64::from(self.free_capacity(f).min(queue_free)) * batch;
            let mut taken_messages = 0;
            let mut invocations_started = 0;
            while free_messages > 0 {
                let Some(cohort) = self.queues[qi].pop_front() else { break };
                let (taken, rest) = cohort.split(free_messages);
                for r in rest.into_iter().rev().flatten() {
                    self.queues[qi].push_front(r);
                }
                let Some(t) = taken else { break };
                free_messages -= t.total();
                taken_messages += t.total();
                // Invocations so far for this tick's batches, minus those already started.
                let invocations = taken_messages.div_ceil(batch) - invocations_started;
                invocations_started += invocations;
                self.start(f, invocations as u32, t);
                if model.queues[qi].max_concurrency.is_some() {
                    let n = invocations as u32;
                    self.queue_running[qi] += n;
                    let done = self.timing(f).duration_ticks;
                    self.schedule(done, Event::QueueSlotsFree { queue: qi, n });
                }
            }
            if taken_messages > 0 {
                self.account.lock().cloudwatch.queue_deleted(qi, taken_messages);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::engine::tests::engine_for;
    use super::*;

    #[test]
    fn reserved_and_pool_limits_bound_capacity() {
        let model = super::super::engine::tests::two_function_model(Some(300));
        let mut engine = engine_for(&model);
        engine.refill_scaling();
        assert_eq!(engine.free_capacity(0), 300);
        assert_eq!(engine.free_capacity(1), 700);
        engine.runtime[1].running = 650;
        engine.runtime[1].environments = 650;
        assert_eq!(engine.free_capacity(1), 50);
        engine.reserved[0] = Some(0);
        assert_eq!(engine.free_capacity(0), 0);
        assert_eq!(engine.free_capacity(1), 350);
    }

    #[test]
    fn scaling_adds_at_most_a_thousand_environments_per_period() {
        let model = super::super::engine::tests::two_function_model(None);
        let mut engine = engine_for(&model);
        engine.refill_scaling();
        engine.reserved = vec![None, Some(0)];
        let c = Cohort {
            first_root: 0,
            roots: 1,
            per_root: 5_000,
            depth: 1,
            hops: 1,
            receives: 0,
            born: 0,
            runaway: false,
            wait: 0,
        };
        engine.runtime[0].backlog.push_back(c);
        engine.serve_async(0);
        assert_eq!(engine.runtime[0].running, 1_000);
        assert_eq!(engine.runtime[0].backlog.iter().map(Cohort::total).sum::<u64>(), 4_000);
        assert_eq!(engine.free_capacity(0), 0);
    }

    fn model(json: &str) -> super::super::model::Model {
        let scenario = crate::simulate::parse_scenario(json, "t").expect("parses");
        super::super::model::Model::compile(&scenario, &crate::config::Prices::default()).expect("compiles")
    }

    fn throttles(run: &super::super::series::RunOutput) -> u64 {
        run.minutes.iter().flat_map(|m| &m.functions).map(|f| f.throttles).sum()
    }

    #[test]
    fn a_synchronous_caller_beyond_the_concurrency_gets_a_429_and_nothing_waits() {
        // 100 calls/s of 1 s each against a reservation of 20: about 20 run each second.
        let model = model(
            r#"{"name": "t", "horizon_secs": 60,
                "functions": [{"name": "api", "memory_mb": 128, "duration_ms": 1000, "reserved_concurrency": 20}],
                "traffic": [{"to": {"sync": "api"}, "rate_per_sec": 100}]}"#,
        );
        let run = engine_for(&model).run();
        let ran: u64 = run.series.invocations.iter().sum();
        assert!((1_000..=1_300).contains(&ran), "about 20 a second: {ran}");
        let refused = run.lost.organic_other.refused;
        assert!(refused > 4_000, "{:?}", run.lost);
        assert_eq!(throttles(&run), refused, "each refusal is a throttle");
        assert_eq!(run.lost.held_at_end.organic, 0, "Lambda queues nothing for a synchronous caller");
    }

    #[test]
    fn a_queue_s_maximum_concurrency_bounds_its_consumer() {
        let json = |max: &str| {
            format!(
                r#"{{"name": "t", "horizon_secs": 60,
                    "functions": [{{"name": "w", "memory_mb": 128, "duration_ms": 2000}}],
                    "queues": [{{"name": "jobs", "consumer": "w"{max}}}],
                    "traffic": [{{"to": {{"sqs": "jobs"}}, "rate_per_sec": 50}}]}}"#
            )
        };
        let bounded = model(&json(r#", "maximum_concurrency": 5"#));
        let peak = |run: &super::super::series::RunOutput| {
            run.minutes.iter().flat_map(|m| &m.functions).map(|f| f.concurrency_max).max().unwrap_or(0)
        };
        let run = engine_for(&bounded).run();
        assert_eq!(peak(&run), 5, "never more than the mapping's maximum");
        assert!(run.lost.held_at_end.organic > 2_000, "the rest waits in the queue: {:?}", run.lost);
        assert_eq!(
            bounded.functions[0].mapping_ceilings,
            [crate::ports::MappingCeiling::Sqs { maximum_concurrency: Some(5) }],
            "ListEventSourceMappings shows it to the judgement"
        );
        let free = engine_for(&model(&json(""))).run();
        assert!(peak(&free) > 50, "{}", peak(&free));
        assert!(
            crate::simulate::parse_scenario(&json(r#", "maximum_concurrency": 1"#), "t")
                .and_then(|s| super::super::model::Model::compile(&s, &crate::config::Prices::default()))
                .is_err()
        );
    }

    #[test]
    fn a_duration_that_changes_at_the_incident_bills_the_new_duration_from_then_on() {
        let model = model(
            r#"{"name": "t", "horizon_secs": 120, "incident_at_secs": 60,
                "functions": [{"name": "f", "memory_mb": 1024, "duration_ms": 100, "incident_duration_ms": 1000}],
                "traffic": [{"to": {"async": "f"}, "rate_per_sec": 10}]}"#,
        );
        let run = engine_for(&model).run();
        let (before, after) = (&run.minutes[0].functions[0], &run.minutes[1].functions[0]);
        assert!((before.duration_ms / before.invocations as f64 - 100.0).abs() < 1e-9, "{before:?}");
        assert!((after.duration_ms / after.invocations as f64 - 1_000.0).abs() < 1e-9, "{after:?}");
        let f = &model.functions[0];
        assert!(f.timing(true).cost_per_invocation > 5.0 * f.timing(false).cost_per_invocation);
    }
}
