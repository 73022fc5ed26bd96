//! Environment → typed `Config`, once at start-up. Every error names the variable.
//! An empty value counts as unset (infrastructure tools often render an absent setting as ""), so the
//! default applies.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

use crate::name::FunctionName;

mod baseline;
mod values;
pub use baseline::{Baseline, vars as baseline_vars};
use values::{accounts, exempt, kms_key_arn, queue_arn, topic_arn};

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
    /// `RUNAWAY_GUARD_CHAIN_BUDGET`: chain size per root within the TTL (its invocations less the free
    /// ones of a wide, shallow fan-out; docs/chain-rules.md) before the root's top emitters are throttled.
    pub chain_budget: u64,
    /// `RUNAWAY_GUARD_CHAIN_LEVEL_ALLOWANCE`: invocations a depth level of a root holds (charged)
    /// before it can turn wide; a wide level's further invocations, and one plateau after it, are free.
    pub chain_level_allowance: u64,
    /// `RUNAWAY_GUARD_CHAIN_FAN_OUT`: a level turns wide only once it holds at least this many times
    /// the invocations of the levels above it.
    pub chain_fan_out: u64,
    /// `RUNAWAY_GUARD_CHAIN_CEILING`: invocations per root within the TTL that trip whatever the shape.
    pub chain_ceiling: u64,
    /// `RUNAWAY_GUARD_CHAIN_TTL_SECS`: how long a chain root is remembered after its last event.
    pub chain_ttl_secs: u64,
    /// `RUNAWAY_GUARD_MAX_CHAINS`: hard cap on live chain roots (bounded memory under a flood).
    pub max_chains: usize,
    /// `RUNAWAY_GUARD_MAX_FUNCTIONS`: hard cap on functions tracked for rate windows and depth overrides.
    pub max_functions: usize,
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
    /// `RUNAWAY_GUARD_PRICE_PER_REQUEST`, `RUNAWAY_GUARD_PRICE_PER_GB_SECOND_X86`,
    /// `RUNAWAY_GUARD_PRICE_PER_GB_SECOND_ARM64`: pricing.
    pub prices: Prices,
    /// `AWS_LAMBDA_FUNCTION_NAME`: the guard itself, always exempt.
    pub self_function: Option<FunctionName>,
    /// The guard's execution role, whose calls the drift watch knows as the guard's own. Not an
    /// environment variable: the CLI takes it from the deployed guard's configuration (`Role`),
    /// Lambda mode asks STS who it is the first time a call needs it.
    pub self_role: Option<crate::role::RoleRef>,
    /// `RUNAWAY_GUARD_TRIP_CAP_TABLE`: the DynamoDB table (name or ARN) that counts trips per hour
    /// across every execution environment; unset, the cap is counted per environment only.
    pub trip_cap_table: Option<String>,
    /// `RUNAWAY_GUARD_TRUSTED_ACCOUNTS`: accounts besides the guard's own whose events are believed.
    pub trusted_accounts: BTreeSet<String>,
    /// `RUNAWAY_GUARD_SWEEP_OFFENDER_SEARCH`: whether a scheduled tick runs the offender search
    /// besides re-judging the contributors in ALARM (`false`: the tick only re-judges them).
    pub sweep_offender_search: bool,
    /// `RUNAWAY_GUARD_BASELINE_*` and `RUNAWAY_GUARD_CONTRIBUTOR_ALARMS`: the metric-driven judgement.
    pub baseline: Baseline,
    /// `RUNAWAY_GUARD_RECORD_KEY_ARN`: the KMS HMAC key (or alias) ARN that signs and checks trip
    /// records. Without it records are written unsigned and none verifies.
    pub record_key_arn: Option<String>,
    /// `RUNAWAY_GUARD_PARKING_QUEUE_ARN`: the standard SQS queue a trip sets as on-failure destination
    /// of a function with neither a DLQ nor one, so its asynchronous events wait there for `replay`
    /// instead of being dropped. Unset, nothing is parked.
    pub parking_queue_arn: Option<String>,
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
            chain_level_allowance: 100,
            chain_fan_out: 8,
            chain_ceiling: 10_000,
            chain_ttl_secs: 900,
            max_chains: 1_000_000,
            max_functions: 65_536,
            bucket_secs: 10,
            rate_limit_per_sec: 1000.0,
            growth_buckets: 3,
            growth_floor: 20,
            cost_limit_usd_per_hour: 5.0,
            grace_secs: 900,
            prices: Prices::default(),
            self_function: None,
            self_role: None,
            trip_cap_table: None,
            trusted_accounts: BTreeSet::new(),
            sweep_offender_search: true,
            baseline: Baseline::default(),
            record_key_arn: None,
            parking_queue_arn: None,
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

