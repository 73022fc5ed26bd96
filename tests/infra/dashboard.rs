//! The dashboard body (`infra/dashboard.json.tftpl`, rendered as `infra/dashboard.tf` renders it):
//! it is JSON, fits the 24-column grid, names only metrics the guard emits (`src/emf.rs`) or AWS
//! publishes, shows every decision outcome, and lists every alarm of the module.

use std::collections::BTreeMap;
use std::fs;

use serde_json::{Value, json};

use super::{attr, blocks, infra, label, parse};

/// What AWS publishes that the dashboard may chart: namespace → metrics (AWS docs, read 2026-12).
const AWS_METRICS: &[(&str, &[&str])] = &[
    (
        "AWS/Lambda",
        &[
            "ConcurrentExecutions",
            "Duration",
            "Errors",
            "Invocations",
            "Throttles",
            "UnreservedConcurrentExecutions",
        ],
    ),
    ("AWS/SQS", &["ApproximateAgeOfOldestMessage", "ApproximateNumberOfMessagesVisible"]),
];

/// The guard's own metrics, from the EMF document it prints (so a renamed metric fails here).
fn guard_metrics() -> Vec<String> {
    let report = runaway_guard::report::Report::default();
    let doc = runaway_guard::emf::invocation_metrics(
        &report,
        false,
        Some("g"),
        runaway_guard::time::Timestamp::from_secs(0),
    );
    doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Name"].as_str().unwrap().to_owned())
        .collect()
}

/// The variables `dashboard.tf` passes to `templatefile`.
fn template_variables() -> Vec<String> {
    let body = parse(&infra().join("dashboard.tf"));
    let dashboard = blocks(&body, "resource")
        .find(|b| label(b, 0) == "aws_cloudwatch_dashboard" && label(b, 1) == "this")
        .expect("dashboard.tf has no aws_cloudwatch_dashboard.this");
    let call = match attr(dashboard.body(), "dashboard_body") {
        Some(hcl::Expression::FuncCall(call)) => call,
        other => panic!("dashboard_body must be a templatefile(...) call, found {other:?}"),
    };
    assert_eq!(call.name.to_string(), "templatefile");
    match call.args.get(1) {
        Some(hcl::Expression::Object(vars)) => vars.keys().map(|k| k.to_string()).collect(),
        other => panic!("templatefile's variables must be an object, found {other:?}"),
    }
}

/// Renders the template the way `templatefile` does for the two forms it may use: `${name}` and
/// `${jsonencode(name)}`. Any other directive fails, so the template stays checkable.
fn render(values: &BTreeMap<&str, Value>) -> String {
    let template = fs::read_to_string(infra().join("dashboard.json.tftpl")).unwrap();
    assert!(!template.contains("%{"), "template directives are not checkable here");
    let mut out = String::new();
    let mut rest = template.as_str();
    while let Some(start) = rest.find("${") {
        out += &rest[..start];
        let end = rest[start..].find('}').expect("unclosed ${") + start;
        let expr = &rest[start + 2..end];
        let (name, json) = match expr.strip_prefix("jsonencode(").and_then(|e| e.strip_suffix(')')) {
            Some(name) => (name, true),
            None => (expr, false),
        };
        let value = values.get(name).unwrap_or_else(|| panic!("${{{expr}}}: no such template variable"));
        out += &if json { value.to_string() } else { value.as_str().expect("a string").to_owned() };
        rest = &rest[end + 1..];
    }
    out + rest
}

fn rendered() -> Value {
    let values: BTreeMap<&str, Value> = [
        ("region", json!("eu-west-1")),
        ("guard_function", json!("runaway-guard")),
        ("dead_letter_queue", json!("runaway-guard-dlq")),
        ("chain_dead_letter_queue", json!("runaway-guard-chain-dlq")),
        (
            "alarm_arns",
            json!(["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:runaway-guard-account-concurrency"]),
        ),
    ]
    .into();
    let mut expected: Vec<String> = values.keys().map(|k| (*k).to_owned()).collect();
    let mut passed = template_variables();
    expected.sort();
    passed.sort();
    assert_eq!(passed, expected, "dashboard.tf passes other variables than the test renders with");
    serde_json::from_str(&render(&values))
        .unwrap_or_else(|e| panic!("the rendered dashboard is not JSON: {e}"))
}

