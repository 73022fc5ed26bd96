//! The tick loop: virtual time in 100 ms ticks, a timing wheel of scheduled events, and the order of
//! work within a tick (control-plane changes, organic traffic, completions and deliveries, serving
//! functions, metrics, alarms, the guard).

use std::collections::VecDeque;
use std::sync::Arc;

use super::account::Runtime;
use super::alarms::AlarmBook;
use super::cohort::Cohort;
use super::guard_driver::GuardDriver;
use super::history::History;
use super::lost::{Held, LostWork};
use super::mappings::Mappings;
use super::model::{Dest, Kind, Model, TICK_MS, TICKS_PER_SEC};
use super::peers::{KILL_SWITCH_REACTION_TICKS, Mechanism};
use super::ports::{Account, EPOCH_SECS};
use super::replay::{ParkedEvents, Replay};
use super::result::Trip;
use super::rng::{Rng, Stream};
pub(crate) use super::series::{RunOutput, Series};
use super::streams::StreamState;
use super::waits::Waits;
use crate::config::Config;
use crate::time::Timestamp;

/// Something scheduled for a later tick.
#[derive(Debug, Clone)]
pub(crate) enum Event {
    /// Events reach a function's async queue or an SQS queue.
    Arrive { dest: Dest, kind: Kind, cohort: Cohort },
    /// Invocations finish their own work (and emit; those that call synchronously then wait).
    Complete { func: usize, invocations: u32, cohort: Cohort },
    /// SQS messages become visible again after a failed receive.
    Reappear { queue: usize, cohort: Cohort },
    /// Batches of a stream's shard finish, freeing their lanes.
    LanesFree { stream: usize, shard: usize, lanes: u32 },
    /// Invocations of a queue with a maximum concurrency finish, freeing its slots.
    QueueSlotsFree { queue: usize, n: u32 },
}

impl Event {
    /// Merged mode: adds `other` into `self` when both are the same kind of event for the same place.
    fn absorb(&mut self, other: &Event) -> bool {
        match (self, other) {
            (Event::Arrive { dest, kind, cohort }, Event::Arrive { dest: d, kind: k, cohort: c })
                if dest == d && kind == k && cohort.merges_with(c) =>
            {
                cohort.per_root += c.total();
                true
            }
            (
                Event::Complete { func, invocations, cohort },
                Event::Complete { func: f, invocations: n, cohort: c },
            ) if func == f && cohort.merges_with(c) => {
                *invocations += n;
                cohort.per_root += c.total();
                true
            }
            (
                Event::LanesFree { stream, shard, lanes },
                Event::LanesFree { stream: s, shard: h, lanes: n },
            ) if stream == s && shard == h => {
                *lanes += n;
                true
            }
            _ => false,
        }
    }
}

/// One run of one scenario under one mechanism.
pub(crate) struct Engine<'m> {
    pub(super) model: &'m Model,
    pub(super) mechanism: Mechanism,
    pub(super) rng: Rng,
    pub(super) account: Account,
    pub(super) tick: u32,
    pub(super) wheel: Vec<Vec<Event>>,
    pub(super) runtime: Vec<Runtime>,
    pub(super) reserved: Vec<Option<u32>>,
    pub(super) queues: Vec<VecDeque<Cohort>>,
    /// Invocations running from each queue (for a mapping's maximum concurrency).
    pub(super) queue_running: Vec<u32>,
    pub(super) streams: Vec<StreamState>,
    /// Synchronous callers waiting for their callees.
    pub(super) waits: Waits,
    /// Which event source mappings are disabled.
    pub(super) mappings: Mappings,
    /// A guard trip disables the function's mappings (what the guard does; off only in tests that
    /// show what a throttle alone would do).
    pub(super) pause_on_trip: bool,
    /// Per function: its reserved concurrency 0 is this run's mechanism's doing.
    pub(super) throttled_by_mechanism: Vec<bool>,
    /// A guard trip gives a function with neither DLQ nor destination the guard's parking queue as
    /// its on-failure destination (what the guard does; off only in tests that show a bare throttle).
    pub(super) park_on_trip: bool,
    /// Per function: its failed async events go to the guard's parking queue.
    pub(super) parked: Vec<bool>,
    /// Each function's parked events, for the replay.
    pub(super) parked_events: Vec<ParkedEvents>,
    /// The guard's chain depth limit (what `replay --skip-depth-over` is given).
    pub(super) depth_limit: u32,
    pub(super) traffic_acc: Vec<f64>,
    /// Like `traffic_acc`, at the organic rate (without the incident's rate changes).
    pub(super) organic_acc: Vec<f64>,
    pub(super) route_acc: Vec<f64>,
    pub(super) next_root: u32,
    /// Roots are merged (the peers' runs).
    pub(super) merged: bool,
    pub(super) series: Series,
    pub(super) lost: LostWork,
    pub(super) trips: Vec<Trip>,
    pub(super) alarms: AlarmBook,
    pub(super) guard: Option<GuardDriver>,
    pub(super) kill_at: Option<u32>,
}

