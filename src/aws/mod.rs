//! AWS SDK adapters behind the port traits: the only modules that import `aws_sdk_*`.
//!
//! - `audit`: the loop audit's read-only adapters (feature `audit`, the operator CLI only).
//! - [`budget`]: the Lambda client's HTTP layer: the control-plane token bucket and call counts.
//! - [`client`]: the shared `SdkConfig` (rustls + ring HTTP client, retries, timeouts).
//! - [`lambda`]: [`LambdaThrottler`] (concurrency, trip-record tags, configuration) for [`Throttler`].
//! - [`cloudwatch`]: [`CloudWatchMetrics`] (ListMetrics, GetMetricData) for [`Metrics`].
//! - [`deployment`]: [`LambdaDeployment`] (finds the deployed guard and its environment).
//! - [`dynamodb`]: [`DynamoTripBudget`] (UpdateItem): the account-wide trip cap for [`TripBudget`].
//! - [`kinesis`] and [`dynamodb::streams`], behind [`streams::ShardReader`]: a stream's open shard
//!   count (DescribeStreamSummary, DynamoDB Streams DescribeStream), for a stream mapping's ceiling.
//! - [`kms`]: [`KmsRecordSigner`] (GenerateMac, VerifyMac) for [`RecordSigner`]: the trip record's MAC.
//! - [`iam`]: [`RoleReader`](iam::RoleReader) (GetRole): a function's execution role id, for chain reports.
//! - [`sns`]: [`SnsNotifier`] (Publish with message attributes) for [`Notifier`].
//! - [`sqs`]: [`QueueReader`](sqs::QueueReader) (GetQueueUrl, GetQueueAttributes): a queue's DLQ, for alerts.
//! - [`sts`]: [`StsIdentity`] (GetCallerIdentity) for [`Identity`].
//! - [`trip_tags`]: the trip record as tags (pure: format, parse, sanitise).
//! - `error`: SDK error → [`PortError`] with retryable / not-found classification.
//!
//! [`Throttler`]: crate::ports::Throttler
//! [`Metrics`]: crate::ports::Metrics
//! [`Notifier`]: crate::ports::Notifier
//! [`Identity`]: crate::ports::Identity
//! [`TripBudget`]: crate::ports::TripBudget
//! [`RecordSigner`]: crate::ports::RecordSigner
//! [`PortError`]: crate::ports::PortError

#[cfg(feature = "audit")]
pub mod audit;
pub mod budget;
pub mod client;
pub mod cloudwatch;
pub mod deployment;
pub mod dynamodb;
mod error;
pub mod iam;
pub mod kinesis;
pub mod kms;
pub mod lambda;
pub mod sns;
pub mod sqs;
pub mod streams;
pub mod sts;
pub mod trip_tags;

pub use client::{load_sdk_config, load_sdk_config_in};
pub use cloudwatch::{CloudWatchMetrics, ParkedSince};
pub use deployment::LambdaDeployment;
pub use dynamodb::{DynamoTripBudget, TripCapTables};
pub use kms::KmsRecordSigner;
pub use lambda::LambdaThrottler;
pub use sns::SnsNotifier;
pub use sts::StsIdentity;
