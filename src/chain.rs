//! The chain header that guarded functions propagate: `root=<id>;depth=<n>;function=<name>`.
//!
//! Builds without the AWS crates (`default-features = false`), so guarded functions can depend on it.
//! SKELETON: types and signatures are the contract; bodies are filled in by the detection-core work.

use std::fmt;

use serde::Serialize;

use crate::name::{FunctionName, NameError};

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

/// The chain's root id (X-Ray `Root` when present): 1–128 of `[A-Za-z0-9-_.]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ChainRoot(String);

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
        Ok(Self(root.to_owned()))
    }

    /// The root as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a chain header was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// A required field is absent.
    #[error("chain header is missing `{0}`")]
    Missing(&'static str),
    /// A field appears twice.
    #[error("chain header repeats `{0}`")]
    Duplicate(String),
    /// Depth is not a positive integer within range.
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
    /// The string form is malformed (e.g. a segment without `=`, or too long).
    #[error("chain header is malformed: {0}")]
    Malformed(&'static str),
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

impl fmt::Display for ChainHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "root={};depth={};function={}", self.root.as_str(), self.depth, self.function)
    }
}
