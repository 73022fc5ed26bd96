//! The plan reader's own edges: addresses, bad input, unknown values resolved through references.

use super::*;

#[test]
fn indexes_are_stripped_from_addresses() {
    assert_eq!(strip_indexes(r#"module.a["x[1]"].aws_sqs_queue.q[0]"#), "module.a.aws_sqs_queue.q");
    assert_eq!(strip_indexes("aws_sqs_queue.q"), "aws_sqs_queue.q");
}

#[test]
fn what_is_not_a_plan_is_bad_input() {
    assert!(matches!(parse("{"), Err(PlanError::NotJson(_))));
    assert!(matches!(parse("{}"), Err(PlanError::NotAPlan(_))));
    assert!(matches!(parse(r#"{"format_version":"1.2"}"#), Err(PlanError::NotAPlan(_))));
}

#[test]
fn unknown_arns_come_from_configuration_references() {
    let plan = serde_json::json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"child_modules": [{"address": "module.app", "resources": [
            {"address": "module.app.aws_sqs_queue.jobs", "mode": "managed", "type": "aws_sqs_queue", "name": "jobs",
             "values": {"name": "jobs"}},
            {"address": "module.app.aws_lambda_function.worker", "mode": "managed", "type": "aws_lambda_function",
             "name": "worker", "values": {"function_name": "worker", "memory_size": 512}},
            {"address": "module.app.aws_lambda_event_source_mapping.jobs[0]", "mode": "managed",
             "type": "aws_lambda_event_source_mapping", "name": "jobs", "values": {"enabled": true}}
        ]}]}},
        "configuration": {"provider_config": {"aws": {"expressions": {"region": {"constant_value": "eu-west-1"}}}},
            "root_module": {"module_calls": {"app": {"module": {"resources": [
                {"address": "aws_lambda_event_source_mapping.jobs", "expressions": {
                    "event_source_arn": {"references": ["aws_sqs_queue.jobs.arn", "aws_sqs_queue.jobs"]},
                    "function_name": {"references": ["aws_lambda_function.worker.arn", "aws_lambda_function.worker"]}}}
            ]}}}}}
    });
    let wiring = parse(&plan.to_string()).expect("plan parses");
    assert_eq!(wiring.region, "eu-west-1");
    assert_eq!(wiring.functions[0].memory_mb, 512);
    let trigger = &wiring.triggers[0];
    assert_eq!(trigger.source, "arn:aws:sqs:eu-west-1:*:jobs");
    assert_eq!(trigger.target, "arn:aws:lambda:eu-west-1:*:function:worker");
}
