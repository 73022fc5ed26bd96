//! JSON forms shared by the operator outputs: reservations as `"none"`/`"n"`, times as RFC 3339.

use crate::ports::Reservation;
use crate::report::reservation_text;
use crate::time::Timestamp;

pub(super) fn is_true(value: &bool) -> bool {
    *value
}

pub(super) fn is_false(value: &bool) -> bool {
    !*value
}

pub(super) fn reservation<S: serde::Serializer>(value: &Reservation, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&reservation_text(*value))
}

pub(super) fn rfc3339<S: serde::Serializer>(at: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&at.to_rfc3339())
}

pub(super) fn optional_rfc3339<S: serde::Serializer>(
    at: &Option<Timestamp>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => s.serialize_str(&at.to_rfc3339()),
        None => s.serialize_none(),
    }
}
