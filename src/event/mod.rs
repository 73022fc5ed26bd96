//! Inbound JSON → `Signal`s. Dispatches on explicit keys, never on whichever untagged shape parses
//! first:
//!
//! | keys | event | signal |
//! |---|---|---|
//! | `source = aws.cloudwatch` + `alarmData` | alarm Lambda action | `Alarm` |
//! | `source = aws.cloudwatch` + `detail-type = CloudWatch Alarm State Change` | EventBridge | `Alarm` |
//! | `source = aws.cloudwatch` + `detail-type = CloudWatch Alarm Contributor State Change` | EventBridge | `Contributor` |
//! | `source = aws.events` + `detail-type = Scheduled Event` | EventBridge schedule | `Sweep` |
//! | `detail.runawayGuard` | any EventBridge event | `Chain` |
//! | `source = aws.lambda` + `detail-type = AWS API Call via CloudTrail` | EventBridge (CloudTrail) | `ParsedEvent::calls` |
//! | `Records[].EventSource = aws:sns` | attribute `runaway-guard-chain`, else a classic alarm `Message` | `Chain` / `Alarm` |
//! | `Records[].eventSource = aws:sqs` | attribute `runaway-guard-chain`, else a body with `detail.runawayGuard` | `Chain` |
//!
//! Records are judged one by one: a bad record becomes a `rejected` entry and never hides the good
//! ones. Alarms on metrics that are neither Lambda's nor billing's are still returned as signals;
//! `AlarmSignal::is_relevant` is where they are ignored. The guard's own wire types live here
//! rather than aws_lambda_events' (whose metric configuration rejects metric-math alarms, whose SNS
//! alarm payload rejects a null description, and whose `CloudWatchAlarm` accepts almost anything).
//!
//! Text is read with `serde_json` from the raw bytes so that a repeated key is an error (a decoded
//! `Value` has already kept only the last one). A batch's records are kept as raw text slices and
//! each is read on its own, so one broken record cannot fail the batch; the parts a sender controls
//! (SQS bodies, SNS messages) are strings, again read as raw text.
//!
//! The guard's largest input, an SQS batch of chain events (up to 10 000 records), first takes the
//! fast path of `fast/` (the one shape it reads is listed in `fast::SHAPES`): one pass with a strict
//! cursor, bodies read where they lie. Every record or document it does not recognise exactly is
//! read here instead, and its tests hold it to this parser's answers. A new event shape is taught
//! here and classified in `fast::SHAPES` (a test fails until it is).

mod alarm;
mod cloudtrail;
mod contributor;
mod envelope;
mod fast;
mod json;
mod message_ids;
mod region;
mod sns;
mod sqs;

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

pub use cloudtrail::{ApiCall, ApiChange, DELETE_CONCURRENCY, PUT_CONCURRENCY, UPDATE_MAPPING};
pub use message_ids::{RawMessageId, sqs_message_ids};

use crate::arn::Arn;
use crate::chain::{ChainError, ChainHeader};
use crate::name::NameError;
use crate::signal::{ChainObservation, Signal};
use crate::time::Timestamp;

/// Largest event accepted (Lambda's async payload limit is 256 KB, sync 6 MB).
pub const MAX_EVENT_BYTES: usize = 6 * 1024 * 1024;
/// Deepest nesting of JSON objects and arrays accepted (real events need fewer than 10).
pub const MAX_NESTING: usize = 64;

