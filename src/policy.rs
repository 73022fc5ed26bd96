//! Pure policy: a verdict plus what is known about the function → what to do.
//! The guard itself and exempt functions are never throttled; at most N trips an hour; dry-run;
//! one decision per function per trip; a grace period after a re-enable for rate/cost rules.
//! SKELETON: the API is the contract; filled in by the detection-core work.

use crate::name::FunctionName;
use crate::ports::FunctionState;
use crate::report::Outcome;
use crate::time::Timestamp;
use crate::verdict::Reason;

/// What the handler should do for one function.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// Record, throttle, alert.
    Throttle,
    /// Dry run: alert "WOULD THROTTLE", mutate nothing.
    WouldThrottle,
    /// Do nothing to the function; report this outcome and why. `alert` says whether on-call
    /// should still hear about it (a capped trip is alerted; an exempt one is only logged).
    Skip {
        /// The outcome to report.
        outcome: Outcome,
        /// Why nothing was done.
        why: String,
        /// Whether to alert anyway.
        alert: bool,
    },
}

/// Policy settings (built from `Config`).
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyConfig {
    /// The guard's own function name.
    pub self_function: Option<FunctionName>,
}

/// The policy, with its small per-container memory (trips this hour, recent decisions).
#[derive(Debug)]
pub struct Policy {
    config: PolicyConfig,
}

impl Policy {
    /// A policy with empty memory.
    pub fn new(config: PolicyConfig) -> Self {
        Self { config }
    }

    /// Decisions that need no AWS call: the guard itself, env exemptions, a function decided moments ago.
    pub fn screen(&self, function: &FunctionName, reason: &Reason, now: Timestamp) -> Option<Plan> {
        let _ = (function, reason, now, &self.config);
        None
    }

    /// The decision once the function's state has been read.
    pub fn decide(&self, state: &FunctionState, reason: &Reason, now: Timestamp) -> Plan {
        let _ = (state, reason, now);
        Plan::WouldThrottle
    }
}

impl Policy {
    /// TEMPORARY (lead): the handler tells the policy a trip happened (cap accounting).
    pub fn record_trip(&self, function: &FunctionName, now: Timestamp) {
        let _ = (function, now);
    }
}
