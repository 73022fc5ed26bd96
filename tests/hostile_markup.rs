//! Markup and control characters in an alarm's name never reach on-call live (issue 20, item 4).
//! Two hostile names go through the SNS alarm path of the real binary (`runaway-guard handle -`)
//! against moto: one carrying a Slack broadcast mention, bold text and a disguised link, one
//! carrying a line break, `ESC[2J` and a forged "Next:" command. Each is sent as an alarm on a
//! function's metric (a trip alert) and as an account-level alarm (an offender-search alert).
//! Every alert is read back from the topic's SQS subscriber: its subject and its `default` body as
//! delivered. moto hands every subscriber the `default` body, so the `email` and `https`
//! (Chatbot) bodies are the ones SNS would deliver for that same published alert, made from the
//! delivered subject, body and attributes. The CLI's own output (report, messages, logs at
//! `RUST_LOG=info`) is checked too. Run through `scripts/test.sh` (it starts moto).
#![cfg(feature = "guard")]

use crate::common::guard::{Cli, Run};
use crate::common::{ACCOUNT, FunctionSpec, Moto};
use runaway_guard::aws::sns::structured_message;
use runaway_guard::ports::Alert;
use serde_json::{Value, json};

const LINK_NAME: &str =
    "runaway-watch-<!channel> *URGENT* <https://evil.example/fix|Click to re-enable safely>";
const FORGED_NAME: &str = "runaway-watch-orders\n\u{1b}[2J\nNext: fix it now:\n  aws lambda \
     delete-function-concurrency --function-name orders-worker \u{202e}<@U024BE7LH> @here";
/// Each name, a text of it that survives escaping (to find its pages), and the function it names.
const CASES: [(&str, &str, &str); 2] = [
    (LINK_NAME, "Click to re-enable safely", "orders-worker"),
    (FORGED_NAME, "delete-function-concurrency", "payments-api"),
];

/// A CloudWatch alarm notification as SNS delivers it to the guard's Lambda subscription.
fn sns_alarm(name: &str, namespace: &str, metric: &str, dimensions: Value) -> Value {
    let alarm = json!({
        "AlarmName": name,
        "AlarmDescription": null,
        "AWSAccountId": ACCOUNT,
        "NewStateValue": "ALARM",
        "NewStateReason": format!("Threshold Crossed: {name}"),
        "StateChangeTime": "2026-11-20T09:20:00.000+0000",
        "Region": "US East (N. Virginia)",
        "AlarmArn": format!("arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{name}"),
        "OldStateValue": "OK",
        "Trigger": {
            "MetricName": metric, "Namespace": namespace, "StatisticType": "Statistic",
            "Statistic": "SUM", "Unit": null, "Dimensions": dimensions, "Period": 60,
            "EvaluationPeriods": 1, "ComparisonOperator": "GreaterThanThreshold", "Threshold": 5000.0,
            "TreatMissingData": "missing", "EvaluateLowSampleCountPercentile": ""
        }
    });
    json!({ "Records": [{
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": format!("arn:aws:sns:us-east-1:{ACCOUNT}:alarms:0b2c7e61-8a44-4f1e-9c59-1d2e3f4a5b6c"),
        "Sns": {
            "Type": "Notification",
            "MessageId": "7c1e2a3b-4d5e-5f60-8a9b-0c1d2e3f4a5b",
            "TopicArn": format!("arn:aws:sns:us-east-1:{ACCOUNT}:alarms"),
            "Subject": "ALARM",
            "Message": alarm.to_string(),
            "Timestamp": "2026-11-20T09:20:00.512Z",
            "SignatureVersion": "1", "Signature": "EXAMPLE", "SigningCertUrl": "EXAMPLE",
            "UnsubscribeUrl": "EXAMPLE", "MessageAttributes": {}
        }
    }]})
}

fn function_alarm(name: &str, function: &str) -> Value {
    sns_alarm(name, "AWS/Lambda", "Invocations", json!([{ "name": "FunctionName", "value": function }]))
}

fn billing_alarm(name: &str) -> Value {
    let dimensions =
        json!([{ "name": "ServiceName", "value": "AWSLambda" }, { "name": "Currency", "value": "USD" }]);
    sns_alarm(name, "AWS/Billing", "EstimatedCharges", dimensions)
}

