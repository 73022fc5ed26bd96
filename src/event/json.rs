//! Reading JSON text defensively: size and nesting limits before parsing, serde errors turned into
//! typed [`EventError`]s, and [`Obj`], which accepts only JSON objects (serde-derived structs would
//! otherwise also accept an array and fill their fields by position).

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::error::Category;

use super::{EventError, MAX_EVENT_BYTES, MAX_NESTING};

/// Longest serde message kept inside an [`EventError`] (serde quotes offending values verbatim).
const MAX_MESSAGE: usize = 200;

/// Rejects input that is too large or nested too deeply, before any allocation proportional to it.
/// Strings are skipped with `memchr` (most of an SQS batch is its bodies, JSON inside strings).
pub(super) fn check_limits(raw: &[u8]) -> Result<(), EventError> {
    if raw.len() > MAX_EVENT_BYTES {
        return Err(EventError::TooLarge { len: raw.len() });
    }
    let (mut depth, mut at) = (0usize, 0usize);
    while at < raw.len() {
        match raw[at] {
            b'"' => at = string_end(raw, at + 1),
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(EventError::TooDeep);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        at += 1;
    }
    Ok(())
}

/// The index of the quote closing the string whose text starts at `from` (or the end of the input).
fn string_end(raw: &[u8], mut from: usize) -> usize {
    while let Some(found) = raw.get(from..).and_then(|rest| memchr::memchr2(b'"', b'\\', rest)) {
        let at = from + found;
        if raw[at] == b'"' {
            return at;
        }
        from = at + 2; // skip the escaped character
    }
    raw.len()
}

/// Parses checked raw text into `T`; repeated keys of derived structs are rejected by serde.
pub(super) fn from_slice<'a, T: Deserialize<'a>>(raw: &'a [u8]) -> Result<T, EventError> {
    check_limits(raw)?;
    serde_json::from_slice(raw).map_err(classify)
}

/// Reads `T` out of one record of a batch: text inside an event `from_slice` has already checked,
/// so the limits are not scanned again.
pub(super) fn from_checked<'a, T: Deserialize<'a>>(part: &'a str) -> Result<T, EventError> {
    serde_json::from_str(part).map_err(classify)
}

/// Maps a serde error to the typed error naming what was wrong.
pub(super) fn classify(error: serde_json::Error) -> EventError {
    let position = format!(" at line {} column {}", error.line(), error.column());
    let full = error.to_string();
    let message = full.strip_suffix(&position).unwrap_or(&full);
    let field = |prefix: &str| message.strip_prefix(prefix).and_then(|rest| rest.strip_suffix('`'));
    match error.classify() {
        Category::Eof => EventError::Truncated { line: error.line(), column: error.column() },
        Category::Syntax | Category::Io => EventError::NotJson(shorten(&full)),
        Category::Data => match (field("duplicate field `"), field("missing field `")) {
            (Some(name), _) => EventError::DuplicateKey(shorten(name)),
            (_, Some(name)) => EventError::MissingField(shorten(name)),
            _ => EventError::WrongShape(shorten(&full)),
        },
    }
}

/// Cuts a message to [`MAX_MESSAGE`] characters, so hostile input cannot bloat logs and reports.
pub(super) fn shorten(text: &str) -> String {
    text.chars().take(MAX_MESSAGE).collect()
}

/// A `T` that must be written as a JSON object.
#[derive(Debug)]
pub(super) struct Obj<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjVisitor(PhantomData)).map(Obj)
    }
}

struct ObjVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map))
    }
}

/// A string, borrowed from the input when it holds no escape. Transparent, so its errors read as a
/// `String`'s (`expected a string`); serde borrows a `Cow` only as a direct field, not inside an
/// `Option`, hence the newtype.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(super) struct Text<'a>(#[serde(borrow)] pub Cow<'a, str>);

impl Text<'_> {
    /// The string's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A JSON object of string values kept as `(key, value)` pairs, rejecting repeated keys
/// (CloudWatch metric dimensions: `{"FunctionName": "orders"}`).
#[derive(Debug, Default)]
pub(super) struct Pairs(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(PairsVisitor)
    }
}

struct PairsVisitor;

impl<'de> Visitor<'de> for PairsVisitor {
    type Value = Pairs;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of string values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
        let (mut pairs, mut seen) = (Vec::new(), HashSet::new());
        while let Some((key, value)) = map.next_entry::<String, String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
            }
            pairs.push((key, value));
        }
        Ok(Pairs(pairs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Two {
        #[allow(dead_code)]
        a: u8,
    }

    #[test]
    fn limits_size_and_nesting_but_not_brackets_inside_strings() {
        let deep = "[".repeat(MAX_NESTING + 1);
        assert_eq!(check_limits(deep.as_bytes()), Err(EventError::TooDeep));
        let in_string = format!("{{\"a\":\"{}\\\"\"}}", "[".repeat(1000));
        assert_eq!(check_limits(in_string.as_bytes()), Ok(()));
        let big = vec![b' '; MAX_EVENT_BYTES + 1];
        assert_eq!(check_limits(&big), Err(EventError::TooLarge { len: MAX_EVENT_BYTES + 1 }));
    }

    /// The byte-at-a-time scan `check_limits` replaced: the reference it must agree with.
    fn naive_too_deep(raw: &[u8]) -> bool {
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        for &byte in raw {
            match (in_string, escaped, byte) {
                (true, true, _) => escaped = false,
                (true, false, b'\\') => escaped = true,
                (true, false, b'"') => in_string = false,
                (true, ..) => {}
                (false, _, b'"') => in_string = true,
                (false, _, b'{' | b'[') => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return true;
                    }
                }
                (false, _, b'}' | b']') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        false
    }

    proptest::proptest! {
        #[test]
        fn nesting_scan_agrees_with_the_byte_loop(
            raw in proptest::collection::vec(proptest::sample::select(b"[[[[{]}\"\\ax".to_vec()), 0..1_000)
        ) {
            proptest::prop_assert_eq!(check_limits(&raw) == Err(EventError::TooDeep), naive_too_deep(&raw));
        }
    }

    #[test]
    fn classifies_serde_errors() {
        let parse = |text: &str| from_slice::<Obj<Two>>(text.as_bytes()).map(|_| ());
        assert_eq!(parse(r#"{"a":1,"a":2}"#), Err(EventError::DuplicateKey("a".into())));
        assert_eq!(parse("{}"), Err(EventError::MissingField("a".into())));
        assert_eq!(parse(r#"{"a":"#), Err(EventError::Truncated { line: 1, column: 5 }));
        assert!(matches!(parse(r#"{"a":x}"#), Err(EventError::NotJson(_))));
        // A derived struct would take `[1]` positionally; `Obj` insists on an object.
        assert_eq!(
            parse("[1]"),
            Err(EventError::WrongShape(
                "invalid type: sequence, expected a JSON object at line 1 column 0".into()
            ))
        );
    }

    #[test]
    fn pairs_reject_repeated_dimensions() {
        let pairs: Pairs = serde_json::from_str(r#"{"FunctionName":"a","Resource":"a:live"}"#).unwrap();
        assert_eq!(pairs.0.len(), 2);
        let dup = from_slice::<Pairs>(br#"{"FunctionName":"a","FunctionName":"b"}"#).map(|_| ());
        assert_eq!(dup, Err(EventError::DuplicateKey("FunctionName".into())));
    }
}
