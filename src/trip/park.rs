//! Parking the offender's asynchronous events with the trip. At reserved concurrency 0 Lambda sends
//! each asynchronous event at once, without retries, to the function's DLQ or on-failure
//! destination, and drops it when there is neither. So a trip of a function with neither first
//! gives it the guard's parking queue as on-failure destination: the configuration it replaces
//! goes into the trip record (written before the change, like the previous concurrency) and
//! `reenable` puts it back. A function with its own DLQ or destination keeps it. Every tripped
//! function counts as asynchronously invoked: any principal allowed to invoke it can send it events
//! (`InvocationType=Event`), which no listing of triggers reveals, and a parking no event uses costs
//! nothing. When Lambda refuses the queue, the trip goes on and the alert says the events are dropped.

use tracing::{info, warn};

use super::{Record, TripContext};
use crate::aws::trip_tags::format_invoke_config;
use crate::ports::{FailureTarget, FunctionState, Notifier, Parked, Parking, Throttler};
use crate::report::Decision;

/// What a new trip does about the function's asynchronous events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ParkPlan {
    /// Nothing: it has a DLQ or destination of its own, or no parking queue is configured.
    Keep,
    /// Record this parking, then set the queue as on-failure destination.
    Park(Parked),
    /// An earlier trip's parking is still in place (its re-enable did not finish): record it again.
    Carried(Parked),
    /// Parking is needed but cannot be done safely: events are dropped, for this reason.
    Cannot(String),
}

impl ParkPlan {
    /// The parking the trip record holds.
    pub(super) fn recorded(&self) -> Option<Parked> {
        match self {
            Self::Park(parked) | Self::Carried(parked) => Some(parked.clone()),
            Self::Keep | Self::Cannot(_) => None,
        }
    }
}

impl<T: Throttler, N: Notifier> TripContext<'_, T, N> {
    /// Decides the parking of a new trip from the function's state (and, when it would park, its
    /// current event-invoke configuration, which the record keeps).
    pub(super) async fn plan_park(&self, state: &FunctionState) -> ParkPlan {
        let Some(queue) = self.parking_queue else { return ParkPlan::Keep };
        if let Some(earlier) = still_parked(state) {
            return ParkPlan::Carried(earlier.clone());
        }
        match &state.failure_target {
            FailureTarget::DeadLetter(_) | FailureTarget::Destination(_) => ParkPlan::Keep,
            FailureTarget::Unknown => {
                ParkPlan::Cannot("its event-invoke configuration could not be read".to_owned())
            }
            FailureTarget::Dropped => match self.throttler.event_invoke_config(&state.function).await {
                Err(err) => ParkPlan::Cannot(format!("its event-invoke configuration could not be read ({err})")),
                Ok(previous) if format_invoke_config(previous.as_ref()).is_none() => ParkPlan::Cannot(
                    "its event-invoke configuration does not fit in the trip record, so it could not be restored"
                        .to_owned(),
                ),
                Ok(previous) => ParkPlan::Park(Parked { queue: queue.to_owned(), previous }),
            },
        }
    }

    /// Sets the parking queue as on-failure destination, after the record naming the previous
    /// configuration was written; never when it was not (the guard changes nothing it could not undo).
    pub(super) async fn park(
        &self,
        state: &FunctionState,
        plan: ParkPlan,
        record: Record,
        decision: &mut Decision,
    ) -> Option<Parking> {
        match plan {
            ParkPlan::Keep => None,
            ParkPlan::Cannot(why) => Some(Parking::NotParked { why }),
            ParkPlan::Carried(parked) => Some(Parking::Parked { queue: parked.queue }),
            ParkPlan::Park(_) if record == Record::Missing => Some(Parking::NotParked {
                why:
                    "the trip record could not be written, and the guard changes nothing it could not restore"
                        .to_owned(),
            }),
            ParkPlan::Park(parked) => Some(self.put_parking(state, &parked, decision).await),
        }
    }

    /// A trip record in force whose parking may not have happened (an earlier invocation failed
    /// between the record and the throttle): parks again when async events would be dropped.
    pub(super) async fn finish_park(
        &self,
        state: &FunctionState,
        decision: &mut Decision,
    ) -> Option<Parking> {
        let parked = state.active_trip()?.parked.as_ref()?;
        match &state.failure_target {
            FailureTarget::Dropped => Some(self.put_parking(state, parked, decision).await),
            FailureTarget::Destination(arn) if *arn == parked.queue => {
                Some(Parking::Parked { queue: parked.queue.clone() })
            }
            _ => None,
        }
    }

    /// Dry run: what a trip would do, changing nothing.
    pub(super) fn would_park(&self, state: &FunctionState) -> Option<Parking> {
        let queue = self.parking_queue?;
        (state.failure_target == FailureTarget::Dropped)
            .then(|| Parking::WouldPark { queue: queue.to_owned() })
    }

    async fn put_parking(&self, state: &FunctionState, parked: &Parked, decision: &mut Decision) -> Parking {
        let function = &state.function;
        let config = parked.previous.clone().unwrap_or_default().parked_in(&parked.queue);
        match self.throttler.set_event_invoke_config(function, Some(&config)).await {
            Ok(()) => {
                info!(function = %function, queue = %parked.queue, "asynchronous events parked");
                Parking::Parked { queue: parked.queue.clone() }
            }
            Err(err) => {
                // Containment goes on: the throttle matters more than the events it turns away.
                warn!(function = %function, error = %err, "parking refused; asynchronous events are dropped");
                decision.errors.push(format!("asynchronous events not parked: {err}"));
                Parking::NotParked {
                    why: format!(
                        "Lambda refused the parking queue as its on-failure destination ({})",
                        err.message
                    ),
                }
            }
        }
    }
}

/// The parking of an earlier trip whose re-enable did not finish (its record is still there, no
/// longer in force) while the parking queue is still the on-failure destination: a new trip keeps
/// it in its record so that `reenable` restores the configuration from before the first trip.
fn still_parked(state: &FunctionState) -> Option<&Parked> {
    let earlier = match (&state.trip, state.active_trip()) {
        (Some(earlier), None) => earlier.parked.as_ref()?,
        _ => return None,
    };
    (state.failure_target == FailureTarget::Destination(earlier.queue.clone())).then_some(earlier)
}
