//! Event source mappings as the trip flow sees them: which poller feeds a function (SQS, Kinesis,
//! DynamoDB streams, MSK, self-managed Kafka, ...), whether it is polling, and what happens to its
//! messages or records while it is paused or left running against a function throttled to 0.

use serde::Serialize;

use crate::arn::Arn;
use crate::name::QueueName;

/// Longest mapping id accepted (Lambda's are 36-character UUIDs).
const MAX_ID_CHARS: usize = 64;

/// An event source mapping's id (Lambda's `UUID`), checked on construction: 1 to 64 ASCII hex
/// digits and hyphens, so it is safe in a tag value, a log line and a request path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct MappingId(String);

/// A mapping id that is empty, too long or not hex digits and hyphens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an event source mapping id (1 to {MAX_ID_CHARS} hex digits and hyphens): {0:?}")]
pub struct InvalidMappingId(pub String);

impl MappingId {
    /// Validates `text` as a mapping id.
    pub fn new(text: &str) -> Result<Self, InvalidMappingId> {
        let ok = !text.is_empty()
            && text.len() <= MAX_ID_CHARS
            && text.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        if ok { Ok(Self(text.to_owned())) } else { Err(InvalidMappingId(text.escape_debug().to_string())) }
    }

    /// The id as Lambda spells it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for MappingId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a mapping polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// An SQS queue.
    Sqs,
    /// A Kinesis data stream (or stream consumer).
    Kinesis,
    /// A DynamoDB stream.
    DynamoDbStream,
    /// An Amazon MSK cluster.
    Msk,
    /// A self-managed Apache Kafka cluster.
    SelfManagedKafka,
    /// Amazon MQ, DocumentDB or anything newer.
    Other,
}

impl SourceKind {
    /// The kind, from the mapping's `EventSourceArn` (absent for self-managed Kafka).
    pub fn from_source(event_source_arn: Option<&str>) -> Self {
        let Some(arn) = event_source_arn else { return Self::SelfManagedKafka };
        match Arn::parse(arn).map(|arn| arn.service).unwrap_or_default() {
            "sqs" => Self::Sqs,
            "kinesis" => Self::Kinesis,
            "dynamodb" => Self::DynamoDbStream,
            "kafka" => Self::Msk,
            _ => Self::Other,
        }
    }
}

/// One event source mapping of a function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventSourceMapping {
    /// Its id.
    pub id: MappingId,
    /// What it polls.
    pub kind: SourceKind,
    /// The event source ARN; empty for self-managed Kafka.
    pub source: String,
    /// Lambda's `State`: `Enabled`, `Disabled`, `Enabling`, `Disabling`, `Creating`, `Updating`, `Deleting`.
    pub state: String,
}

impl EventSourceMapping {
    /// Whether it polls now or is about to: anything but `Disabled`, `Disabling` and `Deleting`. The
    /// guard pauses these, and only these, so one disabled before the trip stays disabled.
    pub fn is_polling(&self) -> bool {
        !matches!(self.state.as_str(), "Disabled" | "Disabling" | "Deleting")
    }

    /// The SQS queue it polls, when it is an SQS mapping that polls and its source names a valid
    /// queue (the drain check reads that queue's counts).
    pub fn polled_queue(&self) -> Option<QueueName> {
        (self.kind == SourceKind::Sqs && self.is_polling())
            .then(|| Arn::regional(&self.source, "sqs"))
            .flatten()
            .and_then(|arn| QueueName::new(arn.name()))
    }

    /// "SQS queue jobs-queue", "Kinesis stream clicks", "DynamoDB stream of table orders", ...
    pub fn describe(&self) -> String {
        let last = |sep: char| self.source.rsplit(sep).next().unwrap_or_default().to_owned();
        match self.kind {
            SourceKind::Sqs => format!("SQS queue {}", last(':')),
            SourceKind::Kinesis => format!("Kinesis stream {}", last('/')),
            SourceKind::DynamoDbStream => {
                let table = self.source.split('/').nth(1).unwrap_or_default();
                format!("DynamoDB stream of table {table}")
            }
            SourceKind::Msk => {
                format!("MSK cluster {}", self.source.split('/').nth(1).unwrap_or_default())
            }
            SourceKind::SelfManagedKafka => "self-managed Kafka cluster".to_owned(),
            SourceKind::Other => format!("event source {}", self.source),
        }
    }

