//! `runaway-guard reenable FUNCTION [--to N|none] [--force]`: restores what the trip record (or the
//! operator's `--to`) says, through the operator flow the event path shares, and says exactly what
//! was true: restored, nothing to do, or already re-enabled (when and by whom).

use std::process::ExitCode;

use serde_json::{Value, json};

use crate::operator::{self, ReenableError, ReenableOutcome, ReenablePorts, ReenableRequest};
use crate::ports::Reservation;
use crate::report::reservation_text;
use crate::time::Timestamp;

use super::setup::{Operation, Refusal};
use super::target::existing_function;
use super::{EXIT_FAILURE, EXIT_OK, Located};

/// The `reenable` arguments.
pub struct ReenableArgs {
    /// Name or ARN.
    pub function: String,
    /// `--force`.
    pub force: bool,
    /// `--to`, already parsed.
    pub to: Option<Reservation>,
    /// `--json`.
    pub json: bool,
}

/// Parses `--to`: a non-negative integer, or `none` (remove the reservation).
pub fn parse_to(raw: &str) -> Result<Reservation, Refusal> {
    match raw.trim() {
        n if n.eq_ignore_ascii_case("none") => Ok(None),
        n => n.parse::<u32>().map(Some).map_err(|_| {
            Refusal::bad_input(format!("--to {raw:?}: give the reserved concurrency to restore, or none"))
        }),
    }
}

/// Runs `reenable`.
pub async fn run(args: ReenableArgs, op: Operation) -> Result<ExitCode, Refusal> {
    let function = existing_function(&op, &args.function).await?;
    let ports = op.ports(op.config.topic_arn.clone());
    let ports_ref =
        ReenablePorts { throttler: &ports.throttler, notifier: &ports.notifier, identity: &ports.identity };
    let request = ReenableRequest { function, to: args.to, force: args.force };
    let region = Some(op.location().region.as_str());
    let here = op.location();
    let outcome =
        operator::reenable(ports_ref, region, &request, Timestamp::now()).await.map_err(|err| match err {
            ReenableError::Port(_) | ReenableError::RestoreFailed { .. } => {
                Refusal::failure(format!("in {here}: {err}"))
            }
            ReenableError::NoRecordAtZero(_)
            | ReenableError::ConflictsWithRecord { .. }
            | ReenableError::RestoreToZero(_) => Refusal::bad_input(format!("in {here}: {err}")),
        })?;
    if args.json {
        let view = view(&outcome);
        let out = Located::new(&op, &view);
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| Refusal::failure(e.to_string()))?);
    } else {
        print!("{}{}", crate::table::reenable_outcome(&outcome, &op.context_line()), op.footer());
    }
    // Restored but nobody told, or the record left behind: the operator must act, so the run fails.
    let finished = match &outcome {
        ReenableOutcome::Restored(done) => done.alerted && done.record_cleared,
        ReenableOutcome::NothingToDo { .. } | ReenableOutcome::AlreadyReenabled { .. } => true,
    };
    Ok(ExitCode::from(if finished { EXIT_OK } else { EXIT_FAILURE }))
}

/// The JSON form: reservations as `status` writes them (`"25"`, `"none"`), times as RFC 3339.
fn view(outcome: &ReenableOutcome) -> Value {
    match outcome {
        ReenableOutcome::Restored(done) => json!({
            "result": "restored",
            "function": done.function,
            "restored": reservation_text(done.restored),
            "source": done.source,
            "reenabled_at": done.reenabled_at.to_rfc3339(),
            "caller": done.caller,
            "finished_earlier": done.finished_earlier.map(Timestamp::to_rfc3339),
            "record_cleared": done.record_cleared,
            "warnings": done.warnings,
            "alerted": done.alerted,
        }),
        ReenableOutcome::NothingToDo { function, reserved } => json!({
            "result": "nothing_to_do",
            "function": function,
            "reserved": reservation_text(*reserved),
        }),
        ReenableOutcome::AlreadyReenabled { function, at, by, reserved } => json!({
            "result": "already_reenabled",
            "function": function,
            "at": at.to_rfc3339(),
            "by": by,
            "reserved": reservation_text(*reserved),
        }),
    }
}