/// The variable names, as the deployment sets them.
pub mod vars {
    /// SNS topic for alerts.
    pub const TOPIC_ARN: &str = "RUNAWAY_GUARD_TOPIC_ARN";
    /// Dry run.
    pub const DRY_RUN: &str = "RUNAWAY_GUARD_DRY_RUN";
    /// Default depth limit.
    pub const MAX_DEPTH: &str = "RUNAWAY_GUARD_MAX_DEPTH";
    /// Comma-separated exempt functions.
    pub const EXEMPT: &str = "RUNAWAY_GUARD_EXEMPT";
    /// Blast-radius cap.
    pub const MAX_TRIPS_PER_HOUR: &str = "RUNAWAY_GUARD_MAX_TRIPS_PER_HOUR";
    /// Invocations per chain root before throttling.
    pub const CHAIN_BUDGET: &str = "RUNAWAY_GUARD_CHAIN_BUDGET";
    /// Invocations a depth level holds before it can turn wide.
    pub const CHAIN_LEVEL_ALLOWANCE: &str = "RUNAWAY_GUARD_CHAIN_LEVEL_ALLOWANCE";
    /// Fan-out over the levels above that a wide level needs.
    pub const CHAIN_FAN_OUT: &str = "RUNAWAY_GUARD_CHAIN_FAN_OUT";
    /// Invocations per root that trip whatever the shape.
    pub const CHAIN_CEILING: &str = "RUNAWAY_GUARD_CHAIN_CEILING";
    /// Chain root TTL.
    pub const CHAIN_TTL_SECS: &str = "RUNAWAY_GUARD_CHAIN_TTL_SECS";
    /// Cap on live chain roots.
    pub const MAX_CHAINS: &str = "RUNAWAY_GUARD_MAX_CHAINS";
    /// Cap on tracked functions.
    pub const MAX_FUNCTIONS: &str = "RUNAWAY_GUARD_MAX_FUNCTIONS";
    /// Rate-window bucket width.
    pub const BUCKET_SECS: &str = "RUNAWAY_GUARD_BUCKET_SECS";
    /// Absolute rate rule.
    pub const RATE_LIMIT_PER_SEC: &str = "RUNAWAY_GUARD_RATE_LIMIT_PER_SEC";
    /// Growth rule: consecutive doublings.
    pub const GROWTH_BUCKETS: &str = "RUNAWAY_GUARD_GROWTH_BUCKETS";
    /// Growth rule: floor.
    pub const GROWTH_FLOOR: &str = "RUNAWAY_GUARD_GROWTH_FLOOR";
    /// Offender-search cost threshold.
    pub const COST_LIMIT_USD_PER_HOUR: &str = "RUNAWAY_GUARD_COST_LIMIT_USD_PER_HOUR";
    /// Grace period after a re-enable.
    pub const GRACE_SECS: &str = "RUNAWAY_GUARD_GRACE_SECS";
    /// Price per request.
    pub const PRICE_PER_REQUEST: &str = "RUNAWAY_GUARD_PRICE_PER_REQUEST";
    /// Price per GB-second, x86_64.
    pub const PRICE_PER_GB_SECOND_X86: &str = "RUNAWAY_GUARD_PRICE_PER_GB_SECOND_X86";
    /// Price per GB-second, arm64.
    pub const PRICE_PER_GB_SECOND_ARM64: &str = "RUNAWAY_GUARD_PRICE_PER_GB_SECOND_ARM64";
    /// Set by Lambda: the guard's own function name.
    pub const SELF_FUNCTION: &str = "AWS_LAMBDA_FUNCTION_NAME";
    /// DynamoDB table counting trips per hour account-wide.
    pub const TRIP_CAP_TABLE: &str = "RUNAWAY_GUARD_TRIP_CAP_TABLE";
    /// Comma-separated 12-digit account ids trusted besides the guard's own.
    pub const TRUSTED_ACCOUNTS: &str = "RUNAWAY_GUARD_TRUSTED_ACCOUNTS";
    /// `false` for a schedule that only re-judges the contributors in ALARM (no offender search).
    pub const SWEEP_OFFENDER_SEARCH: &str = "RUNAWAY_GUARD_SWEEP_OFFENDER_SEARCH";
    /// The KMS HMAC key (or alias) ARN that signs trip records.
    pub const RECORD_KEY_ARN: &str = "RUNAWAY_GUARD_RECORD_KEY_ARN";
    /// The SQS queue where a trip parks asynchronous events.
    pub const PARKING_QUEUE_ARN: &str = "RUNAWAY_GUARD_PARKING_QUEUE_ARN";
}

