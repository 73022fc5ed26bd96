//! Pure policy: a verdict plus what is known about the function → what to do.
//! The guard itself and exempt functions are never throttled; at most N trips an hour; dry-run;
//! one decision per function per trip; a grace period after a re-enable for every judged reason
//! (alarms, cost, runaways, including those resting on unauthenticated chain claims), alerted, not
//! silent. A function's own authenticated report of a deep hop is not held back by it.
//!
//! Protocol for the handler: call [`Policy::screen`] first (no I/O); when it returns `None`, read the
//! function's state and call [`Policy::decide`]. A `Throttle`/`WouldThrottle` plan counts towards the
//! hourly cap at once (so concurrent events cannot overshoot it). Then exactly one of: the throttle
//! worked → [`Policy::trip_succeeded`]; it failed (or the state could not be read) →
//! [`Policy::trip_failed`], which gives the slot back and says whether to page; no throttle was
//! needed after all → [`Policy::release_slot`]; the account-wide cap (`trip/cap.rs`, shared by every
//! environment) refused it → [`Policy::capped_account_wide`]. The cap counted here, per
//! environment, is the floor that holds even when the shared count cannot be reached.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::config::Config;
use crate::name::FunctionName;
use crate::ports::FunctionState;
use crate::report::Outcome;
use crate::time::Timestamp;
use crate::verdict::Reason;

/// Why a function tagged `runaway-guard:exempt=true` is not throttled (the CLI names the fix by it).
pub const EXEMPT_BY_TAG: &str = "exempt by tag runaway-guard:exempt=true";
/// Why a function in `RUNAWAY_GUARD_EXEMPT` is not throttled.
pub const EXEMPT_BY_VARIABLE: &str = "exempt by RUNAWAY_GUARD_EXEMPT";
/// Why the guard's own function is not throttled.
pub const EXEMPT_ITSELF: &str = "the guard never throttles itself";

/// How long a decision for a function is remembered in this container (no alert storms).
pub const RECENT_DECISION: Duration = Duration::from_secs(60);
/// Most decisions remembered; beyond it the oldest are forgotten first.
const MAX_RECENT: usize = 10_000;
/// How long after a re-enable starts its trip record still counts as "being cleared": a trip
/// racing the re-enable leaves the function alone. After it, a record the re-enable did not
/// clear no longer mutes detection.
pub const REENABLE_WINDOW: Duration = Duration::from_secs(120);

mod paging;

pub use paging::{PAGE_PERIOD, RETRY_BACKOFF};

