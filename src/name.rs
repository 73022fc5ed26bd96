//! Validated Lambda function names: every name the guard acts on passes through here first.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::arn::FunctionArn;

/// Longest function name Lambda accepts.
pub const MAX_FUNCTION_NAME_LEN: usize = 64;

/// Why a string is not an acceptable function name or function ARN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The name was empty.
    #[error("function name is empty")]
    Empty,
    /// The name is longer than Lambda allows.
    #[error("function name is {len} characters long; Lambda allows at most {MAX_FUNCTION_NAME_LEN}")]
    TooLong {
        /// Length in bytes of the rejected name.
        len: usize,
    },
    /// The name holds a character outside `[A-Za-z0-9_-]`.
    #[error("function name contains {found:?}; only ASCII letters, digits, '-' and '_' are allowed")]
    BadCharacter {
        /// The first offending character.
        found: char,
    },
    /// The string looks like an ARN but is not a Lambda function ARN.
    #[error("not a Lambda function ARN: {reason}")]
    BadArn {
        /// What was wrong with it.
        reason: &'static str,
    },
}

/// A Lambda function name (not an ARN), checked against Lambda's own rules:
/// 1–64 characters of ASCII letters, digits, hyphens and underscores.
///
/// Constructing one is the only way to name a function to the guard's ports, so no
/// unchecked string ever reaches an AWS API call. Shared rather than copied: a batch names the same
/// few functions thousands of times (`event/fast/reuse.rs` reuses one name per text).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct FunctionName(Arc<str>);

impl FunctionName {
    /// Validates a plain function name.
    pub fn new(name: &str) -> Result<Self, NameError> {
        if name.is_empty() {
            return Err(NameError::Empty);
        }
        // Bytes first (the hot path: every chain event names a function); chars only to report.
        let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if !name.bytes().all(allowed) {
            let bad = |c: &char| !(c.is_ascii() && allowed(*c as u8));
            let found = name.chars().find(bad).unwrap_or(char::REPLACEMENT_CHARACTER);
            return Err(NameError::BadCharacter { found });
        }
        if name.len() > MAX_FUNCTION_NAME_LEN {
            return Err(NameError::TooLong { len: name.len() });
        }
        Ok(Self(Arc::from(name)))
    }

    /// Accepts a plain name or a function ARN
    /// (`arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`) and returns the
    /// name together with the parsed ARN, so callers can check account and region.
    pub fn from_name_or_arn(input: &str) -> Result<(Self, Option<FunctionArn>), NameError> {
        if !input.starts_with("arn:") {
            return Ok((Self::new(input)?, None));
        }
        let arn = FunctionArn::parse(input)?;
        Ok((arn.function.clone(), Some(arn)))
    }

    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FunctionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for FunctionName {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl<'de> Deserialize<'de> for FunctionName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::new(&raw).map_err(serde::de::Error::custom)
    }
}

/// A validated SQS queue name: 1–80 ASCII letters, digits, hyphens and underscores, with an optional
/// `.fifo` suffix. The judgement reads a queue's CloudWatch counts by this name; the name comes from
/// a mapping's source ARN, and nothing unchecked reaches the request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct QueueName(Arc<str>);

/// Longest SQS queue name, `.fifo` included.
pub const MAX_QUEUE_NAME_LEN: usize = 80;

impl QueueName {
    /// The name, when `name` is one SQS accepts; `None` otherwise.
    pub fn new(name: &str) -> Option<Self> {
        let stem = name.strip_suffix(".fifo").unwrap_or(name);
        let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        (!stem.is_empty() && name.len() <= MAX_QUEUE_NAME_LEN && stem.bytes().all(allowed))
            .then(|| Self(Arc::from(name)))
    }

    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for QueueName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// True for a name DynamoDB accepts for a table: 3 to 255 of `A-Z a-z 0-9 _ . -`.
pub fn is_table_name(name: &str) -> bool {
    (3..=255).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

/// True for strings shaped like an AWS region code (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`).
pub fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    s.len() <= 20
        && parts.len() >= 3
        && parts[..parts.len() - 1].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_lambda_names() {
        for ok in ["a", "orders-worker", "My_Func-2", &"x".repeat(64)] {
            assert_eq!(FunctionName::new(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn rejects_bad_names() {
        assert_eq!(FunctionName::new(""), Err(NameError::Empty));
        assert_eq!(FunctionName::new(&"x".repeat(65)), Err(NameError::TooLong { len: 65 }));
        for bad in ["a;rm -rf /", "a b", "fn$(id)", "http://169.254.169.254/", "ｆｕｎｃ", "a\n", "a:b"] {
            assert!(matches!(FunctionName::new(bad), Err(NameError::BadCharacter { .. })), "{bad}");
        }
    }

    #[test]
    fn a_name_or_an_arn_gives_the_name() {
        let (name, arn) =
            FunctionName::from_name_or_arn("arn:aws:lambda:eu-west-1:111122223333:function:orders:live")
                .unwrap();
        assert_eq!(
            (name.as_str(), arn.map(|a| a.function)),
            ("orders", Some(FunctionName::new("orders").unwrap()))
        );
        assert_eq!(FunctionName::from_name_or_arn("orders").unwrap().1, None);
        assert!(FunctionName::from_name_or_arn("arn:aws:s3:::orders").is_err());
    }

    #[test]
    fn queue_names_are_what_sqs_accepts() {
        for ok in ["jobs", "orders-dlq", "Batch_2.fifo", &"q".repeat(80)] {
            assert_eq!(QueueName::new(ok).map(|q| q.as_str().to_owned()), Some(ok.to_owned()));
        }
        for bad in ["", ".fifo", "a b", "q.txt", "a/b", "jobs\n", &"q".repeat(81), "ｑ"] {
            assert_eq!(QueueName::new(bad), None, "{bad}");
        }
    }
}
