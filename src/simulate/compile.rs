//! Scenario → `Model`: validation (every bad value is a typed error naming the scenario) and name
//! resolution to indices.

use crate::config::Prices;
use crate::name::FunctionName;
use crate::ports::{Architecture, FailureTarget};

use super::SimError;
use super::model::{
    Alarm, Dest, Func, Kind, Model, Queue, Route, Stream, TICK_MS, TICKS_PER_SEC, Timing, Traffic,
};
use super::peers::LAMBDA_LOOP_LIMIT;
use super::scenario::{
    AlarmSpec, FailureSpec, FunctionSpec, MAX_HORIZON_SECS, Scenario, StreamSource, TargetSpec,
};

/// Lambda's memory range, in MB.
const MEMORY_MB: std::ops::RangeInclusive<u32> = 128..=10_240;
/// Lambda's longest timeout, in milliseconds.
const MAX_DURATION_MS: u32 = 900_000;
/// Longest route delay accepted, in seconds.
const MAX_DELAY_SECS: u32 = 3_600;

/// Resolves names within one scenario and builds its errors.
struct Names<'s>(&'s Scenario);

impl Names<'_> {
    fn bad(&self, reason: impl Into<String>) -> SimError {
        SimError::Invalid { scenario: self.0.name.clone(), reason: reason.into() }
    }
    fn function(&self, name: &str) -> Result<usize, SimError> {
        let found = self.0.functions.iter().position(|f| f.name == name);
        found.ok_or_else(|| self.bad(format!("unknown function {name:?}")))
    }
    fn queue(&self, name: &str) -> Result<usize, SimError> {
        let found = self.0.queues.iter().position(|q| q.name == name);
        found.ok_or_else(|| self.bad(format!("unknown queue {name:?}")))
    }
    fn stream(&self, name: &str, source: StreamSource) -> Result<usize, SimError> {
        let found = self.0.streams.iter().position(|s| s.name == name && s.source == source);
        found.ok_or_else(|| self.bad(format!("unknown {} stream {name:?}", source.as_str())))
    }
    fn target(&self, to: &TargetSpec) -> Result<(Dest, Kind), SimError> {
        Ok(match to {
            TargetSpec::Eventbridge(f) => (Dest::Function(self.function(f)?), Kind::EventBridge),
            TargetSpec::Sns(f) => (Dest::Function(self.function(f)?), Kind::Sns),
            TargetSpec::S3(f) => (Dest::Function(self.function(f)?), Kind::S3),
            TargetSpec::Async(f) => (Dest::Function(self.function(f)?), Kind::Async),
            TargetSpec::Sync(f) => (Dest::Function(self.function(f)?), Kind::Sync),
            TargetSpec::Sqs(q) => (Dest::Queue(self.queue(q)?), Kind::Sqs),
            TargetSpec::Dynamodb(t) => {
                (Dest::Stream(self.stream(t, StreamSource::Dynamodb)?), Kind::DynamoDb)
            }
            TargetSpec::Kinesis(k) => (Dest::Stream(self.stream(k, StreamSource::Kinesis)?), Kind::Kinesis),
        })
    }
}

