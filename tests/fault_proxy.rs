//! Faults between the guard and AWS, end to end: the real binary talks to moto through a
//! fault-injecting proxy (`crate::common::fault_proxy`) that plays 503s, throttling, connection resets,
//! hangs and denials per operation. Each test checks what the SDK's retry loop did (the proxy's
//! attempt log), what the report and exit code say, and the end state in moto: reserved
//! concurrency, the trip record and the alerts delivered. Run through `scripts/test.sh`.
#![cfg(feature = "guard")]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::common::fault_proxy::{ALWAYS, Attempt, Fault, FaultProxy, attempts};
use crate::common::guard::{Run, attribute, handle, machine_block, report};
use crate::common::{Moto, RECORD_KEY_ARN};
use runaway_guard::clients::AwsPorts;
use runaway_guard::name::FunctionName;
use runaway_guard::operator::{self, ReenableError, ReenableOutcome, ReenablePorts, ReenableRequest};
use runaway_guard::ports::tags;
use runaway_guard::time::Timestamp;
use serde_json::Value;

const FUNCTION: &str = "orders-worker";
const ROOT: &str = "1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d";
const PUT: &str = "PutFunctionConcurrency";
const TAG: &str = "TagResource";
/// The SDK's attempts per call (`aws::client`): the first try and three retries.
const MAX_ATTEMPTS: usize = 4;

/// moto with one function reserved at 25, an alert topic with a queue, and a proxy in front.
struct Bench {
    moto: Moto,
    proxy: FaultProxy,
    topic: String,
    queue: String,
}

impl Bench {
    async fn start() -> Bench {
        let moto = Moto::start().await;
        moto.create_function(FUNCTION).await;
        moto.reserve(FUNCTION, 25).await;
        let (topic, queue) = moto.topic_with_queue("guard").await;
        let proxy = FaultProxy::start(&moto.endpoint);
        Bench { moto, proxy, topic, queue }
    }

    /// One depth-17 chain event through `runaway-guard handle`, the guard talking to AWS via the proxy;
    /// returns the run and the requests the proxy saw.
    fn trip(&self) -> (Run, Vec<Attempt>) {
        let run =
            handle(&self.topic, &report(FUNCTION, 17, ROOT)).env("AWS_ENDPOINT_URL", &self.proxy.url).run();
        (run, self.proxy.take_log())
    }

    async fn tags(&self) -> HashMap<String, String> {
        self.moto.tags(FUNCTION).await
    }

    async fn alerts(&self) -> Vec<Value> {
        self.moto.delivered(&self.queue).await
    }

    /// Throttled, with a complete trip record naming 25 as previous and no alert pending.
    async fn assert_tripped_and_alerted(&self) {
        assert_eq!(self.moto.reserved(FUNCTION).await, Some(0));
        let tags = self.tags().await;
        assert_eq!(tags.get(tags::PREVIOUS_CONCURRENCY).map(String::as_str), Some("25"), "{tags:?}");
        assert!(tags.contains_key(tags::TRIPPED_AT) && tags.contains_key(tags::REASON), "{tags:?}");
        assert!(!tags.contains_key(tags::ALERT_PENDING), "{tags:?}");
    }
}

fn decision(run: &Run) -> Value {
    let report = run.json();
    assert_eq!(report["decisions"].as_array().map(Vec::len), Some(1), "{report}");
    report["decisions"][0].clone()
}

fn errors(decision: &Value) -> String {
    decision["errors"].to_string()
}

/// Operations in `log` that change the function.
fn mutations(log: &[Attempt]) -> Vec<&str> {
    let writes = [TAG, "UntagResource", PUT, "DeleteFunctionConcurrency"];
    log.iter().map(|a| a.op.as_str()).filter(|op| writes.contains(op)).collect()
}

#[tokio::test]
async fn a_503_twice_on_the_throttle_is_retried_and_trips_once() {
    let bench = Bench::start().await;
    bench.proxy.fail(PUT, 2, Fault::Unavailable503);
    let (run, log) = bench.trip();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(decision(&run)["outcome"], "throttled");
    let u = Some(Fault::Unavailable503);
    assert_eq!(attempts(&log, PUT), [u, u, None], "{log:?}");
    assert_eq!(attempts(&log, TAG), [None], "one record write");
    bench.assert_tripped_and_alerted().await;
    let alerts = bench.alerts().await;
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert_eq!(attribute(&alerts[0], "outcome"), "throttled");
}

