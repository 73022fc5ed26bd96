//! `runaway-guard simulate`: scenarios on a simulated AWS account in virtual time, with the real
//! guard (handler, detector, policy) on simulated ports, side by side with its peers.
//!
//! Layout:
//! - [`scenario`]: the scenario format (`--scenario-file`), [`catalog`]: the built-in scenarios.
//! - `model`: a validated scenario compiled to indices and ticks.
//! - `engine`: the tick loop; `account`: concurrency, scaling and billing; `triggers`: routing,
//!   latencies and throttled-event semantics; `waits`: synchronous callers waiting for their
//!   callees; `streams`: DynamoDB and Kinesis shards;
//!   `mappings`: event source mappings a trip disables; `cohort`: aggregated events; `rng`: seeded
//!   draws.
//! - `cloudwatch` and `alarms`: metrics with ingestion lag, alarms with real periods and delays;
//!   `alarm_spec`: the alarm format and the module's defaults; `contributors`: Metrics Insights
//!   alarms grouped by function; `history`: each function's days before the run.
//! - `ports` and `metrics`: the guard's ports implemented by the account; `guard_driver`: feeding
//!   the `Guard`; `runs`: the baseline, peer and guard runs behind one result.
//! - [`Instrumentation`]: whether functions propagate the header (`--uninstrumented`).
//! - docs/simulation.md describes the model, the format and the results.
//! - [`peers`]: the mechanisms compared; [`result`]: what "contained" and "leaked" mean; [`lost`]:
//!   the events each mechanism sent to a DLQ or dropped, organic or the runaway's; [`Replay`]:
//!   what `runaway-guard replay` does with the events the guard parked.
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
pub mod lost;
mod mappings;
mod metrics;
mod model;
pub mod peers;
mod ports;
pub mod render;
mod replay;
pub mod result;
mod rng;
mod runs;
pub mod scenario;
mod series;
mod services;
mod stream_spec;
mod streams;
pub mod svg;
mod triggers;
mod waits;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::Config;

pub use catalog::{scenario, scenario_names};
pub use lost::{Held, Lost, LostWork};
pub use peers::Mechanism;
pub use replay::Replay;
pub use result::{GuardStats, MechanismResult, SentAlert, SimulationResult, Timeline, Trip};
pub use scenario::Scenario;

use engine::RunOutput;
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
    #[error("cannot read scenario file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The scenario is not valid JSON for the format.
    #[error("scenario {origin} is not a valid scenario: at {field}: {source}")]
    Parse {
        /// File path or scenario name.
        origin: String,
        /// Where it failed, e.g. `functions[0].memory_mb` (`.` for the top level).
        field: String,
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
    scenario::from_json(json).map_err(|(field, source)| SimError::Parse {
        origin: origin.to_owned(),
        field,
        source,
    })
}

/// Reads a `--scenario-file`.
pub fn load_scenario_file(path: &Path) -> Result<Scenario, SimError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| SimError::Io { path: path.to_owned(), source })?;
    let scenario = parse_scenario(&text, &path.display().to_string())?;
    Model::compile(&scenario, &Config::default().prices)?;
    Ok(scenario)
}

/// Which functions propagate the chain header in the guard's run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Instrumentation {
    /// As the scenario says (each function's `guarded`, default true).
    #[default]
    Instrumented,
    /// No function propagates the header (`--uninstrumented`): the guard has metrics and alarms only.
    Uninstrumented,
}

impl Instrumentation {
    /// The name used in JSON and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            Instrumentation::Instrumented => "instrumented",
            Instrumentation::Uninstrumented => "uninstrumented",
        }
    }

    /// `scenario` as this mode runs it.
    fn apply(self, scenario: &Scenario) -> Scenario {
        let mut s = scenario.clone();
        if self == Instrumentation::Uninstrumented {
            s.functions.iter_mut().for_each(|f| f.guarded = false);
        }
        s
    }
}

/// Runs `scenario` as written for the guard (configured by `config`), every peer and the baseline.
pub fn run(scenario: &Scenario, seed: u64, config: &Config) -> Result<SimulationResult, SimError> {
    run_in(scenario, seed, config, Instrumentation::Instrumented)
}

/// Runs `scenario` in `mode`.
pub fn run_in(
    scenario: &Scenario,
    seed: u64,
    config: &Config,
    mode: Instrumentation,
) -> Result<SimulationResult, SimError> {
    let mut results = run_modes(scenario, seed, config, &[mode])?;
    results.pop().ok_or_else(|| invalid(scenario, "no run"))
}

/// Runs `scenario` once per mode in `modes`, one result each. The baseline and the peers do not
/// read the chain header, so they run once and are shared by every mode's result.
pub fn run_modes(
    scenario: &Scenario,
    seed: u64,
    config: &Config,
    modes: &[Instrumentation],
) -> Result<Vec<SimulationResult>, SimError> {
    let model = Model::compile(scenario, &config.prices)?;
    let guard_models = modes
        .iter()
        .map(|m| Model::compile(&m.apply(scenario), &config.prices))
        .collect::<Result<Vec<_>, _>>()?;
    let (base, guards, peers) = runs::run_all(&model, &guard_models, scenario, seed, config)?;
    let incident_s = scenario.incident_at_secs as usize;
    let measured = |out: &RunOutput| result::measure(out, &base.series, incident_s, scenario.benign);
    let peer_results: BTreeMap<String, MechanismResult> =
        peers.iter().map(|(m, out)| (m.as_str().to_owned(), measured(out))).collect();
    let timeline = |mechanism, out: &RunOutput| Timeline {
        mechanism,
        invocations_per_sec: out.series.invocations.clone(),
    };
    Ok(modes
        .iter()
        .zip(&guards)
        .map(|(&mode, guard_run)| SimulationResult {
            scenario: scenario.name.clone(),
            mode,
            benign: scenario.benign,
            seed,
            horizon_s: scenario.horizon_secs,
            incident_at_s: scenario.incident_at_secs,
            guard: measured(guard_run),
            peers: peer_results.clone(),
            baseline: measured(&base),
            first_trip_alert: guard_run.first_trip_alert.as_ref().map(result::SentAlert::from),
            guard_stats: GuardStats {
                signals_fed: guard_run.signals_fed,
                signals_dropped: guard_run.signals_dropped,
                contributor_events: guard_run.contributor_signals,
                alerts: guard_run.alerts as u64,
                errors: guard_run.guard_errors,
            },
            timelines: [(Mechanism::Baseline, &base), (Mechanism::Guard, guard_run)]
                .into_iter()
                .chain(peers.iter().map(|(m, out)| (*m, out)))
                .map(|(m, out)| timeline(m, out))
                .collect(),
        })
        .collect())
}

fn invalid(scenario: &Scenario, reason: &str) -> SimError {
    SimError::Invalid { scenario: scenario.name.clone(), reason: reason.to_owned() }
}

/// Runs every built-in scenario as written.
pub fn run_all(seed: u64, config: &Config) -> Result<Vec<SimulationResult>, SimError> {
    scenario_names().iter().map(|name| run(&scenario(name)?, seed, config)).collect()
}
