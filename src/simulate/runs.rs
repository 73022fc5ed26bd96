//! The runs behind one result: the baseline and the peers start together; the guard's runs start
//! when the baseline is done, because its CloudWatch minutes are their history (`history`).

use std::sync::Arc;

use super::engine::{Engine, RunOutput};
use super::history::History;
use super::model::Model;
use super::peers::Mechanism;
use super::{Scenario, SimError};
use crate::config::Config;

/// The baseline's output, one guard output per model in `guard_models`, and each peer's output.
pub(super) type Runs = (RunOutput, Vec<RunOutput>, Vec<(Mechanism, RunOutput)>);

/// Runs everything on all cores.
pub(super) fn run_all(
    model: &Model,
    guard_models: &[Model],
    scenario: &Scenario,
    seed: u64,
    config: &Config,
) -> Result<Runs, SimError> {
    let failed = |m: Mechanism| SimError::Invalid {
        scenario: scenario.name.clone(),
        reason: format!("the {} run failed", m.as_str()),
    };
    std::thread::scope(|s| {
        let run =
            move |m: Mechanism, model, history| move || Engine::new(model, m, seed, config, history).run();
        let base = s.spawn(run(Mechanism::Baseline, model, Arc::default()));
        let peers: Vec<_> =
            Mechanism::PEERS.iter().map(|&m| (m, s.spawn(run(m, model, Arc::default())))).collect();
        // A panicking run would be a simulator bug: report it rather than propagate the panic.
        let base = base.join().map_err(|_| failed(Mechanism::Baseline))?;
        let deployed = model.functions.iter().map(|f| f.deployed_before_secs).collect();
        let calendars = model.functions.iter().map(|f| f.history_calendar.clone()).collect();
        let history = Arc::new(History::new(base.minutes.clone(), deployed).with_calendars(calendars));
        let guards: Vec<_> =
            guard_models.iter().map(|gm| s.spawn(run(Mechanism::Guard, gm, history.clone()))).collect();
        let guards = guards
            .into_iter()
            .map(|h| h.join().map_err(|_| failed(Mechanism::Guard)))
            .collect::<Result<Vec<_>, _>>()?;
        let peers = peers
            .into_iter()
            .map(|(m, h)| h.join().map(|out| (m, out)).map_err(|_| failed(m)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((base, guards, peers))
    })
}