    /// What happens to its messages or records while the mapping is paused.
    pub fn while_paused(&self) -> &'static str {
        match self.kind {
            SourceKind::Sqs => {
                "messages stay in the queue (until its retention period ends); none go to a DLQ because of the trip"
            }
            SourceKind::Kinesis | SourceKind::DynamoDbStream => {
                "records wait in the stream until its retention period ends; the mapping keeps its position"
            }
            SourceKind::Msk | SourceKind::SelfManagedKafka => {
                "records stay in the topic (until its retention); the consumer group keeps its offset"
            }
            SourceKind::Other => "the source keeps its messages while no one polls",
        }
    }

    /// What happens to its messages or records while it keeps polling a function at 0.
    pub fn while_polling_throttled(&self) -> &'static str {
        match self.kind {
            SourceKind::Sqs => {
                "each throttled receive counts: after maxReceiveCount a message moves to the queue's DLQ \
                 if it has one, else it stays until the retention period ends"
            }
            SourceKind::Kinesis | SourceKind::DynamoDbStream => {
                "its shards block; records older than the stream's retention are lost"
            }
            SourceKind::Msk | SourceKind::SelfManagedKafka => {
                "its partitions block; records older than the topic's retention are lost"
            }
            SourceKind::Other => "its batches fail and are retried as the source allows",
        }
    }
}

/// What the trip did about one mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "why", rename_all = "snake_case")]
pub enum PauseStatus {
    /// The guard disabled it (or it was already disabled by this trip's record).
    Paused,
    /// Dry run: the guard would disable it.
    WouldPause,
    /// Disabled before the trip: left as it is, and left disabled by `reenable`.
    AlreadyDisabled,
    /// Still polling: the disable failed, or the trip record could not hold it.
    NotPaused(String),
}

/// One mapping and what the trip did about it, for the alert and the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceOutcome {
    /// The mapping.
    pub mapping: EventSourceMapping,
    /// What was done.
    pub status: PauseStatus,
    /// For an SQS mapping, where the queue's failed messages go, read after the throttle (absent:
    /// not an SQS mapping, or not read yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueRead>,
}

/// What reading an SQS queue's redrive policy found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "read", rename_all = "snake_case")]
pub enum QueueRead {
    /// The queue's attributes.
    Read(QueueFacts),
    /// `GetQueueUrl` or `GetQueueAttributes` failed with this error.
    Unreadable {
        /// The error.
        error: String,
    },
}

/// An SQS queue's redrive policy and retention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueFacts {
    /// Its dead-letter queue (`RedrivePolicy`), if it has one.
    pub dead_letter: Option<DeadLetter>,
    /// `MessageRetentionPeriod`, in seconds.
    pub retention_secs: Option<u32>,
}

/// Where SQS moves a message received `max_receive_count` times without being deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadLetter {
    /// The dead-letter queue's ARN.
    pub queue_arn: String,
    /// `maxReceiveCount`.
    pub max_receive_count: u32,
}

