//! Worst-case cost per hour of a loop: each function on it busy at the concurrency it can reach
//! (its reserved concurrency, else the account's limit, bounded by a mapping's own ceiling) for the
//! whole hour, priced by the guard's cost model, plus one service request per write on the path.

use super::arn::{self, Kind};
use super::graph::{Edge, EdgeKind};
use super::model::{Function, Via, Wiring};
use crate::config::Prices;
use crate::detect::cost::{FunctionProfile, usd_per_hour};
use crate::name::FunctionName;
use crate::ports::UsageSample;

/// What the estimate assumes where the wiring does not say.
#[derive(Debug, Clone)]
pub struct Assumptions {
    /// The account's concurrency limit (1,000 unless raised).
    pub account_concurrency: u32,
    /// How long one invocation runs, in milliseconds (sets the request count).
    pub invocation_ms: u32,
    /// Lambda prices.
    pub prices: Prices,
}

impl Default for Assumptions {
    fn default() -> Self {
        Self { account_concurrency: 1_000, invocation_ms: 1_000, prices: Prices::default() }
    }
}

/// USD per million requests of each service a loop writes to (us-east-1 list prices, 2026-12):
/// PutEvents custom events, SQS standard, SNS publish, S3 PUT, DynamoDB on-demand write units,
/// Kinesis PUT payload units, Lambda requests (already counted with the functions: 0 here).
pub fn request_price_per_million(kind: Kind) -> f64 {
    match kind {
        Kind::Bus => 1.00,
        Kind::Queue => 0.40,
        Kind::Topic => 0.50,
        Kind::Bucket => 5.00,
        Kind::Table => 0.625,
        Kind::Stream => 0.014,
        Kind::Function | Kind::Other => 0.0,
    }
}

/// The concurrency `function` can reach when invoked through `into` (the trigger edge into it).
pub fn reachable_concurrency(
    wiring: &Wiring,
    function: &Function,
    into: Option<&Edge>,
    assume: &Assumptions,
) -> u32 {
    let mut ceiling = function.reserved_concurrency.unwrap_or(assume.account_concurrency);
    if let Some(EdgeKind::Trigger(i)) = into.map(|e| &e.kind)
        && let Some(Via::Mapping { max_concurrency, parallelization }) =
            wiring.triggers.get(*i).map(|t| &t.via)
    {
        let source = into.map_or(Kind::Other, |e| arn::kind_of(&e.from));
        let mapping = match source {
            // One batch per shard at a time, times the parallelization factor (per shard).
            Kind::Table | Kind::Stream => parallelization.unwrap_or(1),
            _ => max_concurrency.unwrap_or(assume.account_concurrency),
        };
        ceiling = ceiling.min(mapping);
    }
    ceiling.min(assume.account_concurrency)
}

/// The worst-case USD per hour of the cycle `path`.
pub fn per_hour(wiring: &Wiring, path: &[&Edge], assume: &Assumptions) -> f64 {
    let invocations_per_unit = 3_600_000.0 / f64::from(assume.invocation_ms.max(1));
    let mut total = 0.0;
    for (i, edge) in path.iter().enumerate() {
        let Some(function) = wiring.function(&edge.to) else { continue };
        let concurrency = f64::from(reachable_concurrency(wiring, function, Some(edge), assume));
        total += function_usd(function, concurrency, invocations_per_unit, assume);
        // The function's writes on the path: one request per invocation.
        if let Some(next) =
            path.get((i + 1) % path.len()).filter(|e| matches!(e.kind, EdgeKind::Write { .. }))
        {
            let price = request_price_per_million(arn::kind_of(&next.to));
            total += concurrency * invocations_per_unit * price / 1_000_000.0;
        }
    }
    (total * 100.0).round() / 100.0
}

fn function_usd(
    function: &Function,
    concurrency: f64,
    invocations_per_unit: f64,
    assume: &Assumptions,
) -> f64 {
    let Ok(name) = FunctionName::new(&function.name) else { return 0.0 };
    let sample = UsageSample {
        function: name,
        invocations: concurrency * invocations_per_unit,
        duration_ms_sum: concurrency * 3_600_000.0,
        window_secs: 3_600,
    };
    let profile = FunctionProfile { memory_mb: function.memory_mb, architecture: function.architecture };
    usd_per_hour(&sample, profile, &assume.prices)
}
