//! A guarded function's side of the chain header, with no AWS calls: read the incoming header,
//! compute the next hop, stop locally at the limit, and attach the header to what it emits.
//!
//! Needs only the chain module: `runaway-guard = { version = "0.1", default-features = false }`.
//!
//! ```text
//! cargo run --no-default-features --example guarded_function            # built-in sample event
//! cargo run --no-default-features --example guarded_function -- 16      # with a limit of 16
//! ```

use std::error::Error;

use runaway_guard::chain::{ChainError, ChainHeader, EVENTBRIDGE_FIELD, MESSAGE_ATTRIBUTE};
use runaway_guard::name::FunctionName;
use serde_json::{Value, json};

/// What an upstream emitter sent us (an EventBridge event delivered to this function).
const INCOMING: &str = r#"{
  "detail-type": "ThumbnailRequested",
  "source": "com.example.media",
  "detail": {
    "key": "img/0.png",
    "runawayGuard": {"root": "1-673dc1b0-000000000000000000000abc", "depth": 3, "function": "uploader"}
  }
}"#;

fn main() -> Result<(), Box<dyn Error>> {
    let limit: u32 = match std::env::args().nth(1) {
        Some(arg) => arg.parse()?,
        None => 16,
    };
    // In Lambda these come from the environment (or `ctx.xray_trace_id` / `ctx.request_id`).
    let me = FunctionName::new(
        &std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|_| "thumbnailer".to_owned()),
    )?;
    let trace = std::env::var("_X_AMZN_TRACE_ID").ok();
    let request_id = "8f5b2c4e-0d1a-4c3b-9e7f-6a5b4c3d2e1f";

    let incoming = incoming_header(INCOMING)?;

    let next = match ChainHeader::next_hop_checked(
        incoming.as_ref(),
        &me,
        trace.as_deref(),
        || request_id.to_owned(),
        limit,
    ) {
        Ok(next) => next,
        Err(ChainError::LimitReached { depth, limit }) => {
            // Stop here: emitting would make the guard throttle this function.
            eprintln!("not emitting: chain depth {depth} would exceed {limit}");
            return Ok(());
        }
        Err(other) => return Err(other.into()),
    };

    emit(&next);
    Ok(())
}

/// Reads `detail.runawayGuard` from the event this function received. A malformed header is not
/// trusted: the function starts a fresh chain, but says so.
fn incoming_header(event: &str) -> Result<Option<ChainHeader>, Box<dyn Error>> {
    let event: Value = serde_json::from_str(event)?;
    Ok(ChainHeader::from_event_value(&event).unwrap_or_else(|e| {
        eprintln!("ignoring malformed incoming chain header: {e}");
        None
    }))
}

/// Attaches `next` to what the function emits (printed here instead of calling AWS).
fn emit(next: &ChainHeader) {
    // EventBridge PutEvents entry: the object form under detail.runawayGuard.
    let mut detail = json!({ "key": "img/0-thumb.png" });
    if let Some(object) = detail.as_object_mut() {
        object.insert(EVENTBRIDGE_FIELD.to_owned(), next.to_json());
    }
    let entry = json!({
        "Source": "com.example.media",
        "DetailType": "ThumbnailCreated",
        "Detail": detail.to_string(),
    });
    println!("eventbridge entry: {entry}");

    // SQS SendMessage (or SNS Publish): the string form as a message attribute.
    let attributes = json!({ MESSAGE_ATTRIBUTE: { "DataType": "String", "StringValue": next.to_string() } });
    println!("sqs message attributes: {attributes}");
}
