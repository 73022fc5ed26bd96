//! Can what a cycle's functions write match the triggers that close it? Each trigger edge is checked
//! against the edge that put the event on its source: an EventBridge pattern pinned to an `aws.*`
//! source PutEvents cannot send; an S3 key filter the role may not write into; a DynamoDB stream
//! filter on event names the role's writes cannot produce. Anything else "may" match.

use serde_json::Value;

use super::arn;
use super::graph::{Edge, EdgeKind};
use super::iam::{Access, StatementRef};
use super::model::{Filter, Via, Wiring};

/// The verdict on one cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// The writes may match every trigger on the path.
    May(String),
    /// Some trigger on the path cannot match what reaches it, for this reason.
    Cannot(String),
}

/// Checks every trigger edge of `path` (a cycle: the edge before the first is the last).
pub fn check(wiring: &Wiring, path: &[&Edge]) -> Match {
    for (i, edge) in path.iter().enumerate() {
        let EdgeKind::Trigger(index) = edge.kind else { continue };
        let Some(trigger) = wiring.triggers.get(index) else { continue };
        let before = path[(i + path.len() - 1) % path.len()];
        if let Some(reason) = cannot(wiring, &trigger.via, &trigger.filter, before) {
            return Match::Cannot(reason);
        }
    }
    let conditional = path.iter().any(|e| matches!(e.kind, EdgeKind::Write { conditional: true, .. }));
    Match::May(if conditional {
        "nothing on the path filters out what the functions write; some write is allowed only under an \
         IAM Condition the audit does not evaluate"
            .to_owned()
    } else {
        "nothing on the path filters out what the functions write".to_owned()
    })
}

fn cannot(wiring: &Wiring, via: &Via, filter: &Filter, before: &Edge) -> Option<String> {
    match (via, filter, &before.kind) {
        (Via::Rule { name }, Filter::EventPattern(pattern), EdgeKind::Write { .. }) => {
            let sources = pinned_sources(pattern)?;
            sources.iter().all(|s| s.starts_with("aws.")).then(|| {
                format!(
                    "rule {name} matches only source {}, which PutEvents cannot send (sources starting \
                     with aws. are reserved for AWS services)",
                    sources.join(", ")
                )
            })
        }
        (Via::Rule { name }, Filter::EventPattern(pattern), EdgeKind::Trigger(i))
            if wiring.triggers.get(*i).is_some_and(|t| t.via == Via::BucketToEventBridge) =>
        {
            let sources = pinned_sources(pattern)?;
            (!sources.iter().any(|s| s == "aws.s3"))
                .then(|| format!("rule {name} matches only source {}, never aws.s3", sources.join(", ")))
        }
        (Via::BucketNotification { events }, Filter::Key { prefix, suffix }, EdgeKind::Write { .. }) => {
            key_filter(wiring, before, events, prefix, suffix)
        }
        (Via::Mapping { .. }, Filter::Patterns(patterns), EdgeKind::Write { allowed, .. })
            if arn::kind_of(&before.to) == arn::Kind::Table =>
        {
            stream_filter(patterns, allowed)
        }
        _ => None,
    }
}

/// The `source` values an EventBridge pattern requires (exact strings and `prefix` matchers), or
/// `None` when it does not pin the source.
fn pinned_sources(pattern: &Value) -> Option<Vec<String>> {
    let Value::Array(values) = pattern.get("source")? else { return None };
    let pinned: Option<Vec<String>> = values
        .iter()
        .map(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => {
                o.get("prefix").and_then(Value::as_str).filter(|p| p.starts_with("aws.")).map(str::to_owned)
            }
            _ => None,
        })
        .collect();
    pinned.filter(|p| !p.is_empty())
}

fn key_filter(
    wiring: &Wiring,
    write: &Edge,
    events: &[String],
    prefix: &str,
    suffix: &str,
) -> Option<String> {
    let function = wiring.function(&write.from)?;
    let role = wiring.roles.get(function.role.as_ref()?)?;
    let keys = format!("{}/{prefix}*{suffix}", write.to);
    let actions = notified_actions(events)?;
    let mut answers = actions.iter().map(|a| role.access(a, &keys));
    if answers.any(|a| matches!(a, Access::Allowed { .. })) {
        return None;
    }
    let EdgeKind::Write { allowed, .. } = &write.kind else { return None };
    let granted: Vec<&str> =
        allowed.iter().flat_map(|(_, by)| by.resources.iter().map(String::as_str)).collect();
    Some(format!(
        "{} may write only {} in {}, disjoint from the notification's keys {prefix}*{suffix}{}",
        function.name,
        granted.join(", "),
        arn::label(&write.to),
        denied_note(actions.iter().map(|a| role.access(a, &keys)))
    ))
}

fn denied_note(answers: impl Iterator<Item = Access>) -> String {
    answers
        .filter_map(|a| match a {
            Access::Denied { by } => Some(format!(" (explicit Deny: {by})")),
            _ => None,
        })
        .next()
        .unwrap_or_default()
}

/// The write actions that raise these S3 events; `None` when some event type is raised otherwise
/// (restores, replication, lifecycle): then it may match.
fn notified_actions(events: &[String]) -> Option<Vec<&'static str>> {
    let mut actions = Vec::new();
    for event in events {
        if event.starts_with("s3:ObjectCreated") {
            actions.push("s3:PutObject");
        } else if event.starts_with("s3:ObjectRemoved") {
            actions.push("s3:DeleteObject");
        } else {
            return None;
        }
    }
    Some(actions)
}

/// A stream filter on `eventName` that none of the allowed writes can produce.
fn stream_filter(patterns: &[Value], allowed: &[(String, StatementRef)]) -> Option<String> {
    let produced: Vec<&str> = allowed.iter().flat_map(|(action, _)| produces(action)).copied().collect();
    let mut wanted = Vec::new();
    for pattern in patterns {
        let names: Vec<&str> =
            pattern.get("eventName")?.as_array()?.iter().filter_map(Value::as_str).collect();
        if names.is_empty() || names.iter().any(|n| produced.contains(n)) {
            return None;
        }
        wanted.extend(names);
    }
    let actions: Vec<&str> = allowed.iter().map(|(a, _)| a.as_str()).collect();
    Some(format!(
        "the mapping's filter passes only {} records, which {} cannot produce",
        wanted.join("/"),
        actions.join(", ")
    ))
}

fn produces(action: &str) -> &'static [&'static str] {
    match action {
        "dynamodb:PutItem" | "dynamodb:UpdateItem" => &["INSERT", "MODIFY"],
        "dynamodb:DeleteItem" | "dynamodb:PartiQLDelete" => &["REMOVE"],
        "dynamodb:PartiQLInsert" => &["INSERT"],
        "dynamodb:PartiQLUpdate" => &["MODIFY"],
        _ => &["INSERT", "MODIFY", "REMOVE"],
    }
}
