//! One parse test per fixture in `tests/fixtures/`, asserting the exact signals or errors:
//! alarms in `alarms.rs`, alarm contributors in `contributors.rs`, chain events, schedules, batches and rejections in `others.rs`.
//! Run with `cargo test --no-default-features --features detector`.

#![cfg(feature = "detector")]

mod alarms;
mod contributors;
mod others;

use runaway_guard::chain::ChainHeader;
use runaway_guard::event::{EventError, ParsedEvent, parse_bytes, parse_value};
use runaway_guard::name::FunctionName;
use runaway_guard::signal::{AlarmMetric, AlarmSignal, ChainObservation, Signal};
use runaway_guard::time::Timestamp;

pub fn fixture(name: &str) -> Result<ParsedEvent, EventError> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    parse_bytes(&std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
}

/// The event's single signal, which must be an alarm.
pub fn only_alarm(name: &str) -> AlarmSignal {
    match fixture(name).unwrap() {
        ParsedEvent { signals, rejected, .. } if rejected.is_empty() && signals.len() == 1 => {
            match &signals[0] {
                Signal::Alarm(alarm) => AlarmSignal::clone(alarm),
                other => panic!("{name}: not an alarm: {other:?}"),
            }
        }
        other => panic!("{name}: {other:?}"),
    }
}

pub fn at(rfc3339: &str) -> Option<Timestamp> {
    Some(Timestamp::parse_rfc3339(rfc3339).unwrap())
}

pub fn some<T: for<'a> From<&'a str>>(text: &str) -> Option<T> {
    Some(T::from(text))
}

pub fn metrics(list: &[(&str, &str)]) -> Vec<AlarmMetric> {
    list.iter().map(|(ns, name)| AlarmMetric { namespace: ns.to_string(), name: name.to_string() }).collect()
}

pub fn functions(list: &[&str]) -> Vec<FunctionName> {
    list.iter().map(|f| FunctionName::new(f).unwrap()).collect()
}

pub fn chain(header: &str, emitted_at: Option<Timestamp>, account: &str, region: &str) -> Signal {
    Signal::Chain(ChainObservation {
        header: ChainHeader::parse(header).unwrap(),
        emitted_at,
        account: some(account),
        region: some(region),
        sender: None,
        source: None,
        detail_type: None,
    })
}

/// `signal` (a chain observation) as an EventBridge event with this `source` and `detail-type` carried it.
pub fn on_bus(signal: Signal, source: &str, detail_type: &str) -> Signal {
    match signal {
        Signal::Chain(mut chain) => {
            chain.source = Some(source.into());
            chain.detail_type = Some(detail_type.into());
            Signal::Chain(chain)
        }
        other => other,
    }
}

pub fn rejected(list: &[(usize, EventError)]) -> Vec<(String, EventError)> {
    list.iter().map(|(i, e)| (format!("Records[{i}]"), e.clone())).collect()
}

#[test]
fn parse_value_agrees_with_parse_bytes_on_every_fixture_without_repeated_keys() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue; // subdirectories hold alert and chat samples, not events
        }
        let raw = std::fs::read(&path).unwrap();
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&raw) else { continue };
        if path.ends_with("eventbridge-chain-duplicate-depth.json") {
            continue;
        }
        assert_eq!(parse_value(&value), parse_bytes(&raw), "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} fixtures checked");
}

#[test]
fn every_fixture_has_a_parse_test() {
    let root = env!("CARGO_MANIFEST_DIR");
    let sources: String = ["alarms.rs", "contributors.rs", "others.rs"]
        .iter()
        .map(|file| std::fs::read_to_string(format!("{root}/tests/events/{file}")).unwrap())
        .collect();
    for entry in std::fs::read_dir(format!("{root}/tests/fixtures")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".json") {
            assert!(sources.contains(&format!("\"{name}\"")), "{name} has no parse test");
        }
    }
}
