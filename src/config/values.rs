//! Parsers for the variables whose values are lists or ARNs.

use std::collections::BTreeSet;

use super::{ConfigError, invalid};
use crate::arn::{Arn, is_account_id};
use crate::name::FunctionName;

/// `arn:PARTITION:sns:REGION:ACCOUNT:TOPIC` with a 12-digit account and a valid topic name.
pub(super) fn topic_arn(variable: &'static str, value: String) -> Result<String, ConfigError> {
    let topic_ok = |t: &str| {
        let base = t.strip_suffix(".fifo").unwrap_or(t);
        (1..=256).contains(&t.len())
            && !base.is_empty()
            && base.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if Arn::regional(&value, "sns").is_some_and(|arn| topic_ok(arn.resource)) {
        Ok(value)
    } else {
        Err(invalid(variable, &value, "an SNS topic ARN, arn:aws:sns:REGION:ACCOUNT:TOPIC"))
    }
}

/// `arn:PARTITION:sqs:REGION:ACCOUNT:QUEUE`: the parking queue. A FIFO queue is refused: Lambda
/// takes only standard queues as destinations.
pub(super) fn queue_arn(variable: &'static str, value: String) -> Result<String, ConfigError> {
    let queue_ok = |q: &str| {
        (1..=80).contains(&q.len()) && q.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if Arn::regional(&value, "sqs").is_some_and(|arn| queue_ok(arn.resource)) {
        Ok(value)
    } else {
        Err(invalid(variable, &value, "a standard SQS queue ARN, arn:aws:sqs:REGION:ACCOUNT:QUEUE"))
    }
}

/// Comma-separated function names; blanks between commas are ignored, a bad name is an error.
pub(super) fn exempt(variable: &'static str, value: &str) -> Result<BTreeSet<FunctionName>, ConfigError> {
    value
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| FunctionName::new(name).map_err(|e| invalid(variable, name, e.to_string())))
        .collect()
}

/// Comma-separated 12-digit account ids; blanks between commas are ignored.
pub(super) fn accounts(variable: &'static str, value: &str) -> Result<BTreeSet<String>, ConfigError> {
    value
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(|id| {
            if is_account_id(id) {
                Ok(id.to_owned())
            } else {
                Err(invalid(variable, id, "comma-separated 12-digit account ids"))
            }
        })
        .collect()
}

/// `arn:PARTITION:kms:REGION:ACCOUNT:key/ID` or `...:alias/NAME`: the trip-record key.
pub(super) fn kms_key_arn(variable: &'static str, value: String) -> Result<String, ConfigError> {
    let resource_ok = |r: &str| {
        let id = r.strip_prefix("key/").or_else(|| r.strip_prefix("alias/"));
        id.is_some_and(|id| {
            (1..=256).contains(&id.len())
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_/".contains(&b))
        })
    };
    if Arn::regional(&value, "kms").is_some_and(|arn| resource_ok(arn.resource)) {
        Ok(value)
    } else {
        Err(invalid(variable, &value, "a KMS key or alias ARN, arn:aws:kms:REGION:ACCOUNT:key/ID"))
    }
}
