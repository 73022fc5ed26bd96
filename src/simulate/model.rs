//! A validated scenario compiled to indices and ticks: what the engine runs (built by `compile`).

use crate::name::FunctionName;
use crate::ports::{Architecture, FailureTarget};

use super::scenario::{BackoffSpec, BurstSpec, Comparison, LambdaMetric, RateChange};

/// Virtual time advances in ticks of this many milliseconds.
pub(crate) const TICK_MS: u64 = 100;
/// Ticks per second.
pub(crate) const TICKS_PER_SEC: u32 = (1000 / TICK_MS) as u32;

/// How an event travels; decides latency, throttling semantics and Lambda's loop detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    EventBridge,
    Sns,
    S3,
    Async,
    /// A synchronous invoke: runs at once or is refused (429).
    Sync,
    Sqs,
    /// A DynamoDB table write, read from the table's stream.
    DynamoDb,
    /// A Kinesis record.
    Kinesis,
}

/// Where an event lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dest {
    /// A function's async event queue.
    Function(usize),
    /// An SQS queue.
    Queue(usize),
    /// A DynamoDB or Kinesis stream.
    Stream(usize),
}

#[derive(Debug, Clone)]
pub(crate) struct Func {
    pub name: FunctionName,
    pub memory_mb: u32,
    pub arch: Architecture,
    /// Duration and price of one invocation.
    pub usual: Timing,
    /// Duration and price from the incident on, when they change then.
    pub incident_timing: Option<Timing>,
    /// Compute price of one millisecond of one invocation (memory × the architecture's GB-second
    /// price): what a synchronous caller pays while it waits for its callee.
    pub usd_per_ms: f64,
    pub reserved: Option<u32>,
    pub guarded: bool,
    pub max_depth_tag: Option<u32>,
    pub exempt: bool,
    pub failure: FailureTarget,
    /// Seconds before the run the function was deployed (no metrics before that), if known.
    pub deployed_before_secs: Option<u64>,
    /// Which earlier days look like the run, if not all.
    pub history_calendar: Option<super::scenario::HistoryCalendar>,
    /// Routes this function emits on.
    pub routes: Vec<usize>,
    /// Queues it consumes.
    pub queues: Vec<usize>,
    /// Streams it consumes.
    pub streams: Vec<usize>,
    /// What `ListEventSourceMappings` shows of its mappings' ceilings (an SQS mapping's maximum
    /// concurrency; a stream's parallelization factor, the shard count not being in the listing).
    pub mapping_ceilings: Vec<crate::ports::MappingCeiling>,
}

/// How long one invocation runs and what it costs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Timing {
    pub duration_ms: u32,
    pub duration_ticks: u32,
    /// Request + compute price of one invocation.
    pub cost_per_invocation: f64,
}

impl Func {
    /// Its duration and price, with the incident live or not.
    pub(crate) fn timing(&self, incident: bool) -> Timing {
        match self.incident_timing {
            Some(t) if incident => t,
            _ => self.usual,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Queue {
    /// Its name, as CloudWatch's `QueueName` dimension and a mapping's source ARN give it.
    pub name: crate::name::QueueName,
    pub consumer: usize,
    /// The mapping's maximum concurrency, if set.
    pub max_concurrency: Option<u32>,
    pub visibility_ticks: u32,
    pub max_receive_count: u32,
    pub batch_size: u32,
    /// Has a redrive policy to a DLQ.
    pub dlq: bool,
    pub retention_ticks: u32,
}

/// A stream and its consumer's event source mapping.
#[derive(Debug, Clone)]
pub(crate) struct Stream {
    pub kind: Kind,
    pub consumer: usize,
    pub shards: u32,
    pub batch_size: u32,
    pub parallelization: u32,
    pub retention_ticks: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub dest: Dest,
    pub kind: Kind,
    pub per_invocation: f64,
    pub delay_ticks: u32,
    pub backoff: Option<BackoffSpec>,
    pub incident: bool,
    /// A synchronous call's caller waits for the answer.
    pub waits: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Traffic {
    pub dest: Dest,
    pub kind: Kind,
    pub rate: f64,
    pub changes: Vec<RateChange>,
    pub burst: Option<BurstSpec>,
}

#[derive(Debug, Clone)]
pub(crate) struct Alarm {
    pub name: String,
    pub metric: LambdaMetric,
    pub function: Option<usize>,
    /// A Metrics Insights alarm grouped by function: every function is a contributor.
    pub per_function: bool,
    pub comparison: Comparison,
    pub threshold: f64,
    pub evaluation_periods: u32,
    pub datapoints: u32,
}

/// The compiled scenario.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub horizon_secs: u32,
    pub incident_tick: u32,
    pub billing_alarm_usd: f64,
    pub functions: Vec<Func>,
    pub queues: Vec<Queue>,
    pub streams: Vec<Stream>,
    pub routes: Vec<Route>,
    pub traffic: Vec<Traffic>,
    pub alarms: Vec<Alarm>,
    /// The guard's schedule (the sweep's, else the re-judge's), in ticks.
    pub sweep_every_ticks: Option<u32>,
    /// Whether the schedule is a full sweep (offender search too) rather than a re-judge.
    pub sweep_searches_offenders: bool,
    /// Deepest chain depth any depth-based rule of a peer run looks at; deeper events merge.
    pub depth_cap: u16,
    /// Longest delay any scheduled event can have, in ticks (sizes the engine's timing wheel).
    pub max_delay_ticks: u32,
}

impl Route {
    /// The longest delay this route can add, in seconds.
    pub(crate) fn longest_delay_secs(&self) -> u32 {
        let backoff = self.backoff.as_ref().map_or(0, |b| b.max_secs.max(b.base_secs));
        (self.delay_ticks / TICKS_PER_SEC).max(backoff)
    }
}

impl Traffic {
    /// Organic rate at `secs`, with or without the incident's changes.
    pub(crate) fn rate_at(&self, secs: f64, with_incident: bool) -> f64 {
        let mut rate = self.rate;
        for c in self.changes.iter().filter(|c| with_incident || !c.incident) {
            let start = c.at_secs as f64;
            if secs < start {
                break;
            }
            let ramp = c.ramp_secs as f64;
            rate = if ramp > 0.0 && secs < start + ramp {
                rate + (c.rate_per_sec - rate) * (secs - start) / ramp
            } else {
                c.rate_per_sec
            };
        }
        rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn traffic(changes: Vec<RateChange>) -> Traffic {
        Traffic { dest: Dest::Function(0), kind: Kind::Async, rate: 10.0, changes, burst: None }
    }

    #[test]
    fn rates_ramp_and_incident_changes_are_optional() {
        let t = traffic(vec![
            RateChange { at_secs: 100, rate_per_sec: 110.0, ramp_secs: 100, incident: true },
            RateChange { at_secs: 300, rate_per_sec: 20.0, ramp_secs: 0, incident: false },
        ]);
        assert_eq!(t.rate_at(50.0, true), 10.0);
        assert!((t.rate_at(150.0, true) - 60.0).abs() < 1e-9);
        assert_eq!(t.rate_at(250.0, true), 110.0);
        assert_eq!(t.rate_at(250.0, false), 10.0);
        assert_eq!(t.rate_at(400.0, false), 20.0);
    }
}
