//! Property tests: the event parser never panics, on arbitrary bytes, on byte-mutated fixtures and
//! on fixtures whose values were swapped for values of other JSON types; whatever it accepts holds.

#![cfg(feature = "detector")]

use proptest::prelude::*;
use runaway_guard::chain::MAX_DEPTH;
use runaway_guard::event::{EventError, ParsedEvent, parse_bytes, parse_value};
use runaway_guard::signal::Signal;
use serde_json::{Value, json};

fn fixtures() -> Vec<Vec<u8>> {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    paths.iter().map(|path| std::fs::read(path).unwrap()).collect()
}

/// What any accepted event must satisfy, whatever the input was.
fn check_invariants(result: &Result<ParsedEvent, EventError>) -> Result<(), TestCaseError> {
    let Ok(parsed) = result else { return Ok(()) };
    for signal in &parsed.signals {
        if let Signal::Chain(chain) = signal {
            prop_assert!((1..=MAX_DEPTH).contains(&chain.header.depth));
        }
    }
    for (location, _) in &parsed.rejected {
        prop_assert!(location.starts_with("Records[") && location.ends_with(']'), "{location}");
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let token = prop_oneof![
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b"[".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\\".to_vec()),
        Just(b",".to_vec()),
        Just(b"null".to_vec()),
        Just(b"\"runawayGuard\":{\"root\":\"r\",\"depth\":1,\"function\":\"f\"},".to_vec()),
        prop::collection::vec(any::<u8>(), 1..8),
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip(at, byte)),
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Delete(at, len)),
        (any::<usize>(), token).prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(mut raw: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for mutation in mutations {
        let len = raw.len().max(1);
        match mutation {
            Mutation::Flip(at, byte) if !raw.is_empty() => raw[at % len] = *byte,
            Mutation::Delete(at, n) if !raw.is_empty() => {
                let start = at % len;
                raw.drain(start..(start + n).min(raw.len()));
            }
            Mutation::Insert(at, bytes) => {
                let at = at % (raw.len() + 1);
                raw.splice(at..at, bytes.iter().copied());
            }
            Mutation::Truncate(at) => raw.truncate(at % len),
            _ => {}
        }
    }
    raw
}

/// Replaces the `n`-th node (pre-order, modulo the node count) of `value` with `replacement`.
fn replace_node(value: &mut Value, n: usize, replacement: Value) {
    fn count(v: &Value) -> usize {
        1 + match v {
            Value::Array(items) => items.iter().map(count).sum(),
            Value::Object(map) => map.values().map(count).sum(),
            _ => 0,
        }
    }
    fn walk(v: &mut Value, target: &mut usize, replacement: &mut Option<Value>) {
        if *target == 0 {
            if let Some(r) = replacement.take() {
                *v = r;
            }
            return;
        }
        *target -= 1;
        let children: Vec<&mut Value> = match v {
            Value::Array(items) => items.iter_mut().collect(),
            Value::Object(map) => map.values_mut().collect(),
            _ => Vec::new(),
        };
        for child in children {
            walk(child, target, replacement);
        }
    }
    let mut target = n % count(value);
    walk(value, &mut target, &mut Some(replacement));
}

fn any_json() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "\\PC{0,20}".prop_map(Value::from),
        Just(json!([])),
        Just(json!({})),
        Just(json!({"root": "r", "depth": 0, "function": "f"})),
        Just(Value::from("{\"AlarmName\":1}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_arbitrary_bytes(raw in prop::collection::vec(any::<u8>(), 0..2048)) {
        let result = parse_bytes(&raw);
        check_invariants(&result)?;
    }

    #[test]
    fn never_panics_on_mutated_fixtures(
        index in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let fixtures = fixtures();
        let raw = apply(fixtures[index.index(fixtures.len())].clone(), &mutations);
        let result = parse_bytes(&raw);
        check_invariants(&result)?;
        prop_assert_eq!(parse_bytes(&raw), result, "parsing is deterministic");
    }

    #[test]
    fn never_panics_on_fixtures_with_retyped_values(
        index in any::<prop::sample::Index>(),
        node in any::<usize>(),
        replacement in any_json(),
    ) {
        let fixtures = fixtures();
        let Ok(mut value) = serde_json::from_slice::<Value>(&fixtures[index.index(fixtures.len())]) else {
            return Ok(());
        };
        replace_node(&mut value, node, replacement);
        check_invariants(&parse_value(&value))?;
    }
}
