//! The blast-radius cap under a flood of alarms naming many functions (issue 6 item 4): one metric-math
//! alarm naming dozens of functions, and a stream of alarms into one execution environment. Also: an
//! alarm naming the guard itself or an exempt function never throttles it, and uses no slot of the cap.
//! Run through `scripts/test.sh` (moto, cargo-lambda).
#![cfg(feature = "guard")]

use crate::common::guard::{attribute, handle};
use crate::common::lambda::Lambda;
use crate::common::{ACCOUNT, FunctionSpec, Moto};
use runaway_guard::ports::tags;
use serde_json::{Value, json};

const CAP: usize = 3;

/// A CloudWatch alarm-action event (ALARM) for a metric-math alarm over each function's invocations.
fn math_alarm(name: &str, functions: &[String]) -> Value {
    let mut metrics = vec![json!({ "id": "e1", "expression": "SUM(METRICS())", "returnData": true })];
    metrics.extend(functions.iter().enumerate().map(|(i, f)| {
        json!({
            "id": format!("m{i}"),
            "metricStat": {
                "metric": { "namespace": "AWS/Lambda", "name": "Invocations", "dimensions": { "FunctionName": f } },
                "period": 60,
                "stat": "Sum"
            },
            "returnData": false
        })
    }));
    json!({
        "source": "aws.cloudwatch",
        "alarmArn": format!("arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{name}"),
        "accountId": ACCOUNT,
        "time": "2026-11-21T14:02:11.007+0000",
        "region": "us-east-1",
        "alarmData": {
            "alarmName": name,
            "state": { "value": "ALARM", "reason": "Threshold Crossed", "timestamp": "2026-11-21T14:02:11.005+0000" },
            "previousState": { "value": "OK", "reason": "ok", "timestamp": "2026-11-21T13:00:00.000+0000" },
            "configuration": { "description": null, "metrics": metrics }
        }
    })
}

fn names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}-{i:02}")).collect()
}

fn count(outcomes: &[(String, String)], outcome: &str) -> usize {
    outcomes.iter().filter(|(_, o)| o == outcome).count()
}

fn outcomes_of(report: &Value) -> Vec<(String, String)> {
    let decisions = report["decisions"].as_array().unwrap_or_else(|| panic!("no decisions in {report}"));
    let text = |v: &Value| v.as_str().unwrap_or_else(|| panic!("not a string: {v}")).to_owned();
    decisions.iter().map(|d| (text(&d["function"]), text(&d["outcome"]))).collect()
}

/// Functions moto holds at reserved concurrency 0; everything else must equal `before`.
async fn throttled_and_untouched(moto: &Moto, before: &crate::common::guard::Snapshot) -> Vec<String> {
    let after = moto.snapshot().await;
    let mut throttled = Vec::new();
    for (function, state) in &after {
        if state.0 == Some(0) {
            assert!(state.1.contains_key(tags::TRIPPED_AT), "{function} throttled without a record");
            throttled.push(function.clone());
        } else {
            assert_eq!(state, &before[function], "{function} was not throttled, so must be untouched");
        }
    }
    throttled
}

/// The named functions trust their alarms (`runaway-guard:trust-alarms=true`): each alarm acts
/// without a judgement, which is what fills the cap.
async fn arrange(moto: &Moto, functions: &[String]) {
    let trusting = FunctionSpec { tags: &[(tags::TRUST_ALARMS, "true")], ..FunctionSpec::default() };
    for f in functions {
        moto.create_function_with(f, trusting).await;
    }
    let exempt = FunctionSpec {
        tags: &[(tags::EXEMPT, "true"), (tags::TRUST_ALARMS, "true")],
        ..FunctionSpec::default()
    };
    moto.create_function_with("payments", exempt).await;
    moto.create_function("runaway-guard-prod").await;
}

#[tokio::test]
async fn one_alarm_naming_sixty_functions_throttles_the_cap_and_alerts_at_most_fifty() {
    let moto = Moto::start().await;
    let functions = names("fan", 60);
    arrange(&moto, &functions).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let before = moto.snapshot().await;

    // The guard itself and an exempt function first: they must use no slot of the cap.
    let mut named = vec!["runaway-guard-prod".to_owned(), "payments".to_owned()];
    named.extend(functions.iter().cloned());
    let run = handle(&topic, &math_alarm("fan-out", &named))
        .env("RUNAWAY_GUARD_MAX_TRIPS_PER_HOUR", &CAP.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "runaway-guard-prod")
        .run();
    assert_eq!(run.code, 0, "{run:?}");
    let outcomes = run.outcomes();
    assert_eq!(outcomes.len(), 62, "{outcomes:?}");
    assert_eq!(
        (count(&outcomes, "throttled"), count(&outcomes, "capped")),
        (CAP, 62 - 2 - CAP),
        "{outcomes:?}"
    );
    for exempt in ["payments", "runaway-guard-prod"] {
        assert!(outcomes.contains(&(exempt.to_owned(), "exempt".to_owned())), "{outcomes:?}");
    }
    let throttled = throttled_and_untouched(&moto, &before).await;
    assert_eq!(throttled.len(), CAP, "{throttled:?}");
    assert!(throttled.iter().all(|f| f.starts_with("fan-")), "{throttled:?}");

    // docs/limits-and-faults.md: capped trips are alerted, but only for the first MAX_FUNCTIONS_PER_EVENT (50) functions
    // of an event; the rest are capped without any AWS call. 50 acted on − 2 exempt (not alerted) = 48.
    let alerts = moto.delivered(&queue).await;
    let by_outcome = |o: &str| alerts.iter().filter(|a| attribute(a, "outcome") == o).count();
    assert_eq!((by_outcome("throttled"), by_outcome("capped"), alerts.len()), (CAP, 45, 48));
}

#[tokio::test]
async fn thirty_alarms_into_one_execution_environment_throttle_only_the_cap() {
    let moto = Moto::start().await;
    let functions = names("solo", 30);
    arrange(&moto, &functions).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    let before = moto.snapshot().await;
    let cap = CAP.to_string();
    let env =
        [("RUNAWAY_GUARD_MAX_TRIPS_PER_HOUR", cap.as_str()), ("RUNAWAY_GUARD_EXEMPT", "runaway-guard-prod")];
    let lambda = Lambda::start_with(&topic, &env, None);

    let mut outcomes = Vec::new();
    for (i, f) in functions.iter().enumerate() {
        outcomes.extend(outcomes_of(
            &lambda.invoke(math_alarm(&format!("alarm-{i}"), std::slice::from_ref(f)).to_string().as_bytes()),
        ));
    }
    for f in ["runaway-guard-prod", "payments"] {
        let report = lambda.invoke(math_alarm(&format!("alarm-{f}"), &[f.to_owned()]).to_string().as_bytes());
        assert_eq!(outcomes_of(&report), [(f.to_owned(), "exempt".to_owned())], "{report}");
    }
    assert_eq!(outcomes.len(), 30, "{outcomes:?}");
    assert_eq!((count(&outcomes, "throttled"), count(&outcomes, "capped")), (CAP, 30 - CAP), "{outcomes:?}");
    let throttled = throttled_and_untouched(&moto, &before).await;
    let first: Vec<_> = functions[..CAP].to_vec();
    assert_eq!(throttled, first, "the first alarms take the slots, in order");
    let alerts = moto.delivered(&queue).await;
    let by_outcome = |o: &str| alerts.iter().filter(|a| attribute(a, "outcome") == o).count();
    assert_eq!((by_outcome("throttled"), by_outcome("capped"), alerts.len()), (CAP, 30 - CAP, 30));
}
