//! Policy JSON → [`PolicyDocument`]: `Statement` as an object or an array, `Action`/`Resource` as a
//! string or an array, each statement with exactly one of `Action`/`NotAction` and of
//! `Resource`/`NotResource`.

use serde_json::Value;

use super::{Effect, PolicyDocument, Scope, Statement};

/// Why a policy document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// Not JSON.
    #[error("policy is not JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// No `Statement`.
    #[error("policy has no Statement")]
    NoStatement,
    /// A statement is malformed.
    #[error("statement #{index}: {problem}")]
    Statement {
        /// 1-based position.
        index: usize,
        /// What is wrong.
        problem: &'static str,
    },
}

pub(super) fn document(text: &str) -> Result<PolicyDocument, PolicyError> {
    let value: Value = serde_json::from_str(text).map_err(PolicyError::NotJson)?;
    document_value(&value)
}

pub(super) fn document_value(value: &Value) -> Result<PolicyDocument, PolicyError> {
    let statements = match value.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect::<Vec<_>>(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => return Err(PolicyError::NoStatement),
    };
    let statements =
        statements.into_iter().enumerate().map(|(i, s)| statement(i, s)).collect::<Result<Vec<_>, _>>()?;
    Ok(PolicyDocument { statements })
}

fn statement(index: usize, value: &Value) -> Result<Statement, PolicyError> {
    let bad = |problem| PolicyError::Statement { index: index + 1, problem };
    let effect = match value.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        _ => return Err(bad("Effect is neither Allow nor Deny")),
    };
    let actions =
        scope(value, "Action", "NotAction").ok_or_else(|| bad("needs one of Action or NotAction"))?;
    let resources =
        scope(value, "Resource", "NotResource").ok_or_else(|| bad("needs one of Resource or NotResource"))?;
    let conditional = value.get("Condition").is_some_and(|c| c.as_object().is_none_or(|o| !o.is_empty()));
    let sid = value.get("Sid").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    Ok(Statement { sid, index, effect, actions, resources, conditional })
}

fn scope(value: &Value, only: &str, all_but: &str) -> Option<Scope> {
    match (value.get(only), value.get(all_but)) {
        (Some(v), None) => strings(v).map(Scope::Only),
        (None, Some(v)) => strings(v).map(Scope::AllBut),
        _ => None,
    }
}

fn strings(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(items) => items.iter().map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => None,
    }
}
