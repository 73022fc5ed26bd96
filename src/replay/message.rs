//! A parked message read without any AWS call, in either format Lambda writes: an on-failure
//! destination record (`requestContext.functionArn`, `requestPayload`, `responseContext`, ...), or a
//! dead-letter message whose body is the event itself (message attributes `RequestID`, `ErrorCode`,
//! `ErrorMessage`). The format is told by those explicit keys, never by which parse happens to work.
//! What the replay keeps: the function a record names, the original payload byte for byte, and what
//! the event is (source, detail-type, chain depth) for the filters and the dry-run counts.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::arn::FunctionArn;
use crate::chain::{ChainHeader, MESSAGE_ATTRIBUTE};
use crate::name::FunctionName;
use crate::time::Timestamp;

/// The message attribute Lambda puts on every message it sends to a dead-letter queue.
pub const DEAD_LETTER_ATTRIBUTE: &str = "RequestID";

/// One message as received from the queue (the SQS adapter fills it; nothing here calls AWS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// SQS's message id (the same message received twice has the same id).
    pub id: String,
    /// The receipt handle of this receive (needed to delete it or make it visible again).
    pub receipt: String,
    /// The body.
    pub body: String,
    /// Names of its message attributes.
    pub attribute_names: Vec<String>,
    /// When SQS accepted it (`SentTimestamp`): when the event was parked.
    pub sent_at: Option<Timestamp>,
}

/// Which format Lambda wrote the message in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An on-failure destination record: the event is its `requestPayload`.
    Destination,
    /// A dead-letter message: the body is the event.
    DeadLetter,
}

/// A parked event, ready to filter and replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParkedEvent {
    /// The format it came in.
    pub format: Format,
    /// The function and ARN a destination record names (a dead-letter message names none).
    pub function: Option<(FunctionName, FunctionArn)>,
    /// The original payload, as Lambda kept it.
    pub payload: String,
    /// `source` of an EventBridge event, `EventSource` of SNS or S3 records; `None` for a direct
    /// asynchronous invoke.
    pub source: Option<String>,
    /// `detail-type` of an EventBridge event, `eventName` of S3 records.
    pub detail_type: Option<String>,
    /// The deepest valid chain header the event carries (`detail.runawayGuard`, or the
    /// `runaway-guard-chain` attribute of its SNS records).
    pub depth: Option<u32>,
}

/// Why a message cannot be replayed (it is left in the queue).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// Neither format: no dead-letter attributes, and not a destination record.
    #[error(
        "neither a destination record (requestContext.functionArn, requestPayload) nor a dead-letter message"
    )]
    Unrecognised,
    /// A destination record whose `functionArn` is not a Lambda function ARN.
    #[error("destination record names {0:?}, not a Lambda function ARN")]
    BadFunctionArn(String),
    /// The event is not JSON (Lambda accepts only JSON payloads).
    #[error("the event is not JSON: {0}")]
    NotJson(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DestinationRecord<'a> {
    request_context: RequestContext,
    #[serde(borrow)]
    request_payload: &'a RawValue,
    // Present in every record Lambda writes; required so an event that merely has the other two
    // keys is not taken for a record.
    #[allow(dead_code)]
    response_context: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestContext {
    function_arn: String,
}

/// Reads one message in whichever format Lambda wrote it.
pub fn parse(message: &Received) -> Result<ParkedEvent, MessageError> {
    if message.attribute_names.iter().any(|name| name == DEAD_LETTER_ATTRIBUTE) {
        return event(Format::DeadLetter, None, &message.body);
    }
    let record: DestinationRecord<'_> =
        serde_json::from_str(&message.body).map_err(|_| MessageError::Unrecognised)?;
    let arn = record.request_context.function_arn;
    let function = match FunctionName::from_name_or_arn(&arn) {
        Ok((name, Some(parts))) => (name, parts),
        _ => return Err(MessageError::BadFunctionArn(arn)),
    };
    event(Format::Destination, Some(function), record.request_payload.get())
}

fn event(
    format: Format,
    function: Option<(FunctionName, FunctionArn)>,
    payload: &str,
) -> Result<ParkedEvent, MessageError> {
    let value: Value = serde_json::from_str(payload).map_err(|e| MessageError::NotJson(e.to_string()))?;
    let (source, detail_type) = kind(&value);
    Ok(ParkedEvent {
        format,
        function,
        payload: payload.to_owned(),
        source,
        detail_type,
        depth: depth(&value),
    })
}

/// Source and detail-type, from the keys each service writes.
fn kind(event: &Value) -> (Option<String>, Option<String>) {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    if let Some(source) = text(event.get("source")) {
        return (Some(source), text(event.get("detail-type")));
    }
    let first = event.get("Records").and_then(|r| r.get(0));
    let source = first.and_then(|r| r.get("EventSource").or_else(|| r.get("eventSource")));
    (text(source), text(first.and_then(|r| r.get("eventName"))))
}

/// The deepest valid chain header: a malformed one says nothing about depth.
fn depth(event: &Value) -> Option<u32> {
    let bridge = ChainHeader::from_event_value(event).ok().flatten().map(|h| h.depth);
    let records = event.get("Records").and_then(Value::as_array).into_iter().flatten();
    let sns = records
        .filter_map(|r| {
            r.get("Sns")?.get("MessageAttributes")?.get(MESSAGE_ATTRIBUTE)?.get("Value")?.as_str()
        })
        .filter_map(|text| ChainHeader::parse(text).ok())
        .map(|h| h.depth);
    bridge.into_iter().chain(sns).max()
}

#[cfg(test)]
mod tests;
