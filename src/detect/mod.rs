//! Pure, synchronous detection: `Signal` + `now` → `Verdict`s. Never reads the clock, never awaits,
//! never imports the SDK. Chain state lives in a DashMap with a hard cap and TTL eviction, rate
//! windows in a capped lock-free index; every method takes `&self` and no guard ever leaves this
//! module, so one `Detector` is shared across tasks.
//!
//! Layout: `chains` (per-root table), `shape` (per-root level counts for the chain-size rule),
//! `functions` (function ids + rate windows), `window` (buckets and rate rules), [`baseline`] (the
//! judgement of metric-driven candidates against their own normal), [`cost`] (the offender-search
//! cost model). Rules and defaults: docs/detection.md, docs/chain-rules.md, docs/detection-metrics.md.

pub mod baseline;
mod batch;
mod bounded;
mod chains;
pub mod cost;
mod functions;
mod shape;
mod window;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, TryLockError};

use dashmap::{DashMap, DashSet};

use self::batch::Scratch;
use self::chains::{ChainLimits, ChainOutcome, ChainTable, Crossed};
use self::functions::FunctionTable;
use self::window::RateRules;
use crate::chain::{ChainHeader, ChainRoot};
use crate::config::Config;
use crate::name::FunctionName;
use crate::signal::{AlarmSignal, AlarmState, ContributorMetric, ContributorSignal, Signal};
use crate::time::Timestamp;
use crate::verdict::{Candidate, Reason, Verdict};

/// Detection thresholds (built from `Config` with `DetectorConfig::from(&config)`).
#[derive(Debug, Clone, PartialEq)]
pub struct DetectorConfig {
    /// Default depth limit (a per-function tag overrides it).
    pub max_depth: u32,
    /// Chain size per root within the TTL before the root's top emitters are throttled: its
    /// invocations less those of its wide level past `chain_level_allowance` and of one plateau
    /// after it (docs/chain-rules.md).
    pub chain_budget: u64,
    /// Invocations a depth level holds (charged) before it can turn wide.
    pub chain_level_allowance: u64,
    /// A level turns wide only once it holds at least this many times the invocations above it.
    pub chain_fan_out: u64,
    /// Invocations per root within the TTL that trip whatever the chain's shape.
    pub chain_ceiling: u64,
    /// Seconds a root is remembered after its last event.
    pub chain_ttl_secs: u64,
    /// Hard cap on live roots.
    pub max_chains: usize,
    /// Hard cap on tracked functions (rate windows and depth overrides).
    pub max_functions: usize,
    /// Rate-window bucket width in seconds.
    pub bucket_secs: u64,
    /// Absolute rate rule: chain events per second per function.
    pub rate_limit_per_sec: f64,
    /// Growth rule: consecutive buckets each at least twice the previous.
    pub growth_buckets: u32,
    /// Growth rule: events in the last bucket below which growth is ignored.
    pub growth_floor: u64,
    /// A scheduled tick runs the offender search as well as re-judging the contributors in ALARM.
    pub sweep_offender_search: bool,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        Self::from(&Config::default())
    }
}

impl From<&Config> for DetectorConfig {
    fn from(config: &Config) -> Self {
        Self {
            max_depth: config.max_depth,
            chain_budget: config.chain_budget,
            chain_level_allowance: config.chain_level_allowance,
            chain_fan_out: config.chain_fan_out,
            chain_ceiling: config.chain_ceiling,
            chain_ttl_secs: config.chain_ttl_secs,
            max_chains: config.max_chains,
            max_functions: config.max_functions,
            bucket_secs: config.bucket_secs,
            rate_limit_per_sec: config.rate_limit_per_sec,
            growth_buckets: config.growth_buckets,
            growth_floor: config.growth_floor,
            sweep_offender_search: config.sweep_offender_search,
        }
    }
}

