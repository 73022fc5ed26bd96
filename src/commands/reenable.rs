//! `runaway-guard reenable FUNCTION [--to N|none] [--force]`: restores what the trip record (or the
//! operator's `--to`) says, through the operator flow the event path shares, and says exactly what
//! was true: restored, nothing to do, or already re-enabled (when and by whom).

use std::process::ExitCode;

use crate::operator::{self, ReenableError, ReenableOutcome, ReenablePorts, ReenableRequest};
use crate::ports::Reservation;
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
    // The argument first (a typo gets its suggestion), then where: no guard, no action.
    let function = existing_function(&op, &args.function).await?;
    op.require_guard(args.force)?;
    let ports = op.ports(op.config.topic_arn.clone());
    let ports_ref =
        ReenablePorts { throttler: &ports.throttler, notifier: &ports.notifier, identity: &ports.identity };
    let request = ReenableRequest { function, to: args.to, force: args.force };
    let region = Some(op.location().region.as_str());
    let here = op.location();
    let outcome =
        operator::reenable(ports_ref, region, &request, Timestamp::now()).await.map_err(|err| match err {
            ReenableError::Port(_)
            | ReenableError::RestoreFailed { .. }
            | ReenableError::ResumeFailed { .. }
            | ReenableError::UnparkFailed { .. } => Refusal::failure(format!("in {here}: {err}")),
            ReenableError::NoRecordAtZero(_)
            | ReenableError::ConflictsWithRecord { .. }
            | ReenableError::UnverifiedRecord { .. }
            | ReenableError::AccountCannotSpare { .. }
            | ReenableError::AccountSettingsUnreadable { .. }
            | ReenableError::RestoreToZero(_) => Refusal::bad_input(format!("in {here}: {err}")),
        })?;
    if args.json {
        let out = Located::new(&op, &outcome);
        let text = serde_json::to_string_pretty(&out).map_err(|e| Refusal::failure(e.to_string()))?;
        println!("{}", crate::sanitise::json(&text));
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
