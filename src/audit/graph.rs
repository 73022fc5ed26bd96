//! The audit's graph: trigger edges from the wiring (resource → function or resource) and write edges
//! from each function's role (function → resource it may write), plus writes an explicit Deny or a
//! permission boundary rules out (kept apart, to say why a loop cannot run).

use std::collections::BTreeSet;

use serde::Serialize;

use super::arn::{self, Kind};
use super::iam::{Access, Effect, Role, Scope, StatementRef};
use super::model::{Filter, Function, Trigger, Via, Wiring};

/// The write actions that can feed each kind of trigger source, first the common one.
pub fn write_actions(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Bus => &["events:PutEvents"],
        Kind::Bucket => &["s3:PutObject", "s3:DeleteObject"],
        Kind::Queue => &["sqs:SendMessage"],
        Kind::Topic => &["sns:Publish"],
        Kind::Table => &[
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:PartiQLInsert",
            "dynamodb:PartiQLUpdate",
            "dynamodb:PartiQLDelete",
        ],
        Kind::Stream => &["kinesis:PutRecord", "kinesis:PutRecords"],
        Kind::Function => &["lambda:InvokeFunction"],
        Kind::Other => &[],
    }
}

/// The resources (or patterns) a write action on `node` is asked about: an S3 bucket's objects, a
/// function and its qualified versions, otherwise the resource itself.
pub fn write_resources(node: &str) -> Vec<String> {
    match arn::kind_of(node) {
        Kind::Bucket => vec![format!("{node}/*")],
        Kind::Function => vec![node.to_owned(), format!("{node}:*")],
        _ => vec![node.to_owned()],
    }
}

/// Why an edge exists.
#[derive(Debug, Clone)]
pub enum EdgeKind {
    /// The wiring delivers (index into [`Wiring::triggers`]).
    Trigger(usize),
    /// A function's role allows writes.
    Write {
        /// The write actions allowed, each with the statement that allows it.
        allowed: Vec<(String, StatementRef)>,
        /// Some allow depends on a Condition the audit does not evaluate.
        conditional: bool,
    },
    /// The role would write but an explicit Deny or the permission boundary stops it.
    Blocked {
        /// Why.
        why: String,
    },
}

/// One directed edge between graph nodes (unqualified ARNs).
#[derive(Debug, Clone)]
pub struct Edge {
    /// From.
    pub from: String,
    /// To.
    pub to: String,
    /// Why.
    pub kind: EdgeKind,
    /// The reason as a person reads it.
    pub reason: String,
}

/// A write the role allows to a resource in another account: not a loop here, reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeavesAccount {
    /// The function (or trigger source).
    pub from: String,
    /// The resource in another account.
    pub to: String,
    /// Why the edge exists.
    pub reason: String,
}

/// The graph's edges.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// Every edge, triggers first.
    pub edges: Vec<Edge>,
}

/// Builds the graph of `wiring`.
pub fn build(wiring: &Wiring) -> Graph {
    let mut edges: Vec<Edge> = wiring
        .triggers
        .iter()
        .enumerate()
        .map(|(i, t)| Edge {
            from: arn::node_of(&t.source),
            to: arn::node_of(&t.target),
            kind: EdgeKind::Trigger(i),
            reason: trigger_reason(t),
        })
        .collect();
    // Only a resource something is triggered by can close a loop; any function can be invoked.
    let mut sources: BTreeSet<String> = edges.iter().map(|e| e.from.clone()).collect();
    sources.extend(wiring.functions.iter().map(|f| f.arn.clone()));
    for function in &wiring.functions {
        let Some(role) = function.role.as_ref().and_then(|r| wiring.roles.get(r)) else { continue };
        for node in sources.iter().filter(|n| arn::kind_of(n) != Kind::Other) {
            edges.extend(write_edge(function, role, node));
        }
    }
    Graph { edges }
}

