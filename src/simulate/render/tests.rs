use super::*;
use crate::simulate::result::{GuardStats, Trip};

#[test]
fn sparkline_scales_on_a_log_scale_and_shows_silence() {
    let line = sparkline(&[0.0, 1.0, 1000.0, 30.0], 1000.0);
    let glyphs: Vec<char> = line.chars().collect();
    assert_eq!(glyphs.len(), 4);
    assert_eq!(glyphs[0], ' ');
    assert_eq!(glyphs[2], '█');
    assert!(glyphs[1] < glyphs[3] && glyphs[3] < glyphs[2]);
}

#[test]
fn buckets_average_and_fit_short_ranges() {
    assert_eq!(bucket_means(&[1, 3, 5, 7], 0, 4, 2), vec![2.0, 6.0]);
    assert_eq!(bucket_means(&[1, 3, 5, 7], 2, 10, 60), vec![5.0, 7.0]);
    assert!(bucket_means(&[1], 3, 2, 5).is_empty());
}

#[test]
fn numbers_and_durations_read_like_a_report() {
    assert_eq!(thousands(86_317_006), "86,317,006");
    assert_eq!(thousands(612), "612");
    assert_eq!(money(3_881.944), "3,881.94");
    assert_eq!(money(0.02), "0.02");
    assert_eq!(duration(13.0), "13.0 s");
    assert_eq!(duration(312.0), "5 min 12 s");
    assert_eq!(duration(600.0), "10 min");
    assert_eq!(duration(25_320.0), "7 h 2 min");
    assert_eq!(duration(86_700.0), "24 h 5 min");
    assert_eq!(duration(86_400.0), "24 h");
    assert_eq!(duration(3_599.6), "1 h", "rounding carries into the hour");
}

fn mechanism(leaked: u64, failed: u64, trip_at: Option<f64>) -> MechanismResult {
    MechanismResult {
        contained: Some(trip_at.is_some()),
        time_to_containment_s: trip_at.map(|t| t - 300.0 + 1.0),
        leaked_invocations: leaked,
        leaked_usd: leaked as f64 * 0.000_05,
        total_invocations: leaked * 2,
        total_usd: 1.0,
        failed_events: failed,
        lost_work: Default::default(),
        mappings_paused: 0,
        trips: trip_at
            .map(|at_s| Trip {
                function: "order-events".into(),
                rule: "depth".into(),
                reason: "chain depth 17 > limit 16".into(),
                outcome: "throttled".into(),
                at_s,
            })
            .into_iter()
            .collect(),
    }
}

fn result() -> SimulationResult {
    let timeline = |mechanism, rate: u64| Timeline { mechanism, invocations_per_sec: vec![rate; 86_700] };
    SimulationResult {
        scenario: "eventbridge-loop".into(),
        mode: crate::simulate::Instrumentation::Instrumented,
        benign: false,
        seed: 1,
        horizon_s: 86_700,
        incident_at_s: 300,
        guard: mechanism(547, 12, Some(312.0)),
        peers: [("no_guard".to_owned(), mechanism(85_883_468, 0, None))].into(),
        guard_stats: GuardStats::default(),
        timelines: vec![timeline(Mechanism::Baseline, 5), timeline(Mechanism::NoGuard, 1_000)],
    }
}

#[test]
fn the_report_explains_itself_in_one_time_base() {
    let text = text(&[result()]);
    for needle in [
        "Legend\n",
        "  lambda_loop_detection  Lambda's own loop detection",
        "  leaked                 invocations and USD above the baseline",
        "eventbridge-loop (runaway; instrumented; 5 min of normal traffic, then 24 h after the incident; seed 1)",
        "failed events",
        "  organic lost           real work",
        "order-events throttled at +12.0 s: chain depth 17 > limit 16",
        "1 min before to 10 min after the incident (one column = 11.0 s; log scale: ▁ = 1/s, █ = 1,000/s",
        "5 min before to 24 h after the incident (one column = 24 min 5 s;",
        "85,883,468",
        "$4,294.17",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert!(!text.contains("86700 s") && !text.contains("incident at 300"), "{text}");
    let guard_row = text.lines().find(|l| l.starts_with("  guard ") && l.contains("yes")).unwrap();
    assert!(guard_row.contains(" 12  order-events"), "failed events column: {guard_row}");
}

#[test]
fn a_benign_scenario_counts_from_the_start() {
    let mut r = result();
    r.benign = true;
    r.guard = mechanism(0, 0, Some(7_200.0));
    let text = text(&[r]);
    assert!(
        text.contains("(benign: any trip is a false positive; instrumented; 24 h 5 min simulated; seed 1)"),
        "{text}"
    );
    assert!(text.contains("throttled at +2 h:"), "{text}");
}
