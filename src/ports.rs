//! The guard's capabilities as traits returning domain types. `aws/` implements them with the SDK,
//! `simulate/` with a simulated account, tests with fakes for faults a server can't show.

use std::future::Future;

use serde::Serialize;

use crate::name::FunctionName;
use crate::time::Timestamp;

/// Tag keys: the durable trip record (see DESIGN.md "Tags on guarded functions").
pub mod tags {
    /// `true` exempts a function from the guard.
    pub const EXEMPT: &str = "runaway-guard:exempt";
    /// Per-function chain-depth limit.
    pub const MAX_DEPTH: &str = "runaway-guard:max-depth";
    /// RFC 3339 time of the trip.
    pub const TRIPPED_AT: &str = "runaway-guard:tripped-at";
    /// `none` or the integer reserved concurrency before the trip.
    pub const PREVIOUS_CONCURRENCY: &str = "runaway-guard:previous-concurrency";
    /// Human reason for the trip.
    pub const REASON: &str = "runaway-guard:reason";
    /// RFC 3339 time of the last re-enable (starts the grace period).
    pub const REENABLED_AT: &str = "runaway-guard:reenabled-at";
    /// `true` from the trip until its alert is published: a retried invocation re-sends it.
    pub const ALERT_PENDING: &str = "runaway-guard:alert-pending";
    /// Who ran the last re-enable (caller ARN, tag-safe), set with `reenabled-at`.
    pub const REENABLED_BY: &str = "runaway-guard:reenabled-by";
    /// The event source mappings the trip disabled (ids separated by spaces), written with the
    /// record before any of them is disabled; continued in [`PAUSED_MAPPINGS_MORE`] when long.
    pub const PAUSED_MAPPINGS: &str = "runaway-guard:paused-mappings";
    /// Continuation tags of [`PAUSED_MAPPINGS`], used in this order.
    pub const PAUSED_MAPPINGS_MORE: [&str; 3] = [
        "runaway-guard:paused-mappings-2",
        "runaway-guard:paused-mappings-3",
        "runaway-guard:paused-mappings-4",
    ];
    /// `true`: an alarm on an `AWS/` metric naming this function throttles it without the judgement
    /// against its own history (only the function's owners, who may tag it, can opt it in).
    pub const TRUST_ALARMS: &str = "runaway-guard:trust-alarms";
    /// Someone else changed a tripped function (`<RFC 3339> <call> by <ARN>`): its trip record is stale.
    pub const DRIFT: &str = "runaway-guard:drift";
    /// The record's MAC (`v<format>:<base64>`, see `crate::record`): without one that verifies,
    /// nothing acts on the record.
    pub const RECORD_MAC: &str = "runaway-guard:record-mac";
    /// Who tripped the function (`guard:<rule>` or `operator:<ARN>`, encoded as the reason is);
    /// part of the record from format v2 on.
    pub const TRIPPED_BY: &str = "runaway-guard:tripped-by";
    /// The parking queue the trip set as on-failure destination (see [`super::Parked`]).
    pub const PARKED_QUEUE: &str = "runaway-guard:parked-queue";
    /// The event-invoke configuration the parking replaced: `none`, or its settings (see
    /// `crate::aws::trip_tags::format_invoke_config`).
    pub const PARKED_PREVIOUS: &str = "runaway-guard:parked-previous";
}

