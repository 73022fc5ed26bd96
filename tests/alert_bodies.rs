//! The three bodies of every alert kind, as SNS `MessageStructure=json` sends them: `default`
//! (SQS, Lambda: the text and its JSON block), `email` (the human text alone) and `https` (the
//! Amazon Q Developer in chat applications custom notification), checked against the documented
//! Chatbot schema (`tests/fixtures/chatbot/`), against each other (the same facts and the same
//! commands in every body), and against the samples in `tests/fixtures/alerts/` and
//! `docs/alerts.md`. `RG_UPDATE_FIXTURES=1` rewrites both after a deliberate change to an alert's text.
#![cfg(feature = "guard")]

use std::path::PathBuf;

use runaway_guard::alert::{
    AlertContext, DriftFacts, EventSources, MACHINE_MARKER, RankedFunction, ReenableFacts, SearchFacts,
    SeenFacts, TripFacts, Undone, drift_alert, reenable_alert, search_alert, seen_alert, trip_alert,
    unjudged_alert,
};
use runaway_guard::aws::sns::structured_message;
use runaway_guard::chain::ChainRoot;
use runaway_guard::name::FunctionName;
use runaway_guard::ports::{
    Alert, Caller, DeadLetter, EventSourceMapping, FailureTarget, MappingId, PauseStatus, QueueFacts,
    QueueRead, SourceKind, SourceOutcome, TripRecord,
};
use runaway_guard::report::Outcome;
use runaway_guard::report::Unread;
use runaway_guard::sanitise::{code_span, markdown};
use runaway_guard::time::Timestamp;
use runaway_guard::verdict::{ChainEvent, Reason};
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
    let depth = Reason::Depth { root: ChainRoot::new("1-abc").unwrap(), depth: 17, limit: 16, event: None };
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
    all.extend([
        ("trip-alarm", trip(&f, &alarm_reason(), Outcome::Throttled)),
        ("", trip(&f, &chain_event_reason(), Outcome::Throttled)),
        ("reenable", reenable),
        ("offender-search", search),
        ("drift", drift(&f)),
        ("", unjudged(&f)),
        ("", seen(&f)),
    ]);
    all
}

/// An alarm the function's owners trust: CloudWatch's state reason carries the datapoints and the threshold.
fn alarm_reason() -> Reason {
    Reason::Alarm {
        alarm: "orders-worker-invocations".into(),
        metric: "AWS/Lambda/Invocations".into(),
        state_reason: Some(
            "Threshold Crossed: 2 out of the last 2 datapoints [48211.0 (20/11/26 09:13:00), 47990.0 \
             (20/11/26 09:12:00)] was greater than the threshold (5000.0) (minimum 2 datapoints for OK -> \
             ALARM transition)."
                .into(),
        ),
    }
}

/// The function's own report of a hop past its limit, with the event it came in.
fn chain_event_reason() -> Reason {
    let event = ChainEvent {
        sent_at: Some("2026-11-20T09:13:58Z".into()),
        source: Some("com.example.orders".into()),
        detail_type: Some("OrderRowProcessed".into()),
        sender: None,
    };
    Reason::Depth {
        root: ChainRoot::new("1-abc").unwrap(),
        depth: 17,
        limit: 16,
        event: Some(Box::new(event)),
    }
}

/// A deploy enabled the paused SQS mapping of the tripped function.
fn drift(f: &FunctionName) -> Alert {
    let record = TripRecord {
        tripped_at: Timestamp::parse_rfc3339("2026-11-20T09:14:03Z").unwrap(),
        previous_concurrency: Some(25),
        reason: "chain depth 17 gt limit 16 (root 1-abc)".into(),
        alert_pending: false,
        paused_mappings: vec![MappingId::new("6d1f4a52-8b3e-4c1a-9f0e-2b7c5d8e9a10").unwrap()],
        tripped_by: None,
        parked: None,
    };
    let queue = "arn:aws:sqs:eu-west-1:123456789012:jobs-queue";
    drift_alert(&DriftFacts {
        function: f,
        change: &format!(
            "UpdateEventSourceMapping (mapping 6d1f4a52-8b3e-4c1a-9f0e-2b7c5d8e9a10 for {queue} enabled)"
        ),
        undone: Undone::Mapping { source: Some(queue) },
        by: "arn:aws:sts::123456789012:assumed-role/ci/deployer",
        at: Some("2026-11-20T09:40:12Z"),
        event_id: "7f1c2b9e-0d4a-4e6b-9c3f-5a8d2e1b0c47",
        record: &record,
        context: context(),
    })
}

