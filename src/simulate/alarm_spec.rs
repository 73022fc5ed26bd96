//! The `alarms` of a scenario: CloudWatch alarms on `AWS/Lambda` metrics, either a classic alarm on
//! one series (account-wide or one function's) or a Metrics Insights alarm that groups by
//! `FunctionName`, where every function is a contributor with a state of its own. When a scenario
//! leaves `alarms` out it gets exactly the trigger alarms the Terraform module in `infra/` creates by
//! default ([`default_alarms`]; `tests/simulate_infra.rs` fails if the two drift apart).

use serde::{Deserialize, Serialize};

/// A CloudWatch alarm with a 60 s period, evaluated on `AWS/Lambda` datapoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmSpec {
    /// Alarm name.
    pub name: String,
    /// `ConcurrentExecutions`, `Invocations`, `Throttles`, `RecursiveInvocationsDropped` or `Duration`.
    pub metric: LambdaMetric,
    /// `FunctionName` dimension of a classic alarm; absent for the account-level metric.
    #[serde(default)]
    pub function: Option<String>,
    /// A Metrics Insights alarm on `SELECT SUM(metric) FROM SCHEMA("AWS/Lambda", FunctionName)
    /// GROUP BY FunctionName`: each function is a contributor and each contributor state change is
    /// an EventBridge `CloudWatch Alarm Contributor State Change` event.
    #[serde(default)]
    pub per_function: bool,
    /// How a datapoint is compared with the threshold.
    #[serde(default)]
    pub comparison: Comparison,
    /// Threshold (Maximum for concurrency, Sum for counts).
    pub threshold: f64,
    /// Datapoints (minutes) evaluated, 1–32.
    #[serde(default = "one")]
    pub evaluation_periods: u32,
    /// Breaching datapoints among them that put the alarm (or contributor) in ALARM; default: all.
    #[serde(default)]
    pub datapoints_to_alarm: Option<u32>,
}

/// CloudWatch's comparison operators that make sense for a runaway.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    /// `>=`.
    #[default]
    GreaterThanOrEqualToThreshold,
    /// `>`.
    GreaterThanThreshold,
}

impl Comparison {
    /// The operator as written in a state reason.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::GreaterThanOrEqualToThreshold => ">=",
            Comparison::GreaterThanThreshold => ">",
        }
    }

    /// Whether `value` breaches `threshold`.
    pub fn breaches(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::GreaterThanOrEqualToThreshold => value >= threshold,
            Comparison::GreaterThanThreshold => value > threshold,
        }
    }
}

/// Lambda metrics the simulated CloudWatch keeps per minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LambdaMetric {
    /// Maximum concurrent executions in the minute.
    ConcurrentExecutions,
    /// Invocations in the minute.
    Invocations,
    /// Throttled invocation attempts in the minute.
    Throttles,
    /// Events Lambda's recursive loop detection stopped in the minute (published only when nonzero).
    RecursiveInvocationsDropped,
    /// Milliseconds of execution in the minute (Sum): a compute rate, not a call count.
    Duration,
}

impl LambdaMetric {
    /// The CloudWatch metric name.
    pub fn as_str(self) -> &'static str {
        match self {
            LambdaMetric::ConcurrentExecutions => "ConcurrentExecutions",
            LambdaMetric::Invocations => "Invocations",
            LambdaMetric::Throttles => "Throttles",
            LambdaMetric::RecursiveInvocationsDropped => "RecursiveInvocationsDropped",
            LambdaMetric::Duration => "Duration",
        }
    }
}

impl AlarmSpec {
    /// Breaching datapoints needed for ALARM.
    pub fn datapoints(&self) -> u32 {
        self.datapoints_to_alarm.unwrap_or(self.evaluation_periods)
    }

    /// Why the alarm is impossible, if it is.
    pub(crate) fn problem(&self) -> Option<&'static str> {
        if !self.threshold.is_finite() {
            return Some("threshold must be a finite number");
        }
        if !(1..=32).contains(&self.evaluation_periods)
            || !(1..=self.evaluation_periods).contains(&self.datapoints())
        {
            return Some("evaluation_periods must be 1..=32 and datapoints_to_alarm 1..=evaluation_periods");
        }
        if self.per_function && self.function.is_some() {
            return Some("a per_function (Metrics Insights) alarm names no function");
        }
        None
    }
}

fn one() -> u32 {
    1
}

/// Prefix of the module's resource names (`var.name`'s default).
pub const MODULE_NAME: &str = "runaway-guard";
/// The module's default per-function Duration threshold (`function_duration_threshold_ms`):
/// milliseconds of execution per minute, 600,000 = ten execution environments busy all minute.
pub const FUNCTION_DURATION_THRESHOLD_MS: f64 = 600_000.0;

/// The module's default minutes above that threshold before a contributor enters ALARM
/// (`function_invocations_minutes`).
pub const FUNCTION_INVOCATIONS_MINUTES: u32 = 3;

/// The trigger alarms the Terraform module creates with its default inputs: account concurrency
/// ≥ 80 % of 1,000, account invocations > 100,000/min, and two Metrics Insights alarms whose
/// contributors are functions: execution time > 600,000 ms/min (ten busy environments) for 3
/// minutes, which sees cost rather than calls, and `RecursiveInvocationsDropped` > 0.
pub fn default_alarms() -> Vec<AlarmSpec> {
    let alarm = |suffix: &str, metric, per_function, comparison, threshold| AlarmSpec {
        name: format!("{MODULE_NAME}-{suffix}"),
        metric,
        function: None,
        per_function,
        comparison,
        threshold,
        evaluation_periods: 1,
        datapoints_to_alarm: Some(1),
    };
    let minutes = FUNCTION_INVOCATIONS_MINUTES;
    use Comparison::{GreaterThanOrEqualToThreshold as Gte, GreaterThanThreshold as Gt};
    use LambdaMetric::{ConcurrentExecutions, Duration, Invocations, RecursiveInvocationsDropped};
    vec![
        alarm("account-concurrency", ConcurrentExecutions, false, Gte, 800.0),
        alarm("account-invocations", Invocations, false, Gt, 100_000.0),
        AlarmSpec {
            evaluation_periods: minutes,
            datapoints_to_alarm: Some(minutes),
            ..alarm("per-function-duration", Duration, true, Gt, FUNCTION_DURATION_THRESHOLD_MS)
        },
        alarm("per-function-recursion", RecursiveInvocationsDropped, true, Gt, 0.0),
    ]
}
