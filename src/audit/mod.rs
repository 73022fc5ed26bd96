//! `runaway-guard audit`: finds the loops in an account's wiring (or a Terraform plan) before they
//! fire. Pure: the wiring comes in ([`model::Wiring`], read by `plan` or by the live adapters in
//! `crate::aws::audit`), a [`report::Report`] goes out.
//!
//! - [`arn`]: resource kinds and graph nodes. [`glob`]: IAM wildcards. [`iam`]: "may role R do A on X?".
//! - [`model`]: the wiring. [`graph`]: trigger and write edges. [`hops`]: function-to-function hops.
//! - [`cycles`]: the bounded cycle search over hops.
//! - [`matching`]: can the writes match the triggers. [`cost`]: worst-case USD per hour.
//! - [`coverage`]: Lambda's own loop detection. [`fixes`]: ranked fixes. [`report`]: the findings.
//! - [`plan`]: `terraform show -json` → wiring. [`render`]: table and Graphviz.

pub mod arn;
pub mod cost;
pub mod coverage;
pub mod cycles;
pub mod fixes;
pub mod glob;
pub mod graph;
pub mod hops;
pub mod iam;
pub mod matching;
pub mod model;
pub mod plan;
pub mod render;
pub mod report;

use graph::{Edge, EdgeKind};
use matching::Match;
use model::Wiring;
use report::{Cycle, PathEdge, Report, RuledOut};

/// How far the audit looks and what it assumes.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Cost assumptions.
    pub assume: cost::Assumptions,
    /// Cycle search bounds.
    pub bounds: cycles::Bounds,
}

/// Audits `wiring`. `source` is `live` or `plan`.
pub fn analyse(wiring: &Wiring, source: &'static str, options: &Options) -> Report {
    let graph = graph::build(wiring);
    let (paths, truncated) = loops(wiring, &graph.edges, options.bounds);
    let mut report = Report {
        source,
        account: wiring.account.clone(),
        region: wiring.region.clone(),
        cycles: Vec::new(),
        ruled_out: Vec::new(),
        leaves_account: graph::leaving_account(wiring),
        failed_reads: wiring.unread.clone(),
        truncated,
    };
    for path in paths {
        let functions: Vec<String> =
            path.iter().filter_map(|e| wiring.function(&e.to)).map(|f| f.name.clone()).collect();
        if functions.is_empty() {
            continue;
        }
        if let Some(why) = path.iter().find_map(|e| match &e.kind {
            EdgeKind::Blocked { why } => Some(why.clone()),
            _ => None,
        }) {
            let path = path.iter().map(|e| PathEdge::from(*e)).collect();
            report.ruled_out.push(RuledOut { functions, path, reason: why });
            continue;
        }
        report.cycles.push(cycle(wiring, &path, functions, options));
    }
    report.cycles.sort_by(|a, b| {
        (a.matches != "may")
            .cmp(&(b.matches != "may"))
            .then(b.cost_per_hour_usd.total_cmp(&a.cost_per_hour_usd))
    });
    report
}

/// Every loop of `edges` within `bounds`, as edge paths, and whether the search was cut short.
fn loops<'e>(wiring: &Wiring, edges: &'e [Edge], bounds: cycles::Bounds) -> (Vec<Vec<&'e Edge>>, bool) {
    let hops = hops::find(wiring, edges);
    let hop_edges: Vec<Edge> = hops
        .iter()
        .map(|h| Edge {
            from: h.from.clone(),
            to: h.to.clone(),
            kind: EdgeKind::Trigger(0),
            reason: String::new(),
        })
        .collect();
    let found = cycles::find(&hop_edges, bounds);
    let paths = found
        .cycles
        .iter()
        .map(|hop_indexes| {
            let indexes = hop_indexes.iter().filter_map(|h| hops.get(*h)).flat_map(|h| h.edges.iter());
            indexes.filter_map(|i| edges.get(*i)).collect()
        })
        .collect();
    (paths, found.truncated)
}

fn cycle(wiring: &Wiring, path: &[&Edge], functions: Vec<String>, options: &Options) -> Cycle {
    let (matches, reason) = match matching::check(wiring, path) {
        Match::May(reason) => ("may", reason),
        Match::Cannot(reason) => ("cannot", reason),
    };
    let nodes: Vec<&str> = path.iter().map(|e| e.to.as_str()).collect();
    let detection = coverage::assess(wiring, &nodes);
    let costliest = path
        .iter()
        .filter_map(|e| wiring.function(&e.to))
        .max_by_key(|f| f.memory_mb)
        .map(|f| f.name.as_str());
    Cycle {
        fixes: fixes::for_cycle(wiring, path, &detection, costliest),
        functions,
        path: path.iter().map(|e| PathEdge::from(*e)).collect(),
        matches,
        reason,
        cost_per_hour_usd: cost::per_hour(wiring, path, &options.assume),
        aws_loop_detection: detection,
    }
}

#[cfg(test)]
mod tests;
