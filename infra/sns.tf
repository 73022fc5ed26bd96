# The alert topic: the guard publishes every decision here; on-call subscribes through var.subscriptions.

resource "aws_sns_topic" "this" {
  name              = "${var.name}-alerts"
  kms_master_key_id = local.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "topic" {
  # Lets users point their own alarms at the alert topic as well as at the guard.
  statement {
    sid       = "CloudWatchPublishes"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this.arn]

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
    resources = [aws_sns_topic.this.arn]

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

resource "aws_sns_topic_policy" "this" {
  arn    = aws_sns_topic.this.arn
  policy = data.aws_iam_policy_document.topic.json
}

resource "aws_sns_topic_subscription" "this" {
  for_each = { for s in var.subscriptions : "${s.protocol}:${s.endpoint}" => s }

  topic_arn = aws_sns_topic.this.arn
  protocol  = each.value.protocol
  endpoint  = each.value.endpoint
}

################################################################################
# Optional chat channel: Amazon Q Developer in chat applications (AWS Chatbot) in Slack
################################################################################
# The guard publishes each alert with a Chatbot custom notification as its `https` body, so the channel
# shows the title, the evidence and the exact next command. Chatbot subscribes the channel to the topic.
# The workspace must be authorised once in the Chatbot console (a Slack OAuth step Terraform cannot do).

locals {
  chatbot_enabled = var.chatbot_slack_channel != null
}

data "aws_iam_policy_document" "chatbot_assume_role" {
  count = local.chatbot_enabled ? 1 : 0

  statement {
    sid     = "ChatbotAssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["chatbot.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "chatbot" {
  count = local.chatbot_enabled ? 1 : 0

  name               = "${var.name}-chatbot-${local.region}"
  description        = "Role of the Chatbot channel that shows ${var.name} alerts"
  assume_role_policy = data.aws_iam_policy_document.chatbot_assume_role[0].json
  tags               = var.tags
}

# Both the channel role's policy and its guardrail: the channel can render alarm notifications (their
# description and chart) and nothing else, so no one can change a function from the chat.
data "aws_iam_policy_document" "chatbot" {
  count = local.chatbot_enabled ? 1 : 0

  statement {
    sid       = "ReadAlarmsForNotifications"
    actions   = ["cloudwatch:DescribeAlarms"]
    resources = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:*"]
  }

  statement {
    sid       = "RenderAlarmCharts"
    actions   = ["cloudwatch:GetMetricWidgetImage"]
    resources = ["*"] # GetMetricWidgetImage supports no resource-level permissions.
  }
}

# The module's only managed policy: the Chatbot channel's guardrail (a guardrail must be a policy ARN).
resource "aws_iam_policy" "this" {
  count = local.chatbot_enabled ? 1 : 0

  name        = "${var.name}-chatbot-guardrail-${local.region}"
  description = "Guardrail of the Chatbot channel for ${var.name}: read alarms and render their charts, nothing else"
  policy      = data.aws_iam_policy_document.chatbot[0].json
  tags        = var.tags
}

resource "aws_iam_role_policy_attachment" "this" {
  count = local.chatbot_enabled ? 1 : 0

  role       = aws_iam_role.chatbot[0].name
  policy_arn = aws_iam_policy.this[0].arn
}

resource "aws_chatbot_slack_channel_configuration" "this" {
  count = local.chatbot_enabled ? 1 : 0

  configuration_name    = "${var.name}-${local.region}"
  iam_role_arn          = aws_iam_role.chatbot[0].arn
  slack_team_id         = var.chatbot_slack_channel.workspace_id
  slack_channel_id      = var.chatbot_slack_channel.channel_id
  sns_topic_arns        = [aws_sns_topic.this.arn]
  guardrail_policy_arns = [aws_iam_policy.this[0].arn]
  # Members act with the channel role (capped by the guardrail), never with a role of their own.
  user_authorization_required = false
  logging_level               = "ERROR"
  tags                        = var.tags
}
