# How signals reach the guard: alarm state changes by name prefix (EventBridge), the module's own alarms
# (direct Lambda action), contributor events of the module's Metrics Insights alarms (EventBridge), chain
# events carrying detail.runawayGuard (EventBridge → SQS → batched), an optional sweep schedule, and the
# drift watch (CloudTrail-recorded Lambda calls that could undo a trip).

locals {
  # The module's own alarms invoke the guard directly; their names start with this.
  module_alarm_prefix = "${var.name}-"

  event_rule_arns = concat(
    [aws_cloudwatch_event_rule.alarm.arn, aws_cloudwatch_event_rule.chain.arn],
    aws_cloudwatch_event_rule.contributor[*].arn,
    aws_cloudwatch_event_rule.sweep[*].arn,
    aws_cloudwatch_event_rule.drift[*].arn,
  )

  contributor_alarm_arns = concat(
    aws_cloudwatch_metric_alarm.per_function_duration[*].arn,
    aws_cloudwatch_metric_alarm.per_function_invocations[*].arn,
    aws_cloudwatch_metric_alarm.per_function_recursion[*].arn,
  )
  enable_contributor_rule = (
    var.enable_function_duration_alarm || var.enable_function_invocations_alarm || var.enable_recursion_alarm
  )
}

################################################################################
# CloudWatch alarms chosen by name prefix → guard
################################################################################

resource "aws_cloudwatch_event_rule" "alarm" {
  name        = "${var.name}-alarm-state"
  description = "Alarms named ${var.alarm_name_prefix}* entering ALARM → ${var.name}"

  # Only ALARM: the guard takes no action on OK or INSUFFICIENT_DATA, so those would be paid-for no-ops.
  event_pattern = jsonencode({
    source        = ["aws.cloudwatch"]
    "detail-type" = ["CloudWatch Alarm State Change"]
    detail = {
      alarmName = [{ prefix = var.alarm_name_prefix }]
      state     = { value = ["ALARM"] }
    }
  })

  tags = var.tags

  lifecycle {
    precondition {
      condition     = !startswith(local.module_alarm_prefix, var.alarm_name_prefix) && !startswith(var.alarm_name_prefix, local.module_alarm_prefix)
      error_message = "alarm_name_prefix overlaps \"${local.module_alarm_prefix}\": the module's own alarms would reach the guard twice (directly and through EventBridge)."
    }
  }
}

resource "aws_cloudwatch_event_target" "alarm" {
  rule = aws_cloudwatch_event_rule.alarm.name
  arn  = aws_lambda_function.this.arn

  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 10
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter.arn
  }
}

resource "aws_lambda_permission" "alarm_rule" {
  statement_id  = "EventBridgeAlarmStateChange"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.alarm.arn
}

# The module's alarms (alarms.tf) use the guard as their alarm action.
resource "aws_lambda_permission" "alarm_action" {
  statement_id   = "CloudWatchAlarmAction"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.this.function_name
  principal      = "lambda.alarms.cloudwatch.amazonaws.com"
  source_account = local.account_id
  source_arn     = "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${local.module_alarm_prefix}*"
}

################################################################################
# Contributor events of the module's Metrics Insights alarms (alarms.tf) → guard
################################################################################

resource "aws_cloudwatch_event_rule" "contributor" {
  count = local.enable_contributor_rule ? 1 : 0

  name        = "${var.name}-alarm-contributors"
  description = "Functions entering ALARM in ${var.name}'s per-function Metrics Insights alarms → ${var.name}"

  # Only these alarms (by ARN, which the guard's trust checks compare too) and only ALARM: a contributor
  # going to OK is often a throttled function that stopped emitting Invocations, never a recovery.
  event_pattern = jsonencode({
    source        = ["aws.cloudwatch"]
    "detail-type" = ["CloudWatch Alarm Contributor State Change"]
    resources     = local.contributor_alarm_arns
    detail = {
      state = { value = ["ALARM"] }
    }
  })

  tags = var.tags
}

resource "aws_cloudwatch_event_target" "contributor" {
  count = local.enable_contributor_rule ? 1 : 0

  rule = aws_cloudwatch_event_rule.contributor[0].name
  arn  = aws_lambda_function.this.arn

  # The guard judges a function on the metrics it reads when the event arrives, so a late event is
  # still worth delivering; one that cannot be delivered ends in the dead-letter queue (and pages).
  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 10
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter.arn
  }
}

resource "aws_lambda_permission" "contributor_rule" {
  count = local.enable_contributor_rule ? 1 : 0

  statement_id  = "EventBridgeAlarmContributors"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.contributor[0].arn
}

################################################################################
# Chain events (detail.runawayGuard) → SQS → guard in batches
################################################################################

resource "aws_sqs_queue" "chain_dead_letter" {
  name                      = "${var.name}-chain-dead-letter"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_sqs_queue" "chain" {
  name = "${var.name}-chain"
  # AWS's guidance for Lambda mappings: at least six times the function timeout, plus the batching window.
  visibility_timeout_seconds = 6 * var.timeout + var.sqs_batching_window_seconds
  # Chain state expires after the chain TTL (15 min by default): an hour-old event cannot change a verdict.
  message_retention_seconds = 3600
  sqs_managed_sse_enabled   = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.chain_dead_letter.arn
    maxReceiveCount     = var.sqs_max_receive_count
  })

  tags = var.tags
}

