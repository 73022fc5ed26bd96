# Alarms on the guard itself. They page the alert topic (the one on-call already subscribes to), never the
# guard: a guard that fails, or whose invocations end in a dead-letter queue, must be seen by a person.
# $0.10 per alarm per month each; switched off together with enable_health_alarms = false.

locals {
  health_alarm_actions = [aws_sns_topic.this.arn]

  dead_letter_queues = {
    dead-letter = {
      queue = aws_sqs_queue.dead_letter.name
      holds = "guard invocations and EventBridge deliveries that failed (alarms, contributor events, sweeps)"
    }
    chain-dead-letter = {
      queue = aws_sqs_queue.chain_dead_letter.name
      holds = "chain events the guard failed to process ${var.sqs_max_receive_count} times"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "guard_errors" {
  count = var.enable_health_alarms ? 1 : 0

  alarm_name        = "${var.name}-guard-errors"
  alarm_description = "${var.name} itself failed (function error or timeout): read its log group ${aws_cloudwatch_log_group.this.name}. A failed alarm invocation is retried, then lands in ${aws_sqs_queue.dead_letter.name}."

  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"

  alarm_actions = local.health_alarm_actions
  ok_actions    = local.health_alarm_actions
  tags          = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dead_letter" {
  for_each = var.enable_health_alarms ? local.dead_letter_queues : {}

  alarm_name        = "${var.name}-${each.key}-messages"
  alarm_description = "Messages in ${each.value.queue}: ${each.value.holds}. Inspect and redrive them; the guard did not act on them."

  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value.queue }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  # SQS stops publishing a queue's metrics after six idle hours, while its messages stay: missing data
  # keeps the alarm where it is instead of clearing it.
  treat_missing_data = "ignore"

  alarm_actions = local.health_alarm_actions
  ok_actions    = local.health_alarm_actions
  tags          = var.tags
}