/// A failed call to a port, kept typed so the handler can tell retryable failures from final ones.
#[derive(Debug, thiserror::Error)]
#[error("{operation} failed for {target}: {message}")]
pub struct PortError {
    /// The API operation, e.g. `PutFunctionConcurrency`.
    pub operation: &'static str,
    /// What it acted on (function name, topic, ...), never a secret.
    pub target: String,
    /// Error code or short message from the service.
    pub message: String,
    /// True for throttling, 5xx, timeouts and connection faults: the invocation should be retried.
    pub retryable: bool,
    /// True when the function does not exist.
    pub not_found: bool,
    /// The underlying error.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// Reserved concurrency as Lambda reports it: `None` means no reservation (restore with Delete).
pub type Reservation = Option<u32>;

/// The trip record kept in the function's tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TripRecord {
    /// When the guard tripped the function.
    pub tripped_at: Timestamp,
    /// Reserved concurrency before the trip (never 0 set by the guard, never overwritten).
    pub previous_concurrency: Reservation,
    /// Why, as the guard or the operator wrote it (stored encoded, see `aws::trip_tags::text`;
    /// a reason too long for a tag reads back cut, ending with its note).
    pub reason: String,
    /// The trip's alert has not been published yet.
    pub alert_pending: bool,
    /// The event source mappings this trip disabled (or is to disable: the record is written first),
    /// which `reenable` re-enables. One disabled before the trip is never listed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paused_mappings: Vec<MappingId>,
    /// Who tripped it; `None` in a record written before format v2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tripped_by: Option<TrippedBy>,
    /// The parking of the function's asynchronous events (written before the change), which
    /// `reenable` undoes; `None` when the trip did not park them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parked: Option<Parked>,
}

impl TripRecord {
    /// Whether this record, in force, can describe a function whose reserved concurrency is
    /// `current`: the function is at 0 (throttled), or still has the value the record names (a trip
    /// whose throttle has not happened yet). A record naming another value does not: a genuine record
    /// copied back after a later re-enable (its MAC still verifies), or one whose function someone
    /// changed since. Such a record is never taken for a trip in force, and the next trip replaces it.
    pub fn describes(&self, current: Reservation) -> bool {
        current == Some(0) || self.previous_concurrency == current
    }
}

/// Where async events go while a function is throttled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "target", rename_all = "snake_case")]
pub enum FailureTarget {
    /// The function's dead-letter queue/topic ARN.
    DeadLetter(String),
    /// The on-failure destination of its event-invoke config.
    Destination(String),
    /// Neither: async events are dropped.
    Dropped,
    /// The event-invoke configuration could not be read (the alert says so; the throttle goes on).
    Unknown,
}

/// CPU architecture, for pricing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    /// x86_64.
    X86_64,
    /// Graviton.
    Arm64,
}

/// What the guard needs to know about a function before acting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionState {
    /// The function.
    pub function: FunctionName,
    /// Current reserved concurrency.
    pub reserved_concurrency: Reservation,
    /// `runaway-guard:exempt = true`.
    pub exempt_tag: bool,
    /// `runaway-guard:max-depth`, when set and valid.
    pub max_depth_tag: Option<u32>,
    /// The trip record, when the function is tripped.
    pub trip: Option<TripRecord>,
    /// `runaway-guard:reenabled-at`, when set.
    pub reenabled_at: Option<Timestamp>,
    /// `runaway-guard:reenabled-by`, when set.
    pub reenabled_by: Option<String>,
    /// Memory size in MB.
    pub memory_mb: u32,
    /// Architecture.
    pub architecture: Architecture,
    /// Where async events go while throttled.
    pub failure_target: FailureTarget,
}

impl FunctionState {
    /// When a re-enable started after the trip recorded here: the record is then being (or should
    /// have been) cleared, and it no longer says the function is contained.
    pub fn reenable_started(&self) -> Option<Timestamp> {
        let trip = self.trip.as_ref()?;
        self.reenabled_at.filter(|at| *at >= trip.tripped_at)
    }

    /// The record of a trip still in force: present, and no re-enable started after it.
    pub fn active_trip(&self) -> Option<&TripRecord> {
        self.trip.as_ref().filter(|_| self.reenable_started().is_none())
    }
}

/// A function `status` lists: one carrying a trip record, or one at reserved concurrency 0 without
/// any (the guard could not write its record; the trip alert names the value to restore).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrippedFunction {
    /// The function.
    pub function: FunctionName,
    /// The record from its tags; `None` for a function at 0 without one.
    pub record: Option<TripRecord>,
    /// When a re-enable started after the trip and did not finish (the record is still there).
    pub reenable_started: Option<Timestamp>,
    /// Listed, but its tags or reserved concurrency could not be read (`record` is then `None`).
    pub unreadable: Option<Unreadable>,
}

