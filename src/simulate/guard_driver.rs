//! Feeds the real `Guard` (handler → detector → policy → ports) from inside the simulated account.
//!
//! Chain events travel like they do in AWS: guarded function → EventBridge → SQS (0.5–1 s) → the
//! guard's event source mapping with a 1 s batching window. Those headers name no sender. A guarded
//! function also reports each hop past its depth limit (`ChainHeader::should_report`) straight to
//! the chain queue with its own execution role (0.1–0.3 s), as the chain library does: those carry
//! the function's `SenderId`. Classic alarms invoke the guard directly;
//! contributor events of per-function alarms reach it through an EventBridge rule (0.5–1 s), which
//! forwards only contributors going into ALARM. The
//! guard runs on its own reserved concurrency, so a saturated account never starves it. Its async
//! methods are driven with `block_on`: the simulated ports complete immediately.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::executor::block_on;

use crate::chain::{ChainHeader, ChainRoot};
use crate::config::Config;
use crate::handler::Guard;
use crate::name::FunctionName;
use crate::report::{Outcome, Report};
use crate::signal::{
    AlarmState, ChainObservation, ContributorMetric, ContributorSignal, Signal, SweepSignal,
};
use crate::time::Timestamp;

use super::alarms::Evaluation;
use super::cohort::Cohort;
use super::contributors::{self, ContributorChange};
use super::engine::Engine;
use super::metrics::contributor_id;
use super::model::{Func, Model, TICKS_PER_SEC};
use super::ports::{Account, SimMetrics, SimNotifier, SimThrottler, role_id};
use super::result::Trip;
use super::rng::Stream;
use super::scenario::LambdaMetric;

/// The guard's SQS batching window, in ticks.
const BATCH_WINDOW_TICKS: u32 = TICKS_PER_SEC;
/// CloudWatch → EventBridge → the guard, for contributor events, in ticks.
const EVENTBRIDGE_TICKS: u32 = 7;
/// EventBridge → SQS delivery, in ticks (0.5–1 s).
const DELIVERY_TICKS: (u32, u32) = (5, 10);
/// SendMessage straight to the chain queue, in ticks (0.1–0.3 s).
const DIRECT_TICKS: (u32, u32) = (1, 3);
/// Most chain signals handled per batch (several guard invocations' worth; the rest are counted, not
/// fed). Room for a ×2 fan-out's 17th level twice over: on the bus, and reported straight to the queue.
pub(crate) const SIGNALS_PER_BATCH: usize = 100_000;
/// The guard's own function name in the simulated account.
pub(crate) const GUARD_FUNCTION: &str = "runaway-guard";

/// Chain events emitted together by one function.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Emission {
    func: usize,
    cohort: Cohort,
    /// Depth written in the header (the emitter's invocation depth).
    header_depth: u16,
    emitted_tick: u32,
    /// Sent straight to the chain queue by the function's own role (else through the bus).
    signed: bool,
}

/// The guard and the chain events on their way to it.
pub(crate) struct GuardDriver {
    guard: Guard<SimThrottler, SimMetrics, SimNotifier>,
    in_transit: BTreeMap<u32, Vec<Emission>>,
    arrived: Vec<Emission>,
    /// Contributor events on their way through EventBridge, by arrival tick.
    contributor_events: BTreeMap<u32, Vec<ContributorChange>>,
    pub(crate) signals_fed: u64,
    /// Contributor events delivered to the guard.
    pub(crate) contributor_signals: u64,
    pub(crate) signals_dropped: u64,
    pub(crate) errors: u64,
}

impl GuardDriver {
    /// A guard with `config` on the simulated account's ports, configured as the module configures
    /// it for `model`'s alarms (the sweep re-judges the per-function alarms' contributors).
    pub(crate) fn new(config: &Config, account: &Account, model: &Model) -> Self {
        let mut config = config.clone();
        if config.self_function.is_none() {
            config.self_function = FunctionName::new(GUARD_FUNCTION).ok();
        }
        if config.baseline.contributor_alarms.is_empty() {
            let per_function = model.alarms.iter().filter(|a| a.per_function);
            config.baseline.contributor_alarms = per_function.map(|a| a.name.clone()).collect();
        }
        config.sweep_offender_search = model.sweep_searches_offenders;
        let guard = Guard::new(
            config,
            SimThrottler(account.clone()),
            SimMetrics(account.clone()),
            SimNotifier(account.clone()),
        );
        Self {
            guard,
            in_transit: BTreeMap::new(),
            arrived: Vec::new(),
            contributor_events: BTreeMap::new(),
            signals_fed: 0,
            contributor_signals: 0,
            signals_dropped: 0,
            errors: 0,
        }
    }

    /// Invokes the guard for alarms now and for chain events at each batching-window boundary.
    pub(crate) fn on_tick(
        &mut self,
        tick: u32,
        now: Timestamp,
        alarms: Evaluation,
        model: &Model,
    ) -> Vec<Trip> {
        let functions = &model.functions;
        let mut trips = Vec::new();
        if !alarms.signals.is_empty() {
            trips.extend(self.handle(&alarms.signals, now, tick));
        }
        // The module's rule forwards only contributors going into ALARM.
        let into_alarm = alarms.contributors.into_iter().filter(|c| c.state == AlarmState::Alarm);
        for change in into_alarm {
            self.contributor_events.entry(tick + EVENTBRIDGE_TICKS).or_default().push(change);
        }
        if model.sweep_every_ticks.is_some_and(|every| tick > 0 && tick.is_multiple_of(every)) {
            let sweep =
                Signal::Sweep(SweepSignal { at: Some(now), account: Some("111122223333".to_owned()) });
            trips.extend(self.handle(&[sweep], now, tick));
        }
        if let Some(events) = self.contributor_events.remove(&tick) {
            let signals = self.contributor_signals(&events, model);
            trips.extend(self.handle(&signals, now, tick));
        }
        let later = self.in_transit.split_off(&(tick + 1));
        for (_, batch) in std::mem::replace(&mut self.in_transit, later) {
            self.arrived.extend(batch);
        }
        if tick.is_multiple_of(BATCH_WINDOW_TICKS) && !self.arrived.is_empty() {
            let signals = self.chain_signals(functions);
            trips.extend(self.handle(&signals, now, tick));
        }
        trips
    }