fn seen(f: &FunctionName) -> Alert {
    seen_alert(&SeenFacts {
        alarm: "billing-spike",
        metric: "AWS/Billing/EstimatedCharges",
        held: std::slice::from_ref(f),
        quiet_until: Timestamp::parse_rfc3339("2026-11-20T09:29:03Z").unwrap(),
        context: context(),
    })
}

fn unjudged(f: &FunctionName) -> Alert {
    let unread = Unread {
        subject: f.to_string(),
        error: "GetMetricData on its Invocations and Duration failed: Throttling".into(),
        alerted: true,
    };
    unjudged_alert(&[unread], &context())
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
        "Fix the cause, then re-enable with (account 123456789012): \
         `runaway-guard reenable orders-worker --region eu-west-1`"
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

/// The facts a person reads, as `Label: value` lines of the e-mail (the first line is the headline).
fn labelled_lines(email: &str) -> Vec<(&str, &str)> {
    let human = email.split("\n--\n").next().unwrap_or_default();
    let human = human.split("\nNext:").next().unwrap_or_default();
    human
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(": "))
        .filter(|(label, _)| {
            label.len() <= 32
                && label.starts_with(|c: char| c.is_ascii_uppercase())
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
        })
        .collect()
}

#[test]
fn every_body_carries_the_same_facts_and_the_same_commands() {
    for (name, alert) in alerts() {
        let (default, email, chat) = bodies(&alert);
        let (_, json) = default.split_once(&format!("{MACHINE_MARKER}\n")).expect("JSON block");
        let machine: Value = serde_json::from_str(json).expect("JSON block parses");
        let description = chat["content"]["description"].as_str().unwrap();
        let chat_steps: Vec<&str> =
            chat["content"]["nextSteps"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        let email_text = email.split("\n--\n").next().unwrap();
        assert!(default.starts_with(email_text), "{name}: the e-mail is the default body's text");
        let headline = email.lines().next().unwrap();
        assert!(description.starts_with(&format!("*{}*\n", markdown(headline))), "{name}: {description}");
        for (label, value) in labelled_lines(&email) {
            let shown = format!("*{label}:* {}", markdown(value));
            assert!(description.contains(&shown), "{name}: chat lacks {shown:?}:\n{description}");
        }
        let steps = machine["next_steps"].as_array().unwrap_or_else(|| panic!("{name}: next_steps"));
        assert_eq!(steps.len(), chat_steps.len(), "{name}: one chat step per step");
        assert!(email_text.contains("\nNext:"), "{name}: the e-mail says what to do next");
        for (step, chat_step) in steps.iter().zip(&chat_steps) {
            for command in step["commands"].as_array().unwrap().iter().filter_map(Value::as_str) {
                assert!(command.ends_with(" --region eu-west-1"), "{name}: {command}");
                assert!(email_text.contains(&format!("\n  {command}")), "{name}: e-mail lacks {command}");
                assert!(chat_step.contains(&code_span(command)), "{name}: chat lacks {command}: {chat_step}");
                assert!(chat_step.contains("(account 123456789012)"), "{name}: {chat_step}");
            }
        }
        for fact in ["account", "region", "at"] {
            assert!(machine[fact].is_string(), "{name}: JSON {fact}");
        }
        assert!(email_text.contains("Where: account 123456789012, region eu-west-1"), "{name}: {email_text}");
    }
}

#[test]
fn a_trip_body_carries_the_evidence_on_call_needs() {
    let f = FunctionName::new("orders-worker").unwrap();
    let alarm = trip(&f, &alarm_reason(), Outcome::Throttled);
    let (_, email, _) = bodies(&alarm);
    assert!(email.contains("datapoints [48211.0 (20/11/26 09:13:00), 47990.0"), "{email}");
    assert!(email.contains("greater than the threshold (5000.0)"), "{email}");
    let chain = trip(&f, &chain_event_reason(), Outcome::Throttled);
    let (default, email, _) = bodies(&chain);
    assert!(
        email.contains(
            "Chain event: sent 2026-11-20T09:13:58Z; source com.example.orders, detail-type OrderRowProcessed"
        ),
        "{email}"
    );
    assert!(default.contains("\"detail-type\": \"OrderRowProcessed\""), "{default}");
}

#[test]
fn a_mapping_drift_names_the_receive_count_risk_and_what_to_run() {
    let f = FunctionName::new("orders-worker").unwrap();
    let (default, email, chat) = bodies(&drift(&f));
    for body in [&default, &email] {
        assert!(body.contains("every throttled receive counts toward the queue's maxReceiveCount"), "{body}");
        assert!(
            body.contains("  runaway-guard trip orders-worker --reason drift --region eu-west-1\n"),
            "{body}"
        );
        assert!(body.contains("  runaway-guard reenable orders-worker --region eu-west-1\n"), "{body}");
    }
    assert_eq!(chat["content"]["nextSteps"].as_array().map(Vec::len), Some(2));
}

/// `### <title>: `<protocol>`` headings of docs/alerts.md and the sample each shows.
const DOC_SAMPLES: [(&str, &str); 5] = [
    ("Throttle", "trip-throttled"),
    ("Throttle on a trusted alarm", "trip-alarm"),
    ("Re-enable", "reenable"),
    ("Offender search with no offender", "offender-search"),
    ("Drift of a paused mapping", "drift"),
];

/// The rendered body of sample `name` for `protocol` (`default`, `email`, `https`).
fn rendered(name: &str, protocol: &str) -> String {
    let (_, alert) = alerts().into_iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("{name}"));
    let (default, email, chat) = bodies(&alert);
    match protocol {
        "default" => default,
        "email" => email,
        "https" => serde_json::to_string_pretty(&chat).unwrap() + "\n",
        other => panic!("unknown protocol {other}"),
    }
}

