//! `runaway-guard status`: every function carrying a trip record in the account and region, with
//! whether its alert is still unsent.

use std::process::ExitCode;

use serde::Serialize;

use crate::operator::StatusEntry;
use crate::ports::Throttler;

use super::setup::{Operation, Refusal};
use super::{EXIT_OK, Located};

/// One row of `status`: the DESIGN.md fields plus whether on-call has been paged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusRow {
    /// Function, trip time, reason, previous concurrency.
    #[serde(flatten)]
    pub entry: StatusEntry,
    /// True while the trip's alert has not been published (`runaway-guard:alert-pending`).
    pub alert_pending: bool,
}

/// Runs `status`.
pub async fn run(json: bool, op: Operation) -> Result<ExitCode, Refusal> {
    let ports = op.ports(None);
    let tripped = ports
        .throttler
        .list_tripped()
        .await
        .map_err(|e| Refusal::failure(format!("listing tripped functions in {}: {e}", op.location())))?;
    let mut rows: Vec<StatusRow> = tripped
        .into_iter()
        .map(|t| StatusRow { alert_pending: t.record.alert_pending, entry: StatusEntry::from(t) })
        .collect();
    rows.sort_by(|a, b| a.entry.function.cmp(&b.entry.function));
    if json {
        // An array, as DESIGN.md promises; each row names where it was read.
        let located: Vec<Located<'_, StatusRow>> = rows.iter().map(|r| Located::new(&op, r)).collect();
        println!("{}", serde_json::to_string_pretty(&located).map_err(|e| Refusal::failure(e.to_string()))?);
        eprintln!("runaway-guard: {} tripped in {}", rows.len(), op.context_line());
    } else {
        print!("{}", crate::table::status(&rows, &op.context_line()));
    }
    Ok(ExitCode::from(EXIT_OK))
}
