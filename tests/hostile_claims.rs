//! Forged claims through the real binary against moto: a chain header on the bus with any source, a
//! header sent straight to the chain queue by another function's role, a chain attribute published
//! to the billing topic, an alarm on a custom namespace naming a function. Each must leave every
//! function's reserved concurrency, tags and event source mappings exactly as they were. And the one
//! claim that proves who made it, a function's own report of a deep hop sent with its execution
//! role, trips that function in one event. Run through `scripts/test.sh` (it starts moto).
#![cfg(feature = "guard")]

use crate::common::guard::{Cli, Snapshot, chain_event, fixture};
use crate::common::{ACCOUNT, Moto};
use runaway_guard::ports::tags;
use serde_json::{Value, json};

const VICTIM: &str = "payments-api";
const OTHER: &str = "billing-worker";
const QUEUE_ARN: &str = "arn:aws:sqs:us-east-1:123456789012:runaway-guard-chain";

/// The account as the guard could change it: functions (concurrency, tags) and the victim's mapping.
struct Account {
    moto: Moto,
    topic: String,
    /// The SQS queue subscribed to the alert topic.
    alerts: String,
    mapping: String,
}

impl Account {
    async fn new() -> Self {
        let moto = Moto::start().await;
        moto.create_function(VICTIM).await;
        moto.create_function(OTHER).await;
        moto.reserve(VICTIM, 50).await;
        let mapping = moto.sqs_mapping(VICTIM, "payments-orders", true).await;
        let (topic, alerts) = moto.topic_with_queue("guard").await;
        Self { moto, topic, alerts, mapping }
    }

    async fn state(&self) -> (Snapshot, String) {
        (self.moto.snapshot().await, self.moto.mapping_state(&self.mapping).await)
    }

    /// The unique id of the role every moto function runs with (`crate::common::ROLE_ARN`).
    async fn role_id(&self) -> String {
        let iam = aws_sdk_iam::Client::new(&self.moto.config);
        let role = iam.get_role().role_name("x").send().await.expect("get role");
        role.role().expect("role").role_id().to_owned()
    }

    /// Handles `event`; exit 0, or 2 when every record was refused (bad input).
    fn handle_with_code(&self, event: &Value) -> (i32, Value) {
        let run = Cli::new(Some(&self.topic), &["handle", "-"]).stdin(event.to_string()).run();
        assert!(matches!(run.code, 0 | 2), "{run:?}");
        (run.code, run.json())
    }

    fn handle(&self, event: &Value) -> Value {
        let (code, report) = self.handle_with_code(event);
        assert_eq!(code, 0, "{report:#}");
        report
    }

    /// Handles `event` and asserts that nothing the guard could change has changed.
    async fn assert_unmoved_by(&self, event: &Value) -> Value {
        let before = self.state().await;
        let (_, report) = self.handle_with_code(event);
        let decisions = report["decisions"].as_array().expect("decisions");
        assert!(decisions.is_empty(), "{report:#}");
        assert_eq!(self.state().await, before, "{report:#}");
        assert_eq!(before.1, "Enabled");
        report
    }
}

/// One SQS record as Lambda delivers a message sent straight to the chain queue by `sender`, now.
fn queue_record(header: &str, sender: &str) -> Value {
    sent_record(header, sender, runaway_guard::time::Timestamp::now().as_secs())
}

/// [`queue_record`] sent at `sent` (seconds since the epoch).
fn sent_record(header: &str, sender: &str, sent: u64) -> Value {
    json!({"Records": [{
        "messageId": "0f1e2d3c-0000-4000-8000-000000000001",
        "receiptHandle": "AQEBexample",
        "body": runaway_guard::chain::REPORT_BODY,
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": (sent * 1000).to_string(), "SenderId": sender},
        "messageAttributes": {"runaway-guard-chain": {"stringValue": header, "dataType": "String"}},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": QUEUE_ARN,
        "awsRegion": "us-east-1"
    }]})
}

const DEEP: &str = "root=1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d;depth=17;function=payments-api";

#[tokio::test]
async fn a_bus_event_naming_a_function_at_depth_17_with_any_source_moves_nothing() {
    let account = Account::new().await;
    for source in ["com.example.orders", "aws.partner/anything", "payments"] {
        let mut event = chain_event(VICTIM, 17, "1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d");
        event["account"] = json!(ACCOUNT);
        event["source"] = json!(source);
        let report = account.assert_unmoved_by(&event).await;
        let notes = report["notes"].to_string();
        assert!(notes.contains("left payments-api alone (unauthenticated chain claims"), "{report:#}");
    }
}

#[tokio::test]
async fn a_header_sent_to_the_chain_queue_by_another_functions_role_moves_nothing() {
    let account = Account::new().await;
    let role = account.role_id().await;
    // The same role (moto's functions share one), the other function's session: not payments-api.
    account.assert_unmoved_by(&queue_record(DEEP, &format!("{role}:{OTHER}"))).await;
    // Any role assumed with the victim's name as session name: not the victim's execution role.
    let report = account.assert_unmoved_by(&queue_record(DEEP, "AROAFORGEDROLE0000001:payments-api")).await;
    assert!(report["notes"].to_string().contains("not payments-api's execution role"), "{report:#}");
    // A user, not a role.
    account.assert_unmoved_by(&queue_record(DEEP, "AIDAIENQZJOLO23YVJ4VO")).await;
}