/// The earliest time a failure or cap paged at `now` pages again.
pub fn next_page_after(now: Timestamp) -> Timestamp {
    paging::later(now, PAGE_PERIOD)
}
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
    /// Unhealed failures and caps, paged once per period.
    paging: paging::Paging,
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
        if let Some(failure) = memory.paging.holding(function, now) {
            let why = format!(
                "the last attempt failed ({}); on-call was paged at {}; no new attempt before {}",
                failure.error, failure.paged_at, failure.retry_after
            );
            return Some(Plan::skip(Outcome::Failed, why, false));
        }
        if let Some(paged) = memory.paging.capped_paged_at(function, now)
            && self.cap_full(&memory, now)
        {
            let why = format!(
                "blast-radius cap: {} trips in the last hour (paged at {paged})",
                self.config.max_trips_per_hour
            );
            return Some(Plan::skip(Outcome::Capped, why, false));
        }
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

    /// The throttle of `function` (or the read before it) failed at `now`: gives back the slot the
    /// decision made at this same `now` took, holds further attempts back for a while (no
    /// control-plane calls) and returns whether this failure should page (once per [`PAGE_PERIOD`]
    /// per function).
    pub fn trip_failed(&self, function: &FunctionName, now: Timestamp, retryable: bool, error: &str) -> bool {
        let mut memory = self.memory();
        if memory.recent.get(function).is_some_and(|r| r.at == now) {
            Self::give_slot_back(&mut memory, function);
            memory.recent.remove(function);
        }
        memory.paging.failed(function, now, retryable, error)
    }

    /// The account-wide cap (shared by every environment) refused the trip [`Policy::decide`]
    /// planned for `function` at `now`: the slot this environment took goes back, the decision is
    /// remembered as capped, and the answer says whether to page (once per period per function).
    pub fn capped_account_wide(&self, function: &FunctionName, now: Timestamp) -> bool {
        let mut memory = self.memory();
        Self::give_slot_back(&mut memory, function);
        if let Some(recent) = memory.recent.get_mut(function) {
            recent.outcome = Outcome::Capped;
        }
        memory.paging.capped(function, now)
    }

    /// An account-level or billing alarm led to nothing new to stop at `now`: whether to say so
    /// (once per [`PAGE_PERIOD`] per alarm).
    pub fn alarm_seen(&self, alarm: &str, now: Timestamp) -> bool {
        self.memory().paging.seen(alarm, now)
    }

    /// A read the judgement needed about `subject` (a function, `alarm NAME`) failed at `now`;
    /// returns whether to page (once per [`PAGE_PERIOD`] per subject, retries included).
    pub fn read_failed(&self, subject: &str, now: Timestamp) -> bool {
        self.memory().paging.unread(subject, now)
    }

    /// A summary from `source` (an alarm's offender search, the sweep) found `situation`; returns
    /// whether to page: on a change, or for an alarm (`repeat`) the same situation once per period.
    pub fn summary_found(&self, source: &str, situation: &str, now: Timestamp, repeat: bool) -> bool {
        self.memory().paging.situation(source, situation, now, repeat)
    }

    /// A summary from `source` found nothing to page about.
    pub fn summary_cleared(&self, source: &str) {
        self.memory().paging.situation_cleared(source);
    }

    /// The throttle of `function` worked: forget earlier failures and caps.
    pub fn trip_succeeded(&self, function: &FunctionName) {
        self.memory().paging.healed(function);
    }

    /// A `Throttle` plan for `function` turned out not to need a throttle (e.g. it was already at 0):
    /// the slot under the cap goes back; the decision is still remembered.
    pub fn release_slot(&self, function: &FunctionName) {
        let mut memory = self.memory();
        Self::give_slot_back(&mut memory, function);
        if let Some(recent) = memory.recent.get_mut(function) {
            recent.outcome = Outcome::AlreadyTripped;
        }
    }

    fn give_slot_back(memory: &mut Memory, function: &FunctionName) {
        if let Some(recent) = memory.recent.get(function)
            && matches!(recent.outcome, Outcome::Throttled | Outcome::WouldThrottle)
            && let Some(i) = memory.trips.iter().rposition(|&t| t == recent.at)
        {
            memory.trips.remove(i);
        }
    }

    /// The grace period, checked after exemptions and trip records so those keep their own outcome.
    fn grace_period(&self, state: &FunctionState, reason: &Reason, now: Timestamp) -> Option<Plan> {
        let tripped = still_tripped(state, now).is_some();
        if self.configured_exemption(&state.function).is_some() || state.exempt_tag || tripped {
            return None;
        }
        let reenabled = state.reenabled_at?;
        let grace = Duration::from_secs(self.config.grace_secs);
        (reason.respects_grace() && now.since(reenabled) < grace).then(|| {
            let why = format!("grace period: re-enabled at {reenabled}, {}s grace", self.config.grace_secs);
            // Not throttled, never silent: on-call hears once per re-enable (docs/limits-and-faults.md).
            let page = self.memory().paging.grace(&state.function, reenabled);
            Plan::skip(Outcome::Exempt, why, page)
        })
    }

    fn plan(&self, state: &FunctionState, now: Timestamp) -> Plan {
        if let Some(plan) = self.configured_exemption(&state.function) {
            return plan;
        }
        if state.exempt_tag {
            return Plan::skip(Outcome::Exempt, EXEMPT_BY_TAG, false);
        }
        if let Some(why) = still_tripped(state, now) {
            return Plan::skip(Outcome::AlreadyTripped, why, false);
        }
        if !self.take_trip_slot(now) {
            let why = format!("blast-radius cap: {} trips in the last hour", self.config.max_trips_per_hour);
            let page = self.memory().paging.capped(&state.function, now);
            return Plan::skip(Outcome::Capped, why, page);
        }
        if self.config.dry_run { Plan::WouldThrottle } else { Plan::Throttle }
    }

    /// The guard itself or `RUNAWAY_GUARD_EXEMPT`: never throttled whatever the evidence, so the
    /// handler sends it straight to [`Self::screen`] (which reports it `exempt`) without judging it.
    pub fn exempt_by_configuration(&self, function: &FunctionName) -> bool {
        self.configured_exemption(function).is_some()
    }

    fn configured_exemption(&self, function: &FunctionName) -> Option<Plan> {
        if self.config.self_function.as_ref() == Some(function) {
            return Some(Plan::skip(Outcome::Exempt, EXEMPT_ITSELF, false));
        }
        if self.config.exempt.contains(function) {
            return Some(Plan::skip(Outcome::Exempt, EXEMPT_BY_VARIABLE, false));
        }
        None
    }

    fn cap_full(&self, memory: &Memory, now: Timestamp) -> bool {
        let live = memory.trips.iter().filter(|&&t| now.since(t) < HOUR).count();
        live >= self.config.max_trips_per_hour as usize
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

/// Why a function with a trip record needs nothing now, or `None` when it may be tripped: no
/// record, or a record that a re-enable started to clear and did not (the re-enable restored the
/// function more than [`REENABLE_WINDOW`] ago). A record never mutes detection for longer.
fn still_tripped(state: &FunctionState, now: Timestamp) -> Option<String> {
    let trip = state.trip.as_ref()?;
    let Some(started) = state.reenable_started() else {
        return Some(format!("already tripped at {}", trip.tripped_at));
    };
    if state.reserved_concurrency == Some(0) {
        return Some(format!(
            "still at reserved concurrency 0: the re-enable started at {started} did not restore it; \
             run reenable again"
        ));
    }
    (now.since(started) < REENABLE_WINDOW).then(|| format!("a re-enable started at {started} is under way"))
}

#[cfg(test)]
mod tests;
