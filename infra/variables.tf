################################################################################
# Naming and packaging
################################################################################

variable "name" {
  description = "Name of the guard function; also the prefix of every resource the module creates (queues, topics, alarms, rules)."
  type        = string
  default     = "runaway-guard"

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,40}$", var.name))
    error_message = "name must be 1-40 characters of letters, digits, '-' or '_' (suffixes such as '-chain-dead-letter' must still fit SQS's 80-character limit)."
  }
}

variable "lambda_zip_path" {
  description = "Path to the `cargo lambda build --release --arm64 --no-default-features --features guard --output-format zip` artifact. null means `<module>/../target/lambda/runaway-guard/bootstrap.zip`, where cargo-lambda writes it in this repository."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_zip_path == null || can(regex("\\.zip$", var.lambda_zip_path))
    error_message = "lambda_zip_path must point to a .zip file."
  }
}

variable "tags" {
  description = "Tags added to every resource the module creates."
  type        = map(string)
  default     = {}
}

################################################################################
# Function sizing
################################################################################

variable "memory_size" {
  description = "Guard memory in MB. The Rust binary needs ~15 MB; 256 MB leaves room for the bounded detector state under a flood."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 1024 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB between 128 and 1024."
  }
}

variable "timeout" {
  description = "Guard timeout in seconds. An offender search pages ListMetrics and GetMetricData and throttles up to the trip cap, at Lambda's ~15 req/s control-plane rate."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout >= 10 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds between 10 and 900."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrency of the guard. Reserved so the guard still runs when a fork bomb has exhausted the account's concurrency; small because detector counts live per execution environment (see README). Applied only when account_concurrency_limit >= 100 + this; otherwise the guard runs unreserved and plan/apply warn."
  type        = number
  default     = 3

  validation {
    condition     = var.reserved_concurrency >= 2 && var.reserved_concurrency <= 20 && floor(var.reserved_concurrency) == var.reserved_concurrency
    error_message = "reserved_concurrency must be a whole number between 2 and 20 (the SQS mapping needs at least 2)."
  }
}

variable "log_retention_days" {
  description = "Retention of the guard's log group, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "log_level" {
  description = "Application log level Lambda keeps from the guard's JSON logs (TRACE, DEBUG, INFO, WARN, ERROR, FATAL)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.log_level)
    error_message = "log_level must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL."
  }
}

variable "rust_log" {
  description = "RUST_LOG filter for the guard's tracing subscriber."
  type        = string
  default     = "info"

  validation {
    condition     = length(trimspace(var.rust_log)) > 0
    error_message = "rust_log must not be empty."
  }
}

################################################################################
# Guard behaviour (environment). null = the guard's built-in default, named in each description.
################################################################################

variable "dry_run" {
  description = "RUNAWAY_GUARD_DRY_RUN: decide and alert (\"WOULD THROTTLE\") but change nothing. Recommended for the first days of a rollout."
  type        = bool
  default     = false
}

variable "exempt_functions" {
  description = "RUNAWAY_GUARD_EXEMPT: function names the guard never throttles (the guard itself is always exempt)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for f in var.exempt_functions : can(regex("^[a-zA-Z0-9_-]{1,64}$", f))])
    error_message = "exempt_functions must hold plain function names (1-64 letters, digits, '-' or '_'), not ARNs."
  }
}

variable "max_depth" {
  description = "RUNAWAY_GUARD_MAX_DEPTH: chain depth above which the emitter is throttled. null = 16."
  type        = number
  default     = null

  validation {
    condition     = var.max_depth == null || try(var.max_depth >= 1 && floor(var.max_depth) == var.max_depth, false)
    error_message = "max_depth must be a positive whole number."
  }
}

variable "max_trips_per_hour" {
  description = "RUNAWAY_GUARD_MAX_TRIPS_PER_HOUR: blast-radius cap; beyond it the guard alerts only. null = 10."
  type        = number
  default     = null

  validation {
    condition     = var.max_trips_per_hour == null || try(var.max_trips_per_hour >= 1 && floor(var.max_trips_per_hour) == var.max_trips_per_hour, false)
    error_message = "max_trips_per_hour must be a positive whole number."
  }
}

