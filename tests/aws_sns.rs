//! `SnsNotifier` and `StsIdentity` against moto: the alert arrives in an SQS queue subscribed to the
//! topic with its subject, body and filter attributes intact. It is published with
//! `MessageStructure=json`; the queue receives the `default` body, which is today's text with its
//! JSON block, not the per-protocol envelope.
#![cfg(feature = "guard")]

use crate::common::{ACCOUNT, Moto};
use runaway_guard::alert::{AlertContext, TripFacts, trip_alert};
use runaway_guard::aws::{SnsNotifier, StsIdentity};
use runaway_guard::chain::ChainRoot;
use runaway_guard::name::FunctionName;
use runaway_guard::ports::{FailureTarget, Identity, Notifier};
use runaway_guard::report::Outcome;
use runaway_guard::time::Timestamp;
use runaway_guard::verdict::Reason;

#[tokio::test]
async fn alert_is_delivered_with_subject_body_and_attributes() {
    let moto = Moto::start().await;
    let (topic, queue) = moto.topic_with_queue("runaway-guard").await;
    let function = FunctionName::new("orders-worker").unwrap();
    let reason = Reason::Depth { root: ChainRoot::new("1-abc").unwrap(), depth: 17, limit: 16, event: None };
    let alert = trip_alert(&TripFacts {
        function: &function,
        outcome: Outcome::Throttled,
        reason: &reason,
        previous_concurrency: Some(Some(25)),
        failure_target: Some(&FailureTarget::Dropped),
        event_sources: Default::default(),
        max_trips_per_hour: 10,
        error: None,
        record_missing: false,
        tripped_by: None,
        quiet_until: None,
        // No region: an empty attribute must be left out, not rejected by SNS.
        context: AlertContext { account: Some(ACCOUNT), region: None, at: Timestamp::now() },
        note: None,
        parking: None,
    });
    SnsNotifier::new(&moto.config, &topic).publish(&alert).await.unwrap();

    let delivered = moto.delivered(&queue).await;
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    let msg = &delivered[0];
    assert_eq!(msg["Subject"], "THROTTLED orders-worker: chain depth 17 > 16");
    assert_eq!(msg["Message"], alert.body.as_str());
    assert!(alert.body.contains("runaway-guard reenable orders-worker"));
    let attr = |k: &str| msg["MessageAttributes"][k]["Value"].as_str().map(str::to_owned);
    assert_eq!(attr("function").as_deref(), Some("orders-worker"));
    assert_eq!(attr("reason").as_deref(), Some("depth"));
    assert_eq!(attr("outcome").as_deref(), Some("throttled"));
    assert_eq!(attr("account").as_deref(), Some(ACCOUNT));
    assert_eq!(attr("region"), None);
}

#[tokio::test]
async fn publishing_to_a_missing_topic_is_a_final_error() {
    let moto = Moto::start().await;
    let notifier = SnsNotifier::new(&moto.config, "arn:aws:sns:us-east-1:123456789012:nope");
    let alert = runaway_guard::ports::Alert { subject: "s".into(), body: "b".into(), ..Default::default() };
    let err = notifier.publish(&alert).await.unwrap_err();
    assert!(!err.retryable, "{err:?}");
    assert_eq!(err.operation, "Publish");
}

#[tokio::test]
async fn caller_identity_names_the_account() {
    let moto = Moto::start().await;
    let caller = StsIdentity::new(&moto.config).caller().await.unwrap();
    assert_eq!(caller.account, ACCOUNT);
    assert!(caller.arn.starts_with("arn:aws:"), "{}", caller.arn);
}
