//! `runaway-guard audit` against moto through the real binary: the zoo of wirings built with the
//! real SDK (EventBridge rules and targets, S3 notifications, mappings, SNS subscriptions, IAM roles
//! with inline and managed policies and a permission boundary), each loop and non-loop asserted
//! with its reason. moto has no recursion-config API: that read fails, is reported, and leaves
//! Lambda's loop detection "unknown", never the audit.
#![cfg(feature = "audit")]

mod setup;

use crate::common::Moto;
use crate::common::fault_proxy::{ALWAYS, Fault, FaultProxy};
use serde_json::{Value, json};
use setup::*;

#[tokio::test]
async fn the_eventbridge_self_loop_and_a_rule_pinned_to_aws_s3() {
    let moto = Moto::start().await;
    let enricher =
        function(&moto, "enricher", 1024, allow("PutOrders", "events:PutEvents", &bus("default"))).await;
    rule(&moto, "default", "orders", json!({"source": ["app.orders"]}), &enricher).await;
    let indexer = function(&moto, "indexer", 128, allow("PutAny", "events:*", "*")).await;
    rule(&moto, "default", "object-created", json!({"source": ["aws.s3"]}), &indexer).await;
    let (code, report) = audit();
    let loop_ = cycles_through(&report, &["enricher"]);
    assert_eq!(loop_.len(), 1, "{report:#}");
    assert_eq!(loop_[0]["match"], "may");
    assert!(reasons(loop_[0]).contains(
        "enricher may events:PutEvents on EventBridge default: statement PutOrders of enricher-policy"
    ));
    assert_eq!(loop_[0]["aws_loop_detection"]["stops_it"], "no");
    let pinned = cycles_through(&report, &["indexer"]);
    assert_eq!(pinned[0]["match"], "cannot");
    assert!(
        pinned[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("rule object-created matches only source aws.s3, which PutEvents cannot send")
    );
    assert_eq!(code, 3);
}

#[tokio::test]
async fn a_bus_ping_pong_between_two_functions() {
    let moto = Moto::start().await;
    let events = aws_sdk_eventbridge::Client::new(&moto.config);
    events.create_event_bus().name("game").send().await.expect("bus");
    let ping = function(&moto, "ping", 128, allow("PutGame", "events:PutEvents", &bus("game"))).await;
    let pong = function(&moto, "pong", 128, allow("PutGame", "events:PutEvents", &bus("game"))).await;
    rule(&moto, "game", "to-ping", json!({"source": ["app.pong"]}), &ping).await;
    rule(&moto, "game", "to-pong", json!({"source": ["app.ping"]}), &pong).await;
    let (_, report) = audit();
    let pair = cycles_through(&report, &["ping", "pong"]);
    assert_eq!(pair.len(), 1, "{report:#}");
    assert!(reasons(pair[0]).contains("rule to-pong on EventBridge game"));
}

async fn thumbnailer(moto: &Moto, writes: &str) -> Value {
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&moto.config).force_path_style(true).build(),
    );
    s3.create_bucket().bucket("photos").send().await.expect("bucket");
    let f = function(moto, "thumbnailer", 2048, allow("WriteThumbs", "s3:PutObject", writes)).await;
    use aws_sdk_s3::types::{
        Event, FilterRule, FilterRuleName, LambdaFunctionConfiguration, NotificationConfiguration,
        NotificationConfigurationFilter, S3KeyFilter,
    };
    let key = S3KeyFilter::builder()
        .filter_rules(FilterRule::builder().name(FilterRuleName::Prefix).value("uploads/").build())
        .build();
    let config = LambdaFunctionConfiguration::builder()
        .lambda_function_arn(f)
        .events(Event::from("s3:ObjectCreated:*"))
        .filter(NotificationConfigurationFilter::builder().key(key).build())
        .build()
        .expect("notification");
    let notification = NotificationConfiguration::builder().lambda_function_configurations(config).build();
    s3.put_bucket_notification_configuration()
        .bucket("photos")
        .notification_configuration(notification)
        .send()
        .await
        .expect("notification");
    audit().1
}

#[tokio::test]
async fn an_s3_thumbnailer_into_its_own_prefix_and_into_a_disjoint_one() {
    let moto = Moto::start().await;
    let report = thumbnailer(&moto, "arn:aws:s3:::photos/*").await;
    let own = cycles_through(&report, &["thumbnailer"]);
    assert_eq!(own[0]["match"], "may", "{report:#}");
    assert!(
        reasons(own[0])
            .contains("S3 photos notifies Lambda thumbnailer on s3:ObjectCreated:* for keys uploads/*")
    );
    // moto answers no GetFunctionRecursionConfig: reported, and the loop detection is unknown.
    assert_eq!(own[0]["aws_loop_detection"]["stops_it"], "unknown");
    let failed = report["failed_reads"].to_string();
    assert!(failed.contains("GetFunctionRecursionConfig thumbnailer"), "{failed}");
    drop(moto);
    let moto = Moto::start().await;
    let report = thumbnailer(&moto, "arn:aws:s3:::photos/thumbs/*").await;
    let disjoint = cycles_through(&report, &["thumbnailer"]);
    assert_eq!(disjoint[0]["match"], "cannot");
    assert_eq!(
        disjoint[0]["reason"],
        "thumbnailer may write only arn:aws:s3:::photos/thumbs/* in S3 photos, disjoint from the notification's keys uploads/*"
    );
}