/// Why a listed function could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    /// The failed read, in words.
    pub error: String,
    /// The function was not found: deleted after it was listed.
    pub not_found: bool,
}

impl From<&PortError> for Unreadable {
    fn from(err: &PortError) -> Self {
        Self { error: err.to_string(), not_found: err.not_found }
    }
}

/// Who re-enabled a function and when: `runaway-guard:reenabled-at` and `runaway-guard:reenabled-by`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReenableMark {
    /// When (starts the grace period).
    pub at: Timestamp,
    /// The caller's ARN.
    pub by: String,
}

mod budget;
#[cfg(test)]
pub use budget::MemoryBudget;
pub use budget::{BudgetFuture, Take, TripBudget, TripHour};

mod mapping;
pub use mapping::{
    DeadLetter, EventSourceMapping, InvalidMappingId, MappingCeiling, MappingId, PauseStatus, QueueFacts,
    QueueRead, SourceKind, SourceOutcome,
};
mod invoke_config;
pub use invoke_config::{InvokeConfig, Parked, Parking};
mod signer;
pub use signer::{CheckedRecord, RecordCheck, RecordSigner};
mod tripped_by;
pub use tripped_by::TrippedBy;

/// Lambda control plane: the only port that mutates anything.
pub trait Throttler: Send + Sync {
    /// Reads concurrency, tags and configuration. `trip` holds the trip record only when its MAC
    /// verifies: the guard's own decisions never rest on a record anyone could have written (see
    /// [`Throttler::trip_record`] for the record whatever it is).
    fn function_state(
        &self,
        function: &FunctionName,
    ) -> impl Future<Output = Result<FunctionState, PortError>> + Send;
    /// Signs and writes the trip record tags. A verified record still in force that describes the
    /// function (see [`TripRecord::describes`]) is never rewritten; one a re-enable started to clear
    /// (see [`FunctionState::reenable_started`]), one whose MAC does not verify, or one that does not
    /// describe the function, is replaced.
    fn write_trip_record(
        &self,
        function: &FunctionName,
        record: &TripRecord,
    ) -> impl Future<Output = Result<(), PortError>> + Send;
    /// Puts (`Some(n)`) or deletes (`None`) the reserved concurrency.
    fn set_reserved_concurrency(
        &self,
        function: &FunctionName,
        value: Reservation,
    ) -> impl Future<Output = Result<(), PortError>> + Send;
    /// Removes `runaway-guard:alert-pending` once the trip's alert is out.
    fn mark_alerted(&self, function: &FunctionName) -> impl Future<Output = Result<(), PortError>> + Send;
    /// Sets `runaway-guard:reenabled-at` and `-by` before a re-enable restores concurrency, so a trip
    /// racing the re-enable sees it and does not re-throttle a function whose record is about to be
    /// cleared.
    fn mark_reenabling(
        &self,
        function: &FunctionName,
        mark: &ReenableMark,
    ) -> impl Future<Output = Result<(), PortError>> + Send;
    /// Removes the trip record tags and sets `runaway-guard:reenabled-at` and `-by`.
    fn clear_trip_record(
        &self,
        function: &FunctionName,
        mark: &ReenableMark,
    ) -> impl Future<Output = Result<(), PortError>> + Send;
    /// Every function carrying a trip record, and every function at reserved concurrency 0 without one.
    fn list_tripped(&self) -> impl Future<Output = Result<Vec<TrippedFunction>, PortError>> + Send;
    /// The account's unreserved concurrency (`GetAccountSettings`); `None` when the endpoint does
    /// not answer it. `reenable` refuses a restore it cannot check (unless `--force`).
    fn unreserved_concurrency(&self) -> impl Future<Output = Result<Option<u32>, PortError>> + Send;
    /// The function's trip record with what checking its MAC found, verified or not (`status` shows
    /// both; `reenable` acts only on a verified one). The default, for ports whose records nobody
    /// else can write (the simulator), reads the state's record as verified.
    fn trip_record(
        &self,
        function: &FunctionName,
    ) -> impl Future<Output = Result<Option<CheckedRecord>, PortError>> + Send {
        async move {
            let record = self.function_state(function).await?.trip;
            Ok(record.map(|record| CheckedRecord { record, check: RecordCheck::Verified }))
        }
    }
    /// The function's reserved concurrency alone (`GetFunctionConcurrency`). The default reads the
    /// whole state; adapters with a cheaper read override it.
    fn reserved_concurrency(
        &self,
        function: &FunctionName,
    ) -> impl Future<Output = Result<Reservation, PortError>> + Send {
        async move { Ok(self.function_state(function).await?.reserved_concurrency) }
    }
    /// Whether event source mapping `mapping` feeds `function` itself (its `FunctionArn`, from
    /// `GetEventSourceMapping`, names the function or one of its versions or aliases). A mapping that
    /// no longer exists is an error with `not_found`. The default, for ports without pollers, says no.
    fn mapping_belongs(
        &self,
        function: &FunctionName,
        mapping: &MappingId,
    ) -> impl Future<Output = Result<bool, PortError>> + Send {
        let _ = (function, mapping);
        async { Ok(false) }
    }
    /// The function's `runaway-guard:max-depth` tag, for the detector's per-function limit. The
    /// default reads the whole state; adapters with a cheaper read override it.
    fn depth_limit_tag(
        &self,
        function: &FunctionName,
    ) -> impl Future<Output = Result<Option<u32>, PortError>> + Send {
        async move { Ok(self.function_state(function).await?.max_depth_tag) }
    }
    /// Whether the function carries a verified trip record in force (`runaway-guard:tripped-at`, a
    /// MAC that verifies, and no re-enable started after it). The default reads the whole state; adapters with a cheaper
    /// read override it.
    fn trip_in_force(&self, function: &FunctionName) -> impl Future<Output = Result<bool, PortError>> + Send {
        async move { Ok(self.function_state(function).await?.active_trip().is_some()) }
    }
    /// The largest memory size among the published versions the function's aliases route its
    /// traffic to, for pricing (`None`: no alias routes to a version, so `$LATEST`, whose memory
    /// [`FunctionState::memory_mb`] gives, takes it all). The default, for ports without versions,
    /// has none.
    fn traffic_memory_mb(
        &self,
        _function: &FunctionName,
    ) -> impl Future<Output = Result<Option<u32>, PortError>> + Send {
        async { Ok(None) }
    }
    /// The function's event source mappings (`ListEventSourceMappings` by function name, every
    /// page). The default, for ports without pollers, has none.
    fn event_source_mappings(
        &self,
        _function: &FunctionName,
    ) -> impl Future<Output = Result<Vec<EventSourceMapping>, PortError>> + Send {
        async { Ok(Vec::new()) }
    }
    /// The SQS queues the function's polling mappings read (every mapping but a disabled one),
    /// by name. The default, for ports without pollers, has none.
    fn polled_queues(
        &self,
        _function: &FunctionName,
    ) -> impl Future<Output = Result<Vec<crate::name::QueueName>, PortError>> + Send {
        async { Ok(Vec::new()) }
    }
    /// The ceilings the function's enabled event source mappings put on its concurrency (SQS
    /// `MaximumConcurrency`, a stream's shards x `ParallelizationFactor`), for the judgement's
    /// saturation rule. The default, for ports without pollers, has none.
    fn mapping_ceilings(
        &self,
        _function: &FunctionName,
    ) -> impl Future<Output = Result<Vec<MappingCeiling>, PortError>> + Send {
        async { Ok(Vec::new()) }
    }
    /// Enables or disables one of `function`'s mappings (`UpdateEventSourceMapping Enabled`). The
    /// default, for ports without pollers, refuses.
    fn set_mapping_enabled(
        &self,
        function: &FunctionName,
        mapping: &MappingId,
        _enabled: bool,
    ) -> impl Future<Output = Result<(), PortError>> + Send {
        let error = PortError {
            operation: "UpdateEventSourceMapping",
            target: format!("{function} mapping {mapping}"),
            message: "this port has no event source mappings".to_owned(),
            retryable: false,
            not_found: true,
            source: None,
        };
        async move { Err(error) }
    }
    /// The redrive policy and retention of the SQS queue `queue_arn` (`GetQueueUrl`,
    /// `GetQueueAttributes`), for the alert. The default, for ports without queues, knows none
    /// (`None`).
    fn queue_facts(
        &self,
        queue_arn: &str,
    ) -> impl Future<Output = Result<Option<QueueFacts>, PortError>> + Send {
        let _ = queue_arn;
        async { Ok(None) }
    }
    /// Writes `runaway-guard:drift` (see [`tags::DRIFT`]) on a tripped function someone else changed.
    /// The default keeps nothing (ports without durable tags).
    fn record_drift(
        &self,
        function: &FunctionName,
        note: &str,
    ) -> impl Future<Output = Result<(), PortError>> + Send {
        let _ = (function, note);
        async { Ok(()) }
    }
    /// The function's `runaway-guard:drift` tag, when set. The default has none.
    fn drift_note(
        &self,
        function: &FunctionName,
    ) -> impl Future<Output = Result<Option<String>, PortError>> + Send {
        let _ = function;
        async { Ok(None) }
    }
    /// The unique id (`AROA…`) of the function's execution role (`GetFunctionConfiguration`, then
    /// `iam:GetRole`): what the `SenderId` of the function's own reports starts with. `None` when the
    /// role does not exist. The default, for ports without roles, knows none: no claim is then
    /// authenticated.
    fn execution_role_id(
        &self,
        function: &FunctionName,
    ) -> impl Future<Output = Result<Option<String>, PortError>> + Send {
        let _ = function;
        async { Ok(None) }
    }
    /// The function's own (unqualified) event-invoke configuration, `None` when it has none. The
    /// default, for ports without asynchronous settings, has none.
    fn event_invoke_config(
        &self,
        function: &FunctionName,
    ) -> impl Future<Output = Result<Option<InvokeConfig>, PortError>> + Send {
        let _ = function;
        async { Ok(None) }
    }
    /// Puts `config` as the function's event-invoke configuration (`PutFunctionEventInvokeConfig`,
    /// which replaces every setting), or deletes it (`None`). The default, for ports without
    /// asynchronous settings, refuses.
    fn set_event_invoke_config(
        &self,
        function: &FunctionName,
        config: Option<&InvokeConfig>,
    ) -> impl Future<Output = Result<(), PortError>> + Send {
        let operation =
            if config.is_some() { "PutFunctionEventInvokeConfig" } else { "DeleteFunctionEventInvokeConfig" };
        let error = PortError {
            operation,
            target: function.to_string(),
            message: "this port has no event-invoke configuration".to_owned(),
            retryable: false,
            not_found: false,
            source: None,
        };
        async move { Err(error) }
    }
    /// Whether the function carries [`tags::TRUST_ALARMS`]` = true` (its owners let any alarm on an
    /// `AWS/` metric naming it throttle it unjudged). The default, for ports without tags: no.
    fn trusts_alarms(&self, function: &FunctionName) -> impl Future<Output = Result<bool, PortError>> + Send {
        let _ = function;
        async { Ok(false) }
    }
}

