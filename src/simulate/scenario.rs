//! What a scenario is: the `--scenario-file` JSON format (serde), also used for the built-in ones.
//!
//! A scenario describes an account: functions, SQS queues, routes (which function emits what to whom),
//! organic traffic, alarms, and an incident: routes and traffic changes flagged `"incident": true` only
//! exist from `incident_at_secs`. The baseline run leaves them out; "leaked" is measured against it.
//! docs/simulation.md ("Scenario files") documents every field.

use serde::{Deserialize, Serialize};

use crate::ports::Architecture;

pub use super::alarm_spec::{AlarmSpec, Comparison, LambdaMetric, default_alarms};
pub use super::stream_spec::{StreamSource, StreamSpec};

/// Longest horizon accepted (a week of virtual time).
pub const MAX_HORIZON_SECS: u64 = 7 * 86_400;

/// A complete scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name, as given to `--scenario`.
    pub name: String,
    /// One line on what it shows.
    #[serde(default)]
    pub description: String,
    /// True when nothing in it is a runaway: any trip is a false positive.
    #[serde(default)]
    pub benign: bool,
    /// Virtual time simulated, in seconds.
    #[serde(default = "default_horizon")]
    pub horizon_secs: u64,
    /// When the incident starts (routes and changes flagged `incident` start then).
    #[serde(default)]
    pub incident_at_secs: u64,
    /// Account-level billing alarm threshold (month-to-date `EstimatedCharges`, USD).
    #[serde(default = "default_billing_alarm")]
    pub billing_alarm_usd: f64,
    /// The account's functions.
    pub functions: Vec<FunctionSpec>,
    /// SQS queues and their consumers.
    #[serde(default)]
    pub queues: Vec<QueueSpec>,
    /// DynamoDB streams and Kinesis data streams and their consumers.
    #[serde(default)]
    pub streams: Vec<StreamSpec>,
    /// Events functions emit when an invocation completes.
    #[serde(default)]
    pub routes: Vec<RouteSpec>,
    /// Organic traffic from outside the account's functions.
    #[serde(default)]
    pub traffic: Vec<TrafficSpec>,
    /// CloudWatch metric alarms (besides the billing alarm); absent: the module's defaults.
    #[serde(default = "default_alarms")]
    pub alarms: Vec<AlarmSpec>,
    /// The guard's optional periodic sweep (the module's `enable_sweep`, off by default), in seconds.
    #[serde(default)]
    pub sweep_every_secs: Option<u64>,
    /// The guard's re-judge schedule when there is no sweep (the module's `enable_rejudge`, on by
    /// default at `rate(2 minutes)`), in seconds: each tick re-judges the per-function alarms'
    /// contributors in ALARM. `null` turns it off (`enable_rejudge = false`).
    #[serde(default = "default_rejudge")]
    pub rejudge_every_secs: Option<u64>,
}

/// A Lambda function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionSpec {
    /// Function name (validated like a real one).
    pub name: String,
    /// Memory in MB (128–10,240).
    pub memory_mb: u32,
    /// `x86_64` or `arm64`.
    #[serde(default)]
    pub architecture: ArchSpec,
    /// Duration of one invocation in milliseconds.
    pub duration_ms: u32,
    /// Duration from the incident on (a slower dependency, a heavier input), in milliseconds.
    #[serde(default)]
    pub incident_duration_ms: Option<u32>,
    /// Reserved concurrency, if any.
    #[serde(default)]
    pub reserved_concurrency: Option<u32>,
    /// Propagates the chain header and reports chain events to the guard.
    #[serde(default = "yes")]
    pub guarded: bool,
    /// `runaway-guard:max-depth` tag.
    #[serde(default)]
    pub max_depth_tag: Option<u32>,
    /// `runaway-guard:exempt = true` tag.
    #[serde(default)]
    pub exempt: bool,
    /// Where async events go while it is throttled.
    #[serde(default)]
    pub failure_target: FailureSpec,
    /// Deployed this many seconds before the run starts: its metric history begins then (absent:
    /// it has always existed, and its history is the scenario's organic traffic on earlier days).
    #[serde(default)]
    pub deployed_before_secs: Option<u64>,
    /// The days its history looks like the run (absent: every day does).
    #[serde(default)]
    pub history_calendar: Option<HistoryCalendar>,
}

/// Which earlier days the function did what the baseline run shows (a statement run on the 20th of
/// each month, a weekly report on Mondays), and how much of it on the others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryCalendar {
    /// Days of the month (1–31, UTC) that look like the run.
    #[serde(default)]
    pub days_of_month: Vec<u32>,
    /// Weekdays (0 = Monday … 6 = Sunday, UTC) that look like the run.
    #[serde(default)]
    pub weekdays: Vec<u32>,
    /// Every other day does this share of it (0 = nothing; 0.1 = a tenth).
    pub other_days_scale: f64,
}

/// CPU architecture, for pricing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArchSpec {
    /// x86_64.
    #[default]
    X86_64,
    /// Graviton.
    Arm64,
}

impl From<ArchSpec> for Architecture {
    fn from(arch: ArchSpec) -> Self {
        match arch {
            ArchSpec::X86_64 => Architecture::X86_64,
            ArchSpec::Arm64 => Architecture::Arm64,
        }
    }
}

/// Where a function's failed async events go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureSpec {
    /// A dead-letter queue.
    DeadLetter,
    /// An on-failure destination.
    Destination,
    /// Neither: dropped.
    #[default]
    Dropped,
}

