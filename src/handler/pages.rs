//! Pages deduplicated per cause: an offender search's "nothing ran away" summary pages once per
//! situation (the sweep only on a change), and a read the judgement could not make pages once per
//! subject per period, retries of the same event included. A failed read fails the invocation
//! (see [`Report::needs_retry`]), so the one-shot event is judged again when the read works.

use tracing::{error, info};

use crate::alert::AlertContext;
use crate::detect::SWEEP_SEARCH;
use crate::name::FunctionName;
use crate::offender;
use crate::ports::{Metrics, Notifier, Throttler};
use crate::report::Report;
use crate::time::Timestamp;
use crate::verdict::Reason;

impl<T: Throttler, M: Metrics, N: Notifier> super::Guard<T, M, N> {
    fn alert_context(&self, now: Timestamp) -> AlertContext<'_> {
        AlertContext {
            account: self.account.get().map(String::as_str),
            region: self.region.as_deref(),
            at: now,
        }
    }

    /// Runs the offender search for `alarm` and returns its offenders. Its failed reads go to the
    /// report's `unread`; its summary pages when the situation (the functions over the cost limit
    /// left alone) is new: an alarm repeats it once per period, the sweep never, and a sweep that
    /// finds nothing over the limit pages nothing.
    pub(super) async fn searched(
        &self,
        (alarm, metric): (&str, &str),
        report: &mut Report,
        now: Timestamp,
    ) -> Vec<(FunctionName, Reason)> {
        let context = self.alert_context(now);
        let found =
            offender::search(&self.throttler, &self.metrics, &self.config, (alarm, metric), context).await;
        info!(alarm = %crate::sanitise::Plain(alarm), metric = %crate::sanitise::Plain(metric), offenders = found.offenders.len(), unread = found.unread.len(), "offender search");
        report.notes.extend(found.notes);
        report.unread.extend(found.unread);
        let Some(alert) = found.summary_alert else { return found.offenders };
        let sweep = alarm == SWEEP_SEARCH;
        if sweep && found.situation.is_empty() {
            self.policy.summary_cleared(alarm);
            return found.offenders;
        }
        let situation: Vec<&str> = found.situation.iter().map(FunctionName::as_str).collect();
        if !self.policy.summary_found(alarm, &situation.join(","), now, !sweep) {
            report.notes.push(format!("alarm {alarm}: the same situation was already paged about; no page"));
            return found.offenders;
        }
        if let Err(err) = self.notifier.publish(&alert).await {
            report.notes.push(format!("offender-search alert not published: {err}"));
        }
        found.offenders
    }

    /// Pages the report's failed reads that have not paged within the period, in one alert naming
    /// each subject and the read that failed.
    pub(super) async fn page_unread(&self, report: &mut Report, now: Timestamp) {
        for unread in &mut report.unread {
            error!(subject = %crate::sanitise::Plain(&unread.subject), error = %crate::sanitise::Plain(&unread.error), "read failed; nothing judged from it, invocation to be retried");
            unread.alerted = self.policy.read_failed(&unread.subject, now);
        }
        let paged: Vec<_> = report.unread.iter().filter(|u| u.alerted).cloned().collect();
        if paged.is_empty() {
            return;
        }
        let alert = crate::alert::unjudged_alert(&paged, &self.alert_context(now));
        if let Err(err) = self.notifier.publish(&alert).await {
            report.notes.push(format!("unjudged alert not published: {err}"));
            for unread in &mut report.unread {
                unread.alerted = false;
            }
        }
    }
}