impl DeadLetter {
    /// The dead-letter queue's name.
    pub fn queue_name(&self) -> &str {
        Arn::parse(&self.queue_arn).map_or("", |arn| arn.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(kind: SourceKind, source: &str, state: &str) -> EventSourceMapping {
        let id = MappingId::new("a1b2c3d4-0000-4000-8000-000000000001").unwrap();
        EventSourceMapping { id, kind, source: source.to_owned(), state: state.to_owned() }
    }

    #[test]
    fn only_a_polling_sqs_mapping_names_a_queue() {
        let arn = "arn:aws:sqs:us-east-1:111122223333:jobs.fifo";
        let polled = |kind, source: &str, state| mapping(kind, source, state).polled_queue();
        assert_eq!(polled(SourceKind::Sqs, arn, "Enabled").map(|q| q.to_string()), Some("jobs.fifo".into()));
        assert_eq!(polled(SourceKind::Sqs, arn, "Disabled"), None);
        assert_eq!(polled(SourceKind::Sqs, "arn:aws:sqs:us-east-1:111122223333:a b", "Enabled"), None);
        assert_eq!(polled(SourceKind::Sqs, "not an arn", "Enabled"), None);
        let stream = "arn:aws:kinesis:us-east-1:111122223333:stream/clicks";
        assert_eq!(polled(SourceKind::Kinesis, stream, "Enabled"), None);
    }

    #[test]
    fn ids_are_hex_and_hyphens_only() {
        assert!(MappingId::new("a1b2c3d4-0000-4000-8000-000000000001").is_ok());
        for bad in ["", "not-a-uuid", "a1b2 c3d4", "../etc", &"a".repeat(65)] {
            assert!(MappingId::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kinds_and_names_come_from_the_source_arn() {
        let cases = [
            ("arn:aws:sqs:us-east-1:123456789012:jobs-queue", SourceKind::Sqs, "SQS queue jobs-queue"),
            (
                "arn:aws:kinesis:us-east-1:123456789012:stream/clicks",
                SourceKind::Kinesis,
                "Kinesis stream clicks",
            ),
            (
                "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000",
                SourceKind::DynamoDbStream,
                "DynamoDB stream of table orders",
            ),
            (
                "arn:aws:kafka:us-east-1:123456789012:cluster/events/abc-1",
                SourceKind::Msk,
                "MSK cluster events",
            ),
        ];
        for (arn, kind, name) in cases {
            assert_eq!(SourceKind::from_source(Some(arn)), kind, "{arn}");
            assert_eq!(mapping(kind, arn, "Enabled").describe(), name);
        }
        assert_eq!(SourceKind::from_source(None), SourceKind::SelfManagedKafka);
        assert_eq!(SourceKind::from_source(Some("arn:aws:mq:us-east-1:1:broker:b")), SourceKind::Other);
    }

    #[test]
    fn only_disabled_disabling_and_deleting_mappings_are_not_polling() {
        for (state, polling) in [
            ("Enabled", true),
            ("Enabling", true),
            ("Updating", true),
            ("Creating", true),
            ("Disabled", false),
            ("Disabling", false),
            ("Deleting", false),
        ] {
            assert_eq!(mapping(SourceKind::Sqs, "arn:aws:sqs:r:1:q", state).is_polling(), polling, "{state}");
        }
    }
}

/// The concurrency a poller can drive its function to: what an event source mapping caps it at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MappingCeiling {
    /// An SQS mapping, with its `ScalingConfig.MaximumConcurrency` (2–1,000) when set (unset, it
    /// scales to whatever concurrency the function has).
    Sqs {
        /// The maximum concurrency, when set.
        maximum_concurrency: Option<u32>,
    },
    /// A Kinesis or DynamoDB stream mapping: one concurrent batch per shard and parallelization
    /// slot. `ListEventSourceMappings` gives the `ParallelizationFactor`; the stream's open shard
    /// count comes from Kinesis `DescribeStreamSummary` or DynamoDB Streams `DescribeStream`, and
    /// is `None` when that read failed.
    Stream {
        /// The mapping's `ParallelizationFactor` (1–10).
        parallelization_factor: u32,
        /// The stream's open shards, when known.
        shards: Option<u32>,
    },
}

impl MappingCeiling {
    /// The concurrency ceiling, when it is known exactly (`None` for an SQS mapping without a
    /// maximum: it has no ceiling of its own).
    pub fn concurrency(&self) -> Option<u32> {
        match *self {
            MappingCeiling::Sqs { maximum_concurrency } => maximum_concurrency,
            MappingCeiling::Stream { parallelization_factor, shards } => {
                shards.map(|s| s.saturating_mul(parallelization_factor))
            }
        }
    }

    /// "SQS mapping maximum concurrency 50", "stream mapping ceiling 40 (4 shards x parallelization
    /// 10)", "stream mapping ceiling (parallelization 10, shards not read)".
    pub fn describe(&self) -> String {
        match *self {
            MappingCeiling::Sqs { maximum_concurrency: Some(max) } => {
                format!("SQS mapping maximum concurrency {max}")
            }
            MappingCeiling::Sqs { maximum_concurrency: None } => {
                "SQS mapping (no maximum concurrency)".to_owned()
            }
            MappingCeiling::Stream { parallelization_factor, shards: Some(shards) } => format!(
                "stream mapping ceiling {} ({shards} shards x parallelization {parallelization_factor})",
                shards.saturating_mul(parallelization_factor)
            ),
            MappingCeiling::Stream { parallelization_factor, shards: None } => {
                format!("stream mapping ceiling (parallelization {parallelization_factor}, shards not read)")
            }
        }
    }
}
