//! Reading JSON text defensively: size and nesting limits before parsing, serde errors turned into
//! typed [`EventError`]s, and [`Obj`], which accepts only JSON objects (serde-derived structs would
//! otherwise also accept an array and fill their fields by position).

use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_json::error::Category;

use super::{EventError, MAX_EVENT_BYTES, MAX_NESTING};

/// Longest serde message kept inside an [`EventError`] (serde quotes offending values verbatim).
const MAX_MESSAGE: usize = 200;

/// Rejects input that is too large or nested too deeply, before any allocation proportional to it.
pub(super) fn check_limits(raw: &[u8]) -> Result<(), EventError> {
    if raw.len() > MAX_EVENT_BYTES {
        return Err(EventError::TooLarge { len: raw.len() });
    }
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &byte in raw {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(EventError::TooDeep);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Parses checked raw text into `T`; repeated keys of derived structs are rejected by serde.
pub(super) fn from_slice<'a, T: Deserialize<'a>>(raw: &'a [u8]) -> Result<T, EventError> {
    check_limits(raw)?;
    serde_json::from_slice(raw).map_err(classify)
}

/// Reads `T` out of an already-decoded value (used for AWS-generated record envelopes only).
pub(super) fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, EventError> {
    T::deserialize(value).map_err(classify)
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