resource "aws_sqs_queue_redrive_allow_policy" "this" {
  queue_url = aws_sqs_queue.chain_dead_letter.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.chain.arn]
  })
}

data "aws_iam_policy_document" "chain_queue" {
  statement {
    sid       = "ChainRuleSends"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.chain.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.chain.arn]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.chain.arn]

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

resource "aws_sqs_queue_policy" "chain" {
  queue_url = aws_sqs_queue.chain.id
  policy    = data.aws_iam_policy_document.chain_queue.json
}

resource "aws_cloudwatch_event_rule" "chain" {
  name           = "${var.name}-chain-events"
  description    = "Events carrying detail.runawayGuard (the chain header) → ${var.name} via SQS"
  event_bus_name = var.event_bus_name

  event_pattern = jsonencode({
    detail = {
      runawayGuard = {
        depth = [{ numeric = [">", 0] }]
      }
    }
  })

  tags = var.tags
}

resource "aws_cloudwatch_event_target" "chain" {
  rule           = aws_cloudwatch_event_rule.chain.name
  event_bus_name = var.event_bus_name
  arn            = aws_sqs_queue.chain.arn

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter.arn
  }
}

resource "aws_lambda_event_source_mapping" "this" {
  event_source_arn                   = aws_sqs_queue.chain.arn
  function_name                      = aws_lambda_function.this.arn
  batch_size                         = var.sqs_batch_size
  maximum_batching_window_in_seconds = var.sqs_batching_window_seconds
  # The handler answers a batch with batchItemFailures naming only the records whose throttle failed, so
  # the rest are not redelivered (and a redelivered record is not counted twice: it remembers message ids).
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.sqs_maximum_concurrency
  }

  lifecycle {
    precondition {
      condition     = var.sqs_maximum_concurrency <= var.reserved_concurrency
      error_message = "sqs_maximum_concurrency must not exceed reserved_concurrency (extra pollers would only be throttled)."
    }
  }

  depends_on = [aws_iam_role_policy.this]
}

################################################################################
# The schedule: by default the re-judge alone (enable_rejudge: the contributors still in ALARM every
# 2 minutes), or the sweep instead (enable_sweep, off by default: offender search and re-judge;
# see docs/cost.md for both)
################################################################################

locals {
  schedule_enabled = var.enable_sweep || (var.enable_rejudge && length(local.contributor_alarm_names) > 0)
}

resource "aws_cloudwatch_event_rule" "sweep" {
  count = local.schedule_enabled ? 1 : 0

  name                = "${var.name}-sweep"
  description         = var.enable_sweep ? "Periodic offender sweep by ${var.name}" : "Re-judge of the contributors in ALARM by ${var.name}"
  schedule_expression = var.enable_sweep ? var.sweep_schedule_expression : var.rejudge_schedule_expression
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "sweep" {
  count = local.schedule_enabled ? 1 : 0

  rule = aws_cloudwatch_event_rule.sweep[0].name
  arn  = aws_lambda_function.this.arn

  # A late sweep is worthless: the next one is due soon.
  retry_policy {
    maximum_event_age_in_seconds = 300
    maximum_retry_attempts       = 0
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter.arn
  }
}

resource "aws_lambda_permission" "sweep" {
  count = local.schedule_enabled ? 1 : 0

  statement_id  = "EventBridgeSweep"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.sweep[0].arn
}

################################################################################
# Drift watch: Lambda calls that could undo a trip, as CloudTrail records them → guard
################################################################################

# CloudTrail management events reach EventBridge only where the account has a trail (docs/drift.md).
# Lambda records these calls under API-versioned event names.
resource "aws_cloudwatch_event_rule" "drift" {
  count = var.enable_drift_watch ? 1 : 0

  name        = "${var.name}-drift"
  description = "Reserved-concurrency and event-source-mapping changes (CloudTrail) → ${var.name}"

  event_pattern = jsonencode({
    source        = ["aws.lambda"]
    "detail-type" = ["AWS API Call via CloudTrail"]
    detail = {
      eventSource = ["lambda.amazonaws.com"]
      eventName   = ["PutFunctionConcurrency20171031", "DeleteFunctionConcurrency20171031", "UpdateEventSourceMapping20150331"]
    }
  })

  tags = var.tags
}

resource "aws_cloudwatch_event_target" "drift" {
  count = var.enable_drift_watch ? 1 : 0

  rule = aws_cloudwatch_event_rule.drift[0].name
  arn  = aws_lambda_function.this.arn

  # A drift report is worth having late (the function may be running again): retry for an hour.
  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 10
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter.arn
  }
}

resource "aws_lambda_permission" "drift" {
  count = var.enable_drift_watch ? 1 : 0

  statement_id  = "EventBridgeDriftWatch"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.drift[0].arn
}
