//! Corroboration mode in the handler: the one CloudWatch read that decides which chain-evidence
//! targets are believed (the decision itself is `trust::corroborate`, pure).

use super::Guard;
use crate::name::FunctionName;
use crate::ports::{Metrics, Notifier, Throttler};
use crate::report::{Rejected, Report};
use crate::time::Timestamp;
use crate::trust::{self, Corroboration};
use crate::verdict::Reason;

impl<T: Throttler, M: Metrics, N: Notifier> Guard<T, M, N> {
    /// Drops targets resting on chain evidence alone whose own `Invocations` are below the floor
    /// (one `GetMetricData` call for all of them), reporting each `rejected`. When CloudWatch cannot
    /// be read the guard acts anyway and says so in the notes (see `trust::corroborate`).
    pub(super) async fn corroborated(
        &self,
        targets: Vec<(FunctionName, Reason)>,
        now: Timestamp,
        report: &mut Report,
    ) -> Vec<(FunctionName, Reason)> {
        let candidates: Vec<FunctionName> = targets
            .iter()
            .filter(|(_, reason)| trust::needs_corroboration(reason))
            .map(|(function, _)| function.clone())
            .collect();
        if candidates.is_empty() {
            return targets;
        }
        let samples = match self.metrics.usage(&candidates, trust::CORROBORATION_WINDOW_SECS, now).await {
            Ok(samples) => Some(samples),
            Err(err) => {
                report.notes.push(format!("chain evidence not corroborated (acting anyway): {err}"));
                None
            }
        };
        let floor = self.config.corroborate_min_invocations;
        let verdicts = trust::corroborate(&candidates, samples.as_deref(), floor);
        let mut refuted = Vec::new();
        for (function, verdict) in candidates.into_iter().zip(verdicts) {
            if let Corroboration::Refuted { invocations } = verdict {
                report.rejected.push(Rejected {
                    location: format!("function {function}"),
                    error: format!(
                        "chain evidence not corroborated: {invocations} invocations in the last {} s, \
                         below RUNAWAY_GUARD_CORROBORATE_MIN_INVOCATIONS={floor}",
                        trust::CORROBORATION_WINDOW_SECS
                    ),
                });
                refuted.push(function);
            }
        }
        targets.into_iter().filter(|(function, _)| !refuted.contains(function)).collect()
    }
}
