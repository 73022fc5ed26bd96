//! Metric-driven candidates (alarm contributors, offender-search picks, the sweep's re-judged
//! contributors) judged against their own normal: one CloudWatch read for all of them, each
//! function's configuration for its price and ceiling, then `detect::baseline`. Only runaways come
//! back as targets; every function left alone, every mute rule and every failed read is a note.

use std::collections::HashMap;

use futures::StreamExt;
use tracing::{info, warn};

use crate::config::Config;
use crate::detect::baseline::{self, Judgement, Subject};
use crate::detect::cost::FunctionProfile;
use crate::name::FunctionName;
use crate::ports::{FunctionState, MappingCeiling, Metrics, MetricsWindow, PortError, Throttler};
use crate::report::Unread;
use crate::time::Timestamp;
use crate::verdict::{Candidate, Reason, RunawayShape};

/// Largest memory Lambda allows, for the note on a function priced without its configuration.
pub const MAX_MEMORY_MB: u32 = 10_240;

/// What judging a set of candidates found.
#[derive(Debug, Default)]
pub struct Judged {
    /// Runaways to throttle, in candidate order.
    pub runaways: Vec<(FunctionName, Reason)>,
    /// Functions left alone, with the judgement that spared them.
    pub left_alone: Vec<(FunctionName, Judgement)>,
    /// Mute rules, unreadable configurations, failed reads.
    pub notes: Vec<String>,
    /// Reads that failed for functions not found to run away: nothing is concluded about them,
    /// and the invocation is to fail so that it is retried.
    pub unread: Vec<Unread>,
}

/// A failed read about `subject`, not yet paged about.
pub fn unread(subject: impl ToString, err: &PortError) -> Unread {
    Unread { subject: subject.to_string(), error: err.to_string(), alerted: false }
}

/// The window every judgement reads.
pub fn window(config: &Config, now: Timestamp) -> MetricsWindow {
    MetricsWindow {
        now,
        recent_minutes: config.baseline.recent_minutes,
        history_days: config.baseline.history_days,
    }
}

/// Judges `candidates`. `known` holds subjects the caller already read (the offender search
/// priced them); the others' configurations are read here.
pub async fn judge<T: Throttler, M: Metrics>(
    (throttler, metrics, config): (&T, &M, &Config),
    candidates: &[Candidate],
    known: &HashMap<FunctionName, Subject>,
    now: Timestamp,
) -> Judged {
    let mut judged = Judged::default();
    if candidates.is_empty() {
        return judged;
    }
    for c in candidates.iter().filter(|c| c.muted.is_some()) {
        let mute = c.muted.as_deref().unwrap_or_default();
        judged.notes.push(format!("{} for {}: alarm actions {mute}; judged anyway", c.trigger, c.function));
    }
    let names: Vec<FunctionName> = candidates.iter().map(|c| c.function.clone()).collect();
    let series = match metrics.function_metrics(&names, window(config, now)).await {
        Ok(series) => series,
        Err(err) => {
            warn!(candidates = names.len(), error = %err, "cannot judge candidates");
            judged.notes.push(format!(
                "could not read CloudWatch to judge {} (acting only on reported recursion): {err}",
                list(&names)
            ));
            judged.runaways = candidates.iter().filter(|c| c.recursion).map(unjudged_recursion).collect();
            judged.unread =
                candidates.iter().filter(|c| !c.recursion).map(|c| unread(&c.function, &err)).collect();
            return judged;
        }
    };
    let subjects = subjects(throttler, candidates, known, &mut judged).await;
    let mut drain_suspects = Vec::new();
    for (candidate, metrics) in candidates.iter().zip(&series) {
        let subject =
            subjects.get(&candidate.function).copied().unwrap_or_else(|| default_subject(candidate));
        let judgement = baseline::judge(metrics, subject, &config.prices, &config.baseline, now);
        info!(function = %candidate.function, trigger = %crate::sanitise::Plain(&candidate.trigger), judgement = ?judgement, "judged");
        match judgement {
            Judgement::Runaway { shape, usd_per_hour, times_normal } => {
                if baseline::polls_a_queue(&subject) {
                    drain_suspects.push(drains::Suspect { candidate, metrics });
                }
                let reason =
                    Reason::Runaway { trigger: candidate.described(), shape, usd_per_hour, times_normal };
                judged.runaways.push((candidate.function.clone(), reason));
            }
            normal @ Judgement::Normal { .. } => {
                if let Judgement::Normal { why, .. } = &normal {
                    judged
                        .notes
                        .push(format!("left {} alone ({}): {why}", candidate.function, candidate.trigger));
                }
                judged.left_alone.push((candidate.function.clone(), normal));
            }
        }
    }
    drains::spare_drains((throttler, metrics, config), &drain_suspects, now, &mut judged).await;
    // A runaway priced at the defaults is throttled all the same: its unread configuration no
    // longer matters.
    let runaways: Vec<&FunctionName> = judged.runaways.iter().map(|(f, _)| f).collect();
    judged.unread.retain(|u| !runaways.iter().any(|f| f.as_str() == u.subject));
    judged
}

