//! Static checks of the Terraform module in `infra/` (the AWS provider cannot be downloaded here, so
//! `terraform validate` is unavailable and these tests stand in for it): every `.tf` parses as HCL and
//! matches the AWS provider's schema (tests/infra/schema.rs), variables are typed and described, outputs described, single resources named `this`, and the IAM
//! actions granted to the guard are exactly the AWS operations the adapters in `src/aws/` call; the
//! dashboard's metrics are ones the guard or AWS publishes (`infra/dashboard.rs`).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use hcl::{Block, Body, Expression};

#[cfg(feature = "guard")]
mod dashboard;
mod scan;

mod schema;

mod alarms;

mod iam;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn infra() -> PathBuf {
    root().join("infra")
}

/// Every `.tf` file under `dir`, recursively, skipping `.terraform` caches.
fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() && !name.starts_with('.') {
                pending.push(path);
            } else if name.ends_with(".tf") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn parse(path: &Path) -> Body {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    hcl::parse(&text).unwrap_or_else(|e| panic!("{} does not parse as HCL: {e}", path.display()))
}

/// The root module's files (not the examples).
fn module_bodies() -> Vec<(PathBuf, Body)> {
    tf_files(&infra())
        .into_iter()
        .filter(|p| p.parent() == Some(infra().as_path()))
        .map(|p| {
            let body = parse(&p);
            (p, body)
        })
        .collect()
}

fn blocks<'a>(body: &'a Body, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
    body.blocks().filter(move |b| b.identifier() == ident)
}

fn label(block: &Block, index: usize) -> &str {
    block.labels().get(index).map_or("", |l| l.as_str())
}

fn attr<'a>(body: &'a Body, key: &str) -> Option<&'a Expression> {
    body.attributes().find(|a| a.key() == key).map(|a| a.expr())
}

fn is_nonempty_text(expr: Option<&Expression>) -> bool {
    match expr {
        Some(Expression::String(s)) => !s.trim().is_empty(),
        Some(Expression::TemplateExpr(_)) => true,
        _ => false,
    }
}

