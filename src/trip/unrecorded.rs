//! Throttles that hold no durable record yet: the trip record could not be written and the alert
//! could not be published. The previous value is then only in this container's memory and in the
//! ERROR log line; the invocation fails so Lambda retries it, and the retry writes the record or
//! publishes the alert from what is kept here (see docs/limits-and-faults.md, "The record invariant").

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use tracing::error;

use super::pause::Sources;
use super::{Publish, Record, TripContext};
use crate::name::FunctionName;
use crate::ports::{FunctionState, Notifier, Throttler, TripRecord};
use crate::report::{Decision, Outcome, reservation_text};
use crate::time::Timestamp;
use crate::verdict::Reason;

/// A throttle whose previous value nothing durable holds yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrecorded {
    /// When the function was throttled.
    pub tripped_at: Timestamp,
    /// The record the throttle could not write (it names the previous value).
    pub record: TripRecord,
}

/// Per-container memory of [`Unrecorded`] throttles, by function.
#[derive(Debug, Default)]
pub struct UnrecordedTrips(Mutex<HashMap<FunctionName, Unrecorded>>);

impl UnrecordedTrips {
    /// Remembers that `function` was throttled with no durable record of `trip.record`'s previous value.
    pub fn remember(&self, function: &FunctionName, trip: Unrecorded) {
        self.lock().insert(function.clone(), trip);
    }

    /// The unrecorded throttle of `function`, if this container holds one.
    pub fn get(&self, function: &FunctionName) -> Option<Unrecorded> {
        self.lock().get(function).cloned()
    }

    /// A durable record of `function`'s previous value now exists (tags or a published alert).
    pub fn forget(&self, function: &FunctionName) {
        self.lock().remove(function);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<FunctionName, Unrecorded>> {
        // A poisoned map still holds the values; losing them would lose the only copy.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl<T: Throttler, N: Notifier> TripContext<'_, T, N> {
    /// Writes `record`; a failure is logged at ERROR with the previous value, the one place that
    /// value is then sure to survive if the alert fails too.
    pub(super) async fn write_record(
        &self,
        function: &FunctionName,
        record: &TripRecord,
        decision: &mut Decision,
    ) -> Record {
        match self.throttler.write_trip_record(function, record).await {
            Ok(()) => Record::Kept,
            Err(err) => {
                let previous = reservation_text(record.previous_concurrency);
                error!(function = %function, previous_concurrency = %previous, error = %err, "trip record not written; throttling anyway");
                decision.errors.push(format!("trip record not written: {err}"));
                Record::Missing
            }
        }
    }

    /// The record invariant: a throttle with neither its record written nor its alert published
    /// fails the invocation (retried whatever the errors were), logs the previous value at ERROR,
    /// and stays remembered so the retry writes the record or publishes the alert.
    pub(super) fn hold_unrecorded(
        &self,
        function: &FunctionName,
        record: TripRecord,
        written: Record,
        decision: &mut Decision,
    ) {
        if written == Record::Kept || decision.alerted {
            self.unrecorded.forget(function);
            return;
        }
        let previous = reservation_text(record.previous_concurrency);
        error!(
            function = %function,
            previous_concurrency = %previous,
            "throttled with no trip record and no alert; restore with: runaway-guard reenable {function} --to {previous}"
        );
        decision.retryable = true;
        decision.errors.push(format!(
            "no trip record and no alert hold the previous reserved concurrency ({previous}); retrying until one does"
        ));
        self.unrecorded.remember(function, Unrecorded { tripped_at: record.tripped_at, record });
    }

    /// A retry of a throttle that `unrecorded` holds: writes its record, then publishes its alert
    /// (as the trip, since on-call has not heard of it).
    pub(super) async fn record_again(
        &self,
        state: &FunctionState,
        reason: &Reason,
        now: Timestamp,
        decision: &mut Decision,
        unrecorded: Unrecorded,
    ) {
        let function = &state.function;
        let written = self.write_record(function, &unrecorded.record, decision).await;
        let recorded = FunctionState { trip: Some(unrecorded.record.clone()), ..state.clone() };
        decision.outcome = Outcome::AlreadyTripped;
        decision.previous_concurrency = Some(reservation_text(unrecorded.record.previous_concurrency));
        decision.reason = format!(
            "{reason}; throttled at {} with no durable record of the previous value",
            unrecorded.tripped_at
        );
        let how =
            Publish { record: written, resend: true, sources: &Sources::NotRead, note: None, parking: None };
        self.publish(&recorded, reason, now, decision, how).await;
        self.hold_unrecorded(function, unrecorded.record, written, decision);
    }
}
