# A new account whose Lambda concurrency quota is still 10. Lambda keeps the whole quota unreserved, so
# the guard cannot reserve any: with account_concurrency_limit = 10 the module deploys it unreserved and
# plan/apply warn ("Check block assertion failed") instead of failing. Ask for a quota increase, then set
# account_concurrency_limit to the new quota (103 or more gives the guard its reservation of 3).
# Build first, from the repository root:
#   cargo lambda build --release --arm64 --output-format zip
# then: terraform init && terraform apply -var 'oncall_email=oncall@example.com'

provider "aws" {
  region = var.region
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}

module "runaway_guard" {
  source = "../../"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  subscriptions = [{ protocol = "email", endpoint = var.oncall_email }]

  # aws lambda get-account-settings --query AccountLimit.ConcurrentExecutions
  account_concurrency_limit = 10

  # Only the team's functions are watched per function: $0.10 each per month instead of one per
  # function in the account.
  function_name_prefix = var.function_name_prefix

  tags = { Project = "runaway-guard" }
}