#[tokio::test]
async fn throttling_on_reads_tags_and_publish_is_retried() {
    let bench = Bench::start().await;
    // Lambda answers 429 TooManyRequestsException; SNS answers 400 with code Throttling, which only
    // the error code (not the status) marks as retryable.
    bench.proxy.fail("GetFunctionConcurrency", 1, Fault::Throttle);
    bench.proxy.fail(TAG, 2, Fault::Throttle);
    bench.proxy.fail("Publish", 1, Fault::Throttle);
    let (run, log) = bench.trip();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(decision(&run)["outcome"], "throttled");
    let t = Some(Fault::Throttle);
    assert_eq!(attempts(&log, "GetFunctionConcurrency"), [t, None], "{log:?}");
    assert_eq!(attempts(&log, TAG), [t, t, None], "{log:?}");
    assert_eq!(attempts(&log, "Publish"), [t, None], "{log:?}");
    assert_eq!(attempts(&log, PUT), [None]);
    bench.assert_tripped_and_alerted().await;
    assert_eq!(bench.alerts().await.len(), 1, "one alert despite the throttled first Publish");
}

#[tokio::test]
async fn a_connection_reset_on_the_record_write_is_retried() {
    let bench = Bench::start().await;
    bench.proxy.fail(TAG, 1, Fault::Reset);
    let (run, log) = bench.trip();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(decision(&run)["outcome"], "throttled");
    assert_eq!(attempts(&log, TAG), [Some(Fault::Reset), None], "{log:?}");
    bench.assert_tripped_and_alerted().await;
    assert_eq!(bench.alerts().await.len(), 1);
}

/// Calls that moto carried out but whose responses were lost: the SDK retries each. The trip's writes are
/// idempotent (the same tags, the same 0), so there is one record; `Publish` is not, so the alert arrives
/// twice: at least once, never zero times (SNS standard topics promise no more anyway).
#[tokio::test]
async fn lost_responses_are_retried_and_only_the_alert_can_repeat() {
    let bench = Bench::start().await;
    for op in [TAG, PUT, "Publish"] {
        bench.proxy.fail(op, 1, Fault::LostResponse);
    }
    let (run, log) = bench.trip();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(decision(&run)["outcome"], "throttled");
    for op in [TAG, PUT, "Publish"] {
        assert_eq!(attempts(&log, op), [Some(Fault::LostResponse), None], "{op}: {log:?}");
    }
    bench.assert_tripped_and_alerted().await;
    let alerts = bench.alerts().await;
    assert_eq!(alerts.len(), 2, "the retried Publish is a duplicate: {alerts:#?}");
    assert_eq!(alerts[0]["Message"], alerts[1]["Message"]);
}

/// Through the binary, so it is the shipped 8 s attempt timeout that ends the hung attempt (the only
/// slow test here): an in-process client with a short timeout would not prove the binary has one.
#[tokio::test]
async fn a_hung_throttle_call_times_out_and_is_retried() {
    let bench = Bench::start().await;
    bench.proxy.fail(PUT, 1, Fault::Hang(Duration::from_secs(60)));
    let started = Instant::now();
    let (run, log) = bench.trip();
    let took = started.elapsed();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(decision(&run)["outcome"], "throttled");
    assert_eq!(attempts(&log, PUT), [Some(Fault::Hang(Duration::from_secs(60))), None], "{log:?}");
    // Cut by the attempt timeout (8 s), not the operation's 20 s nor the proxy's 60 s.
    assert!(took >= Duration::from_secs(8) && took < Duration::from_secs(20), "{took:?}");
    bench.assert_tripped_and_alerted().await;
    assert_eq!(bench.alerts().await.len(), 1);
}

