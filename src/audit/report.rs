//! The audit's findings (the `--json` contract): `cycles`, each with its path and reasons, match,
//! worst-case cost, Lambda's loop detection and fixes; loops `ruled_out` by a Deny or a boundary;
//! edges that `leaves_account`; `failed_reads`.

use serde::Serialize;

use super::coverage::LoopDetection;
use super::fixes::Fix;
use super::graph::{Edge, EdgeKind, LeavesAccount};
use super::model::Unread;

/// Everything one audit found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `live` or `plan`.
    pub source: &'static str,
    /// The audited account, when known.
    pub account: Option<String>,
    /// The audited region.
    pub region: String,
    /// Loops, those that may run first, most expensive first.
    pub cycles: Vec<Cycle>,
    /// Loops the wiring would make but a Deny or a permission boundary stops.
    pub ruled_out: Vec<RuledOut>,
    /// Edges to resources in other accounts (not followed).
    pub leaves_account: Vec<LeavesAccount>,
    /// What could not be read; the audit went on without it.
    pub failed_reads: Vec<Unread>,
    /// The cycle search hit a bound: there may be more loops.
    pub truncated: bool,
}

/// One loop.
#[derive(Debug, Clone, Serialize)]
pub struct Cycle {
    /// The functions on it, in path order.
    pub functions: Vec<String>,
    /// Its edges, each with why it exists.
    pub path: Vec<PathEdge>,
    /// `may` or `cannot`.
    #[serde(rename = "match")]
    pub matches: &'static str,
    /// Why it may or cannot match.
    pub reason: String,
    /// Worst-case USD per hour (see docs/audit.md).
    pub cost_per_hour_usd: f64,
    /// Whether Lambda's own loop detection stops it.
    pub aws_loop_detection: LoopDetection,
    /// Fixes, cheapest first.
    pub fixes: Vec<Fix>,
}

/// A loop that cannot run because a write on it is denied.
#[derive(Debug, Clone, Serialize)]
pub struct RuledOut {
    /// The functions on it.
    pub functions: Vec<String>,
    /// Its edges.
    pub path: Vec<PathEdge>,
    /// Why it cannot run.
    pub reason: String,
}

/// One edge of a path.
#[derive(Debug, Clone, Serialize)]
pub struct PathEdge {
    /// From (ARN).
    pub from: String,
    /// To (ARN).
    pub to: String,
    /// `trigger`, `write` or `denied`.
    pub kind: &'static str,
    /// Why the edge exists (or does not).
    pub reason: String,
}

impl From<&Edge> for PathEdge {
    fn from(edge: &Edge) -> Self {
        let kind = match edge.kind {
            EdgeKind::Trigger(_) => "trigger",
            EdgeKind::Write { .. } => "write",
            EdgeKind::Blocked { .. } => "denied",
        };
        Self { from: edge.from.clone(), to: edge.to.clone(), kind, reason: edge.reason.clone() }
    }
}

impl Report {
    /// Loops that may run and cost at least `usd_per_hour`: what fails a CI job.
    pub fn failing(&self, usd_per_hour: f64) -> impl Iterator<Item = &Cycle> {
        self.cycles.iter().filter(move |c| c.matches == "may" && c.cost_per_hour_usd >= usd_per_hour)
    }
}
