//! Alarms naming a function: anyone with `cloudwatch:PutMetricAlarm` can set a threshold on any
//! function's `AWS/` metrics (custom namespaces are refused earlier, in `trust`), so an alarm's
//! ALARM is a candidate judged against the function's own history like a contributor, unless the
//! function's owners opted it in with `runaway-guard:trust-alarms=true` (a tag only they can write).

use tracing::warn;

use super::Guard;
use crate::name::FunctionName;
use crate::ports::{Metrics, Notifier, Throttler, tags};
use crate::verdict::{Candidate, Reason};

/// The metric Lambda's own loop detection publishes.
const RECURSION_METRIC: &str = "AWS/Lambda/RecursiveInvocationsDropped";

/// Alarm verdicts sorted: `(to throttle now, to judge)`.
pub(super) type SortedAlarms = (Vec<(FunctionName, Reason)>, Vec<Candidate>);

impl<T: Throttler, M: Metrics, N: Notifier> Guard<T, M, N> {
    /// Sorts the functions named by alarms in ALARM (a tag read for each; few per event).
    pub(super) async fn sort_alarms(
        &self,
        verdicts: Vec<(FunctionName, Reason)>,
        notes: &mut Vec<String>,
    ) -> SortedAlarms {
        let (mut act, mut judge) = (Vec::new(), Vec::new());
        for (function, reason) in verdicts {
            if self.policy.exempt_by_configuration(&function) {
                act.push((function, reason));
                continue;
            }
            match self.throttler.trusts_alarms(&function).await {
                Ok(true) => {
                    notes.push(format!(
                        "{function} trusts its alarms ({}=true): not judged",
                        tags::TRUST_ALARMS
                    ));
                    act.push((function, reason));
                    continue;
                }
                Ok(false) => {}
                Err(err) => {
                    warn!(function = %function, error = %err, "alarm opt-in tag unreadable");
                    notes.push(format!("{} of {function} unreadable ({err}): judged", tags::TRUST_ALARMS));
                }
            }
            let (trigger, recursion) = match &reason {
                // Lambda's own loop signal (the namespace is AWS/: checked in `trust`).
                Reason::Alarm { alarm, metric, .. } => {
                    (format!("alarm {alarm} on {metric}"), metric.contains(RECURSION_METRIC))
                }
                other => (other.to_string(), false),
            };
            judge.push(Candidate { function, trigger, recursion, muted: None });
        }
        (act, judge)
    }
}