#[tokio::test]
async fn a_throttle_failing_every_attempt_fails_the_run_and_the_retry_finishes_it() {
    let bench = Bench::start().await;
    bench.proxy.fail(PUT, ALWAYS, Fault::Unavailable503);
    let (run, log) = bench.trip();
    assert_eq!(run.code, 1, "a retryable failure fails the invocation: {run:?}");
    let first = decision(&run);
    assert_eq!(first["outcome"], "failed");
    assert!(
        errors(&first).contains("PutFunctionConcurrency") && errors(&first).contains("ServiceUnavailable")
    );
    assert_eq!(attempts(&log, PUT), [Some(Fault::Unavailable503); MAX_ATTEMPTS], "{log:?}");
    assert_eq!(bench.moto.reserved(FUNCTION).await, Some(25), "not contained yet");
    let record = bench.tags().await;
    assert_eq!(record[tags::PREVIOUS_CONCURRENCY], "25", "the record is written before the throttle");
    let alerts = bench.alerts().await;
    assert_eq!(alerts.len(), 1, "on-call hears about the failure: {alerts:#?}");
    assert_eq!(attribute(&alerts[0], "outcome"), "failed");

    // The invocation's retry, AWS healthy again: throttles without rewriting the record.
    bench.proxy.clear_faults();
    let (run, log) = bench.trip();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(decision(&run)["outcome"], "throttled");
    assert_eq!(attempts(&log, TAG), [], "no second record: {log:?}");
    assert_eq!(attempts(&log, PUT), [None]);
    bench.assert_tripped_and_alerted().await;
    assert_eq!(bench.tags().await[tags::TRIPPED_AT], record[tags::TRIPPED_AT], "the first record stands");
    let alerts = bench.alerts().await;
    assert_eq!(alerts.len(), 1, "one 'throttled' alert after the 'failed' one: {alerts:#?}");
    assert_eq!(attribute(&alerts[0], "outcome"), "throttled");
    assert_eq!(machine_block(&alerts[0])["previous_concurrency"], "25");

    // A further retry changes nothing and says nothing.
    let (run, log) = bench.trip();
    assert_eq!(decision(&run)["outcome"], "already_tripped", "{run:?}");
    assert_eq!(mutations(&log), Vec::<&str>::new());
    assert!(bench.alerts().await.is_empty());
}

#[tokio::test]
async fn with_sns_down_the_function_is_still_throttled_and_the_retry_sends_the_alert_once() {
    let bench = Bench::start().await;
    bench.proxy.fail("Publish", ALWAYS, Fault::Unavailable503);
    let (run, log) = bench.trip();
    assert_eq!(run.code, 1, "a lost alert fails the invocation so it is retried: {run:?}");
    let first = decision(&run);
    assert_eq!((&first["outcome"], &first["alerted"]), (&"throttled".into(), &false.into()));
    assert!(errors(&first).contains("Publish"), "{first}");
    assert_eq!(attempts(&log, "Publish"), [Some(Fault::Unavailable503); MAX_ATTEMPTS], "{log:?}");
    assert_eq!(bench.moto.reserved(FUNCTION).await, Some(0));
    let tags = bench.tags().await;
    assert_eq!(tags[tags::PREVIOUS_CONCURRENCY], "25");
    assert_eq!(tags.get(tags::ALERT_PENDING).map(String::as_str), Some("true"), "{tags:?}");
    assert!(bench.alerts().await.is_empty());

    bench.proxy.clear_faults();
    let (run, log) = bench.trip();
    assert_eq!(run.code, 0, "{run:?}");
    let second = decision(&run);
    assert_eq!((&second["outcome"], &second["alerted"]), (&"already_tripped".into(), &true.into()));
    assert_eq!(attempts(&log, "Publish"), [None]);
    assert_eq!(mutations(&log), ["UntagResource"], "only alert-pending is cleared: {log:?}");
    bench.assert_tripped_and_alerted().await;
    let alerts = bench.alerts().await;
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert_eq!(machine_block(&alerts[0])["previous_concurrency"], "25");
    assert!(alerts[0]["Subject"].as_str().is_some_and(|s| s.starts_with("THROTTLED")), "{:#}", alerts[0]);

    let (run, log) = bench.trip();
    assert_eq!(decision(&run)["alerted"], false, "{run:?}");
    assert_eq!(attempts(&log, "Publish"), [], "sent exactly once");
    assert!(bench.alerts().await.is_empty());
}