impl<'m> Engine<'m> {
    /// A fresh account for `model` under `mechanism`.
    /// `history` is what CloudWatch published before the run (the guard's runs read it).
    pub(crate) fn new(
        model: &'m Model,
        mechanism: Mechanism,
        seed: u64,
        config: &Config,
        history: Arc<History>,
    ) -> Self {
        let account = Account::new(model, history);
        let guard = (mechanism == Mechanism::Guard).then(|| GuardDriver::new(config, &account, model));
        let n = model.functions.len();
        let seconds = model.horizon_secs as usize;
        let mut engine = Self {
            model,
            mechanism,
            rng: Rng::new(seed),
            account,
            tick: 0,
            wheel: vec![Vec::new(); model.max_delay_ticks as usize + 2],
            runtime: vec![Runtime::default(); n],
            reserved: model.functions.iter().map(|f| f.reserved).collect(),
            queues: vec![VecDeque::new(); model.queues.len()],
            queue_running: vec![0; model.queues.len()],
            streams: model.streams.iter().map(StreamState::new).collect(),
            waits: Waits::default(),
            mappings: Mappings::new(model),
            pause_on_trip: true,
            throttled_by_mechanism: vec![false; n],
            park_on_trip: true,
            parked: vec![false; n],
            parked_events: vec![ParkedEvents::default(); n],
            depth_limit: config.max_depth,
            traffic_acc: vec![0.0; model.traffic.len()],
            organic_acc: vec![0.0; model.traffic.len()],
            route_acc: vec![0.0; model.routes.len()],
            next_root: 0,
            // The guard needs per-root counts; the baseline tracks roots too so that a guard run that
            // trips nothing matches it exactly.
            merged: !matches!(mechanism, Mechanism::Guard | Mechanism::Baseline),
            series: Series::new(n, seconds),
            lost: LostWork::default(),
            trips: Vec::new(),
            alarms: AlarmBook::new(model),
            guard,
            kill_at: None,
        };
        engine.warm_alarms();
        engine
    }

    /// Runs to the horizon.
    pub(crate) fn run(mut self) -> RunOutput {
        let end = self.model.horizon_secs * TICKS_PER_SEC;
        while self.tick < end {
            self.step();
            self.tick += 1;
        }
        self.lost.held_at_end = self.held();
        let (alerts, first_trip_alert, minutes) = {
            let account = self.account.lock();
            let first = self.trips.first().and_then(|trip| super::result::alert_of(trip, &account.alerts));
            (account.alerts.len(), first.cloned(), account.cloudwatch.closed().to_vec())
        };
        let replay = (self.mechanism == Mechanism::Guard).then(|| self.replay());
        let (signals_fed, signals_dropped, guard_errors) =
            self.guard.as_ref().map_or((0, 0, 0), |g| (g.signals_fed, g.signals_dropped, g.errors));
        RunOutput {
            minutes,
            contributor_signals: self.guard.as_ref().map_or(0, |g| g.contributor_signals),
            series: self.series,
            trips: self.trips,
            lost: self.lost,
            replay,
            mappings_paused: self.mappings.paused_total,
            alerts,
            first_trip_alert,
            signals_fed,
            signals_dropped,
            guard_errors,
        }
    }

    /// The replay of what this run parked, at each function's default rate from its history.
    fn replay(&self) -> Replay {
        let account = self.account.lock();
        let window = crate::replay::rate::history_window(account.now);
        Replay::of(self.parked_events.iter().enumerate().map(|(f, &parked)| {
            let rate = crate::replay::rate::from_history(&account.function_metrics(f, window).history);
            (parked, rate, self.model.functions[f].usual.cost_per_invocation)
        }))
    }

