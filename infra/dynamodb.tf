# The account-wide trip cap (RUNAWAY_GUARD_TRIP_CAP_TABLE): one item per hour counts the trips every
# execution environment of the guard (and the CLI's handle) made; a conditional update refuses a trip
# past max_trips_per_hour, so the cap holds across environments and cold starts. Items expire a few
# hours after their hour (TTL). See docs/limits-and-faults.md.
resource "aws_dynamodb_table" "this" {
  #checkov:skip=CKV_AWS_119:Holds one trip count per hour and nothing else; the AWS-managed key encrypts it, and a CMK would make every caller need KMS grants for a counter.
  #checkov:skip=CKV_AWS_28:Counters expire within hours; restoring one would only bring back spent trips.
  name         = "${var.name}-trip-cap"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "hour"

  attribute {
    name = "hour"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  server_side_encryption {
    enabled = true
  }

  tags = var.tags
}
