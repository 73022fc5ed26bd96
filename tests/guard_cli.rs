//! The operator CLI against moto through the real binary: malformed and hostile input changes
//! nothing and exits 2; `status` lists exactly the tripped functions; `trip` is the manual kill
//! switch; `reenable` refuses an untripped function unless `--force`.
//! Run through `scripts/test.sh` (it starts moto).
#![cfg(feature = "guard")]

use crate::common::Moto;
use crate::common::guard::{Cli, chain_event, fixture, handle, reports, sqs_batch};
use runaway_guard::ports::tags;
use serde_json::{Value, json};

const ROOT: &str = "1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d";

/// A chain event with `runawayGuard` replaced wholesale.
fn with_header(header: Value) -> Value {
    let mut event = chain_event("orders-worker", 17, ROOT);
    event["detail"]["runawayGuard"] = header;
    event
}

fn header(function: Value, depth: Value) -> Value {
    with_header(json!({ "root": ROOT, "depth": depth, "function": function }))
}

/// Every shape of bad input the handler must refuse without touching AWS.
fn hostile_events() -> Vec<(&'static str, Vec<u8>)> {
    let mut events: Vec<(&'static str, Vec<u8>)> = vec![
        ("empty input", Vec::new()),
        ("not JSON", b"rm -rf /".to_vec()),
        ("JSON null", b"null".to_vec()),
        ("JSON array", b"[1, 2, 3]".to_vec()),
        ("unknown object", br#"{"hello": "world"}"#.to_vec()),
        ("truncated fixture", std::fs::read(fixture("truncated-chain-event.json")).expect("fixture")),
        ("SQS batch of bad records", std::fs::read(fixture("sqs-all-bad.json")).expect("fixture")),
    ];
    let bad_headers = [
        ("depth as a string", header(json!("orders-worker"), json!("17"))),
        ("depth as a float", header(json!("orders-worker"), json!(17.5))),
        ("depth 0", header(json!("orders-worker"), json!(0))),
        ("depth -1", header(json!("orders-worker"), json!(-1))),
        ("depth over the maximum", header(json!("orders-worker"), json!(1_000_001))),
        ("depth beyond u32", header(json!("orders-worker"), json!(4_294_967_313_u64))),
        ("depth beyond u64", with_header(json!({"root": ROOT, "function": "orders-worker", "depth": 1e300}))),
        ("function as a number", header(json!(42), json!(17))),
        ("function with ;", header(json!("orders-worker;rm -rf /"), json!(17))),
        ("function with $()", header(json!("$(curl http://127.0.0.1:1/x)"), json!(17))),
        ("function with backticks", header(json!("`id`"), json!(17))),
        ("function as a URL", header(json!("http://169.254.169.254/latest/meta-data/"), json!(17))),
        ("function as a path", header(json!("../../orders-worker"), json!(17))),
        ("function too long", header(json!("a".repeat(200)), json!(17))),
        ("missing root", with_header(json!({"depth": 17, "function": "orders-worker"}))),
        ("header as a string", with_header(json!("root=x;depth=17;function=orders-worker"))),
    ];
    for (what, event) in bad_headers {
        events.push((what, event.to_string().into_bytes()));
        let batch = sqs_batch(&[event]);
        events.push((what, batch.to_string().into_bytes()));
    }
    events
}

#[tokio::test]
async fn malformed_and_hostile_events_change_nothing_and_exit_2() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 25).await;
    moto.create_function("thumbnailer").await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let before = moto.snapshot().await;

    for (what, bytes) in hostile_events() {
        let run = Cli::new(Some(&topic), &["handle", "-"]).stdin(bytes).run();
        assert_eq!(run.code, 2, "{what}: {run:?}");
        assert!(!run.stderr.is_empty(), "{what}: the refusal says why");
    }
    assert_eq!(moto.snapshot().await, before);
    assert!(moto.delivered(&queue).await.is_empty(), "no alert for refused input");
}

#[tokio::test]
async fn hostile_function_arguments_exit_2_without_any_call() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let before = moto.snapshot().await;

    for name in ["orders-worker;id", "$(id)", "http://169.254.169.254/", "", "a/../b"] {
        let trip = Cli::new(Some(&topic), &["trip", name, "--reason", "test"]).run();
        assert_eq!(trip.code, 2, "trip {name:?}: {trip:?}");
        let reenable = Cli::new(Some(&topic), &["reenable", name, "--force"]).run();
        assert_eq!(reenable.code, 2, "reenable {name:?}: {reenable:?}");
    }
    let missing_reason = Cli::new(Some(&topic), &["trip", "orders-worker"]).run();
    assert_eq!(missing_reason.code, 2, "{missing_reason:?}");
    assert_eq!(moto.snapshot().await, before);
    assert!(moto.delivered(&queue).await.is_empty());
}

