//! The trip flow for one function: read state → write the trip record → set reserved concurrency
//! to 0 → alert. Each step's failure is reported, never swallowed, and never stops the next step
//! that can still contain the function or tell on-call.

use tracing::{error, info, warn};

use crate::alert::{AlertContext, TripFacts};
use crate::name::FunctionName;
use crate::policy::{Plan, Policy};
use crate::ports::{FunctionState, Notifier, PortError, Throttler, TripRecord};
use crate::report::{Decision, Outcome, reservation_text};
use crate::time::Timestamp;
use crate::verdict::Reason;

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
    /// Dry run: never mutate, not even to finish an earlier trip.
    pub dry_run: bool,
    /// The blast-radius cap, named in capped alerts.
    pub max_trips_per_hour: u32,
}

impl<T: Throttler, N: Notifier> TripContext<'_, T, N> {
    /// Decides and, when the policy says so, trips `function` for `reason`.
    pub async fn act(&self, function: &FunctionName, reason: &Reason, now: Timestamp) -> Decision {
        if let Some(plan) = self.policy.screen(function, reason, now) {
            return self.skip_without_state(function, reason, plan).await;
        }
        let state = match self.throttler.function_state(function).await {
            Ok(state) => state,
            Err(err) => return failed_read(function, reason, err),
        };
        if let Some(why) = within_own_depth_limit(&state, reason) {
            return Decision::new(function.clone(), Outcome::Exempt, reason.rule(), why);
        }
        let plan = self.policy.decide(&state, reason, now);
        let mut decision =
            Decision::new(function.clone(), Outcome::Failed, reason.rule(), reason.to_string());
        decision.previous_concurrency = Some(reservation_text(previous_for_record(&state)));
        match plan {
            Plan::Throttle if state.reserved_concurrency == Some(0) && state.trip.is_none() => {
                // Someone already set 0 by hand: recording 0 as "previous" would make re-enable restore 0.
                decision.outcome = Outcome::AlreadyTripped;
                decision.reason =
                    format!("{reason}; reserved concurrency is already 0 (not set by the guard)");
            }
            Plan::Throttle => self.throttle(&state, reason, now, &mut decision).await,
            Plan::Skip { outcome: Outcome::AlreadyTripped, .. }
                if !self.dry_run && unfinished_trip(&state) =>
            {
                // A record without the throttle: an earlier invocation failed between the two calls.
                self.complete_trip(&state, reason, now, &mut decision).await;
            }
            Plan::WouldThrottle => {
                decision.outcome = Outcome::WouldThrottle;
                self.alert(&state, reason, now, &mut decision).await;
            }
            Plan::Skip { outcome, why, alert } => {
                decision.outcome = outcome;
                decision.reason = format!("{reason}; {why}");
                let pending = state.trip.as_ref().is_some_and(|t| t.alert_pending);
                if alert || pending {
                    self.alert_resending(&state, reason, now, &mut decision, pending).await;
                }
            }
        }
        decision
    }

    async fn skip_without_state(&self, function: &FunctionName, reason: &Reason, plan: Plan) -> Decision {
        let (outcome, why) = match plan {
            Plan::Skip { outcome, why, .. } => (outcome, why),
            Plan::Throttle | Plan::WouldThrottle => {
                (Outcome::AlreadyTripped, "decided moments ago".to_owned())
            }
        };
        Decision::new(function.clone(), outcome, reason.rule(), format!("{reason}; {why}"))
    }

    async fn throttle(
        &self,
        state: &FunctionState,
        reason: &Reason,
        now: Timestamp,
        decision: &mut Decision,
    ) {
        let function = &state.function;
        let record = TripRecord {
            tripped_at: now,
            previous_concurrency: previous_for_record(state),
            reason: reason.to_string(),
            alert_pending: true,
        };
        // The record goes first so that a crash between the two calls never leaves a throttled
        // function without the means to restore it.
        if let Err(err) = self.throttler.write_trip_record(function, &record).await {
            warn!(function = %function, error = %err, "trip record not written; throttling anyway");
            decision.errors.push(err.to_string());
        }
        self.complete_trip(state, reason, now, decision).await;
    }

    async fn complete_trip(
        &self,
        state: &FunctionState,
        reason: &Reason,
        now: Timestamp,
        decision: &mut Decision,
    ) {
        let function = &state.function;
        match self.throttler.set_reserved_concurrency(function, Some(0)).await {
            Ok(()) => {
                info!(function = %function, rule = reason.rule(), reason = %reason, "throttled");
                decision.outcome = Outcome::Throttled;
            }
            Err(err) => {
                error!(function = %function, error = %err, "throttle failed");
                decision.outcome = Outcome::Failed;
                self.policy.trip_failed(function);
                decision.retryable |= err.retryable;
                decision.errors.push(err.to_string());
            }
        }
        self.alert(state, reason, now, decision).await;
    }

    async fn alert(&self, state: &FunctionState, reason: &Reason, now: Timestamp, decision: &mut Decision) {
        self.alert_resending(state, reason, now, decision, false).await;
    }

    /// Publishes the alert for `decision`. `resend` marks the re-send of a trip's alert that an earlier
    /// invocation could not publish: on-call has not heard of the trip yet, so it reads as the trip
    /// ("THROTTLED", not "ALREADY THROTTLED"), and a failure is again worth a retry.
    async fn alert_resending(
        &self,
        state: &FunctionState,
        reason: &Reason,
        now: Timestamp,
        decision: &mut Decision,
        resend: bool,
    ) {
        let error = (!decision.errors.is_empty()).then(|| decision.errors.join("; "));
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
            max_trips_per_hour: self.max_trips_per_hour,
            error: error.as_deref(),
            context: AlertContext { account: self.account, region: self.region, at: now },
        });
        match self.notifier.publish(&alert).await {
            Ok(()) => {
                decision.alerted = true;
                let has_record =
                    state.trip.is_some() || matches!(decision.outcome, Outcome::Throttled | Outcome::Failed);
                if has_record && let Err(err) = self.throttler.mark_alerted(&state.function).await {
                    // Worst case a retry sends the alert twice; never zero times.
                    warn!(function = %state.function, error = %err, "alert-pending tag not cleared");
                }
            }
            Err(err) => {
                error!(function = %state.function, error = %err, "alert not published");
                // A lost alert for a real trip is worth a retry: the retry finds the trip record
                // still marked `alert-pending` and re-sends it.
                decision.retryable |= err.retryable && shown == Outcome::Throttled;
                decision.errors.push(err.to_string());
            }
        }
    }
}

/// The value to record as "previous": the current reservation, unless the guard's own record says
/// otherwise (never 0 set by the guard, never overwritten).
fn previous_for_record(state: &FunctionState) -> crate::ports::Reservation {
    match &state.trip {
        Some(trip) => trip.previous_concurrency,
        None => state.reserved_concurrency,
    }
}

/// A trip record without the throttle (an earlier invocation failed between the two calls), and no
/// re-enable under way: a re-enable marks `reenabled-at` before it restores concurrency.
fn unfinished_trip(state: &FunctionState) -> bool {
    match &state.trip {
        Some(trip) => {
            state.reserved_concurrency != Some(0) && state.reenabled_at.is_none_or(|at| at < trip.tripped_at)
        }
        None => false,
    }
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

fn failed_read(function: &FunctionName, reason: &Reason, err: PortError) -> Decision {
    error!(function = %function, error = %err, "could not read function state");
    let mut decision = Decision::new(function.clone(), Outcome::Failed, reason.rule(), reason.to_string());
    decision.retryable = err.retryable;
    decision.errors.push(err.to_string());
    decision
}
