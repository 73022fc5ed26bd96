variable "region" {
  description = "Region the guard protects."
  type        = string
  default     = "us-east-1"
}

variable "oncall_email" {
  description = "Address that receives the guard's alerts (confirm the subscription email)."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+$", var.oncall_email))
    error_message = "oncall_email must be an email address."
  }
}