/// A copy of one root's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainStats {
    /// Invocations seen in the root's current lifetime.
    pub invocations: u64,
    /// Deepest depth seen.
    pub max_depth: u32,
    /// Invocations of the root's wide level, or of the wider of its two deepest levels while no
    /// level is wide (docs/chain-rules.md).
    pub widest_level: u64,
    /// First observation (second precision).
    pub first_seen: Timestamp,
    /// Latest observation (second precision).
    pub last_seen: Timestamp,
}

/// Table sizes and refusals, for logs and the memory measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DetectorStats {
    /// Live chain roots.
    pub chains: usize,
    /// Observations of new roots refused because the chain table was full of live roots.
    pub chains_rejected: u64,
    /// Tracked functions.
    pub functions: usize,
    /// Observations of new functions refused because the function table was full.
    pub functions_rejected: u64,
}

/// The detector: chain table + rate windows + per-function depth limits.
#[derive(Debug)]
pub struct Detector {
    config: DetectorConfig,
    chains: ChainTable,
    functions: FunctionTable,
    depth_limits: DashMap<FunctionName, u32, foldhash::fast::RandomState>,
    has_depth_limits: AtomicBool,
    /// Roots whose budget crossing was held back as trees bounded by their max-depth tags: the
    /// ceiling still trips them (at most `max_chains`, forgotten with their roots).
    held_back: DashSet<u64, foldhash::fast::RandomState>,
    next_sweep: AtomicU64,
    scratch: Mutex<Scratch>,
}

impl Detector {
    /// A detector with empty state.
    pub fn new(config: DetectorConfig) -> Self {
        let ttl_secs = u32::try_from(config.chain_ttl_secs).unwrap_or(u32::MAX);
        let limits = ChainLimits {
            max_chains: config.max_chains,
            ttl_secs,
            budget: config.chain_budget,
            level_allowance: config.chain_level_allowance,
            fan_out: config.chain_fan_out,
            ceiling: config.chain_ceiling,
        };
        let rules = RateRules {
            bucket_secs: u32::try_from(config.bucket_secs).unwrap_or(u32::MAX).max(1),
            limit_per_sec: config.rate_limit_per_sec,
            growth_buckets: config.growth_buckets,
            growth_floor: config.growth_floor,
        };
        Self {
            chains: ChainTable::new(limits),
            functions: FunctionTable::new(config.max_functions, rules),
            depth_limits: DashMap::default(),
            has_depth_limits: AtomicBool::new(false),
            held_back: DashSet::default(),
            next_sweep: AtomicU64::new(0),
            scratch: Mutex::default(),
            config,
        }
    }

    /// Feeds one signal observed at `now`; returns what should be done.
    pub fn observe(&self, signal: &Signal, now: Timestamp) -> Vec<Verdict> {
        match signal {
            Signal::Chain(observation) => self.observe_chain(&observation.header, now),
            Signal::Alarm(alarm) => alarm_verdicts(alarm),
            Signal::Sweep(_) => sweep_verdicts(self.config.sweep_offender_search),
            Signal::Contributor(contributor) => contributor_verdicts(contributor),
        }
    }

    /// Records a per-function depth limit learned from the `runaway-guard:max-depth` tag (`None` clears
    /// it). Beyond `max_functions` overrides, new ones are ignored and the default limit applies.
    pub fn set_depth_limit(&self, function: &FunctionName, limit: Option<u32>) {
        match limit {
            Some(limit) if self.depth_limits.len() < self.config.max_functions => {
                self.depth_limits.insert(function.clone(), limit);
                self.has_depth_limits.store(true, Ordering::Release);
            }
            Some(_) => {}
            None => {
                self.depth_limits.remove(function);
            }
        }
    }

    /// The depth limit for functions without a `runaway-guard:max-depth` tag.
    pub fn default_depth_limit(&self) -> u32 {
        self.config.max_depth
    }

    /// The depth limit in force for `function`.
    pub fn depth_limit(&self, function: &FunctionName) -> u32 {
        // Most accounts set no override: skip the lookup entirely on the hot path.
        if !self.has_depth_limits.load(Ordering::Acquire) {
            return self.config.max_depth;
        }
        self.depth_limits.get(function).map_or(self.config.max_depth, |limit| *limit.value())
    }

