//! The judgement on its own: runaway shapes, busy-as-usual functions, the floor and unpublished minutes.

use proptest::prelude::*;

use super::*;
use crate::name::FunctionName;
use crate::ports::HourMetrics;

/// 2026-12-01 14:30 UTC.
const NOW: u64 = 1_796_135_400;

fn thresholds() -> Baseline {
    Baseline::default()
}

fn gb(memory_mb: u32) -> Subject {
    Subject {
        profile: FunctionProfile { memory_mb, architecture: Architecture::X86_64 },
        ..Subject::default()
    }
}

/// Consecutive published minutes ending at the minute before `NOW`'s:
/// `(invocations, ms per call, peak concurrency, throttles)`.
fn minutes(list: &[(f64, f64, f64, f64)]) -> Vec<MinuteMetrics> {
    let end = NOW / 60 * 60;
    let first = end - 60 * list.len() as u64;
    list.iter()
        .enumerate()
        .map(|(i, &(invocations, ms, concurrency, throttles))| MinuteMetrics {
            start: Timestamp::from_secs(first + 60 * i as u64),
            invocations: Some(invocations),
            duration_ms: Some(invocations * ms),
            concurrency_max: Some(concurrency),
            throttles: Some(throttles),
            recursion_dropped: None,
            ..MinuteMetrics::default()
        })
        .collect()
}

/// The `count` hours before `NOW`'s hour, oldest first; `each(hours_ago)` gives an hour's
/// `(calls, ms per call, peak concurrency)`.
fn hours(count: u64, each: impl Fn(u64) -> (f64, f64, Option<f64>)) -> Vec<HourMetrics> {
    let end = NOW / 3600 * 3600;
    (1..=count)
        .rev()
        .map(|ago| {
            let (calls, ms, concurrency_max) = each(ago);
            HourMetrics {
                start: Timestamp::from_secs(end - ago * 3600),
                invocations: calls,
                duration_ms: calls * ms,
                concurrency_max,
            }
        })
        .collect()
}

/// `days` of hourly history before `NOW`'s hour, `per_hour` calls of `ms` each, every hour.
fn history(days: u64, per_hour: f64, ms: f64) -> Vec<HourMetrics> {
    hours(days * 24, |_| (per_hour, ms, None))
}

fn metrics(recent: Vec<MinuteMetrics>, history: Vec<HourMetrics>) -> FunctionMetrics {
    FunctionMetrics { function: FunctionName::new("f").unwrap(), recent, history }
}

fn run(m: &FunctionMetrics, subject: Subject) -> Judgement {
    judge(m, subject, &Prices::default(), &thresholds(), Timestamp::from_secs(NOW))
}

fn is_runaway(j: &Judgement) -> bool {
    matches!(j, Judgement::Runaway { .. })
}