impl Model {
    /// Validates `scenario` and compiles it.
    pub(crate) fn compile(scenario: &Scenario, prices: &Prices) -> Result<Self, SimError> {
        let names = Names(scenario);
        check_globals(&names)?;
        let mut functions = scenario
            .functions
            .iter()
            .map(|f| compile_function(f, prices).map_err(|reason| names.bad(reason)))
            .collect::<Result<Vec<_>, _>>()?;
        let queues = compile_queues(&names)?;
        for (i, q) in queues.iter().enumerate() {
            functions[q.consumer].queues.push(i);
            functions[q.consumer]
                .mapping_ceilings
                .push(crate::ports::MappingCeiling::Sqs { maximum_concurrency: q.max_concurrency });
        }
        let streams = compile_streams(&names)?;
        for (i, s) in streams.iter().enumerate() {
            functions[s.consumer].streams.push(i);
            // The guard reads the stream's shard count (DescribeStreamSummary / DescribeStream).
            functions[s.consumer].mapping_ceilings.push(crate::ports::MappingCeiling::Stream {
                parallelization_factor: s.parallelization,
                shards: Some(s.shards),
            });
        }
        let routes = compile_routes(&names, &mut functions)?;
        let traffic = compile_traffic(&names)?;
        let alarms = scenario.alarms.iter().map(|a| compile_alarm(&names, a)).collect::<Result<_, _>>()?;
        let deepest_backoff = routes.iter().filter_map(|r| r.backoff.as_ref()).map(|b| b.max_attempts).max();
        let depth_cap = deepest_backoff.unwrap_or(0).max(u32::from(LAMBDA_LOOP_LIMIT)) + 1;
        let longest_delay = routes.iter().map(Route::longest_delay_secs).max().unwrap_or(0);
        let longest_run = functions
            .iter()
            .flat_map(|f| [Some(f.usual.duration_ticks), f.incident_timing.map(|t| t.duration_ticks)])
            .flatten()
            .max()
            .unwrap_or(0);
        let longest_visibility = queues.iter().map(|q| q.visibility_ticks).max().unwrap_or(0);
        Ok(Self {
            horizon_secs: scenario.horizon_secs as u32,
            incident_tick: scenario.incident_at_secs as u32 * TICKS_PER_SEC,
            billing_alarm_usd: scenario.billing_alarm_usd,
            functions,
            queues,
            streams,
            routes,
            traffic,
            alarms,
            // One schedule, as the module deploys it: the sweep's when enabled, else the re-judge's.
            sweep_every_ticks: scenario
                .sweep_every_secs
                .or(scenario.rejudge_every_secs)
                .map(|s| s as u32 * TICKS_PER_SEC),
            sweep_searches_offenders: scenario.sweep_every_secs.is_some(),
            depth_cap: depth_cap.min(u32::from(u16::MAX)) as u16,
            max_delay_ticks: longest_run + longest_visibility + (longest_delay + 10) * TICKS_PER_SEC,
        })
    }
}

fn check_globals(names: &Names<'_>) -> Result<(), SimError> {
    let s = names.0;
    if s.horizon_secs == 0 || s.horizon_secs > MAX_HORIZON_SECS {
        return Err(names.bad(format!("horizon_secs must be 1..={MAX_HORIZON_SECS}")));
    }
    if s.incident_at_secs >= s.horizon_secs {
        return Err(names.bad("incident_at_secs must be before the horizon"));
    }
    if s.rejudge_every_secs.is_some_and(|e| !(60..=86_400).contains(&e)) {
        return Err(names
            .bad("rejudge_every_secs must be 60..=86400 (EventBridge schedules run at most each minute)"));
    }
    if s.sweep_every_secs.is_some_and(|e| !(60..=86_400).contains(&e)) {
        return Err(
            names.bad("sweep_every_secs must be 60..=86400 (EventBridge schedules run at most each minute)")
        );
    }
    if !(s.billing_alarm_usd.is_finite() && s.billing_alarm_usd > 0.0) {
        return Err(names.bad("billing_alarm_usd must be a positive number"));
    }
    Ok(())
}

fn compile_alarm(names: &Names<'_>, a: &AlarmSpec) -> Result<Alarm, SimError> {
    if let Some(problem) = a.problem() {
        return Err(names.bad(format!("alarm {:?}: {problem}", a.name)));
    }
    Ok(Alarm {
        name: a.name.clone(),
        metric: a.metric,
        function: a.function.as_deref().map(|f| names.function(f)).transpose()?,
        per_function: a.per_function,
        comparison: a.comparison,
        threshold: a.threshold,
        evaluation_periods: a.evaluation_periods,
        datapoints: a.datapoints(),
    })
}

