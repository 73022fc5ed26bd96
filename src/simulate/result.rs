//! What a scenario run reports, and how "contained" and "leaked" are measured.
//!
//! Every mechanism's run is compared second by second with the baseline run (the same scenario, same
//! seed, without its incident and without any guard), account-wide:
//! - *excess* in a second = invocations (or USD) in the run minus in the baseline;
//! - *contained at* = the end of the last second with positive excess invocations, provided the run
//!   then stays quiet for the rest of the horizon and at least `max(60 s, horizon / 10)`;
//! - *time to containment* = contained at − incident start;
//! - *leaked* = summed excess from the incident's start until containment (or the horizon when never
//!   contained), floored at zero. Throttling normal traffic after a trip counts as negative excess
//!   only within that span, so it cannot hide a leak that came before.

use std::collections::BTreeMap;

use serde::Serialize;

use super::engine::{RunOutput, Series};
use super::lost::LostWork;
use super::peers::Mechanism;
use super::replay::Replay;
use crate::ports::Alert;

/// One function stopped (or, for dry-run and the cap, one that would have been).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trip {
    /// The function.
    pub function: String,
    /// The rule (`depth`, `chain_size`, `rate_absolute`, `alarm`, `cost`, …; peers: `lambda_recursion`, `billing`).
    pub rule: String,
    /// Human reason.
    pub reason: String,
    /// `throttled`, `would_throttle`, `capped`, `failed`, or `dropped` (Lambda's loop detection).
    pub outcome: String,
    /// Seconds of virtual time since the start of the run.
    pub at_s: f64,
}

/// The figures for one mechanism in one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MechanismResult {
    /// Whether the runaway stopped before the horizon (`null` for benign scenarios).
    pub contained: Option<bool>,
    /// Seconds from the incident's start to containment (`null` when not contained or benign).
    pub time_to_containment_s: Option<f64>,
    /// Invocations beyond the baseline before containment.
    pub leaked_invocations: u64,
    /// USD beyond the baseline before containment.
    pub leaked_usd: f64,
    /// All invocations in the run.
    pub total_invocations: u64,
    /// All charges in the run (USD).
    pub total_usd: f64,
    /// Events that never ran: async events sent to a DLQ/destination or dropped, SQS messages
    /// dead-lettered or expired, stream records aged out, events Lambda's loop detection stopped
    /// (the total of `lost_work`).
    pub failed_events: u64,
    /// The same events split by whose they were and what lost them, and those left waiting.
    pub lost_work: LostWork,
    /// What `runaway-guard replay` does with the parked events after the fix (the guard only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<Replay>,
    /// Event source mappings disabled by the mechanism's trips (the guard's only).
    pub mappings_paused: u32,
    /// Functions stopped, why and when.
    pub trips: Vec<Trip>,
}

/// How the guard's own inputs fared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GuardStats {
    /// Chain signals fed to the guard.
    pub signals_fed: u64,
    /// Chain signals beyond the per-batch cap (counted, not fed).
    pub signals_dropped: u64,
    /// Contributor events (per-function alarms going into ALARM) delivered to the guard.
    pub contributor_events: u64,
    /// Alerts the guard published.
    pub alerts: u64,
    /// Decisions the guard reported as `failed` (a port call failed).
    pub errors: u64,
}

/// An alert as the guard sent it: what an e-mail subscriber reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentAlert {
    /// The SNS subject.
    pub subject: String,
    /// The e-mail body ([`crate::alert::email_text`]): the human text, without the JSON block.
    pub text: String,
}

impl From<&Alert> for SentAlert {
    fn from(alert: &Alert) -> Self {
        Self { subject: alert.subject.clone(), text: crate::alert::email_text(alert) }
    }
}

/// The alert published for `trip`: the first about its function with its outcome.
pub(crate) fn alert_of<'a>(trip: &Trip, alerts: &'a [Alert]) -> Option<&'a Alert> {
    let is =
        |alert: &Alert, key: &str, value: &str| alert.attributes.iter().any(|(k, v)| k == key && v == value);
    alerts.iter().find(|a| is(a, "function", &trip.function) && is(a, "outcome", &trip.outcome))
}

/// Async events sent to the guard's parking queue: an on-failure destination the guard gives a
/// function it trips when the function has neither a DLQ nor a destination, so that Lambda, which
/// fails every async event at reserved concurrency 0 at once, parks them instead of dropping them.
/// Replayable after the fix (`runaway-guard replay`); peers have no such queue and lose them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Parked {
    /// Organic events parked.
    pub organic: u64,
    /// The runaway's events parked.
    pub runaway: u64,
}

impl Parked {
    /// Every parked event.
    pub fn total(&self) -> u64 {
        self.organic + self.runaway
    }
}

/// Invocations per second of one mechanism's run, for the charts.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// Whose run.
    pub mechanism: Mechanism,
    /// Account-wide invocations in each second.
    pub invocations_per_sec: Vec<u64>,
}

