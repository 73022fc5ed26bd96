//! `terraform show -json plan.out` → [`Wiring`]: resources from `planned_values` (root module and
//! child modules) and data sources from `prior_state`; where a value is unknown until apply (ARNs,
//! rendered policies), the `configuration`'s references name the resource it will come from.
//! Names a plan leaves unknown become `*` in the ARN the audit builds, so the IAM answers stay "may".

use std::collections::BTreeMap;

use serde_json::Value;

use super::model::Wiring;

mod managed;
mod read;
mod resolve;
mod triggers;

pub use resolve::Resolver;

/// Why a plan could not be audited.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// Not JSON.
    #[error("the plan is not JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// JSON, but not `terraform show -json` output of a plan.
    #[error("not a Terraform plan in JSON (expected `terraform show -json plan.out`): {0}")]
    NotAPlan(&'static str),
}

/// One resource of the plan.
#[derive(Debug, Clone)]
pub struct Planned<'a> {
    /// `module.x.aws_lambda_function.f[0]`.
    pub address: String,
    /// `aws_lambda_function`.
    pub kind: &'a str,
    /// Its planned (or read) values; unknown ones are absent or null.
    pub values: &'a Value,
    /// Its configuration expressions (empty object when none).
    pub expressions: &'a Value,
    /// `module.x.` (empty for the root module): where its references point.
    pub module: String,
}

/// Reads a plan.
pub fn parse(text: &str) -> Result<Wiring, PlanError> {
    let plan: Value = serde_json::from_str(text).map_err(PlanError::NotJson)?;
    if plan.get("format_version").is_none() {
        return Err(PlanError::NotAPlan("no format_version"));
    }
    let planned = plan.get("planned_values").ok_or(PlanError::NotAPlan("no planned_values"))?;
    let empty = Value::Object(Default::default());
    let mut expressions = BTreeMap::new();
    if let Some(root) = plan.pointer("/configuration/root_module") {
        configuration(root, "", &mut expressions);
    }
    let mut resources = Vec::new();
    if let Some(state) = plan.pointer("/prior_state/values/root_module") {
        collect(state, &expressions, &empty, &mut resources, true);
    }
    if let Some(root) = planned.get("root_module") {
        collect(root, &expressions, &empty, &mut resources, false);
    }
    let region = plan
        .pointer("/configuration/provider_config/aws/expressions/region/constant_value")
        .and_then(Value::as_str)
        .unwrap_or("*")
        .to_owned();
    Ok(read::wiring(&Resolver::new(resources, region)))
}

/// Walks a module of `planned_values` (or `prior_state`, data sources only) and its child modules.
fn collect<'a>(
    module: &'a Value,
    expressions: &BTreeMap<String, &'a Value>,
    empty: &'a Value,
    out: &mut Vec<Planned<'a>>,
    data_only: bool,
) {
    for resource in module.get("resources").and_then(Value::as_array).into_iter().flatten() {
        let (Some(address), Some(kind)) =
            (resource.get("address").and_then(Value::as_str), resource.get("type").and_then(Value::as_str))
        else {
            continue;
        };
        let is_data = resource.get("mode").and_then(Value::as_str) == Some("data");
        if data_only && !is_data || out.iter().any(|p| p.address == address) {
            continue;
        }
        let config_address = strip_indexes(address);
        let module_prefix = config_address.rsplit_once(&format!("{}.", kind)).map_or("", |(m, _)| m);
        let module_prefix = module_prefix.strip_suffix("data.").unwrap_or(module_prefix).to_owned();
        out.push(Planned {
            address: address.to_owned(),
            kind,
            values: resource.get("values").unwrap_or(empty),
            expressions: expressions.get(&config_address).copied().unwrap_or(empty),
            module: module_prefix,
        });
    }
    for child in module.get("child_modules").and_then(Value::as_array).into_iter().flatten() {
        collect(child, expressions, empty, out, data_only);
    }
}

/// Maps each configured resource's address (without count/for_each keys) to its expressions.
fn configuration<'a>(module: &'a Value, prefix: &str, out: &mut BTreeMap<String, &'a Value>) {
    for resource in module.get("resources").and_then(Value::as_array).into_iter().flatten() {
        if let (Some(address), Some(expressions)) =
            (resource.get("address").and_then(Value::as_str), resource.get("expressions"))
        {
            out.insert(format!("{prefix}{address}"), expressions);
        }
    }
    for (name, call) in module.get("module_calls").and_then(Value::as_object).into_iter().flatten() {
        if let Some(child) = call.get("module") {
            configuration(child, &format!("{prefix}module.{name}."), out);
        }
    }
}

/// `module.a["x"].aws_sqs_queue.q[0]` → `module.a.aws_sqs_queue.q`.
pub fn strip_indexes(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut quoted = false;
    for c in address.chars() {
        match c {
            '"' if depth > 0 => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests;
