//! The alarms and rules the module creates for per-function detection and for the guard's own health:
//! their shape is what the guard and the simulator rely on (docs/cost.md, the simulator's default
//! alarms), so drift fails here rather than at `terraform apply` or in production.

use hcl::{Block, Body, Expression};

use super::{attr, blocks, infra, label, parse};

fn resource<'a>(body: &'a Body, kind: &str, name: &str) -> &'a Block {
    blocks(body, "resource")
        .find(|b| label(b, 0) == kind && label(b, 1) == name)
        .unwrap_or_else(|| panic!("no resource {kind}.{name}"))
}

fn text(body: &Body, key: &str) -> String {
    attr(body, key).map(|e| e.to_string()).unwrap_or_default()
}

/// Every `locals` block of the file, rendered back to HCL.
fn locals_text(body: &Body) -> String {
    blocks(body, "locals")
        .map(|b| hcl::to_string(b.body()).unwrap_or_else(|e| panic!("render locals: {e}")))
        .collect()
}

fn number(body: &Body, key: &str) -> Option<i64> {
    match attr(body, key) {
        Some(Expression::Number(n)) => n.as_i64(),
        _ => None,
    }
}

#[test]
fn per_function_alarms_are_multi_series_metrics_insights_queries_of_60_s() {
    let body = parse(&infra().join("alarms.tf"));
    let locals: String = locals_text(&body);
    for (name, metric) in [
        ("per_function_duration", "Duration"),
        ("per_function_invocations", "Invocations"),
        ("per_function_recursion", "RecursiveInvocationsDropped"),
    ] {
        let alarm = resource(&body, "aws_cloudwatch_metric_alarm", name).body();
        // PutMetricAlarm rejects a Metrics array next to Namespace/MetricName/Statistic/Period.
        for single_metric in ["namespace", "metric_name", "statistic", "period", "dimensions"] {
            assert!(attr(alarm, single_metric).is_none(), "{name} sets {single_metric} beside metric_query");
        }
        let queries: Vec<&Block> = blocks(alarm, "metric_query").collect();
        assert_eq!(queries.len(), 1, "{name} must hold exactly one query");
        let query = queries[0].body();
        assert_eq!(number(query, "period"), Some(60), "{name}: period");
        assert!(matches!(attr(query, "return_data"), Some(Expression::Bool(true))), "{name}: return_data");
        // The Duration and Invocations alarms wait `function_invocations_minutes` in a row (so the
        // first judgement sees that many published minutes); the recursion alarm acts on one.
        let (periods, datapoints) = (text(alarm, "evaluation_periods"), text(alarm, "datapoints_to_alarm"));
        let minutes = if name == "per_function_recursion" { "1" } else { "var.function_invocations_minutes" };
        assert_eq!((periods.as_str(), datapoints.as_str()), (minutes, minutes), "{name}: M of N");
        assert_eq!(text(alarm, "comparison_operator"), "\"GreaterThanThreshold\"");
        assert!(attr(alarm, "alarm_actions").is_none(), "{name}: contributor events go through EventBridge");
        let select = format!("SELECT SUM({metric}) FROM SCHEMA(\\\"AWS/Lambda\\\", FunctionName)");
        assert!(locals.contains(&select), "alarms.tf locals do not build {select}");
    }
    assert!(
        locals.contains("GROUP BY FunctionName ORDER BY SUM() DESC"),
        "queries must group by FunctionName"
    );
    let recursion = resource(&body, "aws_cloudwatch_metric_alarm", "per_function_recursion").body();
    assert_eq!(number(recursion, "threshold"), Some(0));
}

#[test]
fn contributor_rule_routes_only_the_modules_alarms_in_alarm_to_the_guard() {
    let body = parse(&infra().join("events.tf"));
    let rule = resource(&body, "aws_cloudwatch_event_rule", "contributor").body();
    let pattern = text(rule, "event_pattern");
    for needle in [
        "aws.cloudwatch",
        "CloudWatch Alarm Contributor State Change",
        "local.contributor_alarm_arns",
        "ALARM",
    ] {
        assert!(pattern.contains(needle), "contributor rule pattern lacks {needle}: {pattern}");
    }
    let locals: String = locals_text(&body);
    for alarm in ["per_function_duration", "per_function_invocations", "per_function_recursion"] {
        assert!(locals.contains(alarm), "contributor_alarm_arns omits {alarm}");
    }
    let target = resource(&body, "aws_cloudwatch_event_target", "contributor").body();
    assert_eq!(text(target, "arn"), "aws_lambda_function.this.arn");
    assert!(blocks(target, "dead_letter_config").next().is_some(), "contributor target has no DLQ");
    assert!(locals.contains("aws_cloudwatch_event_rule.contributor"), "the DLQ policy must admit the rule");
}

#[test]
fn health_alarms_page_the_alert_topic_about_errors_and_both_dead_letter_queues() {
    let body = parse(&infra().join("health.tf"));
    let locals: String = locals_text(&body);
    assert!(locals.contains("aws_sns_topic.this.arn"), "health alarms must notify the alert topic");
    for queue in ["aws_sqs_queue.dead_letter.name", "aws_sqs_queue.chain_dead_letter.name"] {
        assert!(locals.contains(queue), "no alarm on {queue}");
    }
    let errors = resource(&body, "aws_cloudwatch_metric_alarm", "guard_errors").body();
    assert_eq!(text(errors, "metric_name"), "\"Errors\"");
    assert!(text(errors, "dimensions").contains("aws_lambda_function.this.function_name"));
    let dlq = resource(&body, "aws_cloudwatch_metric_alarm", "dead_letter").body();
    assert_eq!(text(dlq, "metric_name"), "\"ApproximateNumberOfMessagesVisible\"");
    for alarm in [errors, dlq] {
        assert_eq!(text(alarm, "alarm_actions"), "local.health_alarm_actions");
        assert_eq!(number(alarm, "threshold"), Some(0));
        assert_eq!(text(alarm, "comparison_operator"), "\"GreaterThanThreshold\"");
    }
}

#[test]
fn guard_reservation_is_dropped_below_the_accounts_unreserved_minimum() {
    let body = parse(&infra().join("main.tf"));
    let function = resource(&body, "aws_lambda_function", "this").body();
    assert_eq!(text(function, "reserved_concurrent_executions"), "local.guard_reserved_concurrency");
    let locals: String = locals_text(&body);
    assert!(locals.contains("100"), "the 100 unreserved slots Lambda keeps must be in the rule");
    let check = blocks(&body, "check").find(|b| label(b, 0) == "guard_reservation");
    let check = check.expect("main.tf has no check \"guard_reservation\" (the warning)");
    assert!(blocks(check.body(), "assert").next().is_some());
}
