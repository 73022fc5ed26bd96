//! IAM: for each execution role (once, however many functions share it) its inline policies
//! (ListRolePolicies, GetRolePolicy), attached managed policies (ListAttachedRolePolicies, then
//! GetPolicy and GetPolicyVersion once per policy) and permission boundary (GetRole).

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_iam::Client;
use futures::StreamExt as _;

use super::{PARALLEL, unread};
use crate::audit::iam::{NamedPolicy, PolicyDocument, Role};
use crate::audit::model::{Unread, Wiring};
use crate::aws::error::port_error;
use crate::ports::PortError;

pub(super) async fn read(sdk: &aws_config::SdkConfig, wiring: &mut Wiring) {
    let client = Client::new(sdk);
    let roles: BTreeSet<String> = wiring.functions.iter().filter_map(|f| f.role.clone()).collect();
    let read: Vec<(String, Result<RoleParts, PortError>)> = futures::stream::iter(roles)
        .map(|arn| {
            let client = client.clone();
            async move { (arn.clone(), role_parts(&client, &arn).await) }
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let attached: BTreeSet<String> = read
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .flat_map(|p| p.managed.iter().chain(&p.boundary).cloned())
        .collect();
    let documents: BTreeMap<String, Result<PolicyDocument, String>> = futures::stream::iter(attached)
        .map(|arn| {
            let client = client.clone();
            async move { (arn.clone(), managed_document(&client, &arn).await) }
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    for (arn, parts) in read {
        match parts {
            Ok(parts) => {
                let role = assemble(&arn, parts, &documents, &mut wiring.unread);
                wiring.roles.insert(arn, role);
            }
            Err(err) => unread(wiring, &err),
        }
    }
}

/// What a role has, before the managed documents are fetched.
struct RoleParts {
    inline: Vec<NamedPolicy>,
    managed: Vec<String>,
    boundary: Option<String>,
    unparsed: Vec<Unread>,
}

fn assemble(
    arn: &str,
    parts: RoleParts,
    documents: &BTreeMap<String, Result<PolicyDocument, String>>,
    unread: &mut Vec<Unread>,
) -> Role {
    unread.extend(parts.unparsed);
    let mut named = |policy: &String| match documents.get(policy) {
        Some(Ok(document)) => Some(NamedPolicy { name: policy.clone(), document: document.clone() }),
        Some(Err(error)) => {
            unread.push(Unread { subject: format!("{arn} → {policy}"), error: error.clone() });
            None
        }
        None => None,
    };
    let mut policies = parts.inline;
    policies.extend(parts.managed.iter().filter_map(&mut named));
    let boundary = parts.boundary.as_ref().and_then(&mut named);
    Role { arn: arn.to_owned(), policies, boundary }
}

/// The role's name: the last segment of its ARN (after any path).
fn role_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

async fn role_parts(client: &Client, arn: &str) -> Result<RoleParts, PortError> {
    let name = role_name(arn);
    let role = client.get_role().role_name(name).send().await.map_err(|e| port_error("GetRole", name, e))?;
    let boundary = role
        .role()
        .and_then(|r| r.permissions_boundary())
        .and_then(|b| b.permissions_boundary_arn())
        .map(str::to_owned);
    let mut inline_names = Vec::new();
    let mut pages = client.list_role_policies().role_name(name).into_paginator().items().send();
    while let Some(policy) = pages.next().await {
        inline_names.push(policy.map_err(|e| port_error("ListRolePolicies", name, e))?);
    }
    let (mut inline, mut unparsed) = (Vec::new(), Vec::new());
    for policy in inline_names {
        let got = client.get_role_policy().role_name(name).policy_name(&policy).send().await;
        let text = got.map_err(|e| port_error("GetRolePolicy", name, e))?;
        match decode(text.policy_document()) {
            Ok(document) => inline.push(NamedPolicy { name: policy, document }),
            Err(error) => unparsed.push(Unread { subject: format!("{arn} → {policy}"), error }),
        }
    }
    let mut managed = Vec::new();
    let mut pages = client.list_attached_role_policies().role_name(name).into_paginator().items().send();
    while let Some(policy) = pages.next().await {
        let policy = policy.map_err(|e| port_error("ListAttachedRolePolicies", name, e))?;
        managed.extend(policy.policy_arn().map(str::to_owned));
    }
    Ok(RoleParts { inline, managed, boundary, unparsed })
}

async fn managed_document(client: &Client, arn: &str) -> Result<PolicyDocument, String> {
    let policy = client
        .get_policy()
        .policy_arn(arn)
        .send()
        .await
        .map_err(|e| port_error("GetPolicy", arn, e).message)?;
    let version = policy.policy().and_then(|p| p.default_version_id()).ok_or("no default version")?;
    let got = client.get_policy_version().policy_arn(arn).version_id(version).send().await;
    let got = got.map_err(|e| port_error("GetPolicyVersion", arn, e).message)?;
    decode(got.policy_version().and_then(|v| v.document()).ok_or("no document")?)
}

/// IAM returns documents URL-encoded (RFC 3986).
fn decode(text: &str) -> Result<PolicyDocument, String> {
    let decoded = percent_encoding::percent_decode_str(text).decode_utf8().map_err(|e| e.to_string())?;
    PolicyDocument::parse(&decoded).map_err(|e| e.to_string())
}
