//! The chain header that guarded functions propagate: `root=<id>;depth=<n>;function=<name>`.
//!
//! Two wire forms carry the same three fields:
//! - the string form, in the SQS/SNS message attribute [`MESSAGE_ATTRIBUTE`] or the HTTP header
//!   [`HTTP_HEADER`]: [`ChainHeader::parse`] / `Display`;
//! - the EventBridge object form under `detail.runawayGuard` ([`EVENTBRIDGE_FIELD`]):
//!   [`ChainHeader::from_json`], [`ChainHeader::from_value`], [`ChainHeader::to_json`].
//!
//! A guarded function computes its outgoing header with [`ChainHeader::next_hop`] and stops by itself
//! with [`ChainHeader::check`] (or [`ChainHeader::next_hop_checked`]) instead of waiting to be throttled.
//! A hop past the limit that it emits anyway is reported straight to the guard's chain queue
//! ([`ChainHeader::should_report`], [`ChainHeader::report`]): sent with the function's own role, that
//! report is the one claim the guard acts on at once.
//!
//! Builds without the AWS crates (`default-features = false`: std, serde, serde_json, thiserror only),
//! so guarded functions can depend on it cheaply. Anything malformed is a typed [`ChainError`].

mod hop;
mod object;
mod report;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::Serialize;

use crate::name::{FunctionName, NameError};

pub use hop::xray_root;
pub use object::ChainField;
pub use report::{ChainReport, REPORT_BODY};

/// HTTP header carrying the string form.
pub const HTTP_HEADER: &str = "x-runaway-guard-chain";
/// SQS/SNS message attribute carrying the string form.
pub const MESSAGE_ATTRIBUTE: &str = "runaway-guard-chain";
/// Key under an EventBridge event's `detail` carrying the object form.
pub const EVENTBRIDGE_FIELD: &str = "runawayGuard";
/// Longest accepted root id.
pub const MAX_ROOT_LEN: usize = 128;
/// Largest accepted depth (anything above is hostile or broken, not a real chain).
pub const MAX_DEPTH: u32 = 1_000_000;
/// Longest accepted string form, in bytes. The three known fields need at most ~230; the rest is
/// room for fields a later version may add.
pub const MAX_HEADER_LEN: usize = 512;
/// Longest piece of rejected input quoted back inside a [`ChainError`].
const MAX_QUOTED: usize = 24;

/// The chain's root id (X-Ray `Root` when present): 1–128 of `[A-Za-z0-9-_.]`. Shared rather than
/// copied: the hops of one chain in a batch carry the same root (`event/fast/reuse.rs` reuses it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ChainRoot(Arc<str>);

