//! Parking asynchronous events against moto through the real binary: a trip of a function with no
//! DLQ and no on-failure destination makes the parking queue its destination before the throttle and
//! records that it had no configuration (signed, in its tags); `reenable` deletes the configuration
//! again; a parking Lambda refuses (the fault proxy denies `PutFunctionEventInvokeConfig`) still
//! throttles, and the alert says the events are dropped and why. moto keeps every Put of an
//! event-invoke configuration and answers the first, so a user's own configuration put back is
//! tested on the in-memory ports (`cargo test --lib trip::tests::park`). Run through `scripts/test.sh`.
#![cfg(feature = "guard")]

use crate::common::Moto;
use crate::common::fault_proxy::{ALWAYS, Fault, FaultProxy, attempts};
use crate::common::guard::{Cli, handle, machine_block, report};
use runaway_guard::ports::tags;
use serde_json::Value;

const FUNCTION: &str = "orders-worker";
const ROOT: &str = "1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d";
const PARKING_VAR: &str = "RUNAWAY_GUARD_PARKING_QUEUE_ARN";

/// moto with `orders-worker` at 25, an alert topic and queue, and the parking queue's ARN.
async fn account(moto: &Moto) -> (String, String, String) {
    moto.create_function(FUNCTION).await;
    moto.reserve(FUNCTION, 25).await;
    let (topic, alerts) = moto.topic_with_queue("guard").await;
    let sqs = aws_sdk_sqs::Client::new(&moto.config);
    sqs.create_queue().queue_name("guard-parked").send().await.expect("create the parking queue");
    (topic, alerts, "arn:aws:sqs:us-east-1:123456789012:guard-parked".to_owned())
}

/// The on-failure destination of the function's event-invoke configuration, `None` without one.
async fn destination(moto: &Moto) -> Option<String> {
    let out = moto.lambda().get_function_event_invoke_config().function_name(FUNCTION).send().await;
    match out {
        Ok(config) => config
            .destination_config()
            .and_then(|d| d.on_failure())
            .and_then(|f| f.destination())
            .map(str::to_owned),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => None,
        Err(e) => panic!("GetFunctionEventInvokeConfig: {e:?}"),
    }
}

