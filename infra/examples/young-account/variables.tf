variable "region" {
  description = "Region the guard protects."
  type        = string
  default     = "us-east-1"
}

variable "oncall_email" {
  description = "Address that receives the guard's alerts and its health alarms (confirm the subscription email)."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+$", var.oncall_email))
    error_message = "oncall_email must be an email address."
  }
}

variable "function_name_prefix" {
  description = "Prefix of the functions watched by the per-function Invocations alarm."
  type        = string
  default     = "app-"
}
