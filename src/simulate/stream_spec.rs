//! The scenario format's stream triggers: a DynamoDB table's stream or a Kinesis data stream, its
//! shards and the consumer's event source mapping (batch size, parallelization factor). Defaults
//! and limits are Lambda's (docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html and the
//! Kinesis equivalent).

use serde::{Deserialize, Serialize};

/// DynamoDB Streams keep records 24 h; Kinesis keeps them 24 h unless extended.
pub const DEFAULT_STREAM_RETENTION_SECS: u32 = 86_400;
/// Kinesis's longest retention (365 days).
pub const MAX_KINESIS_RETENTION_SECS: u32 = 365 * 86_400;
/// Most shards a scenario stream may have.
pub const MAX_SHARDS: u32 = 256;

/// Which service the stream belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamSource {
    /// A DynamoDB table's stream (targets `{"dynamodb": NAME}` write to the table).
    Dynamodb,
    /// A Kinesis data stream (targets `{"kinesis": NAME}`).
    Kinesis,
}

impl StreamSource {
    /// The name used in the format.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamSource::Dynamodb => "dynamodb",
            StreamSource::Kinesis => "kinesis",
        }
    }
}

/// A stream with a Lambda event source mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamSpec {
    /// The table's (DynamoDB) or the stream's (Kinesis) name.
    pub name: String,
    /// `dynamodb` or `kinesis`.
    pub source: StreamSource,
    /// The consuming function.
    pub consumer: String,
    /// Shards (records spread over them evenly).
    #[serde(default = "one")]
    pub shards: u32,
    /// Most records per invocation (Lambda: 1–10,000, default 100).
    #[serde(default = "hundred")]
    pub batch_size: u32,
    /// Batches each shard runs at once (Lambda: 1–10, default 1).
    #[serde(default = "one")]
    pub parallelization_factor: u32,
    /// Record retention in seconds: DynamoDB Streams 86,400 (fixed), Kinesis 86,400–31,536,000.
    #[serde(default = "default_retention")]
    pub retention_secs: u32,
}

impl StreamSpec {
    /// What is wrong with the values, if anything.
    pub(crate) fn problem(&self) -> Option<String> {
        if !(1..=MAX_SHARDS).contains(&self.shards) {
            return Some(format!("shards must be 1..={MAX_SHARDS}"));
        }
        if !(1..=10_000).contains(&self.batch_size) {
            return Some("batch_size must be 1..=10000".to_owned());
        }
        if !(1..=10).contains(&self.parallelization_factor) {
            return Some("parallelization_factor must be 1..=10".to_owned());
        }
        let retention_ok = match self.source {
            StreamSource::Dynamodb => self.retention_secs == DEFAULT_STREAM_RETENTION_SECS,
            StreamSource::Kinesis => {
                (DEFAULT_STREAM_RETENTION_SECS..=MAX_KINESIS_RETENTION_SECS).contains(&self.retention_secs)
            }
        };
        (!retention_ok).then(|| {
            "retention_secs must be 86400 for DynamoDB Streams, 86400..=31536000 for Kinesis".to_owned()
        })
    }
}

fn one() -> u32 {
    1
}
fn hundred() -> u32 {
    100
}
fn default_retention() -> u32 {
    DEFAULT_STREAM_RETENTION_SECS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: &str) -> StreamSpec {
        serde_json::from_str(json).expect("parses")
    }

    #[test]
    fn defaults_are_lambdas_and_limits_are_checked() {
        let s = spec(r#"{"name": "t", "source": "dynamodb", "consumer": "f"}"#);
        assert_eq!((s.shards, s.batch_size, s.parallelization_factor, s.retention_secs), (1, 100, 1, 86_400));
        assert_eq!(s.problem(), None);
        for (json, needle) in [
            (r#"{"name": "t", "source": "kinesis", "consumer": "f", "shards": 0}"#, "shards"),
            (r#"{"name": "t", "source": "kinesis", "consumer": "f", "batch_size": 10001}"#, "batch_size"),
            (
                r#"{"name": "t", "source": "dynamodb", "consumer": "f", "parallelization_factor": 11}"#,
                "parallel",
            ),
            (
                r#"{"name": "t", "source": "dynamodb", "consumer": "f", "retention_secs": 172800}"#,
                "retention",
            ),
            (r#"{"name": "t", "source": "kinesis", "consumer": "f", "retention_secs": 3600}"#, "retention"),
        ] {
            assert!(spec(json).problem().is_some_and(|p| p.contains(needle)), "{json}");
        }
        let week = spec(r#"{"name": "t", "source": "kinesis", "consumer": "f", "retention_secs": 604800}"#);
        assert_eq!(week.problem(), None);
    }
}
