//! The fast path for the guard's largest input: an SQS batch of up to 10 000 records whose bodies are
//! EventBridge events carrying `detail.runawayGuard` (an EventBridge rule targeting the queue).
//!
//! The general parser reads such a batch several times over: it splits the records, reads each
//! record, unescapes its body into a new `String`, then reads the body, and most of those bytes are
//! escaped JSON that `serde_json` steps through one escape at a time. This path reads the batch once
//! with the strict cursor of `scan.rs`, reading each body where it lies (no unescaped copy), and
//! keeps only the keys the signal needs.
//!
//! It never decides anything the general parser would decide differently:
//! - it accepts only records in the exact common shape (`eventSource` "aws:sqs", a string `body`
//!   whose JSON needs no escapes of its own, no message attributes, no escaped keys, no repeated
//!   known keys, a header object with exactly `root`, `depth` and `function`), and builds the same
//!   `Signal` from them;
//! - any other record is handed, as its own text, to the general record parser (so its rejection
//!   reads the same);
//! - a document it cannot read, or that breaks a limit, is re-read whole by the general parser,
//!   which names the error.
//!
//! `tests::agrees_with_the_general_parser` holds it to that over mutated batches.
//!
//! This directory is the whole fast path: this file decides what it reads ([`SHAPES`]), `exact.rs`
//! reads a record written exactly as AWS writes it, `scan.rs` is its strict JSON cursor and
//! `reuse.rs` shares what a batch repeats. Nothing outside it calls into it but [`parse_batch`].
//! It exists because the general parser is about ten times slower on this batch (measured in
//! `docs/benchmarks.md`, "One parser or two").

mod exact;
mod reuse;
mod scan;

use self::reuse::{Field, Reuse};
use self::scan::{Cursor, Miss, Scan};
use super::{MAX_EVENT_BYTES, ParsedEvent, parse_record, sqs};
use crate::chain::ChainHeader;
use crate::signal::{ChainObservation, Signal};

/// What the fast path does with a shape of event.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// Read here (records of another shape inside the batch still go to the general parser).
    Fast,
    /// Left whole to the general parser.
    General,
}

/// Every shape of event the general parser recognises, keyed as `envelope::dispatch` and
/// `parse_record` tell them apart, with the route the fast path gives it. A new shape taught to the
/// general parser must be added here: `tests::every_fixture_shape_is_classified` fails for a fixture
/// whose shape is missing. (Only the tests read it: the fast path itself recognises its shape by
/// reading it.)
#[cfg(test)]
const SHAPES: &[(&str, Route)] = &[
    // The one shape read here: a batch of EventBridge chain events delivered by SQS.
    ("Records[].eventSource=aws:sqs", Route::Fast),
    ("Records[].EventSource=aws:sns", Route::General),
    ("source=aws.cloudwatch alarmData", Route::General),
    ("source=aws.cloudwatch detail-type=CloudWatch Alarm State Change", Route::General),
    ("source=aws.cloudwatch detail-type=CloudWatch Alarm Contributor State Change", Route::General),
    ("source=aws.events detail-type=Scheduled Event", Route::General),
    ("source=aws.lambda detail-type=AWS API Call via CloudTrail", Route::General),
    ("detail.runawayGuard", Route::General),
];

/// Lambda's largest SQS batch.
const MAX_BATCH: usize = 10_000;
/// Fewer bytes than any record of the common shape takes, to size the signals up front.
const MIN_RECORD_BYTES: usize = 256;

/// Reads `{"Records": [...]}` (that key only). `None` hands the whole document to the general parser.
pub(super) fn parse_batch(raw: &[u8]) -> Option<ParsedEvent> {
    if raw.len() > MAX_EVENT_BYTES {
        return None;
    }
    let mut cursor = Cursor::new(std::str::from_utf8(raw).ok()?)?;
    let mut parsed = ParsedEvent::default();
    // Sized once: growing to 10 000 signals doubling by doubling copies each about twice more.
    parsed.signals.reserve((raw.len() / MIN_RECORD_BYTES).min(MAX_BATCH));
    let (mut seen_records, mut count) = (false, 0);
    let mut reuse = Reuse::default();
    cursor
        .object(1, |cursor, key| {
            if key.plain()? != b"Records" || std::mem::replace(&mut seen_records, true) {
                return Err(Miss);
            }
            cursor.array(2, |cursor, index| {
                count += 1;
                record(cursor, index, &mut parsed, &mut reuse)
            })
        })
        .ok()?;
    (count > 0 && cursor.at_end()).then_some(parsed)
}

