//! Throttles that hold no durable record yet: the trip record could not be written and the alert
//! could not be published. The previous value is then only in this container's memory and in the
//! ERROR log line; the invocation fails so Lambda retries it, and the retry writes the record or
//! publishes the alert from what is kept here (see docs/limits-and-faults.md, "The record invariant").

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use crate::name::FunctionName;
use crate::ports::TripRecord;
use crate::time::Timestamp;

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