#[tokio::test]
async fn status_lists_exactly_the_tripped_functions() {
    let moto = Moto::start().await;
    for name in ["alpha", "beta", "gamma", "delta"] {
        moto.create_function(name).await;
    }
    moto.reserve("beta", 7).await;
    let (topic, _queue) = moto.topic_with_queue("guard").await;

    let empty = Cli::new(Some(&topic), &["status", "--json"]).run();
    assert_eq!((empty.code, empty.json()), (0, json!([])), "{empty:?}");

    let batch = reports(&[("alpha", 17, "r1"), ("beta", 30, "r2")]);
    assert_eq!(handle(&topic, &batch).run().code, 0);
    // No guard is deployed here (every row's `guard` is null): the operator forces the trip.
    let trip = Cli::new(Some(&topic), &["trip", "gamma", "--reason", "runaway bill", "--force"]).run();
    assert_eq!(trip.code, 0, "{trip:?}");
    let reenable = Cli::new(Some(&topic), &["reenable", "alpha", "--force"]).run();
    assert_eq!(reenable.code, 0, "{reenable:?}");

    let run = Cli::new(Some(&topic), &["status", "--json"]).run();
    assert_eq!(run.code, 0, "{run:?}");
    let entries = run.json();
    let entries = entries.as_array().expect("array");
    let names: Vec<&str> = entries.iter().map(|e| e["function"].as_str().expect("name")).collect();
    assert_eq!(names, ["beta", "gamma"]);
    for entry in entries {
        let keys: Vec<&str> = entry.as_object().expect("object").keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 10, "{entry}");
        assert_eq!(entry["reserved_concurrency"], "0", "{entry}");
        assert!(entry["tripped_by"].is_object(), "{entry}");
        assert_eq!(entry["record_check"], "verified", "the guard's and the operator's records verify");
        for key in ["function", "tripped_at", "reason", "previous_concurrency", "account", "region"] {
            assert!(entry.get(key).is_some_and(Value::is_string), "{key} in {entry}");
        }
        assert_eq!(
            (entry["account"].as_str(), entry["region"].as_str()),
            (Some("123456789012"), Some("us-east-1"))
        );
        assert_eq!(entry["guard"], Value::Null, "{entry}");
        assert!(entry.get("alert_pending").is_none(), "shown only when the alert is unsent: {entry}");
    }
    assert_eq!(entries[0]["previous_concurrency"], "7");
    assert_eq!(entries[1]["previous_concurrency"], "none");
    assert!(entries[1]["reason"].as_str().expect("reason").contains("runaway bill"));

    let table = Cli::new(Some(&topic), &["status"]).run();
    assert_eq!(table.code, 0, "{table:?}");
    assert!(table.stdout.starts_with("Tripped functions in 123456789012/us-east-1"), "{}", table.stdout);
    let elsewhere = Cli::new(Some(&topic), &["status"]).env("AWS_REGION", "eu-west-1").run();
    assert!(
        elsewhere.stdout.contains("No functions are tripped by runaway-guard in 123456789012/eu-west-1"),
        "{elsewhere:?}"
    );
    assert!(table.stdout.contains("beta") && table.stdout.contains("gamma"), "{}", table.stdout);
    assert!(!table.stdout.contains("alpha") && !table.stdout.contains("delta"), "{}", table.stdout);
}

