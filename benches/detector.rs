//! Detector throughput. Run on one core:
//! `taskset -c 0 cargo bench --bench detector --no-default-features --features detector`.
//!
//! Every variant is fed the same way the handler feeds the detector: in batches of 1 000 events (the
//! Terraform module's SQS batch size), each batch cloned just before it is observed (untimed), as the
//! handler's parser hands over signals it has just built, so they are warm in cache as in production.
//! One timestamp per batch, as one invocation has. Only the observe calls are timed.
//!
//! - `chain_observe`: `Detector::observe_batch`, the path the handler takes, on chain events —
//!   65 536 distinct X-Ray-style roots, four hops each (depths 1–4, a different function per hop,
//!   64 functions), 1 024 chains in flight at a time — into a fresh detector each iteration, so every
//!   root's first hop is an insert (table growth included) and its later hops are updates. This is the
//!   full path: depth rule, function interning, the rate window and the chain table.
//! - `chain_observe_single`: the same events one `Detector::observe` call each (a batch of one).
//! - `window_observe`: every event for a root already tracked, spread over 4 096 functions with time
//!   moving on (buckets roll, rules run), one `observe` call each, so the per-function lookup and the
//!   rate-window update dominate.
//! - `baseline_mutex_hashmap`: the same work done the naive way — one `Mutex` over `HashMap`s with
//!   owned `String` keys and the std hasher: the same per-root state (count, max depth, first/last
//!   seen, three Space-Saving emitters) and a per-function ring of rate buckets — locking once per
//!   event, as a loop over the batch's records would.
//! - `baseline_mutex_hashmap_batched`: the same baseline holding the lock for a whole batch, to show
//!   how much of the gap is the batching alone.
//! - `baseline_mutex_hashmap_chains_only`: the baseline without rate windows (less work than the
//!   detector does; compare it with `baseline_mutex_hashmap` to see what the rate windows cost).

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use runaway_guard::chain::{ChainHeader, ChainRoot};
use runaway_guard::detect::{Detector, DetectorConfig};
use runaway_guard::name::FunctionName;
use runaway_guard::signal::{ChainObservation, Signal};
use runaway_guard::time::Timestamp;

const ROOTS: usize = 65_536;
const HOPS: u32 = 4;
const IN_FLIGHT: usize = 1_024;
const T0_MS: u64 = 1_800_000_000_000;
/// Events per handler invocation: the Terraform module's default `sqs_batch_size`.
const BATCH: usize = 1_000;

/// `roots` chains of `hops` events each, emitted in waves of `in_flight` concurrent chains: a chain's
/// hops are close in time (as a real chain's are), but every root is new when its first hop arrives.
/// Hop n of a chain is emitted by a different function than hop n - 1, as in A → B → C.
fn signals(roots: usize, hops: u32, functions: usize, in_flight: usize) -> Vec<Signal> {
    let names: Vec<FunctionName> = (0..functions)
        .map(|i| FunctionName::new(&format!("orders-worker-{i}")).expect("valid name"))
        .collect();
    let mut out = Vec::with_capacity(roots * hops as usize);
    for wave in (0..roots).step_by(in_flight) {
        for depth in 1..=hops {
            for r in wave..(wave + in_flight).min(roots) {
                let root = ChainRoot::new(&format!("1-6789abcd-{:024x}", r.wrapping_mul(0x9e37_79b9)))
                    .expect("root");
                let function = names[(r + depth as usize) % functions].clone();
                let header = ChainHeader { root, depth, function };
                out.push(Signal::Chain(ChainObservation::bare(header)));
            }
        }
    }
    out
}

/// Times `observe` over `events` in batches of `BATCH` into a state built by `fresh` for each of
/// `iters` iterations. Each batch is cloned just before its call (untimed), as the handler's parser
/// hands it over; building and dropping the state is untimed too.
fn time_batches<S>(
    iters: u64,
    events: &[Signal],
    fresh: impl Fn() -> S,
    observe: impl Fn(&S, &[Signal], Timestamp),
) -> Duration {
    let mut timed = Duration::ZERO;
    for _ in 0..iters {
        let state = fresh();
        for (b, batch) in events.chunks(BATCH).enumerate() {
            let parsed = batch.to_vec();
            let now = Timestamp::from_millis(T0_MS + (b * BATCH) as u64);
            let start = Instant::now();
            observe(&state, black_box(&parsed), now);
            timed += start.elapsed();
        }
    }
    timed
}

fn detector() -> Detector {
    Detector::new(DetectorConfig::default())
}

fn baseline() -> Mutex<Naive> {
    Mutex::new(Naive::default())
}

/// The naive design of the same detector: one global lock over `HashMap`s with owned `String` keys
/// and the std hasher (SipHash): per-root chain state (count, max depth, first/last seen, three
/// Space-Saving emitters with cloned names) and per-function rate windows (a ring of 32 buckets).
#[derive(Default)]
struct Naive {
    chains: HashMap<String, NaiveChain>,
    windows: HashMap<String, NaiveWindow>,
}

#[derive(Default)]
struct NaiveChain {
    invocations: u64,
    max_depth: u32,
    first_seen: Timestamp,
    last_seen: Timestamp,
    /// Owned names, as the naive design keeps them (`FunctionName` is a shared `Arc<str>` now; a
    /// clone of it would make this baseline cheaper than the design it stands for).
    emitters: Vec<(String, u64)>,
}

