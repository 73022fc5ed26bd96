//! `runaway-guard simulate`: scenarios on a simulated AWS account in virtual time, with the real
//! guard (handler, detector, policy) on simulated ports, side by side with its peers.
//!
//! Layout:
//! - [`scenario`]: the scenario format (`--scenario-file`), [`catalog`]: the built-in scenarios.
//! - `model`: a validated scenario compiled to indices and ticks.
//! - `engine`: the tick loop; `account`: concurrency, scaling and billing; `triggers`: routing,
//!   latencies and throttled-event semantics; `cohort`: aggregated events; `rng`: seeded draws.
//! - `cloudwatch` and `alarms`: metrics with ingestion lag, alarms with real periods and delays.
//! - `ports`: the guard's ports implemented by the account; `guard_driver`: feeding the `Guard`.
//! - [`peers`]: the mechanisms compared; [`result`]: what "contained" and "leaked" mean.
//! - [`render`]: text with sparklines; [`svg`]: the chart.
//!
//! Everything is synchronous and deterministic for a seed.

mod account;
mod alarm_spec;
mod alarms;
pub mod catalog;
mod cloudwatch;
mod cohort;
mod compile;
mod contributors;
mod engine;
mod guard_driver;
mod history;
mod model;
pub mod peers;
mod ports;
pub mod render;
pub mod result;
mod rng;
pub mod scenario;
mod series;
pub mod svg;
mod triggers;

use std::path::{Path, PathBuf};

use crate::config::Config;

pub use catalog::{scenario, scenario_names};
pub use peers::Mechanism;
pub use result::{GuardStats, MechanismResult, SimulationResult, Timeline, Trip};
pub use scenario::Scenario;

use engine::{Engine, RunOutput};
use model::Model;

/// Why a scenario could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// No built-in scenario has that name.
    #[error("unknown scenario {name:?}; known: {known}")]
    UnknownScenario {
        /// The name asked for.
        name: String,
        /// The built-in names, comma-separated.
        known: String,
    },
    /// The scenario file could not be read.
    #[error("cannot read scenario file {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The scenario is not valid JSON for the format.
    #[error("scenario {origin} is not a valid scenario")]
    Parse {
        /// File path or scenario name.
        origin: String,
        /// The JSON error (line, column, field).
        #[source]
        source: serde_json::Error,
    },
    /// The scenario parsed but describes something impossible.
    #[error("scenario {scenario:?} is invalid: {reason}")]
    Invalid {
        /// Scenario name.
        scenario: String,
        /// What is wrong.
        reason: String,
    },
}

/// Parses a scenario from JSON text; `origin` names it in errors.
pub fn parse_scenario(json: &str, origin: &str) -> Result<Scenario, SimError> {
    serde_json::from_str(json).map_err(|source| SimError::Parse { origin: origin.to_owned(), source })
}

/// Reads a `--scenario-file`.
pub fn load_scenario_file(path: &Path) -> Result<Scenario, SimError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| SimError::Io { path: path.to_owned(), source })?;
    let scenario = parse_scenario(&text, &path.display().to_string())?;
    Model::compile(&scenario, &Config::default().prices)?;
    Ok(scenario)
}

/// Runs `scenario` for the guard (configured by `config`), every peer and the baseline.
pub fn run(scenario: &Scenario, seed: u64, config: &Config) -> Result<SimulationResult, SimError> {
    let model = Model::compile(scenario, &config.prices)?;
    let runs = run_mechanisms(&model, scenario, seed, config)?;
    let incident_s = scenario.incident_at_secs as usize;
    let base = &runs[0].1;
    let measured = |out: &RunOutput| result::measure(out, &base.series, incident_s, scenario.benign);
    let peers = runs[2..].iter().map(|(m, out)| (m.as_str().to_owned(), measured(out))).collect();
    let guard_run = &runs[1].1;
    Ok(SimulationResult {
        scenario: scenario.name.clone(),
        benign: scenario.benign,
        seed,
        horizon_s: scenario.horizon_secs,
        incident_at_s: scenario.incident_at_secs,
        guard: measured(guard_run),
        peers,
        guard_stats: GuardStats {
            signals_fed: guard_run.signals_fed,
            signals_dropped: guard_run.signals_dropped,
            alerts: guard_run.alerts as u64,
            errors: guard_run.guard_errors,
        },
        timelines: runs
            .into_iter()
            .map(|(mechanism, out)| Timeline { mechanism, invocations_per_sec: out.series.invocations })
            .collect(),
    })
}

/// The baseline, guard and peer runs, in that order. They are independent: both cores are used.
fn run_mechanisms(
    model: &Model,
    scenario: &Scenario,
    seed: u64,
    config: &Config,
) -> Result<Vec<(Mechanism, RunOutput)>, SimError> {
    let mechanisms = [Mechanism::Baseline, Mechanism::Guard].into_iter().chain(Mechanism::PEERS);
    std::thread::scope(|s| {
        let handles: Vec<_> =
            mechanisms.map(|m| (m, s.spawn(move || Engine::new(model, m, seed, config).run()))).collect();
        handles
            .into_iter()
            .map(|(m, h)| {
                // A panicking run would be a simulator bug: report it rather than propagate the panic.
                let out = h.join().map_err(|_| SimError::Invalid {
                    scenario: scenario.name.clone(),
                    reason: format!("the {} run failed", m.as_str()),
                })?;
                Ok((m, out))
            })
            .collect()
    })
}

/// Runs every built-in scenario.
pub fn run_all(seed: u64, config: &Config) -> Result<Vec<SimulationResult>, SimError> {
    scenario_names().iter().map(|name| run(&scenario(name)?, seed, config)).collect()
}
