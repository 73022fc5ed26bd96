output "scp_json" {
  description = "The service control policy (JSON), for an organization managed elsewhere."
  value       = data.aws_iam_policy_document.scp.json
}

output "scp_id" {
  description = "ID of the service control policy (null unless create_scp); attach it with aws_organizations_policy_attachment."
  value       = one(aws_organizations_policy.this[*].id)
}

output "boundary_policy_arn" {
  description = "ARN of the permission boundary to set on developers' roles (permissions_boundary)."
  value       = aws_iam_policy.boundary.arn
}