impl Config {
    /// Reads the process environment (a value that is not UTF-8 is reported as invalid, not ignored).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned()))
    }

    /// Reads settings through `lookup` (tests pass a map). Unset or empty variables take the default.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env(&lookup);
        let d = Config::default();
        Ok(Self {
            topic_arn: env.get(vars::TOPIC_ARN).map(|v| topic_arn(vars::TOPIC_ARN, v)).transpose()?,
            dry_run: env.boolean(vars::DRY_RUN, d.dry_run)?,
            max_depth: env.integer(vars::MAX_DEPTH, d.max_depth, 1..=10_000)?,
            exempt: env.get(vars::EXEMPT).map(|v| exempt(vars::EXEMPT, &v)).transpose()?.unwrap_or_default(),
            max_trips_per_hour: env.integer(vars::MAX_TRIPS_PER_HOUR, d.max_trips_per_hour, 0..=1_000)?,
            chain_budget: env.integer(vars::CHAIN_BUDGET, d.chain_budget, 1..=100_000_000)?,
            chain_level_allowance: env.integer(
                vars::CHAIN_LEVEL_ALLOWANCE,
                d.chain_level_allowance,
                0..=100_000_000,
            )?,
            chain_fan_out: env.integer(vars::CHAIN_FAN_OUT, d.chain_fan_out, 1..=10_000)?,
            chain_ceiling: env.integer(vars::CHAIN_CEILING, d.chain_ceiling, 1..=100_000_000)?,
            chain_ttl_secs: env.integer(vars::CHAIN_TTL_SECS, d.chain_ttl_secs, 1..=86_400)?,
            max_chains: env.integer(vars::MAX_CHAINS, d.max_chains, 1..=10_000_000)?,
            max_functions: env.integer(vars::MAX_FUNCTIONS, d.max_functions, 1..=262_144)?,
            bucket_secs: env.integer(vars::BUCKET_SECS, d.bucket_secs, 1..=300)?,
            rate_limit_per_sec: env.positive(vars::RATE_LIMIT_PER_SEC, d.rate_limit_per_sec, 1e9)?,
            growth_buckets: env.integer(vars::GROWTH_BUCKETS, d.growth_buckets, 1..=16)?,
            growth_floor: env.integer(vars::GROWTH_FLOOR, d.growth_floor, 1..=1_000_000_000)?,
            cost_limit_usd_per_hour: env.positive(
                vars::COST_LIMIT_USD_PER_HOUR,
                d.cost_limit_usd_per_hour,
                1e6,
            )?,
            grace_secs: env.integer(vars::GRACE_SECS, d.grace_secs, 0..=604_800)?,
            prices: Prices {
                per_request: env.price(vars::PRICE_PER_REQUEST, d.prices.per_request)?,
                per_gb_second_x86: env.price(vars::PRICE_PER_GB_SECOND_X86, d.prices.per_gb_second_x86)?,
                per_gb_second_arm: env.price(vars::PRICE_PER_GB_SECOND_ARM64, d.prices.per_gb_second_arm)?,
            },
            self_function: env
                .get(vars::SELF_FUNCTION)
                .map(|v| FunctionName::new(&v).map_err(|e| invalid(vars::SELF_FUNCTION, &v, e.to_string())))
                .transpose()?,
            self_role: None,
            trip_cap_table: env
                .get(vars::TRIP_CAP_TABLE)
                .map(|v| table(vars::TRIP_CAP_TABLE, v))
                .transpose()?,
            trusted_accounts: env
                .get(vars::TRUSTED_ACCOUNTS)
                .map(|v| accounts(vars::TRUSTED_ACCOUNTS, &v))
                .transpose()?
                .unwrap_or_default(),
            sweep_offender_search: env.boolean(vars::SWEEP_OFFENDER_SEARCH, d.sweep_offender_search)?,
            baseline: baseline::baseline(&env)?,
            record_key_arn: env
                .get(vars::RECORD_KEY_ARN)
                .map(|v| kms_key_arn(vars::RECORD_KEY_ARN, v))
                .transpose()?,
            parking_queue_arn: env
                .get(vars::PARKING_QUEUE_ARN)
                .map(|v| queue_arn(vars::PARKING_QUEUE_ARN, v))
                .transpose()?,
        })
    }
}

