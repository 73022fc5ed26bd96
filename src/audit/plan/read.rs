//! Plan resources → the wiring's functions and roles (inline, attached and managed policies,
//! permission boundaries); triggers are read in [`triggers`].

use serde_json::{Value, json};

use super::Planned;
use super::managed;
use super::resolve::{Resolver, Target};
use crate::audit::iam::{NamedPolicy, PolicyDocument, Role};
use crate::audit::model::{Function, RecursiveLoop, Unread, Wiring};
use crate::ports::Architecture;

/// Everything the plan says about the wiring.
pub fn wiring(r: &Resolver<'_>) -> Wiring {
    let mut w = Wiring { account: r.account.clone(), region: r.region.clone(), ..Wiring::default() };
    roles(r, &mut w);
    functions(r, &mut w);
    super::triggers::read(r, &mut w);
    w
}

fn roles(r: &Resolver<'_>, w: &mut Wiring) {
    for role in r.of_kind("aws_iam_role") {
        let arn = r.arn_of(role);
        let mut entry = Role { arn: arn.clone(), ..Role::default() };
        let blocks = role.values.get("inline_policy").and_then(Value::as_array).into_iter().flatten();
        for block in blocks.filter(|b| b.get("policy").and_then(Value::as_str).is_some_and(|s| !s.is_empty()))
        {
            let name = block.get("name").and_then(Value::as_str).unwrap_or("inline").to_owned();
            if let Some(document) = document(r, role, block, &Value::Null, "policy", w) {
                entry.policies.push(NamedPolicy { name, document });
            }
        }
        let boundary = r.target(role, role.values, role.expressions, "permissions_boundary");
        if let Some(target) = boundary {
            entry.boundary = policy_at(r, &target, role, w);
        }
        w.roles.insert(arn, entry);
    }
    role_policies(r, w);
}

/// `aws_iam_role_policy` (inline, as its own resource) and `aws_iam_role_policy_attachment`.
fn role_policies(r: &Resolver<'_>, w: &mut Wiring) {
    let add = |w: &mut Wiring, key: String, policy: NamedPolicy| {
        w.roles
            .entry(key.clone())
            .or_insert_with(|| Role { arn: key, ..Role::default() })
            .policies
            .push(policy);
    };
    for attached in r.of_kind("aws_iam_role_policy") {
        let name =
            attached.values.get("name").and_then(Value::as_str).unwrap_or(&attached.address).to_owned();
        let document = document(r, attached, attached.values, attached.expressions, "policy", w);
        if let (Some(key), Some(document)) = (role_key(r, attached), document) {
            add(w, key, NamedPolicy { name, document });
        }
    }
    for attachment in r.of_kind("aws_iam_role_policy_attachment") {
        let target = r.target(attachment, attachment.values, attachment.expressions, "policy_arn");
        let (Some(key), Some(target)) = (role_key(r, attachment), target) else { continue };
        if let Some(policy) = policy_at(r, &target, attachment, w) {
            add(w, key, policy);
        }
    }
}

/// The key of the role a policy or attachment names (`role` holds the role's name).
fn role_key(r: &Resolver<'_>, owner: &Planned<'_>) -> Option<String> {
    match r.target(owner, owner.values, owner.expressions, "role")? {
        Target::Resource(role) => Some(r.arn_of(role)),
        Target::Literal(name) => Some(
            r.of_kind("aws_iam_role")
                .find(|role| role.values.get("name").and_then(Value::as_str) == Some(name.as_str()))
                .map_or_else(
                    || format!("arn:aws:iam::{}:role/{name}", r.account.as_deref().unwrap_or("*")),
                    |role| r.arn_of(role),
                ),
        ),
    }
}

/// The managed policy a target names: one in the plan, or a listed AWS managed policy.
fn policy_at(
    r: &Resolver<'_>,
    target: &Target<'_>,
    owner: &Planned<'_>,
    w: &mut Wiring,
) -> Option<NamedPolicy> {
    let arn = r.arn(target, str::to_owned);
    let in_plan = match target {
        Target::Resource(p) => Some(*p),
        Target::Literal(_) => r.of_kind("aws_iam_policy").find(|p| r.arn_of(p) == arn),
    };
    let document = match in_plan {
        Some(policy) => document(r, policy, policy.values, policy.expressions, "policy", w)?,
        None => match managed::document(&arn).map(|text| PolicyDocument::parse(&text)) {
            Some(Ok(document)) => document,
            _ => {
                w.unread.push(Unread {
                    subject: format!("{} → {arn}", owner.address),
                    error: "managed policy not in the plan: its permissions are not known".into(),
                });
                return None;
            }
        },
    };
    Some(NamedPolicy { name: arn, document })
}

/// The policy document at `values.key`: rendered JSON when the plan knows it, else rebuilt from the
/// `aws_iam_policy_document` the configuration references; unknown ones are reported.
fn document(
    r: &Resolver<'_>,
    owner: &Planned<'_>,
    values: &Value,
    exprs: &Value,
    key: &str,
    w: &mut Wiring,
) -> Option<PolicyDocument> {
    let parsed = match r.target(owner, values, exprs, key) {
        Some(Target::Literal(text)) => PolicyDocument::parse(&text).map_err(|e| e.to_string()),
        Some(Target::Resource(source)) => match source.values.get("json").and_then(Value::as_str) {
            Some(text) => PolicyDocument::parse(text).map_err(|e| e.to_string()),
            None if source.kind == "aws_iam_policy_document" => {
                PolicyDocument::from_value(&from_configuration(r, source)).map_err(|e| e.to_string())
            }
            None => Err(format!("{} is not a policy document", source.address)),
        },
        None => Err("unknown until apply and not from an aws_iam_policy_document".to_owned()),
    };
    parsed.map_err(|error| w.unread.push(Unread { subject: format!("{}.{key}", owner.address), error })).ok()
}

