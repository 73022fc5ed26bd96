//! A Kinesis data stream's open shard count (`DescribeStreamSummary`), for the ceiling a stream
//! mapping puts on its consumer: one concurrent batch per shard and parallelization slot. Read-only.

use aws_sdk_kinesis::Client;

use super::error::{invalid_response, port_error};
use crate::arn::Arn;
use crate::ports::PortError;

/// The stream a mapping's `EventSourceArn` names, as `arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME`:
/// a stream ARN whole, or the stream part of an enhanced fan-out consumer's ARN
/// (`.../stream/NAME/consumer/CONSUMER:CREATED`). `None` unless the name is one Kinesis allows
/// (1 to 128 letters, digits, `_`, `.` and `-`), checked before any call.
pub fn stream_arn(source_arn: &str) -> Option<&str> {
    let arn = Arn::regional(source_arn, "kinesis")?;
    let rest = arn.resource.strip_prefix("stream/")?;
    let (name, consumer) = match rest.split_once('/') {
        Some((name, consumer)) => (name, Some(consumer)),
        None => (rest, None),
    };
    let valid_name = (1..=128).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    let valid_consumer = consumer.is_none_or(|c| c.starts_with("consumer/"));
    let end = source_arn.len() - arn.resource.len() + "stream/".len() + name.len();
    (valid_name && valid_consumer).then(|| &source_arn[..end])
}

/// The open shards of the stream `source_arn` names (a stream or one of its consumers).
pub async fn open_shards(client: &Client, source_arn: &str) -> Result<u32, PortError> {
    const OP: &str = "DescribeStreamSummary";
    let stream =
        stream_arn(source_arn).ok_or_else(|| invalid_response(OP, source_arn, "not a Kinesis stream ARN"))?;
    let out = client
        .describe_stream_summary()
        .stream_arn(stream)
        .send()
        .await
        .map_err(|e| port_error(OP, stream, e))?;
    let summary = out
        .stream_description_summary()
        .ok_or_else(|| invalid_response(OP, stream, "response lacks the summary"))?;
    u32::try_from(summary.open_shard_count())
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| invalid_response(OP, stream, "an open shard count below 1"))
}

#[cfg(test)]
mod tests {
    use super::stream_arn;

    #[test]
    fn a_consumer_arn_names_its_stream_and_nothing_else_is_a_stream() {
        let stream = "arn:aws:kinesis:us-east-1:123456789012:stream/clicks";
        assert_eq!(stream_arn(stream), Some(stream));
        assert_eq!(
            stream_arn("arn:aws:kinesis:us-east-1:123456789012:stream/clicks/consumer/fanout:1525898737"),
            Some(stream)
        );
        for bad in [
            "arn:aws:kinesis:us-east-1:123456789012:stream/",
            "arn:aws:kinesis:us-east-1:123456789012:stream/a b",
            "arn:aws:kinesis:us-east-1:123456789012:stream/clicks/other/x",
            "arn:aws:kinesis:us-east-1:123456789012:table/clicks",
            "arn:aws:sqs:us-east-1:123456789012:clicks",
            "arn:aws:kinesis::123456789012:stream/clicks",
            "clicks",
        ] {
            assert_eq!(stream_arn(bad), None, "{bad}");
        }
        let long = format!("arn:aws:kinesis:us-east-1:123456789012:stream/{}", "s".repeat(129));
        assert_eq!(stream_arn(&long), None);
    }
}
