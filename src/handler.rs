//! Async glue: event → detect → policy → ports → report. The same path runs in Lambda mode,
//! from `runaway-guard handle`, and inside the simulator with simulated ports.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use futures::StreamExt;
use tracing::warn;

use crate::config::Config;
use crate::control_plane::reading;
use crate::depth_limit::DepthLimits;
use crate::detect::{Detector, DetectorConfig};
use crate::event::{EventError, ParsedEvent};
use crate::name::FunctionName;
use crate::policy::{Policy, PolicyConfig};
use crate::ports::{Metrics, Notifier, Throttler, TripBudget};
use crate::report::{Decision, Outcome, Rejected, Report};
use crate::signal::Signal;
use crate::time::Timestamp;
use crate::trip::TripContext;
use crate::trust::Trust;
use crate::verdict::{Candidate, Reason, Verdict};

mod alarms;
mod batch;
pub mod claims;
pub mod drift;
pub mod judge;
pub mod own_role;
mod pages;
mod searched;
pub mod seen;

/// How many functions are acted on at once: Lambda's control plane allows ~15 requests/s and
/// each trip makes 4–6 calls.
const PARALLEL_TRIPS: usize = 3;

/// Functions acted on per event; the rest are reported `capped` without any AWS call.
pub const MAX_FUNCTIONS_PER_EVENT: usize = 50;

/// Why handling an event failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    /// The event was malformed: nothing was done, and a retry would only fail again.
    #[error(transparent)]
    BadEvent(#[from] EventError),
}

/// The guard: configuration, detector and policy state, and its ports. Built once per process.
pub struct Guard<T, M, N> {
    config: Config,
    detector: Detector,
    policy: Policy,
    throttler: T,
    metrics: M,
    notifier: N,
    account: OnceLock<String>,
    region: Option<String>,
    depth_limits: DepthLimits,
    /// SQS message ids already counted (a redelivered record is not counted twice).
    seen: seen::SeenIds,
    /// CloudTrail event ids already reported by the drift watch.
    calls_seen: seen::SeenIds,
    /// Functions this process tripped or found tripped (the drift watch's memory).
    trips: drift::TripMemory,
    /// The guard's execution role: the drift watch's only test of "the guard's own call".
    own_role: own_role::OwnRole,
    /// The account-wide trip count (`RUNAWAY_GUARD_TRIP_CAP_TABLE`); `None`: per environment only.
    budget: Option<Arc<dyn TripBudget>>,
    /// Execution role ids and recent judgements of chain claims.
    claims: claims::ClaimMemory,
    /// Throttles whose previous value no tag or alert holds yet (retried until one does).
    unrecorded: crate::trip::UnrecordedTrips,
}

impl<T: Throttler, M: Metrics, N: Notifier> Guard<T, M, N> {
    /// Builds the guard with empty detector and policy state.
    pub fn new(config: Config, throttler: T, metrics: M, notifier: N) -> Self {
        let detector = Detector::new(DetectorConfig::from(&config));
        let policy = Policy::new(PolicyConfig::from(&config));
        let own_role = own_role::OwnRole::known(config.self_role.clone());
        Self {
            config,
            detector,
            policy,
            throttler,
            metrics,
            notifier,
            account: OnceLock::new(),
            region: None,
            depth_limits: DepthLimits::default(),
            seen: seen::SeenIds::default(),
            calls_seen: seen::SeenIds::new(10_000, 24 * 3_600),
            trips: drift::TripMemory::default(),
            own_role,
            budget: None,
            claims: claims::ClaimMemory::default(),
            unrecorded: crate::trip::UnrecordedTrips::default(),
        }
    }

    /// Shares the hourly trip cap with every other environment through `budget`.
    pub fn with_trip_budget(mut self, budget: Arc<dyn TripBudget>) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Looks the guard's own role up with `lookup` the first time the drift watch needs it (Lambda
    /// mode: STS GetCallerIdentity), unless the configuration already names it.
    pub fn with_own_role_lookup(mut self, lookup: own_role::CallerLookup) -> Self {
        self.own_role = std::mem::take(&mut self.own_role).with_lookup(lookup);
        self
    }

    /// Names the account and region in alerts (and, for the trust checks, what events must claim).
    pub fn with_location(mut self, account: Option<String>, region: Option<String>) -> Self {
        if let Some(account) = account {
            let _ = self.account.set(account);
        }
        self.region = region;
        self
    }