/// One record: read here when it has the common shape, otherwise validated, cut out and given to
/// the general record parser.
fn record<'a>(
    cursor: &mut Cursor<'a>,
    index: usize,
    parsed: &mut ParsedEvent,
    reuse: &mut Reuse<'a>,
) -> Scan<()> {
    let start = cursor.token_start();
    // Exactly as AWS writes it, else key by key, else the general parser.
    if let Ok(signal) = exact::sqs_chain_record(cursor, reuse) {
        parsed.signals.push(signal);
        return Ok(());
    }
    cursor.rewind(start);
    if let Ok(signal) = sqs_chain_record(cursor, reuse) {
        parsed.signals.push(signal);
        return Ok(());
    }
    cursor.rewind(start);
    cursor.skip_value(3)?;
    match parse_record(cursor.since(start)?) {
        Ok(signal) => parsed.signals.push(signal),
        Err(error) => parsed.rejected.push((format!("Records[{index}]"), error)),
    }
    Ok(())
}

// Each object's keys in the order AWS writes them (see `Cursor::object_in_order`): an SQS record and
// its `attributes`, then, inside the body's string, an EventBridge event, its `detail` and the header.
const RECORD_KEYS: &[&[u8]] = &[
    br#""messageId":"#,
    br#""receiptHandle":"#,
    br#""body":"#,
    br#""attributes":"#,
    br#""messageAttributes":"#,
    br#""md5OfBody":"#,
    br#""eventSource":"#,
    br#""eventSourceARN":"#,
    br#""awsRegion":"#,
];
const ATTRIBUTE_KEYS: &[&[u8]] = &[
    br#""ApproximateReceiveCount":"#,
    br#""SentTimestamp":"#,
    br#""SenderId":"#,
    br#""ApproximateFirstReceiveTimestamp":"#,
];
const BODY_KEYS: &[&[u8]] = &[
    br#"\"version\":"#,
    br#"\"id\":"#,
    br#"\"detail-type\":"#,
    br#"\"source\":"#,
    br#"\"account\":"#,
    br#"\"time\":"#,
    br#"\"region\":"#,
    br#"\"resources\":"#,
    br#"\"detail\":"#,
];
const DETAIL_KEYS: &[&[u8]] = &[br#"\"runawayGuard\":"#];
const HEADER_KEYS: &[&[u8]] = &[br#"\"root\":"#, br#"\"depth\":"#, br#"\"function\":"#];

/// Marks a known key as seen; a repeat is a miss (the general parser rejects it).
fn first_time(seen: &mut u8, bit: u8) -> Scan<()> {
    if *seen & bit != 0 {
        return Err(Miss);
    }
    *seen |= bit;
    Ok(())
}

/// An SQS record of the common shape.
fn sqs_chain_record<'a>(cursor: &mut Cursor<'a>, reuse: &mut Reuse<'a>) -> Scan<Signal> {
    let (mut seen, mut from_sqs, mut signal) = (0u8, false, None);
    cursor.object_in_order(3, RECORD_KEYS, |cursor, key| {
        match key {
            b"eventSource" => {
                first_time(&mut seen, 1)?;
                from_sqs = cursor.string()?.plain()? == sqs::EVENT_SOURCE.as_bytes();
            }
            b"body" => {
                first_time(&mut seen, 2)?;
                signal = Some(cursor.json_in_string(|body| chain_body(body, reuse))?);
            }
            b"messageAttributes" => {
                // Any attribute may be the chain header: those records go the general way.
                first_time(&mut seen, 4)?;
                if !cursor.null()? {
                    cursor.object(4, |_, _| Err(Miss))?;
                }
            }
            b"attributes" => {
                first_time(&mut seen, 8)?;
                if !cursor.null()? {
                    system_attributes(cursor)?;
                }
            }
            b"eventSourceARN" => {
                first_time(&mut seen, 16)?;
                cursor.plain_string_or_null()?;
            }
            b"awsRegion" => {
                first_time(&mut seen, 32)?;
                cursor.plain_string_or_null()?;
            }
            // SNS's spelling: the general parser gives it precedence.
            b"EventSource" => return Err(Miss),
            _ => cursor.skip_value(4)?,
        }
        Ok(())
    })?;
    signal.filter(|_| from_sqs).ok_or(Miss)
}

/// `attributes`: the general parser reads `SentTimestamp` and `SenderId` (each once, as any JSON
/// value); a plain string is what SQS sends. A body-borne header's sender proves nothing, so only
/// the repeat matters here.
fn system_attributes(cursor: &mut Cursor<'_>) -> Scan<()> {
    let mut seen = 0u8;
    cursor.object_in_order(4, ATTRIBUTE_KEYS, |cursor, key| match key {
        b"SentTimestamp" => {
            first_time(&mut seen, 1)?;
            cursor.plain_string_or_null().map(drop)
        }
        b"SenderId" => {
            first_time(&mut seen, 2)?;
            cursor.skip_value(5)
        }
        _ => cursor.skip_value(5),
    })
}

/// The body: an EventBridge event whose `detail.runawayGuard` is the chain header.
fn chain_body<'a>(cursor: &mut Cursor<'a>, reuse: &mut Reuse<'a>) -> Scan<Signal> {
    let (mut seen, mut account, mut region, mut time, mut header) = (0u8, None, None, None, None);
    let (mut source, mut detail_type) = (None, None);
    cursor.object_in_order(1, BODY_KEYS, |cursor, key| {
        match key {
            b"account" => {
                first_time(&mut seen, 1)?;
                account = cursor.plain_string_or_null()?;
            }
            b"region" => {
                first_time(&mut seen, 2)?;
                region = cursor.plain_string_or_null()?;
            }
            b"time" => {
                first_time(&mut seen, 4)?;
                time = cursor.plain_string_or_null()?;
            }
            b"detail" => {
                first_time(&mut seen, 8)?;
                header = detail(cursor, reuse)?;
            }
            b"source" => {
                first_time(&mut seen, 16)?;
                source = cursor.plain_string_or_null()?;
            }
            b"detail-type" => {
                first_time(&mut seen, 32)?;
                detail_type = cursor.plain_string_or_null()?;
            }
            _ => cursor.skip_value(2)?,
        }
        Ok(())
    })?;
    Ok(observation(header.ok_or(Miss)?, Envelope { account, region, time, source, detail_type }, reuse))
}

