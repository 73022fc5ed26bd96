//! The trip flow for one function: read state and event source mappings → write the trip record
//! (naming the mappings to pause) → pause those mappings → set reserved concurrency to 0 → alert. Each step's failure is reported, never swallowed, and never stops the next step
//! that can still contain the function or tell on-call. A throttle whose record could not be
//! written still throttles; its alert then names the exact `reenable --to` that restores it. A
//! failure that does not heal pages once per function per period (see `policy`).

use tracing::{error, info, warn};

use crate::alert::{AlertContext, TripFacts};
use crate::name::FunctionName;
use crate::policy::{Plan, Policy, next_page_after};
use crate::ports::{
    FunctionState, MappingId, Notifier, PortError, Reservation, Throttler, TripBudget, TripRecord,
};
use crate::report::{Decision, Outcome, reservation_text};
use crate::time::Timestamp;
use crate::verdict::Reason;
use cap::AccountCap;
use pause::Sources;
pub use unrecorded::{Unrecorded, UnrecordedTrips};

/// Everything the trip flow borrows from the guard.
pub struct TripContext<'a, T, N> {
    /// Lambda control plane.
    pub throttler: &'a T,
    /// SNS.
    pub notifier: &'a N,
    /// Policy state.
    pub policy: &'a Policy,
    /// Account and region named in alerts.
    pub account: Option<&'a str>,
    /// Region named in alerts.
    pub region: Option<&'a str>,
    /// Dry run: never mutate, not even to finish an earlier trip or clear `alert-pending`.
    pub dry_run: bool,
    /// The blast-radius cap, named in capped alerts.
    pub max_trips_per_hour: u32,
    /// Who trips: the caller ARN of a manual trip; `None` for the guard's own detection.
    pub actor: Option<&'a str>,
    /// The account-wide trip count shared by every environment (`None`: per environment only).
    pub budget: Option<&'a dyn TripBudget>,
    /// Throttles whose previous value no tag or alert holds yet.
    pub unrecorded: &'a UnrecordedTrips,
}

/// Whether this attempt wrote the trip record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Record {
    /// Written now, or already there.
    Kept,
    /// The write failed: only the alert knows the value to restore.
    Missing,
}

/// How an alert is published: whether the record exists, whether it re-sends a trip's unsent
/// alert, and what the trip did about the event source mappings.
struct Publish<'s> {
    record: Record,
    resend: bool,
    sources: &'s Sources,
    /// Why nothing changed, for an exempt decision that pages (a grace period).
    note: Option<&'s str>,
}

