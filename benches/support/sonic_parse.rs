//! The SQS chain-event path of `event::parse_bytes` written with sonic-rs instead of serde_json, for
//! the parser comparison in `benches/handler.rs`: the same passes (records kept raw, each record's
//! source, then the record, then its body) and the same typed structs and header validation.

use std::collections::HashMap;
use std::sync::Arc;

use runaway_guard::chain::ChainField;
use runaway_guard::signal::{ChainObservation, Signal};
use runaway_guard::time::Timestamp;
use serde::Deserialize;
use sonic_rs::LazyValue;

#[derive(Deserialize)]
struct Batch<'a> {
    #[serde(rename = "Records", borrow)]
    records: Vec<LazyValue<'a>>,
}

#[derive(Deserialize)]
struct RecordSource<'a> {
    #[serde(rename = "EventSource", borrow)]
    sns_style: Option<Text<'a>>,
    #[serde(rename = "eventSource", borrow)]
    other: Option<Text<'a>>,
}

#[derive(Deserialize)]
#[serde(transparent)]
struct Text<'a>(#[serde(borrow)] std::borrow::Cow<'a, str>);

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct SqsRecord<'a> {
    body: Option<String>,
    message_attributes: Option<HashMap<String, sonic_rs::Value>>,
    attributes: Option<Attributes>,
    #[serde(rename = "eventSourceARN", borrow)]
    event_source_arn: Option<Text<'a>>,
    #[serde(borrow)]
    aws_region: Option<Text<'a>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Attributes {
    #[serde(rename = "SentTimestamp")]
    sent_timestamp: Option<sonic_rs::Value>,
}

#[derive(Deserialize)]
struct ChainEvent<'a> {
    #[serde(borrow)]
    account: Option<Text<'a>>,
    #[serde(borrow)]
    region: Option<Text<'a>>,
    #[serde(borrow)]
    time: Option<Text<'a>>,
    detail: Option<ChainDetail>,
}

#[derive(Deserialize)]
struct ChainDetail {
    #[serde(rename = "runawayGuard")]
    chain: Option<ChainField>,
}

/// Signals and the number of rejected records (errors are not classified here).
pub fn parse(raw: &[u8]) -> Result<(Vec<Signal>, usize), sonic_rs::Error> {
    let batch: Batch<'_> = sonic_rs::from_slice(raw)?;
    let (mut signals, mut rejected) = (Vec::with_capacity(batch.records.len()), 0);
    for record in &batch.records {
        match record_signal(record.as_raw_str()) {
            Some(signal) => signals.push(signal),
            None => rejected += 1,
        }
    }
    Ok((signals, rejected))
}

fn record_signal(record: &str) -> Option<Signal> {
    let source: RecordSource<'_> = sonic_rs::from_str(record).ok()?;
    if source.sns_style.or(source.other)?.0 != "aws:sqs" {
        return None;
    }
    let record: SqsRecord<'_> = sonic_rs::from_str(record).ok()?;
    let body = record.body?;
    let event: ChainEvent<'_> = sonic_rs::from_str(&body).ok()?;
    let header = event.detail?.chain?.0.ok()?;
    let shared = |text: Option<Text<'_>>| text.map(|Text(text)| Arc::from(text.as_ref()));
    let emitted_at = event.time.as_ref().and_then(|t| Timestamp::parse_rfc3339(&t.0));
    let (account, region) = (shared(event.account), shared(event.region));
    Some(Signal::Chain(ChainObservation { header, emitted_at, account, region }))
}

/// What the trust model needs of a parser, checked on sonic-rs: `(check, holds)`.
pub fn strictness() -> Vec<(&'static str, bool)> {
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Two {
        a: u8,
    }
    let rejects = |text: &[u8]| sonic_rs::from_slice::<Two>(text).is_err();
    let rejects_str = |text: &[u8]| sonic_rs::from_slice::<String>(text).is_err();
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    vec![
        ("repeated key in a derived struct", rejects(br#"{"a":1,"a":2}"#)),
        ("invalid UTF-8 in a string", rejects_str(b"\"\xff\"")),
        ("lone surrogate escape", rejects_str(br#""\ud800""#)),
        ("control byte in a string", rejects_str(b"\"a\x01b\"")),
        ("trailing text", rejects(br#"{"a":1} x"#)),
        ("nesting 200 deep", sonic_rs::from_slice::<sonic_rs::Value>(deep.as_bytes()).is_err()),
    ]
}

/// The lower bound the issue measured: the whole batch read in one typed pass (records, then each
/// body), with no per-record rejection (one bad record fails the batch) and no limits scan.
#[derive(Deserialize)]
struct OnePassBatch<'a> {
    #[serde(rename = "Records", borrow)]
    records: Vec<OnePassRecord<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct OnePassRecord<'a> {
    #[serde(borrow)]
    event_source: Option<Text<'a>>,
    body: Option<String>,
    message_attributes: Option<HashMap<String, serde::de::IgnoredAny>>,
    attributes: Option<OnePassAttributes<'a>>,
    #[serde(rename = "eventSourceARN", borrow)]
    event_source_arn: Option<Text<'a>>,
    #[serde(borrow)]
    aws_region: Option<Text<'a>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct OnePassAttributes<'a> {
    #[serde(rename = "SentTimestamp", borrow)]
    sent_timestamp: Option<Text<'a>>,
}

fn one_pass_signals(batch: OnePassBatch<'_>, body: impl Fn(&str) -> Option<ChainEvent<'_>>) -> usize {
    let mut signals = Vec::with_capacity(batch.records.len());
    for record in batch.records {
        let Some(event) = record.body.as_deref().and_then(&body) else { continue };
        let Some(Ok(header)) = event.detail.and_then(|d| d.chain).map(|c| c.0) else { continue };
        let shared = |text: Option<Text<'_>>| text.map(|Text(text)| Arc::<str>::from(text.as_ref()));
        let emitted_at = event.time.as_ref().and_then(|t| Timestamp::parse_rfc3339(&t.0));
        let (account, region) = (shared(event.account), shared(event.region));
        signals.push(Signal::Chain(ChainObservation { header, emitted_at, account, region }));
    }
    signals.len()
}

/// One typed serde_json pass; the number of signals.
pub fn one_pass_serde_json(raw: &[u8]) -> Option<usize> {
    let batch: OnePassBatch<'_> = serde_json::from_slice(raw).ok()?;
    Some(one_pass_signals(batch, |body| serde_json::from_str(body).ok()))
}

/// One typed sonic-rs pass; the number of signals.
pub fn one_pass_sonic_rs(raw: &[u8]) -> Option<usize> {
    let batch: OnePassBatch<'_> = sonic_rs::from_slice(raw).ok()?;
    Some(one_pass_signals(batch, |body| sonic_rs::from_str(body).ok()))
}
