//! Alarm fixtures: Lambda actions, EventBridge state changes, SNS classic notifications.

use runaway_guard::event::EventError;
use runaway_guard::name::NameError;
use runaway_guard::signal::{AlarmSignal, AlarmState, AlarmTransport, Signal};

use super::*;

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
