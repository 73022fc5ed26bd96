//! What one run produced: per-second invocations and charges (account-wide and per function),
//! what was lost, and the trips.

use super::cloudwatch::Minute;
use super::lost::LostWork;
use super::result::Trip;

/// Per-second totals of one run: account-wide and per function.
#[derive(Debug, Clone, Default)]
pub(crate) struct Series {
    pub invocations: Vec<u64>,
    pub usd: Vec<f64>,
    pub fn_invocations: Vec<Vec<u64>>,
    pub fn_usd: Vec<Vec<f64>>,
}

impl Series {
    /// Zeroed series for `functions` functions over `seconds`.
    pub(crate) fn new(functions: usize, seconds: usize) -> Self {
        Self {
            invocations: vec![0; seconds],
            usd: vec![0.0; seconds],
            fn_invocations: vec![vec![0; seconds]; functions],
            fn_usd: vec![vec![0.0; seconds]; functions],
        }
    }

    /// Adds `invocations` of function `f` costing `usd` in `second`.
    pub(crate) fn add(&mut self, f: usize, second: usize, invocations: u64, usd: f64) {
        if second < self.invocations.len() && f < self.fn_invocations.len() {
            self.invocations[second] += invocations;
            self.usd[second] += usd;
            self.fn_invocations[f][second] += invocations;
            self.fn_usd[f][second] += usd;
        }
    }
}

/// Everything one run produced.
#[derive(Debug, Clone)]
pub(crate) struct RunOutput {
    pub series: Series,
    /// The run's CloudWatch minutes (the baseline's become the guard runs' history).
    pub minutes: Vec<Minute>,
    /// Contributor events delivered to the guard.
    pub contributor_signals: u64,
    pub trips: Vec<Trip>,
    /// Events that never ran, and those still waiting at the end.
    pub lost: LostWork,
    /// The replay of what the guard parked (the guard's runs only).
    pub replay: Option<super::replay::Replay>,
    /// Event source mappings the guard's trips disabled.
    pub mappings_paused: u32,
    pub alerts: usize,
    /// The alert the guard published for its first trip, as sent (`--alerts`).
    pub first_trip_alert: Option<crate::ports::Alert>,
    pub signals_fed: u64,
    pub signals_dropped: u64,
    pub guard_errors: u64,
}
