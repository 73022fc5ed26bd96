output "reserved_concurrency" {
  description = "The guard's reserved concurrency as deployed (null in an account whose quota is too small)."
  value       = module.runaway_guard.reserved_concurrency
}

output "function_invocations_query" {
  description = "The Metrics Insights query of the per-function alarm."
  value       = module.runaway_guard.function_invocations_query
}