/// Per-function usage over a window, for the offender search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageSample {
    /// The function.
    pub function: FunctionName,
    /// Invocations in the window.
    pub invocations: f64,
    /// Summed duration in milliseconds over the window.
    pub duration_ms_sum: f64,
    /// Seconds of the window CloudWatch has published data for (minutes with an `Invocations`
    /// datapoint × 60): usage is a rate over these, not over minutes not yet published.
    pub window_secs: u64,
}

mod metrics;
pub use metrics::{
    AlarmContributor, FunctionMetrics, HOUR_SECS, HourMetrics, MINUTE_SECS, MetricsWindow, MinuteMetrics,
    QueueFlow, QueueMinute,
};

/// CloudWatch metrics, read-only.
pub trait Metrics: Send + Sync {
    /// Functions with recent `AWS/Lambda Invocations` datapoints.
    fn active_functions(&self) -> impl Future<Output = Result<Vec<FunctionName>, PortError>> + Send;
    /// Invocations and duration per function over the last `window_secs` up to `now`.
    fn usage(
        &self,
        functions: &[FunctionName],
        window_secs: u64,
        now: Timestamp,
    ) -> impl Future<Output = Result<Vec<UsageSample>, PortError>> + Send;
    /// Each function's recent published minutes (`Invocations`, `Duration`, `ConcurrentExecutions`,
    /// `Throttles`, `RecursiveInvocationsDropped`) and hourly history (`Invocations`, `Duration`)
    /// over `window`: GetMetricData with every candidate in the same request (≤500 queries each).
    /// A function CloudWatch knows nothing about comes back with empty series, never missing.
    fn function_metrics(
        &self,
        functions: &[FunctionName],
        window: MetricsWindow,
    ) -> impl Future<Output = Result<Vec<FunctionMetrics>, PortError>> + Send;
    /// Each queue's recent minutes (`AWS/SQS` `NumberOfMessagesSent` and `NumberOfMessagesDeleted`
    /// Sums by `QueueName`) over `window`'s recent range, in one GetMetricData request: what tells a
    /// consumer draining a backlog from one looping through its queue. The default, for ports that
    /// publish no queue metrics, has none.
    fn queue_flows(
        &self,
        queues: &[crate::name::QueueName],
        window: MetricsWindow,
    ) -> impl Future<Output = Result<Vec<QueueFlow>, PortError>> + Send {
        let _ = (queues, window);
        async { Ok(Vec::new()) }
    }
    /// The contributors of the multi-time-series alarm `alarm` now in ALARM
    /// (`DescribeAlarmContributors`, every page).
    fn alarm_contributors(
        &self,
        alarm: &str,
    ) -> impl Future<Output = Result<Vec<AlarmContributor>, PortError>> + Send;
    /// Whether the alarm `alarm` watches `RecursiveInvocationsDropped` (Lambda's own loop signal),
    /// so that the contributors the sweep re-judges are judged with the recursion floor, as their
    /// own events were. The default, for ports that keep no alarm definitions, says no.
    fn alarm_watches_recursion(&self, alarm: &str) -> impl Future<Output = Result<bool, PortError>> + Send {
        let _ = alarm;
        async { Ok(false) }
    }
}

