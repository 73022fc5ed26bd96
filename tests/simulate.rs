//! `runaway-guard simulate`: the containment targets (issue 5), the peers' documented behaviour, the
//! output formats and the scenario-file format. Deterministic for the seed: nothing here is timed.
#![cfg(feature = "guard")]

use std::sync::OnceLock;

use runaway_guard::config::Config;
use runaway_guard::simulate::{self, SimError, SimulationResult};

const SEED: u64 = 1;

/// All built-in scenarios, run once for every test in this file.
fn results() -> &'static [SimulationResult] {
    static RESULTS: OnceLock<Vec<SimulationResult>> = OnceLock::new();
    RESULTS.get_or_init(|| simulate::run_all(SEED, &Config::default()).expect("built-in scenarios run"))
}

fn result(name: &str) -> &'static SimulationResult {
    results().iter().find(|r| r.scenario == name).expect("scenario ran")
}

#[test]
fn eventbridge_loop_meets_its_targets() {
    let r = result("eventbridge-loop");
    assert_eq!(r.guard.contained, Some(true), "{:#?}", r.guard);
    let t = r.guard.time_to_containment_s.expect("contained");
    assert!(t <= 30.0, "contained after {t} s");
    assert!(r.guard.leaked_invocations <= 1_000, "leaked {}", r.guard.leaked_invocations);
    assert!(r.guard.leaked_usd <= 0.05, "leaked ${}", r.guard.leaked_usd);
    assert!(r.guard.trips.iter().any(|t| t.function == "order-events" && t.outcome == "throttled"));
}

#[test]
fn sns_fanout_leaks_at_most_two_thousand_invocations() {
    let r = result("sns-fanout");
    assert_eq!(r.guard.contained, Some(true), "{:#?}", r.guard);
    assert!(r.guard.leaked_invocations <= 2_000, "leaked {}", r.guard.leaked_invocations);
}

#[test]
fn every_runaway_leaks_a_hundred_times_less_than_the_best_peer() {
    for r in results().iter().filter(|r| !r.benign) {
        let (peer, best) = r.best_peer().expect("peers ran");
        assert_eq!(r.guard.contained, Some(true), "{}: {:#?}", r.scenario, r.guard);
        assert!(
            r.guard.leaked_invocations.saturating_mul(100) <= best.leaked_invocations,
            "{}: guard leaked {}, best peer {peer} {}",
            r.scenario,
            r.guard.leaked_invocations,
            best.leaked_invocations
        );
    }
}

#[test]
fn benign_scenarios_never_trip_the_guard() {
    for r in results().iter().filter(|r| r.benign) {
        assert_eq!(r.guard.trips, Vec::new(), "{}", r.scenario);
        assert_eq!(r.guard.contained, None);
    }
}

#[test]
fn the_guard_is_fed_faithfully() {
    for r in results() {
        assert_eq!(r.guard_stats.errors, 0, "{}", r.scenario);
        assert_eq!(r.guard_stats.signals_dropped, 0, "{}", r.scenario);
    }
    assert!(result("eventbridge-loop").guard_stats.signals_fed > 0);
    assert_eq!(result("billing-spike").guard_stats.signals_fed, 0, "no chain: alarms only");
}

#[test]
fn peers_behave_as_documented() {
    let eb = result("eventbridge-loop");
    let no_guard = &eb.peers["no_guard"];
    // 300 concurrency × 86,400 s × 9 GB × $0.0000166667 + 86.4 M × $0.20/M ≈ $3,905.
    assert!((3_700.0..=4_100.0).contains(&no_guard.leaked_usd), "no guard: ${}", no_guard.leaked_usd);
    assert_eq!(no_guard.contained, Some(false));
    let lambda = &eb.peers["lambda_loop_detection"];
    assert_eq!((lambda.contained, lambda.trips.len()), (Some(false), 0), "Lambda never sees EventBridge");
    let kill = &eb.peers["billing_kill_switch"];
    let t = kill.time_to_containment_s.expect("the kill switch fires eventually");
    assert!((6.0 * 3_600.0..=8.0 * 3_600.0).contains(&t), "kill switch after {t} s");

    // Lambda stops each SNS chain at 16 hops but keeps leaking on every new chain.
    let sns = &result("sns-fanout").peers["lambda_loop_detection"];
    assert_eq!(sns.contained, Some(false));
    assert!(sns.trips.iter().any(|t| t.rule == "lambda_recursion" && t.outcome == "dropped"));
    // ... and kills the intentional retry chains: the false positive.
    let retry = &result("benign-retry-backoff").peers["lambda_loop_detection"];
    assert!(!retry.trips.is_empty() && retry.failed_events > 0);
}

#[test]
fn results_are_deterministic_for_a_seed() {
    let scenario = simulate::scenario("benign-cron-burst").expect("built in");
    let config = Config::default();
    let a = simulate::run(&scenario, 7, &config).expect("runs");
    let b = simulate::run(&scenario, 7, &config).expect("runs");
    assert_eq!(a, b);
    let c = simulate::run(&scenario, 8, &config).expect("runs");
    assert_ne!(a.timelines, c.timelines, "the seed matters");
}

