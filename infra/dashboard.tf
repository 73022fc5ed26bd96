# The on-call dashboard (var.enable_dashboard, default on): what the guard saw and decided, how busy the
# account is, which functions are busiest, and the state of the module's alarms. The body lives in
# dashboard.json.tftpl so tests/infra.rs can render it and check every metric it names is one the guard
# emits (src/emf.rs) or AWS publishes.

locals {
  # The alarm widget shows alarms of the dashboard's region; the billing alarm lives in us-east-1.
  dashboard_alarm_arns = concat(
    [aws_cloudwatch_metric_alarm.account_concurrency.arn, aws_cloudwatch_metric_alarm.account_invocations.arn],
    [for a in aws_cloudwatch_metric_alarm.function_invocations : a.arn],
    aws_cloudwatch_metric_alarm.per_function_duration[*].arn,
    aws_cloudwatch_metric_alarm.per_function_invocations[*].arn,
    aws_cloudwatch_metric_alarm.per_function_recursion[*].arn,
    aws_cloudwatch_metric_alarm.guard_errors[*].arn,
    [for a in aws_cloudwatch_metric_alarm.dead_letter : a.arn],
    local.region == "us-east-1" ? aws_cloudwatch_metric_alarm.billing[*].arn : [],
  )
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.enable_dashboard ? 1 : 0

  dashboard_name = "${var.name}-${local.region}"
  dashboard_body = templatefile("${path.module}/dashboard.json.tftpl", {
    region                  = local.region
    guard_function          = aws_lambda_function.this.function_name
    dead_letter_queue       = aws_sqs_queue.dead_letter.name
    chain_dead_letter_queue = aws_sqs_queue.chain_dead_letter.name
    alarm_arns              = local.dashboard_alarm_arns
  })
}
