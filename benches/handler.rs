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
    Alert, Architecture, FailureTarget, FunctionState, Metrics, Notifier, PortError, Reservation, Throttler,
    TripRecord, TrippedFunction, UsageSample,
};
use runaway_guard::time::Timestamp;
use serde_json::json;

const EVENTS: usize = 10_000;
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
    async fn mark_reenabling(&self, _: &FunctionName, _: Timestamp) -> Result<(), PortError> {
        Ok(())
    }

    async fn clear_trip_record(&self, _: &FunctionName, _: Timestamp) -> Result<(), PortError> {
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
}

struct DropNotifier;

impl Notifier for DropNotifier {
    async fn publish(&self, alert: &Alert) -> Result<(), PortError> {
        black_box(alert);
        Ok(())
    }
}

/// The SQS batch: chain `c` hop `h` is emitted by `orders-worker-{(c + h) % 100}` at depth `h + 1`;
/// the last five events are chains already at depth 17.
fn batch() -> Vec<u8> {
    let records: Vec<_> = (0..EVENTS)
        .map(|i| {
            let (chain, hop) = (i / 10, i % 10);
            let deep = i >= EVENTS - 5;
            let depth = if deep { 17 } else { hop + 1 };
            let function =
                if deep { format!("looper-{i}") } else { format!("orders-worker-{}", (chain + hop) % 100) };
            let body = json!({
                "version": "0", "id": format!("{i:08x}-aaaa-4bbb-8ccc-dddddddddddd"),
                "detail-type": "OrderRowProcessed", "source": "com.example.orders",
                "account": "123456789012", "time": "2026-11-20T09:21:07Z", "region": "us-east-1",
                "resources": [],
                "detail": { "runawayGuard": {
                    "root": format!("1-6789abcd-{chain:024x}"), "depth": depth, "function": function } }
            });
            json!({
                "messageId": format!("{i:08x}-0000-4000-8000-000000000000"),
                "body": body.to_string(),
                "attributes": { "SentTimestamp": "1800000000000" },
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:chain-events",
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    let bytes = json!({ "Records": records }).to_string().into_bytes();
    assert!(bytes.len() <= runaway_guard::event::MAX_EVENT_BYTES, "{} bytes", bytes.len());
    bytes
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
    group.finish();
}

criterion_group!(benches, handler);
criterion_main!(benches);