#[test]
fn json_has_the_documented_shape() {
    let json = serde_json::to_value(result("eventbridge-loop")).expect("serialises");
    for key in [
        "scenario",
        "contained",
        "time_to_containment_s",
        "leaked_invocations",
        "leaked_usd",
        "trips",
        "peers",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    for peer in ["lambda_loop_detection", "billing_kill_switch", "no_guard"] {
        assert!(json["peers"][peer]["leaked_invocations"].is_u64(), "{peer}");
    }
    assert!(json.get("timelines").is_none(), "timelines stay out of the JSON");
}

#[test]
fn text_report_has_a_table_and_sparklines_per_scenario() {
    let text = simulate::render::text(results());
    for name in simulate::scenario_names() {
        assert!(text.contains(name), "{name}");
    }
    assert!(text.contains("no_guard") && text.contains("leaked inv."));
    assert!(text.chars().any(|c| ('▁'..='█').contains(&c)));
}

#[test]
fn svg_is_well_formed_with_a_line_per_mechanism() {
    let svg = simulate::svg::render(results());
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<polyline").count(), results().len() * 5);
    assert_balanced(&svg);
}

/// Minimal XML check: every element opened is closed in order; attribute values are quoted.
fn assert_balanced(xml: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("tag closes") + start;
        let tag = &rest[start + 1..end];
        assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes in <{tag}>");
        let name: String = tag.trim_start_matches('/').chars().take_while(|c| c.is_alphanumeric()).collect();
        if tag.starts_with('/') {
            assert_eq!(stack.pop().as_deref(), Some(name.as_str()), "mismatched </{name}>");
        } else if !tag.ends_with('/') {
            stack.push(name);
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

#[test]
fn scenario_files_load_and_bad_ones_are_typed_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("mine.json");
    let json = r#"{"name": "mine", "horizon_secs": 600, "incident_at_secs": 60,
        "functions": [{"name": "f", "memory_mb": 512, "duration_ms": 100}],
        "routes": [{"from": "f", "to": {"async": "f"}, "incident": true}],
        "traffic": [{"to": {"async": "f"}, "rate_per_sec": 1}]}"#;
    std::fs::write(&good, json).expect("write");
    let scenario = simulate::load_scenario_file(&good).expect("loads");
    let r = simulate::run(&scenario, SEED, &Config::default()).expect("runs");
    assert!(r.peers["no_guard"].leaked_invocations > 1_000, "an async self-loop grows");

    let cases = [
        ("{", "parse"),
        (r#"{"name": "x", "functions": [], "bogus": 1}"#, "parse"),
        (r#"{"name": "x", "functions": [{"name": "f", "memory_mb": 64, "duration_ms": 1}]}"#, "invalid"),
        (r#"{"name": "x", "functions": [], "traffic": [{"to": {"sqs": "nope"}}]}"#, "invalid"),
    ];
    for (text, kind) in cases {
        let path = dir.path().join("bad.json");
        std::fs::write(&path, text).expect("write");
        let err = simulate::load_scenario_file(&path).expect_err(text);
        match kind {
            "parse" => assert!(matches!(err, SimError::Parse { .. }), "{text}: {err}"),
            _ => assert!(matches!(err, SimError::Invalid { .. }), "{text}: {err}"),
        }
    }
    let missing = simulate::load_scenario_file(&dir.path().join("missing.json"));
    assert!(matches!(missing, Err(SimError::Io { .. })));
}

/// `cargo test --test simulate -- --ignored --nocapture print_report`: the report docs/simulation.md "Results (seed 1)" quotes.
/// `SIM_ONLY=NAME` runs one scenario, `SIM_SVG=FILE` writes the chart, `SIM_RATE_LIMIT=N` overrides the rate rule.
#[test]
#[ignore = "prints the report; run by hand"]
fn print_report() {
    let started = std::time::Instant::now();
    let mut config = Config::default();
    // Lets the report show the effect of a threshold without editing defaults.
    if let Some(rate) = std::env::var("SIM_RATE_LIMIT").ok().and_then(|v| v.parse().ok()) {
        config.rate_limit_per_sec = rate;
    }
    let only = std::env::var("SIM_ONLY").ok();
    let names = simulate::scenario_names().into_iter().filter(|n| only.as_deref().is_none_or(|o| o == *n));
    let all: Vec<_> = names
        .map(|name| simulate::run(&simulate::scenario(name).expect("built in"), SEED, &config).expect("runs"))
        .collect();
    println!("{}", simulate::render::text(&all));
    if let Ok(path) = std::env::var("SIM_SVG") {
        std::fs::write(path, simulate::svg::render(&all)).expect("writes the SVG");
    }
    println!("wall time for all scenarios: {:?}", started.elapsed());
    println!("{}", serde_json::to_string(&all).expect("serialises"));
}

/// Wall time of each scenario (all five runs, two cores): `-- --ignored --nocapture time_each`.
#[test]
#[ignore = "prints timings; run by hand"]
fn time_each() {
    for name in simulate::scenario_names() {
        let started = std::time::Instant::now();
        let r = simulate::run(&simulate::scenario(name).expect("built in"), SEED, &Config::default())
            .expect("runs");
        println!("{name}: {:?} (signals fed {})", started.elapsed(), r.guard_stats.signals_fed);
    }
}