fn compile_queues(names: &Names<'_>) -> Result<Vec<Queue>, SimError> {
    let mut queues = Vec::new();
    for q in &names.0.queues {
        if q.batch_size == 0
            || q.max_receive_count == 0
            || q.visibility_timeout_secs > 43_200
            || !(60..=1_209_600).contains(&q.retention_secs)
            || q.maximum_concurrency.is_some_and(|m| !(2..=1_000).contains(&m))
        {
            let reason = "batch_size and max_receive_count must be ≥1, visibility_timeout_secs ≤43200, \
                          retention_secs 60..=1209600, maximum_concurrency 2..=1000";
            return Err(names.bad(format!("queue {:?}: {reason}", q.name)));
        }
        let Some(name) = crate::name::QueueName::new(&q.name) else {
            return Err(names.bad(format!("queue {:?}: not a valid SQS queue name", q.name)));
        };
        queues.push(Queue {
            name,
            consumer: names.function(&q.consumer)?,
            max_concurrency: q.maximum_concurrency,
            visibility_ticks: q.visibility_timeout_secs.max(1) * TICKS_PER_SEC,
            max_receive_count: q.max_receive_count,
            batch_size: q.batch_size,
            dlq: q.dead_letter_queue,
            retention_ticks: q.retention_secs.saturating_mul(TICKS_PER_SEC),
        });
    }
    Ok(queues)
}

fn compile_streams(names: &Names<'_>) -> Result<Vec<Stream>, SimError> {
    let mut streams = Vec::new();
    for (i, s) in names.0.streams.iter().enumerate() {
        if let Some(problem) = s.problem() {
            return Err(names.bad(format!("stream {:?}: {problem}", s.name)));
        }
        if names.0.streams[..i].iter().any(|o| o.name == s.name && o.source == s.source) {
            return Err(names.bad(format!("stream {:?} is defined twice", s.name)));
        }
        streams.push(Stream {
            kind: match s.source {
                StreamSource::Dynamodb => Kind::DynamoDb,
                StreamSource::Kinesis => Kind::Kinesis,
            },
            consumer: names.function(&s.consumer)?,
            shards: s.shards,
            batch_size: s.batch_size,
            parallelization: s.parallelization_factor,
            retention_ticks: s.retention_secs.saturating_mul(TICKS_PER_SEC),
        });
    }
    Ok(streams)
}

fn compile_routes(names: &Names<'_>, functions: &mut [Func]) -> Result<Vec<Route>, SimError> {
    let mut routes = Vec::new();
    for r in &names.0.routes {
        let (dest, kind) = names.target(&r.to)?;
        if !(r.per_invocation.is_finite() && (0.0..=10_000.0).contains(&r.per_invocation)) {
            return Err(names.bad(format!("route from {:?}: per_invocation must be 0..=10000", r.from)));
        }
        let route = Route {
            dest,
            kind,
            per_invocation: r.per_invocation,
            delay_ticks: r.delay_secs.saturating_mul(TICKS_PER_SEC),
            backoff: r.backoff.clone(),
            incident: r.incident,
            waits: r.waits,
        };
        if route.longest_delay_secs() > MAX_DELAY_SECS {
            return Err(
                names.bad(format!("route from {:?}: delays are limited to {MAX_DELAY_SECS} s", r.from))
            );
        }
        functions[names.function(&r.from)?].routes.push(routes.len());
        routes.push(route);
    }
    Ok(routes)
}

fn compile_traffic(names: &Names<'_>) -> Result<Vec<Traffic>, SimError> {
    let mut traffic = Vec::new();
    for t in &names.0.traffic {
        let (dest, kind) = names.target(&t.to)?;
        let mut rates = std::iter::once(t.rate_per_sec).chain(t.changes.iter().map(|c| c.rate_per_sec));
        if rates.any(|r| !(r.is_finite() && (0.0..=1e6).contains(&r)))
            || t.burst.as_ref().is_some_and(|b| b.every_secs == 0 || b.count > 1_000_000)
        {
            return Err(names.bad("traffic rates must be 0..=1e6/s, bursts periodic and ≤1e6"));
        }
        traffic.push(Traffic {
            dest,
            kind,
            rate: t.rate_per_sec,
            changes: t.changes.clone(),
            burst: t.burst.clone(),
        });
    }
    Ok(traffic)
}

