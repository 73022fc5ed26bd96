//! The SQS batch of 10,000 chain events that `benches/handler.rs` times and `examples/parse_cost.rs`
//! counts instructions on (shared by `#[path]`, so both measure the same bytes).

use serde_json::json;

/// Records in the batch.
pub const EVENTS: usize = 10_000;

/// The SQS batch: chain `c` hop `h` is emitted by `orders-worker-{(c + h) % 100}` at depth `h + 1`
/// (headers an EventBridge rule forwarded from the bus); the last five are deep hops at depth 17 that
/// the functions reported themselves, straight to the queue with their own role ([`ROLE_ID`]). Every
/// event is sent 30 s before the bench's `now`: older chain evidence than the chain TTL is none.
pub fn batch() -> Vec<u8> {
    let records: Vec<_> = (0..EVENTS)
        .map(|i| {
            let (chain, hop) = (i / 10, i % 10);
            let deep = i >= EVENTS - 5;
            let depth = if deep { 17 } else { hop + 1 };
            let function =
                if deep { format!("looper-{i}") } else { format!("orders-worker-{}", (chain + hop) % 100) };
            let root = format!("1-6789abcd-{chain:024x}");
            if deep {
                return report(i, &root, &function);
            }
            let body = json!({
                "version": "0", "id": format!("{i:08x}-aaaa-4bbb-8ccc-dddddddddddd"),
                "detail-type": "OrderRowProcessed", "source": "com.example.orders",
                "account": "123456789012", "time": "2027-01-15T07:59:30Z", "region": "us-east-1",
                "resources": [],
                "detail": { "runawayGuard": { "root": root, "depth": depth, "function": function } }
            });
            json!({
                "messageId": format!("{i:08x}-0000-4000-8000-000000000000"),
                "body": body.to_string(),
                "attributes": { "SentTimestamp": "1800000000000" },
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:chain-events",
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    let bytes = json!({ "Records": records }).to_string().into_bytes();
    assert!(bytes.len() <= runaway_guard::event::MAX_EVENT_BYTES, "{} bytes", bytes.len());
    bytes
}

/// The unique id of the execution role the deep hops were sent with (`SenderId` = `ROLE_ID:function`).
pub const ROLE_ID: &str = "AROABENCHEXECUTIONROLE";

/// A function's own report of a deep hop, as the chain library sends it to the chain queue.
fn report(i: usize, root: &str, function: &str) -> serde_json::Value {
    json!({
        "messageId": format!("{i:08x}-0000-4000-8000-000000000000"),
        "body": runaway_guard::chain::REPORT_BODY,
        "attributes": { "SentTimestamp": "1800000000000", "SenderId": format!("{ROLE_ID}:{function}") },
        "messageAttributes": { "runaway-guard-chain": {
            "stringValue": format!("root={root};depth=17;function={function}"), "dataType": "String" } },
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:chain-events",
        "awsRegion": "us-east-1"
    })
}

/// The same events as [`batch`], each record written exactly as Lambda's SQS poller writes it (every
/// key in AWS's order, `receiptHandle`, `md5OfBody` and all four system attributes) around a body
/// written as an EventBridge rule writes it. Records this size fit Lambda's 6 MB payload limit
/// [`AWS_EVENTS`] at a time.
pub fn aws_batch() -> Vec<u8> {
    let records: Vec<String> = (0..AWS_EVENTS).map(aws_record).collect();
    let bytes = format!(r#"{{"Records":[{}]}}"#, records.join(",")).into_bytes();
    assert!(bytes.len() <= runaway_guard::event::MAX_EVENT_BYTES, "{} bytes", bytes.len());
    bytes
}

/// Records in [`aws_batch`].
pub const AWS_EVENTS: usize = 6_400;

fn aws_record(i: usize) -> String {
    let (chain, hop) = (i / 10, i % 10);
    let function = format!("orders-worker-{}", (chain + hop) % 100);
    let body = format!(
        r#"{{"version":"0","id":"{i:08x}-aaaa-4bbb-8ccc-dddddddddddd","detail-type":"OrderRowProcessed","source":"com.example.orders","account":"123456789012","time":"2027-01-15T07:59:30Z","region":"us-east-1","resources":[],"detail":{{"runawayGuard":{{"root":"1-6789abcd-{chain:024x}","depth":{depth},"function":"{function}"}}}}}}"#,
        depth = hop + 1
    );
    let body = serde_json::Value::String(body).to_string();
    // A receipt handle as SQS issues them: about 180 characters of base64.
    let receipt = format!("AQEB{i:08}{}", "wJnKyrHigUMZj6rYigCgxlaS3SLy0a+/=".repeat(5));
    format!(
        r#"{{"messageId":"{i:08x}-0000-4000-8000-000000000000","receiptHandle":"{receipt}","body":{body},"attributes":{{"ApproximateReceiveCount":"1","SentTimestamp":"1800000000000","SenderId":"AIDAIENQZJOLO23YVJ4VO","ApproximateFirstReceiveTimestamp":"1800000000005"}},"messageAttributes":{{}},"md5OfBody":"e4e68fb7bd0e697a0ae8f1bb342846b3","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:chain-events","awsRegion":"us-east-1"}}"#
    )
}
