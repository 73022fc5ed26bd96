//! The cost model for the offender search: usage samples → USD per hour, ranked. Pure arithmetic;
//! the handler fetches the samples (CloudWatch) and each function's memory and architecture (Lambda).

use serde::Serialize;

use crate::config::Prices;
use crate::name::FunctionName;
use crate::ports::{Architecture, UsageSample};

/// What the cost model needs to know about a function besides its usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionProfile {
    /// Configured memory in MB.
    pub memory_mb: u32,
    /// CPU architecture.
    pub architecture: Architecture,
}

impl Default for FunctionProfile {
    /// Lambda's own defaults (128 MB, x86_64), for a function whose configuration could not be read.
    fn default() -> Self {
        Self { memory_mb: 128, architecture: Architecture::X86_64 }
    }
}

/// The estimated spend rate of one function.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostEstimate {
    /// The function.
    pub function: FunctionName,
    /// Estimated USD per hour at the sampled rate.
    pub usd_per_hour: f64,
    /// Invocations per hour at the sampled rate.
    pub invocations_per_hour: f64,
}

/// Every sampled function ranked by spend, and the ones over the limit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    /// All estimates, most expensive first.
    pub ranked: Vec<CostEstimate>,
    /// Estimates over the limit, most expensive first, at most the requested number.
    pub over_limit: Vec<CostEstimate>,
}

impl Ranking {
    /// The `n` most expensive functions (what to alert with when none is over the limit).
    pub fn top(&self, n: usize) -> &[CostEstimate] {
        &self.ranked[..n.min(self.ranked.len())]
    }
}

/// USD per hour for one sample: requests plus GB-seconds, scaled from the sample's window to an hour.
/// A sample with a zero window or non-finite/negative figures costs nothing (bad data never acts).
pub fn usd_per_hour(sample: &UsageSample, profile: FunctionProfile, prices: &Prices) -> f64 {
    let (invocations, duration_ms) = (sample.invocations, sample.duration_ms_sum);
    if sample.window_secs == 0 || !sane(invocations) || !sane(duration_ms) {
        return 0.0;
    }
    let per_gb_second = match profile.architecture {
        Architecture::X86_64 => prices.per_gb_second_x86,
        Architecture::Arm64 => prices.per_gb_second_arm,
    };
    let gb_seconds = duration_ms / 1000.0 * f64::from(profile.memory_mb) / 1024.0;
    let usd = invocations * prices.per_request + gb_seconds * per_gb_second;
    usd * 3600.0 / sample.window_secs as f64
}

fn sane(x: f64) -> bool {
    x.is_finite() && x >= 0.0
}

/// Ranks `samples` by estimated spend and picks at most `max` over `limit_usd_per_hour`.
/// `profile` gives each function's memory and architecture.
pub fn rank_offenders(
    samples: &[UsageSample],
    profile: impl Fn(&FunctionName) -> FunctionProfile,
    prices: &Prices,
    limit_usd_per_hour: f64,
    max: usize,
) -> Ranking {
    let mut ranked: Vec<CostEstimate> = samples
        .iter()
        .map(|sample| CostEstimate {
            function: sample.function.clone(),
            usd_per_hour: usd_per_hour(sample, profile(&sample.function), prices),
            invocations_per_hour: if sample.window_secs == 0 || !sane(sample.invocations) {
                0.0
            } else {
                sample.invocations * 3600.0 / sample.window_secs as f64
            },
        })
        .collect();
    ranked
        .sort_by(|a, b| b.usd_per_hour.total_cmp(&a.usd_per_hour).then_with(|| a.function.cmp(&b.function)));
    let over_limit =
        ranked.iter().filter(|e| e.usd_per_hour > limit_usd_per_hour).take(max).cloned().collect();
    Ranking { ranked, over_limit }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str, invocations: f64, duration_ms_sum: f64) -> UsageSample {
        UsageSample {
            function: FunctionName::new(name).unwrap(),
            invocations,
            duration_ms_sum,
            window_secs: 300,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn prices_requests_and_gb_seconds_per_architecture() {
        let prices = Prices::default();
        // 300 s window: 1 M invocations of 100 ms at 1024 MB = 100 000 GB-s.
        let s = sample("f", 1_000_000.0, 100_000_000.0);
        let x86 = usd_per_hour(
            &s,
            FunctionProfile { memory_mb: 1024, architecture: Architecture::X86_64 },
            &prices,
        );
        let arm =
            usd_per_hour(&s, FunctionProfile { memory_mb: 1024, architecture: Architecture::Arm64 }, &prices);
        assert!(close(x86, (0.20 + 100_000.0 * 0.000_016_666_7) * 12.0), "{x86}");
        assert!(close(arm, (0.20 + 100_000.0 * 0.000_013_333_4) * 12.0), "{arm}");
    }

    #[test]
    fn bad_samples_cost_nothing() {
        let prices = Prices::default();
        for s in [
            sample("f", f64::NAN, 1.0),
            sample("f", -5.0, 1.0),
            sample("f", 1.0, f64::INFINITY),
            UsageSample { window_secs: 0, ..sample("f", 1e9, 1e9) },
        ] {
            assert_eq!(usd_per_hour(&s, FunctionProfile::default(), &prices), 0.0);
        }
    }

    #[test]
    fn ranks_and_caps_offenders() {
        let samples = [sample("cheap", 10.0, 10.0), sample("big", 1e6, 1e9), sample("mid", 1e6, 1e8)];
        let profile = |f: &FunctionName| FunctionProfile {
            memory_mb: if f.as_str() == "big" { 3008 } else { 1024 },
            architecture: Architecture::X86_64,
        };
        let ranking = rank_offenders(&samples, profile, &Prices::default(), 5.0, 1);
        let order: Vec<_> = ranking.ranked.iter().map(|e| e.function.as_str()).collect();
        assert_eq!(order, ["big", "mid", "cheap"]);
        assert_eq!(ranking.over_limit.len(), 1, "capped at max");
        assert_eq!(ranking.over_limit[0].function.as_str(), "big");
        assert_eq!(ranking.top(5).len(), 3);
        assert!(close(ranking.ranked[0].invocations_per_hour, 12e6));
    }

    #[test]
    fn nothing_over_the_limit_leaves_the_top_for_the_alert() {
        let samples = [sample("a", 10.0, 10.0), sample("b", 20.0, 10.0)];
        let ranking = rank_offenders(&samples, |_| FunctionProfile::default(), &Prices::default(), 5.0, 10);
        assert!(ranking.over_limit.is_empty());
        assert_eq!(ranking.top(5)[0].function.as_str(), "b");
    }
}
