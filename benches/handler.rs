//! The whole handler on one SQS batch of 10,000 chain events, with in-memory ports (no I/O).
//! Run on one core: `taskset -c 0 cargo bench --bench handler`.
//!
//! - `handler/sqs_10k_chain_events`: `Guard::handle_bytes` end to end — JSON parse of the batch and
//!   of every record's EventBridge body, chain-header validation, the detector (depth rule, chain
//!   table, rate windows), the policy, and the trip flow through fake ports for the five functions
//!   whose chains are over the depth limit — into a fresh guard each iteration (built outside the
//!   timing), so every root and function is new to it, as after a cold start.
//! - `handler/parse_only`: `event::parse_bytes` on the same bytes, so the share of the time that is
//!   JSON parsing and validation is visible next to the full path.
//! - `handler/parse_only/aws_batch`: `event::parse_bytes` on 6,400 records written exactly as
//!   Lambda's SQS poller writes them (`receiptHandle`, `md5OfBody`, all system attributes), as many
//!   as fit the 6 MB payload limit.
//!
//! The batch is shaped as Lambda delivers an SQS batch from an EventBridge rule (1,000 chains of
//! ten hops over 100 functions), plus five deep hops at depth 17 that the functions reported with
//! their own role (the claims that trip at once), and stays under Lambda's 6 MB payload limit, which
//! the guard also enforces.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use runaway_guard::config::Config;
use runaway_guard::handler::Guard;
use runaway_guard::name::FunctionName;
use runaway_guard::ports::{
    AlarmContributor, Alert, Architecture, FailureTarget, FunctionMetrics, FunctionState, Metrics,
    MetricsWindow, Notifier, PortError, ReenableMark, Reservation, Throttler, TripRecord, TrippedFunction,
    UsageSample,
};
use runaway_guard::time::Timestamp;
use sqs_batch::{AWS_EVENTS, EVENTS, aws_batch, batch};

#[path = "support/sqs_batch.rs"]
mod sqs_batch;

const NOW: Timestamp = Timestamp::from_millis(1_800_000_000_000);

/// An account where every function exists, unreserved and untripped; writes are accepted and dropped.
struct FakeLambda;

impl Throttler for FakeLambda {
    async fn function_state(&self, function: &FunctionName) -> Result<FunctionState, PortError> {
        Ok(FunctionState {
            function: function.clone(),
            reserved_concurrency: None,
            exempt_tag: false,
            max_depth_tag: None,
            trip: None,
            reenabled_at: None,
            reenabled_by: None,
            memory_mb: 128,
            architecture: Architecture::Arm64,
            failure_target: FailureTarget::Dropped,
        })
    }
    async fn write_trip_record(&self, _: &FunctionName, _: &TripRecord) -> Result<(), PortError> {
        Ok(())
    }
    async fn set_reserved_concurrency(&self, _: &FunctionName, _: Reservation) -> Result<(), PortError> {
        Ok(())
    }
    async fn mark_alerted(&self, _: &FunctionName) -> Result<(), PortError> {
        Ok(())
    }
    async fn mark_reenabling(&self, _: &FunctionName, _: &ReenableMark) -> Result<(), PortError> {
        Ok(())
    }

    async fn clear_trip_record(&self, _: &FunctionName, _: &ReenableMark) -> Result<(), PortError> {
        Ok(())
    }
    async fn list_tripped(&self) -> Result<Vec<TrippedFunction>, PortError> {
        Ok(Vec::new())
    }
    async fn unreserved_concurrency(&self) -> Result<Option<u32>, PortError> {
        Ok(None)
    }
    async fn execution_role_id(&self, _: &FunctionName) -> Result<Option<String>, PortError> {
        Ok(Some(sqs_batch::ROLE_ID.to_owned()))
    }
}

struct QuietMetrics;

impl Metrics for QuietMetrics {
    async fn active_functions(&self) -> Result<Vec<FunctionName>, PortError> {
        Ok(Vec::new())
    }
    async fn usage(&self, _: &[FunctionName], _: u64, _: Timestamp) -> Result<Vec<UsageSample>, PortError> {
        Ok(Vec::new())
    }
    async fn function_metrics(
        &self,
        functions: &[FunctionName],
        _: MetricsWindow,
    ) -> Result<Vec<FunctionMetrics>, PortError> {
        Ok(functions
            .iter()
            .map(|f| FunctionMetrics { function: f.clone(), recent: Vec::new(), history: Vec::new() })
            .collect())
    }
    async fn alarm_contributors(&self, _: &str) -> Result<Vec<AlarmContributor>, PortError> {
        Ok(Vec::new())
    }
}

struct DropNotifier;

impl Notifier for DropNotifier {
    async fn publish(&self, alert: &Alert) -> Result<(), PortError> {
        black_box(alert);
        Ok(())
    }
}

fn handler(c: &mut Criterion) {
    let raw = batch();
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    // The fixture is what it claims to be: every record accepted, exactly the five deep chains tripped.
    let probe = Guard::new(Config::default(), FakeLambda, QuietMetrics, DropNotifier);
    let report = runtime.block_on(probe.handle_bytes(&raw, NOW)).expect("batch parses");
    assert_eq!((report.signals, report.rejected.len(), report.decisions.len()), (EVENTS, 0, 5));

    let mut group = c.benchmark_group("handler");
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("sqs_10k_chain_events", |b| {
        b.iter_batched(
            || Guard::new(Config::default(), FakeLambda, QuietMetrics, DropNotifier),
            |guard| {
                let report = runtime.block_on(guard.handle_bytes(black_box(&raw), NOW));
                black_box(report.map(|r| r.decisions.len()).ok());
                guard
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("parse_only", |b| {
        b.iter(|| black_box(runaway_guard::event::parse_bytes(black_box(&raw)).map(|p| p.signals.len()).ok()))
    });
    let aws = aws_batch();
    let parsed = runaway_guard::event::parse_bytes(&aws).expect("the AWS-written batch parses");
    assert_eq!((parsed.signals.len(), parsed.rejected.len()), (AWS_EVENTS, 0));
    group.throughput(Throughput::Elements(AWS_EVENTS as u64));
    group.bench_function("parse_only/aws_batch", |b| {
        b.iter(|| black_box(runaway_guard::event::parse_bytes(black_box(&aws)).map(|p| p.signals.len()).ok()))
    });
    group.finish();
}

criterion_group!(benches, handler);
criterion_main!(benches);
