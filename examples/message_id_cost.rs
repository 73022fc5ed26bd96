//! Times the `messageId` pass the handler makes over an SQS batch (for its partial batch response
//! and its memory of counted records) next to the batch parse itself, on the handler benchmark's
//! batch of 10,000 chain events:
//!
//! ```text
//! cargo run --release --example message_id_cost --no-default-features --features detector -- 30
//! ```
//!
//! It prints the median and fastest time per batch of each.

use std::hint::black_box;
use std::time::{Duration, Instant};

// Only the bench batch is timed here; the AWS-written one is the handler bench's.
#[path = "../benches/support/sqs_batch.rs"]
#[allow(dead_code)]
mod sqs_batch;

fn main() {
    let iterations: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(30).max(1);
    let raw = sqs_batch::batch();
    let parse =
        time(iterations, || runaway_guard::event::parse_bytes(black_box(&raw)).map(|p| p.signals.len()).ok());
    let ids =
        time(iterations, || runaway_guard::event::sqs_message_ids(black_box(&raw)).map(|ids| ids.len()));
    for (what, (median, fastest)) in [("parse_bytes", parse), ("sqs_message_ids", ids)] {
        println!("{what:>16}: median {median:?}, fastest {fastest:?} per batch of {} bytes", raw.len());
    }
}

fn time<R>(iterations: usize, mut f: impl FnMut() -> Option<R>) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            let result = black_box(f());
            let elapsed = start.elapsed();
            assert!(result.is_some(), "the batch did not parse");
            elapsed
        })
        .collect();
    times.sort();
    (times[times.len() / 2], times[0])
}
