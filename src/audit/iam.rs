//! The IAM questions the audit asks: "may this role do action A on resource X?", where X may itself
//! be a pattern (`arn:aws:s3:::photos/uploads/*`). Identity policies (inline and attached) with
//! Allow and Deny, `Action`/`NotAction`, `Resource`/`NotResource`, wildcards; an explicit Deny wins;
//! a permission boundary limits. A Condition is never evaluated: an Allow with one still allows
//! ("may"), a Deny with one does not deny. Resource policies, SCPs and session policies are not read.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::glob;

mod parse;

pub use parse::PolicyError;

/// Allow or Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Grants.
    Allow,
    /// Denies, over any Allow.
    Deny,
}

/// `Action` (the listed patterns) or `NotAction` (everything but them); the same for resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Applies to what matches one of the patterns.
    Only(Vec<String>),
    /// Applies to what matches none of the patterns.
    AllBut(Vec<String>),
}

/// One policy statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `Sid`, when the statement has one.
    pub sid: Option<String>,
    /// Position in the document (0-based), to name a statement without a Sid.
    pub index: usize,
    /// Allow or Deny.
    pub effect: Effect,
    /// Actions it applies to.
    pub actions: Scope,
    /// Resources it applies to.
    pub resources: Scope,
    /// Whether it has a `Condition` (never evaluated here).
    pub conditional: bool,
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyDocument {
    /// Its statements, in order.
    pub statements: Vec<Statement>,
}

impl PolicyDocument {
    /// Parses a policy document from its JSON text (URL-decoded).
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        parse::document(text)
    }

    /// Parses a policy document already read as JSON.
    pub fn from_value(value: &Value) -> Result<Self, PolicyError> {
        parse::document_value(value)
    }
}

/// A policy with the name it is known by (inline name or managed policy ARN).
#[derive(Debug, Clone, PartialEq)]
pub struct NamedPolicy {
    /// Inline policy name or managed policy ARN.
    pub name: String,
    /// The document.
    pub document: PolicyDocument,
}

/// An execution role: what its policies allow, limited by its permission boundary.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Role {
    /// The role's ARN (or its Terraform address in a plan).
    pub arn: String,
    /// Inline and attached managed policies.
    pub policies: Vec<NamedPolicy>,
    /// The permission boundary, when one is set.
    pub boundary: Option<NamedPolicy>,
}

/// Which statement decided, for the reason text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementRef {
    /// The policy's name.
    pub policy: String,
    /// The statement's Sid, or `#n` (1-based) when it has none.
    pub statement: String,
    /// Its resource patterns (what a fix narrows).
    pub resources: Vec<String>,
}

impl fmt::Display for StatementRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "statement {} of {} (Resource {})", self.statement, self.policy, self.resources.join(", "))
    }
}

/// The answer to "may the role do this?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// An Allow statement applies (and no unconditional Deny does).
    Allowed {
        /// The Allow statement.
        by: StatementRef,
        /// The Allow has a Condition, or a Deny with a Condition may apply: "may", not "does".
        conditional: bool,
    },
    /// An Allow applies but so does an unconditional Deny (which wins).
    Denied {
        /// The Deny statement.
        by: StatementRef,
    },
    /// The policies allow it but the permission boundary does not.
    OutsideBoundary {
        /// The boundary policy's name.
        boundary: String,
    },
    /// No statement allows it.
    NotGranted,
}

impl Role {
    /// May this role do `action` on every or some resource matching `resource` (a name or pattern)?
    /// An Allow counts when its resources meet `resource`; a Deny only when it covers all of it.
    pub fn access(&self, action: &str, resource: &str) -> Access {
        let all = self.policies.iter().chain(self.boundary.as_ref());
        let allow = |conditional| {
            self.policies.iter().find_map(|p| deciding(p, Effect::Allow, action, resource, conditional))
        };
        let (by, mut conditional) = match allow(false) {
            Some(by) => (by, false),
            None => match allow(true) {
                Some(by) => (by, true),
                None => return Access::NotGranted,
            },
        };
        if let Some(by) = all.clone().find_map(|p| deciding(p, Effect::Deny, action, resource, false)) {
            return Access::Denied { by };
        }
        if let Some(boundary) = &self.boundary {
            let within = deciding(boundary, Effect::Allow, action, resource, false)
                .or_else(|| deciding(boundary, Effect::Allow, action, resource, true));
            if within.is_none() {
                return Access::OutsideBoundary { boundary: boundary.name.clone() };
            }
        }
        conditional |= all.into_iter().any(|p| deciding(p, Effect::Deny, action, resource, true).is_some());
        Access::Allowed { by, conditional }
    }
}

/// The first statement of `policy` with `effect` and `conditional` that applies.
fn deciding(
    policy: &NamedPolicy,
    effect: Effect,
    action: &str,
    resource: &str,
    conditional: bool,
) -> Option<StatementRef> {
    let statement = policy.document.statements.iter().find(|s| {
        s.effect == effect && s.conditional == conditional && applies_to_action(&s.actions, action) && {
            match effect {
                Effect::Allow => meets(&s.resources, resource),
                Effect::Deny => covers(&s.resources, resource),
            }
        }
    })?;
    Some(StatementRef {
        policy: policy.name.clone(),
        statement: statement.sid.clone().unwrap_or_else(|| format!("#{}", statement.index + 1)),
        resources: match &statement.resources {
            Scope::Only(p) => p.clone(),
            Scope::AllBut(p) => p.iter().map(|p| format!("all but {p}")).collect(),
        },
    })
}

fn applies_to_action(scope: &Scope, action: &str) -> bool {
    match scope {
        Scope::Only(patterns) => patterns.iter().any(|p| glob::matches(p, action, true)),
        Scope::AllBut(patterns) => !patterns.iter().any(|p| glob::matches(p, action, true)),
    }
}

/// Some resource matching `resource` is in scope.
fn meets(scope: &Scope, resource: &str) -> bool {
    match scope {
        Scope::Only(patterns) => patterns.iter().any(|p| glob::intersects(p, resource)),
        Scope::AllBut(patterns) => !patterns.iter().any(|p| glob::covers(p, resource)),
    }
}

/// Every resource matching `resource` is in scope (provably).
fn covers(scope: &Scope, resource: &str) -> bool {
    match scope {
        Scope::Only(patterns) => patterns.iter().any(|p| glob::covers(p, resource)),
        Scope::AllBut(patterns) => !patterns.iter().any(|p| glob::intersects(p, resource)),
    }
}

#[cfg(test)]
mod tests;
