//! A DynamoDB stream's open shard count (DynamoDB Streams `DescribeStream`, every page), for the
//! ceiling a stream mapping puts on its consumer. Read-only. A stream lists its closed shards too
//! (for 24 hours): the open ones are those without an ending sequence number.

use aws_sdk_dynamodbstreams::Client;

use crate::arn::Arn;
use crate::aws::error::{invalid_response, port_error};
use crate::ports::PortError;

/// Pages read at most (100 shards each). A table whose stream lists more has thousands of
/// partitions; its count stays unread and its ceiling is judged by its shape.
pub const MAX_PAGES: usize = 20;

/// Whether `source_arn` is a DynamoDB stream ARN,
/// `arn:PARTITION:dynamodb:REGION:ACCOUNT:table/TABLE/stream/LABEL`, with a table name DynamoDB
/// allows (3 to 255 letters, digits, `_`, `.` and `-`) and a label of the timestamp's characters.
pub fn is_stream_arn(source_arn: &str) -> bool {
    let Some(arn) = Arn::regional(source_arn, "dynamodb") else { return false };
    let Some((table, label)) = arn.resource.strip_prefix("table/").and_then(|r| r.split_once("/stream/"))
    else {
        return false;
    };
    let valid_table = crate::name::is_table_name(table);
    let valid_label = !label.is_empty() && label.bytes().all(|b| b.is_ascii_digit() || b"-:.T".contains(&b));
    valid_table && valid_label
}

/// The open shards of the DynamoDB stream `source_arn`.
pub async fn open_shards(client: &Client, source_arn: &str) -> Result<u32, PortError> {
    const OP: &str = "DescribeStream";
    if !is_stream_arn(source_arn) {
        return Err(invalid_response(OP, source_arn, "not a DynamoDB stream ARN"));
    }
    let mut open: u32 = 0;
    let mut start: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let out = client
            .describe_stream()
            .stream_arn(source_arn)
            .set_exclusive_start_shard_id(start.take())
            .send()
            .await
            .map_err(|e| port_error(OP, source_arn, e))?;
        let description = out
            .stream_description()
            .ok_or_else(|| invalid_response(OP, source_arn, "response lacks the stream"))?;
        let listed = description
            .shards()
            .iter()
            .filter(|s| s.sequence_number_range().is_none_or(|r| r.ending_sequence_number().is_none()))
            .count();
        open = open.saturating_add(u32::try_from(listed).unwrap_or(u32::MAX));
        match description.last_evaluated_shard_id() {
            Some(last) => start = Some(last.to_owned()),
            None if open > 0 => return Ok(open),
            None => return Err(invalid_response(OP, source_arn, "no open shard listed")),
        }
    }
    Err(invalid_response(OP, source_arn, format!("more than {MAX_PAGES} pages of shards; count not read")))
}

#[cfg(test)]
mod tests {
    use super::is_stream_arn;

    #[test]
    fn only_a_table_stream_arn_is_read() {
        assert!(is_stream_arn(
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000"
        ));
        for bad in [
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
            "arn:aws:dynamodb:us-east-1:123456789012:table/or/stream/2024-01-01T00:00:00.000",
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/",
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/x;y",
            "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
            "orders",
        ] {
            assert!(!is_stream_arn(bad), "{bad}");
        }
    }
}
