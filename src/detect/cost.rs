//! TEMPORARY (lead): replaced by the detection-core cost model at merge.
#![allow(missing_docs)]
use crate::config::Prices;
use crate::name::FunctionName;
use crate::ports::{Architecture, UsageSample};

pub struct CostInput {
    pub sample: UsageSample,
    pub memory_mb: u32,
    pub architecture: Architecture,
}

pub struct Estimate {
    pub function: FunctionName,
    pub usd_per_hour: f64,
    pub invocations: f64,
}

pub fn rank(inputs: &[CostInput], prices: &Prices) -> Vec<Estimate> {
    let mut v: Vec<Estimate> = inputs
        .iter()
        .map(|i| {
            let gb_s = i.sample.duration_ms_sum / 1000.0 * i.memory_mb as f64 / 1024.0;
            let per = match i.architecture {
                Architecture::Arm64 => prices.per_gb_second_arm,
                Architecture::X86_64 => prices.per_gb_second_x86,
            };
            let usd = gb_s * per + i.sample.invocations * prices.per_request;
            Estimate { function: i.sample.function.clone(), usd_per_hour: usd * 3600.0 / i.sample.window_secs.max(1) as f64, invocations: i.sample.invocations }
        })
        .collect();
    v.sort_by(|a, b| b.usd_per_hour.total_cmp(&a.usd_per_hour));
    v
}
