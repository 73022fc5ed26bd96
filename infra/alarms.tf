# Alarms whose action is the guard itself ($0.10 per alarm per month each). Account-level alarms carry no
# FunctionName dimension, so the guard answers them with an offender search; per-function alarms name
# their function. All names start with "<name>-", the pattern the alarm-action permission allows.

locals {
  concurrency_alarm_threshold = floor(var.account_concurrency_limit * var.concurrency_alarm_percent / 100)
}

resource "aws_cloudwatch_metric_alarm" "account_concurrency" {
  alarm_name        = "${var.name}-account-concurrency"
  alarm_description = "Account Lambda concurrency at ${var.concurrency_alarm_percent}% of ${var.account_concurrency_limit}: ${var.name} searches for the offender."

  namespace           = "AWS/Lambda"
  metric_name         = "ConcurrentExecutions"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = local.concurrency_alarm_threshold
  treat_missing_data  = "notBreaching"

  actions_enabled = true
  alarm_actions   = [aws_lambda_function.this.arn]
  tags            = var.tags

  depends_on = [aws_lambda_permission.alarm_action]
}

resource "aws_cloudwatch_metric_alarm" "account_invocations" {
  alarm_name        = "${var.name}-account-invocations"
  alarm_description = "Account Lambda invocations above ${var.account_invocations_threshold}/min: ${var.name} searches for the offender."

  namespace           = "AWS/Lambda"
  metric_name         = "Invocations"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.account_invocations_threshold
  treat_missing_data  = "notBreaching"

  actions_enabled = true
  alarm_actions   = [aws_lambda_function.this.arn]
  tags            = var.tags

  depends_on = [aws_lambda_permission.alarm_action]
}

resource "aws_cloudwatch_metric_alarm" "function_invocations" {
  for_each = var.function_invocation_alarms

  alarm_name        = "${var.name}-function-${each.key}"
  alarm_description = "${each.key} above ${each.value} invocations/min: ${var.name} judges it against its history (throttles at once if tagged runaway-guard:trust-alarms=true)."

  namespace           = "AWS/Lambda"
  metric_name         = "Invocations"
  dimensions          = { FunctionName = each.key }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value
  treat_missing_data  = "notBreaching"

  actions_enabled = true
  alarm_actions   = [aws_lambda_function.this.arn]
  tags            = var.tags

  depends_on = [aws_lambda_permission.alarm_action]
}

################################################################################
# Billing: AWS/Billing exists only in us-east-1, and an alarm can only invoke a Lambda in its own region,
# so the alarm publishes to a topic in us-east-1 that delivers to the guard (which parses SNS-wrapped
# alarms). Enable in ONE instance per account: the metric is account-wide.
################################################################################