/// A DynamoDB table name (3–255 of `A-Za-z0-9_.-`) or a table ARN (`arn:…:dynamodb:…:table/NAME`).
fn table(variable: &'static str, value: String) -> Result<String, ConfigError> {
    let is_name = crate::name::is_table_name;
    let ok = match crate::arn::Arn::regional(&value, "dynamodb") {
        Some(arn) => arn.resource.strip_prefix("table/").is_some_and(is_name),
        None => !value.starts_with("arn:") && is_name(&value),
    };
    if ok {
        Ok(value)
    } else {
        Err(invalid(variable, &value, "a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -) or table ARN"))
    }
}

fn invalid(variable: &'static str, value: &str, expected: impl Into<String>) -> ConfigError {
    ConfigError { variable, value: value.to_owned(), expected: expected.into() }
}

struct Env<'a, F: Fn(&str) -> Option<String>>(&'a F);

impl<F: Fn(&str) -> Option<String>> Env<'_, F> {
    fn get(&self, variable: &str) -> Option<String> {
        (self.0)(variable).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    fn boolean(&self, variable: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self.get(variable).as_deref() {
            None => Ok(default),
            Some("true" | "1") => Ok(true),
            Some("false" | "0") => Ok(false),
            Some(other) => Err(invalid(variable, other, "true, false, 1 or 0")),
        }
    }

    fn integer<T>(
        &self,
        variable: &'static str,
        default: T,
        range: RangeInclusive<T>,
    ) -> Result<T, ConfigError>
    where
        T: FromStr + PartialOrd + fmt::Display,
    {
        let Some(raw) = self.get(variable) else { return Ok(default) };
        let expected = || format!("an integer from {} to {}", range.start(), range.end());
        let value: T = raw.parse().map_err(|_| invalid(variable, &raw, expected()))?;
        if range.contains(&value) { Ok(value) } else { Err(invalid(variable, &raw, expected())) }
    }

    /// A finite number in (0, max].
    fn positive(&self, variable: &'static str, default: f64, max: f64) -> Result<f64, ConfigError> {
        self.float(variable, default, |x| x > 0.0 && x <= max, format!("a number above 0 and at most {max}"))
    }

    /// A price: a finite number in [0, 1] USD.
    fn price(&self, variable: &'static str, default: f64) -> Result<f64, ConfigError> {
        self.float(variable, default, |x| (0.0..=1.0).contains(&x), "a USD price from 0 to 1")
    }

    fn float(
        &self,
        variable: &'static str,
        default: f64,
        ok: impl Fn(f64) -> bool,
        expected: impl Into<String>,
    ) -> Result<f64, ConfigError> {
        let Some(raw) = self.get(variable) else { return Ok(default) };
        match raw.parse::<f64>() {
            Ok(x) if x.is_finite() && ok(x) => Ok(x),
            _ => Err(invalid(variable, &raw, expected)),
        }
    }
}

#[cfg(test)]
mod tests;
