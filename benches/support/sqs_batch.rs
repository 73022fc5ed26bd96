//! The SQS batch of 10,000 chain events that `benches/handler.rs` times and `examples/parse_cost.rs`
//! counts instructions on (shared by `#[path]`, so both measure the same bytes).

use serde_json::json;

/// Records in the batch.
pub const EVENTS: usize = 10_000;

/// The SQS batch: chain `c` hop `h` is emitted by `orders-worker-{(c + h) % 100}` at depth `h + 1`;
/// the last five events are chains already at depth 17.
pub fn batch() -> Vec<u8> {
    let records: Vec<_> = (0..EVENTS)
        .map(|i| {
            let (chain, hop) = (i / 10, i % 10);
            let deep = i >= EVENTS - 5;
            let depth = if deep { 17 } else { hop + 1 };
            let function =
                if deep { format!("looper-{i}") } else { format!("orders-worker-{}", (chain + hop) % 100) };
            let body = json!({
                "version": "0", "id": format!("{i:08x}-aaaa-4bbb-8ccc-dddddddddddd"),
                "detail-type": "OrderRowProcessed", "source": "com.example.orders",
                "account": "123456789012", "time": "2026-11-20T09:21:07Z", "region": "us-east-1",
                "resources": [],
                "detail": { "runawayGuard": {
                    "root": format!("1-6789abcd-{chain:024x}"), "depth": depth, "function": function } }
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