fn alert_body(delivered: &[Value]) -> String {
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    delivered[0]["Message"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_trip_parks_before_the_throttle_and_reenable_removes_the_parking() {
    let moto = Moto::start().await;
    let (topic, alerts, parking) = account(&moto).await;
    assert_eq!(destination(&moto).await, None);

    let run = handle(&topic, &report(FUNCTION, 17, ROOT)).env(PARKING_VAR, &parking).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.outcomes(), [(FUNCTION.to_owned(), "throttled".to_owned())]);
    assert_eq!(moto.reserved(FUNCTION).await, Some(0));
    assert_eq!(
        destination(&moto).await.as_deref(),
        Some(parking.as_str()),
        "the parking queue is its destination"
    );
    let tags = moto.tags(FUNCTION).await;
    assert_eq!(tags.get(tags::PARKED_QUEUE), Some(&parking), "{tags:?}");
    assert_eq!(tags.get(tags::PARKED_PREVIOUS).map(String::as_str), Some("none"), "{tags:?}");
    assert!(tags.get(tags::RECORD_MAC).is_some_and(|m| m.starts_with("v2:")), "{tags:?}");
    let delivered = moto.delivered(&alerts).await;
    let body = alert_body(&delivered);
    assert!(body.contains(&format!("are PARKED in the guard's parking queue {parking}")), "{body}");
    assert!(body.contains(&format!("runaway-guard replay {FUNCTION} --region us-east-1")), "{body}");
    assert_eq!(machine_block(&delivered[0])["parking"]["queue"], parking.as_str());

    let json = Cli::new(Some(&topic), &["reenable", FUNCTION, "--force", "--json"]).run();
    assert_eq!(json.code, 0, "{json:?}");
    assert_eq!(json.json()["invoke_config"], "deleted", "{}", json.stdout);
    assert_eq!(destination(&moto).await, None, "no configuration before the trip: none after");
    assert_eq!(moto.reserved(FUNCTION).await, Some(25));
    let tags = moto.tags(FUNCTION).await;
    assert!(!tags.contains_key(tags::PARKED_QUEUE) && !tags.contains_key(tags::PARKED_PREVIOUS), "{tags:?}");
}

#[tokio::test]
async fn a_parking_lambda_refuses_still_throttles_and_the_alert_says_the_events_are_dropped() {
    let moto = Moto::start().await;
    let (topic, alerts, parking) = account(&moto).await;
    let proxy = FaultProxy::start(&moto.endpoint);
    proxy.fail("PutFunctionEventInvokeConfig", ALWAYS, Fault::Deny403);

    let run = handle(&topic, &report(FUNCTION, 17, ROOT))
        .env(PARKING_VAR, &parking)
        .env("AWS_ENDPOINT_URL", &proxy.url)
        .run();
    let log = proxy.take_log();
    assert_eq!(attempts(&log, "PutFunctionEventInvokeConfig"), [Some(Fault::Deny403)], "a denial is final");
    let order: Vec<&str> = log
        .iter()
        .map(|a| a.op.as_str())
        .filter(|op| ["TagResource", "PutFunctionEventInvokeConfig", "PutFunctionConcurrency"].contains(op))
        .collect();
    assert_eq!(order, ["TagResource", "PutFunctionEventInvokeConfig", "PutFunctionConcurrency"], "{log:?}");
    assert_eq!(run.outcomes(), [(FUNCTION.to_owned(), "throttled".to_owned())], "{run:?}");
    assert_eq!(moto.reserved(FUNCTION).await, Some(0), "contained all the same");
    assert!(run.json()["decisions"][0]["errors"].to_string().contains("not parked"), "{}", run.stdout);
    assert_eq!(destination(&moto).await, None);
    let body = alert_body(&moto.delivered(&alerts).await);
    assert!(
        body.contains(
            "are DROPPED: it has no DLQ and no on-failure destination, and they were not parked: \
                       Lambda refused the parking queue as its on-failure destination"
        ),
        "{body}"
    );
    assert!(!body.contains("runaway-guard replay"), "nothing to replay: {body}");
}

#[tokio::test]
async fn status_says_how_many_events_wait_in_the_parking_queue() {
    let moto = Moto::start().await;
    let (topic, _alerts, parking) = account(&moto).await;
    moto.deploy_guard("runaway-guard", &topic, &[(PARKING_VAR, &parking)]).await;
    let empty = Cli::new(Some(&topic), &["status"]).run();
    assert_eq!(empty.code, 0, "{empty:?}");
    assert!(empty.stdout.contains("Parking queue guard-parked: empty."), "{}", empty.stdout);

    let sqs = aws_sdk_sqs::Client::new(&moto.config);
    let url = sqs.get_queue_url().queue_name("guard-parked").send().await.expect("url");
    for n in 0..2 {
        let body = format!("{{\"requestPayload\": {{\"n\": {n}}}}}");
        sqs.send_message()
            .queue_url(url.queue_url().unwrap_or_default())
            .message_body(body)
            .send()
            .await
            .expect("send");
    }
    let run = Cli::new(Some(&topic), &["status"]).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("Parking queue guard-parked: about 2 asynchronous event(s) parked"),
        "{}",
        run.stdout
    );
    let json = Cli::new(Some(&topic), &["status", "--json"]).run();
    assert!(json.stderr.contains("about 2 asynchronous event(s) parked"), "{}", json.stderr);
    assert!(json.json().is_array(), "the JSON stays an array: {}", json.stdout);
}

#[tokio::test]
async fn status_counts_each_parked_function_s_events_since_its_trip_from_lambda_s_metrics() {
    use aws_sdk_cloudwatch::types::StandardUnit::Count;
    let moto = Moto::start().await;
    let (topic, _alerts, parking) = account(&moto).await;
    // Drops before the trip were not parked: they must not be counted.
    moto.put_lambda_metrics(FUNCTION, 600, &[("AsyncEventsDropped", 100.0, Count)]).await;
    let run = handle(&topic, &report(FUNCTION, 17, ROOT)).env(PARKING_VAR, &parking).run();
    assert_eq!(run.outcomes(), [(FUNCTION.to_owned(), "throttled".to_owned())], "{run:?}");
    // Seven discarded since, two of which Lambda failed to deliver to the queue.
    let after = [("AsyncEventsDropped", 7.0, Count), ("DestinationDeliveryFailures", 2.0, Count)];
    moto.put_lambda_metrics(FUNCTION, 0, &after).await;

    let text = Cli::new(Some(&topic), &["status"]).run();
    assert_eq!(text.code, 0, "{text:?}");
    assert!(
        text.stdout.contains(&format!("{FUNCTION}: about 5 asynchronous event(s) parked since the trip"))
            && text.stdout.contains(&format!("runaway-guard replay {FUNCTION}")),
        "{}",
        text.stdout
    );
    let json = Cli::new(Some(&topic), &["status", "--json"]).run();
    let row = &json.json()[0];
    assert_eq!(row["parked_queue"], parking.as_str(), "{}", json.stdout);
    assert_eq!(row["parked_since_trip"], 5, "{}", json.stdout);
}
