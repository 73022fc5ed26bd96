//! No credentials and no raw event payloads in the guard's logs, output or alerts (issue 6 item 5).
//!
//! The binary runs against moto with canary credentials (moto accepts any) and events carrying a
//! canary in a field the guard has no business repeating, in CLI mode and in Lambda mode (JSON logs,
//! under cargo-lambda's Runtime API emulator), with the default log filter and with `RUST_LOG=trace`.
//! Every byte it wrote and every alert delivered is searched for the canaries.
//!
//! Controls, so the searches can fail: a recording listener shows the session-token canary does leave
//! the process (as the `X-Amz-Security-Token` header: the SDK had it in hand while tracing); a
//! function named after a canary shows the search finds what the guard does print; and the trace runs
//! must actually be verbose. Run through `scripts/test.sh` (moto, cargo-lambda).
#![cfg(feature = "guard")]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use crate::common::Moto;
use crate::common::guard::{Cli, Run, report};
use crate::common::lambda::Lambda;
use serde_json::{Value, json};

const SECRET: &str = "cnrySecretKey7Qe2Vb9Lx";
const TOKEN: &str = "cnrySessionTok4Hw8Zr1Pd";
const PAYLOAD: &str = "cnryPayload3Mk6Ts0Ny";
const CANARIES: [&str; 3] = [SECRET, TOKEN, PAYLOAD];

/// The log filters every scenario runs under: the default (unset) and the most verbose.
const FILTERS: [Option<&str>; 2] = [None, Some("trace")];

const ROOT: &str = "1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d";

fn canary_credentials(cli: Cli, filter: Option<&str>) -> Cli {
    let cli = cli.env("AWS_SECRET_ACCESS_KEY", SECRET).env("AWS_SESSION_TOKEN", TOKEN);
    match filter {
        Some(filter) => cli.env("RUST_LOG", filter),
        None => cli.env_remove("RUST_LOG"),
    }
}

/// A chain report that trips `function`, carrying the payload canary where no report should look.
fn tripping_event(function: &str) -> Value {
    let mut event = report(function, 17, ROOT);
    let customer = json!({ "email": format!("{PAYLOAD}@example.com"), "card": PAYLOAD });
    event["Records"][0]["body"] = json!(customer.to_string());
    event
}

/// What each scenario feeds the guard: a trip, a malformed event, a valid-JSON event of no known
/// shape, and a refused chain header; each carries the payload canary in an unrelated field.
fn scenarios(function: &str) -> Vec<(&'static str, Vec<u8>)> {
    let tripping = tripping_event(function).to_string();
    let truncated = tripping[..tripping.len() - 20].to_owned();
    let unknown = json!({ "hello": PAYLOAD, "nested": { "k": [PAYLOAD] } }).to_string();
    let mut refused = tripping_event(function);
    let attribute = &mut refused["Records"][0]["messageAttributes"]["runaway-guard-chain"]["stringValue"];
    *attribute = json!(format!("root={ROOT};depth=-1;function={function}"));
    vec![
        ("trip", tripping.into_bytes()),
        ("truncated", truncated.into_bytes()),
        ("unknown shape", unknown.into_bytes()),
        ("refused header", refused.to_string().into_bytes()),
    ]
}

fn assert_clean(what: &str, text: &str) {
    for canary in CANARIES {
        assert!(!text.contains(canary), "{what} leaks canary {canary}:\n{text}");
    }
}

async fn assert_alerts_clean(moto: &Moto, queue: &str, expected: usize) {
    let alerts = moto.delivered(queue).await;
    assert_eq!(alerts.len(), expected, "{alerts:#?}");
    for alert in &alerts {
        assert_clean("an SNS alert", &alert.to_string());
    }
}

fn assert_verbose_if_traced(filter: Option<&str>, run: &Run) {
    if filter.is_some() {
        // Without this the trace runs could pass by logging nothing at all (the SDK crates are capped
        // at debug, so their debug lines are what a trace run adds).
        let verbose = run.stderr.lines().filter(|l| l.contains("DEBUG") || l.contains("TRACE")).count();
        assert!(verbose > 10, "{}", run.stderr);
    }
}

