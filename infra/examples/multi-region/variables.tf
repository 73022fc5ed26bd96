variable "oncall_email" {
  description = "Address that receives both guards' alerts."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+$", var.oncall_email))
    error_message = "oncall_email must be an email address."
  }
}

variable "us_east_1_kms_key_arn" {
  description = "Existing us-east-1 KMS key (policy allowing cloudwatch.amazonaws.com) for the us-east-1 guard's topics; null creates one."
  type        = string
  default     = null
}
