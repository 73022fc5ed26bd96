//! `runaway-guard status`: every function carrying a trip record, with who tripped it, when, why,
//! its reserved concurrency now, the mappings its trip paused (by source, with their state now) and
//! any drift (open or resolved); and, apart from those, every function at reserved concurrency 0
//! without a record (set by hand, by something else, or a trip whose record could not be written).

use serde::Serialize;

use super::text::{is_false, is_true};
use crate::handler::drift::contained::{DriftState, drift_state};
use crate::handler::drift::drift_note_time;
use crate::name::FunctionName;
use crate::ports::{
    EventSourceMapping, MappingId, PortError, RecordCheck, Throttler, TripRecord, TrippedBy, TrippedFunction,
    Unreadable,
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
    /// Why, as the guard or the operator wrote it (or, without a record, what to do).
    pub reason: String,
    /// `none` or the integer to restore; `unknown` when there is no record.
    pub previous_concurrency: String,
    /// The reserved concurrency now: `0`, another integer, `none`, or `unknown` (not read).
    pub reserved_concurrency: String,
    /// Who tripped it: `{"kind": "guard", "rule"}` or `{"kind": "operator", "arn"}`; absent
    /// without a record and for a record written before format v2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tripped_by: Option<TrippedBy>,
    /// Whether a trip record exists (`false`: at 0 without one, listed apart).
    /// Serialised only when `false`.
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
    pub paused_mappings: Vec<PausedMapping>,
    /// What checking the record's MAC found: `verified`, or `unsigned` (no MAC: written before
    /// records were signed), `invalid` (edited after signing, or forged), `outdated` or `unchecked`
    /// (no key, or KMS could not be asked). Only a verified record is restored from. Absent without a record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_check: Option<&'static str>,
    /// Why an `unverified` record is so, in words (absent when verified or without a record).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_check_detail: Option<String>,
    /// Someone else changed the function after the trip (`<time> <call> by <caller>`, from
    /// `runaway-guard:drift`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift: Option<String>,
    /// `open` (not contained: it may be running) or `resolved` (at 0 again with its recorded
    /// mappings paused); present with `drift`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift_state: Option<DriftState>,
    /// The parking queue the trip made its on-failure destination (absent when it parked nothing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parked_queue: Option<String>,
    /// About how many of its asynchronous events Lambda has sent to the parking queue since the
    /// trip (CloudWatch; `status` fills it in). Not what is still waiting: a replay deletes what it sends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parked_since_trip: Option<u64>,
    /// Listed, but could not be read (the error): whether it is tripped is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
    /// A read failed for a reason other than the function's deletion: the listing may miss a trip.
    #[serde(skip)]
    pub incomplete: bool,
}

/// A mapping a trip paused, as `status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PausedMapping {
    /// Its id.
    pub id: MappingId,
    /// What it polls, from its `EventSourceArn` ("SQS queue jobs", "DynamoDB stream of table
    /// orders", ...); `unknown` when the mappings could not be listed.
    pub source: String,
    /// Lambda's `State` now (`Disabled` while paused); `deleted` when no longer listed, `unknown`
    /// when the mappings could not be listed.
    pub state: String,
}

impl StatusEntry {
    /// A row with nothing known yet but the function.
    pub fn bare(function: FunctionName) -> Self {
        let unknown = || "unknown".to_owned();
        Self {
            function,
            tripped_at: unknown(),
            reason: String::new(),
            previous_concurrency: unknown(),
            reserved_concurrency: unknown(),
            tripped_by: None,
            record: false,
            alert_pending: false,
            reenable_unfinished_since: None,
            paused_mappings: Vec::new(),
            record_check: None,
            record_check_detail: None,
            drift: None,
            drift_state: None,
            parked_queue: None,
            parked_since_trip: None,
            unreadable: None,
            incomplete: false,
        }
    }

    /// The row of a listed function that could not be read.
    fn unreadable(function: FunctionName, why: &Unreadable) -> Self {
        let reason = if why.not_found {
            format!("not found (deleted after it was listed?): {}", why.error)
        } else {
            format!("could not be read; whether it is tripped is unknown: {}", why.error)
        };
        Self {
            reason,
            unreadable: Some(why.error.clone()),
            incomplete: !why.not_found,
            ..Self::bare(function)
        }
    }

    /// The row of a function with a trip record.
    fn recorded(function: FunctionName, record: TripRecord) -> Self {
        Self {
            tripped_at: record.tripped_at.to_rfc3339(),
            reason: record.reason,
            previous_concurrency: reservation_text(record.previous_concurrency),
            tripped_by: record.tripped_by,
            record: true,
            alert_pending: record.alert_pending,
            paused_mappings: record.paused_mappings.into_iter().map(PausedMapping::unlisted).collect(),
            parked_queue: record.parked.map(|p| p.queue),
            ..Self::bare(function)
        }
    }