#[tokio::test]
async fn the_cli_never_logs_credentials_or_payloads_even_at_trace() {
    let moto = Moto::start().await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    for (n, filter) in FILTERS.into_iter().enumerate() {
        let function = format!("orders-worker-{n}");
        moto.create_function(&function).await;
        for (name, event) in scenarios(&function) {
            let run = canary_credentials(Cli::new(Some(&topic), &["handle", "-"]), filter).stdin(event).run();
            let expected_code = if name == "trip" { 0 } else { 2 };
            assert_eq!(run.code, expected_code, "{name} ({filter:?}): {run:?}");
            assert_clean(&format!("{name} ({filter:?}) stdout"), &run.stdout);
            assert_clean(&format!("{name} ({filter:?}) stderr"), &run.stderr);
            if name == "trip" {
                // The refusals happen before any AWS call, so only the trip is verbose.
                assert_verbose_if_traced(filter, &run);
            }
        }
        assert_eq!(moto.reserved(&function).await, Some(0), "the trip really happened");
        assert_alerts_clean(&moto, &queue, 1).await;
    }
}

#[tokio::test]
async fn lambda_mode_json_logs_never_carry_credentials_or_payloads() {
    let moto = Moto::start().await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    for (n, filter) in FILTERS.into_iter().enumerate() {
        let function = format!("orders-worker-{n}");
        moto.create_function(&function).await;
        let log = tempfile::NamedTempFile::new().expect("log file");
        let mut env = vec![("AWS_SECRET_ACCESS_KEY", SECRET), ("AWS_SESSION_TOKEN", TOKEN)];
        // No RUST_LOG at all for the default filter (`start_with` never inherits one).
        env.extend(filter.map(|f| ("RUST_LOG", f)));
        let lambda = Lambda::start_with(&topic, &env, Some(log.path()));
        for (name, event) in scenarios(&function) {
            let (_, answer) = lambda.invoke_raw(&event);
            assert_clean(&format!("Lambda answer to {name} ({filter:?})"), &answer);
        }
        drop(lambda);
        let logs = std::fs::read_to_string(log.path()).expect("read logs");
        assert!(logs.contains("\"level\":\"INFO\""), "JSON logs were captured: {logs}");
        if filter.is_some() {
            let verbose =
                logs.matches("\"level\":\"DEBUG\"").count() + logs.matches("\"level\":\"TRACE\"").count();
            assert!(verbose > 10, "{logs}");
        }
        assert_clean(&format!("Lambda-mode logs ({filter:?})"), &logs);
        assert_eq!(moto.reserved(&function).await, Some(0), "the trip really happened");
        assert_alerts_clean(&moto, &queue, 1).await;
    }
}

/// Positive control: the canaries do reach the process and are within reach of its logs.
#[tokio::test]
async fn controls_the_token_goes_on_the_wire_and_a_printed_canary_is_found() {
    let moto = Moto::start().await;
    let (topic, _queue) = moto.topic_with_queue("guard").await;

    // The guard talks to a listener that records requests and refuses them.
    let (endpoint, requests) = recording_listener();
    let run = canary_credentials(Cli::new(Some(&topic), &["status", "--json"]), Some("trace"))
        .env("AWS_ENDPOINT_URL", &endpoint)
        .run();
    assert_ne!(run.code, 0, "the listener refuses every call: {run:?}");
    let wire = requests.lock().expect("requests").join("\n");
    assert!(
        wire.to_ascii_lowercase().contains(&format!("x-amz-security-token: {}", TOKEN.to_ascii_lowercase())),
        "the session-token canary reached the SDK and the wire: {wire}"
    );
    assert_clean("stderr of the run whose requests carried the token", &run.stderr);
    assert_verbose_if_traced(Some("trace"), &run);

    // A function named after the payload canary is printed, as it should be: the search sees output.
    let named = format!("fn-{PAYLOAD}");
    moto.create_function(&named).await;
    let run = canary_credentials(Cli::new(Some(&topic), &["handle", "-"]), None)
        .stdin(report(&named, 17, ROOT).to_string())
        .run();
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains(PAYLOAD), "{run:?}");
}

/// A loopback HTTP listener that records each request head and answers 403 AccessDenied.
fn recording_listener() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("address"));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&requests);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            seen.lock().expect("requests").push(String::from_utf8_lossy(&head).into_owned());
            let body = r#"{"Type":"User","message":"denied"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n\
                 x-amzn-ErrorType: AccessDeniedException\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (endpoint, requests)
}
