//! The quickest read of a batch record: one written exactly as AWS writes it. Lambda's SQS poller
//! writes every record with the same keys in the same order, compact, and an EventBridge rule
//! writes every body the same way. Such a record is a fixed run of texts (`{"messageId":`,
//! `,"body":"{\"version\":` …) with values between them, so it is read by comparing each
//! expected text in a few word compares and scanning each value, with no per-key dispatch.
//!
//! It accepts a strict subset of what `fast.rs`'s cursor path accepts, reads the same values with
//! the same checks, and builds the signal with the same functions; any other record (keys
//! reordered, added or left out beyond AWS's optional ones, spaces, `null`s, escapes, a header
//! that is not alone in `detail`) is a [`Miss`] here and is read by that path instead.

use super::reuse::Reuse;
use super::scan::{Cursor, Miss, Scan};
use super::{Envelope, detail, header, observation, system_attributes};
use crate::chain::ChainHeader;
use crate::signal::Signal;

/// Consumes `text` when it comes next; a miss otherwise.
#[inline(always)]
fn require(cursor: &mut Cursor<'_>, text: &[u8]) -> Scan<()> {
    if cursor.text(text) { Ok(()) } else { Err(Miss) }
}

/// An SQS record as Lambda's poller writes it, whose body is an EventBridge event with a chain
/// header: the same keys as AWS's documented example, in its order. `receiptHandle` and
/// `md5OfBody` may be left out (test tools and replays do).
pub(super) fn sqs_chain_record<'a>(cursor: &mut Cursor<'a>, reuse: &mut Reuse<'a>) -> Scan<Signal> {
    require(cursor, br#"{"messageId":"#)?;
    cursor.string()?;
    if cursor.text(br#","receiptHandle":"#) {
        cursor.string()?;
    }
    require(cursor, br#","body":"#)?;
    let signal = cursor.json_in_string(|body| chain_body(body, reuse))?;
    require(cursor, br#","attributes":"#)?;
    system_attributes(cursor)?;
    // Message attributes may carry the chain header: only an empty set is read here.
    require(cursor, br#","messageAttributes":{}"#)?;
    if cursor.text(br#","md5OfBody":"#) {
        cursor.string()?;
    }
    require(cursor, br#","eventSource":"aws:sqs","eventSourceARN":"#)?;
    cursor.string()?.plain()?;
    require(cursor, br#","awsRegion":"#)?;
    cursor.string()?.plain()?;
    require(cursor, b"}")?;
    Ok(signal)
}

/// The body: an EventBridge event's keys in the order EventBridge writes them, inside the record's
/// string (so every quote is `\"`).
fn chain_body<'a>(cursor: &mut Cursor<'a>, reuse: &mut Reuse<'a>) -> Scan<Signal> {
    require(cursor, br#"{\"version\":"#)?;
    cursor.string()?;
    require(cursor, br#",\"id\":"#)?;
    cursor.string()?;
    require(cursor, br#",\"detail-type\":"#)?;
    let detail_type = Some(cursor.string()?.plain_str()?);
    require(cursor, br#",\"source\":"#)?;
    let source = Some(cursor.string()?.plain_str()?);
    require(cursor, br#",\"account\":"#)?;
    let account = Some(cursor.string()?.plain_str()?);
    require(cursor, br#",\"time\":"#)?;
    let time = Some(cursor.string()?.plain_str()?);
    require(cursor, br#",\"region\":"#)?;
    let region = Some(cursor.string()?.plain_str()?);
    require(cursor, br#",\"resources\":"#)?;
    cursor.skip_value(2)?;
    require(cursor, br#",\"detail\":"#)?;
    let header = header_in_detail(cursor, reuse)?;
    require(cursor, b"}")?;
    Ok(observation(header, Envelope { account, region, time, source, detail_type }, reuse))
}

/// `detail`: most often the header alone, read as a run of texts; a detail with other keys is read
/// key by key (`fast::detail`).
fn header_in_detail<'a>(cursor: &mut Cursor<'a>, reuse: &mut Reuse<'a>) -> Scan<ChainHeader> {
    let start = cursor.token_start();
    if let Ok(header) = header_alone(cursor, reuse) {
        return Ok(header);
    }
    cursor.rewind(start);
    detail(cursor, reuse)?.ok_or(Miss)
}

/// `{"runawayGuard":{"root":…,"depth":…,"function":…}}`, inside the body's string.
fn header_alone<'a>(cursor: &mut Cursor<'a>, reuse: &mut Reuse<'a>) -> Scan<ChainHeader> {
    require(cursor, br#"{\"runawayGuard\":{\"root\":"#)?;
    let root = cursor.string()?.plain_str()?;
    require(cursor, br#",\"depth\":"#)?;
    let depth = cursor.small_integer()?;
    require(cursor, br#",\"function\":"#)?;
    let function = cursor.string()?.plain_str()?;
    require(cursor, b"}}")?;
    header(root, depth, function, reuse)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::event::{parse_bytes, parse_general};

    /// The header alone in `detail`, as the guard's own propagation writes it.
    pub const HEADER_ALONE: &str =
        r#"{"runawayGuard":{"root":"1-6789abcd-000000000000000000000abc","depth":3,"function":"orders"}}"#;

    /// A record as Lambda's SQS poller writes it (AWS's documented example), whose body is an
    /// EventBridge event with `detail` as given; built as text, so the keys' order is the one written.
    pub fn aws_record(index: usize, detail: &str) -> String {
        let body = format!(
            r#"{{"version":"0","id":"{index:08x}-aaaa","detail-type":"Row","source":"com.example","account":"123456789012","time":"2026-11-20T09:21:07Z","region":"us-east-1","resources":[],"detail":{detail}}}"#
        );
        let body = serde_json::Value::String(body).to_string();
        format!(
            r#"{{"messageId":"{index:08x}-0000","receiptHandle":"AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a/+=","body":{body},"attributes":{{"ApproximateReceiveCount":"1","SentTimestamp":"1545082649183","SenderId":"AIDAIENQZJOLO23YVJ4VO","ApproximateFirstReceiveTimestamp":"1545082649185"}},"messageAttributes":{{}},"md5OfBody":"e4e68fb7bd0e697a0ae8f1bb342846b3","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:my-queue","awsRegion":"us-east-1"}}"#
        )
    }

    /// The record read by this path alone; a miss unless it reads the whole text.
    fn read_exactly(record: &str) -> Scan<Signal> {
        let mut cursor = Cursor::new(record).ok_or(Miss)?;
        let signal = sqs_chain_record(&mut cursor, &mut Reuse::default())?;
        if cursor.at_end() { Ok(signal) } else { Err(Miss) }
    }

    fn batch(record: &str) -> Vec<u8> {
        format!(r#"{{"Records":[{record}]}}"#).into_bytes()
    }

    #[test]
    fn reads_records_as_aws_writes_them() {
        let full = aws_record(1, HEADER_ALONE);
        let trimmed = full
            .replacen(r#","receiptHandle":"AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a/+=""#, "", 1)
            .replacen(r#","md5OfBody":"e4e68fb7bd0e697a0ae8f1bb342846b3""#, "", 1);
        let with_other_detail = aws_record(
            2,
            r#"{"key":"img/0.png","runawayGuard":{"root":"1-a","depth":2,"function":"f"},"n":[1]}"#,
        );
        for record in [full, trimmed, with_other_detail] {
            let signal = read_exactly(&record);
            assert!(signal.is_ok(), "{record}");
            let general = parse_general(&batch(&record)).map(|parsed| parsed.signals);
            assert_eq!(general.ok(), signal.ok().map(|s| vec![s]), "{record}");
        }
    }

    #[test]
    fn leaves_any_other_shape_to_the_key_by_key_path() {
        let full = aws_record(1, HEADER_ALONE);
        for (from, to) in [
            (r#""receiptHandle""#, r#" "receiptHandle""#),
            (r#""messageId":"00000001-0000","#, ""),
            (r#""messageId":"00000001-0000","#, r#""messageId":"00000001-0000","x":1,"#),
            (r#""messageAttributes":{},"#, ""),
            (
                r#""messageAttributes":{}"#,
                r#""messageAttributes":{"k":{"dataType":"String","stringValue":"v"}}"#,
            ),
            (r#""messageAttributes":{}"#, r#""messageAttributes":null"#),
            (r#""attributes":{"#, r#""attributes":null,"a":{"#),
            (r#""aws:sqs""#, r#""aws:sns""#),
            (r#""awsRegion":"us-east-1""#, r#""awsRegion":null"#),
            (r#""awsRegion":"us-east-1""#, r#""awsRegion":"us-east-\u0031""#),
            (r#""us-east-1"}"#, r#""us-east-1","awsRegion":"x"}"#),
            (r#"\"account\":\"123456789012\""#, r#"\"account\":null"#),
            (r#"\"version\":\"0\""#, r#"\"version\":0"#),
            (r#",\"time\":"#, r#", \"time\":"#),
            (r#"\"region\":\"us-east-1\","#, ""),
            (r#"\"orders\"}}}"#, r#"\"orders\"}},\"replay-name\":\"r\"}"#),
            (r#"\"depth\":3"#, r#"\"depth\":03"#),
            (r#"\"function\":\"orders\"}"#, r#"\"function\":\"orders\",\"x\":1}"#),
            (r#"\"detail\":{"#, r#"\"detail\":null,\"d\":{"#),
        ] {
            let record = full.replacen(from, to, 1);
            assert_ne!(record, full, "the edit {from} applies");
            assert_eq!(read_exactly(&record), Err(Miss), "{record}");
            // Read some other way, the record is still decided as the general parser decides it.
            assert_eq!(parse_bytes(&batch(&record)), parse_general(&batch(&record)), "{record}");
        }
    }
}