impl<T: Throttler, N: Notifier> TripContext<'_, T, N> {
    /// Decides and, when the policy says so, trips `function` for `reason`.
    pub async fn act(&self, function: &FunctionName, reason: &Reason, now: Timestamp) -> Decision {
        if let Some(plan) = self.policy.screen(function, reason, now) {
            return skip_without_state(function, reason, plan);
        }
        let state = match self.throttler.function_state(function).await {
            Ok(state) => without_stale_record(state),
            Err(err) => return self.failed_read(function, reason, err, now).await,
        };
        if let Some(why) = within_own_depth_limit(&state, reason) {
            return Decision::new(function.clone(), Outcome::Exempt, reason.rule(), why);
        }
        let plan = self.policy.decide(&state, reason, now);
        let mut decision =
            Decision::new(function.clone(), Outcome::Failed, reason.rule(), reason.to_string());
        decision.previous_concurrency = Some(reservation_text(previous_for_record(&state)));
        match plan {
            Plan::Throttle if state.reserved_concurrency == Some(0) && state.active_trip().is_none() => {
                if let Some(unrecorded) = self.unrecorded.get(function) {
                    // This container throttled it and nothing durable names the value yet: a retry.
                    self.policy.release_slot(function);
                    self.record_again(&state, reason, now, &mut decision, unrecorded).await;
                    return decision;
                }
                // Someone already set 0 by hand, or an earlier trip could not write its record:
                // recording 0 as "previous" would make re-enable restore 0.
                self.policy.release_slot(function);
                decision.outcome = Outcome::AlreadyTripped;
                decision.previous_concurrency = None;
                decision.reason =
                    format!("{reason}; reserved concurrency is already 0 and no trip record says why");
            }
            Plan::Throttle => match self.account_cap(function, reason, now).await {
                AccountCap::Exhausted { why, page } => {
                    let skip = (Outcome::Capped, why, page);
                    self.skip(&state, reason, now, &mut decision, skip, &Sources::NotRead).await;
                }
                cap => {
                    self.throttle(&state, reason, now, &mut decision).await;
                    self.settle_account_cap(&cap, &mut decision).await;
                }
            },
            Plan::Skip { outcome: Outcome::AlreadyTripped, why, alert }
                if !self.dry_run && (unfinished_trip(&state) || recorded_pauses(&state)) =>
            {
                // A record whose steps did not all happen: an earlier invocation failed between them.
                let sources = self.finish_pause(&state, &mut decision).await;
                if unfinished_trip(&state) {
                    self.complete_trip(&state, reason, now, &mut decision, Record::Kept, &sources).await;
                } else {
                    let skip = (Outcome::AlreadyTripped, why, alert);
                    self.skip(&state, reason, now, &mut decision, skip, &sources).await;
                }
                let newly = sources.newly_paused();
                if newly > 0 {
                    decision.reason +=
                        &format!("; paused {newly} event source mapping(s) the trip record names");
                }
            }
            Plan::WouldThrottle => {
                decision.outcome = Outcome::WouldThrottle;
                let sources = self.would_pause(&state.function, &mut decision).await;
                self.alert(&state, reason, now, &mut decision, Record::Kept, &sources).await;
            }
            Plan::Skip { outcome, why, alert } => {
                self.skip(&state, reason, now, &mut decision, (outcome, why, alert), &Sources::NotRead).await;
            }
        }
        decision
    }

    /// Nothing to change: says why, and publishes when the policy asks or the trip's alert is unsent.
    async fn skip(
        &self,
        state: &FunctionState,
        reason: &Reason,
        now: Timestamp,
        decision: &mut Decision,
        (outcome, why, alert): (Outcome, String, bool),
        sources: &Sources,
    ) {
        decision.outcome = outcome;
        decision.reason = format!("{reason}; {why}");
        let pending = state.active_trip().is_some_and(|t| t.alert_pending);
        if alert || pending {
            let note = (outcome == Outcome::Exempt).then_some(why.as_str());
            let how = Publish { record: Record::Kept, resend: pending, sources, note };
            self.publish(state, reason, now, decision, how).await;
        }
    }

    async fn throttle(
        &self,
        state: &FunctionState,
        reason: &Reason,
        now: Timestamp,
        decision: &mut Decision,
    ) {
        let function = &state.function;
        let plan = self.plan_pause(function, still_paused(state), decision).await;
        let record = TripRecord {
            tripped_at: now,
            previous_concurrency: previous_for_record(state),
            reason: reason.to_string(),
            alert_pending: true,
            paused_mappings: plan.record.clone(),
        };
        // The record goes first so that a crash between the two calls never leaves a throttled
        // function without the means to restore it. If it cannot be written (50-tag limit, a
        // denying SCP), containment still comes first: the alert carries the value instead.
        let written = self.write_record(function, &record, decision).await;
        // Pollers stop before the throttle, so no throttled receive counts toward maxReceiveCount.
        let sources = self.pause(function, plan, written, decision).await;
        self.complete_trip(state, reason, now, decision, written, &sources).await;
        if decision.outcome == Outcome::Throttled {
            // Nothing was paused without a record, so a record written later names no mappings.
            let record = TripRecord { paused_mappings: Vec::new(), ..record };
            self.hold_unrecorded(function, record, written, decision);
        }
    }

    async fn complete_trip(
        &self,
        state: &FunctionState,
        reason: &Reason,
        now: Timestamp,
        decision: &mut Decision,
        record: Record,
        sources: &Sources,
    ) {
        let function = &state.function;
        match self.throttler.set_reserved_concurrency(function, Some(0)).await {
            Ok(()) => {
                info!(function = %function, rule = reason.rule(), reason = %crate::sanitise::Plain(&reason), "throttled");
                decision.outcome = Outcome::Throttled;
                self.policy.trip_succeeded(function);
            }
            Err(err) => {
                error!(function = %function, error = %err, "throttle failed");
                decision.outcome = Outcome::Failed;
                decision.retryable |= err.retryable;
                decision.errors.push(err.to_string());
                if !self.policy.trip_failed(function, now, err.retryable, &err.to_string()) {
                    decision.reason = format!("{reason}; failing again (paged earlier this period)");
                    return;
                }
            }
        }
        self.alert(state, reason, now, decision, record, sources).await;
    }

    async fn alert(
        &self,
        state: &FunctionState,
        reason: &Reason,
        now: Timestamp,
        decision: &mut Decision,
        record: Record,
        sources: &Sources,
    ) {
        self.publish(state, reason, now, decision, Publish { record, resend: false, sources, note: None })
            .await;
    }

    /// Publishes the alert for `decision`. `resend` marks the re-send of a trip's alert that an earlier
    /// invocation could not publish: on-call has not heard of the trip yet, so it reads as the trip
    /// ("THROTTLED", not "ALREADY THROTTLED"), and a failure is again worth a retry.
    async fn publish(
        &self,
        state: &FunctionState,
        reason: &Reason,
        now: Timestamp,
        decision: &mut Decision,
        Publish { record, resend, sources, note }: Publish<'_>,
    ) {
        let error = (!decision.errors.is_empty()).then(|| decision.errors.join("; "));
        let sources = self.read_queues(sources).await;
        let shown = match decision.outcome {
            Outcome::AlreadyTripped if resend => Outcome::Throttled,
            outcome => outcome,
        };
        let alert = crate::alert::trip_alert(&TripFacts {
            function: &state.function,
            outcome: shown,
            reason,
            previous_concurrency: Some(previous_for_record(state)),
            failure_target: Some(&state.failure_target),
            event_sources: sources.facts(),
            max_trips_per_hour: self.max_trips_per_hour,
            error: error.as_deref(),
            record_missing: record == Record::Missing,
            tripped_by: self.actor,
            quiet_until: matches!(shown, Outcome::Failed | Outcome::Capped).then(|| next_page_after(now)),
            context: AlertContext { account: self.account, region: self.region, at: now },
            note,
            parked: None,
        });
        match self.notifier.publish(&alert).await {
            Ok(()) => {
                decision.alerted = true;
                let has_record = record == Record::Kept
                    && (state.active_trip().is_some()
                        || matches!(decision.outcome, Outcome::Throttled | Outcome::Failed));
                if has_record
                    && !self.dry_run
                    && let Err(err) = self.throttler.mark_alerted(&state.function).await
                {
                    // Worst case a retry sends the alert twice; never zero times.
                    warn!(function = %state.function, error = %err, "alert-pending tag not cleared");
                }
            }
            Err(err) => {
                error!(function = %state.function, error = %err, "alert not published");
                // A lost alert for a real trip is worth a retry: the retry finds the trip record
                // still marked `alert-pending` and re-sends it.
                decision.retryable |= err.retryable && shown == Outcome::Throttled && record == Record::Kept;
                decision.errors.push(err.to_string());
            }
        }
    }

    /// The state could not be read, so nothing is known about exemptions or an earlier record and
    /// nothing is changed; on-call hears of it once per period (a missing function pages no one).
    async fn failed_read(
        &self,
        function: &FunctionName,
        reason: &Reason,
        err: PortError,
        now: Timestamp,
    ) -> Decision {
        error!(function = %function, error = %err, "could not read function state");
        let mut decision =
            Decision::new(function.clone(), Outcome::Failed, reason.rule(), reason.to_string());
        decision.retryable = err.retryable;
        let text = err.to_string();
        decision.errors.push(text.clone());
        let page = self.policy.trip_failed(function, now, err.retryable, &text);
        if !page || err.not_found {
            return decision;
        }
        let alert = crate::alert::trip_alert(&TripFacts {
            function,
            outcome: Outcome::Failed,
            reason,
            previous_concurrency: None,
            failure_target: None,
            event_sources: crate::alert::EventSources::NotRead,
            max_trips_per_hour: self.max_trips_per_hour,
            error: Some(&text),
            record_missing: false,
            tripped_by: self.actor,
            quiet_until: Some(next_page_after(now)),
            context: AlertContext { account: self.account, region: self.region, at: now },
            note: None,
            parked: None,
        });
        match self.notifier.publish(&alert).await {
            Ok(()) => decision.alerted = true,
            Err(err) => decision.errors.push(err.to_string()),
        }
        decision
    }
}