/// An SQS queue with a Lambda event source mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    /// Queue name.
    pub name: String,
    /// The consuming function.
    pub consumer: String,
    /// Visibility timeout in seconds.
    #[serde(default = "default_visibility")]
    pub visibility_timeout_secs: u32,
    /// Receives before a message moves to the queue's DLQ.
    #[serde(default = "default_max_receive")]
    pub max_receive_count: u32,
    /// Messages per invocation.
    #[serde(default = "one")]
    pub batch_size: u32,
    /// Whether the queue has a redrive policy to a DLQ (without one, a message that is never
    /// processed stays until its retention ends).
    #[serde(default = "yes")]
    pub dead_letter_queue: bool,
    /// Message retention in seconds (SQS: 60–1,209,600, default 4 days).
    #[serde(default = "default_retention")]
    pub retention_secs: u32,
    /// The mapping's `ScalingConfig.MaximumConcurrency` (Lambda: 2–1,000): most invocations the
    /// queue runs at once (absent: bounded only by the function's concurrency).
    #[serde(default)]
    pub maximum_concurrency: Option<u32>,
}

/// How an event travels.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetSpec {
    /// EventBridge rule → function.
    Eventbridge(String),
    /// SNS subscription → function.
    Sns(String),
    /// S3 event notification → function.
    S3(String),
    /// `Invoke` with `InvocationType=Event` → function.
    Async(String),
    /// `Invoke` with `InvocationType=RequestResponse` (API Gateway, a function URL, an SDK call) →
    /// function: runs at once or the caller gets a 429; nothing is queued or retried by Lambda. On a
    /// route, the calling invocation waits for it (holding its concurrency, billed for the wait)
    /// and fails when it is refused.
    Sync(String),
    /// SendMessage → queue.
    Sqs(String),
    /// A write to a DynamoDB table → a record on its stream.
    Dynamodb(String),
    /// PutRecord → a Kinesis data stream.
    Kinesis(String),
}

/// Exponential backoff applied to a route's delay by chain depth (`base · 2^(depth-1)`, capped).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackoffSpec {
    /// Delay of the first retry, in seconds.
    pub base_secs: u32,
    /// Longest delay, in seconds (SQS allows 900).
    pub max_secs: u32,
    /// Depth at which the function gives up and emits nothing.
    pub max_attempts: u32,
}

/// What a function emits each time an invocation completes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    /// The emitting function.
    pub from: String,
    /// Where the events go.
    pub to: TargetSpec,
    /// Events per invocation (2 for a ×2 fan-out, 0.1 for one in ten).
    #[serde(default = "one_f")]
    pub per_invocation: f64,
    /// Fixed delay before delivery (SQS `DelaySeconds`), in seconds.
    #[serde(default)]
    pub delay_secs: u32,
    /// Depth-dependent delay instead of `delay_secs`.
    #[serde(default)]
    pub backoff: Option<BackoffSpec>,
    /// Only exists from the incident on (the bug).
    #[serde(default)]
    pub incident: bool,
    /// For a synchronous call: whether the caller waits for the answer (`false`: it does not, like
    /// an HTTP call to its own endpoint with a short timeout; the caller then neither holds its
    /// concurrency nor fails with the call).
    #[serde(default = "yes")]
    pub waits: bool,
}

/// Organic traffic into the account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficSpec {
    /// Where it arrives.
    pub to: TargetSpec,
    /// Events per second at the start.
    #[serde(default)]
    pub rate_per_sec: f64,
    /// Later rate changes, in time order.
    #[serde(default)]
    pub changes: Vec<RateChange>,
    /// A periodic burst on top of the rate (a cron).
    #[serde(default)]
    pub burst: Option<BurstSpec>,
}

/// A change of an organic rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateChange {
    /// When it starts.
    pub at_secs: u64,
    /// The new rate.
    pub rate_per_sec: f64,
    /// Linear ramp from the previous rate, in seconds.
    #[serde(default)]
    pub ramp_secs: u64,
    /// Part of the incident (left out of the baseline).
    #[serde(default)]
    pub incident: bool,
}

/// `count` events at once every `every_secs`, first at `offset_secs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BurstSpec {
    /// Period.
    pub every_secs: u64,
    /// Events per burst.
    pub count: u64,
    /// First burst.
    #[serde(default)]
    pub offset_secs: u64,
}

/// Parses a scenario; on failure, the path of the field that failed (e.g. `functions[0].memory_mb`)
/// and serde's reason, so a user can fix the file without guessing.
pub(crate) fn from_json(json: &str) -> Result<Scenario, (String, serde_json::Error)> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let scenario: Scenario = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| (e.path().to_string(), e.into_inner()))?;
    deserializer.end().map_err(|e| (".".to_owned(), e))?;
    Ok(scenario)
}

fn default_horizon() -> u64 {
    86_400
}
/// The module's default `rejudge_schedule_expression`, `rate(2 minutes)`.
fn default_rejudge() -> Option<u64> {
    Some(120)
}

fn default_billing_alarm() -> f64 {
    50.0
}
fn default_visibility() -> u32 {
    30
}
fn default_retention() -> u32 {
    345_600
}
fn default_max_receive() -> u32 {
    5
}
fn yes() -> bool {
    true
}
fn one() -> u32 {
    1
}
fn one_f() -> f64 {
    1.0
}
