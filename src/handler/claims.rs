//! Chain claims in the handler (the rule is `trust::claim`): a function's own report of a hop past
//! its depth limit, sent straight to the chain queue by its execution role, throttles it at once;
//! every other chain verdict becomes a candidate judged against the function's own CloudWatch
//! history (`handler::judge`) with the alarm-driven and contributor candidates.
//!
//! The execution role's unique id is read once per function and kept [`ROLE_ID_TTL_SECS`] (a role
//! swapped on the function is believed for at most that long after). Only verdicts read roles, and
//! at most [`MAX_ROLE_READS`] per event, so a flood of forged senders costs a bounded number of calls.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use tracing::{info, warn};

use super::{Guard, MAX_FUNCTIONS_PER_EVENT, Targets};
use crate::name::FunctionName;
use crate::ports::{Metrics, Notifier, Throttler};
use crate::signal::Signal;
use crate::time::Timestamp;
use crate::trust::claim::{self, Proof, SelfReport};
use crate::verdict::{Candidate, Reason, Verdict};

/// How long a function's execution role id is believed after it was read.
pub const ROLE_ID_TTL_SECS: u64 = 300;
/// How long after an unauthenticated verdict was sent to judgement the same function's next one
/// waits (one CloudWatch read a minute, however many batches repeat the claim).
pub const REJUDGE_AFTER_SECS: u64 = 60;
/// Execution roles read per event at most (each read is two calls).
pub const MAX_ROLE_READS: usize = 10;
/// Functions remembered by each memory; beyond it the stale entries go, then everything.
const MAX_REMEMBERED: usize = 10_000;

/// What the handler remembers about claims between events (per execution environment).
#[derive(Debug, Default)]
pub(super) struct ClaimMemory {
    /// Execution role id per function (`None`: no such role) and when it was read.
    roles: Mutex<HashMap<FunctionName, (Option<String>, Timestamp)>>,
    /// When each function's unauthenticated claims were last sent to judgement.
    judged: Mutex<HashMap<FunctionName, Timestamp>>,
}

/// Chain verdicts sorted by what proves them.
#[derive(Debug, Default)]
pub(super) struct SortedClaims {
    /// Authenticated: throttle now.
    pub act: Vec<(FunctionName, Reason)>,
    /// Unauthenticated: judge against the function's own history first.
    pub judge: Vec<Candidate>,
}

impl<T: Throttler, M: Metrics, N: Notifier> Guard<T, M, N> {
    /// Runs detection over `signals` and routes its verdicts into `targets`: chain and alarm verdicts
    /// sorted into throttles and judgements ([`Self::sort_claims`], `sort_alarms`), the others as
    /// they are. At most [`MAX_FUNCTIONS_PER_EVENT`] chain and alarm verdicts are sorted (each may
    /// cost AWS calls); the rest are returned, to be reported `capped` without any call.
    pub(super) async fn route_verdicts(
        &self,
        signals: &[Signal],
        targets: &mut Targets,
        now: Timestamp,
        notes: &mut Vec<String>,
    ) -> Vec<(FunctionName, Reason)> {
        let (mut claimed, mut alarmed) = (Vec::new(), Vec::new());
        for verdict in self.detector.observe_batch(signals, now) {
            match verdict {
                Verdict::Throttle { function, reason } if claim::rests_on_claims(&reason) => {
                    if !claimed.iter().any(|(f, _)| *f == function) {
                        claimed.push((function, reason));
                    }
                }
                Verdict::Throttle { function, reason: reason @ Reason::Alarm { .. } } => {
                    alarmed.push((function, reason));
                }
                other => targets.add(other),
            }
        }
        let mut beyond = claimed.split_off(claimed.len().min(MAX_FUNCTIONS_PER_EVENT));
        beyond.extend(alarmed.split_off(alarmed.len().min(MAX_FUNCTIONS_PER_EVENT - claimed.len())));
        let sorted = self.sort_claims(signals, claimed, now, notes).await;
        let (trusted, judged) = self.sort_alarms(alarmed, notes).await;
        for (function, reason) in sorted.act.into_iter().chain(trusted) {
            targets.add(Verdict::Throttle { function, reason });
        }
        for candidate in sorted.judge.into_iter().chain(judged) {
            targets.add(Verdict::Judge(candidate));
        }
        beyond
    }

