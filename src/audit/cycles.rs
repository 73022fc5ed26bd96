//! The cycle search over function-to-function hops: strongly connected components (petgraph's
//! Tarjan), then every elementary cycle inside each component by depth-first search from its
//! smallest node, bounded in length, count and steps so a dense account cannot make the audit run
//! away itself.

use std::collections::HashMap;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use super::graph::Edge;

/// Limits of the search.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Longest cycle, in edges.
    pub max_len: usize,
    /// Most cycles reported.
    pub max_cycles: usize,
    /// Most search steps (edge visits).
    pub max_steps: usize,
}

impl Default for Bounds {
    fn default() -> Self {
        Self { max_len: 12, max_cycles: 1_000, max_steps: 2_000_000 }
    }
}

/// The cycles found, as lists of edge indexes in path order, and whether a bound cut the search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// Each cycle's edges (indexes into the edge list), starting at its smallest node.
    pub cycles: Vec<Vec<usize>>,
    /// A bound stopped the search: there may be more.
    pub truncated: bool,
}

/// Every elementary cycle of `edges` within `bounds`, shortest first.
pub fn find(edges: &[Edge], bounds: Bounds) -> Found {
    let mut graph: DiGraph<&str, usize> = DiGraph::new();
    let mut index: HashMap<&str, NodeIndex> = HashMap::new();
    for edge in edges {
        for name in [edge.from.as_str(), edge.to.as_str()] {
            if !index.contains_key(name) {
                index.insert(name, graph.add_node(name));
            }
        }
    }
    for (i, edge) in edges.iter().enumerate() {
        graph.add_edge(index[edge.from.as_str()], index[edge.to.as_str()], i);
    }
    let mut search =
        Search { graph: &graph, bounds, found: Found::default(), steps: 0, component: Vec::new(), len: 0 };
    let mut components = tarjan_scc(&graph);
    components.iter_mut().for_each(|c| c.sort());
    // Shortest loops first (iterative deepening): when a bound cuts the search, what was found are
    // the self-loops and ping-pongs, not whichever long detours a depth-first search met first.
    for len in 1..=bounds.max_len {
        search.len = len;
        for component in &components {
            search.component.clone_from(component);
            for &start in component {
                search.from(start);
            }
        }
        if search.found.truncated {
            break;
        }
    }
    search.found
}

struct Search<'g> {
    graph: &'g DiGraph<&'g str, usize>,
    bounds: Bounds,
    found: Found,
    steps: usize,
    component: Vec<NodeIndex>,
    /// The length of the cycles this pass records.
    len: usize,
}

impl Search<'_> {
    /// Cycles through `start` using only component nodes after it (each cycle is found once, from
    /// its smallest node).
    fn from(&mut self, start: NodeIndex) {
        let mut on_path = vec![start];
        let mut path = Vec::new();
        self.extend(start, start, &mut on_path, &mut path);
    }

    fn extend(
        &mut self,
        start: NodeIndex,
        at: NodeIndex,
        on_path: &mut Vec<NodeIndex>,
        path: &mut Vec<usize>,
    ) {
        use petgraph::visit::EdgeRef;
        for edge in self.graph.edges(at) {
            if self.found.truncated {
                return;
            }
            self.steps += 1;
            if self.steps > self.bounds.max_steps || self.found.cycles.len() >= self.bounds.max_cycles {
                self.found.truncated = true;
                return;
            }
            let next = edge.target();
            path.push(*edge.weight());
            if next == start {
                if path.len() == self.len {
                    self.found.cycles.push(path.clone());
                }
            } else if next > start
                && path.len() < self.len
                && !on_path.contains(&next)
                && self.component.binary_search(&next).is_ok()
            {
                on_path.push(next);
                self.extend(start, next, on_path, path);
                on_path.pop();
            }
            path.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::graph::EdgeKind;

    fn edges(pairs: &[(&str, &str)]) -> Vec<Edge> {
        pairs
            .iter()
            .map(|(a, b)| Edge {
                from: (*a).into(),
                to: (*b).into(),
                kind: EdgeKind::Trigger(0),
                reason: String::new(),
            })
            .collect()
    }

    #[test]
    fn finds_each_elementary_cycle_once() {
        let e = edges(&[("a", "b"), ("b", "a"), ("b", "c"), ("c", "a"), ("c", "c"), ("c", "d")]);
        let found = find(&e, Bounds::default());
        let mut cycles = found.cycles.clone();
        cycles.sort();
        assert_eq!(cycles, vec![vec![0, 1], vec![0, 2, 3], vec![4]]);
        assert!(!found.truncated);
    }

    #[test]
    fn parallel_edges_are_distinct_cycles_and_acyclic_graphs_have_none() {
        let e = edges(&[("a", "b"), ("a", "b"), ("b", "a")]);
        assert_eq!(find(&e, Bounds::default()).cycles.len(), 2);
        assert!(find(&edges(&[("a", "b"), ("b", "c"), ("a", "c")]), Bounds::default()).cycles.is_empty());
    }

    #[test]
    fn bounds_truncate_and_say_so() {
        // A complete graph on 7 nodes has 1,172 elementary cycles.
        let names = ["a", "b", "c", "d", "e", "f", "g"];
        let pairs: Vec<(&str, &str)> =
            names.iter().flat_map(|a| names.iter().filter(move |b| a != *b).map(move |b| (*a, *b))).collect();
        let bounds = Bounds { max_cycles: 100, ..Bounds::default() };
        let found = find(&edges(&pairs), bounds);
        assert!(found.truncated);
        assert_eq!(found.cycles.len(), 100);
        let short = find(&edges(&pairs), Bounds { max_len: 2, ..Bounds::default() });
        assert_eq!(short.cycles.len(), 21, "one 2-cycle per pair");
    }
}