/// (namespace, metric) of every metric a widget names: `[ns, metric, dims..., {opts}]` rows and
/// `SELECT FN(metric) FROM SCHEMA("ns", ...)` Metrics Insights queries.
fn charted(dashboard: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for widget in dashboard["widgets"].as_array().unwrap() {
        for row in widget["properties"]["metrics"].as_array().into_iter().flatten() {
            let row = row.as_array().expect("a metric row is an array");
            match (row.first(), row.get(1)) {
                (Some(Value::String(ns)), Some(Value::String(metric))) => {
                    assert!(ns != "." && metric != ".", "write rows out in full: {row:?}");
                    out.push((ns.clone(), metric.clone()));
                }
                (Some(Value::Object(opts)), _) => {
                    out.push(insights_metric(opts["expression"].as_str().unwrap()))
                }
                _ => panic!("unreadable metric row {row:?}"),
            }
        }
    }
    out
}

fn insights_metric(query: &str) -> (String, String) {
    let between = |s: &str, open: &str, close: &str| -> String {
        let start = s.find(open).unwrap_or_else(|| panic!("{open} in {query}")) + open.len();
        s[start..].split(close).next().unwrap().trim().to_owned()
    };
    let metric = between(query.split(" FROM ").next().unwrap(), "(", ")");
    let namespace = between(query, "SCHEMA(\"", "\"");
    (namespace, metric)
}

#[test]
fn every_charted_metric_is_emitted_by_the_guard_or_published_by_aws() {
    let dashboard = rendered();
    let guard = guard_metrics();
    let charted = charted(&dashboard);
    assert!(charted.len() >= 10, "{charted:?}");
    for (namespace, metric) in &charted {
        let known = if namespace == runaway_guard::emf::NAMESPACE {
            guard.contains(metric)
        } else {
            AWS_METRICS.iter().any(|(ns, ms)| ns == namespace && ms.contains(&metric.as_str()))
        };
        assert!(known, "{namespace}/{metric} is neither emitted by the guard nor in the AWS list");
    }
    for metric in &guard {
        assert!(
            charted.iter().any(|(ns, m)| ns == runaway_guard::emf::NAMESPACE && m == metric),
            "the guard emits {metric} but the dashboard does not show it"
        );
    }
}

#[test]
fn widgets_fit_the_grid_and_each_metric_widget_names_its_region() {
    let dashboard = rendered();
    for widget in dashboard["widgets"].as_array().unwrap() {
        let (x, width) = (widget["x"].as_u64().unwrap(), widget["width"].as_u64().unwrap());
        assert!(x + width <= 24 && widget["height"].as_u64().unwrap() > 0, "{widget}");
        if widget["type"] == "metric" {
            assert_eq!(widget["properties"]["region"], "eu-west-1", "{widget}");
            assert!(widget["properties"]["title"].as_str().is_some_and(|t| !t.is_empty()), "{widget}");
        }
    }
    let alarm =
        dashboard["widgets"].as_array().unwrap().iter().find(|w| w["type"] == "alarm").expect("alarm widget");
    assert_eq!(alarm["properties"]["alarms"].as_array().map(Vec::len), Some(1));
}

#[test]
fn every_alarm_of_the_module_is_on_the_dashboard() {
    let dashboard_tf = fs::read_to_string(infra().join("dashboard.tf")).unwrap();
    let names: Vec<String> = ["alarms.tf", "health.tf"]
        .iter()
        .flat_map(|file| {
            let body = parse(&infra().join(file));
            blocks(&body, "resource")
                .filter(|b| label(b, 0) == "aws_cloudwatch_metric_alarm")
                .map(|b| format!("aws_cloudwatch_metric_alarm.{}", label(b, 1)))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(names.len() >= 3, "{names:?}");
    for name in names {
        assert!(dashboard_tf.contains(&name), "{name} is not in the dashboard's alarm widget");
    }
}
