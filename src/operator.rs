//! Operator actions outside the event path: `status` and `reenable`.

use serde::Serialize;
use tracing::{info, warn};

use crate::alert::{AlertContext, MIN_UNRESERVED, ReenableFacts};
use crate::name::FunctionName;
use crate::ports::{Caller, Identity, Notifier, PortError, Reservation, Throttler, TrippedFunction};
use crate::report::reservation_text;
use crate::time::Timestamp;

/// One line of `runaway-guard status --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusEntry {
    /// The function.
    pub function: FunctionName,
    /// RFC 3339 time of the trip.
    pub tripped_at: String,
    /// Why.
    pub reason: String,
    /// `none` or the integer to restore.
    pub previous_concurrency: String,
}

impl From<TrippedFunction> for StatusEntry {
    fn from(t: TrippedFunction) -> Self {
        Self {
            function: t.function,
            tripped_at: t.record.tripped_at.to_rfc3339(),
            reason: t.record.reason,
            previous_concurrency: reservation_text(t.record.previous_concurrency),
        }
    }
}

/// Functions the guard has tripped, by name.
pub async fn status<T: Throttler>(throttler: &T) -> Result<Vec<StatusEntry>, PortError> {
    let mut tripped = throttler.list_tripped().await?;
    tripped.sort_by(|a, b| a.function.cmp(&b.function));
    Ok(tripped.into_iter().map(StatusEntry::from).collect())
}

/// What `reenable` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reenabled {
    /// The function.
    pub function: FunctionName,
    /// The restored reservation: `none` (deleted) or the integer put back.
    pub restored: String,
    /// RFC 3339 time of the re-enable (starts the grace period).
    pub reenabled_at: String,
    /// Who did it.
    pub caller: String,
    /// Warnings (e.g. the account lacks unreserved concurrency).
    pub warnings: Vec<String>,
    /// Whether the alert went out.
    pub alerted: bool,
}

/// Why `reenable` refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ReenableError {
    /// The function carries no trip record and `--force` was not given.
    #[error("{0} was not tripped by runaway-guard (no trip record); use --force to restore it anyway")]
    NotTripped(FunctionName),
    /// An AWS call failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Restores the recorded concurrency (Put n, or Delete when `none`), clears the record, starts
/// the grace period and alerts with who did it.
pub async fn reenable<T: Throttler, N: Notifier, I: Identity>(
    ports: (&T, &N, &I),
    region: Option<&str>,
    function: &FunctionName,
    force: bool,
    now: Timestamp,
) -> Result<Reenabled, ReenableError> {
    let (throttler, notifier, identity) = ports;
    let state = throttler.function_state(function).await?;
    let tripped_reason = state.trip.as_ref().map(|t| t.reason.clone());
    let restore: Reservation = match (&state.trip, force) {
        (Some(trip), _) => trip.previous_concurrency,
        // Forced on an untripped function: a 0 is lifted, any other reservation is kept.
        (None, true) => state.reserved_concurrency.filter(|n| *n > 0),
        (None, false) => return Err(ReenableError::NotTripped(function.clone())),
    };
    let mut warnings = Vec::new();
    let mut unreserved_before = None;
    if let Some(n) = restore {
        match throttler.unreserved_concurrency().await {
            Ok(free) => {
                unreserved_before = free;
                warnings.extend(free.and_then(|free| unreserved_warning(free, n)));
            }
            Err(err) => warnings.push(format!("could not check unreserved concurrency: {err}")),
        }
    }
    // Mark first: a trip racing this re-enable then leaves the function alone instead of
    // re-throttling it between the restore and the record being cleared.
    throttler.mark_reenabling(function, now).await?;
    throttler.set_reserved_concurrency(function, restore).await?;
    throttler.clear_trip_record(function, now).await?;
    let caller = identity.caller().await.unwrap_or_else(|err| {
        warn!(error = %err, "caller identity unknown");
        Caller { arn: "unknown caller (GetCallerIdentity failed)".to_owned(), account: String::new() }
    });
    let restored = reservation_text(restore);
    info!(function = %function, restored = %restored, caller = %caller.arn, "re-enabled");
    let alert = crate::alert::reenable_alert(&ReenableFacts {
        function,
        caller: &caller,
        restored: restore,
        unreserved_before,
        tripped_reason: tripped_reason.as_deref(),
        context: AlertContext {
            account: Some(caller.account.as_str()).filter(|a| !a.is_empty()),
            region,
            at: now,
        },
    });
    let alerted = match notifier.publish(&alert).await {
        Ok(()) => true,
        Err(err) => {
            warnings.push(format!("alert not published: {err}"));
            false
        }
    };
    Ok(Reenabled {
        function: function.clone(),
        restored,
        reenabled_at: now.to_rfc3339(),
        caller: caller.arn,
        warnings,
        alerted,
    })
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
