//! The trip alert's line on asynchronous events: where they go while the function is throttled
//! (the guard's parking queue, its own DLQ or destination, or nowhere) and how to get them back
//! (`runaway-guard replay`).

use super::TripFacts;
use super::model::NextStep;
use crate::ports::{FailureTarget, Parking};
use crate::sanitise::Plain;

/// Where the function's async events go now: "go to …" / "are PARKED …" / "are DROPPED …".
pub(super) fn async_events(facts: &TripFacts<'_>) -> String {
    fate(facts).0
}

/// The step that gets the events back, when there is something to replay: the replay command
/// (the model adds the region and names the account).
pub(super) fn replay_step(facts: &TripFacts<'_>) -> Option<NextStep> {
    let command = fate(facts).1?;
    // The queue holds the runaway's own events beside the organic ones: count them by source and
    // detail-type first, so the replay can leave the runaway's out (--only-source, --since, ...).
    Some(NextStep::new(
        "after re-enabling, count its parked or dead-lettered events by source and detail-type, then send \
         back the ones that are not the runaway's",
        &[format!("{command} --dry-run"), command],
        &facts.context,
    ))
}

fn fate(facts: &TripFacts<'_>) -> (String, Option<String>) {
    let replay = |from: Option<&str>| replay_command(facts, from);
    match (facts.parking, facts.failure_target) {
        (Some(Parking::Parked { queue }), _) => (
            format!("are PARKED in the guard's parking queue {}, without retries", Plain(queue)),
            Some(replay(None)),
        ),
        (Some(Parking::WouldPark { queue }), _) => (
            format!(
                "would be PARKED in the guard's parking queue {} (it has no DLQ and no on-failure destination)",
                Plain(queue)
            ),
            None,
        ),
        (Some(Parking::NotParked { why }), _) => (
            format!(
                "are DROPPED: it has no DLQ and no on-failure destination, and they were not parked: {}",
                Plain(why)
            ),
            None,
        ),
        (None, Some(FailureTarget::Destination(arn))) => (
            format!("go to its on-failure destination {}, without retries", Plain(arn)),
            Some(replay(Some(arn))),
        ),
        (None, Some(FailureTarget::DeadLetter(arn))) => {
            (format!("go to its dead-letter queue {}, without retries", Plain(arn)), Some(replay(Some(arn))))
        }
        (None, Some(FailureTarget::Dropped)) => {
            ("are DROPPED: it has no DLQ and no on-failure destination".to_owned(), None)
        }
        (None, Some(FailureTarget::Unknown) | None) => (
            "go to its DLQ / on-failure destination if it has one, else are DROPPED (unknown)".to_owned(),
            None,
        ),
    }
}

/// `runaway-guard replay FUNCTION [--from QUEUE] [--region R]`.
fn replay_command(facts: &TripFacts<'_>, from: Option<&str>) -> String {
    let mut command = format!("runaway-guard replay {}", facts.function);
    if let Some(queue) = from {
        command += &format!(" --from {}", Plain(queue));
    }
    command
}