#[tokio::test]
async fn denied_tagging_is_not_retried_and_the_alert_carries_the_previous_value() {
    let bench = Bench::start().await;
    bench.proxy.fail(TAG, ALWAYS, Fault::Deny403);
    let (run, log) = bench.trip();
    assert_eq!(run.code, 0, "contained and alerted: nothing for a retry to fix: {run:?}");
    let first = decision(&run);
    assert_eq!(first["outcome"], "throttled");
    assert!(errors(&first).contains("AccessDeniedException"), "{first}");
    assert_eq!(attempts(&log, TAG), [Some(Fault::Deny403)], "a denial is final: {log:?}");
    assert_eq!(bench.moto.reserved(FUNCTION).await, Some(0));
    assert!(!bench.tags().await.contains_key(tags::TRIPPED_AT));
    let alerts = bench.alerts().await;
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let body = alerts[0]["Message"].as_str().expect("message");
    assert!(body.contains("Previous reserved concurrency: 25"), "{body}");
    assert!(body.contains("AccessDeniedException"), "the alert says the record is missing: {body}");
    assert!(body.contains("Trip record: NOT WRITTEN"), "{body}");
    assert!(
        body.contains("runaway-guard reenable orders-worker --to 25 --region us-east-1\n"),
        "names the restore: {body}"
    );
    assert_eq!(machine_block(&alerts[0])["previous_concurrency"], "25");
    assert_eq!(
        machine_block(&alerts[0])["reenable_command"],
        "runaway-guard reenable orders-worker --to 25 --region us-east-1"
    );

    // The invariant without a record: `status` lists the function at 0, and `reenable --to 25`
    // (what the alert names) restores the true previous value; without `--to` it refuses.
    let ports = AwsPorts::load(Some(bench.topic.clone())).await.with_record_key(Some(RECORD_KEY_ARN.into()));
    let listed = operator::status(&ports.throttler).await.expect("status");
    let names: Vec<(&str, bool)> = listed.iter().map(|e| (e.function.as_str(), e.record)).collect();
    assert_eq!(names, [(FUNCTION, false)], "{listed:?}");
    let function = FunctionName::new(FUNCTION).expect("name");
    let reenable = |to, force| {
        let request = ReenableRequest { function: function.clone(), to, force };
        let ports = ReenablePorts {
            throttler: &ports.throttler,
            notifier: &ports.notifier,
            identity: &ports.identity,
        };
        async move { operator::reenable(ports, None, &request, Timestamp::now()).await }
    };
    let refused = reenable(None, false).await;
    assert!(matches!(refused, Err(ReenableError::NoRecordAtZero(_))), "{refused:?}");
    assert_eq!(bench.moto.reserved(FUNCTION).await, Some(0), "a refusal changes nothing");
    // moto has no GetAccountSettings: without --force the restore could not be checked.
    let unchecked = reenable(Some(Some(25)), false).await;
    assert!(matches!(unchecked, Err(ReenableError::AccountSettingsUnreadable { .. })), "{unchecked:?}");
    let done = reenable(Some(Some(25)), true).await.expect("re-enable --to 25 --force");
    assert!(matches!(done, ReenableOutcome::Restored(ref r) if r.restored == Some(25)), "{done:?}");
    assert_eq!(bench.moto.reserved(FUNCTION).await, Some(25));
    assert!(operator::status(&ports.throttler).await.expect("status").is_empty());
}

#[tokio::test]
async fn an_unreadable_event_invoke_config_never_blocks_the_throttle() {
    let bench = Bench::start().await;
    bench.proxy.fail("GetFunctionEventInvokeConfig", ALWAYS, Fault::Deny403);
    let (run, log) = bench.trip();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(decision(&run)["outcome"], "throttled", "{run:?}");
    assert_eq!(attempts(&log, "GetFunctionEventInvokeConfig"), [Some(Fault::Deny403)]);
    bench.assert_tripped_and_alerted().await;
    let alerts = bench.alerts().await;
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let body = alerts[0]["Message"].as_str().expect("message");
    assert!(body.contains("else are DROPPED (unknown)"), "the alert says it could not tell: {body}");
    assert_eq!(machine_block(&alerts[0])["failure_target"]["kind"], "unknown");
}

