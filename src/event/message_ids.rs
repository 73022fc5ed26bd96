//! The `messageId` of every record of an SQS batch, by position: what the handler names in a
//! partial batch response and remembers so a redelivered record is not counted twice.
//!
//! A pass of its own (the batch parsers yield signals, not envelopes), made after the batch has
//! been parsed. It never walks the bodies: it finds the keys with `memchr::memmem`. A key's quotes
//! are raw bytes only where JSON structure is (inside a string every quote is escaped), and an SQS
//! record's only structural keys written by senders are message-attribute names, whose values are
//! objects; so `"messageId": "<id>"` is found exactly once per SQS record, in order, and never in
//! an SNS record. One pass over the batch (about 1 ms for 6 MB). The handler relies on the ids only
//! when there is exactly one per record the parser saw.

use memchr::memmem;

/// A record's `messageId` as written in the batch: borrowed, so the handler allocates only for the
/// ids it names in a partial batch response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawMessageId<'a>(&'a str);

impl<'a> RawMessageId<'a> {
    /// The id as written (escapes, which SQS ids never hold, left undecoded): the same bytes on
    /// every delivery of the message, so the memory keys on it.
    pub fn as_written(self) -> &'a str {
        self.0
    }

    /// The id itself, as a partial batch response names it (`None` when an escape does not decode,
    /// which [`sqs_message_ids`] never returns).
    pub fn text(self) -> Option<String> {
        if !self.0.contains('\\') {
            return Some(super::json::shorten(self.0));
        }
        let id = serde_json::from_str::<String>(&format!("\"{}\"", self.0)).ok()?;
        Some(super::json::shorten(&id))
    }
}

/// For an SQS batch, each record's `messageId` in order; `None` when the event is not one (SNS
/// records carry no top-level `messageId`), or when an id does not read as a string. The caller
/// checks that there is exactly one id per record before relying on the positions.
pub fn sqs_message_ids(raw: &[u8]) -> Option<Vec<RawMessageId<'_>>> {
    memmem::find(raw, b"\"Records\"")?;
    let ids: Option<Vec<RawMessageId<'_>>> = string_values(raw, b"\"messageId\"")
        .map(|id| std::str::from_utf8(id?).ok().map(RawMessageId))
        // An id that does not decode could not be named in a partial batch response.
        .map(|id| id.filter(|id| !id.0.contains('\\') || id.text().is_some()))
        .collect();
    ids.filter(|ids| !ids.is_empty())
}

/// For each occurrence of `key` followed by `:` and a string, the raw text of that string (`None`
/// when the string does not end); other values, such as a message attribute's object, are skipped.
fn string_values<'a>(raw: &'a [u8], key: &'a [u8]) -> impl Iterator<Item = Option<&'a [u8]>> + 'a {
    memmem::find_iter(raw, key).filter_map(move |at| {
        let mut at = skip_ws(raw, at + key.len());
        if raw.get(at) != Some(&b':') {
            return None;
        }
        at = skip_ws(raw, at + 1);
        if raw.get(at) != Some(&b'"') {
            return None;
        }
        Some(string_at(raw, at + 1))
    })
}

fn skip_ws(raw: &[u8], mut at: usize) -> usize {
    while raw.get(at).is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// The raw text of the string whose text starts at `start` (escapes left as written).
fn string_at(raw: &[u8], start: usize) -> Option<&[u8]> {
    let mut at = start;
    loop {
        let found = memchr::memchr2(b'"', b'\\', raw.get(at..)?)?;
        at += found;
        if raw[at] == b'"' {
            return raw.get(start..at);
        }
        at += 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ids_in_order_and_only_from_sqs_batches() {
        let batch = br#"{"Records":[{"messageId":"a","eventSource":"aws:sqs","body":"{\"messageId\":\"x\",\"eventSource\":\"aws:sqs\"}",
            "messageAttributes":{"messageId":{"stringValue":"y"}}},{"messageId" : "c", "eventSource":"aws:sqs"}]}"#;
        let texts = |raw| sqs_message_ids(raw).map(|ids| ids.into_iter().map(RawMessageId::text).collect());
        assert_eq!(texts(batch), Some(vec![Some("a".to_owned()), Some("c".to_owned())]));
        let sns = br#"{"Records":[{"EventSource":"aws:sns","Sns":{"MessageId":"a","Message":"{}"}}]}"#;
        assert_eq!(sqs_message_ids(sns), None);
        // One id for two records: the handler sees the count differ and does not use the ids.
        let missing = br#"{"Records":[{"messageId":"a","eventSource":"aws:sqs"},{"eventSource":"aws:sqs"}]}"#;
        assert_eq!(texts(missing), Some(vec![Some("a".to_owned())]));
        assert_eq!(sqs_message_ids(br#"{"source":"aws.lambda"}"#), None);
        assert_eq!(sqs_message_ids(b"{"), None);
        let escaped = br#"{"Records":[{"messageId":"a\u0062","eventSource":"aws:sqs"}]}"#;
        let ids = sqs_message_ids(escaped).unwrap_or_default();
        assert_eq!(ids.iter().map(|id| id.as_written()).collect::<Vec<_>>(), [r"a\u0062"]);
        assert_eq!(texts(escaped), Some(vec![Some("ab".to_owned())]));
        assert_eq!(sqs_message_ids(br#"{"Records":[{"messageId":"a\x","eventSource":"aws:sqs"}]}"#), None);
        assert_eq!(sqs_message_ids(b"{\"Records\":[{\"messageId\":\"\xff\"}]}"), None, "not UTF-8");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_any_prefix_of_a_batch(cut in 0usize..400) {
            let batch = br#"{"Records":[{"messageId":"a\"b","eventSource":"aws:sqs","body":"{\"x\":[1,{\"y\":2}]}"},{"eventSource":"aws:sqs"}]}"#;
            let _ = sqs_message_ids(&batch[..cut.min(batch.len())]);
        }
    }
}