/// A reported recursion acted on without metrics: Lambda itself saw the loop.
fn unjudged_recursion(c: &Candidate) -> (FunctionName, Reason) {
    let reason = Reason::Runaway {
        trigger: c.described(),
        shape: RunawayShape::Recursion { dropped: 0.0 },
        usd_per_hour: 0.0,
        times_normal: None,
    };
    (c.function.clone(), reason)
}

fn default_subject(c: &Candidate) -> Subject {
    Subject { recursion_reported: c.recursion, ..Subject::default() }
}

/// Each candidate's memory, architecture and reserved ceiling (4 reads at a time). An unreadable
/// configuration is priced at Lambda's defaults with a note saying so and what it could cost, and
/// is a failed read unless that judgement already finds a runaway.
async fn subjects<T: Throttler>(
    throttler: &T,
    candidates: &[Candidate],
    known: &HashMap<FunctionName, Subject>,
    judged: &mut Judged,
) -> HashMap<FunctionName, Subject> {
    type Read = Result<PricedSubject, PortError>;
    let read: Vec<(FunctionName, Read)> = futures::stream::iter(candidates)
        .map(|c| async move {
            if let Some(subject) = known.get(&c.function) {
                return (
                    c.function.clone(),
                    Ok((Subject { recursion_reported: c.recursion, ..*subject }, None)),
                );
            }
            let subject = match throttler.function_state(&c.function).await {
                Ok(state) => Ok(priced_subject(throttler, &state, c.recursion).await),
                Err(err) => Err(err),
            };
            (c.function.clone(), subject)
        })
        .buffered(4)
        .collect()
        .await;
    let mut subjects = HashMap::new();
    for (function, subject) in read {
        match subject {
            Ok((subject, note)) => {
                judged.notes.extend(note);
                subjects.insert(function, subject);
            }
            Err(err) => {
                judged.notes.push(unreadable_note(&function, &err));
                // A function that does not exist has nothing left to judge: no retry would read it.
                if !err.not_found {
                    judged.unread.push(unread(&function, &err));
                }
            }
        }
    }
    subjects
}

/// A subject and, when its versions, mappings or account could not be read, the notes saying how
/// it was judged.
pub type PricedSubject = (Subject, Option<String>);

/// What the judgement knows of a function besides its metrics, priced at the largest memory of
/// the configurations taking its traffic (`$LATEST` and the versions its aliases route to), with
/// every ceiling it can be held at: its reservation, its mappings' (`ListEventSourceMappings`) and,
/// without a reservation, the account's unreserved pool (`GetAccountSettings`). What cannot be read
/// is left out (the versions: priced at `$LATEST`'s memory), with a note.
pub async fn priced_subject<T: Throttler>(
    throttler: &T,
    state: &FunctionState,
    recursion_reported: bool,
) -> PricedSubject {
    let mut notes = Vec::new();
    let memory_mb = match throttler.traffic_memory_mb(&state.function).await {
        Ok(versions) => versions.map_or(state.memory_mb, |v| v.max(state.memory_mb)),
        Err(err) => {
            notes.push(format!(
                "versions of {} unreadable ({err}): priced at $LATEST's {} MB",
                state.function, state.memory_mb
            ));
            state.memory_mb
        }
    };
    let ceiling = state.reserved_concurrency.filter(|&n| n > 0);
    let (mapping, account_unreserved) = ceilings(throttler, &state.function, ceiling, &mut notes).await;
    let subject = Subject {
        profile: FunctionProfile { memory_mb, architecture: state.architecture },
        ceiling,
        mapping,
        account_unreserved,
        recursion_reported,
    };
    (subject, (!notes.is_empty()).then(|| notes.join("; ")))
}