    /// The row of a function at 0 that carries no record: nothing says the guard set it.
    fn without_record(function: FunctionName) -> Self {
        let reason = format!(
            "at 0, no trip record: set by hand or by something else (a guard trip whose record could \
             not be written logs \"trip record not written\" with the value at ERROR). Restore with: \
             runaway-guard reenable {function} --to N, or aws lambda put-function-concurrency / \
             delete-function-concurrency"
        );
        Self { reason, ..Self::bare(function) }
    }
}

impl PausedMapping {
    fn unlisted(id: MappingId) -> Self {
        Self { id, source: "unknown".to_owned(), state: "unknown".to_owned() }
    }
}

/// Functions the guard has tripped, by name, then functions at reserved concurrency 0 without a
/// record. Each function with a record has its record's MAC checked, its reserved concurrency and
/// paused mappings read now, and its `runaway-guard:drift` tag read: a drift noted after the trip
/// is shown, open or resolved; an older one belongs to an earlier trip and is not. A function that
/// cannot be read is listed as such (`unreadable`), never failing the whole listing.
pub async fn status<T: Throttler>(throttler: &T) -> Result<Vec<StatusEntry>, PortError> {
    let mut tripped = throttler.list_tripped().await?;
    tripped.sort_by(|a, b| (a.record.is_none(), &a.function).cmp(&(b.record.is_none(), &b.function)));
    let mut rows = Vec::with_capacity(tripped.len());
    for function in tripped {
        let name = function.function.clone();
        let row = entry(throttler, function).await;
        rows.push(row.unwrap_or_else(|err| StatusEntry::unreadable(name, &Unreadable::from(&err))));
    }
    Ok(rows)
}

/// One listed function's row: its record read again with its MAC checked, its reservation and
/// mappings now, and its drift note.
async fn entry<T: Throttler>(throttler: &T, function: TrippedFunction) -> Result<StatusEntry, PortError> {
    if let Some(why) = &function.unreadable {
        return Ok(StatusEntry::unreadable(function.function, why));
    }
    let name = function.function;
    let current = throttler.reserved_concurrency(&name).await?;
    let unfinished = function.reenable_started.map(Timestamp::to_rfc3339);
    if function.record.is_none() {
        let row = StatusEntry::without_record(name);
        return Ok(StatusEntry {
            reserved_concurrency: reservation_text(current),
            reenable_unfinished_since: unfinished,
            ..row
        });
    }
    // Shown as checked: the record read with its MAC, not the one listed a moment before.
    let Some(checked) = throttler.trip_record(&name).await? else {
        let mut row = StatusEntry::without_record(name);
        row.reserved_concurrency = reservation_text(current);
        row.record_check_detail = Some("the record was removed while status read it".to_owned());
        return Ok(row);
    };
    let checked =
        if checked.check.is_verified() { super::restore::judged(checked, current) } else { checked };
    let check: RecordCheck = checked.check.clone();
    let tripped_at = checked.record.tripped_at;
    let recorded = checked.record.paused_mappings.clone();
    let mut row = StatusEntry::recorded(name, checked.record);
    row.reserved_concurrency = reservation_text(current);
    row.reenable_unfinished_since = unfinished;
    row.record_check = Some(check.kind());
    row.record_check_detail = (!check.is_verified()).then(|| check.to_string());
    let note = throttler.drift_note(&row.function).await?;
    row.drift = note.filter(|n| drift_note_time(n).is_some_and(|at| at >= tripped_at));
    let mappings = if recorded.is_empty() {
        Some(Vec::new())
    } else {
        throttler.event_source_mappings(&row.function).await.ok()
    };
    if let Some(mappings) = &mappings {
        row.paused_mappings = row.paused_mappings.into_iter().map(|p| described(p, mappings)).collect();
    }
    if row.drift.is_some() {
        // A drift is over only when it can be seen to be: unread mappings leave it open.
        let state = mappings.map_or(DriftState::Open, |m| drift_state(current, &recorded, &m));
        row.drift_state = Some(state);
    }
    Ok(row)
}

/// A paused mapping with its source and state as listed now.
fn described(paused: PausedMapping, mappings: &[EventSourceMapping]) -> PausedMapping {
    match mappings.iter().find(|m| m.id == paused.id) {
        Some(m) => PausedMapping { source: m.describe(), state: m.state.clone(), id: paused.id },
        None => PausedMapping { state: "deleted".to_owned(), ..paused },
    }
}
