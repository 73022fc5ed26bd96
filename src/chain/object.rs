//! The EventBridge object form, `detail.runawayGuard = {"root", "depth", "function"}`.
//!
//! Read from raw JSON text, a repeated key is rejected (a `serde_json::Value` has already kept only
//! the last of them, so a forged second `depth` could hide behind the first). [`ChainField`] reads
//! the object without failing the surrounding document, so the caller gets a typed [`ChainError`]
//! instead of a serde message.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

use super::{ChainError, ChainHeader, ChainRoot, EVENTBRIDGE_FIELD, MAX_DEPTH, assemble, quote};
use crate::name::FunctionName;

/// The outcome of reading one chain object inside a larger document: deserializing it never fails
/// for a malformed header (only for malformed JSON), so one bad header does not hide the rest of
/// the event and keeps its typed error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainField(pub Result<ChainHeader, ChainError>);

impl ChainHeader {
    /// Parses the object form from raw JSON text, rejecting repeated keys.
    pub fn from_json(text: &str) -> Result<Self, ChainError> {
        let field: ChainField =
            serde_json::from_str(text).map_err(|e| ChainError::NotJson(quote_error(&e)))?;
        field.0
    }

    /// Parses the object form from an already-decoded value (repeated keys are no longer visible).
    pub fn from_value(value: &Value) -> Result<Self, ChainError> {
        match ChainField::deserialize(value) {
            Ok(field) => field.0,
            // The visitor accepts every JSON type, so this is unreachable in practice.
            Err(e) => Err(ChainError::NotJson(quote_error(&e))),
        }
    }

    /// Reads `detail.runawayGuard` from a decoded EventBridge event: `Ok(None)` when absent or null.
    pub fn from_event_value(event: &Value) -> Result<Option<Self>, ChainError> {
        match event.get("detail").and_then(|d| d.get(EVENTBRIDGE_FIELD)) {
            None | Some(Value::Null) => Ok(None),
            Some(object) => Self::from_value(object).map(Some),
        }
    }

    /// The object form, ready to insert as `detail.runawayGuard`.
    pub fn to_json(&self) -> Value {
        json!({ "root": self.root.as_str(), "depth": self.depth, "function": self.function.as_str() })
    }
}

/// Strict form for callers embedding the header in their own serde types: a malformed header fails
/// the whole deserialization with the [`ChainError`]'s message.
impl<'de> Deserialize<'de> for ChainHeader {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ChainField::deserialize(deserializer)?.0.map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for ChainField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FieldVisitor)
    }
}

struct FieldVisitor;

