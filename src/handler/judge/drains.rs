//! The drain check: a consumer judged a runaway on growth or saturation whose queues receive
//! fewer messages than it deletes is draining a backlog (`detect::baseline::draining`), and is
//! left alone. Read only for those consumers: one `ListEventSourceMappings` each and one
//! GetMetricData for all their queues. A failed read spares nothing: the judgement stands, with
//! a note.

use std::collections::BTreeSet;

use futures::StreamExt;
use tracing::{info, warn};

use super::{Judged, window};
use crate::config::Config;
use crate::detect::baseline::{self, Judgement};
use crate::name::QueueName;
use crate::ports::{FunctionMetrics, Metrics, Throttler};
use crate::time::Timestamp;
use crate::verdict::{Candidate, Reason};

/// A candidate judged a runaway that a mapping polling SQS feeds.
pub(super) struct Suspect<'a> {
    pub candidate: &'a Candidate,
    pub metrics: &'a FunctionMetrics,
}

/// Moves each suspect that is draining its queues from `judged.runaways` to `judged.left_alone`.
pub(super) async fn spare_drains<T: Throttler, M: Metrics>(
    (throttler, metrics, config): (&T, &M, &Config),
    suspects: &[Suspect<'_>],
    now: Timestamp,
    judged: &mut Judged,
) {
    if suspects.is_empty() {
        return;
    }
    let read: Vec<_> = futures::stream::iter(suspects)
        .map(|s| async move { (s, throttler.polled_queues(&s.candidate.function).await) })
        .buffered(4)
        .collect()
        .await;
    let mut polled: Vec<(&Suspect<'_>, Vec<QueueName>)> = Vec::new();
    for (suspect, queues) in read {
        match queues {
            Ok(queues) if !queues.is_empty() => polled.push((suspect, queues)),
            Ok(_) => {}
            Err(err) => judged.notes.push(format!(
                "queues of {} unreadable ({err}): judged without their counts",
                suspect.candidate.function
            )),
        }
    }
    let names: Vec<QueueName> =
        polled.iter().flat_map(|(_, q)| q.iter().cloned()).collect::<BTreeSet<_>>().into_iter().collect();
    if names.is_empty() {
        return;
    }
    let flows = match metrics.queue_flows(&names, window(config, now)).await {
        Ok(flows) => flows,
        Err(err) => {
            warn!(queues = names.len(), error = %err, "cannot read queue counts");
            judged.notes.push(format!("queue counts unreadable ({err}): consumers judged without them"));
            return;
        }
    };
    for (suspect, queues) in polled {
        let function = &suspect.candidate.function;
        let own: Vec<_> = flows.iter().filter(|f| queues.contains(&f.queue)).cloned().collect();
        let Some(at) = judged.runaways.iter().position(|(f, _)| f == function) else { continue };
        let Reason::Runaway { shape, usd_per_hour, .. } = &judged.runaways[at].1 else { continue };
        let Some(why) = baseline::draining(&suspect.metrics.recent, shape, &own, &config.baseline) else {
            continue;
        };
        let usd_per_hour = *usd_per_hour;
        info!(function = %function, why = %why, "draining, not a runaway");
        judged.notes.push(format!("left {function} alone ({}): {why}", suspect.candidate.trigger));
        judged.runaways.remove(at);
        judged.left_alone.push((function.clone(), Judgement::Normal { usd_per_hour, why }));
    }
}
