//! Pure policy: a verdict plus what is known about the function → what to do.
//! The guard itself and exempt functions are never throttled; at most N trips an hour; dry-run;
//! one decision per function per trip; a grace period after a re-enable for rate/cost rules.
//!
//! Protocol for the handler: call [`Policy::screen`] first (no I/O); when it returns `None`, read the
//! function's state and call [`Policy::decide`]. A `Throttle`/`WouldThrottle` plan counts towards the
//! hourly cap at once (so concurrent events cannot overshoot it); if the throttle then fails, call
//! [`Policy::trip_failed`] to give the slot back and let the next event retry. Nothing needs calling
//! on success.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::config::Config;
use crate::name::FunctionName;
use crate::ports::FunctionState;
use crate::report::Outcome;
use crate::time::Timestamp;
use crate::verdict::Reason;

/// How long a decision for a function is remembered in this container (no alert storms).
pub const RECENT_DECISION: Duration = Duration::from_secs(60);
/// Most decisions remembered; beyond it the oldest are forgotten first.
const MAX_RECENT: usize = 10_000;
const HOUR: Duration = Duration::from_secs(3600);

/// What the handler should do for one function.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// Record, throttle, alert.
    Throttle,
    /// Dry run: alert "WOULD THROTTLE", mutate nothing.
    WouldThrottle,
    /// Do nothing to the function; report this outcome and why. `alert` says whether on-call
    /// should still hear about it (a capped trip is alerted; an exempt one is only logged).
    Skip {
        /// The outcome to report.
        outcome: Outcome,
        /// Why nothing was done.
        why: String,
        /// Whether to alert anyway.
        alert: bool,
    },
}

impl Plan {
    fn skip(outcome: Outcome, why: impl Into<String>, alert: bool) -> Self {
        Plan::Skip { outcome, why: why.into(), alert }
    }
}

/// Policy settings (built from `Config` with `PolicyConfig::from(&config)`).
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyConfig {
    /// The guard's own function name.
    pub self_function: Option<FunctionName>,
    /// Functions exempt by `RUNAWAY_GUARD_EXEMPT`.
    pub exempt: std::collections::BTreeSet<FunctionName>,
    /// Decide and alert, mutate nothing.
    pub dry_run: bool,
    /// Trips (real or dry-run) allowed in any rolling hour.
    pub max_trips_per_hour: u32,
    /// Seconds after a re-enable during which rate/cost/alarm reasons are ignored.
    pub grace_secs: u64,
}

impl From<&Config> for PolicyConfig {
    fn from(config: &Config) -> Self {
        Self {
            self_function: config.self_function.clone(),
            exempt: config.exempt.clone(),
            dry_run: config.dry_run,
            max_trips_per_hour: config.max_trips_per_hour,
            grace_secs: config.grace_secs,
        }
    }
}

#[derive(Debug, Default)]
struct Memory {
    /// Times of trips counted against the cap, oldest first.
    trips: VecDeque<Timestamp>,
    /// Last decision per function.
    recent: HashMap<FunctionName, Recent>,
}

#[derive(Debug, Clone, Copy)]
struct Recent {
    at: Timestamp,
    outcome: Outcome,
    /// Skipped only for the grace period: chain evidence must still get through.
    grace: bool,
}

/// The policy, with its small per-container memory (trips this hour, recent decisions).
#[derive(Debug)]
pub struct Policy {
    config: PolicyConfig,
    memory: Mutex<Memory>,
}

impl Policy {
    /// A policy with empty memory.
    pub fn new(config: PolicyConfig) -> Self {
        Self { config, memory: Mutex::new(Memory::default()) }
    }

    /// Decisions that need no AWS call: the guard itself, env exemptions, a function decided moments ago.
    pub fn screen(&self, function: &FunctionName, reason: &Reason, now: Timestamp) -> Option<Plan> {
        if let Some(plan) = self.configured_exemption(function) {
            return Some(plan);
        }
        let memory = self.memory();
        let recent = *memory.recent.get(function)?;
        let age = now.since(recent.at);
        if age >= RECENT_DECISION || (recent.grace && !reason.respects_grace()) {
            return None;
        }
        let why = format!("decided {}s ago in this container ({})", age.as_secs(), recent.outcome.as_str());
        Some(match recent.outcome {
            Outcome::Throttled | Outcome::WouldThrottle | Outcome::AlreadyTripped => {
                Plan::skip(Outcome::AlreadyTripped, why, false)
            }
            other => Plan::skip(other, why, false),
        })
    }

