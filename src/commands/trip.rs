//! `runaway-guard trip FUNCTION --reason TEXT`: the manual kill switch, through the same trip flow
//! (record, throttle, alert) and the same exemptions as the deployed guard. A trip whose page could
//! not be sent is a failure: the record keeps `alert-pending` and `status` shows it.

use std::process::ExitCode;

use crate::report::{Decision, Outcome, Report};
use crate::time::Timestamp;

use super::setup::{Operation, Refusal};
use super::target::{check_reason, existing_function, fits_record};
use super::{EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, Located};

/// The `trip` arguments.
pub struct TripArgs {
    /// Name or ARN.
    pub function: String,
    /// `--reason`.
    pub reason: String,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--json`.
    pub json: bool,
}

/// Runs `trip`.
pub async fn run(args: TripArgs, op: Operation) -> Result<ExitCode, Refusal> {
    let text = fits_record(&check_reason(&args.reason)?)?;
    let function = existing_function(&op, &args.function).await?;
    let mut config = op.config.clone();
    // The operator asked for this trip: only --dry-run makes it a dry run, not the deployment's mode.
    config.dry_run = args.dry_run;
    let ports = op.ports(config.topic_arn.clone());
    let guard = ports.guard(config, Some(op.location().account.clone()));
    let caller = Some(op.location().caller_arn.as_str());
    let decision = guard.trip_by(&function, &text, caller, Timestamp::now()).await;
    let code = exit_code(&decision);
    if args.json {
        let report = Report { decisions: vec![decision], ..Report::default() };
        let out = Located::new(&op, &report);
        let text = serde_json::to_string_pretty(&out).map_err(|e| Refusal::failure(e.to_string()))?;
        println!("{}", crate::sanitise::json(&text));
    } else {
        let text = crate::table::tripped(&decision, &op.context_line()) + &op.footer();
        if code == EXIT_OK {
            print!("{text}");
        } else {
            eprint!("{text}");
        }
    }
    Ok(ExitCode::from(code))
}

/// 0 when the function is contained (or would be) and on-call was told; 2 for a function the guard
/// never trips; 1 for anything that failed unseen (a step with an error and no alert), a page included.
fn exit_code(decision: &Decision) -> u8 {
    match decision.outcome {
        _ if !decision.errors.is_empty() && !decision.alerted => EXIT_FAILURE,
        Outcome::Throttled | Outcome::WouldThrottle if decision.alerted => EXIT_OK,
        Outcome::AlreadyTripped => EXIT_OK,
        Outcome::Exempt => EXIT_BAD_INPUT,
        _ => EXIT_FAILURE,
    }
}
