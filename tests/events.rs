//! One parse test per fixture in `tests/fixtures/`, asserting the exact signals or errors.
//! Run with `cargo test --no-default-features --features detector`.

#![cfg(feature = "detector")]

use runaway_guard::chain::{ChainError, ChainHeader};
use runaway_guard::event::{EventError, ParsedEvent, parse_bytes, parse_value};
use runaway_guard::name::{FunctionName, NameError};
use runaway_guard::signal::{
    AlarmMetric, AlarmSignal, AlarmState, AlarmTransport, ChainObservation, Signal, SweepSignal,
};
use runaway_guard::time::Timestamp;

fn fixture(name: &str) -> Result<ParsedEvent, EventError> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    parse_bytes(&std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
}

/// The event's single signal, which must be an alarm.
fn only_alarm(name: &str) -> AlarmSignal {
    match fixture(name).unwrap() {
        ParsedEvent { signals, rejected } if rejected.is_empty() && signals.len() == 1 => match &signals[0] {
            Signal::Alarm(alarm) => alarm.clone(),
            other => panic!("{name}: not an alarm: {other:?}"),
        },
        other => panic!("{name}: {other:?}"),
    }
}

fn at(rfc3339: &str) -> Option<Timestamp> {
    Some(Timestamp::parse_rfc3339(rfc3339).unwrap())
}

fn some(text: &str) -> Option<String> {
    Some(text.to_owned())
}

fn metrics(list: &[(&str, &str)]) -> Vec<AlarmMetric> {
    list.iter().map(|(ns, name)| AlarmMetric { namespace: ns.to_string(), name: name.to_string() }).collect()
}

fn functions(list: &[&str]) -> Vec<FunctionName> {
    list.iter().map(|f| FunctionName::new(f).unwrap()).collect()
}

fn chain(header: &str, emitted_at: Option<Timestamp>, account: &str, region: &str) -> Signal {
    Signal::Chain(ChainObservation {
        header: ChainHeader::parse(header).unwrap(),
        emitted_at,
        account: some(account),
        region: some(region),
    })
}

fn rejected(list: &[(usize, EventError)]) -> Vec<(String, EventError)> {
    list.iter().map(|(i, e)| (format!("Records[{i}]"), e.clone())).collect()
}

#[test]
fn alarm_action_naming_a_function() {
    let alarm = only_alarm("cloudwatch-alarm-action-function.json");
    assert_eq!(
        alarm,
        AlarmSignal {
            alarm_name: "orders-invocations-high".into(),
            alarm_arn: some("arn:aws:cloudwatch:us-east-1:111122223333:alarm:orders-invocations-high"),
            state: AlarmState::Alarm,
            metrics: metrics(&[("AWS/Lambda", "Invocations")]),
            functions: functions(&["orders-worker"]),
            reason: some(
                "Threshold Crossed: 1 out of the last 1 datapoints [48211.0 (20/11/26 09:13:00)] was greater than the threshold (5000.0) (minimum 1 datapoint for OK -> ALARM transition)."
            ),
            at: at("2026-11-20T09:14:03.512Z"),
            account: some("111122223333"),
            region: some("us-east-1"),
            transport: AlarmTransport::LambdaAction,
        }
    );
    assert!(alarm.is_relevant());
}

#[test]
fn alarm_action_metric_math_over_two_functions() {
    let alarm = only_alarm("alarm-action-math-two-functions.json");
    // The expression query names no metric; the ARN dimension yields the bare name; duplicates fold.
    assert_eq!(alarm.metrics, metrics(&[("AWS/Lambda", "Invocations"), ("AWS/Lambda", "Errors")]));
    assert_eq!(alarm.functions, functions(&["fanout-splitter", "fanout-worker"]));
    assert_eq!(alarm.at, at("2026-11-21T14:02:11.005Z"));
    assert_eq!((alarm.region.as_deref(), alarm.state), (Some("eu-west-1"), AlarmState::Alarm));
}