variable "chain_budget" {
  description = "RUNAWAY_GUARD_CHAIN_BUDGET: invocations per chain root within the TTL before its top emitters are throttled. null = 500."
  type        = number
  default     = null

  validation {
    condition     = var.chain_budget == null || try(var.chain_budget >= 1 && floor(var.chain_budget) == var.chain_budget, false)
    error_message = "chain_budget must be a positive whole number."
  }
}

variable "chain_ttl_secs" {
  description = "RUNAWAY_GUARD_CHAIN_TTL_SECS: how long a chain root is remembered after its last event. null = 900."
  type        = number
  default     = null

  validation {
    condition     = var.chain_ttl_secs == null || try(var.chain_ttl_secs >= 1 && floor(var.chain_ttl_secs) == var.chain_ttl_secs, false)
    error_message = "chain_ttl_secs must be a positive whole number of seconds."
  }
}

variable "rate_limit_per_sec" {
  description = "RUNAWAY_GUARD_RATE_LIMIT_PER_SEC: absolute rule, chain events per second per function (per guard container). null = 1000."
  type        = number
  default     = null

  validation {
    condition     = var.rate_limit_per_sec == null || try(var.rate_limit_per_sec > 0, false)
    error_message = "rate_limit_per_sec must be greater than 0."
  }
}

variable "growth_buckets" {
  description = "RUNAWAY_GUARD_GROWTH_BUCKETS: consecutive doublings that make the growth rule fire. null = 3."
  type        = number
  default     = null

  validation {
    condition     = var.growth_buckets == null || try(var.growth_buckets >= 1 && floor(var.growth_buckets) == var.growth_buckets, false)
    error_message = "growth_buckets must be a positive whole number."
  }
}

variable "growth_floor" {
  description = "RUNAWAY_GUARD_GROWTH_FLOOR: events per bucket below which growth is ignored. null = 20."
  type        = number
  default     = null

  validation {
    condition     = var.growth_floor == null || try(var.growth_floor >= 0 && floor(var.growth_floor) == var.growth_floor, false)
    error_message = "growth_floor must be a whole number >= 0."
  }
}

variable "cost_limit_usd_per_hour" {
  description = "RUNAWAY_GUARD_COST_LIMIT_USD_PER_HOUR: estimated cost per hour above which an offender search throttles a function. null = 5.0."
  type        = number
  default     = null

  validation {
    condition     = var.cost_limit_usd_per_hour == null || try(var.cost_limit_usd_per_hour > 0, false)
    error_message = "cost_limit_usd_per_hour must be greater than 0."
  }
}

variable "grace_secs" {
  description = "RUNAWAY_GUARD_GRACE_SECS: after a re-enable, rate/cost/alarm rules are muted this long. null = 900."
  type        = number
  default     = null

  validation {
    condition     = var.grace_secs == null || try(var.grace_secs >= 0 && floor(var.grace_secs) == var.grace_secs, false)
    error_message = "grace_secs must be a whole number of seconds >= 0."
  }
}

################################################################################
# Alerts (SNS + KMS)
################################################################################

variable "kms_key_arn" {
  description = "ARN of an existing customer-managed KMS key for the alert topic (and the billing topic when the guard runs in us-east-1). null = create one ($1/month). A reused key's policy must let cloudwatch.amazonaws.com use kms:Decrypt and kms:GenerateDataKey*."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "subscriptions" {
  description = "Subscriptions to the alert topic, e.g. [{ protocol = \"email\", endpoint = \"oncall@example.com\" }]. Email endpoints must confirm before they receive alerts."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.subscriptions : contains(["email", "email-json", "http", "https", "sqs", "sms", "lambda", "application"], s.protocol)])
    error_message = "subscriptions[].protocol must be one of email, email-json, http, https, sqs, sms, lambda, application."
  }

  validation {
    condition     = alltrue([for s in var.subscriptions : length(trimspace(s.endpoint)) > 0])
    error_message = "subscriptions[].endpoint must not be empty."
  }
}

