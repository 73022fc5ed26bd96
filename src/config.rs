//! Environment → typed `Config`, once at start-up. Every error names the variable.
//! SKELETON: fields are the contract; `from_lookup` is completed by the detection-core work.

use std::collections::BTreeSet;

use crate::name::FunctionName;

/// Prices used by the cost estimator (USD). Defaults are AWS's published us-east-1 prices.
#[derive(Debug, Clone, PartialEq)]
pub struct Prices {
    /// Per request.
    pub per_request: f64,
    /// Per GB-second on x86_64.
    pub per_gb_second_x86: f64,
    /// Per GB-second on arm64.
    pub per_gb_second_arm: f64,
}

impl Default for Prices {
    fn default() -> Self {
        Self {
            per_request: 0.20 / 1_000_000.0,
            per_gb_second_x86: 0.000_016_666_7,
            per_gb_second_arm: 0.000_013_333_4,
        }
    }
}

/// All of the guard's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `RUNAWAY_GUARD_TOPIC_ARN`: SNS topic for alerts (required in Lambda mode).
    pub topic_arn: Option<String>,
    /// `RUNAWAY_GUARD_DRY_RUN`: decide and alert, mutate nothing.
    pub dry_run: bool,
    /// `RUNAWAY_GUARD_MAX_DEPTH`: chain depth above which the emitter is throttled.
    pub max_depth: u32,
    /// `RUNAWAY_GUARD_EXEMPT`: functions never throttled.
    pub exempt: BTreeSet<FunctionName>,
    /// `RUNAWAY_GUARD_MAX_TRIPS_PER_HOUR`: blast-radius cap.
    pub max_trips_per_hour: u32,
    /// `RUNAWAY_GUARD_CHAIN_BUDGET`: invocations per chain root within the TTL before the root's top emitters are throttled.
    pub chain_budget: u64,
    /// `RUNAWAY_GUARD_CHAIN_TTL_SECS`: how long a chain root is remembered after its last event.
    pub chain_ttl_secs: u64,
    /// `RUNAWAY_GUARD_MAX_CHAINS`: hard cap on live chain roots (bounded memory under a flood).
    pub max_chains: usize,
    /// `RUNAWAY_GUARD_BUCKET_SECS`: rate-window bucket width.
    pub bucket_secs: u64,
    /// `RUNAWAY_GUARD_RATE_LIMIT_PER_SEC`: absolute rule, chain events per second per function.
    pub rate_limit_per_sec: f64,
    /// `RUNAWAY_GUARD_GROWTH_BUCKETS`: consecutive doublings that make the growth rule fire.
    pub growth_buckets: u32,
    /// `RUNAWAY_GUARD_GROWTH_FLOOR`: events per bucket below which growth is ignored.
    pub growth_floor: u64,
    /// `RUNAWAY_GUARD_COST_LIMIT_USD_PER_HOUR`: offender-search threshold.
    pub cost_limit_usd_per_hour: f64,
    /// `RUNAWAY_GUARD_GRACE_SECS`: after a re-enable, rate/cost/alarm rules are muted this long.
    pub grace_secs: u64,
    /// `RUNAWAY_GUARD_PRICE_*`: pricing.
    pub prices: Prices,
    /// `AWS_LAMBDA_FUNCTION_NAME`: the guard itself, always exempt.
    pub self_function: Option<FunctionName>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            topic_arn: None,
            dry_run: false,
            max_depth: 16,
            exempt: BTreeSet::new(),
            max_trips_per_hour: 10,
            chain_budget: 500,
            chain_ttl_secs: 900,
            max_chains: 1_000_000,
            bucket_secs: 10,
            rate_limit_per_sec: 100.0,
            growth_buckets: 3,
            growth_floor: 20,
            cost_limit_usd_per_hour: 5.0,
            grace_secs: 900,
            prices: Prices::default(),
            self_function: None,
        }
    }
}

/// A variable held a value the guard cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}={value:?} is invalid: {expected}")]
pub struct ConfigError {
    /// The variable's name.
    pub variable: &'static str,
    /// The value found (never a secret: none of these variables hold one).
    pub value: String,
    /// What was expected.
    pub expected: String,
}
