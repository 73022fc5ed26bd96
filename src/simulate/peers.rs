//! The mechanisms compared in every scenario, each modelled from its documented behaviour.
//!
//! - `guard`: runaway-guard, the real `Guard` (detector, policy, handler) on simulated ports.
//! - `lambda_loop_detection`: Lambda's recursive loop detection. After ~16 invocations in one chain
//!   (X-Ray lineage) it stops the next invocation, for SQS, SNS, S3 and Lambda async triggers only
//!   (never EventBridge), by dropping the event (SQS: to the queue's DLQ) instead of throttling. It
//!   acts per chain, so every new chain runs its 16 hops again and a fan-out below 16 hops never stops.
//!   It is on by default in every account, so it also runs under the guard, where the events it stops
//!   are published as `AWS/Lambda RecursiveInvocationsDropped` for the target function.
//! - `billing_kill_switch`: a billing alarm / budget action that sets reserved concurrency 0 on the
//!   account's functions. `AWS/Billing EstimatedCharges` lags real spend by 6–24 h; we use the
//!   optimistic end: a datapoint reflects charges 6 h old, evaluated hourly, then 5 min to act.
//!   It only throttles: event source mappings stay enabled, so SQS messages are received (and
//!   counted) until `maxReceiveCount` sends them to the DLQ, and stream shards block.
//! - `no_guard`: nothing stops it before the horizon.

use serde::Serialize;

use super::cohort::Cohort;
use super::engine::Engine;
use super::lost::Fate;
use super::model::{Dest, Kind, TICKS_PER_SEC};
use super::result::Trip;

/// Invocations per chain Lambda's loop detection allows before stopping the next one.
pub(crate) const LAMBDA_LOOP_LIMIT: u16 = 16;
/// Lag of the billing metric (the optimistic end of AWS's 6–24 h).
pub(crate) const BILLING_LAG_SECS: u64 = 6 * 3_600;
/// Time from the billing alarm to the kill switch's throttle (SNS → function → API).
pub(crate) const KILL_SWITCH_REACTION_TICKS: u32 = 5 * 60 * TICKS_PER_SEC;

/// What stops runaways in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mechanism {
    /// runaway-guard.
    Guard,
    /// Lambda's built-in recursive loop detection.
    LambdaLoopDetection,
    /// A billing-alarm / budget kill switch.
    BillingKillSwitch,
    /// Nothing.
    NoGuard,
    /// The scenario without its incident and without any guard: what "normal" costs.
    Baseline,
}

impl Mechanism {
    /// The peers reported beside the guard, in display order.
    pub const PEERS: [Mechanism; 3] =
        [Mechanism::LambdaLoopDetection, Mechanism::BillingKillSwitch, Mechanism::NoGuard];

    /// Whether Lambda's own loop detection runs in this run: under the guard (it is on by default
    /// in every account, and its `RecursiveInvocationsDropped` is one of the guard's triggers) and
    /// as the peer itself. The other runs isolate their own mechanism.
    pub fn lambda_detection_on(self) -> bool {
        matches!(self, Mechanism::Guard | Mechanism::LambdaLoopDetection)
    }

    /// The name used in JSON and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            Mechanism::Guard => "guard",
            Mechanism::LambdaLoopDetection => "lambda_loop_detection",
            Mechanism::BillingKillSwitch => "billing_kill_switch",
            Mechanism::NoGuard => "no_guard",
            Mechanism::Baseline => "baseline",
        }
    }
}

impl Engine<'_> {
    /// Lambda's loop detection: true when it stops this delivery (the event leaves the loop: to the
    /// queue's DLQ for SQS, to the function's DLQ or destination otherwise, or dropped).
    pub(super) fn lambda_detection_drops(&mut self, dest: Dest, kind: Kind, cohort: &Cohort) -> bool {
        let (target, fate) = match dest {
            Dest::Function(f) => (f, Fate::of_async(&self.model.functions[f].failure)),
            Dest::Queue(q) => (self.model.queues[q].consumer, Fate::of_sqs(self.model.queues[q].dlq)),
            // DynamoDB and Kinesis are outside Lambda's loop detection.
            Dest::Stream(_) => return false,
        };
        if kind == Kind::EventBridge || cohort.depth <= LAMBDA_LOOP_LIMIT {
            return false;
        }
        let by_mechanism = self.mechanism == Mechanism::LambdaLoopDetection;
        self.lost.add(cohort.runaway, by_mechanism, fate, cohort.total());
        self.account.lock().cloudwatch.recursive_dropped(target, cohort.total());
        // Under the guard these drops are Lambda's, not the guard's: they are not its trips.
        let first = !self.trips.iter().any(|t| t.function == self.model.functions[target].name.as_str());
        if self.mechanism == Mechanism::LambdaLoopDetection && first {
            let reason = format!(
                "recursive loop detection stopped invocation {} of a chain (event dropped, not throttled)",
                cohort.depth
            );
            self.record_trip(target, "lambda_recursion", reason, "dropped");
        }
        true
    }

    /// The billing kill switch fires: reserved concurrency 0 on every function.
    pub(super) fn kill_switch(&mut self) {
        for f in 0..self.model.functions.len() {
            if self.reserved[f] == Some(0) {
                continue;
            }
            self.reserved[f] = Some(0);
            self.throttled_by_mechanism[f] = true;
            self.account.lock().functions[f].reserved = Some(0);
            let reason = format!("billing alarm: EstimatedCharges ≥ ${:.2}", self.model.billing_alarm_usd);
            self.record_trip(f, "billing", reason, "throttled");
        }
    }

    /// Appends a trip at the current time.
    pub(super) fn record_trip(&mut self, f: usize, rule: &str, reason: String, outcome: &str) {
        self.trips.push(Trip {
            function: self.model.functions[f].name.to_string(),
            rule: rule.to_owned(),
            reason,
            outcome: outcome.to_owned(),
            at_s: self.seconds(),
        });
    }
}
