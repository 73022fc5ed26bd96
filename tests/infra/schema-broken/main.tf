# Deliberately broken against the AWS provider schema: tests/infra.rs expects exactly these problems.
# Every line marked BROKEN is one reported problem; nothing else in this file may be reported.

resource "aws_cloudwatch_metric_alarm" "typos" {
  alarm_name          = "typos"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 1
  threshold           = 0
  treat_missing_datum = "notBreaching" # BROKEN: unknown argument

  metric_query {
    id          = "q1"
    expresion   = "SELECT SUM(Invocations) FROM SCHEMA(\"AWS/Lambda\", FunctionName) GROUP BY FunctionName" # BROKEN: unknown argument (nested)
    period      = 60
    return_data = true
  }

  metric_queries { # BROKEN: unknown block
    id = "q2"
  }

  tags { # BROKEN: an argument written as a block
    Name = "x"
  }
}

# BROKEN: missing required argument "policy"
resource "aws_sqs_queue_policy" "missing" {
  queue_url = "https://sqs.us-east-1.amazonaws.com/123456789012/q"
}

data "aws_iam_policy_document" "nested" {
  statement {
    actions = ["sqs:SendMessage"]

    # BROKEN: missing required argument "identifiers" (two levels down)
    principals {
      type = "Service"
    }
  }
}

# BROKEN: unknown resource type
resource "aws_lambda_functions" "plural" {
  function_name = "x"
}

# BROKEN: unknown data source type
data "aws_regions_current" "nope" {}

resource "aws_sns_topic" "dynamic" {
  name = "x"

  # BROKEN: unknown block (through a dynamic block)
  dynamic "subscription" {
    for_each = []
    content {}
  }
}

# BROKEN: the module has no input "nmae"
module "guard" {
  source = "../../../infra"
  nmae   = "typo"
}
