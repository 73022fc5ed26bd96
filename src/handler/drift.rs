//! The drift watch: a Lambda control-plane call recorded by CloudTrail that undoes a trip
//! (PutFunctionConcurrency above 0, DeleteFunctionConcurrency, an event source mapping enabled)
//! on a function the guard holds tripped, made by anyone but the guard, is reported to on-call
//! once, marked on the function (`runaway-guard:drift`, which `status` shows), and noted.
//!
//! The guard is known by its execution role (`userIdentity.sessionContext.sessionIssuer.arn`),
//! never by a session name, which any caller picks (see `own_role`).
//!
//! What costs an AWS call and what does not: a failed call, the guard's own call, a call that keeps
//! the function contained and a call naming no function are decided from the event itself, without
//! any call. A call that could undo a trip needs the trip record, which lives on the function (its
//! tags), so any of the guard's execution environments, the CLI, or one that started after the
//! trip sees it alike: for a function this environment has not tripped it reads the tags alone
//! (GetFunctionConfiguration, ListTags) and stops there when no record is in force; for a tripped
//! one it reads the function's state as a trip does (docs/drift.md). A call made before the trip
//! (CloudTrail delivers late) and one the function is already contained again after are not drift
//! and page no one (see [`contained`]).

use std::collections::HashMap;
use std::sync::Mutex;

use tracing::{info, warn};

use super::Guard;
use crate::alert::{AlertContext, DriftFacts, Undone, drift_alert};
use crate::event::{ApiCall, ApiChange};
use crate::name::FunctionName;
use crate::ports::{FunctionState, Metrics, Notifier, Throttler, TripRecord};
use crate::report::{DriftEntry, DriftOutcome};
use crate::role::RoleRef;
use crate::time::Timestamp;

pub mod contained;

/// Functions remembered as tripped by this process (oldest forgotten first beyond this).
const MAX_REMEMBERED_TRIPS: usize = 10_000;

/// The functions this process tripped or found tripped, with when: the tags are read once for them,
/// not twice.
#[derive(Debug, Default)]
pub struct TripMemory {
    tripped: Mutex<HashMap<FunctionName, Timestamp>>,
}

impl TripMemory {
    /// Remembers that `function` is tripped.
    pub fn remember(&self, function: &FunctionName, at: Timestamp) {
        let mut tripped = self.lock();
        if tripped.len() >= MAX_REMEMBERED_TRIPS && !tripped.contains_key(function) {
            let oldest = tripped.iter().min_by_key(|(_, at)| **at).map(|(f, _)| f.clone());
            if let Some(oldest) = oldest {
                tripped.remove(&oldest);
            }
        }
        tripped.insert(function.clone(), at);
    }

    /// Forgets `function` (its record is no longer in force).
    pub fn forget(&self, function: &FunctionName) {
        self.lock().remove(function);
    }