/// Why an event or one of its records was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// Larger than [`MAX_EVENT_BYTES`].
    #[error("event is {len} bytes; at most {MAX_EVENT_BYTES} are accepted")]
    TooLarge {
        /// Size of the rejected input in bytes.
        len: usize,
    },
    /// Objects and arrays nested deeper than [`MAX_NESTING`].
    #[error("event nests objects and arrays more than {MAX_NESTING} levels deep")]
    TooDeep,
    /// The JSON ends early (truncated).
    #[error("event JSON is truncated at line {line} column {column}")]
    Truncated {
        /// Line where the input ended.
        line: usize,
        /// Column where the input ended.
        column: usize,
    },
    /// Not JSON (serde's message, shortened).
    #[error("event is not valid JSON: {0}")]
    NotJson(String),
    /// A key appears twice in the same object.
    #[error("event repeats the key `{0}`")]
    DuplicateKey(String),
    /// A field the recognised shape requires is absent.
    #[error("event is missing the field `{0}`")]
    MissingField(String),
    /// A field has the wrong JSON type (serde's message, shortened).
    #[error("event has the wrong shape: {0}")]
    WrongShape(String),
    /// A shape the guard is not subscribed to.
    #[error("unrecognised event shape: {0}")]
    Unrecognised(String),
    /// A record from an event source the guard does not read (e.g. `aws:s3`).
    #[error("record source {0:?} is not one the guard reads")]
    UnknownRecordSource(String),
    /// `Records` is present but empty.
    #[error("event has an empty Records array")]
    EmptyRecords,
    /// The alarm state is not one CloudWatch defines.
    #[error("alarm state {0:?} is not ALARM, OK or INSUFFICIENT_DATA")]
    UnknownAlarmState(String),
    /// An alarm's `FunctionName` dimension is not a valid function name or ARN.
    #[error("alarm {alarm:?} names an invalid function: {source}")]
    BadFunctionName {
        /// The alarm's name.
        alarm: String,
        /// What was wrong with the name.
        #[source]
        source: NameError,
    },
    /// An alarm's `FunctionName` dimension is an ARN of another account or region than the alarm's.
    #[error("alarm {alarm:?} names a function ARN of another account or region than its own")]
    ForeignFunctionArn {
        /// The alarm's name.
        alarm: String,
    },
    /// A CloudTrail event names an invalid function.
    #[error("CloudTrail event names an invalid function: {0}")]
    BadCallFunction(#[source] NameError),
    /// A CloudTrail event names a function ARN of another account or region than its envelope's.
    #[error("CloudTrail event names a function ARN of another account or region than its own")]
    ForeignCallArn,
    /// The chain header (object or message attribute) is malformed.
    #[error("chain header rejected: {0}")]
    BadChain(#[source] ChainError),
    /// An alarm's query reads a namespace outside `AWS/`, which anyone with `PutMetricData` can write.
    #[error("alarm {alarm:?} reads namespace {namespace:?}; the guard acts only on AWS/ metrics")]
    CustomNamespace {
        /// The alarm's name.
        alarm: String,
        /// The namespace it reads.
        namespace: String,
    },
    /// The `runaway-guard-chain` message attribute is present but holds no string.
    #[error("message attribute `runaway-guard-chain` has no string value")]
    BadAttribute,
}

/// Signals from one event, plus every record that was rejected (so one bad record in an SQS
/// batch never hides the good ones, and is never silently dropped either).
#[derive(Debug, Default, PartialEq)]
pub struct ParsedEvent {
    /// Accepted signals.
    pub signals: Vec<Signal>,
    /// `(location, error)` for each rejected record, e.g. `("Records[2]", ...)`.
    pub rejected: Vec<(String, EventError)>,
    /// Lambda control-plane calls recorded by CloudTrail (the drift watch's input; never a `Signal`,
    /// since detection has nothing to count in them).
    pub calls: Vec<ApiCall>,
}

/// Parses raw bytes into signals: the primary entry point (repeated keys are detected).
///
/// `Err` when the event as a whole is unusable; `Ok` with `rejected` entries when some records of a
/// batch were (even all of them).
pub fn parse_bytes(raw: &[u8]) -> Result<ParsedEvent, EventError> {
    match fast::parse_batch(raw) {
        Some(parsed) => Ok(parsed),
        None => parse_general(raw),
    }
}

/// The parser for every event: dispatch on keys, then typed `serde` reads (the fast path hands
/// it everything but the common SQS batch, and its tests compare the two).
fn parse_general(raw: &[u8]) -> Result<ParsedEvent, EventError> {
    let json::Obj(probe) = json::from_slice::<json::Obj<envelope::Probe>>(raw)?;
    match probe.records {
        Some(records) if records.is_empty() => Err(EventError::EmptyRecords),
        Some(records) => Ok(parse_records(&records)),
        None if probe.is_lambda_api_call() => {
            Ok(ParsedEvent { calls: vec![cloudtrail::from_eventbridge(raw)?], ..ParsedEvent::default() })
        }
        None => Ok(ParsedEvent { signals: vec![envelope::dispatch(raw, &probe)?], ..ParsedEvent::default() }),
    }
}

/// Parses an already-decoded event (re-serialized first, so repeated keys are no longer visible).
pub fn parse_value(event: &Value) -> Result<ParsedEvent, EventError> {
    let raw = serde_json::to_vec(event).map_err(json::classify)?;
    parse_bytes(&raw)
}

fn parse_records(records: &[&RawValue]) -> ParsedEvent {
    let mut parsed = ParsedEvent::default();
    for (index, record) in records.iter().enumerate() {
        match parse_record(record.get()) {
            Ok(signal) => parsed.signals.push(signal),
            Err(error) => parsed.rejected.push((format!("Records[{index}]"), error)),
        }
    }
    parsed
}

/// Which service a record comes from: SNS spells it `EventSource`, every other service `eventSource`.
#[derive(Debug, Deserialize)]
struct RecordSource {
    #[serde(rename = "EventSource")]
    sns_style: Option<String>,
    #[serde(rename = "eventSource")]
    other: Option<String>,
}

/// Parses one record of a batch, given as its own JSON text (already checked against the limits).
fn parse_record(record: &str) -> Result<Signal, EventError> {
    let json::Obj(source) = json::from_checked::<json::Obj<RecordSource>>(record)?;
    match source.sns_style.or(source.other).as_deref() {
        Some(sns::EVENT_SOURCE) => sns::parse_record(record),
        Some(sqs::EVENT_SOURCE) => sqs::parse_record(record),
        Some(other) => Err(EventError::UnknownRecordSource(json::shorten(other))),
        None => Err(EventError::Unrecognised("record has no EventSource or eventSource".into())),
    }
}

/// Parses an RFC 3339 time from an envelope; a missing or malformed time is `None` rather than a
/// rejection, since the guard acts on `now` and AWS's own samples carry malformed times.
fn timestamp(text: Option<&str>) -> Option<Timestamp> {
    text.and_then(Timestamp::parse_rfc3339)
}

/// `(region, account)` from an ARN such as `arn:aws:sqs:us-east-1:111122223333:queue`.
fn arn_region_account(arn: Option<&str>) -> (Option<String>, Option<String>) {
    let Some(arn) = arn.and_then(Arn::parse) else { return (None, None) };
    let non_empty = |part: &str| (!part.is_empty()).then(|| part.to_owned());
    (non_empty(arn.region), non_empty(arn.account))
}

/// Reads the string form of the chain header from an SQS/SNS message attribute, whose value sits
/// under `value_key` (`stringValue` for SQS, `Value` for SNS).
fn attribute_header(attribute: &Value, value_key: &str) -> Result<ChainHeader, EventError> {
    let text = attribute.get(value_key).and_then(Value::as_str).ok_or(EventError::BadAttribute)?;
    ChainHeader::parse(text).map_err(EventError::BadChain)
}

/// A chain signal from a message attribute; `sender` is the SQS `SenderId`, when there is one.
fn chain_signal(
    header: ChainHeader,
    emitted_at: Option<Timestamp>,
    (account, region): (Option<String>, Option<String>),
    sender: Option<String>,
) -> Signal {
    let (account, region) = (account.map(Arc::from), region.map(Arc::from));
    let sender = sender.map(Arc::from);
    Signal::Chain(ChainObservation {
        header,
        emitted_at,
        account,
        region,
        sender,
        source: None,
        detail_type: None,
    })
}

#[cfg(test)]
mod tests;
