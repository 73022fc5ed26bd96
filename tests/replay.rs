//! `runaway-guard replay` against moto through the real binary: parked events in the formats Lambda
//! writes (on-failure destination records in the parking queue, dead-letter messages whose body is
//! the event) come back once each, at the rate, honouring the filters, leaving other functions'
//! messages alone; a throttled or interrupted run loses nothing and a rerun continues. Invokes are
//! counted at a fault proxy between the binary and moto (moto accepts them without running code).
#![cfg(feature = "guard")]

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::common::Moto;
use crate::common::fault_proxy::{ALWAYS, Fault, FaultProxy, attempts};
use crate::common::guard::{Cli, Run};
use aws_sdk_sqs::types::{MessageAttributeValue, QueueAttributeName};
use serde_json::{Value, json};

const GUARD: &str = "runaway-guard";

/// Moto accepts `Invoke` without docker (it does not run the code).
fn invoke_without_docker(moto: &Moto) {
    ureq::post(format!("{}/moto-api/config", moto.endpoint))
        .send_json(json!({"lambda": {"use_docker": false}}))
        .expect("moto config");
}

struct Queue {
    url: String,
    arn: String,
}

async fn queue(moto: &Moto, name: &str) -> Queue {
    let sqs = aws_sdk_sqs::Client::new(&moto.config);
    let url = sqs.create_queue().queue_name(name).send().await.expect("create queue").queue_url.expect("url");
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("queue attributes");
    let arn = attrs.attributes().and_then(|a| a.get(&QueueAttributeName::QueueArn)).expect("ARN").clone();
    Queue { url, arn }
}

fn event_bridge(detail_type: &str, order: u32, depth: Option<u32>) -> Value {
    let mut detail = json!({"order": order});
    if let Some(depth) = depth {
        detail["runawayGuard"] = json!({"root": "r1", "depth": depth, "function": "orders"});
    }
    json!({"version": "0", "id": format!("e-{order}"), "detail-type": detail_type, "source": "orders.api",
           "account": crate::common::ACCOUNT, "time": "2026-12-07T03:00:00Z", "region": "us-east-1",
           "resources": [], "detail": detail})
}

/// An on-failure destination record as Lambda writes it for an event turned away at concurrency 0.
fn destination_record(function: &str, payload: &Value) -> String {
    json!({"version": "1.0", "timestamp": "2026-12-07T03:00:01.000Z",
           "requestContext": {"requestId": "req-1",
               "functionArn": format!("arn:aws:lambda:us-east-1:{}:function:{function}:$LATEST", crate::common::ACCOUNT),
               "condition": "ThrottledAtZeroConcurrency", "approximateInvokeCount": 1},
           "requestPayload": payload,
           "responseContext": {"statusCode": 429, "executedVersion": "$LATEST", "functionError": ""}})
    .to_string()
}

async fn send(moto: &Moto, queue: &Queue, body: &str, dead_letter: bool) {
    let sqs = aws_sdk_sqs::Client::new(&moto.config);
    let mut request = sqs.send_message().queue_url(&queue.url).message_body(body);
    if dead_letter {
        // What Lambda puts on each message it sends to a function's dead-letter queue.
        for (name, value) in
            [("RequestID", "req-1"), ("ErrorCode", "429"), ("ErrorMessage", "Rate Exceeded.")]
        {
            let value =
                MessageAttributeValue::builder().data_type("String").string_value(value).build().unwrap();
            request = request.message_attributes(name, value);
        }
    }
    request.send().await.expect("send message");
}

