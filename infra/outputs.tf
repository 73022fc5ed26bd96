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
  description = "EventBridge rules feeding the guard: alarm (state changes by prefix, default bus), chain (detail.runawayGuard on event_bus_name), sweep (null unless enable_sweep)."
  value = {
    alarm = aws_cloudwatch_event_rule.alarm.name
    chain = aws_cloudwatch_event_rule.chain.name
    sweep = one(aws_cloudwatch_event_rule.sweep[*].name)
  }
}

output "alarm_names" {
  description = "CloudWatch alarms whose action is the guard: account concurrency, account invocations, per-function alarms, and the billing alarm (us-east-1) when enabled."
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
