//! Metric-driven candidates through the handler against in-memory ports: a contributor that runs
//! away is throttled, one as busy as always is left alone, an OK contributor does nothing, a failed
//! read alerts, the sweep re-judges contributors in ALARM, and the offender search prices by cost.

use crate::config::Config;
use crate::fake::{FakeAccount, Op};
use crate::handler::Guard;
use crate::name::FunctionName;
use crate::ports::{AlarmContributor, FunctionMetrics, HourMetrics, MinuteMetrics, UsageSample};
use crate::report::{Outcome, Report};
use crate::signal::{AlarmState, ContributorMetric, ContributorSignal, MuteDetail, Signal, SweepSignal};
use crate::time::Timestamp;

/// 2026-12-01 14:30 UTC.
pub(super) const NOW: u64 = 1_796_135_400;

pub(super) fn name(s: &str) -> FunctionName {
    FunctionName::new(s).unwrap()
}

pub(super) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

/// Consecutive minutes ending before `NOW`'s minute: `(invocations, ms per call)`.
pub(super) fn minutes(list: &[(f64, f64)]) -> Vec<MinuteMetrics> {
    let first = NOW / 60 * 60 - 60 * list.len() as u64;
    list.iter()
        .enumerate()
        .map(|(i, &(n, ms))| MinuteMetrics {
            start: Timestamp::from_secs(first + 60 * i as u64),
            invocations: Some(n),
            duration_ms: Some(n * ms),
            concurrency_max: Some(10.0),
            throttles: Some(0.0),
            recursion_dropped: None,
            ..MinuteMetrics::default()
        })
        .collect()
}

pub(super) fn week(per_hour: f64, ms: f64) -> Vec<HourMetrics> {
    let end = NOW / 3600 * 3600;
    (1..=7 * 24)
        .rev()
        .map(|h| HourMetrics {
            start: Timestamp::from_secs(end - h * 3600),
            invocations: per_hour,
            duration_ms: per_hour * ms,
            concurrency_max: None,
        })
        .collect()
}

pub(super) fn series(
    function: &str,
    recent: Vec<MinuteMetrics>,
    history: Vec<HourMetrics>,
) -> FunctionMetrics {
    FunctionMetrics { function: name(function), recent, history }
}

pub(super) fn doubling() -> Vec<MinuteMetrics> {
    minutes(&[(1000.0, 1000.0), (2000.0, 1000.0), (4000.0, 1000.0), (8000.0, 1000.0)])
}

pub(super) fn contributor(function: &str, state: AlarmState) -> Signal {
    Signal::Contributor(Box::new(ContributorSignal {
        alarm_name: "per-function-invocations".into(),
        alarm_arn: None,
        contributor_id: "6d442278dba546f6".into(),
        function: Some(name(function)),
        state,
        metric: ContributorMetric::Other("SELECT SUM(Invocations) ...".into()),
        expression: None,
        reason: None,
        at: None,
        account: None,
        region: None,
        mute: Some(MuteDetail {
            summary: "muted by arn:aws:cloudwatch:us-east-1:111122223333:alarm-mute-rule:m".into(),
        }),
    }))
}

pub(super) fn run(account: &FakeAccount, config: Config, signals: &[Signal]) -> Report {
    let guard = Guard::new(config, account.clone(), account.clone(), account.clone());
    block_on(guard.handle_signals(signals, Timestamp::from_secs(NOW)))
}

pub(super) fn outcomes(report: &Report) -> Vec<(String, Outcome, String)> {
    report.decisions.iter().map(|d| (d.function.to_string(), d.outcome, d.rule.to_string())).collect()
}

