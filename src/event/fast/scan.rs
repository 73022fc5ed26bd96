//! A strict JSON cursor for the fast path (`fast.rs`). It accepts no more than `serde_json` does
//! (same grammar, same escapes, the same nesting limit as `json::check_limits`), and it gives up
//! with [`Miss`] on anything else, or on a shape its caller does not want: the general parser then
//! reads that text and names what was wrong. It never allocates.
//!
//! It takes only text without control bytes (compact JSON, as Lambda delivers a batch): whitespace
//! is then only spaces, and a plain run inside a string ends only at a quote or a backslash, which
//! is a third less work per word than also looking for the control characters JSON forbids there.
//!
//! Most bytes of an SQS batch are bodies: JSON inside a JSON string, where every quote is escaped.
//! Unescaping a body and then reading it costs two passes through text that stops a scanner every
//! few bytes. [`Cursor::json_in_string`] instead reads the inner document where it lies, taking `\"`
//! as its quote; an inner string that needs escapes of its own is a miss. Strings are scanned eight
//! bytes at a time (SWAR on a `u64`).

use crate::event::MAX_NESTING;

/// The fast path does not take this text; the general parser will.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Miss;

/// A scan step's result.
pub(super) type Scan<T> = Result<T, Miss>;

/// The text between a string's quotes, escapes still in it.
#[derive(Debug, Clone, Copy)]
pub(super) struct RawStr<'a> {
    source: &'a str,
    start: usize,
    end: usize,
    escaped: bool,
}

impl<'a> RawStr<'a> {
    /// The string's bytes, when it holds no escape (they are then its value); an escaped string is
    /// a [`Miss`], since the general parser's handling of escapes is the one that counts. Bytes,
    /// because most strings are only compared: slicing a `str` checks character boundaries.
    #[inline(always)]
    pub fn plain(self) -> Scan<&'a [u8]> {
        match self.escaped {
            false => self.source.as_bytes().get(self.start..self.end).ok_or(Miss),
            true => Err(Miss),
        }
    }

    /// [`RawStr::plain`] as text.
    #[inline(always)]
    pub fn plain_str(self) -> Scan<&'a str> {
        match self.escaped {
            false => self.source.get(self.start..self.end).ok_or(Miss),
            true => Err(Miss),
        }
    }
}

/// A position in a JSON text that holds no control byte.
#[derive(Debug)]
pub(super) struct Cursor<'a> {
    text: &'a str,
    at: usize,
    /// Reading a document inside a string (see [`Cursor::json_in_string`]).
    nested: bool,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// High bit set in each byte of `word` below `limit` (≤ 0x80). Only the lowest set bit is exact
/// (a borrow can mark bytes above it), which is all the scan needs.
const fn bytes_below(word: u64, limit: u8) -> u64 {
    word.wrapping_sub(ONES * limit as u64) & !word & HIGHS
}

/// High bit set in each byte of `word` equal to `byte` (lowest set bit exact, as above).
const fn bytes_equal(word: u64, byte: u8) -> u64 {
    bytes_below(word ^ (ONES * byte as u64), 1)
}

/// High bit set at each byte of `word` that ends a plain run inside a string (in text without
/// control bytes): a quote or a backslash. Only the lowest set bit is exact.
#[inline(always)]
const fn stops(word: u64) -> u64 {
    bytes_equal(word, b'"') | bytes_equal(word, b'\\')
}

const fn is_stop(byte: u8) -> bool {
    byte == b'"' || byte == b'\\'
}

/// Offset of the first stop byte (see [`stops`]) at or after `at`, or `None` at the end of `bytes`.
#[inline(always)]
fn next_stop(bytes: &[u8], at: usize) -> Option<usize> {
    let rest = bytes.get(at..)?;
    // Whole words of one slice: no bounds check per word.
    let mut words = rest.chunks_exact(8);
    let mut word_start = at;
    for chunk in words.by_ref() {
        let word = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).ok()?);
        match stops(word) {
            0 => word_start += 8,
            found => return Some(word_start + (found.trailing_zeros() / 8) as usize),
        }
    }
    words.remainder().iter().position(|&b| is_stop(b)).map(|found| word_start + found)
}

