//! Measures the detector's memory for 1 M live chain roots (default config, 1 000 emitting functions).
//!
//! Two figures: live heap bytes held by the detector (a counting global allocator: allocated minus
//! freed), and the growth of the process's resident set (`VmRSS` in /proc/self/status), which also
//! shows allocator overhead. Run: `cargo run --release --example chain_memory --no-default-features
//! --features detector`.

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

fn vm_rss_bytes() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let functions: Vec<FunctionName> =
        (0..FUNCTIONS).map(|i| FunctionName::new(&format!("fn-{i}"))).collect::<Result<_, _>>()?;
    let (heap_before, rss_before) = (LIVE.load(Ordering::Relaxed), vm_rss_bytes().unwrap_or(0));
    let detector = Detector::new(DetectorConfig::default());
    let now = Timestamp::from_secs(1_800_000_000);
    for i in 0..CHAINS {
        let header = ChainHeader {
            root: ChainRoot::new(&format!("1-67891233-{i:024x}"))?,
            depth: 1,
            function: functions[i % FUNCTIONS].clone(),
        };
        let signal =
            Signal::Chain(ChainObservation { header, emitted_at: None, account: None, region: None });
        detector.observe(&signal, now);
    }
    let stats = detector.stats();
    let heap = LIVE.load(Ordering::Relaxed) - heap_before;
    let rss = vm_rss_bytes().unwrap_or(0).saturating_sub(rss_before);
    println!(
        "live chains: {} (rejected {}), functions: {}",
        stats.chains, stats.chains_rejected, stats.functions
    );
    println!(
        "detector heap (counting allocator): {:.1} MB = {} bytes/chain",
        heap as f64 / MB,
        heap / CHAINS
    );
    println!("peak heap during the fill: {:.1} MB", (PEAK.load(Ordering::Relaxed) - heap_before) as f64 / MB);
    println!("VmRSS growth: {:.1} MB", rss as f64 / MB);
    Ok(())
}
