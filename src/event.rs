//! Inbound JSON → `Signal`s. Dispatches on explicit keys (`detail-type`, `Records[].EventSource`,
//! `alarmData`), never on whichever untagged shape parses first. aws_lambda_events types stay here.
//! SKELETON: the API is the contract; filled in by the detection-core work.

use serde_json::Value;

use crate::signal::Signal;

/// Largest event accepted (Lambda's async payload limit is 256 KB, sync 6 MB).
pub const MAX_EVENT_BYTES: usize = 6 * 1024 * 1024;

/// Why an event or one of its records was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// Not JSON, or truncated.
    #[error("event is not valid JSON: {0}")]
    NotJson(String),
    /// A shape the guard is not subscribed to.
    #[error("unrecognised event shape: {0}")]
    Unrecognised(String),
}

/// Signals from one event, plus every record that was rejected (so one bad record in an SQS
/// batch never hides the good ones, and is never silently dropped either).
#[derive(Debug, Default)]
pub struct ParsedEvent {
    /// Accepted signals.
    pub signals: Vec<Signal>,
    /// `(location, error)` for each rejected record, e.g. `("Records[2]", ...)`.
    pub rejected: Vec<(String, EventError)>,
}

/// Parses raw bytes (size-limited) into signals.
pub fn parse_bytes(raw: &[u8]) -> Result<ParsedEvent, EventError> {
    let value: Value = serde_json::from_slice(raw).map_err(|e| EventError::NotJson(e.to_string()))?;
    parse_value(&value)
}

/// Parses an already-decoded event into signals.
pub fn parse_value(event: &Value) -> Result<ParsedEvent, EventError> {
    let _ = event;
    Err(EventError::Unrecognised("not implemented".into()))
}