#[test]
fn a_contributor_that_runs_away_is_throttled_and_its_mute_rule_reported() {
    let account = FakeAccount::default().with_function("orders", None).with_metrics(series(
        "orders",
        doubling(),
        vec![],
    ));
    // No history: growth trips once it spends 10x the cost floor ($23/h at 5 GB).
    account.edit("orders", |s| s.memory_mb = 5120);
    let report = run(&account, Config::default(), &[contributor("orders", AlarmState::Alarm)]);
    assert_eq!(outcomes(&report), [("orders".into(), Outcome::Throttled, "runaway".into())]);
    assert_eq!(account.function("orders").reserved_concurrency, Some(0));
    let notes = report.notes.join("\n");
    assert!(notes.contains("alarm-mute-rule:m"), "{notes}");
    assert_eq!(account.metric_reads(), [vec![name("orders")]]);
    let alert = &account.alerts()[0];
    assert!(alert.body.contains("runaway") && alert.body.contains("rising"), "{}", alert.body);
}

#[test]
fn a_contributor_as_busy_as_always_is_left_alone() {
    let recent = minutes(&[(120_000.0, 200.0); 10]);
    let account = FakeAccount::default().with_function("checkout", None).with_metrics(series(
        "checkout",
        recent,
        week(7_200_000.0, 200.0),
    ));
    account.edit("checkout", |s| s.memory_mb = 1024);
    let report = run(&account, Config::default(), &[contributor("checkout", AlarmState::Alarm)]);
    assert!(report.decisions.is_empty(), "{report:?}");
    assert_eq!(account.function("checkout").reserved_concurrency, None);
    assert!(
        report.notes.iter().any(|n| n.contains("left checkout alone") && n.contains("busy as usual")),
        "{:?}",
        report.notes
    );
    assert!(account.alerts().is_empty());
}

#[test]
fn an_ok_contributor_does_nothing_and_reads_nothing() {
    let account = FakeAccount::default().with_function("orders", Some(0)).with_metrics(series(
        "orders",
        doubling(),
        vec![],
    ));
    let report = run(&account, Config::default(), &[contributor("orders", AlarmState::Ok)]);
    assert!(report.decisions.is_empty());
    assert!(account.metric_reads().is_empty());
    assert_eq!(account.function("orders").reserved_concurrency, Some(0), "OK restores nothing");
}

#[test]
fn an_unreadable_cloudwatch_alerts_and_throttles_nothing() {
    let account = FakeAccount::default().with_function("orders", None).with_metrics(series(
        "orders",
        doubling(),
        vec![],
    ));
    account.fail(Op::ReadMetrics, 1, true);
    let report = run(&account, Config::default(), &[contributor("orders", AlarmState::Alarm)]);
    assert!(report.decisions.is_empty());
    assert!(report.notes.iter().any(|n| n.contains("could not read CloudWatch")), "{:?}", report.notes);
    let alerts = account.alerts();
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].subject.starts_with("UNJUDGED orders"), "{}", alerts[0].subject);
}

#[test]
fn the_sweep_rejudges_contributors_still_in_alarm() {
    let in_alarm = AlarmContributor {
        id: "c1".into(),
        function: Some(name("busy-api")),
        function_arn: None,
        attributes: vec![("FunctionName".into(), "busy-api".into())],
        reason: None,
        since: None,
    };
    let account = FakeAccount::default()
        .with_function("busy-api", None)
        .with_metrics(series("busy-api", doubling(), vec![]))
        .with_contributors("per-function-invocations", vec![in_alarm]);
    account.edit("busy-api", |s| s.memory_mb = 5120);
    let mut config = Config::default();
    config.baseline.contributor_alarms = vec!["per-function-invocations".into()];
    let report = run(&account, config, &[Signal::Sweep(SweepSignal { at: None, account: None })]);
    assert_eq!(outcomes(&report), [("busy-api".into(), Outcome::Throttled, "runaway".into())]);
    assert!(report.decisions[0].reason.contains("still in ALARM"), "{}", report.decisions[0].reason);
}

