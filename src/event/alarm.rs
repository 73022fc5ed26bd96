//! CloudWatch alarm state changes as the guard receives them directly (the alarm's Lambda action) or
//! through EventBridge, and the one place every alarm form becomes an `AlarmSignal`.
//!
//! The metric configuration is read into the guard's own types: a metric-math alarm lists
//! `expression` queries without `metricStat`, and each metric carries its own dimensions.

use std::collections::HashSet;

use serde::Deserialize;

use super::json::{self, Obj, Pairs};
use super::{EventError, timestamp};
use crate::name::FunctionName;
use crate::signal::{AlarmMetric, AlarmSignal, AlarmState, AlarmTransport, Signal};
use crate::time::Timestamp;

/// The CloudWatch dimension naming a Lambda function.
const FUNCTION_DIMENSION: &str = "FunctionName";

/// What every alarm form says, before validation.
pub(super) struct AlarmFacts {
    pub name: String,
    pub arn: Option<String>,
    pub state: String,
    pub reason: Option<String>,
    pub at: Option<Timestamp>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub transport: AlarmTransport,
    /// `(namespace, metric name)` of every metric watched.
    pub metrics: Vec<(String, String)>,
    /// `(name, value)` of every dimension of those metrics.
    pub dimensions: Vec<(String, String)>,
}

/// Validates the state and every `FunctionName` dimension; deduplicates metrics and functions.
pub(super) fn signal(facts: AlarmFacts) -> Result<Signal, EventError> {
    let state = match facts.state.as_str() {
        "ALARM" => AlarmState::Alarm,
        "OK" => AlarmState::Ok,
        "INSUFFICIENT_DATA" => AlarmState::InsufficientData,
        other => return Err(EventError::UnknownAlarmState(json::shorten(other))),
    };
    let mut seen = HashSet::new();
    let metrics = facts
        .metrics
        .into_iter()
        .filter(|metric| seen.insert(metric.clone()))
        .map(|(namespace, name)| AlarmMetric { namespace, name })
        .collect();
    let mut functions: Vec<FunctionName> = Vec::new();
    let (mut account, mut region) = (facts.account, facts.region);
    for (_, value) in facts.dimensions.iter().filter(|(name, _)| name == FUNCTION_DIMENSION) {
        let (function, arn) = FunctionName::from_name_or_arn(value)
            .map_err(|source| EventError::BadFunctionName { alarm: json::shorten(&facts.name), source })?;
        // A function ARN is a claim about the account too: it must agree with the envelope's (the
        // name alone would otherwise throttle this account's function of the same name).
        if let Some(arn) = arn
            && !arn.settle_place(&mut account, &mut region)
        {
            return Err(EventError::ForeignFunctionArn { alarm: json::shorten(&facts.name) });
        }
        if !functions.contains(&function) {
            functions.push(function);
        }
    }
    Ok(Signal::Alarm(Box::new(AlarmSignal {
        alarm_name: facts.name,
        alarm_arn: facts.arn,
        state,
        metrics,
        functions,
        reason: facts.reason,
        at: facts.at,
        account,
        region,
        transport: facts.transport,
    })))
}

/// The alarm's Lambda action: `{"source": "aws.cloudwatch", "alarmArn", "accountId", "alarmData"}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LambdaAction {
    alarm_arn: Option<String>,
    account_id: Option<String>,
    /// AWS's own composite-alarm sample spells it the EventBridge way.
    account: Option<String>,
    region: Option<String>,
    time: Option<String>,
    alarm_data: Obj<AlarmData>,
}

/// EventBridge "CloudWatch Alarm State Change": the same alarm data under `detail`.
#[derive(Debug, Deserialize)]
struct StateChange {
    account: Option<String>,
    region: Option<String>,
    time: Option<String>,
    resources: Option<Vec<String>>,
    detail: Obj<AlarmData>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AlarmData {
    alarm_name: String,
    state: Obj<StateValue>,
    /// Composite alarms have an `alarmRule` and no metrics.
    configuration: Option<Obj<Configuration>>,
}

#[derive(Debug, Deserialize)]
struct StateValue {
    value: String,
    reason: Option<String>,
    timestamp: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Configuration {
    metrics: Option<Vec<Obj<MetricQuery>>>,
}

/// One metric data query: a `metricStat`, or an `expression` (ignored: it names no metric itself).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MetricQuery {
    metric_stat: Option<Obj<MetricStat>>,
}

#[derive(Debug, Deserialize)]
struct MetricStat {
    metric: Obj<Metric>,
}

#[derive(Debug, Deserialize)]
struct Metric {
    namespace: String,
    name: String,
    dimensions: Option<Pairs>,
}

/// Parses an alarm's Lambda action event.
pub(super) fn from_lambda_action(raw: &[u8]) -> Result<Signal, EventError> {
    let Obj(event) = json::from_slice::<Obj<LambdaAction>>(raw)?;
    let envelope = Envelope {
        arn: event.alarm_arn,
        account: event.account_id.or(event.account),
        region: event.region,
        time: event.time,
        transport: AlarmTransport::LambdaAction,
    };
    signal(facts(event.alarm_data.0, envelope))
}

/// Parses an EventBridge "CloudWatch Alarm State Change" event.
pub(super) fn from_eventbridge(raw: &[u8]) -> Result<Signal, EventError> {
    let Obj(event) = json::from_slice::<Obj<StateChange>>(raw)?;
    let envelope = Envelope {
        arn: event.resources.and_then(|resources| resources.into_iter().next()),
        account: event.account,
        region: event.region,
        time: event.time,
        transport: AlarmTransport::EventBridge,
    };
    signal(facts(event.detail.0, envelope))
}

/// What the two envelopes around [`AlarmData`] contribute.
struct Envelope {
    arn: Option<String>,
    account: Option<String>,
    region: Option<String>,
    time: Option<String>,
    transport: AlarmTransport,
}

fn facts(data: AlarmData, envelope: Envelope) -> AlarmFacts {
    let Obj(state) = data.state;
    let (mut metrics, mut dimensions) = (Vec::new(), Vec::new());
    let queries = data.configuration.and_then(|Obj(configuration)| configuration.metrics);
    for Obj(query) in queries.unwrap_or_default() {
        let Some(Obj(MetricStat { metric: Obj(metric) })) = query.metric_stat else { continue };
        metrics.push((metric.namespace, metric.name));
        dimensions.extend(metric.dimensions.unwrap_or_default().0);
    }
    AlarmFacts {
        name: data.alarm_name,
        arn: envelope.arn,
        state: state.value,
        reason: state.reason,
        // The state's own timestamp is the transition; the envelope's is when it was delivered.
        at: timestamp(state.timestamp.as_deref()).or_else(|| timestamp(envelope.time.as_deref())),
        account: envelope.account,
        region: envelope.region,
        transport: envelope.transport,
        metrics,
        dimensions,
    }
}
