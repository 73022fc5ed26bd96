//! The operator CLI: one enum of subcommands (exit 0 ok, 1 AWS/runtime failure, 2 usage or bad input).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Recursion and runaway-cost guard for AWS Lambda.
///
/// Uses the standard AWS environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL) and the
/// RUNAWAY_GUARD_* variables documented in README.md.
#[derive(Debug, Parser)]
#[command(name = "runaway-guard", version, about, long_about = None)]
pub struct Cli {
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
        /// Restore even if the guard did not trip it (lifts a reserved concurrency of 0).
        #[arg(long)]
        force: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Manual kill switch: throttle a function now, with the same record and alert as a detected trip.
    Trip {
        /// Function name or ARN.
        function: String,
        /// Why (recorded in the trip record and the alert).
        #[arg(long)]
        reason: String,
        /// Decide and alert but change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Run scenarios on a simulated account in virtual time (no AWS account needed).
    Simulate {
        /// Scenario name (default: all built-in scenarios).
        #[arg(long, conflicts_with = "scenario_file")]
        scenario: Option<String>,
        /// Your own scenario, described in a JSON file (see README).
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
        #[arg(long)]
        uninstrumented: bool,
    },
}