#[test]
fn the_sweep_leaves_a_contributor_named_by_a_function_arn_elsewhere() {
    let elsewhere = "arn:aws:lambda:eu-west-1:111122223333:function:busy-api";
    let (function, function_arn) = FunctionName::from_name_or_arn(elsewhere).unwrap();
    let in_alarm = AlarmContributor {
        id: "c1".into(),
        function: Some(function),
        function_arn,
        attributes: vec![("FunctionName".into(), elsewhere.into())],
        reason: None,
        since: None,
    };
    let account = FakeAccount::default()
        .with_function("busy-api", None)
        .with_metrics(series("busy-api", doubling(), vec![]))
        .with_contributors("per-function-invocations", vec![in_alarm]);
    let mut config = Config::default();
    config.baseline.contributor_alarms = vec!["per-function-invocations".into()];
    let guard = Guard::new(config, account.clone(), account.clone(), account.clone())
        .with_location(Some("111122223333".into()), Some("us-east-1".into()));
    let report = block_on(guard.handle_signals(
        &[Signal::Sweep(SweepSignal { at: None, account: None })],
        Timestamp::from_secs(NOW),
    ));
    assert!(report.decisions.iter().all(|d| d.outcome != Outcome::Throttled), "{:?}", outcomes(&report));
}

pub(super) fn usage(function: &str, invocations: f64, ms: f64) -> UsageSample {
    UsageSample { function: name(function), invocations, duration_ms_sum: invocations * ms, window_secs: 180 }
}

#[test]
fn the_search_prices_an_expensive_function_behind_busy_cheap_ones() {
    // 20 busy 20 ms APIs at 128 MB, and one 10 GB function running 60 s per call.
    let mut samples: Vec<UsageSample> =
        (0..20).map(|i| usage(&format!("api-{i:02}"), 360_000.0, 20.0)).collect();
    samples.push(usage("renderer", 60.0, 60_000.0));
    let mut account = FakeAccount::default().with_usage(samples);
    for i in 0..20 {
        account = account.with_function(&format!("api-{i:02}"), None);
    }
    let renderer = minutes(&[(5.0, 60_000.0), (10.0, 60_000.0), (20.0, 60_000.0), (40.0, 60_000.0)]);
    account = account.with_function("renderer", None).with_metrics(series("renderer", renderer, vec![]));
    account.edit("renderer", |s| s.memory_mb = 10_240);
    let report = run(&account, Config::default(), &[Signal::Alarm(Box::new(account_alarm()))]);
    assert_eq!(
        outcomes(&report),
        [("renderer".into(), Outcome::Throttled, "runaway".into())],
        "{:?}",
        report.notes
    );
    assert_eq!(account.metric_reads(), [vec![name("renderer")]], "only what is over the limit is judged");
}

#[test]
fn an_exempt_function_takes_no_slot_and_the_summary_is_still_sent() {
    let account = FakeAccount::default()
        .with_usage(vec![usage("exempt-batch", 600.0, 60_000.0), usage("quiet", 10.0, 100.0)])
        .with_function("exempt-batch", None)
        .with_function("quiet", None);
    account.edit("exempt-batch", |s| {
        s.exempt_tag = true;
        s.memory_mb = 10_240;
    });
    let config = Config { max_trips_per_hour: 1, ..Config::default() };
    let report = run(&account, config, &[Signal::Alarm(Box::new(account_alarm()))]);
    assert!(report.decisions.is_empty(), "{report:?}");
    let alerts = account.alerts();
    assert_eq!(alerts.len(), 1, "summary alert sent");
    assert!(
        alerts[0].body.contains("quiet") && !alerts[0].body.contains("exempt-batch"),
        "{}",
        alerts[0].body
    );
}

pub(super) fn account_alarm() -> crate::signal::AlarmSignal {
    crate::signal::AlarmSignal {
        alarm_name: "account-concurrency".into(),
        alarm_arn: None,
        state: AlarmState::Alarm,
        metrics: vec![crate::signal::AlarmMetric {
            namespace: "AWS/Lambda".into(),
            name: "ConcurrentExecutions".into(),
        }],
        functions: Vec::new(),
        reason: None,
        at: None,
        account: None,
        region: None,
        transport: crate::signal::AlarmTransport::EventBridge,
    }
}

/// The renderer scenario of the search test: one expensive function running away behind cheap ones.
fn renderer_account() -> FakeAccount {
    let renderer = minutes(&[(5.0, 60_000.0), (10.0, 60_000.0), (20.0, 60_000.0), (40.0, 60_000.0)]);
    let account = FakeAccount::default()
        .with_usage(vec![usage("renderer", 60.0, 60_000.0), usage("quiet", 10.0, 100.0)])
        .with_function("renderer", None)
        .with_function("quiet", None)
        .with_metrics(series("renderer", renderer, vec![]));
    account.edit("renderer", |s| s.memory_mb = 10_240);
    account
}

