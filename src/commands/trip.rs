//! `runaway-guard trip FUNCTION --reason TEXT`: the manual kill switch, through the same trip flow
//! (record, throttle, alert) and the same exemptions as the deployed guard. A trip whose page could
//! not be sent is a failure: the record keeps `alert-pending` and `status` shows it.

use std::process::ExitCode;

use crate::report::{Decision, Outcome, Report};
use crate::time::Timestamp;

use super::setup::{Operation, Refusal};
use super::target::{check_reason, existing_function, stored_reason_note};
use super::{EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, Located};

/// The `trip` arguments.
pub struct TripArgs {
    /// Name or ARN.
    pub function: String,
    /// `--reason`.
    pub reason: String,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--force`: trip even where no guard is deployed.
    pub force: bool,
    /// `--json`.
    pub json: bool,
}

/// Runs `trip`.
pub async fn run(args: TripArgs, op: Operation) -> Result<ExitCode, Refusal> {
    let text = check_reason(&args.reason)?;
    // The argument first (a typo gets its suggestion), then where: no guard, no action.
    let function = existing_function(&op, &args.function).await?;
    op.require_guard(args.force)?;
    let mut config = op.config.clone();
    // The operator asked for this trip: only --dry-run makes it a dry run, not the deployment's mode.
    config.dry_run = args.dry_run;
    let ports = op.ports(config.topic_arn.clone());
    let guard = ports.guard(config, Some(op.location().account.clone()));
    let caller = Some(op.location().caller_arn.as_str());
    let decision = guard.trip_by(&function, &text, caller, Timestamp::now()).await;
    let code = exit_code(&decision);
    let recorded = matches!(decision.outcome, Outcome::Throttled | Outcome::WouldThrottle);
    let note = if recorded { stored_reason_note(&text).unwrap_or_default() } else { String::new() };
    if args.json {
        eprint!("{note}");
        let report = Report { decisions: vec![decision], ..Report::default() };
        let out = Located::new(&op, &report);
        let text = serde_json::to_string_pretty(&out).map_err(|e| Refusal::failure(e.to_string()))?;
        println!("{}", crate::sanitise::json(&text));
    } else {
        let would_page = would_page(&decision, op.config.topic_arn.as_deref());
        let fix = exempt_fix(&decision, &op);
        let text =
            crate::table::tripped(&decision, &op.context_line()) + &would_page + &fix + &note + &op.footer();
        if code == EXIT_OK {
            print!("{text}");
        } else {
            eprint!("{text}");
        }
    }
    Ok(ExitCode::from(code))
}

/// For a dry run, what a real trip would page and where (the dry run itself sends only a DRY RUN
/// alert, never the page).
fn would_page(decision: &Decision, topic: Option<&str>) -> String {
    if decision.outcome != Outcome::WouldThrottle {
        return String::new();
    }
    let subject = format!("THROTTLED {}: {}", decision.function, crate::sanitise::Plain(&decision.reason));
    match topic {
        Some(topic) => format!("A real trip would page {topic} with \"{subject}\".\n"),
        None => format!("A real trip would page \"{subject}\", but no alert topic is configured.\n"),
    }
}

/// For an exempt function, the tag or variable to change before it can be tripped.
fn exempt_fix(decision: &Decision, op: &Operation) -> String {
    use crate::policy::{EXEMPT_BY_TAG, EXEMPT_BY_VARIABLE};
    if decision.outcome != Outcome::Exempt {
        return String::new();
    }
    let f = &decision.function;
    let here = op.location();
    if decision.reason.ends_with(EXEMPT_BY_TAG) {
        let arn = format!("arn:{}:lambda:{}:{}:function:{f}", here.partition, here.region, here.account);
        format!(
            "To trip it, remove the tag first: aws lambda untag-resource --resource {arn} --tag-keys \
             runaway-guard:exempt\n"
        )
    } else if decision.reason.ends_with(EXEMPT_BY_VARIABLE) {
        let guard = op.guard.as_ref().map_or_else(
            || "this shell's".to_owned(),
            |g| format!("the guard {g}'s (Terraform: exempt_functions) or this shell's"),
        );
        format!("To trip it, remove {f} from RUNAWAY_GUARD_EXEMPT in {guard} environment first\n")
    } else {
        String::new()
    }
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