/// An `aws_iam_policy_document` whose JSON the plan does not know, rebuilt from its configuration:
/// literal actions, and for each referenced resource its ARN (an S3 bucket's: the bucket and all its
/// objects, since a suffix after the reference, such as `/uploads/*`, is not in the plan). A
/// reference to anything else (a variable, a local) is unknown: `*` in an Allow; a Deny naming it
/// counts as conditional, so it never removes an edge it might not cover.
fn from_configuration(r: &Resolver<'_>, source: &Planned<'_>) -> Value {
    let blocks = source.expressions.get("statement").and_then(Value::as_array).cloned().unwrap_or_default();
    let statements: Vec<Value> =
        blocks.iter().map(|block| statement_from_configuration(r, source, block)).collect();
    json!({ "Statement": statements })
}

fn statement_from_configuration(r: &Resolver<'_>, source: &Planned<'_>, block: &Value) -> Value {
    let effect = block.pointer("/effect/constant_value").and_then(Value::as_str).unwrap_or("Allow");
    let mut statement = json!({ "Effect": effect });
    if let Some(sid) = block.pointer("/sid/constant_value").and_then(Value::as_str) {
        statement["Sid"] = Value::from(sid);
    }
    let mut unknown = false;
    for (key, field) in [
        ("Action", "actions"),
        ("NotAction", "not_actions"),
        ("Resource", "resources"),
        ("NotResource", "not_resources"),
    ] {
        if let Some((list, unresolved)) = config_list(r, source, block.get(field)) {
            statement[key] = Value::from(list);
            unknown |= unresolved;
        }
    }
    let has_condition = block.get("condition").is_some_and(|c| c.as_array().is_some_and(|a| !a.is_empty()));
    if has_condition || (unknown && effect == "Deny") {
        statement["Condition"] = json!({"Unknown": {"unevaluated": "true"}});
    }
    statement
}

/// A list attribute of a policy statement: its literal items and the ARNs of the resources it
/// references (`*` for a reference to anything else), and whether any reference was unresolved.
fn config_list(
    r: &Resolver<'_>,
    source: &Planned<'_>,
    expression: Option<&Value>,
) -> Option<(Vec<String>, bool)> {
    let expression = expression?;
    let mut list: Vec<String> = expression
        .get("constant_value")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    let mut unresolved = false;
    let references = expression
        .get("references")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    // `references` lists each traversal and its prefixes (`aws_sqs_queue.q.arn`, `aws_sqs_queue.q`).
    for reference in references {
        let referenced = r.referenced(&source.module, reference);
        unresolved |= referenced.is_none();
        let patterns = reference_patterns(r, referenced);
        for pattern in patterns {
            if !list.contains(&pattern) {
                list.push(pattern);
            }
        }
    }
    (!list.is_empty()).then_some((list, unresolved))
}

/// The resource patterns a policy's reference to `resource` stands for (`*` for an unknown one).
fn reference_patterns(r: &Resolver<'_>, resource: Option<&Planned<'_>>) -> Vec<String> {
    match resource {
        Some(resource) if resource.kind == "aws_s3_bucket" => {
            let arn = r.arn_of(resource);
            vec![format!("{arn}/*"), arn]
        }
        Some(resource) => vec![r.arn_of(resource)],
        None => vec!["*".to_owned()],
    }
}

fn functions(r: &Resolver<'_>, w: &mut Wiring) {
    for f in r.of_kind("aws_lambda_function") {
        let arn = r.arn_of(f);
        let name =
            crate::arn::ArnPattern::parse(&arn).map_or_else(|| f.address.clone(), |a| a.name().to_owned());
        let role = r.target(f, f.values, f.expressions, "role").map(|t| r.arn(&t, str::to_owned));
        let architecture = match f.values.pointer("/architectures/0").and_then(Value::as_str) {
            Some("arm64") => Architecture::Arm64,
            _ => Architecture::X86_64,
        };
        let reserved = f
            .values
            .get("reserved_concurrent_executions")
            .and_then(Value::as_i64)
            .and_then(|n| u32::try_from(n).ok());
        let recursive_loop = recursion_setting(r, &arn);
        let memory_mb = f
            .values
            .get("memory_size")
            .and_then(Value::as_u64)
            .and_then(|m| u32::try_from(m).ok())
            .unwrap_or(128);
        w.functions.push(Function {
            name,
            arn,
            role,
            memory_mb,
            architecture,
            reserved_concurrency: reserved,
            recursive_loop,
        });
    }
}

/// The function's `aws_lambda_function_recursion_config`, else Lambda's default (`Terminate`).
fn recursion_setting(r: &Resolver<'_>, arn: &str) -> RecursiveLoop {
    let function_arn = |c: &Planned<'_>| {
        r.target(c, c.values, c.expressions, "function_name")
            .map(|t| r.arn(&t, |n| r.build("lambda", &format!("function:{n}"))))
    };
    let config =
        r.of_kind("aws_lambda_function_recursion_config").find(|c| function_arn(c).as_deref() == Some(arn));
    match config.map(|c| c.values.get("recursive_loop").and_then(Value::as_str)) {
        None | Some(Some("Terminate")) => RecursiveLoop::Terminate,
        Some(Some("Allow")) => RecursiveLoop::Allow,
        Some(_) => RecursiveLoop::Unknown,
    }
}
