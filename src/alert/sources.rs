//! The alert's lines about the function's event source mappings: one per mapping, naming the queue
//! or stream and what happens to its messages, only when the function has mappings. For an SQS
//! queue the line says what the queue's redrive policy, read after the throttle, makes of it: its
//! DLQ and after how many receives, or that it has none; a DLQ is never promised unread.

use serde_json::{Value, json};

use crate::ports::{PauseStatus, QueueFacts, QueueRead, SourceKind, SourceOutcome};
use crate::sanitise::Plain;

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
            "- event source mappings: could not be read ({}); none were paused. An SQS mapping \
             keeps receiving: after maxReceiveCount a message moves to the queue's DLQ if it has one \
             (the queues were not read either); stream shards block.\n",
            Plain(error)
        ),
        EventSources::Listed(all) => all.iter().map(line).collect(),
    }
}

fn line(outcome: &SourceOutcome) -> String {
    let m = &outcome.mapping;
    let head = format!("- {} (mapping {})", Plain(m.describe()), Plain(&m.id));
    let queue = outcome.queue.as_ref().filter(|_| m.kind == SourceKind::Sqs);
    match &outcome.status {
        PauseStatus::Paused => format!("{head}: paused; {}.{}\n", m.while_paused(), dead_letter_note(queue)),
        PauseStatus::WouldPause => {
            format!("{head}: would be paused; {}.{}\n", m.while_paused(), dead_letter_note(queue))
        }
        PauseStatus::AlreadyDisabled => {
            format!("{head}: disabled before the trip; left disabled, also by re-enable.\n")
        }
        PauseStatus::NotPaused(why) => match queue {
            Some(queue) => {
                format!(
                    "{head}: NOT paused ({}); each throttled receive counts: {}.\n",
                    Plain(why),
                    fate(queue)
                )
            }
            None => format!("{head}: NOT paused ({}); {}.\n", Plain(why), m.while_polling_throttled()),
        },
    }
}

/// The queue's DLQ, after a paused SQS mapping's line (empty when the queue was not read).
fn dead_letter_note(queue: Option<&QueueRead>) -> String {
    match queue {
        None => String::new(),
        Some(QueueRead::Read(QueueFacts { dead_letter: Some(dlq), .. })) => {
            format!(" Its DLQ is {} (after {} receives).", Plain(dlq.queue_name()), dlq.max_receive_count)
        }
        Some(QueueRead::Read(QueueFacts { dead_letter: None, .. })) => " It has no DLQ.".to_owned(),
        Some(QueueRead::Unreadable { error }) => format!(" Its DLQ could not be read ({}).", Plain(error)),
    }
}

/// What happens to the messages of an SQS queue still polled by a function at 0.
fn fate(queue: &QueueRead) -> String {
    match queue {
        QueueRead::Read(QueueFacts { dead_letter: Some(dlq), .. }) => format!(
            "after {} receives a message moves to its DLQ {}",
            dlq.max_receive_count,
            Plain(dlq.queue_name())
        ),
        QueueRead::Read(QueueFacts { dead_letter: None, retention_secs }) => format!(
            "it has no DLQ, so messages stay until the queue's retention ({}) ends, then are deleted",
            retention_secs.map_or_else(|| "unknown".to_owned(), duration)
        ),
        QueueRead::Unreadable { error } => format!(
            "after maxReceiveCount a message moves to the queue's DLQ if it has one (its attributes \
             could not be read: {}), else it stays until the retention period ends",
            Plain(error)
        ),
    }
}

/// A retention period as a person says it: "4 days", "12 hours", "90 seconds".
fn duration(secs: u32) -> String {
    let unit = |n: u32, one: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {one}s") };
    match secs {
        s if s > 0 && s % 86_400 == 0 => unit(s / 86_400, "day"),
        s if s > 0 && s % 3_600 == 0 => unit(s / 3_600, "hour"),
        s if s > 0 && s % 60 == 0 => unit(s / 60, "minute"),
        s => unit(s, "second"),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{DeadLetter, EventSourceMapping, MappingId};

    fn sqs(status: PauseStatus, queue: Option<QueueRead>) -> SourceOutcome {
        let mapping = EventSourceMapping {
            id: MappingId::new("a1b2").unwrap(),
            kind: SourceKind::Sqs,
            source: "arn:aws:sqs:us-east-1:111122223333:jobs".to_owned(),
            state: "Enabled".to_owned(),
        };
        SourceOutcome { mapping, status, queue }
    }

    #[test]
    fn a_queue_without_a_dlq_is_never_promised_one() {
        let none = QueueRead::Read(QueueFacts { dead_letter: None, retention_secs: Some(1_209_600) });
        let text = line(&sqs(PauseStatus::NotPaused("x".into()), Some(none)));
        assert!(
            text.contains("it has no DLQ, so messages stay until the queue's retention (14 days) ends"),
            "{text}"
        );
        assert!(!text.contains("moves to"), "{text}");
        let dlq = DeadLetter {
            queue_arn: "arn:aws:sqs:us-east-1:111122223333:jobs-dlq".into(),
            max_receive_count: 3,
        };
        let with = QueueRead::Read(QueueFacts { dead_letter: Some(dlq), retention_secs: None });
        let text = line(&sqs(PauseStatus::WouldPause, Some(with)));
        assert!(text.ends_with("because of the trip. Its DLQ is jobs-dlq (after 3 receives).\n"), "{text}");
    }

    #[test]
    fn durations_read_as_people_say_them() {
        let said: Vec<String> = [345_600, 86_400, 43_200, 90, 60, 0].into_iter().map(duration).collect();
        assert_eq!(said, ["4 days", "1 day", "12 hours", "90 seconds", "1 minute", "0 seconds"]);
    }
}