fn string_list(expr: Option<&Expression>) -> Vec<String> {
    match expr {
        Some(Expression::Array(items)) => items
            .iter()
            .map(|i| match i {
                Expression::String(s) => s.clone(),
                other => panic!("expected a string literal in an IAM list, found {other}"),
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn every_tf_file_parses() {
    let files = tf_files(&infra());
    for path in &files {
        parse(path);
    }
    for expected in ["versions.tf", "variables.tf", "outputs.tf", "main.tf", "iam.tf", "events.tf"] {
        assert!(infra().join(expected).is_file(), "infra/{expected} is missing");
    }
    for example in ["basic", "multi-region", "young-account"] {
        let dir = infra().join("examples").join(example);
        assert!(!tf_files(&dir).is_empty(), "examples/{example} has no .tf files");
    }
}

#[test]
fn every_variable_has_type_and_description() {
    let mut bad = Vec::new();
    for path in tf_files(&infra()) {
        for var in blocks(&parse(&path), "variable") {
            let ok = attr(var.body(), "type").is_some() && is_nonempty_text(attr(var.body(), "description"));
            if !ok {
                bad.push(format!("{}: variable {:?}", path.display(), label(var, 0)));
            }
        }
    }
    assert!(bad.is_empty(), "variables without type or description:\n{}", bad.join("\n"));
}

#[test]
fn every_output_has_description() {
    let mut bad = Vec::new();
    for path in tf_files(&infra()) {
        for out in blocks(&parse(&path), "output") {
            if !is_nonempty_text(attr(out.body(), "description")) {
                bad.push(format!("{}: output {:?}", path.display(), label(out, 0)));
            }
        }
    }
    assert!(bad.is_empty(), "outputs without description:\n{}", bad.join("\n"));
}

#[test]
fn single_resources_are_named_this() {
    let mut names: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (_, body) in module_bodies() {
        for res in blocks(&body, "resource") {
            names.entry(label(res, 0).to_owned()).or_default().push(label(res, 1).to_owned());
        }
    }
    assert!(names.contains_key("aws_lambda_function"), "no resources found in infra/");
    let bad: Vec<String> = names
        .iter()
        .filter(|(_, n)| n.len() == 1 && n[0] != "this")
        .map(|(t, n)| format!("{t}.{}", n[0]))
        .collect();
    assert!(bad.is_empty(), "the only resource of its type must be named `this`: {bad:?}");
}

#[test]
fn environment_names_are_ones_the_guard_reads() {
    let main = fs::read_to_string(infra().join("main.tf")).unwrap();
    let config = fs::read_to_string(root().join("src/config.rs")).unwrap();
    let names: BTreeSet<&str> = main
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("RUNAWAY_GUARD_"))
        .collect();
    assert!(names.contains("RUNAWAY_GUARD_TOPIC_ARN"), "main.tf sets no topic: {names:?}");
    let unknown: Vec<_> = names.iter().filter(|n| !config.contains(**n)).collect();
    assert!(unknown.is_empty(), "main.tf sets variables src/config.rs never names: {unknown:?}");
}

#[test]
fn each_example_enables_the_billing_alarm_at_most_once() {
    for example in ["basic", "multi-region", "young-account"] {
        let mut enabled = 0;
        for path in tf_files(&infra().join("examples").join(example)) {
            for module in blocks(&parse(&path), "module") {
                let source = attr(module.body(), "source").map(|e| e.to_string());
                assert_eq!(source.as_deref(), Some("\"../../\""), "{}", path.display());
                let providers = attr(module.body(), "providers").map(|e| e.to_string()).unwrap_or_default();
                assert!(providers.contains("aws.us_east_1"), "{}: pass aws.us_east_1", path.display());
                if matches!(attr(module.body(), "enable_billing_alarm"), Some(Expression::Bool(true))) {
                    enabled += 1;
                }
            }
        }
        assert!(enabled <= 1, "examples/{example} enables the account-wide billing alarm {enabled} times");
    }
}

#[test]
fn the_operator_guide_lists_every_action_the_cli_alone_calls() {
    let calls = scan::adapter_calls(&root().join("src/aws")).unwrap_or_else(|e| panic!("{e}")).cli_alone();
    assert!(!calls.is_empty(), "no SDK calls found in {:?}: the scanner no longer matches", scan::CLI_ONLY);
    let guide = fs::read_to_string(root().join("docs/operate.md")).unwrap();
    for action in calls {
        assert!(
            guide.contains(&format!("`{action}`")),
            "docs/operate.md does not name `{action}` for operators"
        );
    }
}

// ---------------------------------------------------------------------------------------------------
// Provider schema (stands in for `terraform validate`)
// ---------------------------------------------------------------------------------------------------

/// The AWS provider schema, extracted once per test binary (and once per machine: the script caches it).
fn provider_schema() -> &'static schema::Schema {
    static SCHEMA: std::sync::OnceLock<schema::Schema> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| schema::Schema::load(&root()).unwrap_or_else(|e| panic!("{e}")))
}

fn schema_problems(dir: &Path) -> Vec<String> {
    let files = tf_files(dir);
    assert!(!files.is_empty(), "no .tf files under {}", dir.display());
    files.iter().flat_map(|path| schema::check_file(provider_schema(), path, &parse(path))).collect()
}

#[test]
fn provider_schema_is_the_pinned_wheel() {
    let schema = provider_schema();
    assert_eq!((schema.wheel.as_str(), schema.provider.as_str()), ("21.22.1", "6.25.0"));
}

#[test]
fn every_tf_file_matches_the_provider_schema() {
    let problems = schema_problems(&infra());
    assert!(problems.is_empty(), "infra/ does not match the AWS provider schema:\n{}", problems.join("\n"));
}

#[test]
fn schema_check_understands_meta_arguments_and_dynamic_blocks() {
    let problems = schema_problems(&root().join("tests/infra/schema-valid"));
    assert!(problems.is_empty(), "a valid fixture was rejected:\n{}", problems.join("\n"));
}

#[test]
fn schema_check_rejects_the_broken_fixture() {
    let problems = schema_problems(&root().join("tests/infra/schema-broken"));
    let expected = [
        "aws_cloudwatch_metric_alarm.typos: unknown argument \"treat_missing_datum\"",
        "aws_cloudwatch_metric_alarm.typos.metric_query: unknown argument \"expresion\"",
        "aws_cloudwatch_metric_alarm.typos: unknown block \"metric_queries\"",
        "aws_cloudwatch_metric_alarm.typos: \"tags\" is an argument, not a block",
        "aws_sqs_queue_policy.missing: missing required argument \"policy\"",
        "data.aws_iam_policy_document.nested.statement.principals: missing required argument \"identifiers\"",
        "unknown resource type \"aws_lambda_functions\"",
        "unknown data source type \"aws_regions_current\"",
        "aws_sns_topic.dynamic: unknown block \"subscription\"",
        "module guard: ../../../infra has no input \"nmae\"",
    ];
    for want in expected {
        assert!(
            problems.iter().any(|p| p.contains(want)),
            "not reported: {want}\nreported:\n{}",
            problems.join("\n")
        );
    }
    assert_eq!(problems.len(), expected.len(), "unexpected problems:\n{}", problems.join("\n"));
}
