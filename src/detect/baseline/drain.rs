//! A consumer draining a backlog is not a loop through its queue. Every message a looping consumer
//! takes makes at least one new one (a loop that makes fewer dies out), so while it loops its
//! queues receive at least as many messages as it deletes. A consumer whose queues received
//! clearly fewer than it deleted, over the minutes that made it look like a runaway, is working
//! off messages sent earlier: a DLQ redrive, a backfill enqueued at once, a catch-up after an
//! outage. Its growth (the poller scaling up) or its pin at a ceiling is the drain, not a loop. A
//! backlog that lands within the judged minutes (a redrive) shows as one minute of sends far above
//! the deletes, then minutes far below them; a loop's sends keep up with its deletes every minute.
//!
//! Only a relief, and only for growth and saturation: it can spare a function, never stop one.
//! It applies when the queues account for all the function's work: no async events in those
//! minutes, and at least one message deleted for each invocation.

use super::{Subject, run};
use crate::config::Baseline;
use crate::ports::{MinuteMetrics, QueueFlow, QueueMinute};
use crate::verdict::RunawayShape;

/// Messages received under this share of those deleted is a drain (a loop receives at least as
/// many as it deletes; the margin absorbs minute boundaries between a send and its delete).
pub const DRAIN_SHARE: f64 = 0.9;
/// Judged minutes the queues' counts must cover for any relief.
pub const MIN_COUNTED_MINUTES: usize = 2;

/// Why a function judged a runaway by `shape` is draining its queues instead, when it is. Over the
/// latest minutes the shape rests on that the queues' counts cover (at least
/// [`MIN_COUNTED_MINUTES`]; no async events in any of them, and no more invocations than messages
/// deleted), its queues (`flows`, the ones its mappings poll) received
/// - under [`DRAIN_SHARE`] of the messages deleted: it is draining a backlog; or
/// - more, but under that share in the latest minute: the backlog arrived in a burst within those
///   minutes (a redrive lands in one minute and pins its consumer in the same one). It is left
///   alone for now and judged again while its alarm stays in ALARM (the re-judge schedule); a loop
///   receives at least what it deletes in every minute.
///
/// `None`: no such evidence (the shape stands).
pub fn draining(
    recent: &[MinuteMetrics],
    shape: &RunawayShape,
    flows: &[QueueFlow],
    t: &Baseline,
) -> Option<String> {
    let len = match shape {
        RunawayShape::Growth { minutes, .. } => minutes.len(),
        RunawayShape::Saturation { minutes, .. } => *minutes as usize,
        RunawayShape::Recursion { .. } | RunawayShape::Surge { .. } => return None,
    }
    .max(t.saturation_minutes as usize);
    let published: Vec<&MinuteMetrics> = recent.iter().filter(|m| m.invocations.is_some()).collect();
    let minutes = run(&published, published.len(), len)?;
    let positive = |x: Option<f64>| x.filter(|x| x.is_finite() && *x > 0.0).unwrap_or(0.0);
    if flows.is_empty() || minutes.iter().any(|m| positive(m.async_events) > 0.0) {
        return None;
    }
    // (invocations, sent, deleted) per judged minute the queues' counts cover: SQS may publish a
    // minute later than Lambda, and a loop receives at least what it deletes in every minute, so
    // leaving a minute out never makes a loop look like a drain.
    let mut counts = Vec::with_capacity(minutes.len());
    for m in &minutes {
        let at: Vec<QueueMinute> =
            flows.iter().filter_map(|f| f.minutes.iter().find(|q| q.start == m.start).copied()).collect();
        if at.iter().any(|q| q.deleted.is_some()) {
            counts.push((
                positive(m.invocations),
                at.iter().map(|q| positive(q.sent)).sum::<f64>(),
                at.iter().map(|q| positive(q.deleted)).sum::<f64>(),
            ));
        }
    }
    if counts.len() < MIN_COUNTED_MINUTES {
        return None;
    }
    let (invocations, sent, deleted) =
        counts.iter().fold((0.0, 0.0, 0.0), |(i, s, d), (mi, ms, md)| (i + mi, s + ms, d + md));
    let &(_, last_sent, last_deleted) = counts.last()?;
    if deleted < 1.0 || deleted < invocations || last_sent >= DRAIN_SHARE * last_deleted {
        return None;
    }
    let (queues, n) = (names(flows), counts.len());
    Some(if sent < DRAIN_SHARE * deleted {
        format!(
            "draining a backlog: {queues} received {sent:.0} messages in its last {n} minutes against \
             {deleted:.0} it deleted (a loop through its queue receives at least one for each it takes)"
        )
    } else {
        format!(
            "draining a burst: {queues} received {sent:.0} messages in its last {n} minutes against \
             {deleted:.0} it deleted, but only {last_sent:.0} against {last_deleted:.0} in the latest \
             (a loop receives at least what it deletes in every minute); judged again while its \
             alarm stays in ALARM"
        )
    })
}

/// Whether `subject`'s judgement could be a drain: it has a mapping that polls SQS.
pub fn polls_a_queue(subject: &Subject) -> bool {
    matches!(subject.mapping, Some(crate::ports::MappingCeiling::Sqs { .. }))
}

fn names(flows: &[QueueFlow]) -> String {
    let names: Vec<&str> = flows.iter().map(|f| f.queue.as_str()).collect();
    match names.as_slice() {
        [one] => format!("its queue {one}"),
        many => format!("its queues {}", many.join(", ")),
    }
}
