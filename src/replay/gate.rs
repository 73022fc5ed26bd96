//! When a replay may start: only once the function is re-enabled. While it is still tripped (a
//! trip record is in force, or its reserved concurrency is 0) every replayed event would be turned
//! away again, straight back into its queue; and a record whose MAC does not verify is not taken
//! for anything, so it blocks the replay until `reenable` deals with it. Pure: the CLI reads the
//! record through the operator's reading and checking (`Throttler::trip_record`).

use crate::name::FunctionName;
use crate::ports::{CheckedRecord, Reservation};
use crate::report::reservation_text;

/// Why a replay refuses to start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GateError {
    /// A verified trip record is still on the function.
    #[error(
        "{function} is still tripped (trip record in force, reserved concurrency {reserved}); fix the \
         cause, run `runaway-guard reenable {function}`, then replay"
    )]
    StillTripped {
        /// The function.
        function: FunctionName,
        /// Its reserved concurrency now.
        reserved: String,
    },
    /// A record whose MAC does not verify.
    #[error(
        "{function} carries a trip record that is not verified ({check}); nothing acts on it: run \
         `runaway-guard reenable {function} --to N|none` to settle it, then replay"
    )]
    Unverified {
        /// The function.
        function: FunctionName,
        /// What checking found.
        check: String,
    },
    /// No record, but reserved concurrency 0: every invoke would be throttled.
    #[error(
        "{function} has reserved concurrency 0: every replayed event would be turned away again; \
         restore it first (`runaway-guard reenable {function} --to N|none`)"
    )]
    AtZero {
        /// The function.
        function: FunctionName,
    },
}

/// Refuses a replay while `function` (reserved concurrency `reserved`, trip record `record`) is
/// not re-enabled.
pub fn check(
    function: &FunctionName,
    reserved: Reservation,
    record: Option<&CheckedRecord>,
) -> Result<(), GateError> {
    match record {
        Some(checked) if !checked.check.is_verified() => {
            Err(GateError::Unverified { function: function.clone(), check: checked.check.to_string() })
        }
        Some(_) => {
            Err(GateError::StillTripped { function: function.clone(), reserved: reservation_text(reserved) })
        }
        None if reserved == Some(0) => Err(GateError::AtZero { function: function.clone() }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{RecordCheck, TripRecord};
    use crate::time::Timestamp;

    fn record(check: RecordCheck) -> CheckedRecord {
        let record = TripRecord {
            tripped_at: Timestamp::from_secs(1),
            previous_concurrency: None,
            reason: "depth".into(),
            alert_pending: false,
            paused_mappings: Vec::new(),
            tripped_by: None,
            parked: None,
        };
        CheckedRecord { record, check }
    }

    #[test]
    fn only_a_re_enabled_function_replays() {
        let f = FunctionName::new("orders").unwrap();
        assert_eq!(check(&f, None, None), Ok(()));
        assert_eq!(check(&f, Some(5), None), Ok(()));
        assert!(matches!(check(&f, Some(0), None), Err(GateError::AtZero { .. })));
        let verified = record(RecordCheck::Verified);
        assert!(matches!(check(&f, Some(0), Some(&verified)), Err(GateError::StillTripped { .. })));
        // A re-enable that did not finish leaves the record: still refused.
        assert!(matches!(check(&f, None, Some(&verified)), Err(GateError::StillTripped { .. })));
        let forged = record(RecordCheck::Unchecked("no MAC".into()));
        let err = check(&f, None, Some(&forged)).unwrap_err();
        assert!(matches!(err, GateError::Unverified { .. }) && err.to_string().contains("no MAC"), "{err}");
    }
}
