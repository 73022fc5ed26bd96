//! `runaway-guard audit --plan` through the real binary on the zoo of Terraform plans in
//! tests/fixtures/audit/ (each loop and each non-loop with its reason), the output formats, the exit
//! codes, and the module's own wiring (tests/audit_module.rs).
#![cfg(feature = "audit")]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn binary() -> String {
    std::env::var("RUNAWAY_GUARD_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_runaway-guard").to_owned())
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audit").join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(binary())
        .arg("audit")
        .args(args)
        .env_remove("AWS_PROFILE")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9") // Nothing listens: a plan audit must not call AWS.
        .output()
        .expect("the binary runs")
}

/// The JSON report and exit code of auditing one zoo plan.
fn audit(name: &str) -> (i32, Value) {
    let path = fixture(name);
    let out = run(&["--plan", path.to_str().expect("utf-8 path"), "--json"]);
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name}: not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().expect("exit code"), report)
}

fn cycles(report: &Value) -> &Vec<Value> {
    report["cycles"].as_array().expect("cycles array")
}

fn functions(cycle: &Value) -> Vec<&str> {
    let mut names: Vec<&str> =
        cycle["functions"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    names.sort_unstable();
    names
}

/// The only loop of `report`, checked to run through exactly `names`.
fn only_cycle<'a>(report: &'a Value, names: &[&str]) -> &'a Value {
    let all = cycles(report);
    assert_eq!(all.len(), 1, "expected one loop, got {all:#?}");
    assert_eq!(functions(&all[0]), names);
    &all[0]
}

