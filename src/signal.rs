//! What the guard learns from one inbound record, stripped of AWS's envelope shapes.
//! `event.rs` produces these; `detect/` consumes them.

use std::sync::Arc;

use serde::Serialize;

use crate::chain::ChainHeader;
use crate::name::FunctionName;
use crate::time::Timestamp;

/// One fact the detector can act on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signal {
    /// A guarded function emitted an event carrying the chain header.
    Chain(ChainObservation),
    /// A CloudWatch alarm changed state (direct action, EventBridge, or SNS-wrapped). Boxed: alarms are
    /// few and large, chain events many and small, and a batch's signals are sized by the largest kind.
    Alarm(Box<AlarmSignal>),
    /// The optional periodic sweep (EventBridge "Scheduled Event").
    Sweep(SweepSignal),
    /// One contributor (time series) of a multi-time-series Metrics Insights alarm changed state
    /// (EventBridge "CloudWatch Alarm Contributor State Change"). Boxed like alarms.
    Contributor(Box<ContributorSignal>),
}

/// A chain header seen on an emitted event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainObservation {
    /// The validated header (root, depth, emitting function).
    pub header: ChainHeader,
    /// When the event was emitted, from the envelope, if it said.
    pub emitted_at: Option<Timestamp>,
    /// Account the envelope claims it came from (shared: a batch's events mostly name one).
    pub account: Option<Arc<str>>,
    /// Region the envelope claims it came from (shared, as `account`).
    pub region: Option<Arc<str>>,
    /// Who sent it, when the transport says so: the SQS `SenderId` of a message sent straight to the
    /// chain queue with the `runaway-guard-chain` attribute (`AROA…:<session>` for a role session).
    /// `None` for everything the bus or a topic delivered, which carries no sender. What it proves is
    /// decided in `trust::claim`, never here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<Arc<str>>,
    /// The EventBridge `source` of an event that came over a bus, as its sender wrote it: on-call
    /// needs it to find the loop (any `PutEvents` caller can write any source, so it proves nothing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Arc<str>>,
    /// The EventBridge `detail-type` of an event that came over a bus, as `source`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail_type: Option<Arc<str>>,
}

impl ChainObservation {
    /// `header` as an event with no envelope said it: no time, account, region, sender or bus
    /// origin (tests, benches and the simulator's building block).
    pub fn bare(header: ChainHeader) -> Self {
        Self {
            header,
            emitted_at: None,
            account: None,
            region: None,
            sender: None,
            source: None,
            detail_type: None,
        }
    }
}

/// The state an alarm moved into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AlarmState {
    /// The threshold was crossed: the only state that can lead to action.
    Alarm,
    /// Back to normal.
    Ok,
    /// Not enough data to evaluate.
    InsufficientData,
}

/// How the alarm reached the guard (affects what can be trusted about it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmTransport {
    /// CloudWatch invoked the guard directly (Lambda alarm action).
    LambdaAction,
    /// EventBridge "CloudWatch Alarm State Change".
    EventBridge,
    /// A classic alarm notification inside an SNS record.
    Sns,
}

/// One metric an alarm watches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlarmMetric {
    /// E.g. `AWS/Lambda`, `AWS/Billing`.
    pub namespace: String,
    /// E.g. `Invocations`, `ConcurrentExecutions`, `EstimatedCharges`.
    pub name: String,
}

/// A CloudWatch alarm state change, reduced to what detection needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlarmSignal {
    /// The alarm's name.
    pub alarm_name: String,
    /// The alarm's ARN, when the event carried one.
    pub alarm_arn: Option<String>,
    /// New state.
    pub state: AlarmState,
    /// Every metric the alarm watches (several for metric-math alarms).
    pub metrics: Vec<AlarmMetric>,
    /// Every `FunctionName` dimension across those metrics, validated and deduplicated.
    pub functions: Vec<FunctionName>,
    /// The alarm's state reason, for the alert's evidence.
    pub reason: Option<String>,
    /// When the state changed.
    pub at: Option<Timestamp>,
    /// Account the event claims.
    pub account: Option<String>,
    /// Region code the event claims (SNS-wrapped alarms name a region by its long name; mapped when known).
    pub region: Option<String>,
    /// How it arrived.
    pub transport: AlarmTransport,
}

impl AlarmSignal {
    /// True when the alarm watches something about Lambda or billing; other alarms are ignored.
    pub fn is_relevant(&self) -> bool {
        self.metrics.iter().any(|m| m.namespace == "AWS/Lambda" || m.namespace == "AWS/Billing")
            || !self.functions.is_empty()
    }
}

/// A scheduled sweep tick.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepSignal {
    /// When the schedule fired.
    pub at: Option<Timestamp>,
    /// Account the event claims.
    pub account: Option<String>,
}

/// What a contributor's alarm query aggregates, which decides how strong its ALARM is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "metric", content = "name", rename_all = "snake_case")]
pub enum ContributorMetric {
    /// `AWS/Lambda RecursiveInvocationsDropped`: Lambda itself dropped a looping event.
    RecursionDropped,
    /// Any other metric (usually `AWS/Lambda Invocations`): a candidate to be judged.
    Other(String),
}

/// A mute rule that silenced the alarm's actions when the contributor changed state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MuteDetail {
    /// The mute rule(s) named in the event, as CloudWatch sent them (shortened).
    pub summary: String,
}

/// A state change of one contributor of a multi-time-series alarm, reduced to what detection needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContributorSignal {
    /// The parent alarm's name.
    pub alarm_name: String,
    /// The parent alarm's ARN (`resources[0]`), when the event carried one.
    pub alarm_arn: Option<String>,
    /// CloudWatch's id of the contributor.
    pub contributor_id: String,
    /// The contributor's `FunctionName` attribute, validated (`None`: it names no function).
    pub function: Option<FunctionName>,
    /// The contributor's new state. No previous state is sent; OK is never a recovery.
    pub state: AlarmState,
    /// The metric the alarm's query aggregates.
    pub metric: ContributorMetric,
    /// The query expression, shortened, for the alert's evidence.
    pub expression: Option<String>,
    /// The contributor's state reason.
    pub reason: Option<String>,
    /// When the contributor changed state.
    pub at: Option<Timestamp>,
    /// Account the event claims.
    pub account: Option<String>,
    /// Region the event claims.
    pub region: Option<String>,
    /// The mute rule in force, when the event says the alarm was muted.
    pub mute: Option<MuteDetail>,
}
