//! The zoo's building blocks for tests/audit_live.rs: functions with their own roles, rules,
//! queues, mappings, DynamoDB tables (raw calls: no DynamoDB SDK in this crate), and running the audit.

use crate::common::guard::Cli;
use crate::common::{self, Moto};
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use aws_smithy_types::Blob;
use serde_json::{Value, json};

pub const ACCOUNT: &str = common::ACCOUNT;
pub const REGION: &str = "us-east-1";
pub const ZIP: [u8; 22] = [0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/// A function with its own role holding `policy` inline; returns the function's ARN.
pub async fn function(moto: &Moto, name: &str, memory: i32, policy: Value) -> String {
    let iam = aws_sdk_iam::Client::new(&moto.config);
    let role =
        iam.create_role().role_name(name).assume_role_policy_document("{}").send().await.expect("role");
    let role_arn = role.role().expect("role").arn().to_owned();
    iam.put_role_policy()
        .role_name(name)
        .policy_name(format!("{name}-policy"))
        .policy_document(policy.to_string())
        .send()
        .await
        .expect("policy");
    let out = moto
        .lambda()
        .create_function()
        .function_name(name)
        .runtime(Runtime::Providedal2023)
        .role(role_arn)
        .handler("bootstrap")
        .memory_size(memory)
        .code(FunctionCode::builder().zip_file(Blob::new(ZIP.to_vec())).build())
        .send()
        .await
        .expect("function");
    out.function_arn().expect("arn").to_owned()
}

pub fn allow(sid: &str, action: &str, resource: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resource}]})
}

pub fn bus(name: &str) -> String {
    format!("arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{name}")
}

pub async fn rule(moto: &Moto, bus: &str, name: &str, pattern: Value, target: &str) {
    let events = aws_sdk_eventbridge::Client::new(&moto.config);
    events
        .put_rule()
        .name(name)
        .event_bus_name(bus)
        .event_pattern(pattern.to_string())
        .send()
        .await
        .expect("rule");
    let target = aws_sdk_eventbridge::types::Target::builder().id("t").arn(target).build().expect("target");
    events.put_targets().rule(name).event_bus_name(bus).targets(target).send().await.expect("targets");
}

pub async fn queue(moto: &Moto, name: &str) -> String {
    let sqs = aws_sdk_sqs::Client::new(&moto.config);
    let url =
        sqs.create_queue().queue_name(name).send().await.expect("queue").queue_url().expect("url").to_owned();
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("attributes");
    attrs
        .attributes()
        .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn))
        .expect("arn")
        .clone()
}

pub async fn mapping(moto: &Moto, source: &str, function: &str, max_concurrency: Option<i32>) {
    let mut request =
        moto.lambda().create_event_source_mapping().event_source_arn(source).function_name(function);
    if let Some(n) = max_concurrency {
        request = request
            .scaling_config(aws_sdk_lambda::types::ScalingConfig::builder().maximum_concurrency(n).build());
    }
    if source.contains(":dynamodb:") {
        request = request.starting_position(aws_sdk_lambda::types::EventSourcePosition::Latest);
    }
    request.send().await.expect("mapping");
}

/// Audits moto's account; the report and exit code.
pub fn audit() -> (i32, Value) {
    audit_via(&common::endpoint())
}

/// Audits through `endpoint` (moto, or a proxy in front of it).
pub fn audit_via(endpoint: &str) -> (i32, Value) {
    let run = Cli::new(None, &["audit", "--json"]).env("AWS_ENDPOINT_URL", endpoint).run();
    assert!(run.code == 0 || run.code == 3, "audit failed ({}): {}", run.code, run.stderr);
    (run.code, run.json())
}

pub fn cycles_through<'a>(report: &'a Value, names: &[&str]) -> Vec<&'a Value> {
    report["cycles"]
        .as_array()
        .expect("cycles")
        .iter()
        .filter(|c| {
            let mut found: Vec<&str> =
                c["functions"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
            found.sort_unstable();
            found == names
        })
        .collect()
}

pub fn reasons(cycle: &Value) -> String {
    cycle["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}