    /// Whether `function` is remembered as tripped.
    pub fn contains(&self, function: &FunctionName) -> bool {
        self.lock().contains_key(function)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<FunctionName, Timestamp>> {
        self.tripped.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Why a call needs no look at the function, decided from the event alone.
fn ignored_from_event(call: &ApiCall) -> Option<String> {
    if let Some(code) = &call.error_code {
        return Some(format!("the call failed ({code}): nothing changed"));
    }
    match &call.change {
        ApiChange::PutConcurrency { value: 0 } => {
            Some("reserved concurrency 0 keeps it contained".to_owned())
        }
        ApiChange::UpdateMapping { enabled: Some(false), .. } => {
            Some("disabling a mapping keeps it paused".to_owned())
        }
        ApiChange::UpdateMapping { enabled: None, .. } => {
            Some("the update does not enable the mapping".to_owned())
        }
        _ if call.function.is_none() => {
            Some("the event names no function (the response carried no functionArn)".to_owned())
        }
        _ => None,
    }
}

/// The guard's own call: made by its execution role (the session issuer CloudTrail records), in
/// whatever session. A session name is the caller's choice (`assume-role --role-session-name
/// runaway-guard`) and never makes a call the guard's.
fn is_own_call(call: &ApiCall, own: Option<&RoleRef>) -> bool {
    own.is_some_and(|own| call.caller_role().as_ref() == Some(own))
}

/// `runaway-guard:drift`: `<RFC 3339> <call> by <caller>`, cut to what a tag value may hold.
pub fn drift_note(at: Timestamp, change: &str, by: &str) -> String {
    let text = format!("{} {change} by {by}", at.to_rfc3339());
    let safe = |c: char| c.is_ascii_alphanumeric() || " _.:/=+-@".contains(c);
    let cleaned: String = text.chars().map(|c| if safe(c) { c } else { ' ' }).collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(256).collect()
}

/// The time a `runaway-guard:drift` note starts with.
pub fn drift_note_time(note: &str) -> Option<Timestamp> {
    note.split(' ').next().and_then(Timestamp::parse_rfc3339)
}

impl<T: Throttler, M: Metrics, N: Notifier> Guard<T, M, N> {
    /// Why a call that could undo the trip needs no page: by the time it arrives the function is
    /// contained again (a re-trip, the guard's or an operator's). A failed mapping read decides
    /// nothing: the call is then reported.
    async fn contained_again(
        &self,
        call: &ApiCall,
        state: &FunctionState,
        record: &TripRecord,
    ) -> Option<String> {
        if state.reserved_concurrency != Some(0) {
            return None;
        }
        let enabled = match &call.change {
            ApiChange::UpdateMapping { uuid, .. } => Some(uuid.as_str()),
            _ => None,
        };
        let mappings = if record.paused_mappings.is_empty() && enabled.is_none() {
            Vec::new()
        } else {
            match self.throttler.event_source_mappings(&state.function).await {
                Ok(mappings) => mappings,
                Err(err) => {
                    warn!(function = %state.function, error = %err, "mappings not read: the drift is reported");
                    return None;
                }
            }
        };
        contained::contained(state.reserved_concurrency, &record.paused_mappings, enabled, &mappings)
            .then(|| "already contained again (reserved concurrency 0, the recorded mappings paused): the trip holds".to_owned())
    }

    /// Handles the calls CloudTrail recorded (one per event in practice).
    pub(super) async fn watch_drift(&self, calls: &[ApiCall], now: Timestamp) -> Vec<DriftEntry> {
        let mut entries = Vec::with_capacity(calls.len());
        for call in calls {
            let entry = self.watch_call(call, now).await;
            info!(event_id = %crate::sanitise::Plain(&entry.event_id), outcome = ?entry.outcome, why = %crate::sanitise::Plain(&entry.why), "drift watch");
            entries.push(entry);
        }
        entries
    }

    async fn watch_call(&self, call: &ApiCall, now: Timestamp) -> DriftEntry {
        let by = call.caller_arn.clone().or_else(|| call.principal_id.clone());
        let mut entry = DriftEntry {
            function: call.function.clone(),
            change: call.describe(),
            by: by.clone(),
            event_id: call.event_id.clone(),
            outcome: DriftOutcome::Ignored,
            why: String::new(),
            alerted: false,
            errors: Vec::new(),
            retryable: false,
        };
        if let Some(why) = ignored_from_event(call) {
            entry.why = why;
            return entry;
        }
        if is_own_call(call, self.own_role.get().await) {
            entry.why = "the guard's own call (its execution role)".to_owned();
            return entry;
        }
        let Some(function) = &call.function else { return entry };
        if matches!(self.calls_seen.check(&call.event_id, now), super::seen::Seen::Again(_)) {
            entry.why = "already reported".to_owned();
            return entry;
        }
        if !self.trips.contains(function) {
            // Tripped elsewhere (another environment, the CLI, before a cold start) or never.
            match self.throttler.trip_in_force(function).await {
                Ok(true) => self.trips.remember(function, now),
                Ok(false) => {
                    entry.why = "no trip record in force on the function".to_owned();
                    return entry;
                }
                Err(err) if err.not_found => {
                    entry.why = "the function no longer exists".to_owned();
                    return entry;
                }
                Err(err) => {
                    entry.outcome = DriftOutcome::Failed;
                    entry.why = "its trip record could not be read".to_owned();
                    entry.retryable = err.retryable;
                    entry.errors.push(err.to_string());
                    return entry;
                }
            }
        }
        let state = match self.throttler.function_state(function).await {
            Ok(state) => state,
            Err(err) => {
                entry.outcome = DriftOutcome::Failed;
                entry.why = "its state could not be read".to_owned();
                entry.retryable = err.retryable;
                entry.errors.push(err.to_string());
                return entry;
            }
        };
        let Some(record) = state.active_trip() else {
            self.trips.forget(function);
            entry.why = "no trip record in force (re-enabled)".to_owned();
            return entry;
        };
        if let Some(why) = contained::before_the_trip(call.at, record) {
            entry.why = why;
            return entry;
        }
        if let Some(why) = self.contained_again(call, &state, record).await {
            entry.why = why;
            return entry;
        }
        let by = by.unwrap_or_else(|| "unknown caller".to_owned());
        let at = call.at.unwrap_or(now);
        entry.outcome = DriftOutcome::Reported;
        entry.why = "a tripped function was changed by someone else: its trip record is stale".to_owned();
        if let Err(err) = self.throttler.record_drift(function, &drift_note(at, &entry.change, &by)).await {
            warn!(function = %function, error = %err, "drift tag not written");
            entry.errors.push(format!("drift tag not written: {err}"));
        }
        let changed_at = call.at.map(Timestamp::to_rfc3339);
        let alert = drift_alert(&DriftFacts {
            function,
            change: &entry.change,
            undone: match &call.change {
                ApiChange::UpdateMapping { event_source_arn, .. } => {
                    Undone::Mapping { source: event_source_arn.as_deref() }
                }
                _ => Undone::Concurrency,
            },
            by: &by,
            at: changed_at.as_deref(),
            event_id: &call.event_id,
            record,
            context: AlertContext {
                account: self.account.get().map(String::as_str),
                region: self.region.as_deref(),
                at: now,
            },
        });
        match self.notifier.publish(&alert).await {
            Ok(()) => {
                entry.alerted = true;
                self.calls_seen.remember(&call.event_id, Vec::new(), now);
            }
            Err(err) => {
                // Not remembered: EventBridge's retry of this invocation sends it again.
                entry.retryable = err.retryable;
                entry.errors.push(err.to_string());
            }
        }
        entry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_is_tag_safe_and_starts_with_its_time() {
        let at = Timestamp::from_secs(1_795_000_000);
        let note =
            drift_note(at, "PutFunctionConcurrency (reserved concurrency 25)", "arn:aws:iam::1:user/a\"b");
        assert!(note.starts_with(&at.to_rfc3339()));
        assert!(!note.contains(['(', ')', '"']), "{note}");
        assert_eq!(drift_note_time(&note), Some(at));
        assert!(drift_note(at, &"x".repeat(400), "y").chars().count() <= 256);
    }
}
