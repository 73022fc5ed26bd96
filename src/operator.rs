//! Operator actions outside the event path: `status` and `reenable`. Both keep the invariant of
//! docs/trip-and-restore.md: a function the guard set to 0 is listed by `status`, and `reenable`
//! restores its true previous value (from the record, or from the `--to` value its alert names),
//! finishing any re-enable that did not.

use tracing::{info, warn};

use crate::alert::{AlertContext, MIN_UNRESERVED, ReenableFacts};
use crate::ports::{
    Caller, FunctionState, Identity, MappingId, Notifier, ReenableMark, Reservation, Throttler,
};
use crate::report::reservation_text;
use crate::time::Timestamp;

mod outcome;
mod status;
mod text;

pub use outcome::{ReenableError, ReenableOutcome, ReenableRequest, RestoreSource, Restored};
pub use status::{StatusEntry, status};

/// The ports `reenable` uses.
pub struct ReenablePorts<'a, T, N, I> {
    /// Lambda.
    pub throttler: &'a T,
    /// SNS.
    pub notifier: &'a N,
    /// STS.
    pub identity: &'a I,
}

/// Restores what the request and the record say (Put n, or Delete for `none`), clears the record,
/// starts the grace period and alerts with who did it; or says why nothing needed doing.
pub async fn reenable<T: Throttler, N: Notifier, I: Identity>(
    ports: ReenablePorts<'_, T, N, I>,
    region: Option<&str>,
    request: &ReenableRequest,
    now: Timestamp,
) -> Result<ReenableOutcome, ReenableError> {
    let function = &request.function;
    let state = ports.throttler.function_state(function).await?;
    let (restore, source) = match plan_restore(&state, request)? {
        Plan::Restore(value, source) => (value, source),
        Plan::Nothing(outcome) => return Ok(outcome),
    };
    let mut warnings = Vec::new();
    let unreserved_before = unreserved(ports.throttler, restore, &mut warnings).await;
    let caller = ports.identity.caller().await.unwrap_or_else(|err| {
        warn!(error = %err, "caller identity unknown");
        Caller { arn: "unknown caller (GetCallerIdentity failed)".to_owned(), account: String::new() }
    });
    let mark = ReenableMark { at: now, by: caller.arn.clone() };
    // Mark first: a trip racing this re-enable then leaves the function alone instead of
    // re-throttling it between the restore and the record being cleared.
    ports.throttler.mark_reenabling(function, &mark).await?;
    if let Err(source) = ports.throttler.set_reserved_concurrency(function, restore).await {
        let value = reservation_text(restore);
        let source = Box::new(source);
        return Err(ReenableError::RestoreFailed { function: function.clone(), value, warnings, source });
    }
    // After the restore: a poller resumed against a function still at 0 would count throttled
    // receives toward maxReceiveCount.
    let resumed = resume_mappings(ports.throttler, &state, &mut warnings).await?;
    let record_cleared = match &state.trip {
        None => true,
        Some(_) => match ports.throttler.clear_trip_record(function, &mark).await {
            Ok(()) => true,
            Err(err) => {
                warnings.push(format!("trip record not removed ({err}); run reenable again to remove it"));
                false
            }
        },
    };
    info!(function = %function, restored = %reservation_text(restore), caller = %crate::sanitise::Plain(&caller.arn), "re-enabled");
    let alert = crate::alert::reenable_alert(&ReenableFacts {
        function,
        caller: &caller,
        restored: restore,
        resumed: &resumed,
        unreserved_before,
        tripped_reason: state.trip.as_ref().map(|t| t.reason.as_str()),
        context: AlertContext {
            account: Some(caller.account.as_str()).filter(|a| !a.is_empty()),
            region,
            at: now,
        },
    });
    let alerted = match ports.notifier.publish(&alert).await {
        Ok(()) => true,
        Err(err) => {
            warnings.push(format!("alert not published: {err}"));
            false
        }
    };
    Ok(ReenableOutcome::Restored(Restored {
        function: function.clone(),
        restored: restore,
        source,
        reenabled_at: now,
        caller: caller.arn,
        finished_earlier: state.reenable_started(),
        record_cleared,
        resumed_mappings: resumed,
        warnings,
        alerted,
    }))
}

