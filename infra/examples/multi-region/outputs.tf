output "function_arns" {
  description = "Guard function ARN per region."
  value = {
    "us-east-1" = module.guard_us_east_1.function_arn
    "eu-west-1" = module.guard_eu_west_1.function_arn
  }
}

output "billing_topic_arn" {
  description = "The single billing topic (owned by the us-east-1 guard)."
  value       = module.guard_us_east_1.billing_topic_arn
}
