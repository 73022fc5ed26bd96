//! Contributor fixtures: EventBridge "CloudWatch Alarm Contributor State Change".

use runaway_guard::event::EventError;
use runaway_guard::signal::{AlarmState, ContributorMetric, ContributorSignal, MuteDetail, Signal};

use super::*;

fn only_contributor(name: &str) -> ContributorSignal {
    match fixture(name).unwrap() {
        ParsedEvent { signals, rejected, .. } if rejected.is_empty() && signals.len() == 1 => {
            match &signals[0] {
                Signal::Contributor(c) => ContributorSignal::clone(c),
                other => panic!("{name}: not a contributor: {other:?}"),
            }
        }
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn documented_contributor_in_alarm_names_its_function_and_mute_rule() {
    let c = only_contributor("eventbridge-contributor-state-change.json");
    assert_eq!(
        c,
        ContributorSignal {
            alarm_name: "runaway-guard-function-invocations".into(),
            alarm_arn: some("arn:aws:cloudwatch:us-east-1:111122223333:alarm:runaway-guard-function-invocations"),
            contributor_id: "6d442278dba546f6".into(),
            function: functions(&["orders-worker"]).pop(),
            state: AlarmState::Alarm,
            metric: ContributorMetric::Other(
                "SELECT SUM(Invocations) FROM SCHEMA(\"AWS/Lambda\", FunctionName) GROUP BY FunctionName ORDER BY SUM() DESC"
                    .into()
            ),
            expression: some(
                "SELECT SUM(Invocations) FROM SCHEMA(\"AWS/Lambda\", FunctionName) GROUP BY FunctionName ORDER BY SUM() DESC"
            ),
            reason: some(
                "Threshold Crossed: 1 datapoint was greater than the threshold (3000.0). The most recent datapoint which crossed the threshold: [48211.0 (01/12/26 13:40:00)]."
            ),
            at: at("2026-12-01T13:42:04.919Z"),
            account: some("111122223333"),
            region: some("us-east-1"),
            mute: Some(MuteDetail {
                summary: "muted by arn:aws:cloudwatch:us-east-1:111122223333:alarm-mute-rule:weekend-maintenance \
                          from 2026-12-01T10:00:00.000+0000 to 2026-12-01T16:00:00.000+0000"
                    .into()
            }),
        }
    );
}

#[test]
fn ok_contributor_of_a_recursion_alarm_by_arn() {
    let c = only_contributor("eventbridge-contributor-ok-recursion.json");
    assert_eq!(c.state, AlarmState::Ok);
    assert_eq!(c.metric, ContributorMetric::RecursionDropped);
    assert_eq!(c.function, functions(&["thumbnailer"]).pop());
    assert_eq!((c.mute, c.account.as_deref()), (None, Some("111122223333")));
}

#[test]
fn contributor_naming_another_accounts_function_is_rejected() {
    assert_eq!(
        fixture("eventbridge-contributor-foreign-arn.json"),
        Err(EventError::ForeignFunctionArn { alarm: "runaway-guard-function-invocations".into() })
    );
}

#[test]
fn contributor_without_a_function_or_with_a_bad_one() {
    let base = std::fs::read_to_string(format!(
        "{}/tests/fixtures/eventbridge-contributor-state-change.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let table = base.replace("\"FunctionName\": \"orders-worker\"", "\"TableName\": \"orders\"");
    match &parse_bytes(table.as_bytes()).unwrap().signals[..] {
        [Signal::Contributor(c)] => assert_eq!(c.function, None),
        other => panic!("{other:?}"),
    }
    let bad = base.replace("orders-worker", "orders worker!");
    assert!(matches!(parse_bytes(bad.as_bytes()), Err(EventError::BadFunctionName { .. })));
    let state = base.replace("\"value\": \"ALARM\"", "\"value\": \"BROKEN\"");
    assert_eq!(parse_bytes(state.as_bytes()), Err(EventError::UnknownAlarmState("BROKEN".into())));
    let missing = base.replace("\"alarmContributor\"", "\"somethingElse\"");
    assert!(
        matches!(parse_bytes(missing.as_bytes()), Err(EventError::MissingField(f)) if f == "alarmContributor")
    );
}