/// Whether `text` is at `at` in `bytes`. The texts are constants, mostly of 8 to 40 bytes (keys with
/// their punctuation): those are compared a word at a time, the last word overlapping the one before,
/// so with the length known where it is inlined this is a few loads and compares, without a call to
/// `memcmp`. Shorter ones (`}`) are compared as slices.
#[inline(always)]
fn text_at(bytes: &[u8], at: usize, text: &[u8]) -> bool {
    let Some(here) = bytes.get(at..at + text.len()) else { return false };
    let len = text.len();
    if len < 8 {
        return here == text;
    }
    let word = |of: &[u8], from: usize| of.get(from..from + 8).and_then(|w| <[u8; 8]>::try_from(w).ok());
    let mut from = 0;
    while from + 8 < len {
        if word(here, from) != word(text, from) {
            return false;
        }
        from += 8;
    }
    word(here, len - 8) == word(text, len - 8)
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `text`; `None` when `text` holds a control byte (see the module
    /// documentation).
    pub fn new(text: &'a str) -> Option<Self> {
        // A fold rather than `any`: no early exit, so it vectorises.
        let controls = text.bytes().fold(false, |found, byte| found | (byte < 0x20));
        (!controls).then_some(Self { text, at: 0, nested: false })
    }

    /// Skips whitespace (spaces: there are no other) and returns the offset of the next token.
    #[inline(always)]
    pub fn token_start(&mut self) -> usize {
        let bytes = self.text.as_bytes();
        while bytes.get(self.at) == Some(&b' ') {
            self.at += 1;
        }
        self.at
    }

    /// Consumes `text` when the document has exactly it next, with no space before it (the texts the
    /// fast path expects are AWS's compact ones); false, nothing consumed, otherwise.
    #[inline(always)]
    pub fn text(&mut self, text: &[u8]) -> bool {
        let found = text_at(self.text.as_bytes(), self.at, text);
        if found {
            self.at += text.len();
        }
        found
    }

    /// Moves back to an offset returned by [`Cursor::token_start`].
    pub fn rewind(&mut self, at: usize) {
        self.at = at;
    }

    /// The text from `start` (a token start) to the cursor.
    pub fn since(&self, start: usize) -> Scan<&'a str> {
        self.text.get(start..self.at).ok_or(Miss)
    }

    /// True when only whitespace is left.
    pub fn at_end(&mut self) -> bool {
        self.token_start() == self.text.len()
    }

    /// The next token's first byte, not consumed (`"` for an inner document's `\"`).
    #[inline(always)]
    pub fn peek(&mut self) -> Scan<u8> {
        let byte = self.next_byte().ok_or(Miss)?;
        match byte {
            // A bare quote inside a string ends it: the inner document has ended early.
            b'"' if self.nested => Err(Miss),
            b'\\' if self.nested && self.text.as_bytes().get(self.at + 1) == Some(&b'"') => Ok(b'"'),
            b'\\' if self.nested => Err(Miss),
            byte => Ok(byte),
        }
    }

    /// The next token's first byte as it is (see [`Cursor::peek`] for what it means in an inner
    /// document). Enough for punctuation, which is never a quote or a backslash.
    #[inline(always)]
    fn next_byte(&mut self) -> Option<u8> {
        // One load when no space comes first (compact JSON: always).
        let bytes = self.text.as_bytes();
        match bytes.get(self.at) {
            Some(b' ') => bytes.get(self.token_start()).copied(),
            next => next.copied(),
        }
    }

    /// Consumes punctuation (or the quote opening a string of the outer document).
    #[inline(always)]
    fn expect(&mut self, byte: u8) -> Scan<()> {
        if self.next_byte() != Some(byte) {
            return Err(Miss);
        }
        self.at += 1;
        Ok(())
    }

    fn literal(&mut self, word: &str) -> Scan<()> {
        let at = self.token_start();
        if !self.text.get(at..).is_some_and(|rest| rest.starts_with(word)) {
            return Err(Miss);
        }
        self.at += word.len();
        Ok(())
    }

    /// Consumes `null` when it is next; false (nothing consumed) for any other token.
    pub fn null(&mut self) -> Scan<bool> {
        if self.peek()? != b'n' {
            return Ok(false);
        }
        self.literal("null").map(|()| true)
    }

    /// A string, validated but not unescaped.
    #[inline(always)]
    pub fn string(&mut self) -> Scan<RawStr<'a>> {
        if self.nested {
            return self.inner_string();
        }
        self.expect(b'"')?;
        let (bytes, start) = (self.text.as_bytes(), self.at);
        let mut escaped = false;
        loop {
            self.at = next_stop(bytes, self.at).ok_or(Miss)?;
            match bytes.get(self.at) {
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    self.at += 1;
                    self.escape()?;
                }
                _ => return Err(Miss),
            }
        }
        let end = self.at;
        self.at += 1;
        Ok(RawStr { source: self.text, start, end, escaped })
    }

    /// A string of an inner document: `\"`, characters that need no escape, `\"`.
    #[inline(always)]
    fn inner_string(&mut self) -> Scan<RawStr<'a>> {
        const QUOTE: &[u8] = b"\\\"";
        let (bytes, start) = (self.text.as_bytes(), self.token_start() + QUOTE.len());
        if bytes.get(self.at..start) != Some(QUOTE) {
            return Err(Miss);
        }
        let end = next_stop(bytes, start).ok_or(Miss)?;
        if bytes.get(end..end + QUOTE.len()) != Some(QUOTE) {
            return Err(Miss);
        }
        self.at = end + QUOTE.len();
        Ok(RawStr { source: self.text, start, end, escaped: false })
    }

    /// A string or `null`; `None` for `null`. Escaped strings are a miss (see [`RawStr::plain`]).
    pub fn plain_string_or_null(&mut self) -> Scan<Option<&'a str>> {
        if self.null()? { Ok(None) } else { self.string()?.plain_str().map(Some) }
    }

    /// A string holding a JSON document (an SQS body), read by `read` from a cursor over the inner
    /// document, without unescaping it. That cursor takes `\"` as its quote and refuses any other
    /// backslash, so what it accepts is a valid string here whose unescaped text is the document it
    /// read; the document must be followed by the string's closing quote.
    pub fn json_in_string<T>(&mut self, read: impl FnOnce(&mut Cursor<'a>) -> Scan<T>) -> Scan<T> {
        if self.nested {
            return Err(Miss);
        }
        self.expect(b'"')?;
        let mut inner = Cursor { text: self.text, at: self.at, nested: true };
        let value = read(&mut inner)?;
        let end = inner.token_start();
        if self.text.as_bytes().get(end) != Some(&b'"') {
            return Err(Miss);
        }
        self.at = end + 1;
        Ok(value)
    }

    /// Validates the escape after a backslash (any `\\u` escape passes, as in `serde_json` when it
    /// skips a string).
    fn escape(&mut self) -> Scan<()> {
        let kind = *self.text.as_bytes().get(self.at).ok_or(Miss)?;
        self.at += 1;
        match kind {
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Ok(()),
            b'u' => {
                let hex = self.text.as_bytes().get(self.at..self.at + 4).ok_or(Miss)?;
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return Err(Miss);
                }
                self.at += 4;
                Ok(())
            }
            _ => Err(Miss),
        }
    }

    /// A number, validated: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Scan<()> {
        let bytes = self.text.as_bytes();
        let digits = |at: &mut usize| {
            let start = *at;
            while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
                *at += 1;
            }
            *at - start
        };
        let mut at = self.token_start();
        if bytes.get(at) == Some(&b'-') {
            at += 1;
        }
        match bytes.get(at) {
            Some(b'0') => at += 1,
            Some(b'1'..=b'9') => {
                digits(&mut at);
            }
            _ => return Err(Miss),
        }
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            if digits(&mut at) == 0 {
                return Err(Miss);
            }
        }
        if matches!(bytes.get(at), Some(b'e' | b'E')) {
            at += 1;
            if matches!(bytes.get(at), Some(b'+' | b'-')) {
                at += 1;
            }
            if digits(&mut at) == 0 {
                return Err(Miss);
            }
        }
        self.at = at;
        Ok(())
    }

    /// A whole number of at most nine digits, without sign, fraction or exponent (anything else is
    /// a miss, even if it is a valid number).
    pub fn small_integer(&mut self) -> Scan<u32> {
        const MAX_DIGITS: usize = 9;
        let (bytes, start) = (self.text.as_bytes(), self.token_start());
        let (mut at, mut value) = (start, 0u32);
        while let Some(digit) = bytes.get(at).filter(|b| b.is_ascii_digit()) {
            if at - start == MAX_DIGITS {
                return Err(Miss);
            }
            value = value * 10 + u32::from(digit - b'0');
            at += 1;
        }
        // JSON's grammar: a digit at least, no leading zero; a fraction or an exponent would make it
        // another number.
        let leading_zero = at - start > 1 && bytes.get(start) == Some(&b'0');
        if at == start || leading_zero || matches!(bytes.get(at), Some(b'.' | b'e' | b'E')) {
            return Err(Miss);
        }
        self.at = at;
        Ok(value)
    }

    /// An object at nesting `level` (1 for a document's outermost value): `field` is called with
    /// each key and must consume that key's value.
    pub fn object(
        &mut self,
        level: usize,
        mut field: impl FnMut(&mut Self, RawStr<'a>) -> Scan<()>,
    ) -> Scan<()> {
        self.items(level, b'{', b'}', |cursor, _| {
            let key = cursor.string()?;
            cursor.expect(b':')?;
            field(cursor, key)
        })
    }

    /// An object whose keys usually come in a known order: `keys` holds each one's exact text from
    /// its opening quote through the colon, as this document writes it (`"body":`, or `\"body\":`
    /// inside a string). The key the order predicts next is taken by comparing that text, without
    /// scanning; any other key is scanned as usual. `field` gets each key's name and must consume its
    /// value; an escaped key is a miss (the general parser reads it).
    pub fn object_in_order(
        &mut self,
        level: usize,
        keys: &[&'static [u8]],
        mut field: impl FnMut(&mut Self, &'a [u8]) -> Scan<()>,
    ) -> Scan<()> {
        let quote = if self.nested { 2 } else { 1 };
        let name_of = |text: &'static [u8]| text.get(quote..text.len().saturating_sub(quote + 1));
        let mut next = 0;
        self.items(level, b'{', b'}', |cursor, _| {
            let at = cursor.token_start();
            let bytes = cursor.text.as_bytes();
            // The predicted key, or the one after it (a sender may leave an optional key out).
            let predicted = (next..next + 2).find_map(|index| {
                let text = *keys.get(index)?;
                text_at(bytes, at, text).then_some((index, text))
            });
            let name = match predicted {
                Some((index, text)) => {
                    cursor.at = at + text.len();
                    next = index + 1;
                    name_of(text).ok_or(Miss)?
                }
                None => {
                    let name = cursor.string()?.plain()?;
                    cursor.expect(b':')?;
                    if let Some(found) = keys.iter().position(|&text| name_of(text) == Some(name)) {
                        next = found + 1;
                    }
                    name
                }
            };
            field(cursor, name)
        })
    }

    /// An array at nesting `level`: `element` is called with each index and must consume the element.
    pub fn array(&mut self, level: usize, element: impl FnMut(&mut Self, usize) -> Scan<()>) -> Scan<()> {
        self.items(level, b'[', b']', element)
    }

    /// The punctuation objects and arrays share: `open`, items separated by commas, `close`.
    fn items(
        &mut self,
        level: usize,
        open: u8,
        close: u8,
        mut item: impl FnMut(&mut Self, usize) -> Scan<()>,
    ) -> Scan<()> {
        if level > MAX_NESTING {
            return Err(Miss);
        }
        self.expect(open)?;
        if self.next_byte() == Some(close) {
            self.at += 1;
            return Ok(());
        }
        for index in 0.. {
            item(self, index)?;
            match self.next_byte() {
                Some(b',') => self.at += 1,
                Some(byte) if byte == close => break,
                _ => return Err(Miss),
            }
        }
        self.at += 1;
        Ok(())
    }

    /// Any value, validated and skipped; `level` is the nesting it would have as an object or array.
    pub fn skip_value(&mut self, level: usize) -> Scan<()> {
        match self.peek()? {
            b'{' => self.object(level, |cursor, _| cursor.skip_value(level + 1)),
            b'[' => self.array(level, |cursor, _| cursor.skip_value(level + 1)),
            b'"' => self.string().map(drop),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            _ => self.number(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// JSON values of every kind, strings included with characters that need escapes.
    fn json_values() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            r#"[a-z"\\é\n ]{0,6}"#.prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z]{1,3}", inner, 0..4)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    /// Whether the cursor accepts `text` as one JSON document.
    fn accepts(text: &str) -> bool {
        let Some(mut cursor) = Cursor::new(text) else { return false };
        cursor.skip_value(1).is_ok() && cursor.at_end()
    }

    /// Whether serde_json accepts `text` and the cursor should too (it leaves text with control
    /// bytes to the general parser).
    fn cursor_should_accept(text: &str) -> bool {
        !text.bytes().any(|b| b < 0x20) && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
    }

    #[test]
    fn takes_what_serde_json_takes() {
        for text in [
            "0",
            "-0",
            "-12.5e+3",
            "1E9",
            r#""a\"\\\/\b\f\n\r\tz""#,
            r#""\u00e9\uD83D""#,
            " { \"a\" : [ 1 , true , false , null , { } , [ ] ] } ",
            "\"é中\"",
        ] {
            assert!(accepts(text), "{text}");
            assert!(serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok(), "{text}");
        }
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        for text in [
            "01",
            "1.",
            ".5",
            "+1",
            "1e",
            "-",
            "tru",
            "nul",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{1:2}",
            "\"a",
            "\"\\x\"",
            "\"\\u12g4\"",
            "\"\\u+123\"",
            "\"a\u{1}b\"",
            "[1 2]",
            "{} {}",
            "",
        ] {
            assert!(!accepts(text), "{text:?}");
            assert!(serde_json::from_str::<serde::de::IgnoredAny>(text).is_err(), "{text:?}");
        }
        // Valid, but with control bytes: left to the general parser.
        assert!(!accepts("{\n\"a\":\t1\r}"));
    }

    #[test]
    fn enforces_the_nesting_limit() {
        let at_limit = format!("{}{}", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
        assert!(accepts(&at_limit));
        let over = format!("{}{}", "[".repeat(MAX_NESTING + 1), "]".repeat(MAX_NESTING + 1));
        assert!(!accepts(&over));
    }

    /// Reads `{"k": <inner document>}` where the value is a string holding JSON.
    fn inner(text: &str) -> Scan<()> {
        let mut cursor = Cursor::new(text).ok_or(Miss)?;
        cursor.object(1, |cursor, _| cursor.json_in_string(|inner| inner.skip_value(1)))?;
        if cursor.at_end() { Ok(()) } else { Err(Miss) }
    }

    #[test]
    fn small_integers_are_plain_json_integers_of_at_most_nine_digits() {
        let read = |text: &str| Cursor::new(text).ok_or(Miss)?.small_integer();
        for (text, value) in [("0", 0), ("17", 17), (" 42,", 42), ("123456789", 123_456_789), ("7]", 7)] {
            assert_eq!(read(text), Ok(value), "{text}");
        }
        for text in ["", "-1", "01", "00", "1.0", "1e2", "2E1", "1234567890", "x", "\"1\""] {
            assert_eq!(read(text), Err(Miss), "{text}");
        }
    }

    #[test]
    fn keys_in_order_are_named_as_if_scanned() {
        const KEYS: &[&[u8]] = &[br#""a":"#, br#""bb":"#, br#""long-key-name":"#];
        let names = |text: &str| -> Scan<Vec<String>> {
            let mut cursor = Cursor::new(text).ok_or(Miss)?;
            let mut names = Vec::new();
            cursor.object_in_order(1, KEYS, |cursor, name| {
                names.push(String::from_utf8_lossy(name).into_owned());
                cursor.skip_value(2)
            })?;
            Ok(names)
        };
        let expect = |list: &[&str]| Ok(list.iter().map(|n| n.to_string()).collect::<Vec<_>>());
        assert_eq!(names(r#"{"a":1,"bb":2,"long-key-name":3}"#), expect(&["a", "bb", "long-key-name"]));
        assert_eq!(names(r#"{"a":1,"long-key-name":3}"#), expect(&["a", "long-key-name"]), "one left out");
        assert_eq!(names(r#"{"long-key-name":3,"a":1}"#), expect(&["long-key-name", "a"]), "reordered");
        assert_eq!(names(r#"{"bbb":1,"a" : 2,"x":3}"#), expect(&["bbb", "a", "x"]), "others scanned");
        assert_eq!(names(r#"{"a":1,"b\u0062":2}"#), Err(Miss), "an escaped key is the general parser's");
        assert_eq!(names(r#"{"a":1,"bb""#), Err(Miss));
    }

    #[test]
    fn reads_json_inside_a_string_where_it_lies() {
        assert_eq!(inner(r#"{"k":"{\"a\": [1, \"x\", null, {\"b\":true}]} "}"#), Ok(()));
        for text in [
            r#"{"k":"{\"a\":\"say \\\"hi\\\"\"}"}"#, // an inner escape: left to the general parser
            r#"{"k":"{\"a\":1}\n"}"#,                // escaped whitespace, likewise
            r#"{"k":"{\"a\":1"}"#,                   // the string ends inside the document
            r#"{"k":"{\"a\":1} x"}"#,                // text after the document
            r#"{"k":"{\"a\":1}"#,                    // the string never ends
            r#"{"k":"{"a":1}"}"#,                    // bare quotes: not a string at all
        ] {
            assert_eq!(inner(text), Err(Miss), "{text}");
        }
    }

    #[test]
    fn expected_texts_are_compared_byte_for_byte() {
        for len in 1..=40 {
            let text: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let bytes = [b"xx".as_slice(), &text, b"!"].concat();
            assert!(text_at(&bytes, 2, &text), "{len}");
            for wrong in 0..len {
                let mut other = bytes.clone();
                other[2 + wrong] = b'#';
                assert!(!text_at(&other, 2, &text), "{len}: byte {wrong}");
            }
            assert!(!text_at(&bytes[..len + 1], 2, &text), "{len}: cut short");
        }
    }

    #[test]
    fn finds_the_first_stop_in_every_position() {
        for len in 0..20 {
            for stop in 0..len {
                for byte in [b'"', b'\\'] {
                    let mut text = vec![b'a'; len];
                    text[stop] = byte;
                    if stop + 1 < len {
                        text[stop + 1] = b'"'; // a later stop must not hide the first
                    }
                    assert_eq!(next_stop(&text, 0), Some(stop), "{text:?}");
                }
            }
            assert_eq!(next_stop(&vec![0xc3; len], 0), None);
        }
        // No other byte a string may hold is taken for a stop (the SWAR compare is exact).
        let others: Vec<u8> = (0x20..=0xff).filter(|&b| !is_stop(b)).collect();
        assert_eq!(next_stop(&others, 0), None);
    }

    proptest::proptest! {
        /// Strings of arbitrary bytes: the cursor accepts exactly when serde_json does.
        #[test]
        fn strings_agree_with_serde_json(
            body in proptest::collection::vec(proptest::sample::select(b"ab\"\\u0fF/nx\x01 \xc3\xa9".to_vec()), 0..40)
        ) {
            let mut raw = vec![b'"'];
            raw.extend_from_slice(&body);
            raw.push(b'"');
            if let Ok(text) = std::str::from_utf8(&raw) {
                proptest::prop_assert_eq!(accepts(text), cursor_should_accept(text));
            }
        }

        /// Documents inside a string, as token soup: whenever the cursor reads one, serde_json reads
        /// the string and then the document in it.
        #[test]
        fn inner_documents_agree_with_serde_json(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "{", "}", "[", "]", ",", ":", " ", r#"\""#, r#"\"k\""#, r#"\"a\\\"b\""#, r#"\\"#, r"\n",
                "\"", "0", "-1", "2.5", "01", "true", "null", "x", "é",
            ]), 0..24)
        ) {
            let text = format!("{{\"k\":\"{}\"}}", parts.concat());
            if inner(&text).is_ok() {
                let outer: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                    proptest::test_runner::TestCaseError::fail(format!("{text}: {e}"))
                })?;
                let document = outer["k"].as_str().unwrap_or_default();
                proptest::prop_assert!(
                    serde_json::from_str::<serde::de::IgnoredAny>(document).is_ok(), "{}", text
                );
            }
        }

        /// Real documents with one byte changed, read directly and from inside a string: the cursor
        /// accepts a document only when serde_json does, and every unchanged one it reads directly.
        #[test]
        fn mutated_documents_agree_with_serde_json(
            value in json_values(), at in proptest::arbitrary::any::<proptest::sample::Index>(),
            byte in proptest::sample::select(b"{}[],:\" \\0-.e1x\nu".to_vec()), mutate in proptest::arbitrary::any::<bool>()
        ) {
            let mut document = value.to_string().into_bytes();
            if mutate && !document.is_empty() {
                let i = at.index(document.len());
                document[i] = byte;
            }
            let Ok(document) = String::from_utf8(document) else { return Ok(()) };
            let serde_ok = serde_json::from_str::<serde::de::IgnoredAny>(&document).is_ok();
            proptest::prop_assert_eq!(accepts(&document), cursor_should_accept(&document), "{}", document);
            let wrapped = serde_json::json!({ "k": document }).to_string();
            if inner(&wrapped).is_ok() {
                proptest::prop_assert!(serde_ok, "{}", wrapped);
            }
        }

        /// Token soup: whenever the cursor accepts a document, serde_json accepts it too.
        #[test]
        fn never_accepts_what_serde_json_refuses(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "{", "}", "[", "]", ",", ":", " ", "\"k\"", "\"a\\\"b\"", "0", "-1", "2.5", "1e3", "01",
                "true", "null", "fals", "\"\\u00zz\"",
            ]), 0..24)
        ) {
            let text = parts.concat();
            if accepts(&text) {
                proptest::prop_assert!(serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok(), "{}", text);
            }
        }
    }
}
