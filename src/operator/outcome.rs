//! What `reenable` is asked, what it answers, and why it refuses: typed, so the CLI prints each
//! outcome with the facts it needs (who, when, restored value).

use serde::Serialize;

use super::text::{optional_rfc3339, reservation, rfc3339};
use crate::name::FunctionName;
use crate::ports::{MappingId, PortError, Reservation};
use crate::time::Timestamp;

/// What the operator asked `reenable` to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReenableRequest {
    /// The function.
    pub function: FunctionName,
    /// `--to N` / `--to none`: the value to restore, as the trip alert names it when the record
    /// could not be written. With a record, it must agree with the record unless `force`.
    pub to: Option<Reservation>,
    /// `--force`: lift a 0 that has no record (removes the reservation), let `to` override a
    /// verified record, and restore without reading the account's unreserved concurrency.
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
    /// The restored reservation: `None` deleted it, `Some(n)` put `n` back (JSON: `"none"` or `"n"`).
    #[serde(serialize_with = "reservation")]
    pub restored: Reservation,
    /// Where that value came from.
    pub source: RestoreSource,
    /// When the re-enable happened (starts the grace period; JSON: RFC 3339).
    #[serde(serialize_with = "rfc3339")]
    pub reenabled_at: Timestamp,
    /// Who did it.
    pub caller: String,
    /// When an earlier re-enable had started and not finished (this one finished it).
    #[serde(serialize_with = "optional_rfc3339")]
    pub finished_earlier: Option<Timestamp>,
    /// Whether the trip record was removed (`false`: run `reenable` again to remove it; detection
    /// is not muted meanwhile).
    pub record_cleared: bool,
    /// The event source mappings re-enabled: those the trip paused (JSON: omitted when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resumed_mappings: Vec<MappingId>,
    /// What was done to the event-invoke configuration the trip's parking replaced (JSON: omitted
    /// when nothing was).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoke_config: Option<super::Unparked>,
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
        #[serde(serialize_with = "reservation")]
        reserved: Reservation,
    },
    /// Already re-enabled (no record, not at 0): nothing done, no page, no new grace period.
    AlreadyReenabled {
        /// The function.
        function: FunctionName,
        /// When.
        #[serde(serialize_with = "rfc3339")]
        at: Timestamp,
        /// By whom (caller ARN), when recorded.
        by: Option<String>,
        /// Its reservation now, unchanged.
        #[serde(serialize_with = "reservation")]
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
    /// The trip record's MAC does not verify (forged, edited, or written before records were
    /// signed) and no `--to` was given: nothing is restored from such a record.
    #[error(
        "{function}'s trip record is {check}; reenable never restores a value from it: pass --to N with \
         the reserved concurrency to restore (--to none removes the reservation)"
    )]
    UnverifiedRecord {
        /// The function.
        function: FunctionName,
        /// What checking the record found.
        check: String,
    },
    /// The restore would leave the account fewer than `MIN_UNRESERVED` (100) unreserved executions.
    #[error(
        "restoring {function} to {restore} would leave the account fewer than {min} unreserved concurrent \
         executions (it has {unreserved}); restore less with --to N, or add --force",
        min = crate::alert::MIN_UNRESERVED
    )]
    AccountCannotSpare {
        /// The function.
        function: FunctionName,
        /// The value it was to get.
        restore: u32,
        /// The account's unreserved concurrency now.
        unreserved: u32,
    },
    /// The account's unreserved concurrency could not be read, so the restore was not checked.
    #[error(
        "cannot read the account's unreserved concurrency ({why}), so restoring {function} to {restore} \
         was not checked; add --force to restore it without the check"
    )]
    AccountSettingsUnreadable {
        /// The function.
        function: FunctionName,
        /// The value it was to get.
        restore: u32,
        /// Why it could not be read.
        why: String,
        /// The failed call, when one failed.
        #[source]
        source: Option<Box<PortError>>,
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
    /// Concurrency was restored but re-enabling a mapping the trip paused failed: the record stays
    /// (listed by `status`), and running `reenable` again finishes it.
    #[error(
        "{function}: concurrency restored, but re-enabling event source mapping {mapping} failed (the \
         record is kept; run reenable again): {source}"
    )]
    ResumeFailed {
        /// The function.
        function: FunctionName,
        /// The mapping whose update failed.
        mapping: MappingId,
        /// Mappings re-enabled before it.
        resumed: Vec<MappingId>,
        /// Warnings gathered before the failure.
        warnings: Vec<String>,
        /// The failed call.
        #[source]
        source: Box<PortError>,
    },
    /// Concurrency was restored but putting back the event-invoke configuration the trip's parking
    /// replaced failed: the record stays (listed by `status`), and running `reenable` again finishes it.
    #[error(
        "{function}: concurrency restored, but its event-invoke configuration was not put back (the \
         record is kept; run reenable again): {source}"
    )]
    UnparkFailed {
        /// The function.
        function: FunctionName,
        /// Warnings gathered before the failure.
        warnings: Vec<String>,
        /// The failed call.
        #[source]
        source: Box<PortError>,
    },
    /// An AWS call failed before anything changed.
    #[error(transparent)]
    Port(#[from] PortError),
}
