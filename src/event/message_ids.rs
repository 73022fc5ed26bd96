//! The `messageId` of every record of an SQS batch, by position: what the handler names in a
//! partial batch response and remembers so a redelivered record is not counted twice.
//!
//! A pass of its own (the batch parsers yield signals, not envelopes), made after the batch has
//! been parsed and so on text already known to be JSON within the limits: a cursor that reads the
//! keys of each record and skips every value it does not need, strings with `memchr` (most of a
//! batch is its bodies). Anything unexpected ends the pass with `None` rather than a guess.

use super::sqs;

/// For an SQS batch (`Records` whose records all say `eventSource: aws:sqs`), each record's
/// `messageId` in order (`None` for a record without one, or that is not an object). `None` for
/// any other event, or input that is not such a batch.
pub fn sqs_message_ids(raw: &[u8]) -> Option<Vec<Option<String>>> {
    let mut cursor = Cursor { raw, at: 0 };
    let mut ids = None;
    cursor.object(|cursor, key| {
        if key == b"Records" && ids.is_none() {
            ids = Some(cursor.records()?);
            Some(())
        } else {
            cursor.skip_value()
        }
    })?;
    let (ids, any_sqs) = ids?;
    any_sqs.then_some(ids)
}

struct Cursor<'a> {
    raw: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&mut self) -> Option<u8> {
        while let Some(&byte) = self.raw.get(self.at) {
            if !matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(byte);
            }
            self.at += 1;
        }
        None
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// An object's members, `member` reading (or skipping) each value.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a [u8]) -> Option<()>) -> Option<()> {
        self.expect(b'{')?;
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.expect(b':')?;
            member(self, key)?;
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The raw text of a string (escapes left as written).
    fn string(&mut self) -> Option<&'a [u8]> {
        self.expect(b'"')?;
        let start = self.at;
        loop {
            let found = memchr::memchr2(b'"', b'\\', self.raw.get(self.at..)?)?;
            let at = self.at + found;
            if self.raw[at] == b'"' {
                self.at = at + 1;
                return self.raw.get(start..at);
            }
            self.at = at + 2;
        }
    }

    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => self.skip_container(),
            _ => {
                while let Some(&byte) = self.raw.get(self.at) {
                    if matches!(byte, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    self.at += 1;
                }
                Some(())
            }
        }
    }

    fn skip_container(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match *self.raw.get(self.at)? {
                b'"' => {
                    self.string()?;
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        self.at += 1;
                        return Some(());
                    }
                }
                _ => {}
            }
            self.at += 1;
        }
    }

    /// The `Records` array: each record's id, and whether any record is an SQS record (`None`
    /// when one names another source).
    fn records(&mut self) -> Option<(Vec<Option<String>>, bool)> {
        self.expect(b'[')?;
        let (mut ids, mut any_sqs) = (Vec::new(), false);
        if self.peek()? == b']' {
            self.at += 1;
            return Some((ids, any_sqs));
        }
        loop {
            if self.peek()? == b'{' {
                let (mut id, mut source) = (None, None);
                self.object(|cursor, key| match key {
                    b"messageId" if cursor.peek()? == b'"' => {
                        id = Some(cursor.string()?);
                        Some(())
                    }
                    b"eventSource" if cursor.peek()? == b'"' => {
                        source = Some(cursor.string()?);
                        Some(())
                    }
                    _ => cursor.skip_value(),
                })?;
                match source {
                    Some(source) if source == sqs::EVENT_SOURCE.as_bytes() => any_sqs = true,
                    Some(_) => return None,
                    None => {}
                }
                ids.push(id.and_then(text));
            } else {
                self.skip_value()?;
                ids.push(None);
            }
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some((ids, any_sqs));
                }
                _ => return None,
            }
        }
    }
}

/// A string's raw text as the id (decoded when it holds escapes, which SQS ids never do).
fn text(raw: &[u8]) -> Option<String> {
    let id = if raw.contains(&b'\\') {
        let quoted = [b"\"".as_slice(), raw, b"\"".as_slice()].concat();
        serde_json::from_slice::<String>(&quoted).ok()?
    } else {
        std::str::from_utf8(raw).ok()?.to_owned()
    };
    Some(super::json::shorten(&id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ids_in_order_and_only_from_sqs_batches() {
        let batch = br#"{"Records":[{"messageId":"a","eventSource":"aws:sqs","body":"{\"messageId\":\"x\"}"},
            {"eventSource":"aws:sqs"},[1],{"messageId":"c","eventSource":"aws:sqs"}]}"#;
        assert_eq!(sqs_message_ids(batch), Some(vec![Some("a".into()), None, None, Some("c".into())]));
        let sns = br#"{"Records":[{"EventSource":"aws:sns","messageId":"a"}]}"#;
        assert_eq!(sqs_message_ids(sns), None);
        let mixed = br#"{"Records":[{"messageId":"a","eventSource":"aws:sqs"},{"eventSource":"aws:s3"}]}"#;
        assert_eq!(sqs_message_ids(mixed), None);
        assert_eq!(sqs_message_ids(br#"{"source":"aws.lambda"}"#), None);
        assert_eq!(sqs_message_ids(b"{"), None);
        assert_eq!(
            sqs_message_ids(br#"{"Records":[{"messageId":"a\u0062","eventSource":"aws:sqs"}]}"#),
            Some(vec![Some("ab".into())])
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_any_prefix_of_a_batch(cut in 0usize..400) {
            let batch = br#"{"Records":[{"messageId":"a","eventSource":"aws:sqs","body":"{\"x\":[1,{\"y\":2}]}","n":-1.5e3,"t":true},{"eventSource":"aws:sqs"}]}"#;
            let _ = sqs_message_ids(&batch[..cut.min(batch.len())]);
        }
    }
}