/// Every body in the queue (each received once, then visible again).
async fn bodies(moto: &Moto, queue: &Queue) -> BTreeSet<String> {
    let sqs = aws_sdk_sqs::Client::new(&moto.config);
    let mut out = BTreeSet::new();
    let mut receipts = Vec::new();
    loop {
        let batch = sqs
            .receive_message()
            .queue_url(&queue.url)
            .max_number_of_messages(10)
            .visibility_timeout(30)
            .send()
            .await
            .expect("receive");
        if batch.messages().is_empty() {
            break;
        }
        for m in batch.messages() {
            out.insert(m.body().unwrap().to_owned());
            receipts.push(m.receipt_handle().unwrap().to_owned());
        }
    }
    for receipt in receipts {
        sqs.change_message_visibility()
            .queue_url(&queue.url)
            .receipt_handle(receipt)
            .visibility_timeout(0)
            .send()
            .await
            .expect("release");
    }
    out
}

/// An account with the guard deployed (naming its parking queue), `orders` and `billing`.
async fn account(moto: &Moto) -> Queue {
    invoke_without_docker(moto);
    let parking = queue(moto, "runaway-guard-parking").await;
    let (topic, _) = moto.topic_with_queue("alerts").await;
    moto.deploy_guard(GUARD, &topic, &[("RUNAWAY_GUARD_PARKING_QUEUE_ARN", &parking.arn)]).await;
    moto.create_function("orders").await;
    moto.create_function("billing").await;
    parking
}

fn replay(proxy: &FaultProxy, args: &[&str]) -> Run {
    let mut all = vec!["replay"];
    all.extend_from_slice(args);
    Cli::new(None, &all).env("AWS_ENDPOINT_URL", &proxy.url).run()
}

fn accepted_invokes(proxy: &FaultProxy) -> usize {
    attempts(&proxy.take_log(), "Invoke").iter().filter(|f| f.is_none()).count()
}

#[tokio::test]
async fn replays_each_of_the_functions_events_once_at_the_rate_honouring_filters() {
    let moto = Moto::start().await;
    let parking = account(&moto).await;
    let keep: Vec<String> = vec![
        destination_record("billing", &event_bridge("OrderPlaced", 1, None)),
        destination_record("orders", &event_bridge("OrderPlaced", 2, Some(9))),
        destination_record("orders", &event_bridge("OrderRetried", 3, None)),
    ];
    for body in &keep {
        send(&moto, &parking, body, false).await;
    }
    for order in 10..14 {
        send(
            &moto,
            &parking,
            &destination_record("orders", &event_bridge("OrderPlaced", order, Some(2))),
            false,
        )
        .await;
    }
    let proxy = FaultProxy::start(&moto.endpoint);
    let started = Instant::now();
    let run = replay(
        &proxy,
        &[
            "orders",
            "--rate",
            "2",
            "--skip-depth-over",
            "5",
            "--exclude-detail-type",
            "OrderRetried",
            "--json",
        ],
    );
    let took = started.elapsed();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = run.json();
    assert_eq!(out["replayed"], 4, "{out}");
    assert_eq!(out["skipped"], json!({"depth": 1, "detail_type": 1}));
    assert_eq!(out["other_functions"], 1);
    assert_eq!(out["groups"], json!([{"source": "orders.api", "detail_type": "OrderPlaced", "count": 4}]));
    assert_eq!(out["rate"]["per_sec"], 2.0);
    assert_eq!(accepted_invokes(&proxy), 4);
    // Four events at 2/s: the last is due 1.5 s after the first.
    assert!(took >= Duration::from_millis(1500), "took {took:?}");
    // What was left out is visible again at once, untouched; the replayed messages are gone.
    assert_eq!(bodies(&moto, &parking).await, keep.iter().cloned().collect());
    // A rerun finds nothing more to send.
    let again = replay(
        &proxy,
        &[
            "orders",
            "--rate",
            "2",
            "--skip-depth-over",
            "5",
            "--exclude-detail-type",
            "OrderRetried",
            "--json",
        ],
    );
    assert_eq!((again.code, again.json()["replayed"].clone()), (0, json!(0)), "{}", again.stderr);
    assert_eq!(accepted_invokes(&proxy), 0);
}

