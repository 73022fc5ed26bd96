//! Measures the detector's memory for 1 M live chain roots (default config, 1 000 emitting functions),
//! or, with `--flood N`, under a flood of N unique roots arriving over time (the cap must hold).
//!
//! Two figures: live heap bytes held by the detector (a counting global allocator: allocated minus
//! freed), and the growth of the process's resident set (`VmRSS` in /proc/self/status), which also
//! shows allocator overhead. Run: `cargo run --release --example chain_memory --no-default-features
//! --features detector [-- --flood 5000000 [--rate 10000]]`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use runaway_guard::chain::{ChainHeader, ChainRoot};
use runaway_guard::detect::{Detector, DetectorConfig};
use runaway_guard::name::FunctionName;
use runaway_guard::signal::{ChainObservation, Signal};
use runaway_guard::time::Timestamp;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: defers every call to the system allocator unchanged; only counts the sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const CHAINS: usize = 1_000_000;
const FUNCTIONS: usize = 1_000;
const MB: f64 = 1024.0 * 1024.0;

/// Signals fed per `now` in the flood: the handler sees batches of this size (one SQS/EventBridge
/// delivery), all observed at the same instant.
const BATCH: usize = 1_000;

fn vm_rss_bytes() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// What to run, from the command line: `[--flood N] [--rate PER_SEC]`.
struct Args {
    /// `None`: the 1 M fill; `Some(n)`: a flood of `n` unique roots.
    flood: Option<usize>,
    /// Flood arrival rate in signals per second of virtual time.
    rate: usize,
}

fn args() -> Result<Args, Box<dyn std::error::Error>> {
    let mut parsed = Args { flood: None, rate: 10_000 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value: usize = it.next().ok_or_else(|| format!("{flag} needs a value"))?.parse()?;
        match flag.as_str() {
            "--flood" => parsed.flood = Some(value),
            "--rate" if value > 0 => parsed.rate = value,
            _ => return Err(format!("unknown or invalid argument {flag} {value}").into()),
        }
    }
    Ok(parsed)
}

fn signal(i: usize, function: &FunctionName) -> Result<Signal, Box<dyn std::error::Error>> {
    let header = ChainHeader {
        root: ChainRoot::new(&format!("1-67891233-{i:024x}"))?,
        depth: 1,
        function: function.clone(),
    };
    Ok(Signal::Chain(ChainObservation::bare(header)))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    let functions: Vec<FunctionName> =
        (0..FUNCTIONS).map(|i| FunctionName::new(&format!("fn-{i}"))).collect::<Result<_, _>>()?;
    let (heap_before, rss_before) = (LIVE.load(Ordering::Relaxed), vm_rss_bytes().unwrap_or(0));
    let detector = Detector::new(DetectorConfig::default());
    let start = 1_800_000_000;
    let signals = match args.flood {
        None => {
            // The steady-state figure: every root live at one instant.
            let now = Timestamp::from_secs(start);
            for i in 0..CHAINS {
                detector.observe(&signal(i, &functions[i % FUNCTIONS])?, now);
            }
            CHAINS
        }
        Some(n) => {
            flood(&detector, &functions, n, args.rate, start)?;
            n
        }
    };
    report(&detector, signals, heap_before, rss_before, args.flood.is_some());
    Ok(())
}

/// `n` unique roots arriving at `rate` per second, in batches of [`BATCH`] sharing one `now`:
/// a flood like this keeps the table at its cap, refusing new roots until live ones expire.
fn flood(
    detector: &Detector,
    functions: &[FunctionName],
    n: usize,
    rate: usize,
    start: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let cap = DetectorConfig::default().max_chains;
    let mut batch = Vec::with_capacity(BATCH);
    for first in (0..n).step_by(BATCH) {
        let now = Timestamp::from_secs(start + (first / rate) as u64);
        batch.clear();
        for i in first..(first + BATCH).min(n) {
            batch.push(signal(i, &functions[i % FUNCTIONS])?);
        }
        for s in &batch {
            detector.observe(s, now);
        }
        let live = detector.stats().chains;
        if live > cap {
            return Err(format!("{live} live chains exceed the cap {cap} after {first} signals").into());
        }
    }
    Ok(())
}

fn report(detector: &Detector, signals: usize, heap_before: usize, rss_before: usize, flood: bool) {
    let stats = detector.stats();
    let heap = LIVE.load(Ordering::Relaxed) - heap_before;
    let peak = PEAK.load(Ordering::Relaxed) - heap_before;
    let rss = vm_rss_bytes().unwrap_or(0).saturating_sub(rss_before);
    println!("signals: {signals} unique roots{}", if flood { " (flood)" } else { "" });
    println!(
        "live chains: {} (cap {}), rejected {}, functions: {}",
        stats.chains,
        DetectorConfig::default().max_chains,
        stats.chains_rejected,
        stats.functions
    );
    println!(
        "detector heap at the end: {:.1} MB = {} bytes/live chain",
        heap as f64 / MB,
        heap / stats.chains.max(1)
    );
    println!("peak heap: {:.1} MB", peak as f64 / MB);
    println!("VmRSS growth: {:.1} MB", rss as f64 / MB);
}
