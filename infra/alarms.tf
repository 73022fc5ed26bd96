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
  alarm_description = "${each.key} above ${each.value} invocations/min: ${var.name} throttles it."

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
