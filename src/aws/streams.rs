//! [`ShardReader`]: the open shard count of the stream a mapping polls, from Kinesis
//! (`DescribeStreamSummary`) or DynamoDB Streams (`DescribeStream`), so a stream mapping's ceiling
//! is its shards × `ParallelizationFactor` rather than a guess from the curve's shape. Read-only.

use aws_config::SdkConfig;

use super::error::invalid_response;
use crate::ports::{PortError, SourceKind};

/// Reads shard counts for both kinds of stream.
#[derive(Debug, Clone)]
pub struct ShardReader {
    kinesis: aws_sdk_kinesis::Client,
    dynamodb_streams: aws_sdk_dynamodbstreams::Client,
}

impl ShardReader {
    /// Builds the adapter from the shared SDK configuration.
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            kinesis: aws_sdk_kinesis::Client::new(config),
            dynamodb_streams: aws_sdk_dynamodbstreams::Client::new(config),
        }
    }

    /// The open shards of the stream `source_arn` names (a mapping's `EventSourceArn`).
    pub async fn open_shards(&self, kind: SourceKind, source_arn: &str) -> Result<u32, PortError> {
        match kind {
            SourceKind::Kinesis => super::kinesis::open_shards(&self.kinesis, source_arn).await,
            SourceKind::DynamoDbStream => {
                super::dynamodb::streams::open_shards(&self.dynamodb_streams, source_arn).await
            }
            _ => Err(invalid_response("DescribeStream", source_arn, "not a stream")),
        }
    }
}
