//! Edge cases of the dispatcher that no real fixture shows: limits, wrong types, spoofed sources.

use serde_json::{Value, json};

use super::*;

fn parse(event: Value) -> Result<ParsedEvent, EventError> {
    parse_value(&event)
}

fn alarm_action(state: Value, dimensions: Value) -> Value {
    json!({
        "source": "aws.cloudwatch",
        "alarmData": {
            "alarmName": "a",
            "state": state,
            "configuration": {"metrics": [{"id": "m1", "metricStat": {"metric": {
                "namespace": "AWS/Lambda", "name": "Errors", "dimensions": dimensions}}}]}
        }
    })
}

fn sqs(record: Value) -> Value {
    json!({"Records": [record]})
}

fn only_rejection(parsed: Result<ParsedEvent, EventError>) -> EventError {
    match parsed {
        Ok(ParsedEvent { signals, mut rejected, .. }) if signals.is_empty() && rejected.len() == 1 => {
            rejected.remove(0).1
        }
        other => panic!("expected one rejection, got {other:?}"),
    }
}

#[test]
fn enforces_size_and_nesting_limits() {
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(MAX_EVENT_BYTES));
    assert_eq!(parse_bytes(big.as_bytes()), Err(EventError::TooLarge { len: big.len() }));
    let deep = format!("{}{}", "{\"a\":".repeat(MAX_NESTING + 1), "}".repeat(MAX_NESTING + 1));
    assert_eq!(parse_bytes(deep.as_bytes()), Err(EventError::TooDeep));
    // The limit applies again to bodies, which are JSON inside a string.
    let body = format!("{}1{}", "[".repeat(MAX_NESTING + 1), "]".repeat(MAX_NESTING + 1));
    assert_eq!(
        only_rejection(parse(sqs(json!({"eventSource": "aws:sqs", "body": body})))),
        EventError::TooDeep
    );
}

#[test]
fn rejects_non_objects_and_empty_batches() {
    for event in [json!([1, 2]), json!("x"), json!(7), json!(null)] {
        assert!(matches!(parse(event.clone()), Err(EventError::WrongShape(_))), "{event}");
    }
    assert_eq!(parse(json!({"Records": []})), Err(EventError::EmptyRecords));
    assert!(matches!(parse(json!({"Records": {"a": 1}})), Err(EventError::WrongShape(_))));
    assert!(matches!(only_rejection(parse(json!({"Records": [5]}))), EventError::WrongShape(_)));
    assert!(matches!(only_rejection(parse(json!({"Records": [{"x": 1}]}))), EventError::Unrecognised(_)));
    assert_eq!(
        parse(json!({})),
        Err(EventError::Unrecognised(
            "no source, detail-type, alarmData, detail.runawayGuard or Records".into()
        ))
    );
}

#[test]
fn rejects_repeated_keys_in_raw_text() {
    let twice = br#"{"source":"aws.events","source":"aws.cloudwatch","alarmData":{}}"#;
    assert_eq!(parse_bytes(twice), Err(EventError::DuplicateKey("source".into())));
    let dims = br#"{"source":"aws.cloudwatch","alarmData":{"alarmName":"a","state":{"value":"ALARM"},
        "configuration":{"metrics":[{"metricStat":{"metric":{"namespace":"AWS/Lambda","name":"Errors",
        "dimensions":{"FunctionName":"a","FunctionName":"b"}}}}]}}}"#;
    assert_eq!(parse_bytes(dims), Err(EventError::DuplicateKey("FunctionName".into())));
}

#[test]
fn names_what_is_wrong_with_an_alarm() {
    let state = json!({"value": "BROKEN"});
    assert_eq!(parse(alarm_action(state, json!({}))), Err(EventError::UnknownAlarmState("BROKEN".into())));
    let wrong = parse(alarm_action(json!({"value": 5}), json!({})));
    assert!(
        matches!(wrong, Err(EventError::WrongShape(ref m)) if m.contains("expected a string")),
        "{wrong:?}"
    );
    let positional = parse(alarm_action(json!(["ALARM"]), json!({})));
    assert!(matches!(positional, Err(EventError::WrongShape(ref m)) if m.contains("expected a JSON object")));
    let no_name = json!({"source": "aws.cloudwatch", "alarmData": {"state": {"value": "OK"}}});
    assert_eq!(parse(no_name), Err(EventError::MissingField("alarmName".into())));
    let arn = json!({"FunctionName": "arn:aws:lambda:us-east-1:1:function:f"});
    let bad_arn = parse(alarm_action(json!({"value": "ALARM"}), arn));
    assert!(matches!(bad_arn, Err(EventError::BadFunctionName { source: NameError::BadArn { .. }, .. })));
}