#[tokio::test]
async fn a_chain_attribute_published_to_the_billing_topic_moves_nothing() {
    let account = Account::new().await;
    let text = std::fs::read_to_string(fixture("sns-chain-attribute.json")).expect("fixture");
    let mut event: Value = serde_json::from_str(&text.replace("111122223333", ACCOUNT)).expect("JSON");
    let sns = &mut event["Records"][0]["Sns"];
    sns["TopicArn"] = json!(format!("arn:aws:sns:us-east-1:{ACCOUNT}:billing-alarms"));
    sns["MessageAttributes"]["runaway-guard-chain"]["Value"] = json!(DEEP);
    account.assert_unmoved_by(&event).await;
}

#[tokio::test]
async fn an_alarm_on_a_custom_namespace_naming_a_function_moves_nothing() {
    let account = Account::new().await;
    let text = std::fs::read_to_string(fixture("cloudwatch-alarm-action-function.json")).expect("fixture");
    let mut event: Value = serde_json::from_str(&text.replace("111122223333", ACCOUNT)).expect("JSON");
    event["alarmData"]["alarmName"] = json!("runaway-watch-anything");
    event["alarmArn"] = json!(format!("arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:runaway-watch-anything"));
    let metric = &mut event["alarmData"]["configuration"]["metrics"][0]["metricStat"]["metric"];
    metric["namespace"] = json!("Team/Whatever");
    metric["dimensions"]["FunctionName"] = json!(VICTIM);
    let report = account.assert_unmoved_by(&event).await;
    assert!(report["rejected"].to_string().contains("Team/Whatever"), "{report:#}");

    // The same alarm on AWS/Lambda is believed as a claim, and judged: payments-api has no history
    // of running away, so it is left alone.
    event["alarmData"]["configuration"]["metrics"][0]["metricStat"]["metric"]["namespace"] =
        json!("AWS/Lambda");
    let report = account.assert_unmoved_by(&event).await;
    assert!(report["notes"].to_string().contains("left payments-api alone (alarm"), "{report:#}");
}

#[tokio::test]
async fn an_alarm_on_a_function_that_trusts_its_alarms_throttles_it() {
    let account = Account::new().await;
    let arn = account.moto.lambda().get_function_configuration().function_name(VICTIM).send().await;
    let arn = arn.expect("configuration").function_arn().expect("ARN").to_owned();
    let lambda = account.moto.lambda();
    lambda.tag_resource().resource(arn).tags(tags::TRUST_ALARMS, "true").send().await.expect("tag");
    let text = std::fs::read_to_string(fixture("cloudwatch-alarm-action-function.json")).expect("fixture");
    let mut event: Value = serde_json::from_str(&text.replace("111122223333", ACCOUNT)).expect("JSON");
    event["alarmData"]["configuration"]["metrics"][0]["metricStat"]["metric"]["dimensions"]["FunctionName"] =
        json!(VICTIM);
    let report = account.handle(&event);
    assert_eq!(report["decisions"][0]["outcome"], "throttled", "{report:#}");
    assert_eq!(report["decisions"][0]["rule"], "alarm", "{report:#}");
    assert_eq!(account.moto.reserved(VICTIM).await, Some(0));
    // The page carries the datapoints and the threshold CloudWatch evaluated, not a summary of them.
    let alerts = account.moto.delivered(&account.alerts).await;
    let body = alerts[0]["Message"].as_str().expect("message");
    assert!(
        body.contains("datapoints [48211.0 (20/11/26 09:13:00)] was greater than the threshold (5000.0)"),
        "{body}"
    );
}

#[tokio::test]
async fn a_functions_own_report_of_a_deep_hop_trips_it_in_one_event() {
    let account = Account::new().await;
    let role = account.role_id().await;
    let report = account.handle(&queue_record(DEEP, &format!("{role}:{VICTIM}")));
    let decision = &report["decisions"][0];
    assert_eq!(decision["function"], VICTIM, "{report:#}");
    assert_eq!(decision["outcome"], "throttled", "{report:#}");
    assert_eq!(decision["rule"], "depth", "{report:#}");
    assert_eq!(account.moto.reserved(VICTIM).await, Some(0));
    assert_eq!(account.moto.mapping_state(&account.mapping).await, "Disabled", "the trip pauses its queue");
    assert!(account.moto.tags(VICTIM).await.contains_key(tags::TRIPPED_AT));
    assert_eq!(account.moto.reserved(OTHER).await, None, "the other function is untouched");
    let alerts = account.moto.delivered(&account.alerts).await;
    let body = alerts[0]["Message"].as_str().expect("message");
    assert!(body.contains("Chain event: sent 20"), "{body}");
    assert!(body.contains(&format!("by {role}:{VICTIM} (straight to the chain queue)")), "{body}");
}

#[tokio::test]
async fn a_functions_own_report_older_than_the_chain_ttl_is_evidence_of_nothing() {
    let account = Account::new().await;
    let role = account.role_id().await;
    let sixteen_days_ago = runaway_guard::time::Timestamp::now().as_secs() - 16 * 86_400;
    let report =
        account.assert_unmoved_by(&sent_record(DEEP, &format!("{role}:{VICTIM}"), sixteen_days_ago)).await;
    assert!(report["rejected"].to_string().contains("older than the chain TTL"), "{report:#}");
    assert!(account.moto.delivered(&account.alerts).await.is_empty(), "no page for stale evidence");
}
