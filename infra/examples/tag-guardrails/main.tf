# Who may set the runaway-guard:* tag keys. Any principal with lambda:TagResource on a function can
# write any tag on it (no key is special to Lambda), so a function's owner could opt it out of the
# guard (runaway-guard:exempt=true, runaway-guard:max-depth=1000000), pose as a guard
# (runaway-guard:role=guard, which the CLI's discovery reads) or forge a trip record. Reserve the keys:
# - the opt-outs and the role to the platform team;
# - the trip record to the platform team (the operator CLI) and the guards' own execution roles.
# Two ways, one rule: a service control policy for an organization, or a permission boundary on the
# developers' roles in an account without one. See docs/trust-model.md and infra/README.md.

provider "aws" {
  region = var.region
}

locals {
  # Opt-outs and discovery: only the platform team.
  reserved_keys = ["runaway-guard:exempt", "runaway-guard:max-depth", "runaway-guard:role"]
  # Every key the guard or the CLI writes: the trip record, its re-enable marks, the drift note.
  guard_keys = ["runaway-guard:*"]
  # CreateFunction takes tags too: a new function must not arrive opted out.
  tagging = ["lambda:CreateFunction", "lambda:TagResource", "lambda:UntagResource"]
}

data "aws_iam_policy_document" "scp" {
  statement {
    sid       = "ReserveOptOutKeysToPlatform"
    effect    = "Deny"
    actions   = local.tagging
    resources = ["*"]

    condition {
      test     = "ForAnyValue:StringLike"
      variable = "aws:TagKeys"
      values   = local.reserved_keys
    }

    condition {
      test     = "ArnNotLike"
      variable = "aws:PrincipalArn"
      values   = var.platform_role_arns
    }
  }

  statement {
    sid       = "ReserveTripRecordToGuardsAndPlatform"
    effect    = "Deny"
    actions   = local.tagging
    resources = ["*"]

    condition {
      test     = "ForAnyValue:StringLike"
      variable = "aws:TagKeys"
      values   = local.guard_keys
    }

    condition {
      test     = "ArnNotLike"
      variable = "aws:PrincipalArn"
      values   = concat(var.platform_role_arns, var.guard_role_arns)
    }
  }
}

resource "aws_organizations_policy" "this" {
  count = var.create_scp ? 1 : 0

  name        = "reserve-runaway-guard-tags"
  description = "Only the platform team sets runaway-guard:exempt, max-depth and role; only it and the guards write the trip record."
  type        = "SERVICE_CONTROL_POLICY"
  content     = data.aws_iam_policy_document.scp.json
}

# The same rule as a permission boundary for developers' roles: whatever their own policies allow,
# they cannot write or remove any runaway-guard:* key.
data "aws_iam_policy_document" "boundary" {
  #checkov:skip=CKV_AWS_1:A permission boundary only caps: "*" here grants nothing the role's own policies do not.
  #checkov:skip=CKV_AWS_49:A permission boundary only caps: "*" here grants nothing the role's own policies do not.
  #checkov:skip=CKV_AWS_107:A permission boundary only caps: "*" here grants nothing the role's own policies do not.
  #checkov:skip=CKV_AWS_108:A permission boundary only caps: "*" here grants nothing the role's own policies do not.
  #checkov:skip=CKV_AWS_109:A permission boundary only caps: "*" here grants nothing the role's own policies do not.
  #checkov:skip=CKV_AWS_110:A permission boundary only caps: "*" here grants nothing the role's own policies do not.
  #checkov:skip=CKV_AWS_111:A permission boundary only caps: "*" here grants nothing the role's own policies do not.
  #checkov:skip=CKV_AWS_356:A permission boundary only caps: "*" here grants nothing the role's own policies do not.
  statement {
    sid       = "AllowWhatTheRolesOwnPoliciesAllow"
    actions   = ["*"]
    resources = ["*"]
  }

  statement {
    sid       = "DenyRunawayGuardTags"
    effect    = "Deny"
    actions   = local.tagging
    resources = ["*"]

    condition {
      test     = "ForAnyValue:StringLike"
      variable = "aws:TagKeys"
      values   = local.guard_keys
    }
  }
}

resource "aws_iam_policy" "boundary" {
  name        = "developer-boundary-runaway-guard-tags"
  description = "Permission boundary for developers' roles: no runaway-guard:* tag can be written or removed."
  policy      = data.aws_iam_policy_document.boundary.json
}
