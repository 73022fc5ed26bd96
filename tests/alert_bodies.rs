//! The three bodies of every alert kind, as SNS `MessageStructure=json` sends them: `default`
//! (SQS, Lambda: the text and its JSON block), `email` (the human text alone) and `https` (the
//! Amazon Q Developer in chat applications custom notification), checked against the documented
//! Chatbot schema (`tests/fixtures/chatbot/`) and against the samples in `tests/fixtures/alerts/`
//! that `docs/alerts.md` shows. `RG_UPDATE_FIXTURES=1` rewrites the samples after a deliberate
//! change to an alert's text.
#![cfg(feature = "guard")]

use std::path::PathBuf;

use runaway_guard::alert::{
    AlertContext, EventSources, MACHINE_MARKER, RankedFunction, ReenableFacts, SearchFacts, TripFacts,
    reenable_alert, search_alert, trip_alert,
};
use runaway_guard::aws::sns::structured_message;
use runaway_guard::chain::ChainRoot;
use runaway_guard::name::FunctionName;
use runaway_guard::ports::{
    Alert, Caller, DeadLetter, EventSourceMapping, FailureTarget, MappingId, PauseStatus, QueueFacts,
    QueueRead, SourceKind, SourceOutcome,
};
use runaway_guard::report::Outcome;
use runaway_guard::sanitise::markdown;
use runaway_guard::time::Timestamp;
use runaway_guard::verdict::Reason;
use serde_json::Value;

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(path)
}

fn read_json(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(path)).unwrap()).unwrap()
}

/// Errors of `value` against a JSON-schema subset (type, const, required, properties,
/// additionalProperties, items, minLength), each with its JSON path.
fn violations(schema: &Value, value: &Value, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(expected) = schema.get("const")
        && value != expected
    {
        out.push(format!("{path}: {value} is not {expected}"));
    }
    let kind = match value {
        Value::Object(_) => "object",
        Value::Array(_) => "array",
        Value::String(_) => "string",
        _ => "other",
    };
    if let Some(expected) = schema.get("type").and_then(Value::as_str)
        && expected != kind
    {
        out.push(format!("{path}: a {kind}, not a {expected}"));
        return out;
    }
    if let (Some(min), Value::String(s)) = (schema.get("minLength").and_then(Value::as_u64), value)
        && (s.chars().count() as u64) < min
    {
        out.push(format!("{path}: shorter than {min}"));
    }
    if let (Some(items), Value::Array(values)) = (schema.get("items"), value) {
        for (i, item) in values.iter().enumerate() {
            out.extend(violations(items, item, &format!("{path}[{i}]")));
        }
    }
    if let Value::Object(map) = value {
        for key in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if !map.contains_key(key) {
                out.push(format!("{path}.{key}: required"));
            }
        }
        for (key, item) in map {
            match (schema["properties"].get(key), schema.get("additionalProperties")) {
                (Some(sub), _) => out.extend(violations(sub, item, &format!("{path}.{key}"))),
                (None, Some(Value::Bool(false))) => out.push(format!("{path}.{key}: not in the schema")),
                (None, Some(sub @ Value::Object(_))) => {
                    out.extend(violations(sub, item, &format!("{path}.{key}")))
                }
                (None, _) => {}
            }
        }
    }
    out
}

fn schema() -> Value {
    read_json("chatbot/custom-notification.schema.json")
}

#[test]
fn the_documented_sample_is_valid_and_broken_ones_are_not() {
    let sample = read_json("chatbot/documented-sample.json");
    assert_eq!(violations(&schema(), &sample, "$"), Vec::<String>::new());
    type Mutation = fn(&mut Value);
    let broken: [(&str, Mutation); 5] = [
        ("$.version", |v| v["version"] = "2.0".into()),
        ("$.source", |v| v["source"] = "aws.lambda".into()),
        ("$.content.nextSteps[0]", |v| v["content"]["nextSteps"][0] = 3.into()),
        ("$.content.description: required", |v| {
            v["content"].as_object_mut().unwrap().remove("description");
        }),
        ("$.metadata.colour: not in the schema", |v| v["metadata"]["colour"] = "red".into()),
    ];
    for (expected, mutate) in broken {
        let mut value = sample.clone();
        mutate(&mut value);
        let errors = violations(&schema(), &value, "$");
        assert!(errors.iter().any(|e| e.starts_with(expected)), "{expected}: {errors:?}");
    }
}

fn context() -> AlertContext<'static> {
    AlertContext {
        account: Some("123456789012"),
        region: Some("eu-west-1"),
        at: Timestamp::parse_rfc3339("2026-11-20T09:14:03Z").unwrap(),
    }
}

/// The sample function is fed by one SQS queue, with a DLQ: the trip pauses its mapping (a dry run would).
fn jobs_queue(outcome: Outcome) -> Vec<SourceOutcome> {
    let status = match outcome {
        Outcome::Throttled => PauseStatus::Paused,
        Outcome::WouldThrottle => PauseStatus::WouldPause,
        _ => return Vec::new(),
    };
    let mapping = EventSourceMapping {
        id: MappingId::new("6d1f4a52-8b3e-4c1a-9f0e-2b7c5d8e9a10").unwrap(),
        kind: SourceKind::Sqs,
        source: "arn:aws:sqs:eu-west-1:123456789012:jobs-queue".into(),
        state: "Enabled".into(),
    };
    let dead_letter =
        DeadLetter { queue_arn: "arn:aws:sqs:eu-west-1:123456789012:jobs-dlq".into(), max_receive_count: 5 };
    let queue = QueueRead::Read(QueueFacts { dead_letter: Some(dead_letter), retention_secs: Some(345_600) });
    vec![SourceOutcome { mapping, status, queue: Some(queue) }]
}