impl ChainRoot {
    /// Validates a root id.
    pub fn new(root: &str) -> Result<Self, ChainError> {
        if root.is_empty() || root.len() > MAX_ROOT_LEN {
            return Err(ChainError::BadRoot { reason: "must be 1 to 128 characters" });
        }
        if !root.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.') {
            return Err(ChainError::BadRoot {
                reason: "only ASCII letters, digits, '-', '_' and '.' are allowed",
            });
        }
        Ok(Self(Arc::from(root)))
    }

    /// The root as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ChainRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a chain header was rejected, or why a guarded function must not emit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// A required field is absent.
    #[error("chain header is missing `{0}`")]
    Missing(&'static str),
    /// A field appears twice.
    #[error("chain header repeats `{0}`")]
    Duplicate(String),
    /// Depth is not a positive integer within range (quoted, shortened).
    #[error("chain depth {0:?} is not an integer from 1 to {MAX_DEPTH}")]
    BadDepth(String),
    /// Root is malformed.
    #[error("chain root is invalid: {reason}")]
    BadRoot {
        /// What was wrong.
        reason: &'static str,
    },
    /// Function name is malformed.
    #[error("chain function name is invalid: {0}")]
    BadFunction(#[source] NameError),
    /// A field of the object form has the wrong JSON type.
    #[error("chain field `{field}` must be {expected}")]
    WrongType {
        /// The field.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// The object form is not a JSON object.
    #[error("chain header must be a JSON object with root, depth and function")]
    NotAnObject,
    /// The string form is longer than [`MAX_HEADER_LEN`].
    #[error("chain header is {len} bytes long; at most {MAX_HEADER_LEN} are accepted")]
    TooLong {
        /// Length of the rejected header in bytes.
        len: usize,
    },
    /// The string form is malformed (e.g. an empty segment, a segment without `=`, `=` in a value).
    #[error("chain header is malformed: {0}")]
    Malformed(&'static str),
    /// The object form is not valid JSON.
    #[error("chain header is not valid JSON: {0}")]
    NotJson(String),
    /// The local check refused to emit: the next hop would exceed the limit.
    #[error("chain depth {depth} would exceed the limit of {limit}: not emitting")]
    LimitReached {
        /// Depth the next event would carry.
        depth: u32,
        /// The configured limit.
        limit: u32,
    },
}

/// A parsed, validated chain header.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ChainHeader {
    /// Chain root id.
    pub root: ChainRoot,
    /// Lambda invocations in the chain up to and including the emitter (first emitter writes 1).
    pub depth: u32,
    /// The emitting function.
    pub function: FunctionName,
}

impl ChainHeader {
    /// Builds a header, checking that `depth` is within `1..=MAX_DEPTH`.
    pub fn new(root: ChainRoot, depth: u32, function: FunctionName) -> Result<Self, ChainError> {
        if depth == 0 || depth > MAX_DEPTH {
            return Err(ChainError::BadDepth(depth.to_string()));
        }
        Ok(Self { root, depth, function })
    }

    /// Parses the string form `root=<id>;depth=<n>;function=<name>`.
    ///
    /// Fields may come in any order; unknown fields are ignored (a later version may add some) but
    /// every field, known or not, must appear once and hold no `=`. No whitespace is trimmed.
    pub fn parse(header: &str) -> Result<Self, ChainError> {
        if header.len() > MAX_HEADER_LEN {
            return Err(ChainError::TooLong { len: header.len() });
        }
        let mut seen: Vec<&str> = Vec::new();
        let (mut root, mut depth, mut function) = (None, None, None);
        for segment in header.split(';') {
            let (key, value) = split_segment(segment)?;
            if seen.contains(&key) {
                return Err(ChainError::Duplicate(quote(key)));
            }
            seen.push(key);
            match key {
                "root" => root = Some(ChainRoot::new(value)),
                "depth" => depth = Some(parse_depth(value)),
                "function" => function = Some(FunctionName::new(value).map_err(ChainError::BadFunction)),
                _ => {}
            }
        }
        assemble(root, depth, function)
    }

    /// The local check a guarded function calls before emitting: refuses when this header's depth
    /// is above `limit` (the guard would throttle the emitter of such an event).
    pub fn check(&self, limit: u32) -> Result<(), ChainError> {
        if self.depth > limit {
            return Err(ChainError::LimitReached { depth: self.depth, limit });
        }
        Ok(())
    }
}

impl fmt::Display for ChainHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "root={};depth={};function={}", self.root.as_str(), self.depth, self.function)
    }
}

impl FromStr for ChainHeader {
    type Err = ChainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Splits one `key=value` segment, rejecting what would make the string form ambiguous.
fn split_segment(segment: &str) -> Result<(&str, &str), ChainError> {
    if segment.is_empty() {
        return Err(ChainError::Malformed("empty field (stray ';')"));
    }
    let (key, value) = segment.split_once('=').ok_or(ChainError::Malformed("field without '='"))?;
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(ChainError::Malformed("field names are ASCII letters, digits, '-' or '_'"));
    }
    if value.contains('=') {
        return Err(ChainError::Malformed("'=' inside a value"));
    }
    Ok((key, value))
}

/// Canonical decimal only: no sign, no leading zero, no spaces, within `1..=MAX_DEPTH`.
fn parse_depth(text: &str) -> Result<u32, ChainError> {
    let canonical = !text.is_empty()
        && text.len() <= 7
        && text.bytes().all(|b| b.is_ascii_digit())
        && !text.starts_with('0');
    match text.parse::<u32>() {
        Ok(depth) if canonical && depth <= MAX_DEPTH => Ok(depth),
        _ => Err(ChainError::BadDepth(quote(text))),
    }
}

/// Checks that every field is present, then that each is valid, in a fixed order, so the same
/// input always yields the same error whichever form it came in.
fn assemble(
    root: Option<Result<ChainRoot, ChainError>>,
    depth: Option<Result<u32, ChainError>>,
    function: Option<Result<FunctionName, ChainError>>,
) -> Result<ChainHeader, ChainError> {
    let root = root.ok_or(ChainError::Missing("root"))?;
    let depth = depth.ok_or(ChainError::Missing("depth"))?;
    let function = function.ok_or(ChainError::Missing("function"))?;
    Ok(ChainHeader { root: root?, depth: depth?, function: function? })
}

/// Shortens rejected input quoted inside an error, so a hostile header cannot bloat logs.
fn quote(text: &str) -> String {
    text.chars().take(MAX_QUOTED).collect()
}

#[cfg(test)]
mod tests;
