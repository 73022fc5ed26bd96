//! Driving the real `runaway-guard` binary against moto, and the moto-side facts its tests compare:
//! a snapshot of every function's concurrency and tags, chain events, and CloudWatch datapoints.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_smithy_types::DateTime;
use serde_json::{Value, json};

use super::Moto;

/// The binary under test: `RUNAWAY_GUARD_BIN` when set (a release build, say), else the debug build
/// Cargo made for this test run.
pub fn binary() -> String {
    std::env::var("RUNAWAY_GUARD_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_runaway-guard").to_owned())
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Standard output as JSON; fails the test with both streams when it isn't.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }

    /// The report's decisions as `(function, outcome)` pairs, sorted.
    pub fn outcomes(&self) -> Vec<(String, String)> {
        let report = self.json();
        let mut out: Vec<(String, String)> = report["decisions"]
            .as_array()
            .expect("decisions array")
            .iter()
            .map(|d| (text(&d["function"]), text(&d["outcome"])))
            .collect();
        out.sort();
        out
    }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_else(|| panic!("expected a string, got {v}")).to_owned()
}

/// A command line for the binary with a clean guard environment: the moto variables from
/// `scripts/test.sh` are inherited, every `RUNAWAY_GUARD_*` / `AWS_LAMBDA_*` is set only by the test
/// (and `RUNAWAY_GUARD_RECORD_KEY_ARN`, to the key every test account has).
pub struct Cli {
    command: Command,
    stdin: Option<Vec<u8>>,
}

