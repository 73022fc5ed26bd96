//! Corroboration mode: chain evidence alone (a header anyone with PutEvents on the bus can write)
//! is acted on only when the function's own `AWS/Lambda Invocations` agree that it is busy. The
//! decision is pure; the handler makes the one `GetMetricData` call for all candidates at once.

use crate::name::FunctionName;
use crate::ports::UsageSample;
use crate::verdict::Reason;

/// How far back the function's own invocations are summed.
pub const CORROBORATION_WINDOW_SECS: u64 = 300;

/// True for reasons that rest only on chain headers (forgeable on the bus). Alarms, cost and manual
/// trips come from CloudWatch or an operator and need no corroboration.
pub fn needs_corroboration(reason: &Reason) -> bool {
    matches!(
        reason,
        Reason::Depth { .. }
            | Reason::ChainSize { .. }
            | Reason::RateAbsolute { .. }
            | Reason::RateGrowth { .. }
    )
}

/// The verdict on one candidate.
#[derive(Debug, Clone, PartialEq)]
pub enum Corroboration {
    /// The metrics agree (or could not be read: see [`corroborate`]).
    Confirmed,
    /// The function was not busy enough for the chain evidence to be believed.
    Refuted {
        /// Invocations CloudWatch saw in the window.
        invocations: f64,
    },
}

/// Judges each candidate against the usage samples. A function absent from `samples` had no
/// datapoints, i.e. zero invocations. `samples == None` means CloudWatch could not be read: the
/// guard then fails open (a forger cannot cause a CloudWatch outage, a real loop during one must
/// still be stopped, and the cap bounds the rest).
pub fn corroborate(
    candidates: &[FunctionName],
    samples: Option<&[UsageSample]>,
    min_invocations: u64,
) -> Vec<Corroboration> {
    let Some(samples) = samples else { return vec![Corroboration::Confirmed; candidates.len()] };
    candidates
        .iter()
        .map(|function| {
            let invocations: f64 =
                samples.iter().filter(|s| s.function == *function).map(|s| s.invocations).sum();
            // Precision loss is irrelevant for a floor of at most 10^9.
            #[allow(clippy::cast_precision_loss)]
            let floor = min_invocations as f64;
            if invocations >= floor {
                Corroboration::Confirmed
            } else {
                Corroboration::Refuted { invocations }
            }
        })
        .collect()
}