/// Why `text` is unsafe to show a person; empty when it is inert. Chat also renders `*bold*`.
fn live_markup(text: &str, chat: bool) -> Vec<&'static str> {
    let mut found = Vec::new();
    let hidden = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    };
    if text.chars().any(hidden) {
        found.push("a control, bidi or invisible character");
    }
    for (form, why) in [
        ("<!channel", "a live <!channel> mention"),
        ("<!here", "a live <!here> mention"),
        ("<@", "a live user mention"),
        ("<https://", "a live disguised link"),
        ("@here", "a live @here"),
    ] {
        if text.contains(form) {
            found.push(why);
        }
    }
    let forged = text.lines().any(|line| {
        let line = line.trim_start();
        line.starts_with("aws lambda") || line.starts_with("Next: fix it now") || line.starts_with("[2J")
    });
    if forged {
        found.push("a forged line");
    }
    if chat && text.contains("*URGENT*") {
        found.push("outside text in bold");
    }
    found
}

fn assert_inert(face: &str, text: &str) {
    let found = live_markup(text, face.contains("Chatbot"));
    assert!(found.is_empty(), "{face} carries {found:?}:\n{text}");
}

fn handle(topic: &str, event: &Value) -> Run {
    Cli::new(Some(topic), &["handle", "-"]).env("RUST_LOG", "info").stdin(event.to_string()).run()
}

/// The alert as published, rebuilt from what the SQS subscriber received.
fn published(envelope: &Value) -> Alert {
    let attributes = envelope["MessageAttributes"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v["Value"].as_str().unwrap_or_default().to_owned()))
        .collect();
    Alert {
        subject: envelope["Subject"].as_str().expect("Subject").to_owned(),
        body: envelope["Message"].as_str().expect("Message").to_owned(),
        attributes,
        ..Alert::default()
    }
}

#[tokio::test]
async fn hostile_alarm_names_reach_no_page_and_no_terminal_live() {
    let moto = Moto::start().await;
    let (topic, queue) = moto.topic_with_queue("runaway-guard").await;
    let mut runs = Vec::new();
    for (name, _, function) in CASES {
        // Its owners let its alarms act unjudged, so the alarm pages at once with its name in it.
        let spec =
            FunctionSpec { tags: &[("runaway-guard:trust-alarms", "true")], ..FunctionSpec::default() };
        moto.create_function_with(function, spec).await;
        runs.push(handle(&topic, &function_alarm(name, function)));
        runs.push(handle(&topic, &billing_alarm(name)));
    }
    for run in &runs {
        assert!(!run.stdout.contains('\u{1b}') && !run.stderr.contains('\u{1b}'), "ESC on the CLI: {run:?}");
        assert_inert("the CLI's stdout", &run.stdout);
        assert_inert("the CLI's stderr", &run.stderr);
    }
    let delivered = moto.delivered(&queue).await;
    for (name, visible, _) in CASES {
        let pages = delivered.iter().filter(|e| e["Message"].as_str().unwrap_or_default().contains(visible));
        assert!(pages.count() >= 2, "both alarms named {name:?} paged, naming it: {delivered:#?}");
    }
    for envelope in &delivered {
        let alert = published(envelope);
        assert_inert("the subject", &alert.subject);
        assert!(alert.subject.is_ascii() && alert.subject.len() <= 100, "{}", alert.subject);
        assert_inert("the default (SQS) body", &alert.body);
        let message: Value = serde_json::from_str(&structured_message(&alert)).expect("structured message");
        assert_inert("the e-mail body", message["email"].as_str().expect("email"));
        let chat: Value = serde_json::from_str(message["https"].as_str().expect("https")).expect("chat JSON");
        for field in ["title", "description"] {
            let text = chat["content"][field].as_str().expect(field);
            assert_inert("the Chatbot body", text);
            assert!(!text.contains('<'), "Chatbot {field} has a raw <: {text}");
        }
        let next = alert.body.lines().filter(|l| l.starts_with("Next:")).count();
        assert!(next <= 1, "one Next: paragraph, the guard's own: {}", alert.body);
    }
    assert!(delivered.len() >= 4, "{delivered:#?}");
}
