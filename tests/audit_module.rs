//! The module's own wiring, audited: infra/*.tf turned into the `terraform show -json` shape a plan
//! of it has (literal values known, references to other resources in `configuration`, everything
//! from variables and locals unknown), then `runaway-guard audit --plan` on it. The guard's wiring
//! must hold no loop that may run: it writes to its alert topic and dead-letter queue, never to
//! the queue, buses or topics that invoke it.
#![cfg(feature = "audit")]

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use hcl::{Block, Body, Expression};
use serde_json::{Map, Value, json};

fn infra() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("infra")
}

/// The plan JSON of the module's root `.tf` files.
fn module_plan() -> Value {
    let (mut planned, mut configured) = (Vec::new(), Vec::new());
    let mut files: Vec<PathBuf> = fs::read_dir(infra())
        .expect("infra/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .collect();
    files.sort();
    for path in files {
        let body: Body = hcl::parse(&fs::read_to_string(&path).expect("readable")).expect("HCL");
        for block in body.blocks().filter(|b| matches!(b.identifier(), "resource" | "data")) {
            let (kind, name) = (label(block, 0), label(block, 1));
            let data = block.identifier() == "data";
            let address = if data { format!("data.{kind}.{name}") } else { format!("{kind}.{name}") };
            let (values, expressions) = convert(block.body());
            let mode = if data { "data" } else { "managed" };
            planned.push(
                json!({"address": address, "mode": mode, "type": kind, "name": name, "values": values}),
            );
            configured.push(json!({"address": address, "mode": mode, "type": kind, "name": name, "expressions": expressions}));
        }
    }
    json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": planned}},
        "configuration": {"root_module": {"resources": configured}},
    })
}

fn label(block: &Block, i: usize) -> String {
    block.labels().get(i).map(|l| l.as_str().to_owned()).unwrap_or_default()
}

/// A block's planned values (literals only) and configuration expressions (literals as
/// `constant_value`, traversals of other resources as `references`); nested blocks as lists.
fn convert(body: &Body) -> (Value, Value) {
    let (mut values, mut expressions) = (Map::new(), Map::new());
    for attribute in body.attributes() {
        let key = attribute.key().to_owned();
        if let Some(literal) = literal(attribute.expr()) {
            values.insert(key.clone(), literal.clone());
            expressions.insert(key, json!({"constant_value": literal}));
        } else {
            let refs = references(attribute.expr());
            if !refs.is_empty() {
                expressions.insert(key, json!({"references": refs}));
            }
        }
    }
    for block in body.blocks().filter(|b| !matches!(b.identifier(), "lifecycle" | "dynamic")) {
        let (v, e) = convert(block.body());
        push(&mut values, block.identifier(), v);
        push(&mut expressions, block.identifier(), e);
    }
    (Value::Object(values), Value::Object(expressions))
}

fn push(map: &mut Map<String, Value>, key: &str, item: Value) {
    match map.entry(key.to_owned()).or_insert_with(|| json!([])) {
        Value::Array(list) => list.push(item),
        other => *other = json!([item]),
    }
}

/// A value known at plan time: literals, lists and objects of them, templates (their `${...}`
/// parts stay as text, which the audit reads as a wildcard) and `jsonencode` of those.
fn literal(expr: &Expression) -> Option<Value> {
    match expr {
        Expression::Null => Some(Value::Null),
        Expression::Bool(b) => Some(Value::Bool(*b)),
        Expression::Number(n) => serde_json::to_value(n).ok(),
        Expression::String(s) => Some(Value::String(s.clone())),
        Expression::TemplateExpr(t) => Some(Value::String(t.to_string().trim_matches('"').to_owned())),
        Expression::Array(items) => items.iter().map(literal).collect::<Option<Vec<_>>>().map(Value::Array),
        Expression::Object(object) => object
            .iter()
            .map(|(k, v)| Some((k.to_string().trim_matches('"').to_owned(), literal(v)?)))
            .collect::<Option<Map<_, _>>>()
            .map(Value::Object),
        Expression::FuncCall(call) if call.name.to_string() == "jsonencode" => {
            call.args.first().map(loose).map(|v| Value::String(v.to_string()))
        }
        _ => None,
    }
}

/// Like [`literal`], with anything unknown as the text `${unknown}`.
fn loose(expr: &Expression) -> Value {
    match expr {
        Expression::Array(items) => Value::Array(items.iter().map(loose).collect()),
        Expression::Object(object) => Value::Object(
            object.iter().map(|(k, v)| (k.to_string().trim_matches('"').to_owned(), loose(v))).collect(),
        ),
        other => literal(other).unwrap_or_else(|| Value::String("${unknown}".to_owned())),
    }
}

/// Traversals (`aws_sqs_queue.chain.arn`, `local.function_arn`), resources also by themselves.
fn references(expr: &Expression) -> Vec<String> {
    match expr {
        Expression::Traversal(_) => {
            let text = expr.to_string();
            let text = text.split('[').next().unwrap_or(&text).to_owned();
            // As Terraform lists them: the traversal, then (for resources) the resource itself.
            let mut refs = vec![text.clone()];
            if text.starts_with("aws_") || text.starts_with("data.") {
                refs.extend(text.rsplit_once('.').map(|(head, _)| head.to_owned()));
            }
            refs
        }
        Expression::Array(items) => items.iter().flat_map(references).collect(),
        _ => Vec::new(),
    }
}

fn audit(plan: &Value) -> (Option<i32>, Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("plan.json");
    fs::write(&path, plan.to_string()).expect("written");
    let binary =
        std::env::var("RUNAWAY_GUARD_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_runaway-guard").to_owned());
    let out = Command::new(binary).args(["audit", "--json", "--plan"]).arg(&path).output().expect("runs");
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), report)
}

#[test]
fn the_guards_own_wiring_holds_no_loop() {
    let (code, report) = audit(&module_plan());
    // The plan reader saw every part: the guard, its triggers and its role's policy.
    assert_eq!(report["failed_reads"], json!([]), "unread parts: {report:#}");
    let may: Vec<&Value> =
        report["cycles"].as_array().unwrap().iter().filter(|c| c["match"] == "may").collect();
    assert!(may.is_empty(), "the module's wiring may loop: {may:#?}");
    assert_eq!(code, Some(0));
}

#[test]
fn a_guard_allowed_to_feed_its_own_queue_would_be_reported() {
    // The check above can fail: grant the guard sqs:SendMessage on its chain queue and the loop
    // (chain queue → mapping → guard → chain queue) appears.
    let mut plan = module_plan();
    let resources = plan.pointer_mut("/configuration/root_module/resources").unwrap().as_array_mut().unwrap();
    let document = resources
        .iter_mut()
        .find(|r| r["address"] == "data.aws_iam_policy_document.this")
        .expect("the guard's policy document");
    document["expressions"]["statement"].as_array_mut().unwrap().push(json!({
        "sid": {"constant_value": "Oops"},
        "actions": {"constant_value": ["sqs:SendMessage"]},
        "resources": {"references": ["aws_sqs_queue.chain.arn", "aws_sqs_queue.chain"]},
    }));
    let (code, report) = audit(&plan);
    let cycle = &report["cycles"][0];
    assert_eq!(cycle["match"], "may", "{report:#}");
    let reasons = cycle["path"].to_string();
    assert!(reasons.contains("may sqs:SendMessage on SQS ${var.name}-chain: statement Oops"), "{reasons}");
    assert_eq!(code, Some(3));
}
