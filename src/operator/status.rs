//! `runaway-guard status`: every function the guard has tripped, and every function at reserved
//! concurrency 0 without a record (a trip whose record could not be written).

use serde::Serialize;

use super::text::{is_false, is_true};
use crate::handler::drift::drift_note_time;
use crate::name::FunctionName;
use crate::ports::{MappingId, PortError, RecordCheck, Throttler, TrippedFunction, Unreadable};
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
    /// Serialised only when `false`, so ordinary entries keep the four keys of the contract.
    #[serde(skip_serializing_if = "is_true")]
    pub record: bool,
    /// The trip's alert has not been published yet (serialised only when `true`).
    #[serde(skip_serializing_if = "is_false")]
    pub alert_pending: bool,
    /// RFC 3339 time of a re-enable that started after the trip and did not finish.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reenable_unfinished_since: Option<String>,
    /// The event source mappings the trip paused, which `reenable` re-enables (serialised only when any).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paused_mappings: Vec<MappingId>,
    /// What checking the record's MAC found: `verified`, or `unsigned` (no MAC: written before
    /// records were signed), `invalid` (edited after signing, or forged) or `unchecked` (no key, or
    /// KMS could not be asked). Only a verified record is restored from. Absent without a record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_check: Option<&'static str>,
    /// Why an `unverified` record is so, in words (absent when verified or without a record).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_check_detail: Option<String>,
    /// Someone else changed the function after the trip (`<time> <call> by <caller>`, from
    /// `runaway-guard:drift`): the record is stale and the function may be running.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift: Option<String>,
    /// Listed, but could not be read (the error): whether it is tripped is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
    /// A read failed for a reason other than the function's deletion: the listing may miss a trip.
    #[serde(skip)]
    pub incomplete: bool,
}

impl StatusEntry {
    /// The row of a listed function that could not be read.
    fn unreadable(function: FunctionName, why: &Unreadable) -> Self {
        let reason = if why.not_found {
            format!("not found (deleted after it was listed?): {}", why.error)
        } else {
            format!("could not be read; whether it is tripped is unknown: {}", why.error)
        };
        Self {
            function,
            tripped_at: "unknown".to_owned(),
            reason,
            previous_concurrency: "unknown".to_owned(),
            record: false,
            alert_pending: false,
            reenable_unfinished_since: None,
            paused_mappings: Vec::new(),
            record_check: None,
            record_check_detail: None,
            drift: None,
            unreadable: Some(why.error.clone()),
            incomplete: !why.not_found,
        }
    }
}

impl From<TrippedFunction> for StatusEntry {
    fn from(t: TrippedFunction) -> Self {
        if let Some(why) = &t.unreadable {
            return Self::unreadable(t.function, why);
        }
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
                paused_mappings: record.paused_mappings,
                record_check: None,
                record_check_detail: None,
                drift: None,
                unreadable: None,
                incomplete: false,
            },
            None => Self {
                reason: format!(
                    "reserved concurrency 0 without a trip record; restore with: runaway-guard reenable {} \
                     --to N (N as the guard's trip alert or its ERROR log line \"trip record not written\" \
                     names it; no record does not mean an alert went out)",
                    t.function
                ),
                function: t.function,
                tripped_at: "unknown".to_owned(),
                previous_concurrency: "unknown".to_owned(),
                record: false,
                alert_pending: false,
                reenable_unfinished_since: unfinished,
                paused_mappings: Vec::new(),
                record_check: None,
                record_check_detail: None,
                drift: None,
                unreadable: None,
                incomplete: false,
            },
        }
    }
}

/// Functions the guard has tripped, by name, and functions at reserved concurrency 0 without a record.
/// Each function with a record has its record's MAC checked and its `runaway-guard:drift` tag read:
/// a drift noted after the trip is shown; an older one belongs to an earlier trip and is not.
/// A function that cannot be read is listed as such (`unreadable`), never failing the whole listing.
pub async fn status<T: Throttler>(throttler: &T) -> Result<Vec<StatusEntry>, PortError> {
    let mut tripped = throttler.list_tripped().await?;
    tripped.sort_by(|a, b| a.function.cmp(&b.function));
    let mut rows = Vec::with_capacity(tripped.len());
    for function in tripped {
        let name = function.function.clone();
        let row = entry(throttler, function).await;
        rows.push(row.unwrap_or_else(|err| StatusEntry::unreadable(name, &Unreadable::from(&err))));
    }
    Ok(rows)
}

/// One listed function's row: its record read again with its MAC checked, and its drift note.
async fn entry<T: Throttler>(throttler: &T, mut function: TrippedFunction) -> Result<StatusEntry, PortError> {
    let mut check = None;
    if function.record.is_some() {
        // Shown as checked: the record read with its MAC, not the one listed a moment before.
        let checked = match throttler.trip_record(&function.function).await? {
            Some(c) if c.check.is_verified() => {
                let current = throttler.reserved_concurrency(&function.function).await?;
                Some(super::restore::judged(c, current))
            }
            other => other,
        };
        check = Some(checked.as_ref().map_or_else(
            || RecordCheck::Unchecked("the record was removed while status read it".to_owned()),
            |c| c.check.clone(),
        ));
        if let Some(checked) = checked {
            function.record = Some(checked.record);
        }
    }
    let since = function.record.as_ref().map(|r| r.tripped_at);
    let mut row = StatusEntry::from(function);
    if let Some(check) = check {
        row.record_check = Some(check.kind());
        row.record_check_detail = (!check.is_verified()).then(|| check.to_string());
    }
    if let Some(tripped_at) = since {
        let note = throttler.drift_note(&row.function).await?;
        row.drift = note.filter(|n| drift_note_time(n).is_some_and(|at| at >= tripped_at));
    }
    Ok(row)
}