#[tokio::test]
async fn a_throttled_mapping_pause_leaves_a_record_that_the_retry_and_reenable_complete() {
    let bench = Bench::start().await;
    let jobs = bench.moto.sqs_mapping(FUNCTION, "jobs-queue", true).await;
    const UPDATE: &str = "UpdateEventSourceMapping";
    bench.proxy.fail(UPDATE, ALWAYS, Fault::Throttle);
    let (run, log) = bench.trip();
    assert_eq!(run.code, 1, "a throttled pause is worth a retry of the invocation: {run:?}");
    let first = decision(&run);
    assert_eq!(first["outcome"], "throttled", "containment goes on: {first}");
    assert!(errors(&first).contains(UPDATE) && errors(&first).contains("TooManyRequests"), "{first}");
    assert_eq!(attempts(&log, UPDATE), [Some(Fault::Throttle); MAX_ATTEMPTS], "{log:?}");
    let order: Vec<&str> = mutations(&log).into_iter().filter(|op| *op != "UntagResource").collect();
    assert_eq!(order, [TAG, PUT], "{log:?}");
    assert!(
        log.iter().position(|a| a.op == TAG) < log.iter().position(|a| a.op == UPDATE),
        "the record is written before the first pause attempt: {log:?}"
    );
    assert_eq!(bench.moto.reserved(FUNCTION).await, Some(0));
    assert_eq!(bench.moto.mapping_state(&jobs).await, "Enabled");
    assert_eq!(bench.tags().await[tags::PAUSED_MAPPINGS], jobs, "recorded before the attempt");
    let alerts = bench.alerts().await;
    let body = alerts[0]["Message"].as_str().expect("message");
    assert!(body.contains(&format!("jobs-queue (mapping {jobs}): NOT paused (the disable failed")), "{body}");

    // The invocation's retry, Lambda healthy again: the record says what is left to pause.
    bench.proxy.clear_faults();
    let (run, log) = bench.trip();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(decision(&run)["outcome"], "already_tripped");
    assert_eq!(attempts(&log, UPDATE), [None], "{log:?}");
    assert_eq!(attempts(&log, TAG), [], "the record is not rewritten");
    assert_eq!(bench.moto.mapping_state(&jobs).await, "Disabled");

    // A re-enable whose resume is denied restores concurrency, keeps the record and says to run again.
    bench.proxy.fail(UPDATE, ALWAYS, Fault::Deny403);
    let reenable = |proxy: &str| {
        crate::common::guard::Cli::new(Some(&bench.topic), &["reenable", FUNCTION, "--force"])
            .env("AWS_ENDPOINT_URL", proxy)
            .run()
    };
    let run = reenable(&bench.proxy.url);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("run reenable again"), "{run:?}");
    assert_eq!(bench.moto.reserved(FUNCTION).await, Some(25));
    assert_eq!(bench.moto.mapping_state(&jobs).await, "Disabled");
    assert_eq!(bench.tags().await[tags::PAUSED_MAPPINGS], jobs, "the record stays for the next reenable");
    bench.proxy.clear_faults();
    let run = reenable(&bench.proxy.url);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(bench.moto.mapping_state(&jobs).await, "Enabled");
    assert!(!bench.tags().await.contains_key(tags::PAUSED_MAPPINGS));
}

#[tokio::test]
async fn denied_tagging_with_sns_down_fails_the_run_and_logs_the_previous_value_at_error() {
    let bench = Bench::start().await;
    bench.proxy.fail(TAG, ALWAYS, Fault::Deny403);
    bench.proxy.fail("Publish", ALWAYS, Fault::Unavailable503);
    let (run, _log) = bench.trip();
    assert_eq!(run.code, 1, "nothing durable holds the previous value: retry: {run:?}");
    assert_eq!(decision(&run)["outcome"], "throttled");
    assert!(errors(&decision(&run)).contains("previous reserved concurrency (25)"), "{run:?}");
    assert_eq!(bench.moto.reserved(FUNCTION).await, Some(0), "containment first");
    assert!(bench.alerts().await.is_empty());
    let logged = run.stderr.lines().filter(|l| l.contains("ERROR") && l.contains("previous_concurrency"));
    assert!(
        logged.clone().any(|l| l.contains("25") && l.contains("reenable orders-worker --to 25")),
        "the ERROR line is the record until the retry: {}",
        run.stderr
    );
}
