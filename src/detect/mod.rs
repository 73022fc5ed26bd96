//! Pure, synchronous detection: `Signal` + `now` → `Verdict`s. Never reads the clock, never awaits,
//! never imports the SDK. State lives in DashMaps with hard caps and TTL eviction.
//! SKELETON: the API is the contract; the rules are filled in by the detection-core work.

use crate::name::FunctionName;
use crate::signal::Signal;
use crate::time::Timestamp;
use crate::verdict::Verdict;

pub mod cost;

/// Detection thresholds (built from `Config`).
#[derive(Debug, Clone, PartialEq)]
pub struct DetectorConfig {
    /// Default depth limit.
    pub max_depth: u32,
}

/// The detector: chain table + rate windows.
#[derive(Debug)]
pub struct Detector {
    config: DetectorConfig,
}

impl Detector {
    /// A detector with empty state.
    pub fn new(config: DetectorConfig) -> Self {
        Self { config }
    }

    /// Feeds one signal observed at `now`; returns what should be done.
    pub fn observe(&self, signal: &Signal, now: Timestamp) -> Vec<Verdict> {
        let _ = (signal, now, &self.config);
        Vec::new()
    }

    /// Records a per-function depth limit learned from the `runaway-guard:max-depth` tag.
    pub fn set_depth_limit(&self, function: &FunctionName, limit: Option<u32>) {
        let _ = (function, limit);
    }
}