/// The envelope fields of an EventBridge event that a chain observation keeps, as the body writes them.
struct Envelope<'a> {
    pub account: Option<&'a str>,
    pub region: Option<&'a str>,
    pub time: Option<&'a str>,
    pub source: Option<&'a str>,
    pub detail_type: Option<&'a str>,
}

/// The signal a body with this header and envelope stands for.
fn observation<'a>(header: ChainHeader, envelope: Envelope<'a>, reuse: &mut Reuse<'a>) -> Signal {
    let account = envelope.account.map(|a| reuse.text(Field::Account, a));
    let region = envelope.region.map(|r| reuse.text(Field::Region, r));
    let emitted_at = envelope.time.and_then(|t| reuse.time(t));
    let (source, detail_type) = (
        envelope.source.map(|s| reuse.text(Field::Source, s)),
        envelope.detail_type.map(|d| reuse.text(Field::DetailType, d)),
    );
    Signal::Chain(ChainObservation { header, emitted_at, account, region, sender: None, source, detail_type })
}

/// `detail`: the header under `runawayGuard`; the sender's other keys are skipped.
fn detail<'a>(cursor: &mut Cursor<'a>, reuse: &mut Reuse<'a>) -> Scan<Option<ChainHeader>> {
    let (mut seen, mut header) = (0u8, None);
    if cursor.null()? {
        return Ok(None);
    }
    cursor.object_in_order(2, DETAIL_KEYS, |cursor, key| {
        if key == b"runawayGuard" {
            first_time(&mut seen, 1)?;
            header = Some(chain_header(cursor, reuse)?);
            Ok(())
        } else {
            cursor.skip_value(3)
        }
    })?;
    Ok(header)
}

