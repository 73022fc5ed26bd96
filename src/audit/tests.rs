//! The audit end to end on hand-built wirings: the cases the plan and live zoos do not cover.

use serde_json::json;

use super::iam::{NamedPolicy, PolicyDocument, Role};
use super::model::{Filter, Function, RecursiveLoop, Trigger, Via, Wiring};
use super::*;
use crate::ports::Architecture;

const FN: &str = "arn:aws:lambda:us-east-1:111122223333:function:";

fn wiring(functions: &[(&str, serde_json::Value)], triggers: Vec<Trigger>) -> Wiring {
    let mut w = Wiring {
        account: Some("111122223333".into()),
        region: "us-east-1".into(),
        triggers,
        ..Wiring::default()
    };
    for (name, policy) in functions {
        let role = format!("arn:aws:iam::111122223333:role/{name}");
        let document = PolicyDocument::from_value(policy).expect("test policy");
        w.roles.insert(
            role.clone(),
            Role {
                arn: role.clone(),
                policies: vec![NamedPolicy { name: format!("{name}-policy"), document }],
                boundary: None,
            },
        );
        w.functions.push(Function {
            name: (*name).into(),
            arn: format!("{FN}{name}"),
            role: Some(role),
            memory_mb: 128,
            architecture: Architecture::Arm64,
            reserved_concurrency: Some(5),
            recursive_loop: RecursiveLoop::Terminate,
        });
    }
    w
}

fn allow(action: &str, resource: &str, condition: bool) -> serde_json::Value {
    let mut s = json!({"Sid": "S", "Effect": "Allow", "Action": action, "Resource": resource});
    if condition {
        s["Condition"] = json!({"StringEquals": {"aws:RequestTag/x": "y"}});
    }
    json!({"Statement": [s]})
}

#[test]
fn a_stream_filter_on_event_names_the_writes_cannot_produce() {
    let table = "arn:aws:dynamodb:us-east-1:111122223333:table/t";
    let trigger = |names: serde_json::Value| Trigger {
        source: format!("{table}/stream/2026"),
        target: format!("{FN}f"),
        via: Via::Mapping { max_concurrency: None, parallelization: None },
        filter: Filter::Patterns(vec![json!({"eventName": names})]),
    };
    let w = wiring(&[("f", allow("dynamodb:UpdateItem", table, false))], vec![trigger(json!(["REMOVE"]))]);
    let report = analyse(&w, "plan", &Options::default());
    assert_eq!(report.cycles[0].matches, "cannot");
    assert_eq!(
        report.cycles[0].reason,
        "the mapping's filter passes only REMOVE records, which dynamodb:UpdateItem cannot produce"
    );
    let w = wiring(
        &[("f", allow("dynamodb:UpdateItem", table, false))],
        vec![trigger(json!(["INSERT", "REMOVE"]))],
    );
    assert_eq!(analyse(&w, "plan", &Options::default()).cycles[0].matches, "may");
}

#[test]
fn functions_invoking_each_other_and_a_conditional_allow() {
    let w = wiring(
        &[
            ("f", allow("lambda:InvokeFunction", &format!("{FN}g"), true)),
            ("g", allow("lambda:Invoke*", &format!("{FN}f:*"), false)),
        ],
        vec![],
    );
    let report = analyse(&w, "live", &Options::default());
    let cycle = &report.cycles[0];
    assert_eq!(cycle.functions.len(), 2);
    assert_eq!(cycle.matches, "may");
    assert!(cycle.reason.contains("Condition"), "{}", cycle.reason);
    assert_eq!(cycle.aws_loop_detection.stops_it, "yes");
    // Reserved concurrency 5, 128 MB arm64, 18,000 invocations an hour each: cents.
    assert!(cycle.cost_per_hour_usd < 0.1 && cycle.cost_per_hour_usd > 0.0);
}

#[test]
fn s3_events_through_eventbridge_match_only_rules_that_allow_aws_s3() {
    let bucket = "arn:aws:s3:::b";
    let bus = "arn:aws:events:us-east-1:111122223333:event-bus/default";
    let triggers = |source: &str| {
        vec![
            Trigger {
                source: bucket.into(),
                target: bus.into(),
                via: Via::BucketToEventBridge,
                filter: Filter::None,
            },
            Trigger {
                source: bus.into(),
                target: format!("{FN}f"),
                via: Via::Rule { name: "r".into() },
                filter: Filter::EventPattern(json!({"source": [source]})),
            },
        ]
    };
    let policy = allow("s3:PutObject", "arn:aws:s3:::b/*", false);
    let may = analyse(&wiring(&[("f", policy.clone())], triggers("aws.s3")), "plan", &Options::default());
    assert_eq!(may.cycles[0].matches, "may");
    assert_eq!(may.cycles[0].aws_loop_detection.stops_it, "no");
    let cannot = analyse(&wiring(&[("f", policy)], triggers("aws.ec2")), "plan", &Options::default());
    assert_eq!(cannot.cycles[0].reason, "rule r matches only source aws.ec2, never aws.s3");
}

#[test]
fn no_function_no_loop_and_fixes_are_ranked() {
    let w = wiring(
        &[("f", allow("sqs:SendMessage", "*", false))],
        vec![Trigger {
            source: "arn:aws:sqs:us-east-1:111122223333:q".into(),
            target: format!("{FN}f"),
            via: Via::Mapping { max_concurrency: Some(2), parallelization: None },
            filter: Filter::None,
        }],
    );
    let report = analyse(&w, "plan", &Options::default());
    let efforts: Vec<u8> = report.cycles[0].fixes.iter().map(|f| f.effort).collect();
    assert!(efforts.windows(2).all(|p| p[0] <= p[1]), "{efforts:?}");
    assert_eq!(efforts.first(), Some(&1));
    assert_eq!(efforts.last(), Some(&3));
    let none = analyse(&wiring(&[], vec![]), "plan", &Options::default());
    assert!(none.cycles.is_empty() && none.ruled_out.is_empty());
}