    /// Sorts the verdicts resting on chain claims (one per function, the first kept).
    pub(super) async fn sort_claims(
        &self,
        signals: &[Signal],
        verdicts: Vec<(FunctionName, Reason)>,
        now: Timestamp,
        notes: &mut Vec<String>,
    ) -> SortedClaims {
        let signed = claim::signed(signals);
        let mut sorted = SortedClaims::default();
        let mut reads = 0;
        for (function, reason) in verdicts {
            if self.policy.exempt_by_configuration(&function) {
                sorted.act.push((function, reason));
                continue;
            }
            let limit = self.detector.depth_limit(&function);
            if let Some(report) = claim::self_report(&signed, &function, limit)
                && self.authenticated(&report, &function, now, &mut reads, notes).await
            {
                info!(function = %function, depth = report.header.depth, "authenticated chain report");
                sorted.act.push((function, report.reason(limit)));
                continue;
            }
            if let Some(at) = self.claims.judged_within(&function, now) {
                notes.push(format!(
                    "unauthenticated chain claims about {function} ({reason}): judged {}s ago, not again yet",
                    now.since(at).as_secs()
                ));
                continue;
            }
            sorted.judge.push(claim::unauthenticated(function, &reason, signals));
        }
        sorted
    }

    /// Whether `report`'s sender is `function`'s execution role (read when not known).
    async fn authenticated(
        &self,
        report: &SelfReport<'_>,
        function: &FunctionName,
        now: Timestamp,
        reads: &mut usize,
        notes: &mut Vec<String>,
    ) -> bool {
        let role_id = match self.claims.role_id(function, now) {
            Some(known) => known,
            None if *reads >= MAX_ROLE_READS => {
                notes
                    .push(format!("execution role of {function} not read: {MAX_ROLE_READS} reads per event"));
                return false;
            }
            None => {
                *reads += 1;
                match self.throttler.execution_role_id(function).await {
                    Ok(role_id) => self.claims.remember_role(function, role_id, now),
                    Err(err) => {
                        warn!(function = %function, error = %err, "execution role unreadable");
                        notes.push(format!("report by {function} not authenticated: {err}"));
                        return false;
                    }
                }
            }
        };
        match Proof::of(&report.sender, role_id.as_deref()) {
            Proof::Authenticated => true,
            Proof::WrongRole => {
                notes.push(format!(
                    "report naming {function} sent by role {} (session {}): not {function}'s execution role",
                    report.sender.role_id, report.sender.session
                ));
                false
            }
        }
    }
}

impl ClaimMemory {
    /// The function's execution role id, when read within [`ROLE_ID_TTL_SECS`].
    fn role_id(&self, function: &FunctionName, now: Timestamp) -> Option<Option<String>> {
        let roles = lock(&self.roles);
        let (role_id, at) = roles.get(function)?;
        (now.since(*at).as_secs() < ROLE_ID_TTL_SECS).then(|| role_id.clone())
    }

    fn remember_role(
        &self,
        function: &FunctionName,
        role_id: Option<String>,
        now: Timestamp,
    ) -> Option<String> {
        let mut roles = lock(&self.roles);
        make_room(&mut roles, now, ROLE_ID_TTL_SECS, |(_, at)| *at);
        roles.insert(function.clone(), (role_id.clone(), now));
        role_id
    }

    /// When the function's unauthenticated claims went to judgement within [`REJUDGE_AFTER_SECS`];
    /// otherwise remembers `now` and returns `None`.
    fn judged_within(&self, function: &FunctionName, now: Timestamp) -> Option<Timestamp> {
        let mut judged = lock(&self.judged);
        if let Some(&at) = judged.get(function)
            && now.since(at).as_secs() < REJUDGE_AFTER_SECS
            && at <= now
        {
            return Some(at);
        }
        make_room(&mut judged, now, REJUDGE_AFTER_SECS, |at| *at);
        judged.insert(function.clone(), now);
        None
    }
}

/// Keeps a memory under [`MAX_REMEMBERED`] entries: stale ones go first, then all of them.
fn make_room<V>(map: &mut HashMap<FunctionName, V>, now: Timestamp, ttl: u64, at: impl Fn(&V) -> Timestamp) {
    if map.len() < MAX_REMEMBERED {
        return;
    }
    map.retain(|_, v| now.since(at(v)).as_secs() < ttl);
    if map.len() >= MAX_REMEMBERED {
        map.clear();
    }
}

fn lock<V>(mutex: &Mutex<V>) -> MutexGuard<'_, V> {
    // Plain maps whose invariants hold between statements: a panic elsewhere cannot corrupt them.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