#[tokio::test]
async fn trip_is_a_manual_kill_switch_with_the_same_record_and_alert() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 12).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    moto.deploy_guard("runaway-guard", &topic, &[]).await;

    let dry =
        Cli::new(Some(&topic), &["trip", "orders-worker", "--reason", "looks wrong", "--dry-run", "--json"])
            .run();
    assert_eq!(dry.outcomes(), [("orders-worker".to_owned(), "would_throttle".to_owned())], "{dry:?}");
    assert_eq!(moto.reserved("orders-worker").await, Some(12));
    assert!(!moto.tags("orders-worker").await.contains_key(tags::TRIPPED_AT));

    let run = Cli::new(Some(&topic), &["trip", "orders-worker", "--reason", "runaway bill", "--json"]).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        (run.json()["account"].as_str(), run.json()["region"].as_str()),
        (Some("123456789012"), Some("us-east-1"))
    );
    let decision = &run.json()["decisions"][0];
    assert_eq!(
        (decision["outcome"].as_str(), decision["rule"].as_str()),
        (Some("throttled"), Some("manual"))
    );
    assert_eq!(moto.reserved("orders-worker").await, Some(0));
    let tags = moto.tags("orders-worker").await;
    assert_eq!(tags[tags::PREVIOUS_CONCURRENCY], "12");
    assert!(tags[tags::REASON].contains("runaway bill"), "{tags:?}");
    let alerts = moto.delivered(&queue).await;
    assert_eq!(alerts.len(), 2, "dry-run alert and the real one: {alerts:#?}");
    let subject = alerts[1]["Subject"].as_str().expect("subject");
    assert!(subject.starts_with("THROTTLED orders-worker") && subject.contains("runaway bill"), "{subject}");
}

#[tokio::test]
async fn reenable_refuses_an_untripped_function_unless_forced() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 0).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    moto.deploy_guard("runaway-guard", &topic, &[]).await;
    let before = moto.snapshot().await;

    let refused = Cli::new(Some(&topic), &["reenable", "orders-worker"]).run();
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("--force"), "says how to override: {}", refused.stderr);
    assert_eq!(moto.snapshot().await, before);
    assert!(moto.delivered(&queue).await.is_empty());

    let missing = Cli::new(Some(&topic), &["reenable", "no-such-function", "--force"]).run();
    assert_eq!(missing.code, 2, "a misspelt name is bad input: {missing:?}");
    assert_eq!(missing.stderr.matches("not found").count(), 1, "{}", missing.stderr);

    let forced = Cli::new(Some(&topic), &["reenable", "orders-worker", "--force", "--json"]).run();
    assert_eq!(forced.code, 0, "{forced:?}");
    assert_eq!(forced.json()["restored"], "none");
    assert_eq!(forced.json()["region"], "us-east-1");
    assert_eq!(moto.reserved("orders-worker").await, None, "a hand-set 0 is lifted");
    assert_eq!(moto.delivered(&queue).await.len(), 1, "the re-enable is alerted");
}

#[tokio::test]
async fn every_subcommands_errors_are_json_on_stdout_under_json_with_the_same_exit_code() {
    let _moto = Moto::start().await;
    let missing_plan = std::env::temp_dir().join("runaway-guard-no-such-plan.json");
    let missing_plan = missing_plan.to_str().expect("path");
    let cases: [(&[&str], Option<&str>, &str); 8] = [
        (&["status"], Some("AWS_REGION"), "bad_input"),
        (&["status"], Some("RUNAWAY_GUARD_MAX_DEPTH"), "config"),
        (&["trip", "orders-worker"], None, "usage"),
        (&["trip", "orders-worker;id", "--reason", "x"], None, "bad_input"),
        (&["reenable", "orders-worker", "--to", "lots"], None, "bad_input"),
        (&["handle", "-"], None, "bad_input"),
        (&["simulate", "--scenario", "no-such-scenario"], None, "bad_input"),
        (&["audit", "--plan", missing_plan], None, "bad_input"),
    ];
    for (args, variable, kind) in cases {
        let cli = |json: bool| {
            let args = if json { [args, ["--json"].as_slice()].concat() } else { args.to_vec() };
            let cli = Cli::new(None, &args).stdin("not JSON");
            match variable {
                Some("AWS_REGION") => cli.env_remove("AWS_REGION").env_remove("AWS_DEFAULT_REGION"),
                Some(name) => cli.env(name, "deep"),
                None => cli,
            }
        };
        let text = cli(false).run();
        assert_eq!((text.code, text.stdout.as_str()), (2, ""), "{args:?}: {text:?}");
        assert!(text.stderr.starts_with("error:"), "{args:?}: {text:?}");
        let json = cli(true).run();
        assert_eq!((json.code, json.stderr.as_str()), (2, ""), "{args:?} --json: {json:?}");
        let error = &json.json()["error"];
        assert_eq!((error["kind"].as_str(), error["exit_code"].as_u64()), (Some(kind), Some(2)), "{json:?}");
        let message = error["message"].as_str().expect("message");
        assert!(!message.is_empty() && !message.contains('\n'), "{json:?}");
    }
}
