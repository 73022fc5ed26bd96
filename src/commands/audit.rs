//! `runaway-guard audit [--plan plan.json] [--json | --dot]`: reads the wiring (the account's, with
//! the operator's credentials, or a Terraform plan's), audits it and maps the findings to the exit
//! code: 0 no loop that may run above the threshold, 3 one or more, 2 bad input, 1 AWS failure.

use std::io::Read as _;
use std::process::ExitCode;

use crate::audit::{self, Options, cost::Assumptions, report::Report};
use crate::cli::AuditArgs;
use crate::config::Config;

use super::setup::Refusal;
use super::{EXIT_LOOP_FOUND, EXIT_OK, print_quietly};

/// Largest plan read (a plan of a few thousand resources is a few tens of MB).
const MAX_PLAN_BYTES: u64 = 256 * 1024 * 1024;

/// Runs the audit.
pub async fn run(args: AuditArgs, region: Option<&str>, config: &Config) -> ExitCode {
    if !args.fail_above.is_finite() || args.fail_above < 0.0 {
        return Refusal::bad_input("--fail-above must be a non-negative number of USD per hour").exit();
    }
    let options = Options {
        assume: Assumptions {
            account_concurrency: args.account_concurrency,
            invocation_ms: args.invocation_ms,
            prices: config.prices.clone(),
        },
        ..Options::default()
    };
    let report = match &args.plan {
        Some(path) => plan_report(path, &options),
        None => live_report(region, &options).await,
    };
    match report {
        Ok(report) => finish(&args, &report),
        Err(refusal) => refusal.exit(),
    }
}

fn plan_report(path: &std::path::Path, options: &Options) -> Result<Report, Refusal> {
    let mut text = String::new();
    let reading = if path == std::path::Path::new("-") {
        std::io::stdin().take(MAX_PLAN_BYTES).read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_PLAN_BYTES).read_to_string(&mut text))
    };
    reading.map_err(|e| Refusal::bad_input(format!("reading {}: {e}", path.display())))?;
    let wiring =
        audit::plan::parse(&text).map_err(|e| Refusal::bad_input(format!("{}: {e}", path.display())))?;
    Ok(audit::analyse(&wiring, "plan", options))
}

async fn live_report(region: Option<&str>, options: &Options) -> Result<Report, Refusal> {
    let session = crate::clients::Session::open(region).await?;
    let wiring = crate::aws::audit::read_wiring(&session.sdk, &session.location).await;
    Ok(audit::analyse(&wiring, "live", options))
}

fn finish(args: &AuditArgs, report: &Report) -> ExitCode {
    let text = if args.json {
        match serde_json::to_string_pretty(report) {
            Ok(text) => format!("{}\n", crate::sanitise::json(&text)),
            Err(err) => return Refusal::failure(format!("report not serialisable: {err}")).exit(),
        }
    } else if args.dot {
        audit::render::dot(report)
    } else {
        audit::render::table(report)
    };
    if let Err(err) = print_quietly(&text) {
        return Refusal::failure(format!("{err:#}")).exit();
    }
    let failing = report.failing(args.fail_above).count();
    if failing > 0 {
        eprintln!(
            "{failing} loop(s) may run at or above {:.2} USD/hour in the worst case (--fail-above)",
            args.fail_above
        );
        ExitCode::from(EXIT_LOOP_FOUND)
    } else {
        ExitCode::from(EXIT_OK)
    }
}
