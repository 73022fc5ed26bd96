# Two policies. The guard's execution role holds what the guard calls in Lambda (throttle to 0, write and
# clear its record tags, pause mappings, reads); the operator policy (output operator_policy_json) holds
# what the CLI calls for status, reenable, trip and handle, which adds restoring a function
# (DeleteFunctionConcurrency, re-enabling mappings) and ListFunctions.
# Statements whose sid starts with "Platform" are what the Lambda platform needs (logs, traces, the SQS
# mapping, the DLQ, the topic key); every other Allow statement lists exactly the AWS operations the
# adapters in src/aws/ call (src/aws/deployment.rs and src/aws/lambda/operator.rs only from the CLI),
# and tests/infra.rs fails when a policy and the calls drift apart.
# sts:GetCallerIdentity is called too but needs no permission: AWS always allows it.
#
# Residuals IAM cannot close: PutFunctionConcurrency has no condition key for the value, so the guard's
# role may set any value (the guard only ever sets 0); UpdateEventSourceMapping cannot tell pausing from
# resuming, so the guard's role may resume a mapping (the guard only ever pauses). docs/trust-model.md.

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

locals {
  functions_arn = "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:*"
  mappings_arn  = "arn:${local.partition}:lambda:${local.region}:${local.account_id}:event-source-mapping:*"
  # The streams a mapping can poll: DynamoDB tables' streams and Kinesis data streams.
  stream_arns = [
    "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/*/stream/*",
    "arn:${local.partition}:kinesis:${local.region}:${local.account_id}:stream/*",
  ]
}

