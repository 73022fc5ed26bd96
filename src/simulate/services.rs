//! What the other services a function's output drives charge per event, added to the leaked
//! dollars: a loop through EventBridge pays for every event it puts on the bus, a loop through S3
//! for every object it writes. List prices, us-east-1, without free tiers:
//! - EventBridge custom events: $1.00 per million (`PutEvents`, 64 KB chunks);
//! - SNS: $0.50 per million publishes (deliveries to Lambda are free);
//! - S3 Standard: $0.005 per 1,000 PUT requests;
//! - asynchronous `Invoke`: nothing beyond the Lambda request, which the invocation is billed;
//! - SQS standard: $0.40 per million requests, three per message at batch size 1 (`SendMessage`,
//!   the mapping's `ReceiveMessage` and `DeleteMessage`);
//! - DynamoDB on-demand: $0.625 per million write request units (one per write of up to 1 KB;
//!   Lambda's reads of the stream are free);
//! - Kinesis Data Streams, provisioned: $0.014 per million PUT payload units (25 KB each).
//!
//! Only emissions are charged (a function's output): organic events are the same in every run and
//! in the baseline, so they would never show in an excess.

use super::model::Kind;

/// USD one event of `kind` costs the service that carries it.
pub(crate) fn usd_per_event(kind: Kind) -> f64 {
    let per_million = match kind {
        Kind::EventBridge => 1.00,
        Kind::Sns => 0.50,
        Kind::S3 => 5.00,
        Kind::Async | Kind::Sync => 0.0,
        Kind::Sqs => 3.0 * 0.40,
        Kind::DynamoDb => 0.625,
        Kind::Kinesis => 0.014,
    };
    per_million / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_million_events_cost_the_list_price() {
        let million = |kind| usd_per_event(kind) * 1_000_000.0;
        assert!((million(Kind::EventBridge) - 1.0).abs() < 1e-9);
        assert!((million(Kind::S3) - 5.0).abs() < 1e-9, "$0.005 per 1,000 PUTs");
        assert!((million(Kind::Sqs) - 1.2).abs() < 1e-9, "send, receive, delete");
        assert_eq!(million(Kind::Async), 0.0, "the invocation carries the request charge");
    }
}
