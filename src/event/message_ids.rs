//! The `messageId` of every record of an SQS batch, by position: what the handler names in a
//! partial batch response and remembers so a redelivered record is not counted twice.
//!
//! A pass of its own (the batch parsers yield signals, not envelopes): each record is cut out as
//! raw text and only its `messageId` and `eventSource` are decoded, everything else skipped.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::json;

#[derive(Deserialize)]
struct Batch<'a> {
    #[serde(rename = "Records", borrow)]
    records: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Ids<'a> {
    #[serde(borrow)]
    message_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    event_source: Option<Cow<'a, str>>,
}

/// For an SQS batch (`Records` whose records all say `eventSource: aws:sqs`), each record's
/// `messageId` in order (`None` for a record without one, or that is not an object). `None` for
/// any other event, or input the parsers reject as a whole.
pub fn sqs_message_ids(raw: &[u8]) -> Option<Vec<Option<String>>> {
    json::check_limits(raw).ok()?;
    let batch: Batch<'_> = serde_json::from_slice(raw).ok()?;
    let mut ids = Vec::with_capacity(batch.records.len());
    let mut any_sqs = false;
    for record in &batch.records {
        match serde_json::from_str::<Ids<'_>>(record.get()) {
            Ok(Ids { event_source: Some(source), message_id }) if source == super::sqs::EVENT_SOURCE => {
                any_sqs = true;
                ids.push(message_id.map(|id| json::shorten(&id)));
            }
            Ok(Ids { event_source: Some(_), .. }) => return None,
            _ => ids.push(None),
        }
    }
    any_sqs.then_some(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ids_in_order_and_only_from_sqs_batches() {
        let batch = br#"{"Records":[{"messageId":"a","eventSource":"aws:sqs","body":"{\"messageId\":\"x\"}"},
            {"eventSource":"aws:sqs"},[1],{"messageId":"c","eventSource":"aws:sqs"}]}"#;
        assert_eq!(sqs_message_ids(batch), Some(vec![Some("a".into()), None, None, Some("c".into())]));
        let sns = br#"{"Records":[{"EventSource":"aws:sns","messageId":"a"}]}"#;
        assert_eq!(sqs_message_ids(sns), None);
        let mixed = br#"{"Records":[{"messageId":"a","eventSource":"aws:sqs"},{"eventSource":"aws:s3"}]}"#;
        assert_eq!(sqs_message_ids(mixed), None);
        assert_eq!(sqs_message_ids(br#"{"source":"aws.lambda"}"#), None);
        assert_eq!(sqs_message_ids(b"{"), None);
    }
}
