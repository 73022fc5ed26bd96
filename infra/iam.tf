# One role for the guard. Statements whose sid starts with "Platform" are what the Lambda platform needs
# (logs, traces, the SQS mapping, the DLQ, the topic key); every other Allow statement lists exactly the
# AWS operations the adapters in src/aws/ call, and tests/infra.rs fails when the two drift apart.
# sts:GetCallerIdentity is called too but needs no permission: AWS always allows it.

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "LambdaAssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  # IAM is global: the region keeps one instance per region from colliding (see examples/multi-region).
  name               = "${var.name}-${local.region}"
  description        = "Execution role of the runaway-guard function ${var.name}"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
  tags               = var.tags
}

data "aws_iam_policy_document" "this" {
  statement {
    sid = "ThrottleAndRecord"
    actions = [
      "lambda:DeleteFunctionConcurrency",
      "lambda:GetFunctionConcurrency",
      "lambda:GetFunctionConfiguration",
      "lambda:GetFunctionEventInvokeConfig",
      "lambda:ListTags",
      "lambda:PutFunctionConcurrency",
      "lambda:TagResource",
      "lambda:UntagResource",
    ]
    resources = ["arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:*"]
  }

  # Pricing a function judged against its own normal reads the versions its aliases route to
  # (GetFunctionConfiguration with a qualifier is covered by function:* above).
  statement {
    sid       = "ReadVersions"
    actions   = ["lambda:ListAliases"]
    resources = ["arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:*"]
  }

  # ListEventSourceMappings takes no resource-level permission: it needs "*".
  statement {
    sid = "ReadAccount"
    actions = [
      "lambda:GetAccountSettings",
      "lambda:ListEventSourceMappings",
      "lambda:ListFunctions",
    ]
    resources = ["*"]
  }

  # A trip pauses the offender's event source mappings so its queue keeps its messages (and its
  # streams their position); reenable resumes the ones the trip paused. Mappings are addressed by
  # the id Lambda gives them, so event-source-mapping:* in this account and region is the narrowest ARN.
  statement {
    sid       = "PauseEventSources"
    actions   = ["lambda:UpdateEventSourceMapping"]
    resources = ["arn:${local.partition}:lambda:${local.region}:${local.account_id}:event-source-mapping:*"]
  }

  statement {
    sid = "ReadMetrics"
    actions = [
      "cloudwatch:GetMetricData",
      "cloudwatch:ListMetrics",
    ]
    resources = ["*"]
  }

  # Contributors already in ALARM send no new event when they run away later: the guard lists them to
  # re-judge them. Only the module's own Metrics Insights alarms.
  statement {
    sid       = "ReadAlarmContributors"
    actions   = ["cloudwatch:DescribeAlarmContributors"]
    resources = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name}-per-function-*"]
  }

  # The alert says whether each SQS queue feeding a tripped function has a DLQ: read-only, on the
  # account's queues in this region.
  statement {
    sid       = "ReadQueueRedrive"
    actions   = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl"]
    resources = ["arn:${local.partition}:sqs:${local.region}:${local.account_id}:*"]
  }

  # A chain report proves who sent it by its SQS SenderId (`AROA…:<function>`): the guard compares
  # the role id with the function's execution role's, read here (read-only; ids are not secrets).
  statement {
    sid       = "ReadExecutionRoles"
    actions   = ["iam:GetRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/*"]
  }

  statement {
    sid       = "PublishAlerts"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this.arn]
  }

  # The guard never throttles or re-tags itself, even if its exemption logic were wrong.
  statement {
    sid    = "DenySelfThrottle"
    effect = "Deny"
    actions = [
      "lambda:DeleteFunctionConcurrency",
      "lambda:PutFunctionConcurrency",
      "lambda:TagResource",
      "lambda:UntagResource",
    ]
    resources = [local.function_arn, "${local.function_arn}:*"]
  }

  # Nor pauses the mapping that feeds it chain events.
  statement {
    sid       = "DenySelfPause"
    effect    = "Deny"
    actions   = ["lambda:UpdateEventSourceMapping"]
    resources = ["arn:${local.partition}:lambda:${local.region}:${local.account_id}:event-source-mapping:*"]

    condition {
      test     = "ArnLike"
      variable = "lambda:FunctionArn"
      values   = [local.function_arn, "${local.function_arn}:*"]
    }
  }

  statement {
    sid       = "PlatformLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  statement {
    sid       = "PlatformTracing"
    actions   = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    resources = ["*"]
  }

  statement {
    sid       = "PlatformChainQueue"
    actions   = ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
    resources = [aws_sqs_queue.chain.arn]
  }

  statement {
    sid       = "PlatformDeadLetter"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letter.arn]
  }

  statement {
    sid       = "PlatformTopicKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [local.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.name}-least-privilege"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}
