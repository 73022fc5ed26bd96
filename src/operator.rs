//! Operator actions outside the event path: `status` and `reenable`. Both keep the invariant of
//! docs/trip-and-restore.md: a function the guard set to 0 is listed by `status`, and `reenable`
//! restores its true previous value (from a verified record, or from the `--to` value its alert
//! names), finishing any re-enable that did not. Neither trusts a record whose MAC does not verify.

use tracing::{info, warn};

#[cfg(doc)]
use crate::alert::MIN_UNRESERVED;
use crate::alert::{AlertContext, ReenableFacts};
use crate::ports::{Caller, Identity, Notifier, ReenableMark, Throttler};
use crate::report::reservation_text;
use crate::time::Timestamp;

mod outcome;
mod restore;
mod resume;
mod status;
mod text;
mod unpark;

use restore::Plan;

pub use outcome::{ReenableError, ReenableOutcome, ReenableRequest, RestoreSource, Restored};
pub use status::{PausedMapping, StatusEntry, status};
pub use unpark::Unparked;

/// The ports `reenable` uses.
pub struct ReenablePorts<'a, T, N, I> {
    /// Lambda.
    pub throttler: &'a T,
    /// SNS.
    pub notifier: &'a N,
    /// STS.
    pub identity: &'a I,
}

/// Restores what the request and a verified record say (Put n, or Delete for `none`), clears the
/// record, starts the grace period and alerts with who did it; or says why nothing needed doing.
/// A record whose MAC does not verify is never restored from (`--to` is required), a restore that
/// would leave the account under [`MIN_UNRESERVED`] is refused unless forced, and only mappings the
/// verified record names and that feed this function are resumed.
pub async fn reenable<T: Throttler, N: Notifier, I: Identity>(
    ports: ReenablePorts<'_, T, N, I>,
    region: Option<&str>,
    request: &ReenableRequest,
    now: Timestamp,
) -> Result<ReenableOutcome, ReenableError> {
    let function = &request.function;
    let state = ports.throttler.function_state(function).await?;
    let record =
        ports.throttler.trip_record(function).await?.map(|r| restore::judged(r, state.reserved_concurrency));
    let (restore, source) = match restore::plan(&state, record.as_ref(), request)? {
        Plan::Restore(value, source) => (value, source),
        Plan::Nothing(outcome) => return Ok(outcome),
    };
    let unreserved_before =
        restore::check_unreserved(ports.throttler, &state, restore, request.force).await?;
    let verified = record.as_ref().filter(|r| r.check.is_verified()).map(|r| &r.record);
    let mut warnings = Vec::new();
    if let Some(unverified) = record.as_ref().filter(|r| !r.check.is_verified()) {
        warnings.extend(resume::unverified_warning(unverified));
        warnings.extend(unpark::unverified_warning(unverified));
    }
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
    let recorded = verified.map(|t| t.paused_mappings.as_slice()).unwrap_or_default();
    let resumed = resume::resume_mappings(ports.throttler, function, recorded, &mut warnings).await?;
    let invoke_config = match verified.and_then(|t| t.parked.as_ref()) {
        Some(parked) => {
            unpark::restore_invoke_config(ports.throttler, function, parked, &mut warnings).await?
        }
        None => None,
    };
    let record_cleared = match &record {
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
        tripped_reason: verified.map(|t| t.reason.as_str()),
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
        invoke_config,
        warnings,
        alerted,
    }))
}

#[cfg(test)]
mod tests;
