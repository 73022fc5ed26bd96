//! Fuzzing at volume for the two parsers that read hostile bytes: `event::parse_bytes` and the chain
//! header (`ChainHeader::parse`, `ChainHeader::from_json`). cargo-fuzz is not installed on the build
//! machine, so this is a deterministic, structure-aware mutator over the seed corpus in
//! `tests/fuzz-corpus/` plus arbitrary bytes. Every input runs under `catch_unwind`; the test fails
//! on the first panic and prints the seed and input that caused it.
//!
//! `cargo test --test integration fuzz_volume::` runs 20,000 inputs. The long run (figures in docs/testing.md "Fuzzing the parsers"):
//! `FUZZ_INPUTS=10000000 cargo test --test integration fuzz_volume:: -- --nocapture`. `FUZZ_SEED` picks the stream.
#![cfg(feature = "detector")]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use runaway_guard::chain::ChainHeader;
use runaway_guard::event::parse_bytes;

/// xorshift64*: deterministic, so a failing seed and index reproduce exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens that steer the parsers into their interesting branches.
const TOKENS: &[&str] = &[
    "\"source\":\"aws.cloudwatch\"",
    "\"detail-type\":\"CloudWatch Alarm State Change\"",
    "\"runawayGuard\":",
    "\"Records\":[",
    "\"EventSource\":\"aws:sns\"",
    "\"eventSource\":\"aws:sqs\"",
    "\"runaway-guard-chain\"",
    "\"FunctionName\":",
    "root=",
    ";depth=",
    ";function=",
    "4294967296",
    "-1",
    "0",
    "1e999",
    "null",
    "\\u0000",
    "\\ud800",
    "\u{0430}",
    "$(id)`;|&",
    "http://169.254.169.254/",
    "arn:aws:lambda:us-east-1:444455556666:function:x",
    "[[[[[[[[[[[[[[[[",
    "{\"a\":{\"a\":{\"a\":",
    "\"depth\":1,\"depth\":2",
];

fn load_corpus() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz-corpus");
    let mut corpus = Vec::new();
    for entry in std::fs::read_dir(dir).expect("corpus dir") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read seed");
        if path.extension().is_some_and(|e| e == "txt") {
            corpus.extend(bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec));
        } else {
            corpus.push(bytes);
        }
    }
    corpus.sort();
    assert!(corpus.len() >= 30, "seed corpus too small: {}", corpus.len());
    corpus
}

fn mutate(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
    if rng.below(20) == 0 {
        let len = rng.below(512);
        return (0..len).map(|_| rng.next() as u8).collect();
    }
    let mut input = corpus[rng.below(corpus.len())].clone();
    for _ in 0..=rng.below(4) {
        let at = rng.below(input.len() + 1);
        match rng.below(7) {
            0 if !input.is_empty() => {
                let i = at.min(input.len() - 1);
                input[i] ^= 1 << rng.below(8);
            }
            1 => input.insert(at, rng.next() as u8),
            2 if at < input.len() => {
                let end = (at + rng.below(64)).min(input.len());
                input.drain(at..end);
            }
            3 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                input.splice(at..at, token.iter().copied());
            }
            4 => input.truncate(at),
            5 => {
                // Splice a span of another seed: grafts valid structure into unexpected places.
                let other = &corpus[rng.below(corpus.len())];
                let from = rng.below(other.len());
                let to = (from + rng.below(256)).min(other.len());
                input.splice(at..at, other[from..to].iter().copied());
            }
            _ if at < input.len() => {
                // Duplicate a span: repeated keys, repeated records.
                let end = (at + rng.below(128)).min(input.len());
                let span = input[at..end].to_vec();
                input.splice(end..end, span);
            }
            _ => {}
        }
    }
    input
}

fn exercise(input: &[u8]) {
    let _ = parse_bytes(input);
    let text = String::from_utf8_lossy(input);
    let _ = ChainHeader::parse(&text);
    let _ = ChainHeader::from_json(&text);
}

#[test]
fn parsers_never_panic_on_mutated_or_arbitrary_input() {
    let inputs: u64 = std::env::var("FUZZ_INPUTS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let seed: u64 = std::env::var("FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x5EED_CAFE);
    let corpus = load_corpus();
    for seed_input in &corpus {
        exercise(seed_input);
    }
    let mut rng = Rng(seed | 1);
    let started = Instant::now();
    let mut bytes = 0usize;
    for index in 0..inputs {
        let input = mutate(&mut rng, &corpus);
        bytes += input.len();
        if catch_unwind(AssertUnwindSafe(|| exercise(&input))).is_err() {
            panic!("panic at seed {seed} input {index}: {:?}", String::from_utf8_lossy(&input));
        }
    }
    println!(
        "fuzz_volume: {inputs} inputs ({} MB) from {} seeds, seed {seed}, {:.1} s, 0 panics",
        bytes / 1_000_000,
        corpus.len(),
        started.elapsed().as_secs_f64()
    );
}