#[test]
fn alarm_shapes_need_the_cloudwatch_source() {
    let mut spoofed = alarm_action(json!({"value": "ALARM"}), json!({"FunctionName": "victim"}));
    spoofed["source"] = json!("com.example.evil");
    assert!(matches!(parse(spoofed), Err(EventError::Unrecognised(_))));
    let state_change = json!({"source": "com.example.evil", "detail-type": "CloudWatch Alarm State Change",
        "detail": {"alarmName": "a", "state": {"value": "ALARM"}}});
    assert!(matches!(parse(state_change), Err(EventError::Unrecognised(_))));
}

#[test]
fn sqs_bodies_are_trusted_for_chain_events_only() {
    let alarm_body = json!({"source": "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change",
        "detail": {"alarmName": "a", "state": {"value": "ALARM"}}});
    let record = json!({"eventSource": "aws:sqs", "body": alarm_body.to_string()});
    assert!(matches!(only_rejection(parse(sqs(record))), EventError::Unrecognised(_)));
    let no_body = json!({"eventSource": "aws:sqs"});
    assert_eq!(only_rejection(parse(sqs(no_body))), EventError::MissingField("body".into()));
}

#[test]
fn chain_objects_of_the_wrong_kind() {
    let event = |guard: Value| json!({"detail-type": "X", "source": "x", "detail": {"runawayGuard": guard}});
    assert!(matches!(parse(event(Value::Null)), Err(EventError::Unrecognised(_))));
    assert_eq!(
        parse(event(json!("root=r;depth=1;function=f"))),
        Err(EventError::BadChain(ChainError::NotAnObject))
    );
    let array_detail = json!({"detail": [{"root": "r", "depth": 1, "function": "f"}]});
    assert!(matches!(parse(array_detail), Err(EventError::WrongShape(_))));
}

#[test]
fn sns_records_need_their_envelope_and_a_string_attribute() {
    let no_sns = json!({"Records": [{"EventSource": "aws:sns"}]});
    assert_eq!(only_rejection(parse(no_sns)), EventError::MissingField("Sns".into()));
    let attribute = json!({"runaway-guard-chain": {"Type": "Binary", "Value": 12}});
    let record = json!({"EventSource": "aws:sns", "Sns": {"Message": "", "MessageAttributes": attribute}});
    assert_eq!(only_rejection(parse(json!({"Records": [record]}))), EventError::BadAttribute);
    let not_alarm = json!({"EventSource": "aws:sns", "Sns": {"Message": "{\"hello\": 1}"}});
    assert_eq!(
        only_rejection(parse(json!({"Records": [not_alarm]}))),
        EventError::MissingField("AlarmName".into())
    );
}

#[test]
fn reads_region_and_account_from_arns() {
    let arn = Some("arn:aws:sqs:eu-west-1:111122223333:q");
    assert_eq!(arn_region_account(arn), (Some("eu-west-1".into()), Some("111122223333".into())));
    assert_eq!(arn_region_account(Some("arn:aws:sns")), (None, None));
    assert_eq!(arn_region_account(None), (None, None));
}

#[test]
fn a_function_arn_dimension_must_agree_with_the_alarms_account_and_region() {
    let arn = "arn:aws:lambda:us-east-1:444455556666:function:payments";
    let mut event = alarm_action(json!({"value": "ALARM"}), json!({"FunctionName": arn}));
    event["accountId"] = json!("111122223333");
    assert_eq!(parse(event.clone()), Err(EventError::ForeignFunctionArn { alarm: "a".into() }));
    event["accountId"] = json!("444455556666");
    event["region"] = json!("eu-west-1");
    assert_eq!(parse(event.clone()), Err(EventError::ForeignFunctionArn { alarm: "a".into() }));
    // Without an envelope account the ARN's account becomes the claim the trust checks judge.
    let bare = alarm_action(json!({"value": "ALARM"}), json!({"FunctionName": arn}));
    let Signal::Alarm(alarm) = parse(bare).unwrap().signals.remove(0) else { panic!("not an alarm") };
    assert_eq!(alarm.account.as_deref(), Some("444455556666"));
    // ... and so does its region: a claim no envelope disputes is still a claim.
    assert_eq!(alarm.region.as_deref(), Some("us-east-1"));
}
