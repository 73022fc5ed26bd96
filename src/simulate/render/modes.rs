//! One scenario's results, one per instrumentation mode: which are shown as the guard's rows and
//! which is only compared with them in a sentence (`--uninstrumented` keeps the instrumented run
//! as its reference), and that sentence.

use std::fmt::Write as _;

use super::format::{duration, usd};
use crate::simulate::Instrumentation;
use crate::simulate::peers::Mechanism;
use crate::simulate::result::{MechanismResult, SimulationResult};

/// One scenario's results.
pub(super) struct Group<'a> {
    /// The results shown as the guard's rows, instrumented first; never empty.
    pub shown: Vec<&'a SimulationResult>,
    /// Another mode's result, compared with the shown one in a sentence only.
    pub reference: Option<&'a SimulationResult>,
}

impl<'a> Group<'a> {
    /// The first shown result: the scenario's facts and the peers' figures (the same in every mode).
    pub fn first(&self) -> &'a SimulationResult {
        self.shown[0]
    }

    /// Where times are counted from: the incident, or the start in a benign scenario.
    pub fn origin(&self) -> f64 {
        let r = self.first();
        if r.benign { 0.0 } else { r.incident_at_s as f64 }
    }

    /// The guard row's name for `r`: its mode too when several are shown.
    pub fn guard_label(&self, r: &SimulationResult) -> String {
        if self.shown.len() > 1 { format!("guard, {}", r.mode.as_str()) } else { "guard".to_owned() }
    }

    /// The per-second invocations to chart: the baseline, the guard per shown mode, the peers.
    pub fn timelines(&self) -> Vec<(String, &'a [u64])> {
        let of = |r: &'a SimulationResult, m: Mechanism| {
            r.timelines.iter().find(|t| t.mechanism == m).map(|t| t.invocations_per_sec.as_slice())
        };
        let first = self.first();
        let guards = self.shown.iter().filter_map(|&r| Some((self.guard_label(r), of(r, Mechanism::Guard)?)));
        let peers = Mechanism::PEERS.iter().filter_map(|&m| Some((m.as_str().to_owned(), of(first, m)?)));
        of(first, Mechanism::Baseline)
            .map(|b| (Mechanism::Baseline.as_str().to_owned(), b))
            .into_iter()
            .chain(guards)
            .chain(peers)
            .collect()
    }
}

/// Groups `results` by scenario, in the order they first appear.
pub(super) fn group(results: &[SimulationResult], primary: Option<Instrumentation>) -> Vec<Group<'_>> {
    let mut names: Vec<&str> = Vec::new();
    for r in results {
        if !names.contains(&r.scenario.as_str()) {
            names.push(&r.scenario);
        }
    }
    names
        .into_iter()
        .map(|name| {
            let mut all: Vec<&SimulationResult> = results.iter().filter(|r| r.scenario == name).collect();
            all.sort_by_key(|r| r.mode != Instrumentation::Instrumented);
            match primary {
                Some(mode) if all.len() > 1 && all.iter().any(|r| r.mode == mode) => Group {
                    reference: all.iter().find(|r| r.mode != mode).copied(),
                    shown: all.into_iter().filter(|r| r.mode == mode).take(1).collect(),
                },
                _ => Group { shown: all, reference: None },
            }
        })
        .collect()
}

/// One sentence on what the chain header changes, when the group holds both modes.
pub(super) fn compare(out: &mut String, group: &Group<'_>) {
    let all: Vec<&SimulationResult> = group.shown.iter().copied().chain(group.reference).collect();
    let with = all.iter().find(|r| r.mode == Instrumentation::Instrumented);
    let without = all.iter().find(|r| r.mode == Instrumentation::Uninstrumented);
    let (Some(with), Some(without)) = (with, without) else { return };
    let sentence = if with.benign {
        match (with.guard.trips.len(), without.guard.trips.len()) {
            (0, 0) => "no trip with or without the chain header".to_owned(),
            (a, b) => format!("{a} trip(s) with the chain header, {b} without it"),
        }
    } else if fate(&with.guard) == fate(&without.guard) {
        format!("with or without the chain header alike: {}", fate(&with.guard))
    } else {
        let mut s =
            format!("with the chain header, {}; without it, {}", fate(&with.guard), fate(&without.guard));
        if let (Some(a), Some(b)) = (with.guard.time_to_containment_s, without.guard.time_to_containment_s) {
            let when = if a <= b { "sooner" } else { "later" };
            let saved = without.guard.leaked_usd - with.guard.leaked_usd;
            let what = if saved >= 0.0 { "saves" } else { "costs" };
            let _ = write!(
                s,
                ": the header stops it {} {when} and {what} {}",
                duration((a - b).abs()),
                usd(saved.abs())
            );
        }
        s
    };
    let note = if group.reference.is_some() { " (--compare shows both runs in full)" } else { "" };
    let _ = writeln!(out, "  chain header: {sentence}{note}");
}

/// "contained after 13.0 s, $0.025 leaked" or "never contained, $3,882 leaked".
fn fate(m: &MechanismResult) -> String {
    match m.time_to_containment_s {
        Some(t) => format!("contained after {}, {} leaked", duration(t), usd(m.leaked_usd)),
        None => format!("never contained, {} leaked", usd(m.leaked_usd)),
    }
}
