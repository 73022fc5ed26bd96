//! Adversarial events through the real binary (`runaway-guard handle FILE`) against moto: each case
//! in `tests/adversarial/cases.json` must end with its exit code and error text, and every
//! function's reserved concurrency and tags must be exactly as before (nothing mutated).
//! `ADVERSARIAL_WRITE_DOC=1` regenerates `docs/adversarial.md` from the observed results.
#![cfg(feature = "guard")]

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::Command;

use crate::common::{FunctionSpec, Moto};
use serde::Deserialize;

const SESSION_CANARY: &str = "FQoGZXIvYXdzEXAMPLEsessionTOKENcanary";
const FUNCTIONS: [&str; 4] = ["victim", "payments", "runaway-guard", "exempt-fn"];

#[derive(Deserialize)]
struct Case {
    name: String,
    description: String,
    exit: i32,
    contains: String,
    file: Option<String>,
    generate: Option<String>,
}

type Snapshot = BTreeMap<&'static str, (Option<i32>, HashMap<String, String>)>;

async fn snapshot(moto: &Moto) -> Snapshot {
    let mut all = BTreeMap::new();
    for name in FUNCTIONS {
        all.insert(name, (moto.reserved(name).await, moto.tags(name).await));
    }
    all
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/adversarial")
}

/// The time the case files were written with.
const CASE_TIME: &str = "2026-11-20T09:21:07Z";

fn event_file(case: &Case, scratch: &tempfile::TempDir) -> PathBuf {
    match (&case.file, case.generate.as_deref()) {
        // Chain evidence older than the chain TTL is evidence of nothing: each case is sent now.
        (Some(file), _) => {
            let text = std::fs::read_to_string(dir().join(file)).expect("case file");
            let now = runaway_guard::time::Timestamp::now().to_rfc3339();
            let path = scratch.path().join(file);
            std::fs::write(&path, text.replace(CASE_TIME, &now)).expect("write case");
            path
        }
        (None, Some("oversize")) => {
            let path = scratch.path().join("oversize.json");
            let body = format!("{{\"pad\":\"{}\"}}", "x".repeat(7 * 1024 * 1024));
            std::fs::write(&path, body).expect("write oversize event");
            path
        }
        _ => panic!("case {} has neither file nor known generator", case.name),
    }
}

/// Runs the binary with only the test's AWS settings and the guard's own name.
fn handle(path: &PathBuf) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_runaway-guard"));
    command.arg("handle").arg(path).env("AWS_LAMBDA_FUNCTION_NAME", "runaway-guard");
    // A session token the SDK signs with: it must never appear in any output.
    command.env("AWS_SESSION_TOKEN", SESSION_CANARY);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("RUNAWAY_GUARD_")) {
        command.env_remove(key);
    }
    let output = command.output().expect("run runaway-guard");
    let text =
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.code().unwrap_or(-1), text)
}

/// Credential values in the environment the binary inherits (moto's dummies are still secrets here).
fn secrets() -> Vec<String> {
    ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .filter(|v| v.len() >= 4)
        .chain([SESSION_CANARY.to_owned()])
        .collect()
}

/// The error line (or report's first rejection/outcome) shortened for the table.
fn summary(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.starts_with("error:") || l.contains("\"error\"") || l.contains("\"outcome\""))
        .unwrap_or("")
        .trim();
    let short: String = line.chars().take(110).collect();
    short.replace('|', "\\|").replace('`', "'")
}

#[tokio::test(flavor = "multi_thread")]
async fn adversarial_events_are_refused_and_mutate_nothing() {
    let moto = Moto::start().await;
    moto.create_function("victim").await;
    moto.create_function("runaway-guard").await;
    let exempt = FunctionSpec { tags: &[("runaway-guard:exempt", "true")], ..FunctionSpec::default() };
    moto.create_function_with("exempt-fn", exempt).await;
    moto.create_function("payments").await;
    let lambda = moto.lambda();
    lambda
        .put_function_concurrency()
        .function_name("payments")
        .reserved_concurrent_executions(7)
        .send()
        .await
        .expect("put");

    let cases: Vec<Case> =
        serde_json::from_slice(&std::fs::read(dir().join("cases.json")).expect("cases.json"))
            .expect("manifest");
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for case in &cases {
        let before = snapshot(&moto).await;
        let (code, text) = handle(&event_file(case, &scratch));
        let after = snapshot(&moto).await;
        if code != case.exit || !text.to_lowercase().contains(&case.contains.to_lowercase()) {
            failures.push(format!(
                "{}: exit {code}, expected {} and {:?} in:\n{text}",
                case.name, case.exit, case.contains
            ));
        }
        assert_eq!(before, after, "{}: functions were mutated", case.name);
        assert!(text.len() < 20_000, "{}: output of {} bytes echoes the payload", case.name, text.len());
        for secret in secrets() {
            assert!(!text.contains(&secret), "{}: output contains a credential", case.name);
        }
        rows.push(format!(
            "| {} | {} | {} | {} | unchanged |",
            case.name,
            case.description.replace('|', "\\|"),
            code,
            summary(&text)
        ));
    }
    assert!(failures.is_empty(), "{} cases failed:\n{}", failures.len(), failures.join("\n"));
    if std::env::var_os("ADVERSARIAL_WRITE_DOC").is_some() {
        let doc = format!(
            "# Adversarial events\n\nGenerated by `ADVERSARIAL_WRITE_DOC=1 scripts/test.sh --test integration adversarial::` from \
             `tests/adversarial/cases.json` ({} cases). Each event went through `runaway-guard handle FILE` \
             against moto holding four functions (`victim`, `payments` with reserved concurrency 7, \
             `runaway-guard` = the guard itself, `exempt-fn` tagged exempt); \"state\" compares every \
             function's reserved concurrency and tags before and after.\n\n\
             | case | event | exit | what the guard said | state |\n|---|---|---|---|---|\n{}\n",
            rows.len(),
            rows.join("\n")
        );
        std::fs::write(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/adversarial.md"), doc)
            .expect("write doc");
    }
}
