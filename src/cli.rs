//! The operator CLI: one enum of subcommands (exit 0 ok, 1 AWS/runtime failure, 2 usage or bad input).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Recursion and runaway-cost guard for AWS Lambda.
///
/// Uses the standard AWS environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL). `status`,
/// `reenable`, `trip`, `replay` and `handle` find the deployed guard (the function tagged
/// runaway-guard:role=guard) and use its configuration; see docs/operate.md. The
/// RUNAWAY_GUARD_* variables are documented in docs/detection.md.
#[derive(Debug, Parser)]
#[command(name = "runaway-guard", version, about, long_about = None)]
pub struct Cli {
    /// The deployed guard's function name, when it cannot be found by its runaway-guard:role tag.
    #[arg(long, global = true, env = "RUNAWAY_GUARD_FUNCTION", value_name = "NAME")]
    pub guard: Option<String>,
    /// The region to act in (default: AWS_REGION, else the profile's region). Every command an
    /// alert names carries it.
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
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
        /// Restore even if the guard did not trip it (lifts a reserved concurrency of 0), restore
        /// `--to` over what the trip record says, or act in a region where no guard is deployed.
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
        /// Why, in any words: the alert carries it as written; the trip record (a Lambda tag) keeps
        /// letters, digits, spaces and + - = . _ : / @ (< > $ become words, others spaces) and the
        /// first 248 characters (the CLI says so when it changes the text).
        #[arg(long)]
        reason: String,
        /// Change nothing: say what would be done and page "DRY RUN" only.
        #[arg(long)]
        dry_run: bool,
        /// Trip even in a region where no guard is deployed (nothing there re-sends an unsent page).
        #[arg(long)]
        force: bool,
        /// Print the JSON report instead of a sentence.
        #[arg(long)]
        json: bool,
    },
    /// Send the asynchronous events parked while FUNCTION was tripped back to it, once re-enabled:
    /// asynchronous invokes with the original payloads, oldest first, at a bounded rate, each message
    /// deleted only after Lambda accepted its invoke (a rerun continues where a run stopped).
    /// Other functions' messages are left alone. Exit 0 done, 1 stopped by a failure, 2 refused.
    Replay(ReplayArgs),
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

impl Command {
    /// Whether the subcommand was asked for JSON (its errors are then JSON on standard output too).
    pub fn json(&self) -> bool {
        match self {
            Self::Handle { json, .. }
            | Self::Status { json }
            | Self::Reenable { json, .. }
            | Self::Trip { json, .. }
            | Self::Replay(ReplayArgs { json, .. })
            | Self::Simulate { json, .. } => *json,
            #[cfg(feature = "audit")]
            Self::Audit(args) => args.json,
        }
    }
}

/// `runaway-guard replay`'s options (see docs/trip-and-restore.md).
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// Function name or ARN (unqualified).
    pub function: String,
    /// Events per second. Default: 10% of the function's usual rate (its median hour over the last
    /// 7 days in CloudWatch), between 0.1 and 50; with less than 24 hours of history, 1 per second.
    #[arg(long, value_name = "PER_SEC")]
    pub rate: Option<f64>,
    /// Count what would replay, by source and detail-type; invoke nothing, delete nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Leave events whose chain header (runaway-guard) is deeper than N in the queue.
    #[arg(long, value_name = "N")]
    pub skip_depth_over: Option<u32>,
    /// Replay only events from this source (EventBridge `source`, or `aws:sns`, `aws:s3`); repeatable.
    #[arg(long, value_name = "SOURCE")]
    pub only_source: Vec<String>,
    /// Leave events of this detail-type in the queue; repeatable.
    #[arg(long, value_name = "TYPE")]
    pub exclude_detail_type: Vec<String>,
    /// Only events parked at or after this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only events parked at or before this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Read this queue (the function's dead-letter queue or destination) instead of the deployed
    /// guard's parking queue.
    #[arg(long, value_name = "QUEUE_ARN")]
    pub from: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Replay even in a region where no runaway-guard is deployed.
    #[arg(long)]
    pub force: bool,
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
