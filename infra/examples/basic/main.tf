# One guard in one region, with the billing alarm (this is the only instance in the account).
# Build first, from the repository root:
#   cargo lambda build --release --arm64 --output-format zip
# then: terraform init && terraform apply -var 'oncall_email=oncall@example.com'

provider "aws" {
  region = var.region
}

# The billing metric lives in us-east-1 only; the module takes a provider for it in every case.
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

  # Start by watching: the guard decides and alerts but changes nothing until this is false.
  dry_run = true

  subscriptions = [{ protocol = "email", endpoint = var.oncall_email }]

  exempt_functions = ["payments-settlement"]

  # Alerts in Slack through Amazon Q Developer in chat applications (AWS Chatbot): authorise the
  # workspace once in the Chatbot console, then give its id and the channel's (docs/alerts.md).
  # chatbot_slack_channel = {
  #   workspace_id = "T0123ABCD"
  #   channel_id   = "C0123ABCD"
  # }

  # The CloudWatch dashboard <name>-<region> is on by default (docs/dashboard.md).
  # enable_dashboard = false

  enable_billing_alarm  = true
  billing_threshold_usd = 200

  tags = { Project = "runaway-guard" }
}
