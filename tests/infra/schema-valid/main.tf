# Valid against the AWS provider schema, using every meta-argument the checker must understand.

provider "aws" {
  alias  = "west"
  region = "eu-west-1"
}

resource "aws_sqs_queue" "counted" {
  count    = 2
  provider = aws.west

  name                    = "q-${count.index}"
  sqs_managed_sse_enabled = true

  lifecycle {
    create_before_destroy = true
    ignore_changes        = [tags]

    precondition {
      condition     = true
      error_message = "never"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "each" {
  for_each = toset(["a", "b"])

  alarm_name          = "alarm-${each.key}"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 1
  threshold           = 0

  dynamic "metric_query" {
    for_each = ["q1"]
    iterator = q
    content {
      id          = q.value
      expression  = "SELECT SUM(Invocations) FROM SCHEMA(\"AWS/Lambda\", FunctionName) GROUP BY FunctionName ORDER BY SUM() DESC"
      period      = 60
      return_data = true
    }
  }

  depends_on = [aws_sqs_queue.counted]
}

data "aws_iam_policy_document" "dynamic" {
  dynamic "statement" {
    for_each = { one = "sqs:SendMessage" }
    content {
      actions   = [statement.value]
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = ["events.amazonaws.com"]
      }
    }
  }
}

check "scoped" {
  data "aws_caller_identity" "now" {}

  assert {
    condition     = data.aws_caller_identity.now.account_id != ""
    error_message = "no account"
  }
}
