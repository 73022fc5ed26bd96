//! Per-function depth limits from the `runaway-guard:max-depth` tag, learned before detection so
//! that the tag *sets* the limit, lower or higher than `RUNAWAY_GUARD_MAX_DEPTH`. A chain event's
//! emitter is looked up once per [`REFRESH`] per container (one GetFunctionConfiguration and one
//! ListTags), and only when a lower tag could matter: depth 2 up to the default limit (deeper
//! events are judged anyway, and the trip flow reads the tag before acting); at most
//! [`MAX_LOOKUPS_PER_EVENT`] lookups per event, so a flood naming many functions stays cheap.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use futures::StreamExt;
use tracing::warn;

use crate::detect::Detector;
use crate::name::FunctionName;
use crate::ports::Throttler;
use crate::signal::Signal;
use crate::time::Timestamp;

/// How long a learned tag (or its absence) is trusted before it is read again.
pub const REFRESH: Duration = Duration::from_secs(300);
/// Tag lookups one event may cause; further functions wait for a later event.
pub const MAX_LOOKUPS_PER_EVENT: usize = 8;
/// Lookups in flight at once (Lambda's control plane allows ~15 requests a second).
const PARALLEL_LOOKUPS: usize = 4;
/// Functions whose lookup time is remembered.
const MAX_REMEMBERED: usize = 10_000;

/// When each function's tag was last read.
#[derive(Debug, Default)]
pub struct DepthLimits {
    learned: Mutex<HashMap<FunctionName, Timestamp>>,
}

impl DepthLimits {
    /// Reads the tag of every emitter in `signals` not read within [`REFRESH`] (up to the per-event
    /// bound) and sets the detector's limit for it (`None`: the default applies). A failed read is
    /// logged and retried after [`REFRESH`]; the default limit applies meanwhile.
    pub async fn learn<T: Throttler>(
        &self,
        detector: &Detector,
        throttler: &T,
        signals: &[Signal],
        now: Timestamp,
    ) {
        let due = self.due(detector, signals, now);
        if due.is_empty() {
            return;
        }
        let results: Vec<_> = futures::stream::iter(due)
            .map(|function| async move {
                let tag = throttler.depth_limit_tag(&function).await;
                (function, tag)
            })
            .buffer_unordered(PARALLEL_LOOKUPS)
            .collect()
            .await;
        for (function, tag) in results {
            match tag {
                Ok(limit) => detector.set_depth_limit(&function, limit),
                Err(err) => {
                    warn!(function = %function, error = %err, "max-depth tag unreadable; default limit applies")
                }
            }
        }
    }

    /// Emitters due for a lookup, marked as looked up at `now`.
    fn due(&self, detector: &Detector, signals: &[Signal], now: Timestamp) -> Vec<FunctionName> {
        let mut learned = self.learned.lock().unwrap_or_else(PoisonError::into_inner);
        let mut due = Vec::new();
        for signal in signals {
            let Signal::Chain(observation) = signal else { continue };
            let header = &observation.header;
            if header.depth < 2 || header.depth > detector.default_depth_limit() {
                continue;
            }
            // Marked at `now` below, so a function named again in this batch is skipped here too.
            if learned.get(&header.function).is_some_and(|at| now.since(*at) < REFRESH) {
                continue;
            }
            if learned.len() >= MAX_REMEMBERED && !learned.contains_key(&header.function) {
                learned.retain(|_, at| now.since(*at) < REFRESH);
                if learned.len() >= MAX_REMEMBERED {
                    continue;
                }
            }
            learned.insert(header.function.clone(), now);
            due.push(header.function.clone());
            if due.len() == MAX_LOOKUPS_PER_EVENT {
                break;
            }
        }
        due
    }
}
