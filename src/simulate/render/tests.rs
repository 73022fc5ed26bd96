use super::*;
use crate::simulate::result::{GuardStats, MechanismResult, Timeline, Trip};

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
    assert_eq!(duration(856_800.0), "9 days 22 h", "days past two");
    assert_eq!(duration(863_040.0), "10 days");
    assert_eq!(duration(172_800.0), "2 days");
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
        replay: None,
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
        baseline: mechanism(0, 0, None),
        first_trip_alert: None,
        guard_stats: GuardStats::default(),
        timelines: vec![timeline(Mechanism::Baseline, 5), timeline(Mechanism::NoGuard, 1_000)],
    }
}

#[test]
fn the_report_explains_itself_in_one_time_base() {
    let text = text(&[result()]);
    for needle in [
        "Legend\n",
        "  lambda_loop_detection     Lambda's own loop detection",
        "  leaked                    invocations and USD above the baseline",
        "eventbridge-loop (runaway; instrumented; 5 min of normal traffic, then 24 h after the incident; seed 1)",
        "failed events",
        "  organic lost              real work",
        "order-events throttled at +12.0 s: chain depth 17 > limit 16",
        "1 min before to 10 min after the incident (one column = 11.0 s; log scale from ▁ = above 0 to █ = 1,000/s",
        "5 min before to 24 h after the incident (one column = 24 min 5 s;",
        "85,883,468",
        "$4,294",
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

fn with_mode(
    mut r: SimulationResult,
    mode: crate::simulate::Instrumentation,
    guard: MechanismResult,
) -> SimulationResult {
    r.mode = mode;
    r.guard = guard;
    r
}

fn both_modes() -> Vec<SimulationResult> {
    use crate::simulate::Instrumentation::{Instrumented, Uninstrumented};
    let slow = mechanism(9_000, 12, Some(551.0));
    vec![
        with_mode(result(), Uninstrumented, slow),
        with_mode(result(), Instrumented, mechanism(547, 12, Some(312.0))),
    ]
}

#[test]
fn rates_below_one_per_second_never_print_as_zero() {
    assert_eq!(format::rate(0.0), "0");
    assert_eq!(format::rate(0.3), "0.3");
    assert_eq!(format::rate(0.042), "0.042");
    assert_eq!(format::rate(0.0001), "<0.001");
    assert_eq!(format::rate(2.54), "2.5");
    assert_eq!(format::rate(1_234.4), "1,234");
    let mut r = result();
    r.timelines[0].invocations_per_sec = (0..86_700).map(|s| u64::from(s % 3 == 0)).collect();
    let text = text(&[r]);
    for line in text.lines().filter(|l| l.contains(" peak ")) {
        let drawn = line.chars().any(|c| ('▁'..='█').contains(&c));
        assert!(!(drawn && line.ends_with(" peak 0/s")), "{line}");
    }
    assert!(text.contains("peak 0.33/s"), "{text}");
}

#[test]
fn compare_shows_both_modes_side_by_side_and_says_what_the_header_changes() {
    let text = text(&both_modes());
    assert_eq!(
        text.matches("eventbridge-loop (runaway; instrumented and uninstrumented;").count(),
        1,
        "{text}"
    );
    let table: Vec<&str> = text.lines().filter(|l| l.starts_with("  guard, ")).collect();
    assert!(
        table[0].starts_with("  guard, instrumented ") && table[1].starts_with("  guard, uninstrumented ")
    );
    assert!(
        text.contains("  chain header: with the chain header, contained after 13.0 s, $0.027 leaked; without it, \
                       contained after 4 min 12 s, $0.45 leaked: the header stops it 3 min 59 s sooner and saves $0.42"),
        "{text}"
    );
    let summary = &text[text.find("Summary (seed 1)").expect("a summary")..];
    assert!(
        summary.contains("(N×) is an alternative's leak as a multiple of the uninstrumented guard's."),
        "{summary}"
    );
    assert!(!summary.contains("benign"), "no benign scenario here: {summary}");
    let row = summary.lines().find(|l| l.starts_with("  eventbridge-loop")).expect("a row");
    assert!(row.contains("  $0.027 after 13.0 s  $0.45 after 4 min 12 s  -  "), "{row}");
    assert!(row.ends_with("  $4,294 never (9,543×)"), "{row}");
}

#[test]
fn an_uninstrumented_run_is_compared_with_the_instrumented_one_in_a_sentence() {
    let options =
        Options { primary: Some(crate::simulate::Instrumentation::Uninstrumented), ..Options::default() };
    let text = text_with(&both_modes(), options);
    assert!(text.contains("eventbridge-loop (runaway; uninstrumented;"), "{text}");
    assert!(!text.contains("guard, instrumented"), "{text}");
    assert!(
        text.contains("the header stops it 3 min 59 s sooner")
            && text.contains("(--compare shows both runs in full)")
    );
    assert!(text.contains("  guard (uninstrumented)  "), "the summary's one guard column:\n{text}");
}

#[test]
fn a_benign_scenario_shows_trips_and_cost_not_leaks() {
    let mut r = result();
    r.benign = true;
    r.guard = mechanism(0, 0, Some(7_200.0));
    r.baseline.total_usd = 0.4;
    let text = text(&[r]);
    let section = &text[text.find("eventbridge-loop (benign").unwrap()..text.find("Summary").unwrap()];
    assert!(!section.contains("leaked"), "{section}");
    assert!(section.contains("trips     cost USD  vs baseline"), "{section}");
    let guard = section.lines().find(|l| l.starts_with("  guard ")).unwrap();
    assert!(guard.contains("     1        $1.00       +$0.60"), "{guard}");
    assert!(text.contains("false trips, 1 benign scenario"), "{text}");
}

#[test]
fn failed_events_without_a_trip_say_whose_they_were() {
    let mut r = result();
    let peer = r.peers.get_mut("no_guard").unwrap();
    peer.failed_events = 2_853;
    peer.lost_work.runaway.async_dlq = 2_800;
    peer.lost_work.organic_other.dropped = 53;
    let text = text(&[r]);
    assert!(
        text.contains(
            "    no_guard: 2,853 failed: 2,800 the runaway's own (2,800 to a DLQ or destination); \
             53 organic, other (53 dropped)"
        ),
        "{text}"
    );
    assert!(text.contains("    organic, other          real work lost whatever the mechanism"), "{text}");
}

#[test]
fn alerts_print_the_first_trip_alert_as_sent() {
    let mut r = result();
    r.first_trip_alert = Some(crate::simulate::SentAlert {
        subject: "THROTTLED order-events: chain depth 17 > 16".into(),
        text: "runaway-guard THROTTLED order-events.\n\nNext: fix it\n".into(),
    });
    let quiet = text(std::slice::from_ref(&r));
    assert!(!quiet.contains("Subject:"), "only with --alerts");
    let loud = text_with(&[r], Options { alerts: true, ..Options::default() });
    assert!(
        loud.contains("    | Subject: THROTTLED order-events: chain depth 17 > 16\n    |\n    | runaway-guard THROTTLED order-events.\n    |\n    | Next: fix it\n"),
        "{loud}"
    );
}