data "aws_iam_policy_document" "this" {
  statement {
    sid = "ThrottleAndRead"
    actions = [
      "lambda:GetFunctionConcurrency",
      "lambda:GetFunctionConfiguration",
      "lambda:GetFunctionEventInvokeConfig",
      "lambda:ListTags",
      "lambda:PutFunctionConcurrency",
      # Parking: the parking queue becomes the on-failure destination before the throttle.
      "lambda:PutFunctionEventInvokeConfig",
    ]
    resources = [local.functions_arn]
  }

  # The trip record (and its re-enable marks and the drift note) lives in runaway-guard:* tags; no
  # other key can be written or removed.
  statement {
    sid       = "RecordTrips"
    actions   = ["lambda:TagResource", "lambda:UntagResource"]
    resources = [local.functions_arn]

    condition {
      test     = "ForAllValues:StringLike"
      variable = "aws:TagKeys"
      values   = ["runaway-guard:*"]
    }
  }

  # Pricing a function judged against its own normal reads the versions its aliases route to
  # (GetFunctionConfiguration with a qualifier is covered by function:* above).
  statement {
    sid       = "ReadVersions"
    actions   = ["lambda:ListAliases"]
    resources = [local.functions_arn]
  }

  # ListEventSourceMappings and GetAccountSettings take no resource-level permission: they need "*".
  # The judgement reads the account's unreserved concurrency as a ceiling a runaway saturates.
  statement {
    sid       = "ReadMappings"
    actions   = ["lambda:GetAccountSettings", "lambda:ListEventSourceMappings"]
    resources = ["*"]
  }

  # A trip pauses the offender's event source mappings so its queue keeps its messages (and its
  # streams their position). Mappings are addressed by the id Lambda gives them, so
  # event-source-mapping:* in this account and region is the narrowest ARN.
  statement {
    sid       = "PauseEventSources"
    actions   = ["lambda:UpdateEventSourceMapping"]
    resources = [local.mappings_arn]
  }

  # The account-wide trip cap: one conditional counter per hour (dynamodb.tf).
  statement {
    sid       = "CountTrips"
    actions   = ["dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.this.arn]
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
    actions   = ["cloudwatch:DescribeAlarmContributors", "cloudwatch:DescribeAlarms"]
    resources = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name}-per-function-*"]
  }

  # The alert says whether each SQS queue feeding a tripped function has a DLQ: read-only, on the
  # account's queues in this region.
  # A stream mapping's ceiling is the stream's open shards x its ParallelizationFactor: the judgement
  # reads the shard count of the streams the mappings of a judged function poll. Read-only, on the
  # account's streams in this region.
  statement {
    sid       = "ReadStreamShards"
    actions   = ["dynamodb:DescribeStream", "kinesis:DescribeStreamSummary"]
    resources = local.stream_arns
  }

  statement {
    sid       = "ReadQueueRedrive"
    actions   = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl"]
    resources = ["arn:${local.partition}:sqs:${local.region}:${local.account_id}:*"]
  }

  # The trip record's MAC (src/aws/kms.rs): the guard signs each record before the throttle and
  # checks a record before taking it for its own trip. Only this key.
  statement {
    sid       = "SignTripRecords"
    actions   = ["kms:GenerateMac", "kms:VerifyMac"]
    resources = [aws_kms_key.trip_record.arn]
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
      "lambda:DeleteFunctionEventInvokeConfig",
      "lambda:PutFunctionConcurrency",
      "lambda:PutFunctionEventInvokeConfig",
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
    resources = [local.mappings_arn]

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

################################################################################
# Operator policy: what the CLI needs (status, reenable, trip, handle, replay)
################################################################################

# Attach it (output operator_policy_json) to the platform team's role or permission set; nobody else
# needs it. handle and trip run the guard's own path, so it holds every guard action besides the CLI's.
data "aws_iam_policy_document" "operator" {
  statement {
    sid = "RestoreAndRead"
    actions = [
      "lambda:DeleteFunctionConcurrency",
      "lambda:DeleteFunctionEventInvokeConfig",
      "lambda:GetFunctionConcurrency",
      "lambda:GetFunctionConfiguration",
      "lambda:GetFunctionEventInvokeConfig",
      "lambda:ListAliases",
      "lambda:ListTags",
      "lambda:PutFunctionConcurrency",
      "lambda:PutFunctionEventInvokeConfig",
    ]
    resources = [local.functions_arn]
  }

  statement {
    sid       = "RecordTrips"
    actions   = ["lambda:TagResource", "lambda:UntagResource"]
    resources = [local.functions_arn]

    condition {
      test     = "ForAllValues:StringLike"
      variable = "aws:TagKeys"
      values   = ["runaway-guard:*"]
    }
  }

  # status lists the account's functions; reenable checks the account keeps 100 unreserved;
  # ListEventSourceMappings takes no resource-level permission.
  statement {
    sid = "ReadAccount"
    actions = [
      "lambda:GetAccountSettings",
      "lambda:ListEventSourceMappings",
      "lambda:ListFunctions",
    ]
    resources = ["*"]
  }

  # trip pauses mappings; reenable resumes the ones a verified record names, and only when Lambda
  # says (GetEventSourceMapping) that they feed the function.
  statement {
    sid       = "PauseAndResumeEventSources"
    actions   = ["lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping"]
    resources = [local.mappings_arn]
  }

  # status and reenable check trip records; trip signs its own (list the operator's role in
  # record_signer_arns: the key policy grants GenerateMac only to the principals named there).
  statement {
    sid       = "TripRecordMac"
    actions   = ["kms:GenerateMac", "kms:VerifyMac"]
    resources = [aws_kms_key.trip_record.arn]
  }

  statement {
    sid       = "CountTrips"
    actions   = ["dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.this.arn]
  }

  statement {
    sid = "ReadMetrics"
    actions = [
      "cloudwatch:GetMetricData",
      "cloudwatch:ListMetrics",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "ReadAlarmContributors"
    actions   = ["cloudwatch:DescribeAlarmContributors", "cloudwatch:DescribeAlarms"]
    resources = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name}-per-function-*"]
  }

  # A stream mapping's ceiling is the stream's open shards x its ParallelizationFactor: the judgement
  # reads the shard count of the streams the mappings of a judged function poll. Read-only, on the
  # account's streams in this region.
  statement {
    sid       = "ReadStreamShards"
    actions   = ["dynamodb:DescribeStream", "kinesis:DescribeStreamSummary"]
    resources = local.stream_arns
  }

  statement {
    sid       = "ReadQueueRedrive"
    actions   = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl"]
    resources = ["arn:${local.partition}:sqs:${local.region}:${local.account_id}:*"]
  }

  # replay reads the parking queue (or, with --from, a function's own dead-letter queue or
  # destination), holds each batch while it is sent and deletes a message once Lambda accepted
  # its asynchronous invoke.
  statement {
    sid       = "ReplayParkedEvents"
    actions   = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:ReceiveMessage"]
    resources = ["arn:${local.partition}:sqs:${local.region}:${local.account_id}:*"]
  }

  statement {
    sid       = "ReplayInvoke"
    actions   = ["lambda:InvokeFunction"]
    resources = [local.functions_arn]
  }

  statement {
    sid       = "PublishAlerts"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this.arn]
  }

  # Publishing to the encrypted alert topic uses its key.
  statement {
    sid       = "PlatformTopicKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [local.kms_key_arn]
  }

  # runaway-guard audit: read-only, the account's wiring and each function's execution role
  # (docs/audit.md). None of these lets the CLI change anything. The listings take no resource.
  statement {
    sid = "AuditListWiring"
    actions = [
      "events:ListEventBuses",
      "events:ListRules",
      "s3:ListAllMyBuckets",
      "sns:ListSubscriptions",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "AuditReadTargetsAndNotifications"
    actions   = ["events:ListTargetsByRule", "s3:GetBucketNotification"]
    resources = ["arn:${local.partition}:events:${local.region}:${local.account_id}:rule/*", "arn:${local.partition}:s3:::*"]
  }

  statement {
    sid       = "AuditReadRecursionConfig"
    actions   = ["lambda:GetFunctionRecursionConfig"]
    resources = [local.functions_arn]
  }

  # Execution roles of this account; the managed policies they attach may be AWS's own.
  statement {
    sid = "AuditReadRoles"
    actions = [
      "iam:GetRole",
      "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies",
      "iam:ListRolePolicies",
    ]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/*"]
  }

  statement {
    sid       = "AuditReadManagedPolicies"
    actions   = ["iam:GetPolicy", "iam:GetPolicyVersion"]
    resources = ["arn:${local.partition}:iam::*:policy/*"]
  }

  # The CLI never restores or re-tags the guard itself either.
  statement {
    sid    = "DenyGuardChanges"
    effect = "Deny"
    actions = [
      "lambda:DeleteFunctionConcurrency",
      "lambda:DeleteFunctionEventInvokeConfig",
      "lambda:PutFunctionConcurrency",
      "lambda:PutFunctionEventInvokeConfig",
      "lambda:TagResource",
      "lambda:UntagResource",
    ]
    resources = [local.function_arn, "${local.function_arn}:*"]
  }
}
