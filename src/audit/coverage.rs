//! Whether Lambda's own recursive loop detection would stop a loop: it follows SQS, SNS, S3 and
//! Lambda-to-Lambda hops only (never EventBridge, DynamoDB or Kinesis), stops a loop after about 16
//! hops, and only for functions with `RecursiveLoop=Terminate`.

use serde::Serialize;

use super::arn::{self, Kind};
use super::model::{RecursiveLoop, Wiring};

/// The answer for one cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoopDetection {
    /// `yes`, `no` or `unknown`.
    pub stops_it: &'static str,
    /// Why.
    pub reason: String,
    /// Whether Lambda follows every hop of the loop (then `RecursiveLoop=Terminate` can stop it).
    #[serde(skip)]
    pub followed: bool,
}

/// Lambda's loop detection for the cycle through `nodes` (unqualified ARNs).
pub fn assess(wiring: &Wiring, nodes: &[&str]) -> LoopDetection {
    if let Some(service) = untracked(nodes) {
        return LoopDetection {
            stops_it: "no",
            reason: format!(
                "the loop passes through {service}, which Lambda's loop detection does not follow"
            ),
            followed: false,
        };
    }
    let functions: Vec<_> = nodes.iter().filter_map(|n| wiring.function(n)).collect();
    if let Some(f) = functions.iter().find(|f| f.recursive_loop == RecursiveLoop::Allow) {
        return LoopDetection {
            stops_it: "no",
            reason: format!(
                "{} has RecursiveLoop=Allow, which turns Lambda's loop detection off for it",
                f.name
            ),
            followed: true,
        };
    }
    if let Some(f) = functions.iter().find(|f| f.recursive_loop == RecursiveLoop::Unknown) {
        return LoopDetection {
            stops_it: "unknown",
            reason: format!(
                "SQS, SNS, S3 and Lambda hops only, which Lambda follows, but {}'s RecursiveLoop setting \
                 could not be read",
                f.name
            ),
            followed: true,
        };
    }
    LoopDetection {
        stops_it: "yes",
        reason:
            "SQS, SNS, S3 and Lambda hops only and RecursiveLoop=Terminate: Lambda drops the event after \
                 about 16 hops (each loop still runs that far)"
                .to_owned(),
        followed: true,
    }
}

/// The first service on the loop that Lambda's loop detection does not follow.
fn untracked(nodes: &[&str]) -> Option<&'static str> {
    nodes
        .iter()
        .map(|n| arn::kind_of(n))
        .find(|k| matches!(k, Kind::Bus | Kind::Table | Kind::Stream | Kind::Other))
        .map(Kind::service)
}