fn compile_function(f: &FunctionSpec, prices: &Prices) -> Result<Func, String> {
    let name = FunctionName::new(&f.name).map_err(|e| format!("function {:?}: {e}", f.name))?;
    if !MEMORY_MB.contains(&f.memory_mb) {
        return Err(format!("function {name}: memory_mb must be 128..=10240"));
    }
    for ms in [Some(f.duration_ms), f.incident_duration_ms].into_iter().flatten() {
        if ms == 0 || ms > MAX_DURATION_MS {
            return Err(format!("function {name}: duration_ms and incident_duration_ms must be 1..=900000"));
        }
    }
    if let Some(c) = &f.history_calendar {
        let days_ok =
            c.days_of_month.iter().all(|d| (1..=31).contains(d)) && c.weekdays.iter().all(|d| *d <= 6);
        if !days_ok || !c.other_days_scale.is_finite() || !(0.0..=1e6).contains(&c.other_days_scale) {
            return Err(format!(
                "function {name}: history_calendar needs days_of_month 1-31, weekdays 0-6 and other_days_scale 0-1000000"
            ));
        }
    }
    if f.reserved_concurrency.is_some_and(|r| r > 900) {
        return Err(format!("function {name}: reserved_concurrency above 900 leaves <100 unreserved"));
    }
    let arch: Architecture = f.architecture.into();
    let per_gb_s = match arch {
        Architecture::X86_64 => prices.per_gb_second_x86,
        Architecture::Arm64 => prices.per_gb_second_arm,
    };
    let usd_per_ms = f64::from(f.memory_mb) / 1024.0 / 1000.0 * per_gb_s;
    let timing = |duration_ms: u32| Timing {
        duration_ms,
        duration_ticks: duration_ms.div_ceil(TICK_MS as u32),
        cost_per_invocation: prices.per_request
            + f64::from(f.memory_mb) / 1024.0 * f64::from(duration_ms) / 1000.0 * per_gb_s,
    };
    let arn = |suffix: &str| format!("arn:aws:sqs:us-east-1:111122223333:{name}-{suffix}");
    let failure = match f.failure_target {
        FailureSpec::DeadLetter => FailureTarget::DeadLetter(arn("dlq")),
        FailureSpec::Destination => FailureTarget::Destination(arn("failures")),
        FailureSpec::Dropped => FailureTarget::Dropped,
    };
    Ok(Func {
        memory_mb: f.memory_mb,
        arch,
        usual: timing(f.duration_ms),
        incident_timing: f.incident_duration_ms.map(timing),
        usd_per_ms,
        reserved: f.reserved_concurrency,
        guarded: f.guarded,
        max_depth_tag: f.max_depth_tag,
        exempt: f.exempt,
        failure,
        deployed_before_secs: f.deployed_before_secs,
        history_calendar: f.history_calendar.clone(),
        routes: Vec::new(),
        queues: Vec::new(),
        streams: Vec::new(),
        mapping_ceilings: Vec::new(),
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::parse_scenario;

    fn compile(json: &str) -> Result<Model, SimError> {
        Model::compile(&parse_scenario(json, "test")?, &Prices::default())
    }

    #[test]
    fn prices_an_invocation_from_memory_duration_and_architecture() {
        let m =
            compile(r#"{"name": "p", "functions": [{"name": "f", "memory_mb": 9216, "duration_ms": 300}]}"#)
                .expect("compiles");
        // 9 GB × 0.3 s × $0.0000166667 + $0.0000002.
        assert!((m.functions[0].usual.cost_per_invocation - 4.520_009e-5).abs() < 1e-10);
        assert_eq!(m.functions[0].usual.duration_ticks, 3);
    }

    #[test]
    fn rejects_impossible_values_with_the_reason() {
        for (json, needle) in [
            (r#"{"name": "x", "horizon_secs": 0, "functions": []}"#, "horizon_secs"),
            (r#"{"name": "x", "functions": [{"name": "a b", "memory_mb": 128, "duration_ms": 1}]}"#, "a b"),
            (
                r#"{"name": "x", "functions": [{"name": "f", "memory_mb": 128, "duration_ms": 0}]}"#,
                "duration_ms",
            ),
            (
                r#"{"name": "x", "functions": [{"name": "f", "memory_mb": 128, "duration_ms": 1}],
                   "routes": [{"from": "f", "to": {"async": "f"}, "delay_secs": 4000}]}"#,
                "delays",
            ),
            (
                r#"{"name": "x", "functions": [], "routes": [{"from": "g", "to": {"sns": "g"}}]}"#,
                "unknown function",
            ),
        ] {
            let err = compile(json).expect_err(json).to_string();
            assert!(err.contains(needle), "{err}");
        }
    }
}