#[tokio::test]
async fn dry_run_counts_by_source_and_detail_type_and_leaves_every_message() {
    let moto = Moto::start().await;
    let parking = account(&moto).await;
    let s3 = json!({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put"}]});
    let mut sent = BTreeSet::new();
    for body in [
        destination_record("orders", &event_bridge("OrderPlaced", 1, None)),
        destination_record("orders", &event_bridge("OrderPlaced", 2, None)),
        destination_record("orders", &s3),
        destination_record("billing", &s3),
    ] {
        send(&moto, &parking, &body, false).await;
        sent.insert(body);
    }
    let proxy = FaultProxy::start(&moto.endpoint);
    let run = replay(&proxy, &["orders", "--dry-run", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    assert_eq!(
        (out["dry_run"].clone(), out["replayed"].clone(), out["other_functions"].clone()),
        (json!(true), json!(3), json!(1))
    );
    assert_eq!(
        out["groups"],
        json!([{"source": "orders.api", "detail_type": "OrderPlaced", "count": 2},
               {"source": "aws:s3", "detail_type": "ObjectCreated:Put", "count": 1}])
    );
    assert_eq!(out["rate"]["source"], "fallback", "no CloudWatch history: the fixed default");
    assert_eq!(accepted_invokes(&proxy), 0);
    assert_eq!(bodies(&moto, &parking).await, sent);
}

#[tokio::test]
async fn refuses_while_the_function_is_still_tripped_touching_no_message() {
    let moto = Moto::start().await;
    let parking = account(&moto).await;
    let body = destination_record("orders", &event_bridge("OrderPlaced", 1, None));
    send(&moto, &parking, &body, false).await;
    let proxy = FaultProxy::start(&moto.endpoint);
    let (topic, _) = moto.topic_with_queue("trip-alerts").await;
    let trip = Cli::new(Some(&topic), &["trip", "orders", "--reason", "runaway"])
        .env("AWS_ENDPOINT_URL", &proxy.url)
        .run();
    assert_eq!(trip.code, 0, "{}", trip.stderr);
    let run = replay(&proxy, &["orders"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("still tripped") && run.stderr.contains("reenable"), "{}", run.stderr);
    let log = proxy.take_log();
    assert!(attempts(&log, "ReceiveMessage").is_empty() && attempts(&log, "Invoke").is_empty());
    // At reserved concurrency 0 without a record: refused too.
    moto.lambda()
        .put_function_concurrency()
        .function_name("billing")
        .reserved_concurrent_executions(0)
        .send()
        .await
        .unwrap();
    let run = replay(&proxy, &["billing"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("reserved concurrency 0"), "{}", run.stderr);
    proxy.take_log();
    // Bad input is refused before any call.
    for args in [
        &["orders", "--from", "orders-dlq"][..],
        &["orders", "--rate", "0"],
        &["orders", "--since", "yesterday"],
        &["orders", "--since", "2026-12-07T04:00:00Z", "--until", "2026-12-07T03:00:00Z"],
    ] {
        let run = replay(&proxy, args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
    }
    assert!(proxy.take_log().is_empty(), "no AWS call for bad input");
    // A queue in another region is refused before GetQueueUrl could find a namesake here.
    moto.lambda().delete_function_concurrency().function_name("billing").send().await.unwrap();
    let elsewhere = format!("arn:aws:sqs:eu-west-1:{}:runaway-guard-parking", crate::common::ACCOUNT);
    let run = replay(&proxy, &["billing", "--from", &elsewhere]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("eu-west-1"), "{}", run.stderr);
    assert!(attempts(&proxy.take_log(), "GetQueueUrl").is_empty());
    assert_eq!(bodies(&moto, &parking).await, BTreeSet::from([body]));
}

#[tokio::test]
async fn replays_a_dead_letter_queue_named_with_from_and_warns_it_is_not_the_functions_own() {
    let moto = Moto::start().await;
    account(&moto).await;
    let dlq = queue(&moto, "orders-dlq").await;
    let sns = json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Message": "hello"}}]});
    for _ in 0..2 {
        send(&moto, &dlq, &sns.to_string(), true).await;
    }
    let proxy = FaultProxy::start(&moto.endpoint);
    let run = replay(&proxy, &["orders", "--from", &dlq.arn, "--rate", "50", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    assert_eq!(out["replayed"], 2, "{out}");
    assert_eq!(out["groups"], json!([{"source": "aws:sns", "detail_type": "-", "count": 2}]));
    // moto does not keep DeadLetterConfig: Lambda names no DLQ for orders, so the queue is not its own.
    let warning = out["warnings"][0].as_str().unwrap_or_default();
    assert!(warning.contains("is not orders's dead-letter queue"), "{out}");
    assert_eq!(accepted_invokes(&proxy), 2);
    assert!(bodies(&moto, &dlq).await.is_empty());
}

#[tokio::test]
async fn a_throttled_invoke_waits_and_every_event_still_goes_back_once() {
    let moto = Moto::start().await;
    let parking = account(&moto).await;
    for order in 0..3 {
        send(
            &moto,
            &parking,
            &destination_record("orders", &event_bridge("OrderPlaced", order, None)),
            false,
        )
        .await;
    }
    let proxy = FaultProxy::start(&moto.endpoint);
    // More throttles than the SDK's four attempts: the replay's own back-off carries it through.
    proxy.fail("Invoke", 6, Fault::Throttle);
    let run = replay(&proxy, &["orders", "--rate", "20", "--json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["replayed"], 3);
    let log = proxy.take_log();
    let invokes = attempts(&log, "Invoke");
    assert_eq!(invokes.iter().filter(|f| f.is_none()).count(), 3, "{invokes:?}");
    assert_eq!(invokes.iter().filter(|f| f.is_some()).count(), 6);
    assert!(bodies(&moto, &parking).await.is_empty());
}

#[tokio::test]
async fn an_interrupted_replay_loses_nothing_and_a_rerun_continues() {
    let moto = Moto::start().await;
    let parking = account(&moto).await;
    for order in 0..6 {
        send(
            &moto,
            &parking,
            &destination_record("orders", &event_bridge("OrderPlaced", order, None)),
            false,
        )
        .await;
    }
    let proxy = FaultProxy::start(&moto.endpoint);
    // Denied for good after two invokes went through: the run stops mid-batch.
    let stop_after_two = std::thread::scope(|scope| {
        let handle = scope.spawn(|| replay(&proxy, &["orders", "--rate", "2", "--json"]));
        let mut seen = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            seen.extend(proxy.take_log());
            if attempts(&seen, "Invoke").iter().filter(|f| f.is_none()).count() >= 2 {
                proxy.fail("Invoke", ALWAYS, Fault::Deny403);
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let run = handle.join().expect("replay thread");
        seen.extend(proxy.take_log());
        (run, attempts(&seen, "Invoke").iter().filter(|f| f.is_none()).count())
    });
    let (run, first) = stop_after_two;
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let out = run.json();
    assert_eq!(out["replayed"], first as u64, "{out}");
    assert!(out["stopped"].as_str().unwrap_or_default().contains("Invoke"), "{out}");
    // The rest is visible again at once, not hidden until a hold ends.
    assert_eq!(bodies(&moto, &parking).await.len(), 6 - first);
    proxy.clear_faults();
    let rerun = replay(&proxy, &["orders", "--rate", "50", "--json"]);
    assert_eq!(rerun.code, 0, "{}", rerun.stderr);
    assert_eq!(rerun.json()["replayed"], (6 - first) as u64);
    assert_eq!(first + accepted_invokes(&proxy), 6, "each event invoked exactly once over both runs");
    assert!(bodies(&moto, &parking).await.is_empty());
}