/// One scenario: the guard's figures at the top level, the peers' under `peers`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulationResult {
    /// Scenario name.
    pub scenario: String,
    /// Whether the scenario's functions propagated the chain header in the guard's run.
    pub mode: super::Instrumentation,
    /// True when the scenario has no runaway (any trip is a false positive).
    pub benign: bool,
    /// The seed.
    pub seed: u64,
    /// Simulated seconds.
    pub horizon_s: u64,
    /// When the incident started.
    pub incident_at_s: u64,
    /// The guard's figures.
    #[serde(flatten)]
    pub guard: MechanismResult,
    /// Each peer's figures, by name.
    pub peers: BTreeMap<String, MechanismResult>,
    /// The same account without the incident and without any mechanism, measured like the others
    /// (its failed events happen whatever the mechanism).
    pub baseline: MechanismResult,
    /// The alert the guard sent for its first trip (`null` when it tripped nothing).
    pub first_trip_alert: Option<SentAlert>,
    /// The guard's inputs.
    pub guard_stats: GuardStats,
    /// Per-second timelines (baseline, guard, peers), for `render` and `svg`.
    #[serde(skip)]
    pub timelines: Vec<Timeline>,
}

impl SimulationResult {
    /// The best peer: the fewest leaked invocations.
    pub fn best_peer(&self) -> Option<(&str, &MechanismResult)> {
        self.peers.iter().min_by_key(|(_, r)| r.leaked_invocations).map(|(n, r)| (n.as_str(), r))
    }
}

/// Measures one run against the baseline.
pub(crate) fn measure(output: &RunOutput, base: &Series, incident_s: usize, benign: bool) -> MechanismResult {
    let run = &output.series;
    let horizon = run.invocations.len().min(base.invocations.len());
    let incident_s = incident_s.min(horizon);
    let pairs: Vec<(&[u64], &[u64])> = run
        .fn_invocations
        .iter()
        .zip(&base.fn_invocations)
        .map(|(r, b)| (&r[..horizon], &b[..horizon]))
        .collect();
    let last_excess =
        pairs.iter().filter_map(|(r, b)| (incident_s..horizon).rev().find(|&s| r[s] > b[s])).max();
    let contained_at = last_excess.map_or(incident_s, |s| s + 1);
    let quiet = (horizon / 10).max(60);
    let contained = contained_at + quiet <= horizon;
    let end = if contained { contained_at } else { horizon };
    // Per function, so traffic a runaway starved elsewhere in the account is not credited against it.
    let leaked_invocations: u64 = pairs
        .iter()
        .map(|(r, b)| {
            (incident_s..end).map(|s| i128::from(r[s]) - i128::from(b[s])).sum::<i128>().max(0) as u64
        })
        .sum();
    let leaked_usd: f64 = run
        .fn_usd
        .iter()
        .zip(&base.fn_usd)
        .map(|(r, b)| (incident_s..end).map(|s| r[s] - b[s]).sum::<f64>().max(0.0))
        .sum();
    MechanismResult {
        contained: (!benign).then_some(contained),
        time_to_containment_s: (!benign && contained).then(|| (contained_at - incident_s) as f64),
        leaked_invocations,
        // `+ 0.0` turns a negative zero into a positive one for printing.
        leaked_usd: leaked_usd + 0.0,
        total_invocations: run.invocations.iter().sum(),
        total_usd: run.usd.iter().sum(),
        failed_events: output.lost.total(),
        lost_work: output.lost,
        replay: output.replay,
        mappings_paused: output.mappings_paused,
        trips: output.trips.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(inv: &[u64]) -> Series {
        let mut s = Series::new(2, inv.len());
        for (second, &n) in inv.iter().enumerate() {
            s.add(0, second, n, n as f64 * 0.01);
        }
        s
    }

    fn output(inv: &[u64]) -> RunOutput {
        RunOutput {
            series: series(inv),
            minutes: Vec::new(),
            contributor_signals: 0,
            trips: Vec::new(),
            lost: Default::default(),
            replay: None,
            mappings_paused: 0,
            alerts: 0,
            first_trip_alert: None,
            signals_fed: 0,
            signals_dropped: 0,
            guard_errors: 0,
        }
    }

    #[test]
    fn leak_is_excess_until_the_last_excess_second() {
        let base = series(&[5; 1000]);
        let mut inv = vec![5u64; 1000];
        inv[100..110].copy_from_slice(&[15; 10]);
        inv[110..200].fill(0);
        let r = measure(&output(&inv), &base, 100, false);
        assert_eq!(r.contained, Some(true));
        assert_eq!(r.time_to_containment_s, Some(10.0));
        assert_eq!(r.leaked_invocations, 100);
        assert!((r.leaked_usd - 1.0).abs() < 1e-9);
    }

    #[test]
    fn starving_another_function_does_not_offset_a_leak() {
        let mut base = series(&[5; 1000]);
        let mut run = output(&[5; 1000]);
        for s in 0..1000 {
            base.add(1, s, 5, 0.05);
            run.series.add(1, s, 0, 0.0);
        }
        for s in 100..110 {
            run.series.add(0, s, 10, 0.1);
        }
        let r = measure(&run, &base, 100, false);
        assert_eq!(r.leaked_invocations, 100);
    }

    #[test]
    fn never_quiet_means_not_contained_and_leaks_to_the_horizon() {
        let base = series(&[1; 1000]);
        let r = measure(&output(&[3; 1000]), &base, 0, false);
        assert_eq!((r.contained, r.time_to_containment_s, r.leaked_invocations), (Some(false), None, 2000));
        let benign = measure(&output(&[1; 1000]), &base, 0, true);
        assert_eq!((benign.contained, benign.leaked_invocations), (None, 0));
    }
}