    /// A copy of what is known about a chain root.
    pub fn chain_stats(&self, root: &ChainRoot) -> Option<ChainStats> {
        self.chains.get(root.as_str()).map(|state| ChainStats {
            invocations: state.invocations(),
            max_depth: state.max_depth(),
            widest_level: state.widest_level(),
            first_seen: Timestamp::from_secs(u64::from(state.first_seen)),
            last_seen: Timestamp::from_secs(u64::from(state.last_seen)),
        })
    }

    /// Table sizes and refusals.
    pub fn stats(&self) -> DetectorStats {
        DetectorStats {
            chains: self.chains.len(),
            chains_rejected: self.chains.rejected(),
            functions: self.functions.len(),
            functions_rejected: self.functions.rejected(),
        }
    }

    /// Feeds every signal of one inbound event, all observed at `now`; returns what should be done.
    ///
    /// Same rules as calling [`Self::observe`] per signal, but chain events are applied as a batch: each
    /// chain-table shard is locked once and each function's rate window is updated once, not once per
    /// event (an SQS batch holds up to 10,000 events). Throttle verdicts come once per function and rule.
    pub fn observe_batch(&self, signals: &[Signal], now: Timestamp) -> Vec<Verdict> {
        let mut verdicts = Vec::new();
        // A concurrent batch holding the scratch gets its own (allocated) buffers instead of waiting.
        let mut guard = match self.scratch.try_lock() {
            Ok(guard) => Some(guard),
            Err(TryLockError::Poisoned(poisoned)) => {
                let mut guard = poisoned.into_inner();
                *guard = Scratch::default();
                Some(guard)
            }
            Err(TryLockError::WouldBlock) => None,
        };
        let mut own = Scratch::default();
        let scratch = guard.as_deref_mut().unwrap_or(&mut own);
        self.chains.clear_runs(&mut scratch.hops);
        scratch.tally.prepare(signals.len());
        scratch.names.clear();
        let mut over_depth = Vec::new();
        // Read once per batch: an override set while the batch runs applies from the next batch on.
        let overrides = self.has_depth_limits.load(Ordering::Acquire);
        for (index, signal) in signals.iter().enumerate() {
            let Signal::Chain(observation) = signal else {
                verdicts.extend(self.observe(signal, now));
                continue;
            };
            let header = &observation.header;
            let name = header.function.as_str();
            let id = scratch.names.get(name).or_else(|| {
                // Only found ids are memoised: each refused event still counts as rejected.
                let id = self.functions.intern(&header.function)?;
                scratch.names.insert(name, id);
                Some(id)
            });
            if let Some(id) = id {
                scratch.tally.add(id);
            }
            if let Some(verdict) = self.depth_verdict_with(header, overrides)
                && !over_depth.contains(&header.function)
            {
                over_depth.push(header.function.clone());
                verdicts.push(verdict);
            }
            let emitter = id.unwrap_or(UNTRACKED);
            self.chains.push(&mut scratch.hops, header.root.as_str(), header.depth, emitter, index);
        }
        if scratch.hops.is_empty() {
            return verdicts;
        }
        let secs = now.as_secs();
        self.maybe_sweep(secs);
        for (id, events) in scratch.tally.drain() {
            if let Some(reason) = self.functions.record(id, secs, events)
                && let Some(function) = self.functions.name(id)
            {
                verdicts.push(Verdict::Throttle { function, reason });
            }
        }
        let now_secs = u32::try_from(secs).unwrap_or(u32::MAX);
        for (index, trip) in self.chains.observe_batch(&scratch.hops, now_secs) {
            if let Signal::Chain(observation) = &signals[index] {
                self.crossed_verdicts(&observation.header, &trip, &mut verdicts);
            }
        }
        verdicts
    }