fn path_reasons(cycle: &Value) -> String {
    cycle["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_eventbridge_self_loop_of_the_4000_dollar_incident() {
    let (code, report) = audit("eventbridge-self-loop.json");
    let cycle = only_cycle(&report, &["enricher"]);
    assert_eq!(cycle["match"], "may");
    let reasons = path_reasons(cycle);
    assert!(reasons.contains("rule orders on EventBridge default with pattern"), "{reasons}");
    assert!(
        reasons.contains(
            "enricher may events:PutEvents on EventBridge default: statement PutOrderEvents of put-events"
        ),
        "{reasons}"
    );
    assert_eq!(cycle["aws_loop_detection"]["stops_it"], "no");
    assert!(cycle["aws_loop_detection"]["reason"].as_str().unwrap().contains("EventBridge"));
    // 1,000 environments of 1 GB for an hour, 3.6 M requests and 3.6 M PutEvents.
    let cost = cycle["cost_per_hour_usd"].as_f64().unwrap();
    assert!((cost - 64.32).abs() < 0.01, "{cost}");
    let first_fix = cycle["fixes"][0]["action"].as_str().unwrap();
    assert!(first_fix.contains("put-function-concurrency --function-name enricher"), "{first_fix}");
    assert_eq!(code, 3);
}

#[test]
fn a_bus_ping_pong_between_two_functions() {
    let (code, report) = audit("bus-ping-pong.json");
    let pair = cycles(&report).iter().find(|c| functions(c) == ["ping", "pong"]).expect("the ping-pong loop");
    assert_eq!(pair["match"], "may");
    assert!(path_reasons(pair).contains("statement PutGame of arn:aws:iam::111122223333:policy/put-game"));
    assert_eq!(code, 3);
}

#[test]
fn a_thumbnailer_writing_into_its_own_prefix_loops() {
    let (code, report) = audit("s3-thumbnailer-own-prefix.json");
    let cycle = only_cycle(&report, &["thumbnailer"]);
    assert_eq!(cycle["match"], "may");
    assert!(
        path_reasons(cycle)
            .contains("S3 photos notifies Lambda thumbnailer on s3:ObjectCreated:* for keys uploads/*.jpg")
    );
    assert_eq!(cycle["aws_loop_detection"]["stops_it"], "yes");
    assert_eq!(code, 3);
}

#[test]
fn a_thumbnailer_writing_into_a_disjoint_prefix_cannot_loop() {
    let (code, report) = audit("s3-thumbnailer-disjoint-prefix.json");
    let cycle = only_cycle(&report, &["thumbnailer"]);
    assert_eq!(cycle["match"], "cannot");
    assert_eq!(
        cycle["reason"],
        "thumbnailer may write only arn:aws:s3:::photos/thumbs/* in S3 photos, disjoint from the notification's keys uploads/*.jpg"
    );
    assert_eq!(code, 0);
}

#[test]
fn a_dynamodb_stream_write_back() {
    let (code, report) = audit("dynamodb-write-back.json");
    let cycle = only_cycle(&report, &["stamper"]);
    assert_eq!(cycle["match"], "may");
    assert!(
        path_reasons(cycle)
            .contains("stamper may dynamodb:UpdateItem on DynamoDB orders: statement StampOrders")
    );
    assert_eq!(cycle["aws_loop_detection"]["stops_it"], "no");
    assert!(cycle["aws_loop_detection"]["reason"].as_str().unwrap().contains("DynamoDB"));
    // Parallelization factor 2 per shard: small, but it never stops.
    assert!(cycle["cost_per_hour_usd"].as_f64().unwrap() < 1.0);
    assert_eq!(code, 0, "below the default --fail-above of 1 USD/hour");
}

#[test]
fn an_sqs_re_enqueue_capped_by_its_mapping() {
    let (code, report) = audit("sqs-reenqueue.json");
    let cycle = only_cycle(&report, &["worker"]);
    assert_eq!(cycle["match"], "may");
    assert!(path_reasons(cycle).contains("worker may sqs:SendMessage on SQS jobs: statement Requeue"));
    // 50 environments of 512 MB, 180,000 invocations and as many SendMessage calls.
    assert_eq!(cycle["cost_per_hour_usd"].as_f64().unwrap(), 1.61);
    assert_eq!(cycle["aws_loop_detection"]["stops_it"], "yes");
    assert_eq!(code, 3);
    let (relaxed, _) = {
        let path = fixture("sqs-reenqueue.json");
        let out = run(&["--plan", path.to_str().unwrap(), "--json", "--fail-above", "2"]);
        (out.status.code(), ())
    };
    assert_eq!(relaxed, Some(0));
}

#[test]
fn an_sns_ping_pong() {
    let (_, report) = audit("sns-ping-pong.json");
    let cycle = only_cycle(&report, &["alpha", "beta"]);
    assert_eq!(cycle["match"], "may");
    let reasons = path_reasons(cycle);
    assert!(reasons.contains("SNS a subscription delivers to Lambda alpha"), "{reasons}");
    assert!(reasons.contains("alpha may sns:Publish on SNS b: statement PublishB"), "{reasons}");
}

#[test]
fn a_rule_pinned_to_aws_s3_cannot_match_put_events() {
    let (code, report) = audit("rule-pinned-aws-s3.json");
    let cycle = only_cycle(&report, &["indexer"]);
    assert_eq!(cycle["match"], "cannot");
    assert_eq!(
        cycle["reason"],
        "rule object-created matches only source aws.s3, which PutEvents cannot send (sources starting with aws. \
         are reserved for AWS services)"
    );
    assert_eq!(code, 0);
}

#[test]
fn an_explicit_deny_rules_the_loop_out() {
    let (code, report) = audit("explicit-deny.json");
    assert!(cycles(&report).is_empty(), "{report:#}");
    let ruled = &report["ruled_out"][0];
    assert_eq!(ruled["functions"][0], "fanout");
    let reason = ruled["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("explicit Deny of sqs:SendMessage in statement NeverBackIntoTasks of sqs"),
        "{reason}"
    );
    assert_eq!(code, 0);
}

#[test]
fn a_wildcard_s3_policy_loops() {
    let (code, report) = audit("wildcard-s3.json");
    let cycle = only_cycle(&report, &["sorter"]);
    assert_eq!(cycle["match"], "may");
    assert!(path_reasons(cycle).contains(
        "sorter may s3:PutObject on S3 inbox: statement S3Everything of s3-everything (Resource *)"
    ));
    let fixes: Vec<&str> =
        cycle["fixes"].as_array().unwrap().iter().map(|f| f["action"].as_str().unwrap()).collect();
    assert!(fixes.iter().any(|f| f.contains("narrow the Resource of statement S3Everything")), "{fixes:?}");
    assert_eq!(code, 3);
}

#[test]
fn a_write_to_another_accounts_bus_leaves_the_account() {
    let (code, report) = audit("cross-account-bus.json");
    assert!(cycles(&report).is_empty(), "{report:#}");
    let leaving = &report["leaves_account"][0];
    assert_eq!(leaving["to"], "arn:aws:events:us-east-1:999999999999:event-bus/central");
    assert!(
        leaving["reason"]
            .as_str()
            .unwrap()
            .contains("in account 999999999999 (statement ToCentral of central)")
    );
    assert_eq!(code, 0);
}

#[test]
fn table_and_dot_outputs() {
    let path = fixture("eventbridge-self-loop.json");
    let table = run(&["--plan", path.to_str().unwrap()]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("USD/HOUR")
            && text.contains("64.32  may     no         EventBridge default → Lambda enricher"),
        "{text}"
    );
    let dot = run(&["--plan", path.to_str().unwrap(), "--dot"]);
    let text = String::from_utf8(dot.stdout).unwrap();
    assert!(text.starts_with("digraph audit {") && text.contains("[label=\"Lambda enricher\"]"), "{text}");
    assert_eq!(dot.status.code(), Some(3));
}

#[test]
fn bad_input_exits_2_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let not_json = dir.path().join("plan.json");
    std::fs::write(&not_json, "not json").unwrap();
    let out = run(&["--plan", not_json.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the plan is not JSON"));
    std::fs::write(&not_json, r#"{"resources": []}"#).unwrap();
    let out = run(&["--plan", not_json.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("terraform show -json"));
    let missing = run(&["--plan", dir.path().join("absent.json").to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2));
    let negative = run(&["--plan", not_json.to_str().unwrap(), "--fail-above", "-1"]);
    assert_eq!(negative.status.code(), Some(2));
}
