//! SQS records: the chain header in the `runaway-guard-chain` message attribute, or a body that is
//! an EventBridge event carrying `detail.runawayGuard` (an EventBridge rule targeting the queue).
//!
//! Only chain events are read from SQS: anyone allowed to send to the queue can write any body,
//! so a body claiming to be a CloudWatch alarm is not trusted as one. An attribute-borne header keeps
//! the record's `SenderId` (the sender's identity as SQS saw it), which `trust::claim` may accept as
//! proof that the function named in the header sent it; a body-borne one (the bus) names no sender.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::json::{self, Obj, Text};
use super::{EventError, arn_region_account, attribute_header, chain_signal, envelope};
use crate::chain::MESSAGE_ATTRIBUTE;
use crate::signal::Signal;
use crate::time::Timestamp;

/// `Records[].eventSource` of an SQS record.
pub(super) const EVENT_SOURCE: &str = "aws:sqs";

/// Strings without escapes are borrowed from the batch ([`Text`]); a body always holds escaped
/// quotes, so it is unescaped once, then read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SqsRecord<'a> {
    body: Option<String>,
    /// Other senders' attributes may have any shape: only ours is interpreted.
    message_attributes: Option<HashMap<String, Value>>,
    attributes: Option<Obj<Attributes>>,
    #[serde(rename = "eventSourceARN", borrow)]
    event_source_arn: Option<Text<'a>>,
    #[serde(borrow)]
    aws_region: Option<Text<'a>>,
}

/// The system attributes read (a map of every attribute cost an allocation per entry per record).
#[derive(Debug, Deserialize)]
struct Attributes {
    #[serde(rename = "SentTimestamp")]
    sent_timestamp: Option<Value>,
    /// Who sent the message: SQS writes it, no sender can choose it (`AROA…:<session>` for a role).
    #[serde(rename = "SenderId")]
    sender_id: Option<Value>,
}

/// Longest `SenderId` kept (a role id and a 64-character session name need about 90).
const MAX_SENDER_ID: usize = 160;

/// Parses one SQS record: the attribute wins; otherwise the body must be a chain event.
pub(super) fn parse_record(record: &str) -> Result<Signal, EventError> {
    let Obj(record) = json::from_checked::<Obj<SqsRecord>>(record)?;
    if let Some(attribute) = record.message_attributes.as_ref().and_then(|a| a.get(MESSAGE_ATTRIBUTE)) {
        let header = attribute_header(attribute, "stringValue")?;
        // The queue's account and region are all the record says about its sender.
        let (region, account) = arn_region_account(record.event_source_arn.as_ref().map(Text::as_str));
        let (sent_at, sender) = (sent_at(&record), sender_id(&record));
        let region = record.aws_region.map(|Text(text)| text.into_owned()).or(region);
        return Ok(chain_signal(header, sent_at, (account, region), sender));
    }
    let body = record.body.ok_or_else(|| EventError::MissingField("body".into()))?;
    envelope::chain_event(body.as_bytes())
}

/// `attributes.SenderId`, when it is a string of a plausible length (anything else proves nothing).
fn sender_id(record: &SqsRecord<'_>) -> Option<String> {
    let sender = record.attributes.as_ref()?.0.sender_id.as_ref()?.as_str()?;
    (!sender.is_empty() && sender.len() <= MAX_SENDER_ID).then(|| sender.to_owned())
}

/// `attributes.SentTimestamp`: milliseconds since the epoch, as a string.
fn sent_at(record: &SqsRecord<'_>) -> Option<Timestamp> {
    let sent = record.attributes.as_ref()?.0.sent_timestamp.as_ref()?.as_str()?;
    sent.parse().ok().map(Timestamp::from_millis)
}
