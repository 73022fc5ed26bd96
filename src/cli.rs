//! The operator CLI: one enum of subcommands (exit 0 ok, 1 AWS/runtime failure, 2 usage or bad input).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Recursion and runaway-cost guard for AWS Lambda.
///
/// Uses the standard AWS environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL). `status`,
/// `reenable`, `trip` and `handle` find the deployed guard (the function tagged
/// runaway-guard:role=guard) and use its configuration; see docs/operate.md. The
/// RUNAWAY_GUARD_* variables are documented in docs/detection.md.
#[derive(Debug, Parser)]
#[command(name = "runaway-guard", version, about, long_about = None)]
pub struct Cli {
    /// The deployed guard's function name, when it cannot be found by its runaway-guard:role tag.
    #[arg(long, global = true, env = "RUNAWAY_GUARD_FUNCTION", value_name = "NAME")]
    pub guard: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one event through the Lambda handler and print the JSON report.
    Handle {
        /// Event JSON file, or `-` (the default) for standard input.
        file: Option<PathBuf>,
        /// Decide and alert ("WOULD THROTTLE") but change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Accepted for symmetry: the report is always JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the functions the guard has tripped.
    Status {
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Restore a tripped function's concurrency, clear its trip record and alert on-call.
    Reenable {
        /// Function name or ARN.
        function: String,
        /// Restore even if the guard did not trip it (lifts a reserved concurrency of 0), or restore
        /// `--to` over what the trip record says.
        #[arg(long)]
        force: bool,
        /// The value to restore when the trip record could not be written (the trip alert names it):
        /// an integer, or `none` to remove the reservation.
        #[arg(long, value_name = "N|none", allow_hyphen_values = true)]
        to: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Manual kill switch: throttle a function now, with the same record and alert as a detected trip.
    Trip {
        /// Function name or ARN.
        function: String,
        /// Why (recorded in the trip record and the alert; letters, digits, spaces and + - = . _ : / @).
        #[arg(long)]
        reason: String,
        /// Decide and alert but change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the JSON report instead of a sentence.
        #[arg(long)]
        json: bool,
    },
    /// Find the loops in this region's wiring (or in a Terraform plan) before they fire: exit 0 none,
    /// 3 a loop that may run and costs at least --fail-above USD per hour, 2 bad input.
    #[cfg(feature = "audit")]
    Audit(AuditArgs),
    /// Run scenarios on a simulated account in virtual time (no AWS account needed).
    Simulate {
        /// Scenario name (default: all built-in scenarios).
        #[arg(long, conflicts_with = "scenario_file")]
        scenario: Option<String>,
        /// Your own scenario, described in a JSON file (see docs/simulation.md).
        #[arg(long)]
        scenario_file: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Also write an SVG chart of the timeline to this file.
        #[arg(long)]
        svg: Option<PathBuf>,
        /// Random seed (results are deterministic for a seed).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Run with no function propagating the chain header: the guard has metrics and alarms only.
        /// The text report also runs the instrumented guard and says how the two compare.
        #[arg(long, conflicts_with = "compare")]
        uninstrumented: bool,
        /// Run the guard both with and without the chain header and report them side by side.
        #[arg(long)]
        compare: bool,
        /// Also print the guard's first trip alert in each scenario, as on-call would receive it.
        #[arg(long)]
        alerts: bool,
    },
}

/// `runaway-guard audit`'s options (see docs/audit.md).
#[cfg(feature = "audit")]
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// Audit `terraform show -json plan.out` output instead of the account (no AWS call is made).
    #[arg(long, value_name = "PLAN_JSON")]
    pub plan: Option<PathBuf>,
    /// Print the JSON report.
    #[arg(long, conflicts_with = "dot")]
    pub json: bool,
    /// Print the loops as a Graphviz digraph.
    #[arg(long)]
    pub dot: bool,
    /// Exit 3 when a loop that may run costs at least this many USD per hour in the worst case.
    #[arg(long, value_name = "USD", default_value_t = 1.0)]
    pub fail_above: f64,
    /// The account's concurrency limit, for the worst-case cost.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub account_concurrency: u32,
    /// How long one invocation runs, in milliseconds, for the worst-case request count.
    #[arg(long, value_name = "MS", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub invocation_ms: u32,
}
