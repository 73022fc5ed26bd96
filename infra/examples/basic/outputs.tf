output "function_name" {
  description = "Name of the guard function."
  value       = module.runaway_guard.function_name
}

output "topic_arn" {
  description = "Alert topic ARN."
  value       = module.runaway_guard.topic_arn
}

output "dashboard_url" {
  description = "Console URL of the guard's CloudWatch dashboard."
  value       = module.runaway_guard.dashboard_url
}

output "operator_policy_json" {
  description = "What the runaway-guard CLI needs (status, reenable, trip, handle): attach it to the platform team's role."
  value       = module.runaway_guard.operator_policy_json
}
