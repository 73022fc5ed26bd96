//! A validated scenario compiled to indices and ticks: what the engine runs.

use crate::config::Prices;
use crate::name::FunctionName;
use crate::ports::{Architecture, FailureTarget};

use super::SimError;
use super::scenario::{
    AlarmSpec, BackoffSpec, BurstSpec, FailureSpec, LambdaMetric, MAX_HORIZON_SECS, RateChange, Scenario,
    TargetSpec,
};

/// Virtual time advances in ticks of this many milliseconds.
pub(crate) const TICK_MS: u64 = 100;
/// Ticks per second.
pub(crate) const TICKS_PER_SEC: u32 = (1000 / TICK_MS) as u32;
/// Lambda's memory range, in MB.
const MEMORY_MB: std::ops::RangeInclusive<u32> = 128..=10_240;
/// Lambda's longest timeout, in milliseconds.
const MAX_DURATION_MS: u32 = 900_000;

/// How an event travels; decides latency, throttling semantics and Lambda's loop detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    EventBridge,
    Sns,
    S3,
    Async,
    Sqs,
}

/// Where an event lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dest {
    /// A function's async event queue.
    Function(usize),
    /// An SQS queue.
    Queue(usize),
}

#[derive(Debug, Clone)]
pub(crate) struct Func {
    pub name: FunctionName,
    pub memory_mb: u32,
    pub arch: Architecture,
    pub duration_ms: u32,
    pub duration_ticks: u32,
    /// Request + compute price of one invocation.
    pub cost_per_invocation: f64,
    pub reserved: Option<u32>,
    pub guarded: bool,
    pub max_depth_tag: Option<u32>,
    pub exempt: bool,
    pub failure: FailureTarget,
    /// Routes this function emits on.
    pub routes: Vec<usize>,
    /// Queues it consumes.
    pub queues: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct Queue {
    pub consumer: usize,
    pub visibility_ticks: u32,
    pub max_receive_count: u32,
    pub batch_size: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub dest: Dest,
    pub kind: Kind,
    pub per_invocation: f64,
    pub delay_ticks: u32,
    pub backoff: Option<BackoffSpec>,
    pub incident: bool,
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
    pub threshold: f64,
}

/// The compiled scenario.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub horizon_secs: u32,
    pub incident_tick: u32,
    pub billing_alarm_usd: f64,
    pub functions: Vec<Func>,
    pub queues: Vec<Queue>,
    pub routes: Vec<Route>,
    pub traffic: Vec<Traffic>,
    pub alarms: Vec<Alarm>,
    /// Deepest chain depth any depth-based rule of a peer run looks at; deeper events merge.
    pub depth_cap: u16,
    /// Longest delay any scheduled event can have, in ticks (sizes the engine's timing wheel).
    pub max_delay_ticks: u32,
}