fn skip_without_state(function: &FunctionName, reason: &Reason, plan: Plan) -> Decision {
    let (outcome, why) = match plan {
        Plan::Skip { outcome, why, .. } => (outcome, why),
        Plan::Throttle | Plan::WouldThrottle => (Outcome::AlreadyTripped, "decided moments ago".to_owned()),
    };
    Decision::new(function.clone(), outcome, reason.rule(), format!("{reason}; {why}"))
}

/// The value to record as "previous": the current reservation, unless the guard's own record of a
/// trip still in force says otherwise (never 0 set by the guard, never overwritten). After a
/// re-enable that restored the function but did not clear its record, the current value is the
/// truth again (an operator may have changed it since).
fn previous_for_record(state: &FunctionState) -> Reservation {
    match (state.active_trip(), &state.trip) {
        (Some(trip), _) => trip.previous_concurrency,
        (None, Some(stale)) if state.reserved_concurrency == Some(0) => stale.previous_concurrency,
        _ => state.reserved_concurrency,
    }
}

/// The state without its trip record when that record, in force, does not describe the function now
/// ([`TripRecord::describes`]): dropped, the trip records the true value and replaces it.
fn without_stale_record(mut state: FunctionState) -> FunctionState {
    let stale = state.active_trip().is_some_and(|t| !t.describes(state.reserved_concurrency));
    if stale {
        warn!(function = %state.function, "trip record in force does not match the function's reservation; not treated as a trip");
        state.trip = None;
    }
    state
}