/// `{"root": ..., "depth": ..., "function": ...}`, each once and nothing else, all valid; any
/// deviation is left to the general parser, whose errors name it.
fn chain_header<'a>(cursor: &mut Cursor<'a>, reuse: &mut Reuse<'a>) -> Scan<ChainHeader> {
    let (mut seen, mut root, mut depth, mut function) = (0u8, None, None, None);
    cursor.object_in_order(3, HEADER_KEYS, |cursor, key| {
        match key {
            b"root" => {
                first_time(&mut seen, 1)?;
                root = Some(cursor.string()?.plain_str()?);
            }
            b"depth" => {
                first_time(&mut seen, 2)?;
                depth = Some(cursor.small_integer()?);
            }
            b"function" => {
                first_time(&mut seen, 4)?;
                function = Some(cursor.string()?.plain_str()?);
            }
            _ => return Err(Miss),
        }
        Ok(())
    })?;
    let (Some(root), Some(depth), Some(function)) = (root, depth, function) else {
        return Err(Miss);
    };
    header(root, depth, function, reuse)
}

/// A chain header from its three fields' texts, validated as the general parser validates them.
fn header<'a>(root: &'a str, depth: u32, function: &'a str, reuse: &mut Reuse<'a>) -> Scan<ChainHeader> {
    let root = reuse.root(root).ok_or(Miss)?;
    let function = reuse.function(function).ok_or(Miss)?;
    ChainHeader::new(root, depth, function).map_err(|_| Miss)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;
    use crate::event::parse_general;

    fn body(index: usize) -> Value {
        json!({
            "version": "0", "id": format!("{index:08x}"), "detail-type": "Row", "source": "com.example",
            "account": "123456789012", "time": "2026-11-20T09:21:07Z", "region": "us-east-1",
            "resources": [], "detail": {"other": [1, {"x": null}], "runawayGuard": {
                "root": format!("1-6789abcd-{index:024x}"), "depth": index % 17 + 1, "function": "orders"}}
        })
    }

    fn record(body: &Value) -> Value {
        json!({
            "messageId": "m", "body": body.to_string(), "attributes": {"SentTimestamp": "1800000000000"},
            "messageAttributes": {}, "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q", "awsRegion": "us-east-1"
        })
    }

    fn batch(records: Vec<Value>) -> Vec<u8> {
        json!({ "Records": records }).to_string().into_bytes()
    }

    /// The key of [`SHAPES`] for a document, found in `envelope::dispatch`'s order.
    fn shape_key(event: &Value) -> String {
        if let Some(records) = event.get("Records").and_then(Value::as_array) {
            let source = |r: &Value| match (r.get("EventSource"), r.get("eventSource")) {
                (Some(sns), _) => format!("Records[].EventSource={}", sns.as_str().unwrap_or_default()),
                (None, other) => {
                    format!("Records[].eventSource={}", other.and_then(Value::as_str).unwrap_or_default())
                }
            };
            return records.first().map(source).unwrap_or_default();
        }
        let text = |key: &str| event.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
        let (source, detail_type) = (text("source"), text("detail-type"));
        if source == "aws.cloudwatch" && event.get("alarmData").is_some() {
            return "source=aws.cloudwatch alarmData".into();
        }
        match SHAPES.iter().find(|(key, _)| *key == format!("source={source} detail-type={detail_type}")) {
            Some((key, _)) => (*key).to_owned(),
            None if event.pointer("/detail/runawayGuard").is_some() => "detail.runawayGuard".into(),
            None => format!("source={source} detail-type={detail_type}"),
        }
    }

    /// Every fixture the general parser reads (every real payload has one) must have its shape in
    /// [`SHAPES`]; the fast-path shape must be read here for every fixture of it that the general
    /// parser accepts, and the others never read here.
    #[test]
    fn every_fixture_shape_is_classified() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        let mut seen = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(dir).expect("fixtures") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let raw = std::fs::read(&path).expect("read fixture");
            let accepted = parse_general(&raw)
                .is_ok_and(|parsed| !parsed.signals.is_empty() || !parsed.calls.is_empty());
            let Ok(event) = serde_json::from_slice::<Value>(&raw) else { continue };
            if !accepted {
                continue;
            }
            let key = shape_key(&event);
            let route = SHAPES.iter().find(|(shape, _)| *shape == key).map(|(_, route)| *route);
            assert!(
                route.is_some(),
                "{}: shape `{key}` is read by the general parser but not classified for the fast path: \
                 add it to event::fast::SHAPES",
                path.display()
            );
            if route == Some(Route::General) && !key.starts_with("Records") {
                assert_eq!(parse_batch(&raw), None, "{}", path.display());
            }
            if route == Some(Route::Fast) {
                // Compact, as Lambda delivers it (the cursor leaves text with newlines alone).
                let compact = event.to_string().into_bytes();
                assert_eq!(
                    parse_batch(&compact).map(Ok),
                    Some(parse_general(&compact)),
                    "{}",
                    path.display()
                );
            }
            seen.insert(key);
        }
        for (shape, _) in SHAPES {
            assert!(seen.contains(*shape), "no fixture shows the shape `{shape}`");
        }
    }

    #[test]
    fn reads_the_common_shape_itself() {
        let raw = batch((0..3).map(|i| record(&body(i))).collect());
        let fast = parse_batch(&raw).expect("fast path takes the common shape");
        assert_eq!(fast.signals.len(), 3);
        assert_eq!(Ok(fast), parse_general(&raw));
    }

    #[test]
    fn hands_unusual_records_to_the_general_parser() {
        let mut with_attribute = record(&body(1));
        with_attribute["messageAttributes"] = json!({"runaway-guard-chain": {
            "stringValue": "root=1-a;depth=3;function=f", "dataType": "String"}});
        let mut bad_depth = body(2);
        bad_depth["detail"]["runawayGuard"]["depth"] = json!(0);
        let mut escaped_key = record(&body(3)).to_string();
        escaped_key = escaped_key.replacen("\"eventSource\"", "\"\\u0065ventSource\"", 1);
        let records = vec![
            record(&body(0)),
            with_attribute,
            record(&bad_depth),
            serde_json::from_str(&escaped_key).unwrap(),
            json!(5),
        ];
        let raw = batch(records);
        let fast = parse_batch(&raw).expect("the batch itself is common");
        assert_eq!(fast.signals.len(), 3);
        assert_eq!(fast.rejected.len(), 2);
        assert_eq!(Ok(fast), parse_general(&raw));
    }

    #[test]
    fn leaves_whole_documents_it_cannot_read() {
        let good = batch(vec![record(&body(0))]);
        let text = String::from_utf8(good.clone()).unwrap();
        for raw in [
            br#"{"Records":[]}"#.to_vec(),
            br#"{"Records":[{}],"source":"x"}"#.to_vec(),
            format!("{text} x").into_bytes(),
            good[..good.len() - 1].to_vec(),
            format!("{}{}", "{\"Records\":[".repeat(40), "]}".repeat(40)).into_bytes(),
        ] {
            assert_eq!(parse_batch(&raw), None, "{}", String::from_utf8_lossy(&raw));
        }
    }

    /// Edits that keep a batch JSON but may change what the general parser decides.
    fn edits() -> impl Strategy<Value = (usize, &'static str, &'static str)> {
        let pairs: Vec<(&str, &str)> = vec![
            ("\"aws:sqs\"", "\"aws:sns\""),
            ("\"eventSource\"", "\"EventSource\""),
            ("\"eventSource\"", "\"EventSource\":\"aws:sns\",\"eventSource\""),
            ("\"body\"", "\"bodi\""),
            ("\"messageAttributes\":{}", "\"messageAttributes\":null"),
            ("\"messageAttributes\":{}", "\"messageAttributes\":[]"),
            ("\"attributes\":{", "\"attributes\":{\"SentTimestamp\":1,"),
            ("\"attributes\":{", "\"attributes\":{\"SentTimestamp\":\"\\u0031\","),
            ("\"awsRegion\":\"us-east-1\"", "\"awsRegion\":7"),
            ("\"awsRegion\":\"us-east-1\"", "\"awsRegion\":\"\\ud800\""),
            ("\"awsRegion\"", "\"eventSource\":\"aws:sqs\",\"awsRegion\""),
            ("\\\"depth\\\":", "\\\"depth\\\":0"),
            ("\\\"depth\\\":", "\\\"depth\\\":1e"),
            ("\\\"depth\\\":", "\\\"depth\\\":-"),
            ("\\\"root\\\":\\\"", "\\\"root\\\":\\\"!"),
            ("\\\"function\\\":\\\"", "\\\"function\\\":\\\"\\\\u00e9"),
            ("\\\"function\\\"", "\\\"root\\\":\\\"r\\\",\\\"function\\\""),
            ("\\\"runawayGuard\\\":{", "\\\"runawayGuard\\\":{\\\"extra\\\":1,"),
            ("\\\"runawayGuard\\\":{", "\\\"runawayGuard\\\":null,\\\"x\\\":{"),
            ("\\\"detail\\\":{", "\\\"detail\\\":null,\\\"d\\\":{"),
            ("\\\"account\\\":\\\"", "\\\"account\\\":\\\"\\\\ud83d\\\\ude00"),
            ("\\\"account\\\":\\\"", "\\\"account\\\":\\\"\\\\u00e9"),
            ("\\\"time\\\":\\\"", "\\\"time\\\":\\\"x"),
            ("\\\"region\\\":\\\"us-east-1\\\"", "\\\"region\\\":null"),
            (
                "\\\"resources\\\":[]",
                "\\\"resources\\\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
            ),
            ("\\\"version\\\"", "\\\"account\\\":null,\\\"version\\\""),
            ("{\\\"version", "[{\\\"version"),
            ("\\\"}}}\"", "\\\"}}} \""),
            ("\\\"}}}\"", "\\\"}}}\\n\""),
            ("\\\"}}}\"", "\\\"}}}x\""),
            ("\"messageId\":\"", "\"messageId\":\"\\u0000\\/\\b"),
            ("\"messageId\":\"", "\"messageId\":\"\u{1}"),
            ("\"messageId\":\"", "\"messageId\":01,\"x\":\""),
            ("\"receiptHandle\"", "\"md5OfBody\":\"\",\"receiptHandle\""),
            ("\"receiptHandle\":\"", "\"receiptHandle\":null,\"r\":\""),
            ("\"md5OfBody\":\"", "\"md5OfBody\":\"\\u0041"),
            ("\"ApproximateReceiveCount\"", "\"SentTimestamp\":\"1\",\"ApproximateReceiveCount\""),
            ("\"SenderId\":\"", "\"SenderId\":\"\\t"),
            ("\"SenderId\":\"", "\"SenderId\":\"x\",\"SenderId\":\""),
            ("\\\"resources\\\":[]", "\\\"resources\\\":[\\\"arn\\\"]"),
            ("\\\"version\\\":\\\"0\\\"", "\\\"version\\\":0"),
            ("\\\"detail\\\":{", "\\\"detail\\\":{\\\"runawayGuard\\\":{},"),
            (",\\\"depth\\\":", ",\\\"depth\\\":1,\\\"depth\\\":"),
            ("\\\"function\\\":\\\"orders\\\"", "\\\"function\\\":\\\"orders\\\",\\\"root\\\":\\\"1-b\\\""),
            (":", " : "),
            (",", " ,\n"),
        ];
        (0usize..8, proptest::sample::select(pairs)).prop_map(|(record, (from, to))| (record, from, to))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

        /// Whatever edits a batch gets, `parse_bytes` (fast path first) decides exactly as the
        /// general parser alone; and the fast path still reads the records it was meant to read.
        #[test]
        fn agrees_with_the_general_parser(edits in proptest::collection::vec(edits(), 0..4), cut in 0usize..3) {
            // Half as AWS writes them (read exactly), half with other keys in `detail` (key by key).
            let mut records: Vec<String> = (0..8)
                .map(|i| match i % 2 {
                    0 => exact::tests::aws_record(i, exact::tests::HEADER_ALONE),
                    _ => record(&body(i)).to_string(),
                })
                .collect();
            for (index, from, to) in edits {
                records[index] = records[index].replacen(from, to, 1);
            }
            let mut raw = format!("{{\"Records\":[{}]}}", records.join(",")).into_bytes();
            if cut == 1 {
                raw.truncate(raw.len() / 2);
            }
            prop_assert_eq!(crate::event::parse_bytes(&raw), parse_general(&raw));
            if let Some(fast) = parse_batch(&raw) {
                prop_assert_eq!(Ok(fast), parse_general(&raw));
            }
        }

        /// Arbitrary bytes: never a panic, and never a different answer.
        #[test]
        fn agrees_on_arbitrary_bytes(raw in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut framed = b"{\"Records\":[".to_vec();
            framed.extend_from_slice(&raw);
            prop_assert_eq!(crate::event::parse_bytes(&framed), parse_general(&framed));
        }
    }
}
