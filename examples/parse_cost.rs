//! Parses the handler benchmark's SQS batch (10,000 chain events) N times, for counting
//! instructions: wall-clock figures on a shared VM move by ±40 %, instruction counts do not.
//!
//! ```text
//! cargo build --release --example parse_cost --no-default-features --features detector
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/parse_cost 5
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/parse_cost 1
//! ```
//!
//! (difference of the two `I refs` totals) / 4 = instructions per batch. The batch is built and
//! parsed once either way, so the difference is four parses alone, in the steady state: the first
//! parse also pays the allocator for tidying the garbage that building the batch left (about 24 M
//! instructions, once), which a Lambda's warm process does not see batch after batch. Run natively (`parse_cost 30`), it also prints the
//! fastest and median wall-clock time per parse, for a quick side-by-side look.

use std::hint::black_box;

// Only the bench batch is counted here; the AWS-written one is the handler bench's.
#[path = "../benches/support/sqs_batch.rs"]
#[allow(dead_code)]
mod sqs_batch;

fn main() {
    let iterations: usize = match std::env::args().nth(1).map(|arg| arg.parse()) {
        None => 4,
        Some(Ok(n)) => n,
        Some(Err(error)) => {
            eprintln!("usage: parse_cost [ITERATIONS]: {error}");
            std::process::exit(2);
        }
    };
    let raw = sqs_batch::batch();
    let (mut signals, mut times) = (0, Vec::with_capacity(iterations));
    for _ in 0..iterations {
        let start = std::time::Instant::now();
        let parsed = runaway_guard::event::parse_bytes(black_box(&raw));
        times.push(start.elapsed());
        match parsed {
            Ok(parsed) => signals += parsed.signals.len(),
            Err(error) => {
                eprintln!("the batch did not parse: {error}");
                std::process::exit(1);
            }
        }
    }
    println!("{iterations} × {} bytes parsed, {signals} signals", raw.len());
    // Wall-clock too, for a quick look outside valgrind (the drop of each result is not timed).
    times.sort();
    if let (Some(fastest), Some(median)) = (times.first(), times.get(times.len() / 2)) {
        println!("fastest {:.2} ms, median {:.2} ms per parse", ms(*fastest), ms(*median));
    }
}

fn ms(time: std::time::Duration) -> f64 {
    time.as_secs_f64() * 1e3
}
