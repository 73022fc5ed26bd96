//! Plan resources → the wiring's triggers: EventBridge targets (with their rule's pattern), S3
//! bucket notifications (and S3 → EventBridge), event source mappings (with filters), SNS
//! subscriptions and Lambda destinations. Disabled rules and mappings deliver nothing: skipped.

use serde_json::Value;

use super::resolve::{Resolver, Target};
use crate::audit::model::{Filter, Trigger, Unread, Via, Wiring};

pub(super) fn read(r: &Resolver<'_>, w: &mut Wiring) {
    rule_targets(r, w);
    notifications(r, w);
    mappings(r, w);
    subscriptions(r, w);
    destinations(r, w);
}

fn function_arn(r: &Resolver<'_>, target: &Target<'_>) -> String {
    r.arn(target, |name| r.build("lambda", &format!("function:{name}")))
}

fn rule_targets(r: &Resolver<'_>, w: &mut Wiring) {
    for target in r.of_kind("aws_cloudwatch_event_target") {
        let Some(rule) = r.target(target, target.values, target.expressions, "rule").and_then(|t| match t {
            Target::Resource(rule) => Some(rule),
            Target::Literal(name) => r
                .of_kind("aws_cloudwatch_event_rule")
                .find(|rule| rule.values.get("name").and_then(Value::as_str) == Some(name.as_str())),
        }) else {
            w.unread.push(Unread {
                subject: target.address.clone(),
                error: "its rule is not in the plan".into(),
            });
            continue;
        };
        let disabled = rule.values.get("state").and_then(Value::as_str) == Some("DISABLED")
            || rule.values.get("is_enabled") == Some(&Value::Bool(false));
        let Some(pattern_text) = rule.values.get("event_pattern").and_then(Value::as_str) else {
            continue; // A schedule fires on time, not on anything a function writes.
        };
        let Some(to) = r.target(target, target.values, target.expressions, "arn") else { continue };
        if disabled {
            continue;
        }
        let filter = serde_json::from_str(pattern_text).map_or(Filter::None, Filter::EventPattern);
        let bus = match r.target(rule, rule.values, rule.expressions, "event_bus_name") {
            Some(t) => r.arn(&t, |name| r.build("events", &format!("event-bus/{name}"))),
            None => r.build("events", "event-bus/default"),
        };
        let name = rule.values.get("name").and_then(Value::as_str).unwrap_or(&rule.address).to_owned();
        w.triggers.push(Trigger {
            source: bus,
            target: r.arn(&to, str::to_owned),
            via: Via::Rule { name },
            filter,
        });
    }
}

fn notifications(r: &Resolver<'_>, w: &mut Wiring) {
    for n in r.of_kind("aws_s3_bucket_notification") {
        let Some(bucket) = r.target(n, n.values, n.expressions, "bucket") else { continue };
        let bucket = r.arn(&bucket, |name| format!("arn:aws:s3:::{name}"));
        for (block, key) in
            [("lambda_function", "lambda_function_arn"), ("queue", "queue_arn"), ("topic", "topic_arn")]
        {
            for (i, values) in blocks(n.values, block).iter().enumerate() {
                let exprs = blocks(n.expressions, block).get(i).copied().unwrap_or(&Value::Null);
                let Some(target) = r.target(n, values, exprs, key) else { continue };
                let text = |k: &str| values.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                let events = values
                    .get("events")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect();
                w.triggers.push(Trigger {
                    source: bucket.clone(),
                    target: function_arn(r, &target),
                    via: Via::BucketNotification { events },
                    filter: Filter::Key { prefix: text("filter_prefix"), suffix: text("filter_suffix") },
                });
            }
        }
        if n.values.get("eventbridge") == Some(&Value::Bool(true)) {
            let bus = r.build("events", "event-bus/default");
            w.triggers.push(Trigger {
                source: bucket,
                target: bus,
                via: Via::BucketToEventBridge,
                filter: Filter::None,
            });
        }
    }
}

fn blocks<'v>(values: &'v Value, key: &str) -> Vec<&'v Value> {
    values.get(key).and_then(Value::as_array).map(|a| a.iter().collect()).unwrap_or_default()
}

fn mappings(r: &Resolver<'_>, w: &mut Wiring) {
    for m in r.of_kind("aws_lambda_event_source_mapping") {
        if m.values.get("enabled") == Some(&Value::Bool(false)) {
            continue;
        }
        let (Some(source), Some(function)) = (
            r.target(m, m.values, m.expressions, "event_source_arn"),
            r.target(m, m.values, m.expressions, "function_name"),
        ) else {
            continue;
        };
        let patterns: Vec<Value> = m
            .values
            .pointer("/filter_criteria/0/filter")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|f| f.get("pattern").and_then(Value::as_str))
            .filter_map(|p| serde_json::from_str(p).ok())
            .collect();
        let number = |pointer: &str| {
            m.values.pointer(pointer).and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok())
        };
        w.triggers.push(Trigger {
            source: r.arn(&source, str::to_owned),
            target: function_arn(r, &function),
            via: Via::Mapping {
                max_concurrency: number("/scaling_config/0/maximum_concurrency"),
                parallelization: number("/parallelization_factor"),
            },
            filter: if patterns.is_empty() { Filter::None } else { Filter::Patterns(patterns) },
        });
    }
}

fn subscriptions(r: &Resolver<'_>, w: &mut Wiring) {
    for s in r.of_kind("aws_sns_topic_subscription") {
        let protocol = s.values.get("protocol").and_then(Value::as_str).unwrap_or("");
        if !matches!(protocol, "lambda" | "sqs") {
            continue;
        }
        let (Some(topic), Some(endpoint)) = (
            r.target(s, s.values, s.expressions, "topic_arn"),
            r.target(s, s.values, s.expressions, "endpoint"),
        ) else {
            continue;
        };
        w.triggers.push(Trigger {
            source: r.arn(&topic, str::to_owned),
            target: r.arn(&endpoint, str::to_owned),
            via: Via::Subscription,
            filter: Filter::None,
        });
    }
}

fn destinations(r: &Resolver<'_>, w: &mut Wiring) {
    for c in r.of_kind("aws_lambda_function_event_invoke_config") {
        let Some(function) = r.target(c, c.values, c.expressions, "function_name") else { continue };
        let function = function_arn(r, &function);
        for (condition, key) in [("on-success", "on_success"), ("on-failure", "on_failure")] {
            let values = c.values.pointer(&format!("/destination_config/0/{key}/0")).unwrap_or(&Value::Null);
            let exprs =
                c.expressions.pointer(&format!("/destination_config/0/{key}/0")).unwrap_or(&Value::Null);
            if let Some(to) = r.target(c, values, exprs, "destination") {
                w.triggers.push(Trigger {
                    source: function.clone(),
                    target: r.arn(&to, str::to_owned),
                    via: Via::Destination { condition: condition.to_owned() },
                    filter: Filter::None,
                });
            }
        }
    }
}