impl Model {
    /// Validates `scenario` and compiles it.
    pub(crate) fn compile(scenario: &Scenario, prices: &Prices) -> Result<Self, SimError> {
        let bad = |reason: String| SimError::Invalid { scenario: scenario.name.clone(), reason };
        if scenario.horizon_secs == 0 || scenario.horizon_secs > MAX_HORIZON_SECS {
            return Err(bad(format!("horizon_secs must be 1..={MAX_HORIZON_SECS}")));
        }
        if scenario.incident_at_secs >= scenario.horizon_secs {
            return Err(bad("incident_at_secs must be before the horizon".to_owned()));
        }
        if !(scenario.billing_alarm_usd.is_finite() && scenario.billing_alarm_usd > 0.0) {
            return Err(bad("billing_alarm_usd must be a positive number".to_owned()));
        }
        let mut functions = scenario
            .functions
            .iter()
            .map(|f| compile_function(f, prices))
            .collect::<Result<Vec<_>, String>>()
            .map_err(bad)?;
        let func_index = |name: &str| {
            scenario
                .functions
                .iter()
                .position(|f| f.name == name)
                .ok_or_else(|| bad(format!("unknown function {name:?}")))
        };
        let mut queues = Vec::new();
        for q in &scenario.queues {
            if q.batch_size == 0 || q.max_receive_count == 0 || q.visibility_timeout_secs > 43_200 {
                return Err(bad(format!(
                    "queue {:?}: batch_size and max_receive_count must be ≥1, visibility ≤12 h",
                    q.name
                )));
            }
            queues.push(Queue {
                consumer: func_index(&q.consumer)?,
                visibility_ticks: q.visibility_timeout_secs.max(1) * TICKS_PER_SEC,
                max_receive_count: q.max_receive_count,
                batch_size: q.batch_size,
            });
        }
        let queue_index = |name: &str| {
            scenario
                .queues
                .iter()
                .position(|q| q.name == name)
                .ok_or_else(|| bad(format!("unknown queue {name:?}")))
        };
        let resolve = |to: &TargetSpec| -> Result<(Dest, Kind), SimError> {
            Ok(match to {
                TargetSpec::Eventbridge(f) => (Dest::Function(func_index(f)?), Kind::EventBridge),
                TargetSpec::Sns(f) => (Dest::Function(func_index(f)?), Kind::Sns),
                TargetSpec::S3(f) => (Dest::Function(func_index(f)?), Kind::S3),
                TargetSpec::Async(f) => (Dest::Function(func_index(f)?), Kind::Async),
                TargetSpec::Sqs(q) => (Dest::Queue(queue_index(q)?), Kind::Sqs),
            })
        };
        let mut routes = Vec::new();
        let mut max_delay_secs = 0;
        for r in &scenario.routes {
            let (dest, kind) = resolve(&r.to)?;
            if !(r.per_invocation.is_finite() && (0.0..=10_000.0).contains(&r.per_invocation)) {
                return Err(bad(format!("route from {:?}: per_invocation must be 0..=10000", r.from)));
            }
            let backoff_max = r.backoff.as_ref().map_or(0, |b| b.max_secs.max(b.base_secs));
            max_delay_secs = max_delay_secs.max(r.delay_secs).max(backoff_max);
            functions[func_index(&r.from)?].routes.push(routes.len());
            routes.push(Route {
                dest,
                kind,
                per_invocation: r.per_invocation,
                delay_ticks: r.delay_secs * TICKS_PER_SEC,
                backoff: r.backoff.clone(),
                incident: r.incident,
            });
        }
        if max_delay_secs > 3_600 {
            return Err(bad("route delays are limited to 3,600 s".to_owned()));
        }
        for (i, q) in queues.iter().enumerate() {
            functions[q.consumer].queues.push(i);
        }
        let mut traffic = Vec::new();
        for t in &scenario.traffic {
            let (dest, kind) = resolve(&t.to)?;
            let rates = std::iter::once(t.rate_per_sec).chain(t.changes.iter().map(|c| c.rate_per_sec));
            if rates.into_iter().any(|r| !(r.is_finite() && (0.0..=1e6).contains(&r)))
                || t.burst.as_ref().is_some_and(|b| b.every_secs == 0 || b.count > 1_000_000)
            {
                return Err(bad("traffic rates must be 0..=1e6/s, bursts periodic and ≤1e6".to_owned()));
            }
            traffic.push(Traffic {
                dest,
                kind,
                rate: t.rate_per_sec,
                changes: t.changes.clone(),
                burst: t.burst.clone(),
            });
        }
        let alarms =
            scenario.alarms.iter().map(|a| compile_alarm(a, &func_index)).collect::<Result<_, _>>()?;
        let deepest_backoff = routes.iter().filter_map(|r| r.backoff.as_ref()).map(|b| b.max_attempts).max();
        let depth_cap = deepest_backoff.unwrap_or(0).max(u32::from(super::peers::LAMBDA_LOOP_LIMIT)) + 1;
        let longest_run = functions.iter().map(|f| f.duration_ticks).max().unwrap_or(0);
        let longest_visibility = queues.iter().map(|q| q.visibility_ticks).max().unwrap_or(0);
        Ok(Self {
            horizon_secs: scenario.horizon_secs as u32,
            incident_tick: scenario.incident_at_secs as u32 * TICKS_PER_SEC,
            billing_alarm_usd: scenario.billing_alarm_usd,
            functions,
            queues,
            routes,
            traffic,
            alarms,
            depth_cap: depth_cap.min(u32::from(u16::MAX)) as u16,
            max_delay_ticks: longest_run + longest_visibility + (max_delay_secs + 10) * TICKS_PER_SEC,
        })
    }
}

fn compile_function(f: &super::scenario::FunctionSpec, prices: &Prices) -> Result<Func, String> {
    let name = FunctionName::new(&f.name).map_err(|e| format!("function {:?}: {e}", f.name))?;
    if !MEMORY_MB.contains(&f.memory_mb) {
        return Err(format!("function {name}: memory_mb must be 128..=10240"));
    }
    if f.duration_ms == 0 || f.duration_ms > MAX_DURATION_MS {
        return Err(format!("function {name}: duration_ms must be 1..=900000"));
    }
    if f.reserved_concurrency.is_some_and(|r| r > 900) {
        return Err(format!("function {name}: reserved_concurrency above 900 leaves <100 unreserved"));
    }
    let arch: Architecture = f.architecture.into();
    let per_gb_s = match arch {
        Architecture::X86_64 => prices.per_gb_second_x86,
        Architecture::Arm64 => prices.per_gb_second_arm,
    };
    let gb_seconds = f64::from(f.memory_mb) / 1024.0 * f64::from(f.duration_ms) / 1000.0;
    let failure = match f.failure_target {
        FailureSpec::DeadLetter => {
            FailureTarget::DeadLetter(format!("arn:aws:sqs:us-east-1:111122223333:{name}-dlq"))
        }
        FailureSpec::Destination => {
            FailureTarget::Destination(format!("arn:aws:sqs:us-east-1:111122223333:{name}-failures"))
        }
        FailureSpec::Dropped => FailureTarget::Dropped,
    };
    Ok(Func {
        memory_mb: f.memory_mb,
        arch,
        duration_ms: f.duration_ms,
        duration_ticks: f.duration_ms.div_ceil(TICK_MS as u32),
        cost_per_invocation: prices.per_request + gb_seconds * per_gb_s,
        reserved: f.reserved_concurrency,
        guarded: f.guarded,
        max_depth_tag: f.max_depth_tag,
        exempt: f.exempt,
        failure,
        routes: Vec::new(),
        queues: Vec::new(),
        name,
    })
}

fn compile_alarm(
    a: &AlarmSpec,
    func_index: &impl Fn(&str) -> Result<usize, SimError>,
) -> Result<Alarm, SimError> {
    let function = a.function.as_deref().map(func_index).transpose()?;
    Ok(Alarm { name: a.name.clone(), metric: a.metric, function, threshold: a.threshold })
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
