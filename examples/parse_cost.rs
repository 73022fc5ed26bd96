//! Parses the handler benchmark's SQS batch (10,000 chain events) N times, for counting
//! instructions: wall-clock figures on a shared VM move by ±40 %, instruction counts do not.
//!
//! ```text
//! cargo build --release --example parse_cost --no-default-features --features detector
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/parse_cost 4
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/parse_cost 0
//! ```
//!
//! (difference of the two `I refs` totals) / 4 = instructions per batch. The batch is built either
//! way, so the difference is the parsing alone.

use std::hint::black_box;

#[path = "../benches/support/sqs_batch.rs"]
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
    let mut signals = 0;
    for _ in 0..iterations {
        match runaway_guard::event::parse_bytes(black_box(&raw)) {
            Ok(parsed) => signals += parsed.signals.len(),
            Err(error) => {
                eprintln!("the batch did not parse: {error}");
                std::process::exit(1);
            }
        }
    }
    println!("{iterations} × {} bytes parsed, {signals} signals", raw.len());
}