    pub(super) fn step(&mut self) {
        self.account.lock().now = self.now();
        self.apply_changes();
        self.refill_scaling();
        self.organic();
        let slot = self.tick as usize % self.wheel.len();
        let mut events = std::mem::take(&mut self.wheel[slot]);
        for event in events.drain(..) {
            match event {
                Event::Complete { func, invocations, cohort } => self.complete(func, invocations, cohort),
                Event::Reappear { queue, cohort } => self.queues[queue].push_back(cohort),
                Event::Arrive { dest, kind, cohort } => self.arrive(dest, kind, cohort),
                Event::LanesFree { stream, shard, lanes } => {
                    let busy = &mut self.streams[stream].shards[shard].busy;
                    *busy = busy.saturating_sub(lanes);
                }
                Event::QueueSlotsFree { queue, n } => {
                    self.queue_running[queue] = self.queue_running[queue].saturating_sub(n);
                }
            }
        }
        self.expire_streams();
        // Nothing is ever scheduled into the current slot, so its allocation can be reused.
        self.wheel[slot] = events;
        let n = self.runtime.len();
        for i in 0..n {
            // Rotate who goes first so no function always wins the shared pool.
            let f = (i + self.tick as usize) % n;
            if self.reserved[f] == Some(0) {
                self.reject_all(f);
            } else {
                self.expire_backlog(f);
                self.serve_async(f);
                self.serve_queues(f);
                self.serve_streams(f);
            }
            if self.tick.is_multiple_of(TICKS_PER_SEC) {
                self.expire_queues(f);
            }
        }
        self.observe();
    }

    /// Metrics, alarms, the guard and the kill switch, after the tick's work.
    fn observe(&mut self) {
        let running: Vec<u32> = self.runtime.iter().map(|r| r.running).collect();
        self.account.lock().cloudwatch.concurrency(&running);
        let ticks_per_minute = 60 * TICKS_PER_SEC;
        if self.tick % ticks_per_minute == ticks_per_minute - 1 {
            self.account.lock().cloudwatch.close_minute();
        }
        let evaluation = self.evaluate_alarms();
        if self.mechanism == Mechanism::BillingKillSwitch
            && self.kill_at.is_none()
            && evaluation.signals.iter().any(super::alarms::is_billing_alarm)
        {
            self.kill_at = Some(self.tick + KILL_SWITCH_REACTION_TICKS);
        }
        if self.kill_at == Some(self.tick) {
            self.kill_switch();
        }
        self.record_contributors(&evaluation.contributors);
        if let Some(mut guard) = self.guard.take() {
            let trips = guard.on_tick(self.tick, self.now(), evaluation, self.model);
            self.trips.extend(trips);
            self.guard = Some(guard);
        }
    }

    /// Applies concurrency changes the guard made through the Throttler port.
    fn apply_changes(&mut self) {
        let changes = std::mem::take(&mut self.account.lock().changes);
        for (f, value) in changes {
            self.reserved[f] = value;
            self.on_guard_change(f, value == Some(0));
        }
    }

    /// Events waiting at the end: in queues, streams, async queues and on their way. Synchronous
    /// callers still waiting for their callees are not events anyone holds: not counted.
    fn held(&self) -> Held {
        let mut held = Held::default();
        let mut add = |c: &Cohort| {
            if c.runaway { held.runaway += c.total() } else { held.organic += c.total() }
        };
        self.queues.iter().flatten().for_each(&mut add);
        self.runtime.iter().flat_map(|r| r.backlog.iter()).for_each(&mut add);
        for event in self.wheel.iter().flatten() {
            match event {
                Event::Arrive { cohort, .. } | Event::Reappear { cohort, .. } => add(cohort),
                Event::Complete { .. } | Event::LanesFree { .. } | Event::QueueSlotsFree { .. } => {}
            }
        }
        for s in &self.streams {
            let (organic, runaway) = s.held();
            held.organic += organic;
            held.runaway += runaway;
        }
        held
    }

