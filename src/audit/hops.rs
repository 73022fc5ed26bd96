//! Function-to-function hops: each way one function's output reaches another function (a write or a
//! destination, then any chain of triggers through resources: a bus's rule to a queue, a bucket's
//! notification to a topic, a topic's subscription to a queue, a queue's mapping to the function).
//! Loops are searched over hops, so two functions feeding each other through one shared bus are a
//! loop even though the bus is passed twice.

use std::collections::HashMap;

use super::graph::{Edge, EdgeKind};
use super::model::Wiring;

/// Most edges in one hop (a write and a few forwarding triggers).
const MAX_HOP_EDGES: usize = 6;

/// One hop: from a function to a function, as edge indexes into the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// The function it starts at.
    pub from: String,
    /// The function it ends at.
    pub to: String,
    /// The edges, in order.
    pub edges: Vec<usize>,
}

/// Every hop of the graph `edges`.
pub fn find(wiring: &Wiring, edges: &[Edge]) -> Vec<Hop> {
    let mut leaving: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, edge) in edges.iter().enumerate() {
        leaving.entry(edge.from.as_str()).or_default().push(i);
    }
    let search = Search { wiring, edges, leaving };
    let mut hops = Vec::new();
    for function in &wiring.functions {
        let mut visited = vec![function.arn.as_str()];
        search.extend(&function.arn, &function.arn, &mut Vec::new(), &mut visited, &mut hops);
    }
    hops
}

struct Search<'e> {
    wiring: &'e Wiring,
    edges: &'e [Edge],
    leaving: HashMap<&'e str, Vec<usize>>,
}

impl<'e> Search<'e> {
    fn extend(
        &self,
        start: &str,
        at: &str,
        path: &mut Vec<usize>,
        visited: &mut Vec<&'e str>,
        hops: &mut Vec<Hop>,
    ) {
        for &i in self.leaving.get(at).into_iter().flatten() {
            let edge = &self.edges[i];
            // From a resource only triggers lead on; from the function, anything it does.
            if !path.is_empty() && !matches!(edge.kind, EdgeKind::Trigger(_)) {
                continue;
            }
            path.push(i);
            if self.wiring.function(&edge.to).is_some() {
                hops.push(Hop { from: start.to_owned(), to: edge.to.clone(), edges: path.clone() });
            } else if path.len() < MAX_HOP_EDGES && !visited.contains(&edge.to.as_str()) {
                visited.push(edge.to.as_str());
                self.extend(start, &edge.to, path, visited, hops);
                visited.pop();
            }
            path.pop();
        }
    }
}
