output "function_arn" {
  description = "ARN of the guard function (use it as the alarm action of your own alarms named <name>-*)."
  value       = aws_lambda_function.this.arn
}

output "function_name" {
  description = "Name of the guard function (the CLI and the logs refer to it)."
  value       = aws_lambda_function.this.function_name
}

output "role_arn" {
  description = "ARN of the guard's execution role."
  value       = aws_iam_role.this.arn
}

output "operator_policy_json" {
  description = "IAM policy (JSON) with what the CLI needs for status, reenable, trip and handle: attach it to the platform team's role only. The guard's own role cannot restore a function."
  value       = data.aws_iam_policy_document.operator.json
}

output "trip_cap_table_name" {
  description = "DynamoDB table counting trips per hour across all the guard's execution environments (RUNAWAY_GUARD_TRIP_CAP_TABLE)."
  value       = aws_dynamodb_table.this.name
}

output "log_group_name" {
  description = "CloudWatch Logs group holding the guard's JSON logs."
  value       = aws_cloudwatch_log_group.this.name
}

output "topic_arn" {
  description = "ARN of the alert topic (RUNAWAY_GUARD_TOPIC_ARN); subscribe on-call to it."
  value       = aws_sns_topic.this.arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the alert topic (created here unless kms_key_arn was given)."
  value       = local.kms_key_arn
}

output "queue_url" {
  description = "URL of the SQS queue that batches chain events into the guard."
  value       = aws_sqs_queue.chain.url
}

output "queue_arn" {
  description = "ARN of the SQS queue that batches chain events into the guard."
  value       = aws_sqs_queue.chain.arn
}

output "chain_dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue of chain events the guard failed to process."
  value       = aws_sqs_queue.chain_dead_letter.arn
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue of the guard's failed asynchronous invocations and undeliverable EventBridge targets."
  value       = aws_sqs_queue.dead_letter.arn
}

output "event_rule_names" {
  description = "EventBridge rules feeding the guard: alarm (state changes by prefix, default bus), contributor (contributor events of the per-function alarms; null when both are off), chain (detail.runawayGuard on event_bus_name), sweep (null unless enable_sweep, or enable_rejudge with per-function alarms), drift (CloudTrail-recorded Lambda calls; null unless enable_drift_watch)."
  value = {
    alarm       = aws_cloudwatch_event_rule.alarm.name
    contributor = one(aws_cloudwatch_event_rule.contributor[*].name)
    chain       = aws_cloudwatch_event_rule.chain.name
    sweep       = one(aws_cloudwatch_event_rule.sweep[*].name)
    drift       = one(aws_cloudwatch_event_rule.drift[*].name)
  }
}

output "alarm_names" {
  description = "CloudWatch alarms whose action is the guard: account concurrency, account invocations, per-function classic alarms, and the billing alarm (us-east-1) when enabled. The Metrics Insights alarms are in contributor_alarm_names."
  value = concat(
    [aws_cloudwatch_metric_alarm.account_concurrency.alarm_name, aws_cloudwatch_metric_alarm.account_invocations.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.function_invocations : a.alarm_name],
    aws_cloudwatch_metric_alarm.billing[*].alarm_name,
  )
}

output "billing_topic_arn" {
  description = "ARN of the us-east-1 topic delivering the billing alarm to the guard (null unless enable_billing_alarm)."
  value       = one(aws_sns_topic.billing[*].arn)
}

################################################################################
# Per-function detection and guard health
################################################################################

output "contributor_alarm_names" {
  description = "Metrics Insights alarms whose contributor events reach the guard: duration (null unless enable_function_duration_alarm), invocations (null unless enable_function_invocations_alarm) and recursion (null unless enable_recursion_alarm)."
  value = {
    duration    = one(aws_cloudwatch_metric_alarm.per_function_duration[*].alarm_name)
    invocations = one(aws_cloudwatch_metric_alarm.per_function_invocations[*].alarm_name)
    recursion   = one(aws_cloudwatch_metric_alarm.per_function_recursion[*].alarm_name)
  }
}

output "function_invocations_query" {
  description = "The Metrics Insights query of the per-function Invocations alarm (run it in the console to see the contributors)."
  value       = local.function_invocations_query
}

output "function_duration_query" {
  description = "The Metrics Insights query of the per-function Duration alarm (run it in the console to see the contributors)."
  value       = local.function_duration_query
}

output "health_alarm_names" {
  description = "Alarms on the guard itself (its Errors and its dead-letter queues) that notify the alert topic; empty unless enable_health_alarms."
  value = concat(
    aws_cloudwatch_metric_alarm.guard_errors[*].alarm_name,
    [for a in aws_cloudwatch_metric_alarm.dead_letter : a.alarm_name],
  )
}

output "reserved_concurrency" {
  description = "The guard's reserved concurrency as deployed: reserved_concurrency, or null when account_concurrency_limit is too small to reserve any (the guard then runs unreserved)."
  value       = local.reserve_guard_concurrency ? var.reserved_concurrency : null
}

################################################################################
# What on-call sees: chat channel and dashboard
################################################################################

output "chatbot_configuration_arn" {
  description = "ARN of the Chatbot Slack channel configuration subscribed to the alert topic (null unless chatbot_slack_channel is set)."
  value       = one(aws_chatbot_slack_channel_configuration.this[*].chat_configuration_arn)
}

output "chatbot_role_arn" {
  description = "ARN of the IAM role of the Chatbot channel; its guardrail lets it read alarms and render their charts only (null unless chatbot_slack_channel is set)."
  value       = one(aws_iam_role.chatbot[*].arn)
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard (null unless enable_dashboard)."
  value       = one(aws_cloudwatch_dashboard.this[*].dashboard_name)
}

output "dashboard_url" {
  description = "Console URL of the CloudWatch dashboard (null unless enable_dashboard)."
  value       = var.enable_dashboard ? "https://${local.region}.console.aws.amazon.com/cloudwatch/home?region=${local.region}#dashboards/dashboard/${aws_cloudwatch_dashboard.this[0].dashboard_name}" : null
}

output "record_key_arn" {
  description = "ARN of the HMAC key that signs trip records (RUNAWAY_GUARD_RECORD_KEY_ARN). Operators who run `runaway-guard status` / `reenable` need kms:VerifyMac on it, and those who run `runaway-guard trip` kms:GenerateMac too (list them in record_signer_arns)."
  value       = aws_kms_key.trip_record.arn
}

output "parking_queue_arn" {
  description = "The parking queue where a trip parks asynchronous events of a function with neither a DLQ nor an on-failure destination (null when enable_parking is false)."
  value       = var.enable_parking ? aws_sqs_queue.parking[0].arn : null
}

output "parking_queue_url" {
  description = "The parking queue's URL, for `runaway-guard replay` and inspection (null when enable_parking is false)."
  value       = var.enable_parking ? aws_sqs_queue.parking[0].id : null
}
