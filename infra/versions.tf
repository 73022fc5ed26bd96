# Terraform >= 1.5: the module needs preconditions (1.2+), startswith (1.3+) and check blocks (1.5+, the
# reservation warning in main.tf); 1.5.x is the oldest line
# still common in CI images and the last MPL-licensed one, so OpenTofu users are covered too.
# AWS provider ~> 5.71 (>= 5.71, < 6.0): `aws_chatbot_slack_channel_configuration` needs 5.71+
# (`logging_config` on aws_lambda_function 5.26+), and 6.0
# renamed `data.aws_region.*.name` (to `region`) among other breaking changes, so 6.x is excluded until
# the module is moved to it deliberately.
terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.71"
      # The billing metric exists only in us-east-1: the caller passes a provider for that region
      # (the default provider when the guard itself is deployed in us-east-1).
      configuration_aliases = [aws.us_east_1]
    }
  }
}