    /// The decision once the function's state has been read.
    pub fn decide(&self, state: &FunctionState, reason: &Reason, now: Timestamp) -> Plan {
        let (plan, grace) = match self.grace_period(state, reason, now) {
            Some(plan) => (plan, true),
            None => (self.plan(state, now), false),
        };
        let outcome = match &plan {
            Plan::Throttle => Outcome::Throttled,
            Plan::WouldThrottle => Outcome::WouldThrottle,
            Plan::Skip { outcome, .. } => *outcome,
        };
        self.remember(&state.function, Recent { at: now, outcome, grace });
        plan
    }

    /// The handler could not throttle `function` after a `Throttle` plan: release its slot under the
    /// cap and forget the decision so the next event retries.
    pub fn trip_failed(&self, function: &FunctionName) {
        let mut memory = self.memory();
        if let Some(recent) = memory.recent.remove(function)
            && matches!(recent.outcome, Outcome::Throttled | Outcome::WouldThrottle)
            && let Some(i) = memory.trips.iter().rposition(|&t| t == recent.at)
        {
            memory.trips.remove(i);
        }
    }

    /// The grace period, checked after exemptions and trip records so those keep their own outcome.
    fn grace_period(&self, state: &FunctionState, reason: &Reason, now: Timestamp) -> Option<Plan> {
        if self.configured_exemption(&state.function).is_some() || state.exempt_tag || state.trip.is_some() {
            return None;
        }
        let reenabled = state.reenabled_at?;
        let grace = Duration::from_secs(self.config.grace_secs);
        (reason.respects_grace() && now.since(reenabled) < grace).then(|| {
            let why = format!("grace period: re-enabled at {reenabled}, {}s grace", self.config.grace_secs);
            Plan::skip(Outcome::Exempt, why, false)
        })
    }

    fn plan(&self, state: &FunctionState, now: Timestamp) -> Plan {
        if let Some(plan) = self.configured_exemption(&state.function) {
            return plan;
        }
        if state.exempt_tag {
            return Plan::skip(Outcome::Exempt, "exempt by tag runaway-guard:exempt=true", false);
        }
        if let Some(trip) = &state.trip {
            return Plan::skip(
                Outcome::AlreadyTripped,
                format!("already tripped at {}", trip.tripped_at),
                false,
            );
        }
        if !self.take_trip_slot(now) {
            let why = format!("blast-radius cap: {} trips in the last hour", self.config.max_trips_per_hour);
            return Plan::skip(Outcome::Capped, why, true);
        }
        if self.config.dry_run { Plan::WouldThrottle } else { Plan::Throttle }
    }

    fn configured_exemption(&self, function: &FunctionName) -> Option<Plan> {
        if self.config.self_function.as_ref() == Some(function) {
            return Some(Plan::skip(Outcome::Exempt, "the guard never throttles itself", false));
        }
        if self.config.exempt.contains(function) {
            return Some(Plan::skip(Outcome::Exempt, "exempt by RUNAWAY_GUARD_EXEMPT", false));
        }
        None
    }

    /// Counts a trip at `now` unless the rolling hour is full.
    fn take_trip_slot(&self, now: Timestamp) -> bool {
        let mut memory = self.memory();
        while memory.trips.front().is_some_and(|&t| now.since(t) >= HOUR) {
            memory.trips.pop_front();
        }
        // Late `now`s can leave newer trips in front; counting them keeps the cap conservative.
        if memory.trips.len() >= self.config.max_trips_per_hour as usize {
            return false;
        }
        let at = memory.trips.partition_point(|&t| t <= now);
        memory.trips.insert(at, now);
        true
    }

    fn remember(&self, function: &FunctionName, recent: Recent) {
        let mut memory = self.memory();
        if memory.recent.len() >= MAX_RECENT && !memory.recent.contains_key(function) {
            memory.recent.retain(|_, r| recent.at.since(r.at) < RECENT_DECISION);
            if memory.recent.len() >= MAX_RECENT {
                return;
            }
        }
        memory.recent.insert(function.clone(), recent);
    }

    fn memory(&self) -> MutexGuard<'_, Memory> {
        // The memory holds plain data whose invariants hold between statements: a panic elsewhere
        // while holding the lock cannot leave it half-updated, so keep using it.
        self.memory.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests;
