################################################################################
# Parking queue: where a tripped function's asynchronous events wait
################################################################################

# While a function's reserved concurrency is 0, Lambda sends every asynchronous event (EventBridge, SNS,
# S3, InvocationType=Event) at once, without retries, to its DLQ or on-failure destination, and drops it
# when there is neither. A trip of a function with neither first makes this queue its on-failure
# destination (RUNAWAY_GUARD_PARKING_QUEUE_ARN); `runaway-guard reenable` puts its configuration back and
# `runaway-guard replay FUNCTION` sends the parked events back (docs/trip-and-restore.md).
#
# Lambda writes each record with the function's execution role, and PutFunctionEventInvokeConfig refuses
# a destination that role cannot send to. The queue policy below lets every role of this account send,
# which is enough within one account (a resource policy alone grants same-account access); where an SCP
# or a permissions boundary still denies it, the trip goes on and its alert says the events are dropped.

locals {
  parking_queue_name = "${var.name}-parked"
  # Who may read (and so replay or delete) parked events: the guard, and the operators named here.
  parking_readers = distinct(concat([aws_iam_role.this.arn], var.record_signer_arns, var.parking_reader_arns))
}

resource "aws_sqs_queue" "parking" {
  count = var.enable_parking ? 1 : 0

  name = local.parking_queue_name
  # SQS's longest: time to fix the cause, re-enable and replay.
  message_retention_seconds = 1209600
  # SSE-SQS: encrypted at rest with no key policy for every function's role to need.
  sqs_managed_sse_enabled = true
  tags                    = var.tags
}

data "aws_iam_policy_document" "parking" {
  count = var.enable_parking ? 1 : 0

  # The account's functions send their failure records here (Lambda uses each one's execution role).
  statement {
    sid       = "AccountFunctionsPark"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.parking[0].arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:PrincipalArn"
      values   = ["arn:${local.partition}:iam::${local.account_id}:role/*"]
    }
  }

  # Parked events are the account's business data: nobody but the guard and the listed operators
  # reads or deletes them, whatever their IAM policies allow.
  statement {
    sid    = "OnlyGuardAndOperatorsRead"
    effect = "Deny"
    actions = [
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:PurgeQueue",
      "sqs:ReceiveMessage",
    ]
    resources = [aws_sqs_queue.parking[0].arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnNotLike"
      variable = "aws:PrincipalArn"
      values   = local.parking_readers
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.parking[0].arn]

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

resource "aws_sqs_queue_policy" "parking" {
  count = var.enable_parking ? 1 : 0

  queue_url = aws_sqs_queue.parking[0].id
  policy    = data.aws_iam_policy_document.parking[0].json
}

# Parked events wait for a replay; these say when they have waited long, and that there are any.
resource "aws_cloudwatch_metric_alarm" "parking_age" {
  count = var.enable_parking ? 1 : 0

  alarm_name        = "${var.name}-parked-age"
  alarm_description = "The oldest parked event in ${local.parking_queue_name} is over ${var.parking_age_alarm_secs} s old; SQS deletes it at 14 days. Re-enable the function and run runaway-guard replay FUNCTION."

  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = local.parking_queue_name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.parking_age_alarm_secs
  # SQS stops publishing an idle queue's metrics after six hours while its messages stay.
  treat_missing_data = "ignore"

  alarm_actions = [aws_sns_topic.this.arn]
  ok_actions    = [aws_sns_topic.this.arn]
  tags          = var.tags
}

resource "aws_cloudwatch_metric_alarm" "parking_depth" {
  count = var.enable_parking ? 1 : 0

  alarm_name        = "${var.name}-parked-depth"
  alarm_description = "Asynchronous events are parked in ${local.parking_queue_name}: a tripped function's events wait there. After the fix and reenable, run runaway-guard replay FUNCTION."

  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = local.parking_queue_name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.parking_depth_alarm_threshold
  treat_missing_data  = "ignore"

  alarm_actions = [aws_sns_topic.this.arn]
  ok_actions    = [aws_sns_topic.this.arn]
  tags          = var.tags
}
