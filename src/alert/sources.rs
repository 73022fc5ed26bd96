//! The alert's lines about the function's event source mappings: one per mapping, naming the queue
//! or stream and what happens to its messages, only when the function has mappings. Nothing here
//! promises a DLQ: the guard does not read the queues, so a DLQ is only ever mentioned as "if it has one".

use serde_json::{Value, json};

use crate::ports::{PauseStatus, SourceOutcome};

/// What the trip knows about the function's event source mappings.
#[derive(Debug, Clone, Copy, Default)]
pub enum EventSources<'a> {
    /// Not read: the trip did not get that far (a cap, a failed read, an earlier decision).
    #[default]
    NotRead,
    /// `ListEventSourceMappings` failed with this error: nothing was paused.
    Unreadable(&'a str),
    /// The mappings and what the trip did about each (empty: the function has none).
    Listed(&'a [SourceOutcome]),
}

/// The bullet lines for the "While throttled" block (each ends in a newline; none without mappings).
pub fn lines(sources: EventSources<'_>) -> String {
    match sources {
        EventSources::NotRead => String::new(),
        EventSources::Unreadable(error) => format!(
            "- event source mappings: could not be read ({error}); none were paused. An SQS mapping \
             keeps receiving: after maxReceiveCount a message moves to the queue's DLQ if it has one; \
             stream shards block.\n"
        ),
        EventSources::Listed(all) => all.iter().map(line).collect(),
    }
}

fn line(outcome: &SourceOutcome) -> String {
    let m = &outcome.mapping;
    let head = format!("- {} (mapping {})", m.describe(), m.id);
    match &outcome.status {
        PauseStatus::Paused => format!("{head}: paused; {}.\n", m.while_paused()),
        PauseStatus::WouldPause => format!("{head}: would be paused; {}.\n", m.while_paused()),
        PauseStatus::AlreadyDisabled => {
            format!("{head}: disabled before the trip; left disabled, also by re-enable.\n")
        }
        PauseStatus::NotPaused(why) => {
            format!("{head}: NOT paused ({why}); {}.\n", m.while_polling_throttled())
        }
    }
}

/// The machine-readable form: `null` when not read, else `{"error"}` or the list.
pub fn machine(sources: EventSources<'_>) -> Value {
    match sources {
        EventSources::NotRead => Value::Null,
        EventSources::Unreadable(error) => json!({ "error": error }),
        EventSources::Listed(all) => json!(all),
    }
}