#[derive(Default)]
struct NaiveWindow {
    head: u64,
    buckets: [(u64, u32); 32],
}

impl NaiveWindow {
    /// Counts one event in bucket `number`; true when it opens a newer bucket and the one before it
    /// holds more than `limit` events (the absolute rate rule).
    fn record(&mut self, number: u64, limit: u32) -> bool {
        let slot = &mut self.buckets[(number % 32) as usize];
        match slot.0.cmp(&number) {
            std::cmp::Ordering::Equal => slot.1 += 1,
            std::cmp::Ordering::Less => *slot = (number, 1),
            std::cmp::Ordering::Greater => return false,
        }
        if number <= self.head {
            return false;
        }
        self.head = number;
        let before = self.buckets[((number - 1) % 32) as usize];
        before.0 == number - 1 && before.1 > limit
    }
}

/// Which parts of the naive detector run.
#[derive(Clone, Copy)]
enum NaiveScope {
    /// Chain table and rate windows: the same work as `Detector`.
    Full,
    /// The chain table only (the conservative baseline: less work than `Detector`).
    ChainsOnly,
}

fn naive_observe(naive: &Mutex<Naive>, header: &ChainHeader, now: Timestamp, scope: NaiveScope) -> bool {
    let mut naive = naive.lock().unwrap_or_else(|e| e.into_inner());
    naive_record(&mut naive, header, now, scope)
}

fn naive_record(naive: &mut Naive, header: &ChainHeader, now: Timestamp, scope: NaiveScope) -> bool {
    let over_depth = header.depth > 16;
    let over_rate = match scope {
        NaiveScope::ChainsOnly => false,
        NaiveScope::Full => {
            let window = match naive.windows.get_mut(header.function.as_str()) {
                Some(window) => window,
                None => naive.windows.entry(header.function.as_str().to_owned()).or_default(),
            };
            // 10 s buckets, 1 000 events/s: the guard's defaults.
            window.record(now.as_secs() / 10, 10_000)
        }
    };
    let state = match naive.chains.get_mut(header.root.as_str()) {
        Some(state) => state,
        None => naive
            .chains
            .entry(header.root.as_str().to_owned())
            .or_insert_with(|| NaiveChain { first_seen: now, ..NaiveChain::default() }),
    };
    state.invocations += 1;
    state.max_depth = state.max_depth.max(header.depth);
    state.last_seen = state.last_seen.max(now);
    state.first_seen = state.first_seen.min(now);
    if let Some((_, n)) = state.emitters.iter_mut().find(|(f, _)| f == header.function.as_str()) {
        *n += 1;
    } else if state.emitters.len() < 3 {
        state.emitters.push((header.function.as_str().to_owned(), 1));
    } else if let Some(min) = state.emitters.iter_mut().min_by_key(|(_, n)| *n) {
        *min = (header.function.as_str().to_owned(), min.1 + 1);
    }
    over_depth || over_rate || state.invocations == 501
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("detector");
    group.measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1)).sample_size(20);

    let chain_events = signals(ROOTS, HOPS, 64, IN_FLIGHT);
    let events = &chain_events;
    group.throughput(Throughput::Elements(chain_events.len() as u64));
    group.bench_function("chain_observe", |b| {
        b.iter_custom(|iters| {
            time_batches(iters, events, detector, |d, batch, now| {
                black_box(d.observe_batch(batch, now));
            })
        })
    });
    group.bench_function("chain_observe_single", |b| {
        b.iter_custom(|iters| {
            time_batches(iters, events, detector, |d, batch, now| {
                for signal in batch {
                    black_box(d.observe(signal, now));
                }
            })
        })
    });
    for (id, scope) in [
        ("baseline_mutex_hashmap", NaiveScope::Full),
        ("baseline_mutex_hashmap_chains_only", NaiveScope::ChainsOnly),
    ] {
        group.bench_function(id, |b| {
            b.iter_custom(|iters| {
                time_batches(iters, events, baseline, |naive, batch, now| {
                    for signal in batch {
                        if let Signal::Chain(obs) = signal {
                            black_box(naive_observe(naive, &obs.header, now, scope));
                        }
                    }
                })
            })
        });
    }
    group.bench_function("baseline_mutex_hashmap_batched", |b| {
        b.iter_custom(|iters| {
            time_batches(iters, events, baseline, |naive, batch, now| {
                let mut locked = naive.lock().unwrap_or_else(|e| e.into_inner());
                for signal in batch {
                    if let Signal::Chain(obs) = signal {
                        black_box(naive_record(&mut locked, &obs.header, now, NaiveScope::Full));
                    }
                }
            })
        })
    });

    let window_events = signals(4_096, 16, 4_096, 4_096);
    let warm = detector();
    for signal in &window_events {
        warm.observe(signal, Timestamp::from_millis(T0_MS));
    }
    group.throughput(Throughput::Elements(window_events.len() as u64));
    // Time keeps moving across iterations (1 ms per event), so buckets roll and the rules run.
    let mut clock = T0_MS;
    group.bench_function("window_observe", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                for batch in window_events.chunks(BATCH) {
                    let parsed = batch.to_vec();
                    clock += BATCH as u64;
                    let now = Timestamp::from_millis(clock);
                    let start = Instant::now();
                    for signal in &parsed {
                        black_box(warm.observe(signal, now));
                    }
                    timed += start.elapsed();
                }
            }
            timed
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
