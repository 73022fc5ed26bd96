//! EventBridge "CloudWatch Alarm Contributor State Change": one time series (contributor) of a
//! multi-time-series Metrics Insights alarm changed state. AWS documents the shape in "Alarm
//! events and EventBridge": `detail.alarmContributor = {"id", "attributes"}`, `detail.state`,
//! `detail.configuration.metrics[].expression`, an optional `detail.muteDetail`, and no
//! `previousState`. A contributor naming no `FunctionName` is still a signal (it leads to nothing).

use serde::Deserialize;

use super::json::{self, Obj, Pairs};
use super::{EventError, timestamp};
use crate::name::FunctionName;
use crate::signal::{AlarmState, ContributorMetric, ContributorSignal, MuteDetail, Signal};

/// `detail-type` of a contributor's state change.
pub(super) const CONTRIBUTOR_STATE_CHANGE: &str = "CloudWatch Alarm Contributor State Change";
/// The contributor attribute naming a Lambda function.
const FUNCTION_ATTRIBUTE: &str = "FunctionName";
/// Lambda's own loop-detection metric.
const RECURSION_METRIC: &str = "RecursiveInvocationsDropped";

#[derive(Debug, Deserialize)]
struct ContributorEvent {
    account: Option<String>,
    region: Option<String>,
    time: Option<String>,
    resources: Option<Vec<String>>,
    detail: Obj<Detail>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Detail {
    alarm_name: String,
    alarm_contributor: Obj<Contributor>,
    state: Obj<State>,
    configuration: Option<Obj<Configuration>>,
    mute_detail: Option<Obj<Mute>>,
}

#[derive(Debug, Deserialize)]
struct Contributor {
    id: String,
    attributes: Option<Pairs>,
}

#[derive(Debug, Deserialize)]
struct State {
    value: String,
    reason: Option<String>,
    timestamp: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Configuration {
    metrics: Option<Vec<Obj<Query>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Query {
    expression: Option<String>,
    metric_stat: Option<Obj<MetricStat>>,
}

#[derive(Debug, Deserialize)]
struct MetricStat {
    metric: Obj<MetricName>,
}

#[derive(Debug, Deserialize)]
struct MetricName {
    name: String,
    namespace: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Mute {
    muted_by_arn: Option<String>,
    mute_window_start: Option<String>,
    mute_window_end: Option<String>,
}

/// Parses a contributor state change.
pub(super) fn from_eventbridge(raw: &[u8]) -> Result<Signal, EventError> {
    let Obj(event) = json::from_slice::<Obj<ContributorEvent>>(raw)?;
    let Obj(detail) = event.detail;
    let Obj(state) = detail.state;
    let Obj(contributor) = detail.alarm_contributor;
    let alarm = detail.alarm_name;
    let state_value = match state.value.as_str() {
        "ALARM" => AlarmState::Alarm,
        "OK" => AlarmState::Ok,
        "INSUFFICIENT_DATA" => AlarmState::InsufficientData,
        other => return Err(EventError::UnknownAlarmState(json::shorten(other))),
    };
    let attributes = contributor.attributes.map(|Pairs(pairs)| pairs).unwrap_or_default();
    let (mut account, mut region) = (event.account, event.region);
    let function = function_of(&alarm, &attributes, &mut account, &mut region)?;
    let queries = detail.configuration.and_then(|Obj(c)| c.metrics).unwrap_or_default();
    let (metric, expression) = metric_of(queries, &alarm)?;
    Ok(Signal::Contributor(Box::new(ContributorSignal {
        alarm_arn: event.resources.and_then(|resources| resources.into_iter().next()),
        contributor_id: json::shorten(&contributor.id),
        function,
        state: state_value,
        metric,
        expression,
        reason: state.reason,
        at: timestamp(state.timestamp.as_deref()).or_else(|| timestamp(event.time.as_deref())),
        account,
        region,
        mute: detail.mute_detail.map(|Obj(mute)| mute_of(mute)),
        alarm_name: alarm,
    })))
}

/// The `FunctionName` attribute, validated. An ARN must name the event's own account and region.
fn function_of(
    alarm: &str,
    attributes: &[(String, String)],
    account: &mut Option<String>,
    region: &mut Option<String>,
) -> Result<Option<FunctionName>, EventError> {
    let Some((_, value)) = attributes.iter().find(|(name, _)| name == FUNCTION_ATTRIBUTE) else {
        return Ok(None);
    };
    let (function, arn) = FunctionName::from_name_or_arn(value)
        .map_err(|source| EventError::BadFunctionName { alarm: json::shorten(alarm), source })?;
    if let Some(arn) = arn
        && !arn.settle_place(account, region)
    {
        return Err(EventError::ForeignFunctionArn { alarm: json::shorten(alarm) });
    }
    Ok(Some(function))
}

/// What the alarm's query aggregates: a Metrics Insights `expression`, or a classic `metricStat`.
/// Every namespace it reads must be an `AWS/` one (`trust::is_aws_namespace`): a contributor of a
/// query on a namespace anyone can publish to proves nothing.
fn metric_of(
    queries: Vec<Obj<Query>>,
    alarm: &str,
) -> Result<(ContributorMetric, Option<String>), EventError> {
    let mut expression = None;
    let mut names = Vec::new();
    for Obj(query) in queries {
        let namespace = if let Some(text) = query.expression {
            let namespace = insights_namespace(&text);
            expression.get_or_insert(json::shorten(&text));
            names.push(text);
            namespace
        } else if let Some(Obj(MetricStat { metric: Obj(metric) })) = query.metric_stat {
            names.push(metric.name);
            Some(metric.namespace.unwrap_or_default())
        } else {
            None
        };
        if let Some(namespace) = namespace.filter(|n| !crate::trust::is_aws_namespace(n)) {
            let (alarm, namespace) = (json::shorten(alarm), json::shorten(&namespace));
            return Err(EventError::CustomNamespace { alarm, namespace });
        }
    }
    let metric = if names.iter().any(|n| n.contains(RECURSION_METRIC)) {
        ContributorMetric::RecursionDropped
    } else {
        ContributorMetric::Other(names.first().map_or_else(|| "unknown".to_owned(), |n| json::shorten(n)))
    };
    Ok((metric, expression))
}

/// The namespace a Metrics Insights query reads: `FROM SCHEMA("AWS/Lambda", ...)`, `FROM "AWS/Lambda"`
/// or `FROM AWS/Lambda`. `None` for an expression without `FROM` (metric math over other queries,
/// whose own namespaces are checked). A `FROM` the guard cannot read is reported as the namespace `?`.
fn insights_namespace(expression: &str) -> Option<String> {
    let upper = expression.to_ascii_uppercase();
    let at = upper.find("FROM")?;
    let mut rest = expression[at + 4..].trim_start();
    if rest.len() >= 6 && rest[..6].eq_ignore_ascii_case("SCHEMA") {
        rest = rest[6..].trim_start().strip_prefix('(').unwrap_or("?").trim_start();
    }
    let namespace = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next().unwrap_or_default(),
        None => rest.split(|c: char| c.is_whitespace() || c == ',' || c == ')').next().unwrap_or_default(),
    };
    Some(if namespace.is_empty() { "?".to_owned() } else { namespace.to_owned() })
}

fn mute_of(mute: Mute) -> MuteDetail {
    let rule = mute.muted_by_arn.as_deref().unwrap_or("an unnamed mute rule");
    let window = match (mute.mute_window_start, mute.mute_window_end) {
        (Some(start), Some(end)) => format!(" from {start} to {end}"),
        (Some(start), None) => format!(" from {start}"),
        _ => String::new(),
    };
    MuteDetail { summary: json::shorten(&format!("muted by {rule}{window}")) }
}

#[cfg(test)]
mod namespace_tests {
    use super::insights_namespace;

    #[test]
    fn reads_the_namespace_of_a_metrics_insights_query() {
        let lambda =
            r#"SELECT SUM(Invocations) FROM SCHEMA("AWS/Lambda", FunctionName) GROUP BY FunctionName"#;
        assert_eq!(insights_namespace(lambda).as_deref(), Some("AWS/Lambda"));
        let custom = r#"select max(x) from schema( "Team/Whatever" , FunctionName)"#;
        assert_eq!(insights_namespace(custom).as_deref(), Some("Team/Whatever"));
        assert_eq!(insights_namespace(r#"SELECT AVG(x) FROM "AWS/EC2""#).as_deref(), Some("AWS/EC2"));
        assert_eq!(insights_namespace("SELECT AVG(x) FROM Team/X WHERE a='b'").as_deref(), Some("Team/X"));
        assert_eq!(insights_namespace("SELECT AVG(x) FROM").as_deref(), Some("?"));
        assert_eq!(insights_namespace("m1 + m2"), None);
    }
}