/// An alert for on-call, ready to publish. `subject`, `body` and `attributes` are what every
/// subscriber has always received; the other fields let the chat and e-mail bodies be built
/// without parsing the text.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Alert {
    /// ≤100 characters: what, which function, why.
    pub subject: String,
    /// Human body, then a JSON block for machines.
    pub body: String,
    /// Message attributes for subscription filter policies (function, reason, outcome, account, region).
    pub attributes: Vec<(String, String)>,
    /// The ARN of the function the alert is about, when the account and region are known.
    pub function_arn: Option<String>,
    /// What on-call does next, most important first: a sentence, then each exact command on its own
    /// line indented by two spaces (e.g. `runaway-guard reenable NAME`).
    pub next_steps: Vec<String>,
}

/// SNS.
pub trait Notifier: Send + Sync {
    /// Publishes one alert.
    fn publish(&self, alert: &Alert) -> impl Future<Output = Result<(), PortError>> + Send;
}

/// Who is calling, for the audit line of a re-enable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Caller {
    /// Caller ARN.
    pub arn: String,
    /// Account id.
    pub account: String,
}

/// STS.
pub trait Identity: Send + Sync {
    /// The caller identity.
    fn caller(&self) -> impl Future<Output = Result<Caller, PortError>> + Send;
}