#[test]
fn alarm_action_with_an_invalid_function_is_rejected() {
    assert_eq!(
        fixture("alarm-action-invalid-function.json"),
        Err(EventError::BadFunctionName {
            alarm: "bad-dimension".into(),
            source: NameError::BadCharacter { found: ';' }
        })
    );
}

#[test]
fn eventbridge_account_level_alarm() {
    let alarm = only_alarm("eventbridge-alarm-state-change-account.json");
    assert_eq!(
        alarm,
        AlarmSignal {
            alarm_name: "account-concurrency-high".into(),
            alarm_arn: some("arn:aws:cloudwatch:us-east-1:111122223333:alarm:account-concurrency-high"),
            state: AlarmState::Alarm,
            metrics: metrics(&[("AWS/Lambda", "ConcurrentExecutions")]),
            functions: vec![],
            reason: some(
                "Threshold Crossed: 2 out of the last 2 datapoints were greater than or equal to the threshold (800.0)."
            ),
            at: at("2026-11-20T09:15:10.105Z"),
            account: some("111122223333"),
            region: some("us-east-1"),
            transport: AlarmTransport::EventBridge,
        }
    );
}

#[test]
fn eventbridge_ok_state_with_optional_fields_missing() {
    let alarm = only_alarm("eventbridge-alarm-ok-minimal.json");
    assert_eq!(alarm.state, AlarmState::Ok);
    assert_eq!((alarm.reason, alarm.at), (None, at("2026-11-21T16:29:58.120Z")));
    assert_eq!(alarm.functions, functions(&["orders-worker"]));
    assert_eq!(alarm.metrics, metrics(&[("AWS/Lambda", "Throttles")]));
}

#[test]
fn sns_billing_alarm() {
    let alarm = only_alarm("sns-billing-alarm.json");
    assert_eq!(alarm.metrics, metrics(&[("AWS/Billing", "EstimatedCharges")]));
    assert_eq!((alarm.functions.len(), alarm.region.as_deref()), (0, Some("us-east-1")));
    assert_eq!((alarm.at, alarm.transport), (at("2026-11-20T09:20:00Z"), AlarmTransport::Sns));
    assert_eq!(
        alarm.alarm_arn,
        some("arn:aws:cloudwatch:us-east-1:111122223333:alarm:lambda-estimated-charges")
    );
    assert!(alarm.is_relevant());
}

#[test]
fn sns_cross_region_billing_alarm_keeps_the_alarm_region() {
    let alarm = only_alarm("sns-billing-cross-region.json");
    assert_eq!(
        alarm,
        AlarmSignal {
            alarm_name: "billing-total-100".into(),
            alarm_arn: some("arn:aws:cloudwatch:us-east-1:111122223333:alarm:billing-total-100"),
            state: AlarmState::Alarm,
            metrics: metrics(&[("AWS/Billing", "EstimatedCharges")]),
            functions: vec![],
            reason: some("Threshold Crossed: 1 datapoint [131.40] was greater than the threshold (100.0)."),
            at: at("2026-11-21T18:00:00Z"),
            account: some("111122223333"),
            region: some("us-east-1"),
            transport: AlarmTransport::Sns,
        }
    );
}

#[test]
fn sns_alarm_with_null_description_and_eu_region_name() {
    let alarm = only_alarm("sns-alarm-null-description.json");
    assert_eq!(
        (alarm.alarm_name.as_str(), alarm.region.as_deref()),
        ("thumbnailer-errors", Some("eu-west-1"))
    );
    assert_eq!(alarm.functions, functions(&["thumbnailer"]));
    assert_eq!(alarm.metrics, metrics(&[("AWS/Lambda", "Errors")]));
}

#[test]
fn sns_metric_math_alarm_over_two_functions() {
    let alarm = only_alarm("sns-alarm-math-two-functions.json");
    assert_eq!(alarm.functions, functions(&["stage-a", "stage-b"]));
    assert_eq!(alarm.metrics, metrics(&[("AWS/Lambda", "Invocations")]));
    assert_eq!((alarm.region.as_deref(), alarm.at), (Some("us-west-2"), at("2026-11-21T17:05:00Z")));
}

