variable "region" {
  description = "Region of the provider (IAM and Organizations are global; any region works)."
  type        = string
  default     = "us-east-1"
}

variable "platform_role_arns" {
  description = "ARN patterns of the platform team's roles: the only principals that may set or remove runaway-guard:exempt, runaway-guard:max-depth and runaway-guard:role, and (with the guards' roles) the trip-record keys."
  type        = list(string)
  default     = ["arn:aws:iam::*:role/platform-*", "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_PlatformAdmin_*"]
}

variable "guard_role_arns" {
  description = "ARN patterns of the guards' execution roles (the module names them <name>-<region>): they write the trip record (runaway-guard:tripped-at and the other record keys), never the reserved keys."
  type        = list(string)
  default     = ["arn:aws:iam::*:role/runaway-guard-*"]
}

variable "create_scp" {
  description = "Create the service control policy (run in the Organizations management account, then attach it to the OUs or accounts that run guards). false = only the permission boundary."
  type        = bool
  default     = false
}
