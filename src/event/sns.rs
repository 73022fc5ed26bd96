//! SNS records: the chain header in the `runaway-guard-chain` message attribute, or a classic
//! CloudWatch alarm notification in `Message` (how billing alarms arrive, often from us-east-1 while
//! the guard runs elsewhere).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::alarm::{self, AlarmFacts};
use super::json::{self, Obj};
use super::region::region_code;
use super::{EventError, arn_region_account, attribute_header, chain_signal, timestamp};
use crate::chain::MESSAGE_ATTRIBUTE;
use crate::signal::{AlarmTransport, Signal};

/// `Records[].EventSource` of an SNS record.
pub(super) const EVENT_SOURCE: &str = "aws:sns";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SnsRecord {
    sns: Obj<SnsMessage>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SnsMessage {
    message: String,
    timestamp: Option<String>,
    topic_arn: Option<String>,
    /// Other senders' attributes may have any shape: only ours is interpreted.
    message_attributes: Option<HashMap<String, Value>>,
}

/// A classic alarm notification. `AlarmDescription` (often null) and the rest are not needed.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ClassicAlarm {
    alarm_name: String,
    #[serde(rename = "AWSAccountId")]
    account: Option<String>,
    new_state_value: String,
    new_state_reason: Option<String>,
    state_change_time: Option<String>,
    region: Option<String>,
    alarm_arn: Option<String>,
    /// Absent for composite alarms.
    trigger: Option<Obj<Trigger>>,
}

/// A single-metric alarm names its metric here; a metric-math alarm lists `Metrics` instead.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Trigger {
    metric_name: Option<String>,
    namespace: Option<String>,
    dimensions: Option<Vec<Obj<Dimension>>>,
    metrics: Option<Vec<Obj<MetricQuery>>>,
}

#[derive(Debug, Deserialize)]
struct Dimension {
    name: String,
    value: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MetricQuery {
    metric_stat: Option<Obj<MetricStat>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MetricStat {
    metric: Obj<Metric>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Metric {
    metric_name: String,
    namespace: String,
    dimensions: Option<Vec<Obj<Dimension>>>,
}

/// Parses one SNS record: the attribute wins; otherwise `Message` must be an alarm notification.
pub(super) fn parse_record(record: &str) -> Result<Signal, EventError> {
    let Obj(SnsRecord { sns: Obj(sns) }) = json::from_checked::<Obj<SnsRecord>>(record)?;
    if let Some(attribute) = sns.message_attributes.as_ref().and_then(|a| a.get(MESSAGE_ATTRIBUTE)) {
        let header = attribute_header(attribute, "Value")?;
        // Where the message was published is all the record says about its sender.
        let (region, account) = arn_region_account(sns.topic_arn.as_deref());
        // SNS names no sender: a chain attribute on a topic is an unauthenticated claim.
        return Ok(chain_signal(header, timestamp(sns.timestamp.as_deref()), (account, region), None));
    }
    classic_alarm(sns.message.as_bytes())
}

fn classic_alarm(raw: &[u8]) -> Result<Signal, EventError> {
    let Obj(message) = json::from_slice::<Obj<ClassicAlarm>>(raw)?;
    let (mut metrics, mut dimensions) = (Vec::new(), Vec::new());
    if let Some(Obj(trigger)) = message.trigger {
        if let (Some(namespace), Some(name)) = (trigger.namespace, trigger.metric_name) {
            metrics.push((namespace, name));
        }
        dimensions.extend(pairs(trigger.dimensions));
        for Obj(query) in trigger.metrics.unwrap_or_default() {
            let Some(Obj(MetricStat { metric: Obj(metric) })) = query.metric_stat else { continue };
            metrics.push((metric.namespace, metric.metric_name));
            dimensions.extend(pairs(metric.dimensions));
        }
    }
    alarm::signal(AlarmFacts {
        region: region_code(message.region.as_deref(), message.alarm_arn.as_deref()),
        name: message.alarm_name,
        arn: message.alarm_arn,
        state: message.new_state_value,
        reason: message.new_state_reason,
        at: timestamp(message.state_change_time.as_deref()),
        account: message.account,
        transport: AlarmTransport::Sns,
        metrics,
        dimensions,
    })
}

fn pairs(dimensions: Option<Vec<Obj<Dimension>>>) -> impl Iterator<Item = (String, String)> {
    dimensions.unwrap_or_default().into_iter().map(|Obj(d)| (d.name, d.value))
}
