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
//!
//! The batch is shaped as Lambda delivers an SQS batch from an EventBridge rule (1,000 chains of
//! ten hops over 100 functions, plus five chains at depth 17), and stays under Lambda's 6 MB
//! payload limit, which the guard also enforces.

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

#[path = "support/sonic_parse.rs"]
mod sonic_parse;
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

    let aws = aws_batch();
    for bytes in [&raw, &aws] {
        let fast = runaway_guard::event::parse_bytes(bytes);
        set_general_only(true);
        assert_eq!(fast, runaway_guard::event::parse_bytes(bytes), "the two serde_json paths agree");
        set_general_only(false);
        let signals = fast.map(|p| p.signals).expect("batch parses");
        assert_eq!(sonic_parse::one_pass_serde_json(bytes), Some(signals.len()));
        assert_eq!(sonic_parse::one_pass_sonic_rs(bytes), Some(signals.len()));
        assert_eq!(sonic_parse::parse(bytes).expect("sonic-rs reads the batch"), (signals, 0));
    }
    for (check, holds) in sonic_parse::strictness() {
        eprintln!("sonic-rs strictness: {check}: {}", if holds { "rejected" } else { "ACCEPTED" });
    }

    let mut group = c.benchmark_group("handler");
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.measurement_time(Duration::from_secs(10));
    for (id, general) in [("sqs_10k_chain_events", false), ("sqs_10k_chain_events/serde_json", true)] {
        group.bench_function(id, |b| {
            set_general_only(general);
            b.iter_batched(
                || Guard::new(Config::default(), FakeLambda, QuietMetrics, DropNotifier),
                |guard| {
                    let report = runtime.block_on(guard.handle_bytes(black_box(&raw), NOW));
                    black_box(report.map(|r| r.decisions.len()).ok());
                    guard
                },
                BatchSize::SmallInput,
            );
            set_general_only(false);
        });
    }
    for (batch_name, bytes, events) in [("bench_batch", &raw, EVENTS), ("aws_batch", &aws, AWS_EVENTS)] {
        group.throughput(Throughput::Elements(events as u64));
        for (parser, general) in [("today", false), ("serde_json", true)] {
            group.bench_function(format!("parse_only/{batch_name}/{parser}"), |b| {
                set_general_only(general);
                b.iter(|| {
                    black_box(runaway_guard::event::parse_bytes(black_box(bytes)).map(|p| p.signals.len()).ok())
                });
                set_general_only(false);
            });
        }
        group.bench_function(format!("parse_only/{batch_name}/sonic_rs"), |b| {
            b.iter(|| black_box(sonic_parse::parse(black_box(bytes)).map(|p| p.0.len()).ok()))
        });
        group.bench_function(format!("parse_only/{batch_name}/one_pass_serde_json"), |b| {
            b.iter(|| black_box(sonic_parse::one_pass_serde_json(black_box(bytes))))
        });
        group.bench_function(format!("parse_only/{batch_name}/one_pass_sonic_rs"), |b| {
            b.iter(|| black_box(sonic_parse::one_pass_sonic_rs(black_box(bytes))))
        });
    }
    group.finish();
}

fn set_general_only(on: bool) {
    runaway_guard::event::GENERAL_ONLY.store(on, std::sync::atomic::Ordering::Relaxed);
}

criterion_group!(benches, handler);
criterion_main!(benches);
