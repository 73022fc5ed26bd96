//! The audit's report for a person (a table ranked by worst-case cost, each loop's path, reason and
//! cheapest fixes) and for Graphviz (`--dot`: every edge of every loop, the writes dashed).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::arn;
use super::report::{Cycle, Report};
use crate::sanitise::one_line;

/// The report as text.
pub fn table(report: &Report) -> String {
    let mut out = String::new();
    let may = report.cycles.iter().filter(|c| c.matches == "may").count();
    let _ = writeln!(
        out,
        "Loop audit of {} in {} ({}): {may} loop(s) may run, {} cannot match, {} ruled out by IAM",
        one_line(report.account.as_deref().unwrap_or("an unknown account")),
        one_line(&report.region),
        report.source,
        report.cycles.len() - may,
        report.ruled_out.len()
    );
    if !report.cycles.is_empty() {
        let _ = writeln!(out, "\n{:>10}  {:<6}  {:<8}  LOOP", "USD/HOUR", "MATCH", "AWS STOPS");
    }
    for cycle in &report.cycles {
        row(&mut out, cycle);
    }
    for ruled in &report.ruled_out {
        let _ = writeln!(
            out,
            "\nruled out: {} — {}",
            one_line(&ruled.functions.join(" → ")),
            one_line(&ruled.reason)
        );
    }
    for edge in &report.leaves_account {
        let _ = writeln!(out, "\nleaves the account (not followed): {}", one_line(&edge.reason));
    }
    for unread in &report.failed_reads {
        let _ = writeln!(out, "\nnot read: {}: {}", one_line(&unread.subject), one_line(&unread.error));
    }
    if report.truncated {
        out.push_str("\nThe cycle search hit its bound: there may be more loops than listed.\n");
    }
    out
}

fn row(out: &mut String, cycle: &Cycle) {
    let hops: Vec<String> = cycle.path.iter().map(|e| arn::label(&e.to)).collect();
    let _ = writeln!(
        out,
        "{:>10.2}  {:<6}  {:<9}  {}",
        cycle.cost_per_hour_usd,
        cycle.matches,
        cycle.aws_loop_detection.stops_it,
        one_line(&hops.join(" → "))
    );
    for edge in &cycle.path {
        let _ = writeln!(out, "{:>30}{}", "- ", one_line(&edge.reason));
    }
    let _ = writeln!(out, "{:>30}{} match: {}", "", cycle.matches, one_line(&cycle.reason));
    let _ = writeln!(out, "{:>30}AWS loop detection: {}", "", one_line(&cycle.aws_loop_detection.reason));
    for fix in cycle.fixes.iter().take(3) {
        let _ = writeln!(out, "{:>30}fix (effort {}): {}", "", fix.effort, one_line(&fix.action));
    }
}

/// The loops as a Graphviz digraph: loops that may run in red, those that cannot in grey, loops an
/// IAM Deny rules out dotted.
pub fn dot(report: &Report) -> String {
    let mut out =
        String::from("digraph audit {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n");
    let mut nodes = BTreeSet::new();
    let mut edges = BTreeSet::new();
    let all = report
        .cycles
        .iter()
        .map(|c| (&c.path, if c.matches == "may" { "red" } else { "grey" }))
        .chain(report.ruled_out.iter().map(|r| (&r.path, "blue")));
    for (path, colour) in all {
        for edge in path {
            nodes.insert(edge.from.clone());
            nodes.insert(edge.to.clone());
            let style = match edge.kind {
                "write" => "dashed",
                "denied" => "dotted",
                _ => "solid",
            };
            edges.insert(format!(
                "  \"{}\" -> \"{}\" [color={colour}, style={style}, tooltip=\"{}\"];\n",
                quoted(&edge.from),
                quoted(&edge.to),
                quoted(&edge.reason)
            ));
        }
    }
    for node in &nodes {
        let _ = writeln!(out, "  \"{}\" [label=\"{}\"];", quoted(node), quoted(&arn::label(node)));
    }
    edges.iter().for_each(|e| out.push_str(e));
    out.push_str("}\n");
    out
}

/// Text inside a DOT double-quoted string: no quote, backslash or line break can end it early.
fn quoted(text: &str) -> String {
    one_line(text).replace('\\', "\\\\").replace('"', "\\\"")
}