    /// Organic arrivals of this tick. Where an incident rate change is live, the part above the
    /// organic rate is the runaway's (same draws, so the totals are unchanged).
    fn organic(&mut self) {
        let secs = f64::from(self.tick) / f64::from(TICKS_PER_SEC);
        let with_incident = self.incident_active();
        let model = self.model;
        for (i, t) in model.traffic.iter().enumerate() {
            let jitter = 0.8 + 0.4 * self.rng.unit(Stream::Traffic, i as u64, u64::from(self.tick));
            let per_tick = TICK_MS as f64 / 1000.0 * jitter;
            let rate = t.rate_at(secs, with_incident);
            let exact = rate * per_tick + self.traffic_acc[i];
            let mut n = exact.floor() as u64;
            self.traffic_acc[i] = exact - n as f64;
            let organic_rate = if with_incident { t.rate_at(secs, false) } else { rate };
            let exact_organic = organic_rate * per_tick + self.organic_acc[i];
            let mut organic = exact_organic.floor() as u64;
            self.organic_acc[i] = exact_organic - organic as f64;
            if let Some(b) = &t.burst {
                let at_boundary = self.tick.is_multiple_of(TICKS_PER_SEC);
                let s = u64::from(self.tick / TICKS_PER_SEC);
                if at_boundary && s >= b.offset_secs && (s - b.offset_secs).is_multiple_of(b.every_secs) {
                    n += b.count;
                    organic += b.count;
                }
            }
            let organic = organic.min(n);
            if organic > 0 {
                let cohort = self.new_roots(organic);
                self.arrive(t.dest, t.kind, cohort);
            }
            if n > organic {
                let cohort = Cohort { runaway: true, ..self.new_roots(n - organic) };
                self.arrive(t.dest, t.kind, cohort);
            }
        }
    }

    /// Schedules `event` `delay` ticks from now (at least the next tick, at most the wheel's reach).
    pub(super) fn schedule(&mut self, delay: u32, event: Event) {
        let len = self.wheel.len();
        let delay = (delay as usize).clamp(1, len - 1);
        let slot = &mut self.wheel[(self.tick as usize + delay) % len];
        if self.merged && slot.iter_mut().rev().take(8).any(|e| e.absorb(&event)) {
            return;
        }
        slot.push(event);
    }

    /// Whether the scenario's incident (its bug) is live now in this run.
    pub(super) fn incident_active(&self) -> bool {
        self.mechanism != Mechanism::Baseline && self.tick >= self.model.incident_tick
    }

    /// Virtual wall-clock time.
    pub(super) fn now(&self) -> Timestamp {
        Timestamp::from_millis(EPOCH_SECS * 1000 + u64::from(self.tick) * TICK_MS)
    }

    /// Seconds since the start of the run.
    pub(super) fn seconds(&self) -> f64 {
        f64::from(self.tick) / f64::from(TICKS_PER_SEC)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::simulate::scenario::Scenario;

    /// `loop` (async self-loop, incident) and `other`, with `loop`'s reserved concurrency.
    pub(crate) fn two_function_model(reserved: Option<u32>) -> Model {
        let json = serde_json::json!({
            "name": "t", "horizon_secs": 120, "incident_at_secs": 10,
            "functions": [
                {"name": "loop", "memory_mb": 1024, "duration_ms": 200, "reserved_concurrency": reserved},
                {"name": "other", "memory_mb": 128, "duration_ms": 100}
            ],
            "routes": [{"from": "loop", "to": {"async": "loop"}, "incident": true}],
            "traffic": [{"to": {"async": "loop"}, "rate_per_sec": 1.0}, {"to": {"async": "other"}, "rate_per_sec": 5.0}]
        });
        let scenario: Scenario = serde_json::from_value(json).expect("valid scenario");
        Model::compile(&scenario, &crate::config::Prices::default()).expect("compiles")
    }

    pub(crate) fn engine_for(model: &Model) -> Engine<'_> {
        Engine::new(model, Mechanism::NoGuard, 1, &Config::default(), Arc::default())
    }

    #[test]
    fn baseline_has_no_incident_and_loops_grow_after_it() {
        let model = two_function_model(None);
        let base = Engine::new(&model, Mechanism::Baseline, 1, &Config::default(), Arc::default()).run();
        let run = engine_for(&model).run();
        let total = |s: &Series, from: usize| s.invocations[from..].iter().sum::<u64>();
        // 6 events/s organic for 120 s (jitter averages out).
        assert!((650..=790).contains(&total(&base.series, 0)), "{}", total(&base.series, 0));
        // Identical before the incident: same seed, same organic draws.
        assert_eq!(base.series.invocations[..10], run.series.invocations[..10]);
        assert!(total(&run.series, 60) > 5 * total(&base.series, 60));
        assert_eq!(run.trips, Vec::new());
    }
}