fn trip(function: &FunctionName, reason: &Reason, outcome: Outcome) -> Alert {
    let dlq = FailureTarget::DeadLetter("arn:aws:sqs:eu-west-1:123456789012:orders-dlq".into());
    let sources = jobs_queue(outcome);
    trip_alert(&TripFacts {
        function,
        outcome,
        reason,
        previous_concurrency: Some(Some(25)),
        failure_target: Some(&dlq),
        event_sources: if sources.is_empty() {
            EventSources::NotRead
        } else {
            EventSources::Listed(&sources)
        },
        max_trips_per_hour: 10,
        error: (outcome == Outcome::Failed).then_some("PutFunctionConcurrency failed: AccessDenied"),
        record_missing: false,
        tripped_by: None,
        quiet_until: None,
        context: context(),
        note: None,
        parking: None,
    })
}

/// One alert of each kind, named for its sample files.
fn alerts() -> Vec<(&'static str, Alert)> {
    let f = FunctionName::new("orders-worker").unwrap();
    let depth = Reason::Depth { root: ChainRoot::new("1-abc").unwrap(), depth: 17, limit: 16 };
    let caller =
        Caller { arn: "arn:aws:iam::123456789012:user/alice".into(), account: "123456789012".into() };
    let reenable = reenable_alert(&ReenableFacts {
        function: &f,
        caller: &caller,
        restored: Some(25),
        resumed: &[MappingId::new("6d1f4a52-8b3e-4c1a-9f0e-2b7c5d8e9a10").unwrap()],
        unreserved_before: Some(900),
        tripped_reason: Some("chain depth 17 > limit 16 (root 1-abc)"),
        context: context(),
    });
    let top = [RankedFunction { function: f.clone(), usd_per_hour: 1.25, invocations: 5400.0 }];
    let search = search_alert(&SearchFacts {
        alarm: "billing-spike",
        metric: "AWS/Billing/EstimatedCharges",
        limit_usd_per_hour: 5.0,
        top: &top,
        context: context(),
    });
    let mut all = vec![("trip-throttled", trip(&f, &depth, Outcome::Throttled))];
    for outcome in [Outcome::WouldThrottle, Outcome::Capped, Outcome::Failed, Outcome::AlreadyTripped] {
        all.push(("", trip(&f, &depth, outcome)));
    }
    all.extend([("reenable", reenable), ("offender-search", search)]);
    all
}

fn bodies(alert: &Alert) -> (String, String, Value) {
    let message: Value = serde_json::from_str(&structured_message(alert)).unwrap();
    let text = |key: &str| message[key].as_str().unwrap_or_else(|| panic!("{key} missing")).to_owned();
    (text("default"), text("email"), serde_json::from_str(&text("https")).unwrap())
}

#[test]
fn every_alert_has_a_valid_chat_body_a_plain_email_and_the_unchanged_default() {
    for (name, alert) in alerts() {
        let (default, email, chat) = bodies(&alert);
        assert_eq!(default, alert.body, "{name}: SQS and Lambda subscribers keep today's body");
        assert!(!email.contains(MACHINE_MARKER) && !email.contains("\"kind\""), "{name}: {email}");
        assert!(email.starts_with(alert.body.lines().next().unwrap()), "{name}: {email}");
        assert_eq!(violations(&schema(), &chat, "$"), Vec::<String>::new(), "{name}: {chat:#}");
        // The subject as chat shows it literally: `>` is the entity Slack asks for.
        let title = chat["content"]["title"].as_str().unwrap();
        assert!(title.ends_with(&markdown(&alert.subject)), "{name}: {title}");
        assert_eq!(chat["metadata"]["summary"], alert.subject.as_str());
        let steps = chat["content"]["nextSteps"].as_array().unwrap();
        assert!(steps.iter().any(|s| s.as_str().unwrap().contains("`runaway-guard ")), "{name}: {steps:?}");
    }
}

#[test]
fn a_throttle_tells_chat_the_exact_reenable_command_and_the_function_arn() {
    let (_, alert) = alerts().remove(0);
    let (_, _, chat) = bodies(&alert);
    let arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders-worker";
    assert_eq!(chat["metadata"]["relatedResources"], serde_json::json!([arn]));
    assert_eq!(chat["metadata"]["threadId"], arn);
    assert_eq!(
        chat["content"]["nextSteps"][0],
        "Fix the cause, then re-enable with: `runaway-guard reenable orders-worker`"
    );
    let description = chat["content"]["description"].as_str().unwrap();
    assert!(description.contains("*Why:* chain depth 17 &gt; limit 16"), "{description}");
    assert!(!description.contains("Next:"), "next steps are not repeated: {description}");
}

#[test]
fn the_documented_samples_match_what_is_sent() {
    let update = std::env::var_os("RG_UPDATE_FIXTURES").is_some();
    for (name, alert) in alerts().into_iter().filter(|(name, _)| !name.is_empty()) {
        let (default, email, chat) = bodies(&alert);
        let pretty = serde_json::to_string_pretty(&chat).unwrap() + "\n";
        for (ext, actual) in [("default.txt", default), ("email.txt", email), ("https.json", pretty)] {
            let path = fixture(&format!("alerts/{name}.{ext}"));
            if update {
                std::fs::write(&path, &actual).unwrap();
            }
            let expected = std::fs::read_to_string(&path).unwrap_or_default();
            assert_eq!(actual, expected, "{} differs (RG_UPDATE_FIXTURES=1 rewrites it)", path.display());
        }
    }
}
