//! What `reenable` restores, and whether the account can spare it: the value comes from a verified
//! trip record or from the operator's `--to`, never from a record whose MAC does not verify; and a
//! restore that would leave the account fewer than [`MIN_UNRESERVED`] unreserved executions is
//! refused unless `--force` (which skips reading the account settings altogether).

use super::{ReenableError, ReenableOutcome, ReenableRequest, RestoreSource};
use crate::alert::MIN_UNRESERVED;
use crate::ports::{CheckedRecord, FunctionState, RecordCheck, Reservation, Throttler};
use crate::report::reservation_text;

pub(super) enum Plan {
    Restore(Reservation, RestoreSource),
    Nothing(ReenableOutcome),
}

/// A verified record that does not describe the function now (it names another value while the
/// function is not throttled) is acted on no more than an unverified one: restoring it would put
/// back a value from an earlier trip, or undo what someone set since.
pub(super) fn judged(mut checked: CheckedRecord, current: Reservation) -> CheckedRecord {
    if checked.check.is_verified() && !checked.record.describes(current) {
        checked.check = RecordCheck::Outdated(format!(
            "it names {}, but the function is not throttled and has {} (a record copied back, or a \
             function changed since its trip)",
            reservation_text(checked.record.previous_concurrency),
            reservation_text(current)
        ));
    }
    checked
}

/// What to restore, from the record, the request and the current reservation; no I/O.
pub(super) fn plan(
    state: &FunctionState,
    record: Option<&CheckedRecord>,
    request: &ReenableRequest,
) -> Result<Plan, ReenableError> {
    let function = &request.function;
    if request.to == Some(Some(0)) {
        return Err(ReenableError::RestoreToZero(function.clone()));
    }
    match record {
        Some(checked) if checked.check.is_verified() => {
            let previous = checked.record.previous_concurrency;
            return match request.to {
                Some(to) if to != previous && !request.force => Err(ReenableError::ConflictsWithRecord {
                    function: function.clone(),
                    recorded: reservation_text(previous),
                    requested: reservation_text(to),
                }),
                Some(to) => Ok(Plan::Restore(to, RestoreSource::Operator)),
                None => Ok(Plan::Restore(previous, RestoreSource::Record)),
            };
        }
        Some(checked) => {
            return match request.to {
                Some(to) => Ok(Plan::Restore(to, RestoreSource::Operator)),
                None => Err(ReenableError::UnverifiedRecord {
                    function: function.clone(),
                    check: checked.check.to_string(),
                }),
            };
        }
        None => {}
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

/// The account's unreserved concurrency before a restore that raises the function's reservation,
/// refusing one that would leave less than [`MIN_UNRESERVED`], or that cannot be checked, unless
/// `force`. A restore that raises nothing (removing the reservation, or a value at or below the
/// current one) takes nothing from the account and reads nothing.
pub(super) async fn check_unreserved<T: Throttler>(
    throttler: &T,
    state: &FunctionState,
    restore: Reservation,
    force: bool,
) -> Result<Option<u32>, ReenableError> {
    let current = state.reserved_concurrency.unwrap_or(0);
    let Some(raise) = restore.and_then(|n| n.checked_sub(current)).filter(|raise| *raise > 0) else {
        return Ok(None);
    };
    if force {
        return Ok(None);
    }
    let function = state.function.clone();
    let restore = restore.unwrap_or_default();
    match throttler.unreserved_concurrency().await {
        Ok(Some(free)) if leaves_enough(free, raise) => Ok(Some(free)),
        Ok(Some(free)) => Err(ReenableError::AccountCannotSpare { function, restore, unreserved: free }),
        Ok(None) => Err(ReenableError::AccountSettingsUnreadable {
            function,
            restore,
            why: "GetAccountSettings is not answered here".to_owned(),
            source: None,
        }),
        Err(err) => Err(ReenableError::AccountSettingsUnreadable {
            function,
            restore,
            why: err.to_string(),
            source: Some(Box::new(err)),
        }),
    }
}

/// The one rule: taking `raise` more executions out of `free` unreserved must leave at least
/// [`MIN_UNRESERVED`] (what Lambda keeps for functions without a reservation).
fn leaves_enough(free: u32, raise: u32) -> bool {
    free.checked_sub(raise).is_some_and(|left| left >= MIN_UNRESERVED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_least_the_minimum_must_stay_unreserved() {
        assert!(leaves_enough(1000, 900));
        assert!(!leaves_enough(999, 900));
        assert!(!leaves_enough(50, 900));
        assert!(leaves_enough(100, 0));
        assert!(!leaves_enough(99, 0));
    }
}