    /// Learns the account from the guard's own function ARN (first invocation; later calls are no-ops).
    pub fn learn_account_from_arn(&self, invoked_function_arn: &str) {
        if self.account.get().is_none()
            && let Ok((_, Some(arn))) = FunctionName::from_name_or_arn(invoked_function_arn)
        {
            let _ = self.account.set(arn.account);
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The Lambda control-plane port.
    pub fn throttler(&self) -> &T {
        &self.throttler
    }

    /// The SNS port.
    pub fn notifier(&self) -> &N {
        &self.notifier
    }

    /// The detector (exposed for the simulator's and benchmarks' inspection).
    pub fn detector(&self) -> &Detector {
        &self.detector
    }

    /// Handles one inbound event given as raw JSON bytes.
    /// An SQS batch gets a partial batch response (`batchItemFailures`) and each of its records is
    /// counted once however often SQS delivers it.
    pub async fn handle_bytes(&self, raw: &[u8], now: Timestamp) -> Result<Report, HandleError> {
        let parsed = crate::event::parse_bytes(raw)?;
        match crate::event::sqs_message_ids(raw) {
            Some(ids) => Ok(self.handle_batch(parsed, ids, now).await),
            None => Ok(self.handle_parsed(parsed, now).await),
        }
    }

    /// Handles an event that has already been parsed (the CLI parses before touching AWS).
    /// Signals whose claims the guard does not believe (see `trust`) are reported `rejected` and
    /// never reach detection.
    pub async fn handle_parsed(&self, parsed: ParsedEvent, now: Timestamp) -> Report {
        self.handle_parsed_with(parsed, Vec::new(), now).await.0
    }

    /// [`Self::handle_parsed`], also retrying `retries` (throttles an earlier delivery could not
    /// complete); returns the report and the `(function, reason)` behind each of its decisions.
    async fn handle_parsed_with(
        &self,
        parsed: ParsedEvent,
        retries: Vec<(FunctionName, Reason)>,
        now: Timestamp,
    ) -> (Report, Vec<(FunctionName, Reason)>) {
        let trust = self.trust(now);
        let mut believed = Vec::with_capacity(parsed.signals.len());
        let mut distrusted = Vec::new();
        for (index, signal) in parsed.signals.into_iter().enumerate() {
            match trust.judge(&signal) {
                Ok(()) => believed.push(signal),
                Err(error) => distrusted.push((format!("signals[{index}]"), error.to_string())),
            }
        }
        let mut calls = Vec::with_capacity(parsed.calls.len());
        for (index, call) in parsed.calls.into_iter().enumerate() {
            match trust.judge_claims("CloudTrail event", call.account.as_deref(), call.region.as_deref()) {
                Ok(()) => calls.push(call),
                Err(error) => distrusted.push((format!("calls[{index}]"), error.to_string())),
            }
        }
        let (mut report, acted) = self.handle_signals_with(&believed, retries, now).await;
        report.drift = self.watch_drift(&calls, now).await;
        for (location, error) in distrusted {
            warn!(location = %crate::sanitise::Plain(&location), error = %crate::sanitise::Plain(&error), "signal not trusted");
            report.rejected.push(Rejected { location, error });
        }
        for (location, error) in parsed.rejected {
            warn!(location = %crate::sanitise::Plain(&location), error = %crate::sanitise::Plain(&error), "record rejected");
            report.rejected.push(Rejected { location, error: error.to_string() });
        }
        (report, acted)
    }

    /// Handles already-parsed signals (the simulator calls this directly).
    pub async fn handle_signals(&self, signals: &[Signal], now: Timestamp) -> Report {
        self.handle_signals_with(signals, Vec::new(), now).await.0
    }

    async fn handle_signals_with(
        &self,
        signals: &[Signal],
        retries: Vec<(FunctionName, Reason)>,
        now: Timestamp,
    ) -> (Report, Vec<(FunctionName, Reason)>) {
        let mut report = Report { signals: signals.len(), ..Report::default() };
        let mut targets = Targets::default();
        for (function, reason) in retries {
            targets.add(Verdict::Throttle { function, reason });
        }
        // The judgement's reads go in the budget's read lane: the trips below never wait on them.
        reading(self.depth_limits.learn(&self.detector, &self.throttler, signals, now)).await;
        let beyond = reading(self.route_verdicts(signals, &mut targets, now, &mut report.notes)).await;
        let mut searched = Vec::new();
        for (alarm, metric) in std::mem::take(&mut targets.searches) {
            let found = reading(self.searched((&alarm, &metric), &mut report, now)).await;
            if !found.is_empty() {
                let offenders = found.iter().map(|(f, _)| f.clone()).collect();
                searched.push(searched::Searched { alarm: alarm.clone(), metric: metric.clone(), offenders });
            }
            for (function, reason) in found {
                targets.add(Verdict::Throttle { function, reason });
            }
        }
        if std::mem::take(&mut targets.rejudge) {
            let rejudged = self.contributors_in_alarm(&mut report.unread).await;
            for candidate in rejudged {
                targets.add(Verdict::Judge(candidate));
            }
        }
        let candidates = std::mem::take(&mut targets.candidates);
        let judging = (&mut report.notes, &mut report.unread);
        for (function, reason) in reading(self.judged_candidates(&candidates, now, judging)).await {
            targets.add(Verdict::Throttle { function, reason });
        }
        self.page_unread(&mut report, now).await;
        let mut functions = targets.functions;
        let mut overflow = functions.split_off(functions.len().min(MAX_FUNCTIONS_PER_EVENT));
        overflow.extend(beyond);
        report.decisions = self.act_on(functions.clone(), now).await;
        self.say_seen(&searched, &report.decisions, now, &mut report.notes).await;
        self.remember_trips(&report.decisions, now);
        let mut acted = functions;
        if !overflow.is_empty() {
            // A flood naming thousands of functions must not become thousands of API calls or alerts.
            warn!(skipped = overflow.len(), "too many functions named in one event; capped without action");
            report.notes.push(format!(
                "{} more functions named in this event were capped without action",
                overflow.len()
            ));
            acted.extend(overflow.iter().cloned());
            report.decisions.extend(overflow.into_iter().map(|(function, reason)| {
                Decision::new(
                    function,
                    Outcome::Capped,
                    reason.rule(),
                    format!("{reason}; over the per-event limit"),
                )
            }));
        }
        (report, acted)
    }

    /// The drift watch's memory: functions now throttled with a trip record, or found so.
    fn remember_trips(&self, decisions: &[Decision], now: Timestamp) {
        for decision in decisions {
            if matches!(decision.outcome, Outcome::Throttled | Outcome::AlreadyTripped)
                && !self.config.dry_run
            {
                self.trips.remember(&decision.function, now);
            }
        }
    }

    /// What the guard believes at `now`: its own account and region, the trusted accounts, and chain
    /// events no older than the chain TTL.
    pub fn trust(&self, now: Timestamp) -> Trust<'_> {
        Trust {
            account: self.account.get().map(String::as_str),
            region: self.region.as_deref(),
            trusted_accounts: &self.config.trusted_accounts,
            now,
            chain_ttl_secs: self.config.chain_ttl_secs,
        }
    }

    /// Manual kill switch: the same record and alert as a detected trip.
    pub async fn trip(&self, function: &FunctionName, text: &str, now: Timestamp) -> Decision {
        self.trip_by(function, text, None, now).await
    }

    /// [`Self::trip`], the alert naming `caller` (an ARN) as who tripped it.
    pub async fn trip_by(
        &self,
        function: &FunctionName,
        text: &str,
        caller: Option<&str>,
        now: Timestamp,
    ) -> Decision {
        let reason = Reason::Manual { text: text.to_owned() };
        TripContext { actor: caller, ..self.trip_context() }.act(function, &reason, now).await
    }

    async fn act_on(&self, targets: Vec<(FunctionName, Reason)>, now: Timestamp) -> Vec<Decision> {
        let context = self.trip_context();
        let context = &context;
        futures::stream::iter(targets)
            .map(|(function, reason)| async move { context.act(&function, &reason, now).await })
            .buffered(PARALLEL_TRIPS)
            .collect()
            .await
    }

    fn trip_context(&self) -> TripContext<'_, T, N> {
        TripContext {
            throttler: &self.throttler,
            notifier: &self.notifier,
            policy: &self.policy,
            account: self.account.get().map(String::as_str),
            region: self.region.as_deref(),
            dry_run: self.config.dry_run,
            max_trips_per_hour: self.config.max_trips_per_hour,
            actor: None,
            budget: self.budget.as_deref(),
            unrecorded: &self.unrecorded,
            parking_queue: self.config.parking_queue_arn.as_deref(),
        }
    }
}

