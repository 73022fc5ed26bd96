//! The fixes for a loop, ranked by effort: a reserved-concurrency cap (bounds the cost today), Lambda's
//! loop detection where it can follow the loop, a narrower policy statement, a narrower pattern,
//! prefix or filter, and the chain header (the guard stops the loop at its depth limit).

use serde::Serialize;

use super::arn;
use super::coverage::LoopDetection;
use super::graph::{Edge, EdgeKind};
use super::model::{Via, Wiring};

/// A reserved concurrency that keeps a loop small while it is fixed.
pub const SUGGESTED_CAP: u32 = 10;

/// One fix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fix {
    /// 1 (one command) to 3 (a code change).
    pub effort: u8,
    /// What to do.
    pub action: String,
}

/// The fixes for the cycle `path`, cheapest first. `costliest` names the function to cap.
pub fn for_cycle(
    wiring: &Wiring,
    path: &[&Edge],
    detection: &LoopDetection,
    costliest: Option<&str>,
) -> Vec<Fix> {
    let mut fixes: Vec<Fix> = costliest
        .map(|name| Fix {
            effort: 1,
            action: format!(
                "cap it: aws lambda put-function-concurrency --function-name {name} \
                 --reserved-concurrent-executions {SUGGESTED_CAP}"
            ),
        })
        .into_iter()
        .collect();
    if detection.stops_it != "yes" && detection.followed {
        fixes.extend(path.iter().filter_map(|e| wiring.function(&e.to)).map(|f| Fix {
            effort: 1,
            action: format!(
                "let Lambda stop it: aws lambda put-function-recursion-config --function-name {} \
                 --recursive-loop Terminate",
                f.name
            ),
        }));
    }
    for edge in path {
        fixes.extend(narrowing(wiring, edge));
    }
    let names: Vec<&str> =
        path.iter().filter_map(|e| wiring.function(&e.to)).map(|f| f.name.as_str()).collect();
    fixes.push(Fix {
        effort: 3,
        action: format!(
            "propagate the runaway-guard chain header in {} (docs/chain-header.md): the guard then throttles \
             the loop at its depth limit",
            names.join(", ")
        ),
    });
    fixes.sort_by_key(|f| f.effort);
    fixes
}

fn narrowing(wiring: &Wiring, edge: &Edge) -> Option<Fix> {
    let action = match &edge.kind {
        EdgeKind::Write { allowed, .. } => {
            let (_, by) = allowed.first()?;
            let function = wiring.function(&edge.from).map_or(edge.from.as_str(), |f| f.name.as_str());
            format!(
                "narrow the Resource of statement {} in {} so {function} cannot write {}",
                by.statement,
                by.policy,
                arn::label(&edge.to)
            )
        }
        EdgeKind::Trigger(i) => match &wiring.triggers.get(*i)?.via {
            Via::Rule { name } => format!(
                "narrow rule {name}'s pattern (a source or detail-type the loop's own events do not carry)"
            ),
            Via::BucketNotification { .. } => format!(
                "give {}'s notification a prefix the loop's function never writes (write output under \
                 another prefix or bucket)",
                arn::label(&edge.from)
            ),
            Via::Mapping { .. } => {
                format!(
                    "add a filter to the mapping from {} that drops the loop's own writes",
                    arn::label(&edge.from)
                )
            }
            Via::Subscription => {
                format!(
                    "add a filter policy to the {} subscription that drops the loop's own messages",
                    arn::label(&edge.from)
                )
            }
            Via::BucketToEventBridge | Via::Destination { .. } => return None,
        },
        EdgeKind::Blocked { .. } => return None,
    };
    Some(Fix { effort: 2, action })
}