/// Re-enables the mappings the trip record says the guard paused, and no other. A mapping deleted
/// since is a warning; any other failure stops the re-enable with the record kept, so running
/// `reenable` again finishes it.
async fn resume_mappings<T: Throttler>(
    throttler: &T,
    state: &FunctionState,
    warnings: &mut Vec<String>,
) -> Result<Vec<MappingId>, ReenableError> {
    let function = &state.function;
    let recorded = state.trip.as_ref().map(|t| t.paused_mappings.as_slice()).unwrap_or_default();
    let mut resumed = Vec::with_capacity(recorded.len());
    for id in recorded {
        match throttler.set_mapping_enabled(function, id, true).await {
            Ok(()) => resumed.push(id.clone()),
            Err(err) if err.not_found => {
                warnings.push(format!("event source mapping {id} no longer exists; nothing to re-enable"));
            }
            Err(err) => {
                let (mapping, source) = (id.clone(), Box::new(err));
                let resumed = std::mem::take(&mut resumed);
                let warnings = std::mem::take(warnings);
                return Err(ReenableError::ResumeFailed {
                    function: function.clone(),
                    mapping,
                    resumed,
                    warnings,
                    source,
                });
            }
        }
    }
    Ok(resumed)
}

enum Plan {
    Restore(Reservation, RestoreSource),
    Nothing(ReenableOutcome),
}

/// What to restore, from the record, the request and the current reservation; no I/O.
fn plan_restore(state: &FunctionState, request: &ReenableRequest) -> Result<Plan, ReenableError> {
    let function = &request.function;
    if request.to == Some(Some(0)) {
        return Err(ReenableError::RestoreToZero(function.clone()));
    }
    if let Some(trip) = &state.trip {
        return match request.to {
            Some(to) if to != trip.previous_concurrency && !request.force => {
                Err(ReenableError::ConflictsWithRecord {
                    function: function.clone(),
                    recorded: reservation_text(trip.previous_concurrency),
                    requested: reservation_text(to),
                })
            }
            Some(to) => Ok(Plan::Restore(to, RestoreSource::Operator)),
            None => Ok(Plan::Restore(trip.previous_concurrency, RestoreSource::Record)),
        };
    }
    if state.reserved_concurrency == Some(0) {
        return match (request.to, request.force) {
            (Some(to), _) => Ok(Plan::Restore(to, RestoreSource::Operator)),
            (None, true) => Ok(Plan::Restore(None, RestoreSource::Forced)),
            (None, false) => Err(ReenableError::NoRecordAtZero(function.clone())),
        };
    }
    let reserved = state.reserved_concurrency;
    Ok(Plan::Nothing(match state.reenabled_at {
        Some(at) => ReenableOutcome::AlreadyReenabled {
            function: function.clone(),
            at,
            by: state.reenabled_by.clone(),
            reserved,
        },
        None => ReenableOutcome::NothingToDo { function: function.clone(), reserved },
    }))
}

/// The account's unreserved concurrency before restoring `restore`, warning when it will not fit.
async fn unreserved<T: Throttler>(
    throttler: &T,
    restore: Reservation,
    warnings: &mut Vec<String>,
) -> Option<u32> {
    let n = restore?;
    match throttler.unreserved_concurrency().await {
        Ok(free) => {
            warnings.extend(free.and_then(|free| unreserved_warning(free, n)));
            free
        }
        Err(err) => {
            warnings.push(format!("could not check unreserved concurrency: {err}"));
            None
        }
    }
}

fn unreserved_warning(free: u32, restore: u32) -> Option<String> {
    (free < restore.saturating_add(MIN_UNRESERVED)).then(|| {
        format!(
            "the account has {free} unreserved concurrency; restoring {restore} needs at least {} \
             (Lambda keeps {MIN_UNRESERVED} unreserved), so the restore may be refused",
            restore.saturating_add(MIN_UNRESERVED)
        )
    })
}

#[cfg(test)]
mod tests;
