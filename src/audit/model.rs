//! The wiring the audit reads, from an account or a Terraform plan: functions (with their roles and
//! settings), triggers (what invokes or forwards to what, with its filter) and roles.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::iam::Role;
use crate::ports::Architecture;

/// Everything the audit knows about one account and region.
#[derive(Debug, Clone, Default)]
pub struct Wiring {
    /// The audited account (`None` when a plan does not say).
    pub account: Option<String>,
    /// The audited region.
    pub region: String,
    /// The functions.
    pub functions: Vec<Function>,
    /// Triggers, forwards and destinations.
    pub triggers: Vec<Trigger>,
    /// Execution roles by ARN (or Terraform address).
    pub roles: BTreeMap<String, Role>,
    /// Reads that failed (live) or values a plan leaves unknown: reported, never fatal.
    pub unread: Vec<Unread>,
}

/// Something the audit could not read, and what that leaves unknown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unread {
    /// The resource or API.
    pub subject: String,
    /// What went wrong.
    pub error: String,
}

/// What Lambda's recursive loop detection is set to for a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RecursiveLoop {
    /// Loops are stopped (the default).
    Terminate,
    /// Loops are allowed.
    Allow,
    /// Not known (the API did not answer, or a plan does not say).
    Unknown,
}

/// A Lambda function.
#[derive(Debug, Clone)]
pub struct Function {
    /// Its name.
    pub name: String,
    /// Its unqualified ARN.
    pub arn: String,
    /// Its execution role's key in [`Wiring::roles`].
    pub role: Option<String>,
    /// Memory in MB.
    pub memory_mb: u32,
    /// CPU architecture.
    pub architecture: Architecture,
    /// Reserved concurrency, when one is set.
    pub reserved_concurrency: Option<u32>,
    /// Lambda's recursive loop setting.
    pub recursive_loop: RecursiveLoop,
}

/// How a trigger delivers.
#[derive(Debug, Clone, PartialEq)]
pub enum Via {
    /// An EventBridge rule on a bus (target: a function, queue, topic or bus).
    Rule {
        /// The rule's name.
        name: String,
    },
    /// An S3 bucket notification (to a function, queue or topic), for these event types.
    BucketNotification {
        /// `s3:ObjectCreated:*`, ...
        events: Vec<String>,
    },
    /// S3 sends every event of the bucket to the default EventBridge bus (source `aws.s3`).
    BucketToEventBridge,
    /// A Lambda event source mapping (SQS, DynamoDB stream, Kinesis).
    Mapping {
        /// `ScalingConfig.MaximumConcurrency` (SQS).
        max_concurrency: Option<u32>,
        /// `ParallelizationFactor` (streams).
        parallelization: Option<u32>,
    },
    /// An SNS subscription (to a function or queue).
    Subscription,
    /// A Lambda destination (asynchronous invocation outcome).
    Destination {
        /// `on-success` or `on-failure`.
        condition: String,
    },
}

/// What the trigger lets through.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Everything.
    None,
    /// An EventBridge event pattern.
    EventPattern(Value),
    /// An S3 key filter.
    Key {
        /// Key prefix ("" for any).
        prefix: String,
        /// Key suffix ("" for any).
        suffix: String,
    },
    /// Event source mapping filter patterns (any one matching lets a record through).
    Patterns(Vec<Value>),
}

/// One edge the wiring itself makes: `source` delivers to `target`.
#[derive(Debug, Clone)]
pub struct Trigger {
    /// The resource (or function, for destinations) events come from.
    pub source: String,
    /// The function or resource they go to.
    pub target: String,
    /// How.
    pub via: Via,
    /// What passes.
    pub filter: Filter,
}

impl Wiring {
    /// The function whose unqualified ARN is `arn`.
    pub fn function(&self, arn: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.arn == arn)
    }
}