    fn observe_chain(&self, header: &ChainHeader, now: Timestamp) -> Vec<Verdict> {
        let secs = now.as_secs();
        self.maybe_sweep(secs);
        let mut verdicts: Vec<Verdict> = self.depth_verdict(header).into_iter().collect();
        let id = self.functions.intern(&header.function);
        if let Some(reason) = id.and_then(|id| self.functions.record(id, secs, 1)) {
            verdicts.push(Verdict::Throttle { function: header.function.clone(), reason });
        }
        let now_secs = u32::try_from(secs).unwrap_or(u32::MAX);
        let id = id.unwrap_or(UNTRACKED);
        if let ChainOutcome::OverBudget(trip) =
            self.chains.observe(header.root.as_str(), header.depth, id, now_secs)
        {
            self.crossed_verdicts(header, &trip, &mut verdicts);
        }
        verdicts
    }

    /// Throttle the emitter when the chain is deeper than its limit.
    fn depth_verdict(&self, header: &ChainHeader) -> Option<Verdict> {
        self.depth_verdict_with(header, self.has_depth_limits.load(Ordering::Acquire))
    }

    /// [`Self::depth_verdict`] given whether any per-function override exists (a batch reads it once).
    #[inline]
    fn depth_verdict_with(&self, header: &ChainHeader, overrides: bool) -> Option<Verdict> {
        if !overrides && header.depth <= self.config.max_depth {
            return None;
        }
        let limit = if overrides { self.depth_limit(&header.function) } else { self.config.max_depth };
        (header.depth > limit).then(|| Verdict::Throttle {
            function: header.function.clone(),
            reason: Reason::Depth { root: header.root.clone(), depth: header.depth, limit, event: None },
        })
    }

    /// Verdicts for a root that crossed a limit. A budget crossing by a tree that its emitters'
    /// max-depth tags bound, and that stays within the ceiling at the fan-out it shows, is held back
    /// (`bounded.rs`); the ceiling then trips it if it grows past its shape after all. A ceiling
    /// crossing after a budget crossing that was acted on adds nothing.
    fn crossed_verdicts(&self, header: &ChainHeader, trip: &chains::ChainTrip, out: &mut Vec<Verdict>) {
        match trip.crossed {
            Crossed::Budget if self.bounded_tree(&trip.state) && self.hold_back(trip.key) => return,
            Crossed::Budget => {
                self.held_back.remove(&trip.key);
            }
            Crossed::Ceiling { after_budget: true } if self.held_back.remove(&trip.key).is_none() => return,
            Crossed::Ceiling { .. } => {}
        }
        self.chain_size_verdicts(header, trip, out);
    }

    /// Whether every top emitter of the root carries a max-depth tag and the tree, carried down to
    /// the largest of them at the fan-out it shows, stays within the ceiling.
    fn bounded_tree(&self, state: &chains::ChainState) -> bool {
        if !self.has_depth_limits.load(Ordering::Acquire) {
            return false;
        }
        let mut bound = None;
        for (id, _) in state.top_emitters() {
            let Some(function) = self.functions.name(id) else { return false };
            let Some(limit) = self.depth_limits.get(&function).map(|limit| *limit.value()) else {
                return false;
            };
            bound = bound.max(Some(limit));
        }
        bound.is_some_and(|bound| bounded::stays_within(state.shape(), bound, self.config.chain_ceiling))
    }

    /// Remembers a held-back root; false when the set is full (the budget then applies).
    fn hold_back(&self, key: u64) -> bool {
        if self.held_back.len() >= self.config.max_chains {
            return false;
        }
        self.held_back.insert(key);
        true
    }

    /// Throttle the top emitters of a root that crossed the budget or the ceiling (`budget` in the
    /// reason is the limit crossed).
    fn chain_size_verdicts(&self, header: &ChainHeader, trip: &chains::ChainTrip, out: &mut Vec<Verdict>) {
        let reason = Reason::ChainSize {
            root: header.root.clone(),
            invocations: trip.state.invocations(),
            budget: trip.limit,
        };
        let mut named: Vec<FunctionName> =
            trip.state.top_emitters().iter().filter_map(|&(id, _)| self.functions.name(id)).collect();
        if named.is_empty() {
            // Emitters untracked (function table full): the current emitter is part of the chain.
            named.push(header.function.clone());
        }
        out.extend(named.into_iter().map(|function| Verdict::Throttle { function, reason: reason.clone() }));
    }