#[test]
fn an_account_alarm_that_stops_nothing_new_says_seen_once_per_period() {
    let account = renderer_account();
    let guard = Guard::new(Config::default(), account.clone(), account.clone(), account.clone());
    let alarm = [Signal::Alarm(Box::new(account_alarm()))];
    let at = |secs: u64| Timestamp::from_secs(NOW + secs);
    let first = block_on(guard.handle_signals(&alarm, at(0)));
    assert_eq!(outcomes(&first), [("renderer".into(), Outcome::Throttled, "runaway".into())]);
    let subjects =
        |account: &FakeAccount| account.alerts().iter().map(|a| a.subject.clone()).collect::<Vec<_>>();
    assert_eq!(subjects(&account).len(), 1, "the trip alert");
    let again = block_on(guard.handle_signals(&alarm, at(120)));
    assert!(again.decisions.iter().all(|d| d.outcome == Outcome::AlreadyTripped), "{again:?}");
    let said = subjects(&account);
    assert_eq!(said.len(), 2, "{said:?}");
    assert_eq!(said[1], "SEEN alarm account-concurrency: nothing new to stop");
    assert!(account.alerts()[1].body.contains("Already throttled or exempt: renderer\n"));
    block_on(guard.handle_signals(&alarm, at(240)));
    assert_eq!(subjects(&account).len(), 2, "once per period");
    block_on(guard.handle_signals(&alarm, at(240 + 15 * 60)));
    assert_eq!(subjects(&account).len(), 3, "the next period says it again");
}

#[test]
fn a_muted_alarm_is_named_in_the_page_too() {
    let account = FakeAccount::default().with_function("orders", None).with_metrics(series(
        "orders",
        doubling(),
        vec![],
    ));
    account.edit("orders", |s| s.memory_mb = 5120);
    let report = run(&account, Config::default(), &[contributor("orders", AlarmState::Alarm)]);
    assert_eq!(outcomes(&report), [("orders".into(), Outcome::Throttled, "runaway".into())], "{report:?}");
    let alerts = account.alerts();
    assert!(alerts[0].body.contains("its alarm actions muted by arn:aws:cloudwatch:"), "{}", alerts[0].body);
}

#[test]
fn the_sweep_rejudges_a_recursion_alarms_contributors_with_the_recursion_floor() {
    let in_alarm = AlarmContributor {
        id: "c1".into(),
        function: Some(name("looper")),
        function_arn: None,
        attributes: vec![("FunctionName".into(), "looper".into())],
        reason: None,
        since: None,
    };
    // About $0.55/h: over the $0.10/h recursion floor, under the $1.00/h cost floor; the recent
    // minutes show no drop (the alarm's own period saw them).
    let account = FakeAccount::default()
        .with_function("looper", None)
        .with_metrics(series("looper", minutes(&[(4000.0, 1000.0); 10]), vec![]))
        .with_contributors("per-function-recursion", vec![in_alarm])
        .with_recursion_alarm("per-function-recursion");
    let mut config = Config::default();
    config.baseline.contributor_alarms = vec!["per-function-recursion".into()];
    config.sweep_offender_search = false;
    let report = run(&account, config, &[Signal::Sweep(SweepSignal { at: None, account: None })]);
    assert_eq!(
        outcomes(&report),
        [("looper".into(), Outcome::Throttled, "runaway".into())],
        "{:?}",
        report.notes
    );
}