resource "aws_sns_topic" "billing" {
  count    = var.enable_billing_alarm ? 1 : 0
  provider = aws.us_east_1

  name              = "${var.name}-billing"
  kms_master_key_id = local.billing_kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "billing_topic" {
  count = var.enable_billing_alarm ? 1 : 0

  statement {
    sid       = "CloudWatchPublishes"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.billing[0].arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.billing[0].arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sns_topic_policy" "billing" {
  count    = var.enable_billing_alarm ? 1 : 0
  provider = aws.us_east_1

  arn    = aws_sns_topic.billing[0].arn
  policy = data.aws_iam_policy_document.billing_topic[0].json
}

resource "aws_lambda_permission" "billing" {
  count = var.enable_billing_alarm ? 1 : 0

  statement_id  = "BillingTopic"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "sns.amazonaws.com"
  source_arn    = aws_sns_topic.billing[0].arn
}

resource "aws_sns_topic_subscription" "billing" {
  count    = var.enable_billing_alarm ? 1 : 0
  provider = aws.us_east_1

  topic_arn = aws_sns_topic.billing[0].arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.this.arn

  depends_on = [aws_lambda_permission.billing]
}

resource "aws_cloudwatch_metric_alarm" "billing" {
  count    = var.enable_billing_alarm ? 1 : 0
  provider = aws.us_east_1

  alarm_name        = "${var.name}-lambda-estimated-charges"
  alarm_description = "Month-to-date Lambda charges above ${var.billing_threshold_usd} USD: ${var.name} searches for the offender."

  namespace           = "AWS/Billing"
  metric_name         = "EstimatedCharges"
  dimensions          = { ServiceName = "AWSLambda", Currency = "USD" }
  statistic           = "Maximum"
  period              = 21600
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.billing_threshold_usd
  treat_missing_data  = "notBreaching"

  actions_enabled = true
  alarm_actions   = [aws_sns_topic.billing[0].arn]
  tags            = var.tags

  depends_on = [aws_sns_topic_policy.billing]
}

################################################################################
# Per-function detection without instrumentation: Metrics Insights alarms on a multi-time-series query.
# Every function is a contributor; CloudWatch sends one "CloudWatch Alarm Contributor State Change" event
# per contributor, which the contributor rule (events.tf) routes to the guard. The alarms have no
# actions of their own: the payload of a contributor alarm action is undocumented, and the parent's
# "N out of M time series" state change carries no function name. Billed $0.10 per metric analyzed per
# month: about $0.10 per function for the Duration alarm, the default, and as much again for the
# optional Invocations alarm (docs/cost.md).
################################################################################

locals {
  per_function_invocations_alarm_name = "${var.name}-per-function-invocations"
  per_function_duration_alarm_name    = "${var.name}-per-function-duration"
  per_function_recursion_alarm_name   = "${var.name}-per-function-recursion"
  # The alarms whose contributors already in ALARM the guard re-judges (DescribeAlarmContributors; the
  # IAM statement ReadAlarmContributors allows exactly "<name>-per-function-*").
  contributor_alarm_names = concat(
    var.enable_function_duration_alarm ? [local.per_function_duration_alarm_name] : [],
    var.enable_function_invocations_alarm ? [local.per_function_invocations_alarm_name] : [],
    var.enable_recursion_alarm ? [local.per_function_recursion_alarm_name] : [],
  )

  # The guard and the env-exempt functions are left out of the query: the guard never acts on them, so
  # their series would only cost money and invoke the guard for nothing. Names are validated
  # ([a-zA-Z0-9_-]), so they need no escaping inside the quotes.
  function_alarm_conditions = concat(
    [for f in distinct(concat([var.name], var.exempt_functions)) : "FunctionName != '${f}'"],
    var.function_name_prefix == null ? [] : ["FunctionName LIKE '${var.function_name_prefix}%'"],
    var.function_alarm_where == null ? [] : [var.function_alarm_where],
  )
  function_invocations_query = join(" ", [
    "SELECT SUM(Invocations) FROM SCHEMA(\"AWS/Lambda\", FunctionName)",
    "WHERE ${join(" AND ", local.function_alarm_conditions)}",
    "GROUP BY FunctionName ORDER BY SUM() DESC",
  ])
  # Execution time per function and minute: what a function costs (times its memory, which the guard
  # reads when it judges), whatever its call count. A 10 GB, 20 s renderer pinned at 300 makes
  # 900 calls a minute but 18,000,000 ms.
  function_duration_query = join(" ", [
    "SELECT SUM(Duration) FROM SCHEMA(\"AWS/Lambda\", FunctionName)",
    "WHERE ${join(" AND ", local.function_alarm_conditions)}",
    "GROUP BY FunctionName ORDER BY SUM() DESC",
  ])
  # Not scoped by the prefix or the WHERE clause: the metric exists only for functions in which Lambda
  # dropped a recursive invocation, so analysing all of them costs next to nothing.
  recursion_query = join(" ", [
    "SELECT SUM(RecursiveInvocationsDropped) FROM SCHEMA(\"AWS/Lambda\", FunctionName)",
    "WHERE FunctionName != '${var.name}'",
    "GROUP BY FunctionName ORDER BY SUM() DESC",
  ])
}

resource "aws_cloudwatch_metric_alarm" "per_function_invocations" {
  count = var.enable_function_invocations_alarm ? 1 : 0

  alarm_name        = local.per_function_invocations_alarm_name
  alarm_description = "A function above ${var.function_invocations_threshold} invocations/min: its contributor event makes ${var.name} judge it against its own history."

  # Each contributor (function) is evaluated on its own series against the threshold.
  metric_query {
    id          = "invocations"
    expression  = local.function_invocations_query
    period      = 60
    return_data = true
  }

  # Minutes in a row, so the contributor event reaches the guard when its judgement can already
  # see growth or saturation (it is not sent again while the contributor stays in ALARM).
  evaluation_periods  = var.function_invocations_minutes
  datapoints_to_alarm = var.function_invocations_minutes
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.function_invocations_threshold
  treat_missing_data  = "notBreaching"

  # No actions: EventBridge receives the contributor events whatever the alarm's actions are.
  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "per_function_duration" {
  count = var.enable_function_duration_alarm ? 1 : 0

  alarm_name        = local.per_function_duration_alarm_name
  alarm_description = "A function running more than ${var.function_duration_threshold_ms} ms a minute: its contributor event makes ${var.name} price it by memory and judge it against its own history."

  metric_query {
    id          = "duration"
    expression  = local.function_duration_query
    period      = 60
    return_data = true
  }

  # As for invocations: the judgement should already see three published minutes.
  evaluation_periods  = var.function_invocations_minutes
  datapoints_to_alarm = var.function_invocations_minutes
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.function_duration_threshold_ms
  treat_missing_data  = "notBreaching"

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "per_function_recursion" {
  count = var.enable_recursion_alarm ? 1 : 0

  alarm_name        = local.per_function_recursion_alarm_name
  alarm_description = "Lambda's own loop detection dropped a recursive invocation of a function: its contributor event names the loop to ${var.name}."

  metric_query {
    id          = "recursion"
    expression  = local.recursion_query
    period      = 60
    return_data = true
  }

  evaluation_periods  = 1
  datapoints_to_alarm = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"

  # No actions: EventBridge receives the contributor events whatever the alarm's actions are.
  tags = var.tags
}