#[test]
fn sns_record_with_chain_attribute() {
    let parsed = fixture("sns-chain-attribute.json").unwrap();
    let header = "root=1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d;depth=6;function=shipper";
    let want = chain(header, at("2026-11-21T19:00:00.250Z"), "111122223333", "us-east-1");
    assert_eq!(parsed, ParsedEvent { signals: vec![want], rejected: vec![] });
}

#[test]
fn eventbridge_chain_event() {
    let parsed = fixture("eventbridge-chain-event.json").unwrap();
    let header = "root=1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d;depth=17;function=orders-worker";
    let want = chain(header, at("2026-11-20T09:21:07Z"), "111122223333", "us-east-1");
    assert_eq!(parsed, ParsedEvent { signals: vec![want], rejected: vec![] });
}

#[test]
fn eventbridge_chain_event_ignores_unknown_fields_and_missing_time() {
    let parsed = fixture("eventbridge-chain-extra-fields.json").unwrap();
    let want = chain("root=req-0f9e8d7c;depth=1;function=renderer", None, "111122223333", "eu-west-1");
    assert_eq!(parsed.signals, vec![want]);
}

#[test]
fn eventbridge_chain_event_with_a_repeated_depth_is_rejected() {
    assert_eq!(
        fixture("eventbridge-chain-duplicate-depth.json"),
        Err(EventError::BadChain(ChainError::Duplicate("depth".into())))
    );
}

#[test]
fn eventbridge_schedules_are_sweeps() {
    for (name, time, account) in [
        ("eventbridge-schedule.json", "2026-11-20T09:25:00Z", "111122223333"),
        ("example-eventbridge-schedule.json", "2015-10-08T16:53:06Z", "123456789012"),
    ] {
        let want = Signal::Sweep(SweepSignal { at: at(time), account: some(account) });
        assert_eq!(fixture(name).unwrap().signals, vec![want], "{name}");
    }
}

#[test]
fn sqs_batch_of_chain_events() {
    let parsed = fixture("sqs-batch-chain-events.json").unwrap();
    let want: Vec<Signal> = (0..3)
        .map(|i| {
            let header =
                format!("root=1-673dc1b0-000000000000000000000abc;depth={};function=thumbnailer", i + 3);
            chain(&header, at(&format!("2026-11-20T09:22:0{i}Z")), "111122223333", "us-east-1")
        })
        .collect();
    assert_eq!(parsed, ParsedEvent { signals: want, rejected: vec![] });
}

#[test]
fn sqs_bad_records_do_not_hide_good_ones() {
    let parsed = fixture("sqs-batch-with-bad-records.json").unwrap();
    let header =
        |depth: u32| format!("root=1-673dc1b0-000000000000000000000def;depth={depth};function=thumbnailer");
    let signals = vec![
        chain(&header(7), at("2026-11-21T20:00:00Z"), "111122223333", "us-east-1"),
        chain(&header(9), at("2026-11-21T20:00:04Z"), "111122223333", "us-east-1"),
    ];
    let errors = rejected(&[
        (1, EventError::Truncated { line: 1, column: 60 }),
        (2, EventError::BadChain(ChainError::BadDepth("0".into()))),
        (3, EventError::Unrecognised("not an event carrying detail.runawayGuard".into())),
    ]);
    assert_eq!(parsed, ParsedEvent { signals, rejected: errors });
}

#[test]
fn sqs_message_attribute_form() {
    let parsed = fixture("sqs-message-attribute-chain.json").unwrap();
    let want = chain(
        "root=req-8f5b2c4e;depth=2;function=resizer",
        Some(Timestamp::from_millis(1_763_755_200_000)),
        "111122223333",
        "us-east-1",
    );
    let errors = rejected(&[
        (1, EventError::BadChain(ChainError::Duplicate("depth".into()))),
        (2, EventError::BadAttribute),
    ]);
    assert_eq!(parsed, ParsedEvent { signals: vec![want], rejected: errors });
}