################################################################################
# Triggers
################################################################################

variable "alarm_name_prefix" {
  description = "CloudWatch alarms whose name starts with this prefix reach the guard through EventBridge (\"CloudWatch Alarm State Change\"). Must not overlap the module's own alarm names, which start with \"<name>-\" and invoke the guard directly."
  type        = string
  default     = "runaway-watch-"

  validation {
    condition     = length(var.alarm_name_prefix) >= 3 && length(var.alarm_name_prefix) <= 200
    error_message = "alarm_name_prefix must be 3-200 characters (a short prefix would route unrelated alarms to the guard)."
  }
}

variable "event_bus_name" {
  description = "EventBridge bus on which guarded functions put events carrying detail.runawayGuard."
  type        = string
  default     = "default"

  validation {
    condition     = can(regex("^[a-zA-Z0-9._/-]{1,256}$", var.event_bus_name))
    error_message = "event_bus_name must be a bus name (letters, digits, '.', '_', '/', '-'), not an ARN."
  }
}

variable "sqs_batch_size" {
  description = "Chain events per guard invocation from the SQS queue (1-10000; above 10 needs a batching window)."
  type        = number
  default     = 1000

  validation {
    condition     = var.sqs_batch_size >= 1 && var.sqs_batch_size <= 10000 && floor(var.sqs_batch_size) == var.sqs_batch_size
    error_message = "sqs_batch_size must be a whole number between 1 and 10000."
  }
}

variable "sqs_batching_window_seconds" {
  description = "How long the SQS mapping gathers chain events before invoking the guard (detection latency vs invocations)."
  type        = number
  default     = 5

  validation {
    condition     = var.sqs_batching_window_seconds >= 1 && var.sqs_batching_window_seconds <= 300 && floor(var.sqs_batching_window_seconds) == var.sqs_batching_window_seconds
    error_message = "sqs_batching_window_seconds must be a whole number between 1 and 300."
  }
}

variable "sqs_maximum_concurrency" {
  description = "Most guard instances the SQS mapping runs at once: 2 or more and at most reserved_concurrency (keep it below, so alarm invocations keep a slot)."
  type        = number
  default     = 2

  validation {
    condition     = var.sqs_maximum_concurrency >= 2 && var.sqs_maximum_concurrency <= 1000 && floor(var.sqs_maximum_concurrency) == var.sqs_maximum_concurrency
    error_message = "sqs_maximum_concurrency must be a whole number between 2 and 1000."
  }
}

variable "sqs_max_receive_count" {
  description = "Receives of a chain event before it moves to the chain queue's dead-letter queue."
  type        = number
  default     = 5

  validation {
    condition     = var.sqs_max_receive_count >= 1 && var.sqs_max_receive_count <= 1000 && floor(var.sqs_max_receive_count) == var.sqs_max_receive_count
    error_message = "sqs_max_receive_count must be a whole number between 1 and 1000."
  }
}

variable "enable_sweep" {
  description = "Run a periodic offender sweep on a schedule. Off by default: each sweep reads metrics with GetMetricData ($0.01 per 1,000 metrics; see README for the monthly cost)."
  type        = bool
  default     = false
}

variable "enable_rejudge" {
  description = "Without enable_sweep: run a schedule that only re-judges the per-function alarms' contributors still in ALARM (one DescribeAlarmContributors per alarm a tick; a judgement only for functions in ALARM), so a function judged busy as usual is judged again while it stays in ALARM. On by default: a busy function that starts looping sends no new contributor event."
  type        = bool
  default     = true
}