    /// Contributor events as the guard parses them from EventBridge.
    fn contributor_signals(&mut self, events: &[ContributorChange], model: &Model) -> Vec<Signal> {
        self.contributor_signals += events.len() as u64;
        events
            .iter()
            .map(|c| {
                let alarm = &model.alarms[c.alarm];
                let metric = match alarm.metric {
                    LambdaMetric::RecursiveInvocationsDropped => ContributorMetric::RecursionDropped,
                    other => ContributorMetric::Other(other.as_str().to_owned()),
                };
                Signal::Contributor(Box::new(ContributorSignal {
                    alarm_name: alarm.name.clone(),
                    alarm_arn: Some(format!(
                        "arn:aws:cloudwatch:us-east-1:111122223333:alarm:{}",
                        alarm.name
                    )),
                    contributor_id: contributor_id(&alarm.name, c.function),
                    function: Some(model.functions[c.function].name.clone()),
                    state: c.state,
                    metric,
                    expression: Some(contributors::expression(alarm)),
                    reason: Some(contributors::reason(alarm, c.value)),
                    at: Some(c.at),
                    account: Some("111122223333".to_owned()),
                    region: Some("us-east-1".to_owned()),
                    mute: None,
                }))
            })
            .collect()
    }

    fn chain_signals(&mut self, functions: &[Func]) -> Vec<Signal> {
        let mut signals = Vec::new();
        for e in std::mem::take(&mut self.arrived) {
            let room = (SIGNALS_PER_BATCH - signals.len()) as u64;
            let wanted = e.cohort.total();
            self.signals_dropped += wanted.saturating_sub(room);
            if room == 0 {
                continue;
            }
            let function = &functions[e.func].name;
            let sender = e.signed.then(|| Arc::from(format!("{}:{function}", role_id(function))));
            let emitted_at = Timestamp::from_millis(
                super::ports::EPOCH_SECS * 1000 + u64::from(e.emitted_tick) * super::model::TICK_MS,
            );
            let mut left = wanted.min(room);
            for root in e.cohort.first_root..e.cohort.first_root + e.cohort.roots {
                let Ok(root) = ChainRoot::new(&format!("sim-{root}")) else { continue };
                let header =
                    ChainHeader { root, depth: u32::from(e.header_depth), function: function.clone() };
                let signal = Signal::Chain(ChainObservation {
                    header,
                    emitted_at: Some(emitted_at),
                    account: Some("111122223333".into()),
                    region: Some("us-east-1".into()),
                    sender: sender.clone(),
                    source: None,
                    detail_type: None,
                });
                let n = e.cohort.per_root.min(left);
                signals.extend(std::iter::repeat_n(signal, n as usize));
                left -= n;
                if left == 0 {
                    break;
                }
            }
        }
        self.signals_fed += signals.len() as u64;
        signals
    }

    fn handle(&mut self, signals: &[Signal], now: Timestamp, tick: u32) -> Vec<Trip> {
        let report = block_on(self.guard.handle_signals(signals, now));
        self.errors += report.decisions.iter().filter(|d| d.outcome == Outcome::Failed).count() as u64;
        trips_of(&report, tick)
    }
}

/// Decisions that acted on (or, capped or dry-run, would have acted on) a function.
fn trips_of(report: &Report, tick: u32) -> Vec<Trip> {
    report
        .decisions
        .iter()
        .filter(|d| !matches!(d.outcome, Outcome::AlreadyTripped | Outcome::Exempt))
        .map(|d| Trip {
            function: d.function.to_string(),
            rule: d.rule.clone(),
            reason: d.reason.clone(),
            outcome: d.outcome.as_str().to_owned(),
            at_s: f64::from(tick) / f64::from(TICKS_PER_SEC),
        })
        .collect()
}

impl Engine<'_> {
    /// A guarded function emitted `out` carrying headers of depth `header_depth`: tell the guard.
    pub(super) fn report_chain(&mut self, f: usize, out: Cohort, header_depth: u16) {
        let tick = self.tick;
        let Some(guard) = self.guard.as_mut() else { return };
        let (lo, hi) = DELIVERY_TICKS;
        let arrival = tick + self.rng.between(Stream::GuardDelivery, f as u64, u64::from(tick), lo, hi);
        let emission = Emission { func: f, cohort: out, header_depth, emitted_tick: tick, signed: false };
        guard.in_transit.entry(arrival).or_default().push(emission);
        let function = &self.model.functions[f].name;
        let header = ChainRoot::new("sim")
            .and_then(|root| ChainHeader::new(root, u32::from(header_depth), function.clone()));
        if header.is_ok_and(|h| h.should_report(guard.guard.detector().depth_limit(function))) {
            let (lo, hi) = DIRECT_TICKS;
            let arrival =
                tick + self.rng.between(Stream::GuardDelivery, !(f as u64), u64::from(tick), lo, hi);
            guard.in_transit.entry(arrival).or_default().push(Emission { signed: true, ..emission });
        }
    }
}