#[test]
fn sqs_batch_that_is_all_bad_is_still_ok() {
    let parsed = fixture("sqs-all-bad.json").unwrap();
    let errors = rejected(&[
        (0, EventError::NotJson("expected ident at line 1 column 2".into())),
        (1, EventError::BadChain(ChainError::Missing("function"))),
    ]);
    assert_eq!(parsed, ParsedEvent { signals: vec![], rejected: errors });
}

#[test]
fn truncated_event_is_a_typed_error() {
    assert_eq!(fixture("truncated-chain-event.json"), Err(EventError::Truncated { line: 12, column: 13 }));
}

#[test]
fn unrelated_events_are_rejected_by_name() {
    assert_eq!(
        fixture("s3-notification.json"),
        Ok(ParsedEvent {
            signals: vec![],
            rejected: rejected(&[(0, EventError::UnknownRecordSource("aws:s3".into()))])
        })
    );
    assert_eq!(
        fixture("example-eventbridge-event-obj.json"),
        Err(EventError::Unrecognised(
            "source \"aws.ec2\" with detail-type \"EC2 Instance State-change Notification\" and no detail.runawayGuard"
                .into()
        ))
    );
}

#[test]
fn aws_sample_plain_messages_are_rejected_per_record() {
    let not_json = EventError::NotJson("expected value at line 1 column 1".into());
    for name in ["example-sns-event.json", "example-sqs-event.json"] {
        let want = ParsedEvent { signals: vec![], rejected: rejected(&[(0, not_json.clone())]) };
        assert_eq!(fixture(name), Ok(want), "{name}");
    }
}

#[test]
fn aws_sample_composite_alarms_name_no_metric() {
    for (name, alarm_name, account) in [
        ("example-cloudwatch-alarm-composite.json", "CompositeDemo.Main", "111122223333"),
        (
            "example-cloudwatch-alarm-composite-with-suppressor-alarm.json",
            "ServiceAggregatedAlarm",
            "123456789012",
        ),
    ] {
        let alarm = only_alarm(name);
        assert_eq!((alarm.alarm_name.as_str(), alarm.account.as_deref()), (alarm_name, Some(account)));
        assert_eq!((alarm.metrics.len(), alarm.functions.len()), (0, 0), "{name}");
        assert!(!alarm.is_relevant(), "{name}");
    }
    // AWS's sample writes "12: 56: 46": kept as no time rather than rejected.
    assert_eq!(only_alarm("example-cloudwatch-alarm-composite.json").at, None);
}

#[test]
fn aws_sample_alarms_on_other_services_are_irrelevant() {
    let logs = only_alarm("example-cloudwatch-alarm-metric.json");
    assert_eq!((logs.metrics, logs.at), (metrics(&[("AWS/Logs", "CallCount")]), None));
    for name in [
        "example-cloudwatch-alarm-sns-payload-single-metric.json",
        "example-cloudwatch-alarm-sns-payload-multiple-metrics.json",
    ] {
        let parsed = fixture(name).unwrap();
        assert!(parsed.rejected.is_empty(), "{name}");
        for signal in &parsed.signals {
            let Signal::Alarm(alarm) = signal else { panic!("{name}: {signal:?}") };
            assert_eq!(alarm.metrics, metrics(&[("AWS/EC2", "NetworkOut")]), "{name}");
            assert_eq!((alarm.region.as_deref(), alarm.at), (None, at("2015-06-03T17:43:27.123Z")));
            assert!(!alarm.is_relevant());
        }
    }
    assert_eq!(
        fixture("example-cloudwatch-alarm-sns-payload-multiple-metrics.json").unwrap().signals.len(),
        2
    );
}

#[test]
fn parse_value_agrees_with_parse_bytes_on_every_fixture_without_repeated_keys() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let raw = std::fs::read(&path).unwrap();
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&raw) else { continue };
        if path.ends_with("eventbridge-chain-duplicate-depth.json") {
            continue;
        }
        assert_eq!(parse_value(&value), parse_bytes(&raw), "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} fixtures checked");
}
