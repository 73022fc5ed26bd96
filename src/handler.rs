//! Async glue: event → detect → policy → ports → report. The same path runs in Lambda mode,
//! from `runaway-guard handle`, and inside the simulator with simulated ports.
//! SKELETON: the API is the contract; filled in by the AWS-slice work.

use serde_json::Value;

use crate::config::Config;
use crate::detect::{Detector, DetectorConfig};
use crate::event::EventError;
use crate::name::FunctionName;
use crate::policy::{Policy, PolicyConfig};
use crate::ports::{Metrics, Notifier, PortError, Throttler};
use crate::report::{Decision, Report};
use crate::signal::Signal;
use crate::time::Timestamp;
use crate::verdict::Reason;

/// Why handling an event failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    /// The event was malformed: not retried (it would only fail again).
    #[error(transparent)]
    BadEvent(#[from] EventError),
    /// An AWS call failed in a way worth retrying the whole invocation.
    #[error("retryable AWS failure: {0}")]
    Retryable(#[source] PortError),
}

/// The guard: configuration, detector and policy state, and its ports. Built once per process.
pub struct Guard<T, M, N> {
    config: Config,
    detector: Detector,
    policy: Policy,
    throttler: T,
    metrics: M,
    notifier: N,
}

impl<T: Throttler, M: Metrics, N: Notifier> Guard<T, M, N> {
    /// Builds the guard with empty detector and policy state.
    pub fn new(config: Config, throttler: T, metrics: M, notifier: N) -> Self {
        let detector = Detector::new(DetectorConfig::from(&config));
        let policy = Policy::new(PolicyConfig::from(&config));
        Self { config, detector, policy, throttler, metrics, notifier }
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The Lambda control-plane port.
    pub fn throttler(&self) -> &T {
        &self.throttler
    }

    /// Handles one inbound event.
    pub async fn handle(&self, event: &Value, now: Timestamp) -> Result<Report, HandleError> {
        let parsed = crate::event::parse_value(event)?;
        self.handle_signals(&parsed.signals, now).await
    }

    /// Handles already-parsed signals (the simulator calls this directly).
    pub async fn handle_signals(&self, signals: &[Signal], now: Timestamp) -> Result<Report, HandleError> {
        let _ = (signals, now, &self.detector, &self.policy, &self.metrics, &self.notifier);
        Ok(Report::default())
    }

    /// Manual kill switch: the same record and alert as a detected trip.
    pub async fn trip(&self, function: &FunctionName, reason: Reason, now: Timestamp) -> Decision {
        let _ = (function, reason, now);
        todo!("trip flow")
    }
}