#[test]
fn docs_alerts_md_shows_what_the_guard_sends() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/alerts.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let (mut out, mut shown, mut rest) = (String::new(), Vec::new(), doc.as_str());
    while let Some(at) = rest.find("\n### ") {
        let heading_end = rest[at + 1..].find('\n').map_or(rest.len(), |n| at + 1 + n);
        let heading = &rest[at + 5..heading_end];
        out += &rest[..heading_end];
        rest = &rest[heading_end..];
        let Some((title, protocol)) =
            heading.split_once(": `").and_then(|(t, p)| Some((t, p.split_once('`')?.0)))
        else {
            continue;
        };
        let Some(&(_, name)) = DOC_SAMPLES.iter().find(|(t, _)| *t == title) else { continue };
        let open = rest.find("```").expect("a code block after the heading");
        let body_start = open + rest[open..].find('\n').unwrap() + 1;
        let close = match rest[body_start..].starts_with("```") {
            true => body_start,
            false => body_start + rest[body_start..].find("\n```").unwrap() + 1,
        };
        let expected = rendered(name, protocol);
        out += &rest[..body_start];
        out += &expected;
        if rest[body_start..close] != expected {
            shown.push(format!("{title}: {protocol} differs"));
        }
        shown.push(format!("{name}.{protocol}"));
        rest = &rest[close..];
    }
    out += rest;
    if std::env::var_os("RG_UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, &out).unwrap();
        return;
    }
    let differs: Vec<&String> = shown.iter().filter(|s| s.ends_with("differs")).collect();
    assert!(
        differs.is_empty(),
        "{differs:?} (RG_UPDATE_FIXTURES=1 cargo test --test integration alert_bodies:: rewrites them)"
    );
    for (_, name) in DOC_SAMPLES {
        assert!(
            shown.iter().any(|s| s.starts_with(&format!("{name}."))),
            "docs/alerts.md shows no {name} sample"
        );
    }
}