variable "rejudge_schedule_expression" {
  description = "EventBridge schedule of the re-judge when enable_rejudge is true and enable_sweep is false."
  type        = string
  default     = "rate(2 minutes)"

  validation {
    condition     = can(regex("^(rate\\(.+\\)|cron\\(.+\\))$", var.rejudge_schedule_expression))
    error_message = "rejudge_schedule_expression must be rate(...) or cron(...)."
  }
}

variable "enable_drift_watch" {
  description = "Deliver CloudTrail-recorded PutFunctionConcurrency, DeleteFunctionConcurrency and UpdateEventSourceMapping calls to the guard, which alerts when someone else undoes a trip. Needs a CloudTrail trail in the account (management events)."
  type        = bool
  default     = true
}

variable "sweep_schedule_expression" {
  description = "EventBridge schedule of the sweep when enable_sweep is true."
  type        = string
  default     = "rate(15 minutes)"

  validation {
    condition     = can(regex("^(rate\\(.+\\)|cron\\(.+\\))$", var.sweep_schedule_expression))
    error_message = "sweep_schedule_expression must be rate(...) or cron(...)."
  }
}

################################################################################
# Alarms
################################################################################

variable "account_concurrency_limit" {
  description = "The account's Lambda concurrency limit in this region (Service Quotas 'Concurrent executions', L-B99A9384). Sets the concurrency alarm, and the guard's reservation is applied only when this is at least 100 + reserved_concurrency (Lambda keeps 100 unreserved; a young account's quota of 10 allows no reservation at all)."
  type        = number
  default     = 1000

  validation {
    condition     = var.account_concurrency_limit >= 10 && floor(var.account_concurrency_limit) == var.account_concurrency_limit
    error_message = "account_concurrency_limit must be a whole number >= 10."
  }
}

variable "concurrency_alarm_percent" {
  description = "Account ConcurrentExecutions alarm threshold, as a percentage of account_concurrency_limit."
  type        = number
  default     = 80

  validation {
    condition     = var.concurrency_alarm_percent > 0 && var.concurrency_alarm_percent <= 100
    error_message = "concurrency_alarm_percent must be in (0, 100]."
  }
}

variable "account_invocations_threshold" {
  description = "Account-wide Lambda Invocations per minute above which the guard starts an offender search."
  type        = number
  default     = 100000

  validation {
    condition     = var.account_invocations_threshold >= 1
    error_message = "account_invocations_threshold must be >= 1."
  }
}

variable "function_invocation_alarms" {
  description = "Optional per-function alarms: function name => Invocations per minute that trips the alarm (the guard judges that function against its own history, or throttles it at once when it is tagged runaway-guard:trust-alarms=true). $0.10 per alarm per month."
  type        = map(number)
  default     = {}

  validation {
    condition     = alltrue([for f, t in var.function_invocation_alarms : can(regex("^[a-zA-Z0-9_-]{1,64}$", f)) && t >= 1])
    error_message = "function_invocation_alarms keys must be function names (not ARNs) and thresholds >= 1."
  }
}

variable "enable_billing_alarm" {
  description = "Create the us-east-1 billing alarm (AWS/Billing EstimatedCharges, ServiceName=AWSLambda) and its SNS topic. The metric is account-wide: enable it in exactly ONE instance of the module per account. Needs 'Receive CloudWatch billing alerts' turned on in the account's billing preferences."
  type        = bool
  default     = false
}

variable "billing_threshold_usd" {
  description = "Month-to-date Lambda charges (USD) above which the billing alarm fires."
  type        = number
  default     = 100

  validation {
    condition     = var.billing_threshold_usd > 0
    error_message = "billing_threshold_usd must be greater than 0."
  }
}

