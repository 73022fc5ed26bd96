//! Thresholds of the metric-driven judgement (`detect::baseline`): when a function named by a
//! contributor alarm, the offender search or the sweep has left its own normal the way runaways do.
//! Each default and the reason for it: docs/detection-metrics.md.

use super::{ConfigError, Env, invalid};

/// The variable names.
pub mod vars {
    /// Estimated spend below which a function is never judged a runaway.
    pub const COST_FLOOR_USD_PER_HOUR: &str = "RUNAWAY_GUARD_BASELINE_COST_FLOOR_USD_PER_HOUR";
    /// Estimated spend below which a function Lambda reports dropping recursive invocations of is
    /// left alone.
    pub const RECURSION_FLOOR_USD_PER_HOUR: &str = "RUNAWAY_GUARD_BASELINE_RECURSION_FLOOR_USD_PER_HOUR";
    /// How many times its usual rate (and cost) at this time of day a function must run.
    pub const SURGE_FACTOR: &str = "RUNAWAY_GUARD_BASELINE_SURGE_FACTOR";
    /// How many times its usual rate and cost makes a runaway on its own, whatever the shape.
    pub const EXTREME_FACTOR: &str = "RUNAWAY_GUARD_BASELINE_EXTREME_FACTOR";
    /// Days of hourly history read (sums and each hour's peak concurrency).
    pub const HISTORY_DAYS: &str = "RUNAWAY_GUARD_BASELINE_HISTORY_DAYS";
    /// Recent minutes read per minute.
    pub const RECENT_MINUTES: &str = "RUNAWAY_GUARD_BASELINE_RECENT_MINUTES";
    /// Consecutive minute-over-minute rises that make growth.
    pub const GROWTH_MINUTES: &str = "RUNAWAY_GUARD_BASELINE_GROWTH_MINUTES";
    /// Each of those rises at least this ratio.
    pub const GROWTH_RATIO: &str = "RUNAWAY_GUARD_BASELINE_GROWTH_RATIO";
    /// Consecutive minutes at the concurrency ceiling with throttles that make saturation.
    pub const SATURATION_MINUTES: &str = "RUNAWAY_GUARD_BASELINE_SATURATION_MINUTES";
    /// Comma-separated multi-time-series alarms whose contributors the sweep re-judges.
    pub const CONTRIBUTOR_ALARMS: &str = "RUNAWAY_GUARD_CONTRIBUTOR_ALARMS";
}

/// The judgement's thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    /// `RUNAWAY_GUARD_BASELINE_COST_FLOOR_USD_PER_HOUR`.
    pub cost_floor_usd_per_hour: f64,
    /// `RUNAWAY_GUARD_BASELINE_RECURSION_FLOOR_USD_PER_HOUR`.
    pub recursion_floor_usd_per_hour: f64,
    /// `RUNAWAY_GUARD_BASELINE_SURGE_FACTOR`.
    pub surge_factor: f64,
    /// `RUNAWAY_GUARD_BASELINE_EXTREME_FACTOR`.
    pub extreme_factor: f64,
    /// `RUNAWAY_GUARD_BASELINE_HISTORY_DAYS`.
    pub history_days: u32,
    /// `RUNAWAY_GUARD_BASELINE_RECENT_MINUTES`.
    pub recent_minutes: u32,
    /// `RUNAWAY_GUARD_BASELINE_GROWTH_MINUTES`.
    pub growth_minutes: u32,
    /// `RUNAWAY_GUARD_BASELINE_GROWTH_RATIO`.
    pub growth_ratio: f64,
    /// `RUNAWAY_GUARD_BASELINE_SATURATION_MINUTES`.
    pub saturation_minutes: u32,
    /// `RUNAWAY_GUARD_CONTRIBUTOR_ALARMS`.
    pub contributor_alarms: Vec<String>,
}

impl Default for Baseline {
    fn default() -> Self {
        Self {
            cost_floor_usd_per_hour: 1.0,
            recursion_floor_usd_per_hour: 0.1,
            surge_factor: 10.0,
            extreme_factor: 100.0,
            history_days: 62,
            recent_minutes: 10,
            growth_minutes: 3,
            growth_ratio: 1.5,
            saturation_minutes: 3,
            contributor_alarms: Vec::new(),
        }
    }
}

/// Reads the judgement's variables; unset ones take the defaults.
pub(super) fn baseline<F: Fn(&str) -> Option<String>>(env: &Env<'_, F>) -> Result<Baseline, ConfigError> {
    let d = Baseline::default();
    let baseline = Baseline {
        cost_floor_usd_per_hour: env.positive(
            vars::COST_FLOOR_USD_PER_HOUR,
            d.cost_floor_usd_per_hour,
            1e6,
        )?,
        recursion_floor_usd_per_hour: env.positive(
            vars::RECURSION_FLOOR_USD_PER_HOUR,
            d.recursion_floor_usd_per_hour,
            1e6,
        )?,
        surge_factor: env.float(
            vars::SURGE_FACTOR,
            d.surge_factor,
            |x| (1.5..=1e6).contains(&x),
            "a number from 1.5 to 1000000",
        )?,
        extreme_factor: env.float(
            vars::EXTREME_FACTOR,
            d.extreme_factor,
            |x| (1.5..=1e9).contains(&x),
            "a number from 1.5 to 1000000000",
        )?,
        history_days: env.integer(vars::HISTORY_DAYS, d.history_days, 1..=455)?,
        recent_minutes: env.integer(vars::RECENT_MINUTES, d.recent_minutes, 3..=60)?,
        growth_minutes: env.integer(vars::GROWTH_MINUTES, d.growth_minutes, 2..=30)?,
        growth_ratio: env.float(
            vars::GROWTH_RATIO,
            d.growth_ratio,
            |x| (1.1..=100.0).contains(&x),
            "a number from 1.1 to 100",
        )?,
        saturation_minutes: env.integer(vars::SATURATION_MINUTES, d.saturation_minutes, 1..=30)?,
        contributor_alarms: env
            .get(vars::CONTRIBUTOR_ALARMS)
            .map(|v| alarm_names(&v))
            .transpose()?
            .unwrap_or_default(),
    };
    if baseline.extreme_factor < baseline.surge_factor {
        let value = baseline.extreme_factor.to_string();
        return Err(invalid(vars::EXTREME_FACTOR, &value, "at least RUNAWAY_GUARD_BASELINE_SURGE_FACTOR"));
    }
    // The recent window must hold the growth run (rises + 1 minutes) and the saturation run.
    let needed = (baseline.growth_minutes + 1).max(baseline.saturation_minutes);
    if baseline.recent_minutes < needed {
        let value = baseline.recent_minutes.to_string();
        return Err(invalid(
            vars::RECENT_MINUTES,
            &value,
            format!("at least {needed} (the growth and saturation runs must fit in the recent minutes)"),
        ));
    }
    Ok(baseline)
}

/// Comma-separated CloudWatch alarm names (1–255 characters each, no control characters).
fn alarm_names(value: &str) -> Result<Vec<String>, ConfigError> {
    value
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| {
            if name.chars().count() <= 255 && !name.chars().any(char::is_control) {
                Ok(name.to_owned())
            } else {
                Err(invalid(
                    vars::CONTRIBUTOR_ALARMS,
                    name,
                    "comma-separated alarm names of 1-255 characters",
                ))
            }
        })
        .collect()
}
