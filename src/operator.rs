//! Operator actions outside the event path: `status` and `reenable`. Both keep the invariant of
//! docs/trip-and-restore.md: a function the guard set to 0 is listed by `status`, and `reenable`
//! restores its true previous value (from the record, or from the `--to` value its alert names),
//! finishing any re-enable that did not.

use serde::Serialize;
use tracing::{info, warn};

use crate::alert::{AlertContext, MIN_UNRESERVED, ReenableFacts};
use crate::name::FunctionName;
use crate::ports::{
    Caller, FunctionState, Identity, Notifier, PortError, ReenableMark, Reservation, Throttler,
    TrippedFunction,
};
use crate::report::reservation_text;
use crate::time::Timestamp;

/// One line of `runaway-guard status --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusEntry {
    /// The function.
    pub function: FunctionName,
    /// RFC 3339 time of the trip; `unknown` when there is no record.
    pub tripped_at: String,
    /// Why (or, without a record, what to do).
    pub reason: String,
    /// `none` or the integer to restore; `unknown` when there is no record.
    pub previous_concurrency: String,
    /// Whether a trip record exists (`false`: at 0 without one; the trip alert names `--to N`).
    pub record: bool,
    /// The trip's alert has not been published yet.
    pub alert_pending: bool,
    /// RFC 3339 time of a re-enable that started after the trip and did not finish.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reenable_unfinished_since: Option<String>,
}

impl From<TrippedFunction> for StatusEntry {
    fn from(t: TrippedFunction) -> Self {
        let unfinished = t.reenable_started.map(Timestamp::to_rfc3339);
        match t.record {
            Some(record) => Self {
                function: t.function,
                tripped_at: record.tripped_at.to_rfc3339(),
                reason: record.reason,
                previous_concurrency: reservation_text(record.previous_concurrency),
                record: true,
                alert_pending: record.alert_pending,
                reenable_unfinished_since: unfinished,
            },
            None => Self {
                reason: format!(
                    "reserved concurrency 0 without a trip record; restore with: runaway-guard reenable {} \
                     --to N (the trip alert names N)",
                    t.function
                ),
                function: t.function,
                tripped_at: "unknown".to_owned(),
                previous_concurrency: "unknown".to_owned(),
                record: false,
                alert_pending: false,
                reenable_unfinished_since: unfinished,
            },
        }
    }
}

/// Functions the guard has tripped, by name, and functions at reserved concurrency 0 without a record.
pub async fn status<T: Throttler>(throttler: &T) -> Result<Vec<StatusEntry>, PortError> {
    let mut tripped = throttler.list_tripped().await?;
    tripped.sort_by(|a, b| a.function.cmp(&b.function));
    Ok(tripped.into_iter().map(StatusEntry::from).collect())
}

/// What the operator asked `reenable` to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReenableRequest {
    /// The function.
    pub function: FunctionName,
    /// `--to N` / `--to none`: the value to restore, as the trip alert names it when the record
    /// could not be written. With a record, it must agree with the record unless `force`.
    pub to: Option<Reservation>,
    /// `--force`: lift a 0 that has no record (removes the reservation), or let `to` override the record.
    pub force: bool,
}

/// Where the restored value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RestoreSource {
    /// The trip record.
    Record,
    /// The operator's `--to`.
    Operator,
    /// `--force` on a 0 without a record: the reservation is removed.
    Forced,
}

/// A re-enable that changed the function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Restored {
    /// The function.
    pub function: FunctionName,
    /// The restored reservation: `None` deleted it, `Some(n)` put `n` back.
    pub restored: Reservation,
    /// Where that value came from.
    pub source: RestoreSource,
    /// When the re-enable happened (starts the grace period).
    pub reenabled_at: Timestamp,
    /// Who did it.
    pub caller: String,
    /// When an earlier re-enable had started and not finished (this one finished it).
    pub finished_earlier: Option<Timestamp>,
    /// Whether the trip record was removed (`false`: run `reenable` again to remove it; detection
    /// is not muted meanwhile).
    pub record_cleared: bool,
    /// Warnings (e.g. the account lacks unreserved concurrency).
    pub warnings: Vec<String>,
    /// Whether the re-enable alert went out.
    pub alerted: bool,
}

/// What `reenable` found and did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ReenableOutcome {
    /// Restored: page sent, grace period started.
    Restored(Restored),
    /// Not tripped and not throttled: nothing done, no page, no grace period.
    NothingToDo {
        /// The function.
        function: FunctionName,
        /// Its reservation now, unchanged.
        reserved: Reservation,
    },
    /// Already re-enabled (no record, not at 0): nothing done, no page, no new grace period.
    AlreadyReenabled {
        /// The function.
        function: FunctionName,
        /// When.
        at: Timestamp,
        /// By whom (caller ARN), when recorded.
        by: Option<String>,
        /// Its reservation now, unchanged.
        reserved: Reservation,
    },
}

/// Why `reenable` refused or failed. Every refusal changes nothing.
#[derive(Debug, thiserror::Error)]
pub enum ReenableError {
    /// At 0 with no trip record, and neither `--to` nor `--force`: the value to restore is unknown here.
    #[error(
        "{0} is at reserved concurrency 0 with no trip record; restore it with --to N (the trip alert \
         names N; --to none removes the reservation), or --force to remove the reservation"
    )]
    NoRecordAtZero(FunctionName),
    /// `--to` disagrees with the trip record and `--force` was not given.
    #[error(
        "{function}: the trip record says to restore {recorded}, not {requested}; add --force to restore {requested}"
    )]
    ConflictsWithRecord {
        /// The function.
        function: FunctionName,
        /// What the record says.
        recorded: String,
        /// What `--to` asked.
        requested: String,
    },
    /// `--to 0` would keep the function throttled.
    #[error("--to 0 would keep {0} throttled; give the value to restore, or none to remove the reservation")]
    RestoreToZero(FunctionName),
    /// Restoring the concurrency failed: the function is still at 0 and still listed by `status`;
    /// running `reenable` again finishes it.
    #[error("restoring {function} to {value} failed (it is still throttled; run reenable again): {source}")]
    RestoreFailed {
        /// The function.
        function: FunctionName,
        /// The value it was to get.
        value: String,
        /// Warnings gathered before the failure (e.g. too little unreserved concurrency).
        warnings: Vec<String>,
        /// The failed call.
        #[source]
        source: Box<PortError>,
    },
    /// An AWS call failed before anything changed.
    #[error(transparent)]
    Port(#[from] PortError),
}

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
    info!(function = %function, restored = %reservation_text(restore), caller = %caller.arn, "re-enabled");
    let alert = crate::alert::reenable_alert(&ReenableFacts {
        function,
        caller: &caller,
        restored: restore,
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
        warnings,
        alerted,
    }))
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