impl FieldVisitor {
    fn not_an_object<E>() -> Result<ChainField, E> {
        Ok(ChainField(Err(ChainError::NotAnObject)))
    }
}

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = ChainField;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a chain header object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ChainField, A::Error> {
        let mut seen = HashSet::new();
        let mut duplicate = None;
        let (mut root, mut depth, mut function) = (None, None, None);
        while let Some(key) = map.next_key::<String>()? {
            if duplicate.is_some() || seen.contains(&key) {
                duplicate.get_or_insert_with(|| quote(&key));
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            match key.as_str() {
                "root" => root = Some(root_from_json(&map.next_value()?)),
                "depth" => depth = Some(depth_from_json(&map.next_value()?)),
                "function" => function = Some(function_from_json(&map.next_value()?)),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            seen.insert(key);
        }
        match duplicate {
            Some(key) => Ok(ChainField(Err(ChainError::Duplicate(key)))),
            None => Ok(ChainField(assemble(root, depth, function))),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ChainField, A::Error> {
        // Drain the array so the surrounding document stays readable.
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Self::not_an_object()
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<ChainField, E> {
        Self::not_an_object()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<ChainField, E> {
        Self::not_an_object()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<ChainField, E> {
        Self::not_an_object()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<ChainField, E> {
        Self::not_an_object()
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<ChainField, E> {
        Self::not_an_object()
    }

    fn visit_unit<E: de::Error>(self) -> Result<ChainField, E> {
        Self::not_an_object()
    }
}

fn root_from_json(value: &Value) -> Result<ChainRoot, ChainError> {
    match value {
        Value::String(root) => ChainRoot::new(root),
        _ => Err(ChainError::WrongType { field: "root", expected: "a string" }),
    }
}

fn depth_from_json(value: &Value) -> Result<u32, ChainError> {
    let Value::Number(number) = value else {
        return Err(ChainError::WrongType { field: "depth", expected: "a positive integer" });
    };
    match number.as_u64().and_then(|d| u32::try_from(d).ok()) {
        Some(depth) if (1..=MAX_DEPTH).contains(&depth) => Ok(depth),
        _ => Err(ChainError::BadDepth(quote(&number.to_string()))),
    }
}

fn function_from_json(value: &Value) -> Result<FunctionName, ChainError> {
    match value {
        Value::String(name) => FunctionName::new(name).map_err(ChainError::BadFunction),
        _ => Err(ChainError::WrongType { field: "function", expected: "a string" }),
    }
}

fn quote_error(error: &serde_json::Error) -> String {
    let mut message = error.to_string();
    message.truncate(200);
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_object_form() {
        let h = ChainHeader::parse("root=1-abc;depth=17;function=orders-worker").unwrap();
        assert_eq!(h.to_json(), json!({"root": "1-abc", "depth": 17, "function": "orders-worker"}));
        assert_eq!(ChainHeader::from_value(&h.to_json()), Ok(h.clone()));
        assert_eq!(ChainHeader::from_json(&h.to_json().to_string()), Ok(h));
    }

    #[test]
    fn rejects_repeated_keys_in_raw_text() {
        let text = r#"{"root":"r","depth":1,"function":"f","depth":99}"#;
        assert_eq!(ChainHeader::from_json(text), Err(ChainError::Duplicate("depth".into())));
        let unknown = r#"{"root":"r","v":1,"depth":1,"v":2,"function":"f"}"#;
        assert_eq!(ChainHeader::from_json(unknown), Err(ChainError::Duplicate("v".into())));
    }

    #[test]
    fn rejects_wrong_types_and_ranges() {
        use ChainError::*;
        let cases = [
            (
                json!({"root": "r", "depth": "3", "function": "f"}),
                WrongType { field: "depth", expected: "a positive integer" },
            ),
            (json!({"root": "r", "depth": 0, "function": "f"}), BadDepth("0".into())),
            (json!({"root": "r", "depth": -1, "function": "f"}), BadDepth("-1".into())),
            (json!({"root": "r", "depth": 2.5, "function": "f"}), BadDepth("2.5".into())),
            (json!({"root": "r", "depth": 4294967297u64, "function": "f"}), BadDepth("4294967297".into())),
            (
                json!({"root": 7, "depth": 1, "function": "f"}),
                WrongType { field: "root", expected: "a string" },
            ),
            (
                json!({"root": "r", "depth": 1, "function": ["f"]}),
                WrongType { field: "function", expected: "a string" },
            ),
            (json!({"root": "r", "depth": 1}), Missing("function")),
            (
                json!({"root": "a;b", "depth": 1, "function": "f"}),
                BadRoot { reason: "only ASCII letters, digits, '-', '_' and '.' are allowed" },
            ),
            (json!("root=r;depth=1;function=f"), NotAnObject),
            (json!([1, 2]), NotAnObject),
        ];
        for (value, want) in cases {
            assert_eq!(ChainHeader::from_value(&value), Err(want.clone()), "{value}");
            assert_eq!(ChainHeader::from_json(&value.to_string()), Err(want), "{value}");
        }
    }

    #[test]
    fn reads_the_header_from_an_eventbridge_event() {
        let event =
            json!({"detail": {"runawayGuard": {"root": "r", "depth": 2, "function": "f", "extra": {}}}});
        assert_eq!(ChainHeader::from_event_value(&event).unwrap().map(|h| h.depth), Some(2));
        assert_eq!(ChainHeader::from_event_value(&json!({"detail": {}})), Ok(None));
        assert!(ChainHeader::from_json("{\"root\":").is_err_and(|e| matches!(e, ChainError::NotJson(_))));
    }
}