impl Cli {
    /// `runaway-guard ARGS...` alerting to `topic` (when given).
    pub fn new(topic: Option<&str>, args: &[&str]) -> Self {
        let mut command = Command::new(binary());
        command.args(args);
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy().into_owned();
            if key.starts_with("RUNAWAY_GUARD_") && key != "RUNAWAY_GUARD_BIN"
                || key.starts_with("AWS_LAMBDA_")
            {
                command.env_remove(key);
            }
        }
        if let Some(topic) = topic {
            command.env("RUNAWAY_GUARD_TOPIC_ARN", topic);
        }
        // As the module deploys it: records are signed (remove it to see an unsigned deployment).
        command.env("RUNAWAY_GUARD_RECORD_KEY_ARN", super::RECORD_KEY_ARN);
        Self { command, stdin: None }
    }

    /// Sets one environment variable for this run.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.command.env(key, value);
        self
    }

    /// Removes one inherited environment variable for this run.
    pub fn env_remove(mut self, key: &str) -> Self {
        self.command.env_remove(key);
        self
    }

    /// Feeds `bytes` on standard input.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// Runs to completion.
    pub fn run(mut self) -> Run {
        self.command.stdin(if self.stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        self.command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = self.command.spawn().expect("spawn runaway-guard");
        if let Some(bytes) = self.stdin.take() {
            let mut pipe = child.stdin.take().expect("stdin pipe");
            // The guard may refuse early and close its end; that is part of what is tested.
            let _ = pipe.write_all(&bytes);
        }
        let out = child.wait_with_output().expect("wait for runaway-guard");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// `runaway-guard handle -` with `event` on standard input.
pub fn handle(topic: &str, event: &Value) -> Cli {
    Cli::new(Some(topic), &["handle", "-"]).stdin(event.to_string())
}

/// Path of a fixture in `tests/fixtures`.
pub fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// An EventBridge chain event: `function` emitted at `depth` in chain `root`.
pub fn chain_event(function: &str, depth: u64, root: &str) -> Value {
    json!({
        "version": "0",
        "id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
        "detail-type": "OrderRowProcessed",
        "source": "com.example.orders",
        "account": "123456789012",
        "time": runaway_guard::time::Timestamp::now().to_rfc3339(),
        "region": "us-east-1",
        "resources": [],
        "detail": { "runawayGuard": { "root": root, "depth": depth, "function": function } }
    })
}

/// `function`'s own report of a hop at `depth` in chain `root`: one SQS record as Lambda delivers a
/// message the function sent straight to the chain queue with its execution role (moto's functions all
/// run with [`super::ROLE_ARN`]). The claim the guard acts on at once; a bus event is only judged.
pub fn report(function: &str, depth: u64, root: &str) -> Value {
    let sender = format!("{}:{function}", super::role_id());
    json!({"Records": [{
        "messageId": format!("{:032x}", rand_id()),
        "receiptHandle": "AQEBexample",
        "body": runaway_guard::chain::REPORT_BODY,
        "attributes": { "ApproximateReceiveCount": "1", "SentTimestamp": sent_now(), "SenderId": sender },
        "messageAttributes": { "runaway-guard-chain": {
            "stringValue": format!("root={root};depth={depth};function={function}"), "dataType": "String" } },
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": format!("arn:aws:sqs:us-east-1:{}:runaway-guard-chain-events", super::ACCOUNT),
        "awsRegion": "us-east-1"
    }]})
}

/// Several reports in one SQS batch: `(function, depth, root)` each.
pub fn reports(list: &[(&str, u64, &str)]) -> Value {
    let records: Vec<Value> = list
        .iter()
        .map(|(function, depth, root)| report(function, *depth, root)["Records"][0].clone())
        .collect();
    json!({ "Records": records })
}

/// Now as SQS writes `SentTimestamp` (milliseconds): a chain event older than the chain TTL is
/// evidence of nothing, so the helpers' events are sent when the test runs.
fn sent_now() -> String {
    (runaway_guard::time::Timestamp::now().as_secs() * 1000).to_string()
}

/// A message id no earlier report used (the guard counts each message once).
fn rand_id() -> u128 {
    static SENT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    nanos ^ u128::from(SENT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

/// An SQS batch whose records carry `events` as bodies.
pub fn sqs_batch(events: &[Value]) -> Value {
    let records: Vec<Value> = events
        .iter()
        .enumerate()
        .map(|(i, body)| {
            json!({
                "messageId": format!("5f1e2d3c-0000-4000-8000-{i:012}"),
                "receiptHandle": "AQEBexample",
                "body": body.to_string(),
                "attributes": { "ApproximateReceiveCount": "1", "SentTimestamp": "1763630520000" },
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:runaway-guard-chain-events",
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    json!({ "Records": records })
}

/// Every function's reserved concurrency and tags, by name: "nothing changed" is this being equal.
pub type Snapshot = BTreeMap<String, (Option<i32>, BTreeMap<String, String>)>;

impl Moto {
    /// The whole account's Lambda state that the guard could mutate.
    pub async fn snapshot(&self) -> Snapshot {
        let out = self.lambda().list_functions().send().await.expect("list functions");
        let mut snapshot = Snapshot::new();
        for f in out.functions() {
            let name = f.function_name().expect("function name");
            let tags = self.tags(name).await.into_iter().collect();
            snapshot.insert(name.to_owned(), (self.reserved(name).await, tags));
        }
        snapshot
    }

    /// Sets a function's reserved concurrency directly.
    pub async fn reserve(&self, name: &str, n: i32) {
        self.lambda()
            .put_function_concurrency()
            .function_name(name)
            .reserved_concurrent_executions(n)
            .send()
            .await
            .expect("put concurrency");
    }

    /// Records `invocations` and their summed duration for `function` one minute ago, as Lambda would.
    pub async fn put_usage(&self, function: &str, invocations: f64, duration_ms_sum: f64) {
        let series = [
            ("Invocations", invocations, StandardUnit::Count),
            ("Duration", duration_ms_sum, StandardUnit::Milliseconds),
        ];
        self.put_lambda_metrics(function, 60, &series).await;
    }

    /// Records `AWS/Lambda` datapoints (name, value, unit) for `function`, `secs_ago` seconds ago.
    pub async fn put_lambda_metrics(
        &self,
        function: &str,
        secs_ago: i64,
        series: &[(&str, f64, StandardUnit)],
    ) {
        let cloudwatch = aws_sdk_cloudwatch::Client::new(&self.config);
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock");
        let at = DateTime::from_secs(now.as_secs() as i64 - secs_ago);
        let data = series.iter().map(|(name, value, unit)| {
            MetricDatum::builder()
                .metric_name(*name)
                .dimensions(Dimension::builder().name("FunctionName").value(function).build())
                .timestamp(at)
                .value(*value)
                .unit(unit.clone())
                .build()
        });
        cloudwatch
            .put_metric_data()
            .namespace("AWS/Lambda")
            .set_metric_data(Some(data.collect()))
            .send()
            .await
            .expect("put metric data");
    }
}

/// The delivered notifications' message attribute `name`.
pub fn attribute(envelope: &Value, name: &str) -> String {
    text(&envelope["MessageAttributes"][name]["Value"])
}

/// The JSON block after `--- machine-readable ---` in an alert body.
pub fn machine_block(envelope: &Value) -> Value {
    let body = text(&envelope["Message"]);
    let (_, block) = body.split_once("--- machine-readable ---").expect("alert has a machine-readable block");
    serde_json::from_str(block.trim()).expect("machine-readable block is JSON")
}