/// The lowest mapping ceiling and, for a function without a reservation, the account's unreserved
/// concurrency. A failed read leaves that ceiling out (saturation then falls back to a flat top).
async fn ceilings<T: Throttler>(
    throttler: &T,
    function: &FunctionName,
    reserved: Option<u32>,
    notes: &mut Vec<String>,
) -> (Option<MappingCeiling>, Option<u32>) {
    let mapping = match throttler.mapping_ceilings(function).await {
        // The lowest known ceiling; a mapping without one still says a poller feeds the function.
        Ok(all) => {
            if all.iter().any(|m| matches!(m, MappingCeiling::Stream { shards: None, .. })) {
                notes.push(format!(
                    "shard count of {function}'s stream unread: its mapping's ceiling is judged by the \
                     curve's shape (a flat top of at least the parallelization factor)"
                ));
            }
            all.into_iter().min_by_key(|m| m.concurrency().unwrap_or(u32::MAX))
        }
        Err(err) => {
            notes.push(format!(
                "event source mappings of {function} unreadable ({err}): their ceilings not judged"
            ));
            None
        }
    };
    let account = match reserved {
        Some(_) => None,
        None => throttler.unreserved_concurrency().await.unwrap_or_else(|err| {
            notes.push(format!(
                "account concurrency unreadable ({err}): a flat top with throttles stands for it"
            ));
            None
        }),
    };
    (mapping, account)
}

/// The note for a function priced without its configuration.
pub fn unreadable_note(function: &FunctionName, err: &PortError) -> String {
    let d = FunctionProfile::default();
    format!(
        "configuration of {function} unreadable ({err}): priced as {} MB x86_64; at {MAX_MEMORY_MB} MB it would cost up to {}x more",
        d.memory_mb,
        MAX_MEMORY_MB / d.memory_mb
    )
}

fn list(names: &[FunctionName]) -> String {
    let shown: Vec<&str> = names.iter().take(5).map(FunctionName::as_str).collect();
    match names.len() {
        n if n > 5 => format!("{} and {} more", shown.join(", "), n - 5),
        _ => shown.join(", "),
    }
}

impl<T: Throttler, M: Metrics, N: crate::ports::Notifier> super::Guard<T, M, N> {
    /// The sweep's re-judging: every contributor now in ALARM of the configured alarms becomes a
    /// candidate (a contributor already in ALARM sends no new event when it later runs away),
    /// judged with the recursion floor when its alarm watches `RecursiveInvocationsDropped`.
    pub(super) async fn contributors_in_alarm(&self, unread: &mut Vec<Unread>) -> Vec<Candidate> {
        let mut candidates = Vec::new();
        for alarm in &self.config.baseline.contributor_alarms {
            let listed = match self.metrics.alarm_contributors(alarm).await {
                Ok(listed) if listed.is_empty() => Ok((listed, false)),
                Ok(listed) => self.metrics.alarm_watches_recursion(alarm).await.map(|r| (listed, r)),
                Err(err) => Err(err),
            };
            match listed {
                Ok((listed, recursion)) => candidates.extend(listed.into_iter().filter_map(|c| {
                    // A contributor named by the ARN of a function elsewhere is not this account's.
                    let (account, region) = (self.account.get().map(String::as_str), self.region.as_deref());
                    if c.function_arn.as_ref().is_some_and(|arn| !arn.agrees_with(account, region)) {
                        warn!(alarm = %crate::sanitise::Plain(&alarm), contributor = %crate::sanitise::Plain(&c.id), "contributor names a function elsewhere; not judged");
                        return None;
                    }
                    Some(Candidate {
                        function: c.function?,
                        trigger: format!("contributor of alarm {alarm} still in ALARM"),
                        recursion,
                        muted: None,
                    })
                })),
                Err(err) => {
                    warn!(alarm = %crate::sanitise::Plain(&alarm), error = %err, "cannot list alarm contributors");
                    unread.push(self::unread(format!("alarm {alarm}"), &err));
                }
            }
        }
        candidates
    }

    /// Judges the metric-driven candidates; returns the runaways. Reads that failed go to
    /// `unread` (paged and retried by the caller).
    pub(super) async fn judged_candidates(
        &self,
        candidates: &[Candidate],
        now: Timestamp,
        (notes, unread): (&mut Vec<String>, &mut Vec<Unread>),
    ) -> Vec<(FunctionName, Reason)> {
        let ports = (&self.throttler, &self.metrics, &self.config);
        let judged = judge(ports, candidates, &HashMap::new(), now).await;
        notes.extend(judged.notes);
        unread.extend(judged.unread);
        judged.runaways
    }
}

mod drains;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod unread_tests;
