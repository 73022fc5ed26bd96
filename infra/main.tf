data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # Built from the name, not read from the function resource: the role policy must exist before the
  # function (Lambda checks the DLQ permission at create time), and the policy names the function's ARN.
  function_arn = "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${var.name}"

  # Lambda keeps min(100, quota) of the account's concurrency unreserved, so a reservation of R needs a
  # quota of at least 100 + R (103 by default); in a young account (quota 10) nothing can be reserved and
  # PutFunctionConcurrency would fail the apply. Below that the guard runs unreserved (check block below).
  min_account_limit_for_reservation = 100 + var.reserved_concurrency
  reserve_guard_concurrency         = var.account_concurrency_limit >= local.min_account_limit_for_reservation
  # -1 is the provider's "no reservation".
  guard_reserved_concurrency = local.reserve_guard_concurrency ? var.reserved_concurrency : -1

  lambda_zip_path = coalesce(var.lambda_zip_path, "${path.module}/../target/lambda/runaway-guard/bootstrap.zip")

  # Unset settings are left out so the guard's own defaults apply (one source of truth: src/config.rs).
  optional_environment = {
    RUNAWAY_GUARD_EXEMPT                  = length(var.exempt_functions) > 0 ? join(",", var.exempt_functions) : null
    RUNAWAY_GUARD_MAX_DEPTH               = var.max_depth
    RUNAWAY_GUARD_MAX_TRIPS_PER_HOUR      = var.max_trips_per_hour
    RUNAWAY_GUARD_CHAIN_BUDGET            = var.chain_budget
    RUNAWAY_GUARD_CHAIN_TTL_SECS          = var.chain_ttl_secs
    RUNAWAY_GUARD_RATE_LIMIT_PER_SEC      = var.rate_limit_per_sec
    RUNAWAY_GUARD_GROWTH_BUCKETS          = var.growth_buckets
    RUNAWAY_GUARD_GROWTH_FLOOR            = var.growth_floor
    RUNAWAY_GUARD_COST_LIMIT_USD_PER_HOUR = var.cost_limit_usd_per_hour
    RUNAWAY_GUARD_GRACE_SECS              = var.grace_secs
    # The per-function Metrics Insights alarms whose contributors already in ALARM the sweep re-judges.
    RUNAWAY_GUARD_CONTRIBUTOR_ALARMS = length(local.contributor_alarm_names) > 0 ? join(",", local.contributor_alarm_names) : null
    # A schedule that is the re-judge alone runs no offender search.
    RUNAWAY_GUARD_SWEEP_OFFENDER_SEARCH = !var.enable_sweep && var.enable_rejudge ? "false" : null
    # Where a trip parks asynchronous events that would otherwise be dropped (infra/parking.tf).
    RUNAWAY_GUARD_PARKING_QUEUE_ARN = var.enable_parking ? aws_sqs_queue.parking[0].arn : null
  }

  environment = merge(
    {
      RUNAWAY_GUARD_TOPIC_ARN      = aws_sns_topic.this.arn
      RUNAWAY_GUARD_TRIP_CAP_TABLE = aws_dynamodb_table.this.name
      RUNAWAY_GUARD_RECORD_KEY_ARN = aws_kms_key.trip_record.arn
      RUNAWAY_GUARD_DRY_RUN        = tostring(var.dry_run)
      RUST_LOG                     = var.rust_log
    },
    { for k, v in local.optional_environment : k => tostring(v) if v != null },
  )
}

################################################################################
# The guard function
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:Logs hold function names and decisions, no secrets; CloudWatch Logs encrypts them at rest by default and a CMK would cost $1/month more.
  #checkov:skip=CKV_AWS_338:Retention is a variable (default 30 days); a year of guard logs is rarely worth its storage.
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:The guard calls only public AWS APIs; a VPC would need NAT or five interface endpoints (cost, and one more way to fail during an incident).
  #checkov:skip=CKV_AWS_173:The environment holds thresholds and the topic ARN, no secrets; Lambda encrypts it at rest with an AWS-owned key.
  #checkov:skip=CKV_AWS_272:The zip is built from this repository by cargo-lambda; code signing needs a Signer profile the module cannot assume exists.
  function_name = var.name
  description   = "runaway-guard: throttles recursive loops, fork bombs and cost spikes"
  role          = aws_iam_role.this.arn

  filename         = local.lambda_zip_path
  source_code_hash = filebase64sha256(local.lambda_zip_path)
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = ["arm64"]
  memory_size      = var.memory_size
  timeout          = var.timeout

  # Reserved so the guard runs even when a runaway function has taken every unreserved slot. Kept small:
  # detector counts live per execution environment, so fewer environments see larger shares of the events.
  # Dropped (with a warning) where the account's quota is too small to reserve anything.
  reserved_concurrent_executions = local.guard_reserved_concurrency

  environment {
    variables = local.environment
  }

  dead_letter_config {
    target_arn = aws_sqs_queue.dead_letter.arn
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.this.name
    application_log_level = var.log_level
    system_log_level      = "WARN"
  }

  # The operator CLI finds the guard (and reads its topic and exemptions) by this tag.
  tags = merge(var.tags, { "runaway-guard:role" = "guard" })

  depends_on = [aws_iam_role_policy.this]
}

# A warning, not an error: a young account can still deploy the guard, which then competes with the
# runaway for the same few slots until the quota is raised.
check "guard_reservation" {
  assert {
    condition     = local.reserve_guard_concurrency
    error_message = "account_concurrency_limit = ${var.account_concurrency_limit} is below ${local.min_account_limit_for_reservation} (100 unreserved + reserved_concurrency ${var.reserved_concurrency}): the guard is deployed WITHOUT reserved concurrency, so a runaway that takes every slot can throttle the guard too. Raise the quota (Service Quotas, Lambda 'Concurrent executions', L-B99A9384) and set account_concurrency_limit to it."
  }
}

# Failed asynchronous invocations of the guard (alarm actions, EventBridge rules) and EventBridge
# deliveries that could not reach it end here, so a missed alarm is visible rather than lost.
resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.name}-dead-letter"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

data "aws_iam_policy_document" "dead_letter" {
  statement {
    sid       = "EventBridgeDeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letter.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = local.event_rule_arns
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.dead_letter.arn]

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

resource "aws_sqs_queue_policy" "dead_letter" {
  queue_url = aws_sqs_queue.dead_letter.id
  policy    = data.aws_iam_policy_document.dead_letter.json
}