/// moto routes by the credential scope and does not check signatures (see tests/common).
fn dynamodb(moto: &Moto, target: &str, body: Value) -> Value {
    let scope = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0";
    let mut response = ureq::post(format!("{}/", moto.endpoint))
        .header("Authorization", scope)
        .header("X-Amz-Target", format!("DynamoDB_20120810.{target}"))
        .header("Content-Type", "application/x-amz-json-1.0")
        .send(body.to_string())
        .expect("dynamodb call");
    serde_json::from_str(&response.body_mut().read_to_string().expect("body")).expect("JSON")
}

#[tokio::test]
async fn a_dynamodb_stream_write_back() {
    let moto = Moto::start().await;
    let table = dynamodb(
        &moto,
        "CreateTable",
        json!({
            "TableName": "orders", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"}
        }),
    );
    let stream = table["TableDescription"]["LatestStreamArn"].as_str().expect("stream ARN").to_owned();
    let table_arn = format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders");
    let stamper =
        function(&moto, "stamper", 256, allow("StampOrders", "dynamodb:UpdateItem", &table_arn)).await;
    mapping(&moto, &stream, &stamper, None).await;
    let (_, report) = audit();
    let cycle = cycles_through(&report, &["stamper"]);
    assert_eq!(cycle[0]["match"], "may", "{report:#}");
    assert!(
        reasons(cycle[0])
            .contains("stamper may dynamodb:UpdateItem on DynamoDB orders: statement StampOrders")
    );
    assert_eq!(cycle[0]["aws_loop_detection"]["stops_it"], "no");
}

#[tokio::test]
async fn an_sqs_re_enqueue_and_an_explicit_deny() {
    let moto = Moto::start().await;
    let jobs = queue(&moto, "jobs").await;
    let worker = function(&moto, "worker", 512, allow("Requeue", "sqs:SendMessage", &jobs)).await;
    mapping(&moto, &jobs, &worker, Some(50)).await;
    let tasks = queue(&moto, "tasks").await;
    let deny = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "AllSqs", "Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
        {"Sid": "NeverBackIntoTasks", "Effect": "Deny", "Action": "sqs:SendMessage", "Resource": tasks}]});
    let fanout = function(&moto, "fanout", 128, deny).await;
    mapping(&moto, &tasks, &fanout, None).await;
    let (_, report) = audit();
    let requeue = cycles_through(&report, &["worker"]);
    assert_eq!(requeue.len(), 1, "{report:#}");
    assert_eq!(requeue[0]["cost_per_hour_usd"].as_f64(), Some(1.61));
    // fanout may send to jobs (sqs:* on *), which feeds worker, but never back into tasks.
    assert!(cycles_through(&report, &["fanout"]).is_empty());
    let ruled = report["ruled_out"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["functions"][0] == "fanout")
        .expect("ruled out");
    assert!(
        ruled["reason"]
            .as_str()
            .unwrap()
            .contains("explicit Deny of sqs:SendMessage in statement NeverBackIntoTasks")
    );
}

#[tokio::test]
async fn an_sns_ping_pong_and_a_wildcard_s3_policy() {
    let moto = Moto::start().await;
    let sns = aws_sdk_sns::Client::new(&moto.config);
    let a = sns.create_topic().name("a").send().await.expect("topic").topic_arn().expect("arn").to_owned();
    let b = sns.create_topic().name("b").send().await.expect("topic").topic_arn().expect("arn").to_owned();
    let alpha = function(&moto, "alpha", 128, allow("PublishB", "sns:Publish", &b)).await;
    let beta = function(&moto, "beta", 128, allow("PublishA", "sns:Publish", &a)).await;
    sns.subscribe().topic_arn(&a).protocol("lambda").endpoint(alpha).send().await.expect("subscribe");
    sns.subscribe().topic_arn(&b).protocol("lambda").endpoint(beta).send().await.expect("subscribe");
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&moto.config).force_path_style(true).build(),
    );
    s3.create_bucket().bucket("inbox").send().await.expect("bucket");
    let sorter = function(&moto, "sorter", 1024, allow("S3Everything", "s3:*", "*")).await;
    use aws_sdk_s3::types::{Event, LambdaFunctionConfiguration, NotificationConfiguration};
    let config = LambdaFunctionConfiguration::builder()
        .lambda_function_arn(sorter)
        .events(Event::from("s3:ObjectCreated:*"))
        .build()
        .expect("config");
    let notification = NotificationConfiguration::builder().lambda_function_configurations(config).build();
    s3.put_bucket_notification_configuration()
        .bucket("inbox")
        .notification_configuration(notification)
        .send()
        .await
        .expect("notification");
    let (_, report) = audit();
    let pair = cycles_through(&report, &["alpha", "beta"]);
    assert_eq!(pair.len(), 1, "{report:#}");
    assert!(reasons(pair[0]).contains("alpha may sns:Publish on SNS b: statement PublishB"));
    let wildcard = cycles_through(&report, &["sorter"]);
    assert_eq!(wildcard.len(), 1, "{report:#}");
    assert!(reasons(wildcard[0]).contains(
        "sorter may s3:PutObject on S3 inbox: statement S3Everything of sorter-policy (Resource *)"
    ));
}