/// `payments`, 3 GB, fed by the SQS queue `payments-jobs`, four minutes doubling to 80x its usual
/// minute; its queue received `sent` and deleted 20,000 messages in each of them.
fn draining_consumer(sent: f64) -> FakeAccount {
    use crate::ports::{QueueFlow, QueueMinute};
    let recent = doubling();
    let flow = QueueFlow {
        queue: crate::name::QueueName::new("payments-jobs").unwrap(),
        minutes: recent
            .iter()
            .map(|m| QueueMinute { start: m.start, sent: Some(sent), deleted: Some(20_000.0) })
            .collect(),
    };
    let account = FakeAccount::default()
        .with_function("payments", None)
        .with_mapping(
            "payments",
            "a1b2c3d4-0000-4000-8000-000000000001",
            "arn:aws:sqs:us-east-1:111122223333:payments-jobs",
            true,
        )
        .with_metrics(series("payments", recent, week(6_000.0, 1000.0)))
        .with_queue_flow(flow);
    account.edit("payments", |s| s.memory_mb = 3072);
    account
}

#[test]
fn a_consumer_draining_its_queue_is_left_alone_and_one_looping_through_it_is_throttled() {
    let drain = draining_consumer(30.0);
    let report = run(&drain, Config::default(), &[contributor("payments", AlarmState::Alarm)]);
    assert!(report.decisions.is_empty(), "{report:?}");
    assert!(
        report.notes.iter().any(|n| n.contains("left payments alone") && n.contains("draining a backlog")),
        "{:?}",
        report.notes
    );
    let looping = draining_consumer(40_000.0);
    let report = run(&looping, Config::default(), &[contributor("payments", AlarmState::Alarm)]);
    assert_eq!(outcomes(&report), [("payments".into(), Outcome::Throttled, "runaway".into())]);
}

#[test]
fn unreadable_queue_counts_spare_nothing_and_are_reported() {
    let account = draining_consumer(30.0);
    account.fail(Op::ReadQueueCounts, 1, false);
    let report = run(&account, Config::default(), &[contributor("payments", AlarmState::Alarm)]);
    assert_eq!(outcomes(&report), [("payments".into(), Outcome::Throttled, "runaway".into())]);
    assert!(report.notes.iter().any(|n| n.contains("queue counts unreadable")), "{:?}", report.notes);
}

/// `orders-worker`, 3 GB, fed by a DynamoDB stream: five flat minutes at 10 environments, 200x its
/// usual minute, $60/h (under the cost evidence's $100/h).
fn stream_consumer() -> FakeAccount {
    let flat = minutes(&[(20_000.0, 1000.0); 5]);
    let account = FakeAccount::default()
        .with_function("orders-worker", None)
        .with_mapping("orders-worker", "a1b2c3d4-0000-4000-8000-000000000002", ORDERS_STREAM, true)
        .with_metrics(series("orders-worker", flat, week(6_000.0, 1000.0)));
    account.edit("orders-worker", |s| s.memory_mb = 3072);
    account
}

const ORDERS_STREAM: &str =
    "arn:aws:dynamodb:us-east-1:111122223333:table/orders/stream/2024-01-01T00:00:00.000";

#[test]
fn a_stream_consumer_flat_below_its_read_shard_ceiling_is_left_alone() {
    // 40 shards x parallelization 1: a flat 10 is a step below the ceiling, not a pin.
    let read = stream_consumer().with_stream_shards(ORDERS_STREAM, 40);
    let report = run(&read, Config::default(), &[contributor("orders-worker", AlarmState::Alarm)]);
    assert!(report.decisions.is_empty(), "{report:?}");
    assert!(!report.notes.iter().any(|n| n.contains("shard count")), "{:?}", report.notes);
    // 10 shards: the same flat 10 is the ceiling.
    let pinned = stream_consumer().with_stream_shards(ORDERS_STREAM, 10);
    let report = run(&pinned, Config::default(), &[contributor("orders-worker", AlarmState::Alarm)]);
    assert_eq!(outcomes(&report), [("orders-worker".into(), Outcome::Throttled, "runaway".into())]);
}

#[test]
fn an_unread_shard_count_falls_back_to_the_flat_top_and_is_reported() {
    let report =
        run(&stream_consumer(), Config::default(), &[contributor("orders-worker", AlarmState::Alarm)]);
    assert_eq!(outcomes(&report), [("orders-worker".into(), Outcome::Throttled, "runaway".into())]);
    assert!(
        report.notes.iter().any(|n| n.contains("shard count of orders-worker's stream unread")),
        "{:?}",
        report.notes
    );
}