/// Verdicts collapsed to one reason per function (the first seen) and one search per alarm, so a
/// batch of 10,000 events about one loop makes one decision, not 10,000.
#[derive(Default)]
struct Targets {
    functions: Vec<(FunctionName, Reason)>,
    seen: HashSet<FunctionName>,
    searches: Vec<(String, String)>,
    /// Metric-driven candidates, one per function, judged against their own normal before any throttle.
    candidates: Vec<Candidate>,
    /// The sweep asked for the contributors in ALARM to be re-judged.
    rejudge: bool,
}

impl Targets {
    fn add(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Throttle { function, reason } => {
                if self.seen.insert(function.clone()) {
                    self.functions.push((function, reason));
                }
            }
            Verdict::SearchOffenders { alarm, metric } => {
                if !self.searches.iter().any(|(a, _)| *a == alarm) {
                    self.searches.push((alarm, metric));
                }
            }
            Verdict::Judge(candidate) => {
                match self.candidates.iter_mut().find(|c| c.function == candidate.function) {
                    // Two triggers named the same function in one batch: one judgement, but it
                    // keeps the strongest evidence (Lambda's own loop signal) and any mute rule.
                    Some(seen) => seen.absorb(candidate),
                    None => self.candidates.push(candidate),
                }
            }
            Verdict::RejudgeContributors => self.rejudge = true,
        }
    }
}

#[cfg(test)]
mod batch_tests;
#[cfg(test)]
mod drift_tests;
#[cfg(test)]
mod tests;