fn write_edge(function: &Function, role: &Role, node: &str) -> Option<Edge> {
    let mut allowed = Vec::new();
    let (mut conditional, mut blocked) = (false, None);
    let resources = write_resources(node);
    for action in write_actions(arn::kind_of(node)) {
        let access = resources.iter().map(|r| role.access(action, r));
        let access = access
            .clone()
            .find(|a| matches!(a, Access::Allowed { .. }))
            .or_else(|| access.into_iter().next());
        match access.unwrap_or(Access::NotGranted) {
            Access::Allowed { by, conditional: c } => {
                conditional |= c;
                allowed.push(((*action).to_owned(), by));
            }
            Access::Denied { by } => blocked = blocked.or(Some(format!("explicit Deny of {action} in {by}"))),
            Access::OutsideBoundary { boundary } => {
                blocked = blocked.or(Some(format!("{action} is outside the permission boundary {boundary}")));
            }
            Access::NotGranted => {}
        }
    }
    let (from, to) = (function.arn.clone(), node.to_owned());
    if let Some((action, by)) = allowed.first() {
        let condition = if conditional { " (under a Condition the audit does not evaluate)" } else { "" };
        let reason = format!("{} may {action} on {}: {by}{condition}", function.name, arn::label(node));
        return Some(Edge { from, to, reason, kind: EdgeKind::Write { allowed, conditional } });
    }
    let why = blocked?;
    let reason = format!("{} cannot write {}: {why}", function.name, arn::label(node));
    Some(Edge { from, to, reason, kind: EdgeKind::Blocked { why } })
}

/// The sentence that says why a trigger edge exists.
pub fn trigger_reason(t: &Trigger) -> String {
    let (source, target) = (arn::label(&t.source), arn::label(&t.target));
    let filter = match &t.filter {
        Filter::None => String::new(),
        Filter::EventPattern(p) => format!(" with pattern {p}"),
        Filter::Key { prefix, suffix } => format!(" for keys {prefix}*{suffix}"),
        Filter::Patterns(p) => {
            let list: Vec<String> = p.iter().map(|v| v.to_string()).collect();
            format!(" with filter {}", list.join(" or "))
        }
    };
    match &t.via {
        Via::Rule { name } => format!("rule {name} on {source}{filter} targets {target}"),
        Via::BucketNotification { events } => {
            format!("{source} notifies {target} on {}{filter}", events.join(", "))
        }
        Via::BucketToEventBridge => format!("{source} sends its events to {target} (source aws.s3)"),
        Via::Mapping { .. } => format!("event source mapping from {source}{filter} invokes {target}"),
        Via::Subscription => format!("{source} subscription{filter} delivers to {target}"),
        Via::Destination { condition } => format!("{condition} destination of {source} is {target}"),
    }
}

/// Writes and triggers whose far end is in another account than `account`.
pub fn leaving_account(wiring: &Wiring) -> Vec<LeavesAccount> {
    let Some(account) = wiring.account.as_deref() else { return Vec::new() };
    let foreign = |arn_text: &str| {
        arn::account_of(arn_text).is_some_and(|a| a != account && !a.contains(['*', '?', '$']))
    };
    let mut found: Vec<LeavesAccount> = wiring
        .triggers
        .iter()
        .filter(|t| foreign(&t.target))
        .map(|t| LeavesAccount { from: t.source.clone(), to: t.target.clone(), reason: trigger_reason(t) })
        .collect();
    for function in &wiring.functions {
        let Some(role) = function.role.as_ref().and_then(|r| wiring.roles.get(r)) else { continue };
        found.extend(foreign_writes(function, role, &foreign));
    }
    found
}

/// The writes `role` allows to resources its Allow statements name in another account.
fn foreign_writes(function: &Function, role: &Role, foreign: &dyn Fn(&str) -> bool) -> Vec<LeavesAccount> {
    let mut found = Vec::new();
    for policy in &role.policies {
        for statement in policy.document.statements.iter().filter(|s| s.effect == Effect::Allow) {
            let Scope::Only(resources) = &statement.resources else { continue };
            for resource in resources.iter().filter(|r| foreign(r)) {
                let allowed = |a: &&&str| matches!(role.access(a, resource), Access::Allowed { .. });
                let Some(action) = write_actions(arn::kind_of(resource)).iter().find(allowed) else {
                    continue;
                };
                let sid = statement.sid.clone().unwrap_or_else(|| format!("#{}", statement.index + 1));
                let account = arn::account_of(resource).unwrap_or("?");
                found.push(LeavesAccount {
                    from: function.arn.clone(),
                    to: resource.clone(),
                    reason: format!(
                        "{} may {action} on {} in account {account} (statement {sid} of {})",
                        function.name,
                        arn::label(resource),
                        policy.name
                    ),
                });
            }
        }
    }
    found
}
