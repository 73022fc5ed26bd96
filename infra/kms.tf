# Customer-managed key for the alert topic (and the billing topic). CloudWatch alarms can only publish to
# a topic encrypted with a key whose policy lets cloudwatch.amazonaws.com use it; the AWS-managed
# alias/aws/sns key cannot be changed to allow that. A key costs $1/month, so an existing one can be reused
# through var.kms_key_arn (see README, "Monthly cost").

locals {
  create_kms_key = var.kms_key_arn == null
  kms_key_arn    = local.create_kms_key ? aws_kms_key.this[0].arn : var.kms_key_arn

  # The billing topic lives in us-east-1 and needs a key there: the one passed in, else the module's key
  # when the guard itself runs in us-east-1, else a second key created in us-east-1.
  create_billing_kms_key = var.enable_billing_alarm && var.billing_kms_key_arn == null && local.region != "us-east-1"
  billing_kms_key_arn = (
    var.billing_kms_key_arn != null ? var.billing_kms_key_arn :
    local.create_billing_kms_key ? aws_kms_key.billing[0].arn : local.kms_key_arn
  )
}

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_109:Key policy: "*" means this key; the account statement is AWS's default and keeps the key manageable through IAM.
  #checkov:skip=CKV_AWS_111:Key policy: "*" means this key; the account statement is AWS's default and keeps the key manageable through IAM.
  #checkov:skip=CKV_AWS_356:Key policy: "*" means this key (a key policy cannot name another resource).
  statement {
    sid       = "AccountAdministersKey"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # As documented for alarms publishing to encrypted topics: CloudWatch calls KMS through SNS as itself.
  statement {
    sid       = "CloudWatchPublishesToEncryptedTopics"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "this" {
  count = var.kms_key_arn == null ? 1 : 0

  description             = "runaway-guard ${var.name}: alert topic encryption"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  count = var.kms_key_arn == null ? 1 : 0

  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this[0].key_id
}

resource "aws_kms_key" "billing" {
  count    = local.create_billing_kms_key ? 1 : 0
  provider = aws.us_east_1

  description             = "runaway-guard ${var.name}: billing alarm topic encryption"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

################################################################################
# The trip-record key: an HMAC key whose MAC over each trip record (src/record.rs) tells a record the
# guard or an operator wrote from one anyone with lambda:TagResource wrote. Only the guard's role and
# var.record_signer_arns may make MACs; the account's IAM may check them and administer the key, but
# not sign (so a broad "kms:*" in someone's IAM policy does not let them forge a record).
################################################################################

data "aws_iam_policy_document" "trip_record_key" {
  #checkov:skip=CKV_AWS_109:Key policy: "*" means this key; administration stays with the account as AWS's default does, minus signing and grants.
  #checkov:skip=CKV_AWS_111:Key policy: "*" means this key; administration stays with the account as AWS's default does, minus signing and grants.
  #checkov:skip=CKV_AWS_356:Key policy: "*" means this key (a key policy cannot name another resource).
  statement {
    sid = "AccountAdministersAndVerifiesButCannotSign"
    actions = [
      "kms:CancelKeyDeletion",
      "kms:CreateAlias",
      "kms:DeleteAlias",
      "kms:Describe*",
      "kms:Disable*",
      "kms:Enable*",
      "kms:Get*",
      "kms:List*",
      "kms:PutKeyPolicy",
      "kms:RevokeGrant",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:Update*",
      "kms:VerifyMac",
    ]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "GuardSignsTripRecords"
    actions   = ["kms:GenerateMac", "kms:VerifyMac"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.this.arn]
    }
  }

  # `runaway-guard trip` signs its record with the operator's own credentials: whoever may stop a
  # function by hand could already stop it.
  dynamic "statement" {
    for_each = length(var.record_signer_arns) > 0 ? [1] : []
    content {
      sid       = "OperatorsSignManualTrips"
      actions   = ["kms:GenerateMac", "kms:VerifyMac"]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = var.record_signer_arns
      }
    }
  }
}

resource "aws_kms_key" "trip_record" {
  #checkov:skip=CKV_AWS_7:KMS rotates only symmetric encryption keys automatically; an HMAC key cannot be rotated in place (a new key would make every open record unverifiable).
  description              = "runaway-guard ${var.name}: trip record MACs"
  key_usage                = "GENERATE_VERIFY_MAC"
  customer_master_key_spec = "HMAC_256"
  deletion_window_in_days  = 30
  policy                   = data.aws_iam_policy_document.trip_record_key.json
  tags                     = var.tags
}

resource "aws_kms_alias" "trip_record" {
  name          = "alias/${var.name}-trip-records"
  target_key_id = aws_kms_key.trip_record.key_id
}