variable "billing_kms_key_arn" {
  description = "Existing us-east-1 KMS key for the billing topic. null = the module's key when the guard runs in us-east-1, otherwise a new key in us-east-1 ($1/month)."
  type        = string
  default     = null

  validation {
    condition     = var.billing_kms_key_arn == null || can(regex("^arn:aws[a-zA-Z-]*:kms:us-east-1:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.billing_kms_key_arn))
    error_message = "billing_kms_key_arn must be a KMS key ARN in us-east-1."
  }
}

################################################################################
# Per-function detection without instrumentation (Metrics Insights alarms; see docs/cost.md)
################################################################################

variable "enable_function_duration_alarm" {
  description = "Create the Metrics Insights alarm on SUM(Duration) GROUP BY FunctionName: every function is a contributor, and one running more than function_duration_threshold_ms a minute reaches the guard as a contributor event; the guard prices it by memory and judges it against its own history. It sees cost, not calls: a slow, memory-heavy loop making few calls crosses it. About $0.10 per function per month (one metric analyzed per function)."
  type        = bool
  default     = true
}

variable "function_duration_threshold_ms" {
  description = "Milliseconds of execution per minute above which a function's contributor enters ALARM (for function_invocations_minutes in a row) and the guard judges it. 600000 = ten execution environments busy all minute: at 10 GB that is $6/h, at 1 GB $0.60/h. Crossing it costs one guard invocation, never a throttle by itself."
  type        = number
  default     = 600000

  validation {
    condition     = var.function_duration_threshold_ms >= 1000
    error_message = "function_duration_threshold_ms must be >= 1000 ms per minute."
  }
}

variable "enable_function_invocations_alarm" {
  description = "Also create the Metrics Insights alarm on SUM(Invocations) GROUP BY FunctionName: a function above function_invocations_threshold calls a minute reaches the guard as a contributor event. Off by default: the Duration alarm sees every function that can cost money, and a second per-function alarm doubles the idle cost to about $0.20 per function per month. Turn it on to look at fast, cheap loops earlier."
  type        = bool
  default     = false
}

variable "function_invocations_threshold" {
  description = "Invocations per minute above which a function's contributor enters ALARM and the guard judges it. Crossing it costs one guard invocation, never a throttle by itself. 1000/min (~17/s) lets ordinary functions stay quiet and keeps the busy ones permanently in ALARM below CloudWatch's 100-contributor limit, while a loop crosses it within a minute or two."
  type        = number
  default     = 1000

  validation {
    condition     = var.function_invocations_threshold >= 1
    error_message = "function_invocations_threshold must be >= 1 invocation per minute."
  }
}

variable "function_invocations_minutes" {
  description = "Consecutive minutes a function must stay above function_duration_threshold_ms (or function_invocations_threshold) before its contributor enters ALARM. The guard judges a contributor when it enters ALARM and not again while it stays there, so the judgement must see enough minutes to tell a loop's growth or saturation from a burst: 3 gives it three published minutes and costs nothing extra."
  type        = number
  default     = 3

  validation {
    condition     = var.function_invocations_minutes >= 1 && var.function_invocations_minutes <= 10
    error_message = "function_invocations_minutes must be 1..10."
  }
}

variable "function_name_prefix" {
  description = "Limit the per-function Invocations alarm to functions whose name starts with this (FunctionName LIKE '<prefix>%'). null = every function. Scoping lowers the cost to $0.10 per matching function."
  type        = string
  default     = null

  validation {
    condition     = var.function_name_prefix == null || can(regex("^[a-zA-Z0-9_-]{1,63}$", var.function_name_prefix))
    error_message = "function_name_prefix must be 1-63 letters, digits, '-' or '_'."
  }
}

variable "function_alarm_where" {
  description = "Extra Metrics Insights condition ANDed into the per-function Invocations alarm's WHERE clause, e.g. \"FunctionName != 'nightly-batch'\". null = none. The guard and exempt_functions are always left out."
  type        = string
  default     = null

  validation {
    condition     = var.function_alarm_where == null || try(length(trimspace(var.function_alarm_where)) > 0 && !can(regex("(?i)\\b(group|order)\\s+by\\b|\\blimit\\b", var.function_alarm_where)), false)
    error_message = "function_alarm_where must be a non-empty condition only (no GROUP BY, ORDER BY or LIMIT: the module writes those)."
  }
}

variable "enable_recursion_alarm" {
  description = "Create the Metrics Insights alarm on SUM(RecursiveInvocationsDropped) GROUP BY FunctionName (> 0): a function in which Lambda's own loop detection dropped an event reaches the guard. Costs next to nothing: the metric exists only for functions that dropped something."
  type        = bool
  default     = true
}

################################################################################
# Alarms on the guard itself (page the alert topic)
################################################################################

variable "enable_health_alarms" {
  description = "Create alarms on the guard's own Errors and on messages in its two dead-letter queues; they notify the alert topic (alarm and OK). $0.30 per month."
  type        = bool
  default     = true
}

################################################################################
# What on-call sees: chat channel and dashboard
################################################################################

variable "chatbot_slack_channel" {
  description = "Optional Slack channel for the alerts through Amazon Q Developer in chat applications (AWS Chatbot): the workspace (team) id, e.g. T0123ABCD, authorised once in the Chatbot console, and the channel id, e.g. C0123ABCD. null = no channel."
  type = object({
    workspace_id = string
    channel_id   = string
  })
  default = null

  validation {
    condition = var.chatbot_slack_channel == null || (
      can(regex("^[0-9A-Z]{1,255}$", var.chatbot_slack_channel.workspace_id)) &&
      can(regex("^[A-Za-z0-9]{1,255}$", var.chatbot_slack_channel.channel_id))
    )
    error_message = "chatbot_slack_channel needs the Slack workspace id (upper-case letters and digits, e.g. T0123ABCD) and channel id (letters and digits, e.g. C0123ABCD), not names."
  }
}

variable "enable_dashboard" {
  description = "Create the CloudWatch dashboard <name>-<region>: the guard's own metrics (events, signals, decisions by outcome, errors), account concurrency and invocations, the top functions by invocations, and the state of the module's alarms. $3 per month beyond the free tier's three dashboards."
  type        = bool
  default     = true
}

variable "record_signer_arns" {
  description = "IAM principals (the operator roles that run `runaway-guard trip`) allowed to sign trip records with the module's record key (kms:GenerateMac) and check them. The guard's own role always may; the account's IAM may check records (kms:VerifyMac) but never sign them. Empty: a manual trip still throttles, but its record cannot be signed, so `reenable` then needs --to N."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.record_signer_arns : can(regex("^arn:aws[a-zA-Z-]*:(iam|sts)::[0-9]{12}:", arn))])
    error_message = "record_signer_arns must be IAM role, user or account ARNs (arn:<partition>:iam::<account>:...)."
  }
}