    /// Forgets expired roots, at most once per quarter TTL of event time; the first
    /// caller past the deadline sweeps, the others carry on. A deadline further ahead than one interval
    /// means the clock jumped back (or one bogus far-future `now` was seen): sweep and re-arm, so a
    /// single bad timestamp cannot switch eviction off.
    fn maybe_sweep(&self, secs: u64) {
        let interval = (self.config.chain_ttl_secs / 4).max(1);
        let due = self.next_sweep.load(Ordering::Relaxed);
        if secs < due && due - secs <= interval {
            return;
        }
        let next = secs.saturating_add(interval);
        if self.next_sweep.compare_exchange(due, next, Ordering::AcqRel, Ordering::Relaxed).is_ok() {
            self.chains.sweep(u32::try_from(secs).unwrap_or(u32::MAX));
            if !self.held_back.is_empty() {
                self.held_back.retain(|key| self.chains.contains(*key));
            }
        }
    }
}

/// Emitter id used when the function table is full: never resolves to a name.
const UNTRACKED: chains::FunctionId = chains::FunctionId::MAX;

/// A scheduled tick re-judges every contributor still in ALARM (a function left alone as busy as
/// usual is looked at again while it stays suspicious), and runs the offender search when the
/// schedule is a full sweep.
/// The alarm name the sweep's offender search goes by.
pub const SWEEP_SEARCH: &str = "sweep";

fn sweep_verdicts(offender_search: bool) -> Vec<Verdict> {
    let search = Verdict::SearchOffenders {
        alarm: SWEEP_SEARCH.to_owned(),
        metric: "AWS/Lambda/Invocations".to_owned(),
    };
    let mut verdicts = if offender_search { vec![search] } else { Vec::new() };
    verdicts.push(Verdict::RejudgeContributors);
    verdicts
}

/// An ALARM contributor naming a function → judge it against its own normal. OK and
/// INSUFFICIENT_DATA → nothing: a throttled function stops publishing `Invocations`, so its
/// contributor goes to OK, and that is never a recovery.
fn contributor_verdicts(contributor: &ContributorSignal) -> Vec<Verdict> {
    let Some(function) = &contributor.function else { return Vec::new() };
    if contributor.state != AlarmState::Alarm {
        return Vec::new();
    }
    vec![Verdict::Judge(Candidate {
        function: function.clone(),
        trigger: format!("contributor of alarm {}", contributor.alarm_name),
        recursion: contributor.metric == ContributorMetric::RecursionDropped,
        muted: contributor.mute.as_ref().map(|m| m.summary.clone()),
    })]
}

/// ALARM naming functions → throttle them; ALARM on Lambda/Billing without one → offender search;
/// anything else → nothing.
fn alarm_verdicts(alarm: &AlarmSignal) -> Vec<Verdict> {
    if alarm.state != AlarmState::Alarm || !alarm.is_relevant() {
        return Vec::new();
    }
    let mut metrics: Vec<String> = Vec::new();
    for m in &alarm.metrics {
        let joined = format!("{}/{}", m.namespace, m.name);
        if !metrics.contains(&joined) {
            metrics.push(joined);
        }
    }
    let metric = if metrics.is_empty() { "unknown".to_owned() } else { metrics.join(",") };
    if alarm.functions.is_empty() {
        return vec![Verdict::SearchOffenders { alarm: alarm.alarm_name.clone(), metric }];
    }
    let reason =
        Reason::Alarm { alarm: alarm.alarm_name.clone(), metric, state_reason: alarm.reason.clone() };
    alarm
        .functions
        .iter()
        .map(|f| Verdict::Throttle { function: f.clone(), reason: reason.clone() })
        .collect()
}

#[cfg(test)]
#[path = "chain_rules/bounded_tests.rs"]
mod chain_rules_bounded_tests;
#[cfg(test)]
#[path = "chain_rules/tests.rs"]
mod chain_rules_tests;
#[cfg(test)]
mod tests;