#[test]
fn a_bomb_doubling_each_minute_without_history_is_a_runaway() {
    let m = metrics(
        minutes(&[
            (500.0, 1000.0, 10.0, 0.0),
            (1000.0, 1000.0, 20.0, 0.0),
            (2000.0, 1000.0, 40.0, 0.0),
            (4000.0, 1000.0, 80.0, 0.0),
        ]),
        vec![],
    );
    // At 1 GB it spends $2.33/h: without history, growth under 10x the floor is what a rollout does.
    match run(&m, gb(1024)) {
        Judgement::Normal { why, .. } => assert!(why.contains("a rollout levels off"), "{why}"),
        other => panic!("{other:?}"),
    }
    match run(&m, gb(5120)) {
        Judgement::Runaway {
            shape: RunawayShape::Growth { minutes, series },
            times_normal,
            usd_per_hour,
        } => {
            assert_eq!((minutes, series), (vec![500.0, 1000.0, 2000.0, 4000.0], "invocations"));
            assert_eq!(times_normal, None);
            // Last three minutes: 7000 calls x 1 s x 5 GB over 180 s → 700,000 GB-s/h.
            let expected = (7000.0 * 0.2e-6 + 7000.0 * 5.0 * 0.000_016_666_7) * 20.0;
            assert!((usd_per_hour - expected).abs() < 1e-9, "{usd_per_hour} vs {expected}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_rollout_behind_a_canary_of_a_few_hours_is_judged_as_a_new_function() {
    // A canary has served 1 % for four hours (60 calls an hour); the rollout then doubles each
    // minute. Four hours since it started are no day like today: growth needs 10x the floor.
    let canary = hours(4, |_| (60.0, 1000.0, Some(1.0)));
    let rising = minutes(&[
        (500.0, 1000.0, 10.0, 0.0),
        (1000.0, 1000.0, 20.0, 0.0),
        (2000.0, 1000.0, 40.0, 0.0),
        (4000.0, 1000.0, 80.0, 0.0),
    ]);
    match run(&metrics(rising.clone(), canary.clone()), gb(1024)) {
        Judgement::Normal { why, .. } => {
            assert!(
                why.contains("since it started (no day like today yet), growing but under $10.00/h"),
                "{why}"
            )
        }
        other => panic!("{other:?}"),
    }
    // At 5 GB the same bomb spends over $10/h and trips, as without any history.
    assert!(is_runaway(&run(&metrics(rising.clone(), canary), gb(5120))));
    // A week of history makes growth evidence at any spend over the floor.
    assert!(is_runaway(&run(&metrics(rising, history(7, 60.0, 1000.0)), gb(1024))));
}

#[test]
fn busy_as_always_is_never_an_offender_however_expensive() {
    // 2,000 calls/s at 1 GB and 200 ms, every hour of the last week: about $25/h.
    let per_minute = 120_000.0;
    let recent = minutes(&[(per_minute, 200.0, 400.0, 0.0); 10]);
    let j = run(&metrics(recent.clone(), history(7, per_minute * 60.0, 200.0)), gb(1024));
    match &j {
        Judgement::Normal { usd_per_hour, why } => {
            assert!(*usd_per_hour > 20.0, "{usd_per_hour}");
            assert!(why.starts_with("busy as usual: 1.0x"), "{why}");
        }
        other => panic!("{other:?}"),
    }
    // Without history it is judged on its shape: flat, so still left alone.
    assert!(!is_runaway(&run(&metrics(recent, vec![]), gb(1024))));
}

#[test]
fn a_flash_sale_ramping_then_held_is_not_a_runaway() {
    // Organic 1,000/min; ×20 over half an hour (about +10 % a minute), then held.
    let mut list: Vec<(f64, f64, f64, f64)> =
        (0..30).map(|i| (1000.0 * 20f64.powf(i as f64 / 29.0), 800.0, 50.0, 0.0)).collect();
    list.extend([(20_000.0, 800.0, 300.0, 0.0); 5]);
    let m = metrics(minutes(&list[list.len() - 10..]), history(7, 60_000.0, 800.0));
    let j = run(&m, gb(2048));
    assert!(matches!(&j, Judgement::Normal { why, .. } if why.contains("neither growing")), "{j:?}");
}

#[test]
fn pinned_at_its_reserved_ceiling_with_throttles_is_a_runaway() {
    let m = metrics(minutes(&[(9000.0, 2000.0, 300.0, 40_000.0); 4]), history(3, 48_000.0, 2000.0));
    let subject = Subject { ceiling: Some(300), ..gb(512) };
    match run(&m, subject) {
        Judgement::Runaway {
            shape: RunawayShape::Saturation { concurrency, minutes, .. },
            times_normal,
            ..
        } => {
            assert_eq!((concurrency, minutes), (300.0, 3));
            assert!((times_normal.unwrap() - 11.25).abs() < 1e-6);
        }
        other => panic!("{other:?}"),
    }
    // Below 90 % of the ceiling it is not pinned, throttles or not.
    let low = metrics(minutes(&[(9000.0, 2000.0, 200.0, 40_000.0); 4]), vec![]);
    assert!(!is_runaway(&run(&low, subject)));
}

#[test]
fn recursion_dropped_is_a_runaway_over_the_floor() {
    let mut recent = minutes(&[(3000.0, 1000.0, 50.0, 0.0); 4]);
    recent[3].recursion_dropped = Some(12.0);
    let m = metrics(recent, history(7, 3000.0 * 60.0, 1000.0));
    assert!(
        matches!(run(&m, gb(1024)), Judgement::Runaway { shape: RunawayShape::Recursion { dropped }, .. } if dropped == 12.0)
    );
    // Reported by the trigger itself (a contributor of the recursion alarm), with no datapoint.
    let quiet = metrics(minutes(&[(3000.0, 1000.0, 50.0, 0.0); 4]), vec![]);
    let subject = Subject { recursion_reported: true, ..gb(1024) };
    assert!(is_runaway(&run(&quiet, subject)));
}

#[test]
fn a_loop_lambda_reports_trips_under_the_cost_floor_but_not_under_the_recursion_floor() {
    // 300 calls/min of 800 ms at 1.5 GB: about $0.36/h, a loop Lambda cuts at 16 hops for ever.
    let cheap_loop = metrics(minutes(&[(300.0, 800.0, 5.0, 0.0); 4]), vec![]);
    let reported = Subject { recursion_reported: true, ..gb(1536) };
    assert!(is_runaway(&run(&cheap_loop, reported)), "{:?}", run(&cheap_loop, reported));
    // The same traffic without Lambda's signal needs the full cost floor.
    assert!(!is_runaway(&run(&cheap_loop, gb(1536))));
    // A retry job at 12 calls/min of 300 ms and 512 MB: Lambda drops its 17th attempt, it costs
    // cents a day, and it is left alone.
    let retry_job = metrics(minutes(&[(12.0, 300.0, 1.0, 0.0); 4]), vec![]);
    let reported = Subject { recursion_reported: true, ..gb(512) };
    assert!(
        matches!(run(&retry_job, reported), Judgement::Normal { why, .. } if why.contains("recursion floor"))
    );
}

#[test]
fn under_the_cost_floor_nothing_trips() {
    let m = metrics(
        minutes(&[
            (5.0, 10.0, 1.0, 0.0),
            (10.0, 10.0, 2.0, 0.0),
            (20.0, 10.0, 4.0, 0.0),
            (40.0, 10.0, 8.0, 0.0),
        ]),
        vec![],
    );
    assert!(
        matches!(run(&m, gb(128)), Judgement::Normal { why, .. } if why.contains("under the $1.00/h floor"))
    );
}

#[test]
fn only_published_minutes_are_priced() {
    let mut recent = minutes(&[(6000.0, 1000.0, 100.0, 0.0); 5]);
    // The last two minutes are not published yet: no datapoints at all.
    for m in &mut recent[3..] {
        *m = MinuteMetrics { start: m.start, ..MinuteMetrics::default() };
    }
    let published: Vec<&MinuteMetrics> = recent.iter().filter(|m| m.invocations.is_some()).collect();
    let usd = minutes_usd_per_hour(&published, gb(1024).profile, &Prices::default());
    let per_minute = 6000.0 * 0.2e-6 + 6000.0 * 0.000_016_666_7;
    assert!((usd - per_minute * 60.0).abs() < 1e-9, "{usd}");
}

#[test]
fn young_hours_after_the_rise_are_no_baseline() {
    // Quiet (60 calls an hour) until 2 h ago, then 10^9 an hour: the incident is in those two hours.
    let today = hours(10, |ago| (if ago <= 2 { 1e9 } else { 60.0 }, 1000.0, None));
    let m = metrics(
        minutes(&[
            (500.0, 1000.0, 10.0, 0.0),
            (1000.0, 1000.0, 20.0, 0.0),
            (2000.0, 1000.0, 40.0, 0.0),
            (4000.0, 1000.0, 80.0, 0.0),
        ]),
        today,
    );
    // At 5 GB it spends over 10x the floor, which growth needs while its history is this young.
    match run(&m, gb(5120)) {
        Judgement::Runaway { times_normal: Some(times), .. } => assert!((times - 7000.0 / 3.0).abs() < 1e-6),
        other => panic!("{other:?}"),
    }
}

#[test]
fn growth_may_end_one_minute_early_and_concurrency_counts() {
    // The newest minute is still filling in (fewer invocations); concurrency leads for long calls.
    let m = metrics(
        minutes(&[
            (100.0, 60_000.0, 50.0, 0.0),
            (100.0, 60_000.0, 100.0, 0.0),
            (100.0, 60_000.0, 200.0, 0.0),
            (100.0, 60_000.0, 400.0, 0.0),
            (30.0, 60_000.0, 10.0, 0.0),
        ]),
        vec![],
    );
    assert!(matches!(
        run(&m, gb(4096)),
        Judgement::Runaway { shape: RunawayShape::Growth { series: "concurrency", .. }, .. }
    ));
}

proptest! {
    /// However expensive and however shaped, a function running under `surge_factor` times its
    /// usual rate at this time of day is never a runaway.
    #[test]
    fn under_the_surge_factor_never_trips(
        usual in 10.0f64..1e6,
        shape in proptest::collection::vec(0.01f64..9.9, 4..10),
        ms in 1.0f64..900_000.0,
        memory in 128u32..10_240,
        throttles in 0.0f64..1e6,
    ) {
        let list: Vec<_> = shape.iter().map(|k| (usual * k, ms, 1000.0, throttles)).collect();
        let m = metrics(minutes(&list), history(7, usual * 60.0, ms));
        let subject = Subject { ceiling: Some(1000), ..gb(memory) };
        prop_assert!(!is_runaway(&run(&m, subject)));
    }

    /// Whatever the history, a function under the recursion floor is never a runaway, even with
    /// dropped recursive invocations (a cheap job Lambda already cuts at 16 hops).
    #[test]
    fn under_the_floor_never_trips(calls in proptest::collection::vec(0.0f64..2000.0, 1..10), dropped in 0.0f64..100.0) {
        let list: Vec<_> = calls.iter().map(|&c| (c, 10.0, 5.0, 1.0)).collect();
        let mut recent = minutes(&list);
        recent[0].recursion_dropped = Some(dropped);
        let m = metrics(recent, vec![]);
        prop_assert!(!is_runaway(&run(&m, gb(128))));
    }
}

#[test]
fn size_alone_never_trips_a_launch_that_steps_and_holds() {
    // A 10 GB function called 0.1/s every day, now 40/s and flat below every ceiling: 400x its
    // usual rate and cost. At 300 ms a call ($2/h) a step that holds is what a launch looks like.
    let m = metrics(minutes(&[(2400.0, 30_000.0, 1000.0, 0.0); 5]), history(7, 360.0, 30_000.0));
    let unreserved = Subject { account_unreserved: Some(2000), ..gb(10_240) };
    let cheap = metrics(minutes(&[(2400.0, 300.0, 12.0, 0.0); 5]), history(7, 360.0, 300.0));
    match run(&cheap, unreserved) {
        Judgement::Normal { why, .. } => assert!(why.contains("a launch steps up and holds"), "{why}"),
        other => panic!("{other:?}"),
    }
    // Spending $1,000s an hour at 400x its usual cost is cost evidence, held or not.
    match run(&m, unreserved) {
        Judgement::Runaway { shape: shape @ RunawayShape::Surge { .. }, .. } => {
            assert!(shape.to_string().contains("over $100/h"), "{shape}")
        }
        other => panic!("{other:?}"),
    }
    // Held at the account's unreserved concurrency with throttles, the same step is a runaway,
    // and the evidence names the ceiling.
    let pinned = metrics(minutes(&[(2400.0, 30_000.0, 1000.0, 50.0); 5]), history(7, 360.0, 30_000.0));
    match run(&pinned, Subject { account_unreserved: Some(1000), ..gb(10_240) }) {
        Judgement::Runaway { shape: shape @ RunawayShape::Saturation { .. }, .. } => {
            assert!(shape.to_string().contains("the account's unreserved concurrency 1000"), "{shape}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_stream_loop_flat_at_its_mapping_ceiling_is_a_runaway_without_throttles() {
    // 4 shards x parallelization 10: flat at 40, no throttles (a poller never throttles), 40x usual.
    let stream = MappingCeiling::Stream { parallelization_factor: 10, shards: None };
    let loop_minutes = minutes(&[(12_000.0, 200.0, 40.0, 0.0); 5]);
    let subject = Subject { mapping: Some(stream), account_unreserved: Some(900), ..gb(2048) };
    let m = metrics(loop_minutes.clone(), history(7, 18_000.0, 200.0));
    match run(&m, subject) {
        Judgement::Runaway { shape: shape @ RunawayShape::Saturation { .. }, times_normal, .. } => {
            assert!(shape.to_string().contains("parallelization 10"), "{shape}");
            assert!((times_normal.unwrap() - 40.0).abs() < 1e-9);
        }
        other => panic!("{other:?}"),
    }
    // A known ceiling needs 90 % of it: 40 of 4 x 10 is pinned, of 8 x 10 it is not.
    let known = |shards| Subject {
        mapping: Some(MappingCeiling::Stream { parallelization_factor: 10, shards: Some(shards) }),
        ..subject
    };
    assert!(is_runaway(&run(&m, known(4))));
    assert!(!is_runaway(&run(&m, known(8))));
    // The same flat top on a function with no mapping is a launch.
    assert!(!is_runaway(&run(&m, Subject { mapping: None, ..subject })));
}

#[test]
fn a_ceiling_it_usually_sits_at_is_its_normal_state() {
    // A partner API's limit: reserved 50, pinned with throttles at this hour every day.
    let mut usual = history(7, 18_000.0, 1000.0);
    usual.iter_mut().for_each(|h| h.concurrency_max = Some(50.0));
    let pinned = minutes(&[(3000.0, 1000.0, 50.0, 500.0); 5]);
    let subject = Subject { ceiling: Some(50), ..gb(4096) };
    let j = run(&metrics(pinned.clone(), usual.clone()), subject);
    assert!(matches!(&j, Judgement::Normal { why, .. } if why.starts_with("busy as usual: 1.0x")), "{j:?}");
    // The rule itself: a usual peak at the ceiling makes being there no evidence.
    let published: Vec<&MinuteMetrics> = pinned.iter().collect();
    let at = |concurrency| Usual {
        per_minute: 1.0,
        usd_per_hour: 0.0,
        concurrency: Some(concurrency),
        concurrency_ever: Some(concurrency),
        ms_per_call: 1000.0,
        basis: Basis::TimeOfDay,
    };
    assert!(saturation(&published, &subject, Some(at(50.0)), &thresholds()).is_none());
    assert!(matches!(saturation(&published, &subject, Some(at(5.0)), &thresholds()), Some(Ok(_))));
    // Usually at a tenth of it: being pinned there at 10x is a runaway.
    usual.iter_mut().for_each(|h| (h.concurrency_max, h.invocations) = (Some(5.0), 1800.0));
    assert!(is_runaway(&run(&metrics(pinned, usual), subject)));
}

#[test]
fn slow_compounding_growth_is_a_runaway_and_an_organic_ramp_is_not() {
    // x1.3 a minute (a loop adding 30 % a hop, each hop a minute long): five rises make x3.7.
    let slow: Vec<_> =
        (0..7).map(|i| (100.0 * 1.3f64.powi(i), 60_000.0, 100.0 * 1.3f64.powi(i), 0.0)).collect();
    let m = metrics(minutes(&slow), history(7, 600.0, 60_000.0));
    match run(&m, gb(2048)) {
        Judgement::Runaway { shape: RunawayShape::Growth { minutes, .. }, .. } => {
            assert_eq!(minutes.len(), 7)
        }
        other => panic!("{other:?}"),
    }
    // Four rises of x1.3 (x2.9) are not enough yet.
    let m = metrics(minutes(&slow[..5]), history(7, 600.0, 60_000.0));
    assert!(!is_runaway(&run(&m, gb(2048))));
    // +10 % a minute for ten minutes (x2.4) is an organic ramp, whatever its size.
    let ramp: Vec<_> = (0..10).map(|i| (1000.0 * 1.1f64.powi(i), 60_000.0, 1000.0, 0.0)).collect();
    let m = metrics(minutes(&ramp), history(7, 600.0, 60_000.0));
    let j = run(&m, gb(128));
    assert!(!matches!(j, Judgement::Runaway { shape: RunawayShape::Growth { .. }, .. }), "{j:?}");
}

/// `minutes` with every call synchronous (no async events published) and `failing` of each
/// minute's calls ending in errors.
fn synchronous(mut list: Vec<MinuteMetrics>, failing: f64) -> Vec<MinuteMetrics> {
    for m in &mut list {
        m.errors = m.invocations.map(|n| (n * failing).round());
    }
    list
}

#[test]
fn a_synchronous_launch_past_its_reservation_is_not_a_synchronous_recursion() {
    // A 3 GB API held at reserved 50 with callers refused: 12,000 calls a minute of 250 ms where
    // it usually serves 300 (about $4.50/h, 40x its usual minute).
    let subject = Subject { ceiling: Some(50), ..gb(3008) };
    let usual = history(7, 18_000.0, 250.0);
    let pinned = minutes(&[(12_000.0, 250.0, 50.0, 12_000.0); 4]);
    // Serving its calls at its usual time and error share: a launch, and the why says so.
    let launch = run(&metrics(synchronous(pinned.clone(), 0.01), usual.clone()), subject);
    match &launch {
        Judgement::Normal { why, .. } => {
            assert!(why.contains("every call is synchronous and 1% of its calls failed"), "{why}")
        }
        other => panic!("{other:?}"),
    }
    let flawless = run(&metrics(synchronous(pinned.clone(), 0.0), usual.clone()), subject);
    assert!(
        matches!(&flawless, Judgement::Normal { why, .. } if why.contains("synchronous and 0% of")),
        "{flawless:?}"
    );
    // A recursion's chains end in a refused call that every waiting caller re-raises.
    match run(&metrics(synchronous(pinned.clone(), 0.97), usual.clone()), subject) {
        Judgement::Runaway {
            shape: shape @ RunawayShape::Saturation { synchronous: Some(_), .. }, ..
        } => {
            assert!(shape.to_string().contains("97% of its calls failed"), "{shape}")
        }
        other => panic!("{other:?}"),
    }
    // One that catches the refusal still waits on the calls it made: each call lasts longer.
    let waiting = minutes(&[(3_000.0, 1_000.0, 50.0, 3_000.0); 4]);
    match run(&metrics(synchronous(waiting.clone(), 0.0), usual.clone()), subject) {
        Judgement::Runaway { shape, .. } => {
            assert!(shape.to_string().contains("4.0x their usual time"), "{shape}")
        }
        other => panic!("{other:?}"),
    }
    // Without history, its errors alone decide.
    assert!(!is_runaway(&run(&metrics(synchronous(waiting.clone(), 0.0), vec![]), subject)));
    assert!(is_runaway(&run(&metrics(synchronous(waiting, 0.9), vec![]), subject)));
    // Async events, an unpublished Errors series or a mapping leave the pin as evidence.
    let mut with_async = synchronous(pinned.clone(), 0.01);
    with_async[1].async_events = Some(5.0);
    assert!(is_runaway(&run(&metrics(with_async, usual.clone()), subject)));
    assert!(is_runaway(&run(&metrics(pinned.clone(), usual.clone()), subject)));
    let polled = Subject { mapping: Some(MappingCeiling::Sqs { maximum_concurrency: None }), ..subject };
    assert!(is_runaway(&run(&metrics(synchronous(pinned, 0.01), usual), polled)));
}

#[test]
fn a_consumer_held_at_its_mapping_maximum_before_is_not_pinned_by_a_loop_there() {
    // A 2 GB, 3 s consumer whose SQS mapping allows 50 at once; quiet but for a nightly batch it
    // drains at that maximum from 02:00. Now, at 14:30, a re-run holds it at 50 again ($6/h).
    let subject =
        Subject { mapping: Some(MappingCeiling::Sqs { maximum_concurrency: Some(50) }), ..gb(2048) };
    let nights = |drained: bool| {
        hours(7 * 24, |ago| {
            let at_two = (NOW / 3600 - ago) % 24 == 2;
            if drained && at_two { (60_000.0, 3000.0, Some(50.0)) } else { (60.0, 3000.0, Some(1.0)) }
        })
    };
    let pinned = minutes(&[(1_000.0, 3000.0, 50.0, 0.0); 4]);
    match run(&metrics(pinned.clone(), nights(true)), subject) {
        Judgement::Normal { why, .. } => {
            assert!(why.contains("a ceiling it has been held at before"), "{why}")
        }
        other => panic!("{other:?}"),
    }
    // A consumer that has never reached its maximum is pinned there by something new.
    assert!(is_runaway(&run(&metrics(pinned, nights(false)), subject)));
}

#[test]
fn slow_failing_calls_under_the_surge_factor_never_trip_a_synchronous_pin() {
    // Usually 4 calls a second of 500 ms at 1 GB; reserved 100. Pinned with 5.8x the calls at 46x
    // the cost, nearly all failing: a synchronous recursion waiting on itself looks like this, and
    // so does a caller of a public API sending it slow, failing requests. Calls under the surge
    // factor are busy as usual, so no caller can have the function stopped with fewer than
    // `surge_factor` times its usual calls.
    let subject = Subject { ceiling: Some(100), ..gb(1024) };
    let usual = history(7, 14_400.0, 500.0);
    let flood = synchronous(minutes(&[(1_390.0, 4_000.0, 100.0, 240.0); 4]), 0.99);
    let j = run(&metrics(flood.clone(), usual.clone()), subject);
    assert!(matches!(&j, Judgement::Normal { why, .. } if why.starts_with("busy as usual")), "{j:?}");
    // A database 20x slower behind its usual callers: as costly, no more calls than usual.
    let slow = synchronous(minutes(&[(240.0, 10_000.0, 100.0, 300.0); 4]), 0.6);
    let j = run(&metrics(slow, usual.clone()), subject);
    assert!(matches!(&j, Judgement::Normal { why, .. } if why.starts_with("busy as usual")), "{j:?}");
    // At the surge factor in calls and cost, the same failing pin is a synchronous recursion.
    let surge = synchronous(minutes(&[(2_400.0, 4_000.0, 100.0, 240.0); 4]), 0.99);
    match run(&metrics(surge, usual), subject) {
        Judgement::Runaway {
            shape: shape @ RunawayShape::Saturation { synchronous: Some(_), .. }, ..
        } => assert!(shape.to_string().contains("99% of its calls failed"), "{shape}"),
        other => panic!("{other:?}"),
    }
}

/// The judged minutes' queue counts: `(sent, deleted)` per minute of `recent`, for one queue.
fn flow(recent: &[MinuteMetrics], counts: &[(f64, f64)]) -> Vec<crate::ports::QueueFlow> {
    let minutes = recent
        .iter()
        .zip(counts)
        .map(|(m, &(sent, deleted))| crate::ports::QueueMinute {
            start: m.start,
            sent: Some(sent),
            deleted: Some(deleted),
        })
        .collect();
    vec![crate::ports::QueueFlow { queue: crate::name::QueueName::new("jobs").unwrap(), minutes }]
}

#[test]
fn a_consumer_draining_a_backlog_at_its_mapping_maximum_is_not_a_loop() {
    // A 3 GB, 1 s consumer whose SQS mapping allows 10 at once, quiet for a week; a DLQ redrive
    // (or a backfill sent at once) holds it at 10 (about $1.8/h). Its queue now receives its usual
    // trickle while it deletes 6,000 messages a minute: it works off what was sent before.
    let subject =
        Subject { mapping: Some(MappingCeiling::Sqs { maximum_concurrency: Some(10) }), ..gb(3072) };
    let pinned = minutes(&[(600.0, 1000.0, 10.0, 0.0); 4]);
    let judged = run(&metrics(pinned.clone(), history(7, 1_800.0, 1000.0)), subject);
    let Judgement::Runaway { shape, .. } = judged else { panic!("{judged:?}") };
    let t = thresholds();
    let drain = flow(&pinned, &[(30.0, 6_000.0); 4]);
    let why = draining(&pinned, &shape, &drain, &t).expect("a drain");
    assert!(why.contains("draining a backlog") && why.contains("its queue jobs"), "{why}");
    // A redrive lands in one minute of the judged ones: judged again once it is behind.
    let burst = flow(&pinned, &[(30.0, 600.0), (200_000.0, 6_000.0), (30.0, 6_000.0), (30.0, 6_000.0)]);
    let why = draining(&pinned, &shape, &burst, &t).expect("a burst");
    assert!(why.contains("draining a burst") && why.contains("judged again"), "{why}");
    // A loop through the queue receives at least what it deletes: two new messages for each.
    assert_eq!(draining(&pinned, &shape, &flow(&pinned, &[(12_000.0, 6_000.0); 4]), &t), None);
    // SQS a minute behind Lambda: the minutes its counts cover still show the drain; one alone
    // is too few.
    assert!(draining(&pinned, &shape, &flow(&pinned, &[(30.0, 6_000.0); 3]), &t).is_some());
    let lagging = flow(&pinned[..2], &[(30.0, 6_000.0); 2]);
    assert_eq!(draining(&pinned, &shape, &lagging, &t), None, "one judged minute covered");
    // Async events besides the queue: no relief.
    let mut with_async = pinned.clone();
    with_async[3].async_events = Some(5.0);
    assert_eq!(draining(&with_async, &shape, &drain, &t), None);
    // More invocations than messages deleted: something besides the queue invokes it.
    assert_eq!(draining(&pinned, &shape, &flow(&pinned, &[(30.0, 400.0); 4]), &t), None);
    // Lambda's own loop detection and the cost evidence are never relieved.
    let recursion = RunawayShape::Recursion { dropped: 10.0 };
    assert_eq!(draining(&pinned, &recursion, &drain, &t), None);
}

proptest! {
    /// The relief never spares a loop through its queue: when the queue receives at least as
    /// many messages as are deleted in every minute, the runaway's shape stands.
    #[test]
    fn a_queue_that_receives_what_it_deletes_is_never_a_drain(
        counts in proptest::collection::vec((0.0..1e6_f64, 0.0..1e6_f64), 4),
        growing in any::<bool>(),
    ) {
        let pinned = minutes(&[(600.0, 1000.0, 10.0, 0.0); 4]);
        let shape = if growing {
            RunawayShape::Growth { minutes: vec![1.0, 2.0, 4.0, 8.0], series: "invocations" }
        } else {
            RunawayShape::Saturation {
                concurrency: 10.0, throttles: 0.0, minutes: 3, against: "x".into(), synchronous: None,
            }
        };
        let looping = counts.iter().all(|&(sent, deleted)| sent >= deleted);
        let relieved = draining(&pinned, &shape, &flow(&pinned, &counts), &thresholds()).is_some();
        prop_assert!(!(relieved && looping));
    }
}