variable "enable_parking" {
  description = "Create the parking queue (RUNAWAY_GUARD_PARKING_QUEUE_ARN): a trip of a function with neither a DLQ nor an on-failure destination first makes it the function's on-failure destination, so its asynchronous events wait for `runaway-guard replay` instead of being dropped."
  type        = bool
  default     = true
}

variable "parking_reader_arns" {
  description = "IAM role ARNs (besides the guard's role and record_signer_arns) that may read and delete parked events, i.e. run `runaway-guard replay`. Everyone else is denied by the queue policy."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.parking_reader_arns : can(regex("^arn:aws[a-zA-Z-]*:(iam|sts)::[0-9]{12}:", arn))])
    error_message = "parking_reader_arns must be IAM role or user ARNs (arn:<partition>:iam::<account>:...)."
  }
}

variable "parking_age_alarm_secs" {
  description = "Alarm when the oldest parked event is older than this many seconds (SQS deletes it at 14 days)."
  type        = number
  default     = 259200

  validation {
    condition     = var.parking_age_alarm_secs >= 300 && var.parking_age_alarm_secs < 1209600
    error_message = "parking_age_alarm_secs must be at least 300 and below 1209600 (the queue's retention)."
  }
}

variable "parking_depth_alarm_threshold" {
  description = "Alarm when more than this many events are parked (0: any parked event)."
  type        = number
  default     = 0
}