#[tokio::test]
async fn the_call_count_follows_the_formula_and_a_refused_read_is_reported() {
    let moto = Moto::start().await;
    let jobs = queue(&moto, "jobs").await;
    let a = function(&moto, "a", 128, allow("Requeue", "sqs:SendMessage", &jobs)).await;
    let b = function(&moto, "b", 128, allow("Nothing", "logs:PutLogEvents", "*")).await;
    let c = function(&moto, "c", 128, allow("Nothing", "logs:PutLogEvents", "*")).await;
    mapping(&moto, &jobs, &a, None).await;
    rule(&moto, "default", "to-b", json!({"source": ["app.b"]}), &b).await;
    rule(&moto, "default", "to-c", json!({"source": ["app.c"]}), &c).await;
    let sns = aws_sdk_sns::Client::new(&moto.config);
    let topic =
        sns.create_topic().name("t").send().await.expect("topic").topic_arn().expect("arn").to_owned();
    sns.subscribe().topic_arn(topic).protocol("lambda").endpoint(&a).send().await.expect("subscribe");
    let proxy = FaultProxy::start(&moto.endpoint);
    let (_, report) = audit_via(&proxy.url);
    assert_eq!(cycles_through(&report, &["a"]).len(), 1, "{report:#}");
    let log = proxy.take_log();
    // docs/audit.md: F = 3 functions, R = 3 roles with P = 3 inline policies and M = 0 managed,
    // B = 1 bus with U = 2 rules, K = 0 buckets, E = 1 mapping, S = 1 subscription; plus STS.
    let lambda = 1 + 3 * 3 + 1;
    let (events, s3, sns, iam) = (1 + 1 + 2, 1, 1, 3 * 3 + 3);
    let ops: Vec<&str> = log.iter().map(|a| a.op.as_str()).collect();
    assert_eq!(log.len(), lambda + events + s3 + sns + iam + 1, "{ops:#?}");
    // EventBridge refusing its rules: reported, the rest of the audit stands.
    proxy.fail("ListRules", ALWAYS, Fault::Deny403);
    let (code, report) = audit_via(&proxy.url);
    assert!(report["failed_reads"].to_string().contains("ListRules default"), "{report:#}");
    assert_eq!(cycles_through(&report, &["a"]).len(), 1);
    assert_eq!(code, 3, "the SQS loop still fails the audit (1,000 environments of 128 MB: $7.50/hour)");
}

#[tokio::test]
async fn a_write_to_another_accounts_bus_and_a_permission_boundary() {
    let moto = Moto::start().await;
    let central = "arn:aws:events:us-east-1:999999999999:event-bus/central";
    let forwarder = function(&moto, "forwarder", 128, allow("ToCentral", "events:PutEvents", central)).await;
    rule(&moto, "default", "orders", json!({"source": ["app.orders"]}), &forwarder).await;
    // A role allowed everything, limited by a boundary that allows only logs.
    let iam = aws_sdk_iam::Client::new(&moto.config);
    let logs = iam
        .create_policy()
        .policy_name("logs-only")
        .policy_document(allow("Logs", "logs:*", "*").to_string())
        .send()
        .await
        .expect("policy");
    let bounded = function(&moto, "bounded", 128, allow("Everything", "*", "*")).await;
    iam.put_role_permissions_boundary()
        .role_name("bounded")
        .permissions_boundary(logs.policy().unwrap().arn().unwrap())
        .send()
        .await
        .expect("boundary");
    rule(&moto, "default", "bounded", json!({"source": ["app.bounded"]}), &bounded).await;
    let (code, report) = audit();
    assert!(cycles_through(&report, &["forwarder"]).is_empty(), "{report:#}");
    let leaving = report["leaves_account"].as_array().unwrap();
    assert!(
        leaving
            .iter()
            .any(|l| l["to"] == central && l["reason"].as_str().unwrap().contains("statement ToCentral")),
        "{leaving:?}"
    );
    assert!(cycles_through(&report, &["bounded"]).is_empty(), "{report:#}");
    let ruled = report["ruled_out"].to_string();
    assert!(
        ruled.contains(
            "events:PutEvents is outside the permission boundary arn:aws:iam::123456789012:policy/logs-only"
        ),
        "{ruled}"
    );
    assert_eq!(code, 0);
}