/// The mappings an earlier trip paused whose re-enable did not finish (its record is still there,
/// no longer in force): a new trip keeps them in its record so that `reenable` resumes them too.
fn still_paused(state: &FunctionState) -> &[MappingId] {
    match (&state.trip, state.active_trip()) {
        (Some(earlier), None) => &earlier.paused_mappings,
        _ => &[],
    }
}

/// A trip record still in force without the throttle: an earlier invocation failed between the
/// two calls (a re-enable marks `reenabled-at` first, so its records are not in force).
fn unfinished_trip(state: &FunctionState) -> bool {
    state.active_trip().is_some() && state.reserved_concurrency != Some(0)
}

/// A trip record in force that names mappings to pause: each event checks they are paused.
fn recorded_pauses(state: &FunctionState) -> bool {
    state.active_trip().is_some_and(|t| !t.paused_mappings.is_empty())
}

/// A depth verdict that the function's own `runaway-guard:max-depth` tag allows.
fn within_own_depth_limit(state: &FunctionState, reason: &Reason) -> Option<String> {
    match (reason, state.max_depth_tag) {
        (Reason::Depth { depth, .. }, Some(limit)) if *depth <= limit => {
            Some(format!("chain depth {depth} is within this function's max-depth tag ({limit})"))
        }
        _ => None,
    }
}

mod cap;
mod pause;
mod unrecorded;

#[cfg(test)]
mod tests;
