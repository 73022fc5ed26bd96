# One guard per region in the same account. The billing metric is account-wide and lives in us-east-1, so
# exactly one instance (the us-east-1 one, which then reuses its own KMS key for the billing topic) enables
# the billing alarm; enabling it in both would create two alarms and topics for the same charges.

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}

provider "aws" {
  alias  = "eu_west_1"
  region = "eu-west-1"
}

module "guard_us_east_1" {
  source = "../../"

  providers = {
    aws           = aws.us_east_1
    aws.us_east_1 = aws.us_east_1
  }

  subscriptions = [{ protocol = "email", endpoint = var.oncall_email }]

  enable_billing_alarm  = true
  billing_threshold_usd = 500

  # Both regions share one key administrator and one bill: reuse a key to save $1/month per region.
  kms_key_arn = var.us_east_1_kms_key_arn
}

module "guard_eu_west_1" {
  source = "../../"

  providers = {
    aws           = aws.eu_west_1
    aws.us_east_1 = aws.us_east_1
  }

  subscriptions = [{ protocol = "email", endpoint = var.oncall_email }]

  # Only one instance per account may own the billing alarm.
  enable_billing_alarm = false

  account_concurrency_limit = 3000
  # A region where chains are emitted on a custom bus.
  event_bus_name = "orders"
}
