//! The trip record's seal as the ports see it: a [`RecordSigner`] makes and checks a MAC over the
//! record's canonical bytes (`crate::record`), and a [`CheckedRecord`] is a record read back with
//! what checking its MAC found. Only a [`RecordCheck::Verified`] record is ever acted on.

use std::fmt;
use std::future::Future;

use serde::Serialize;

use super::{PortError, TripRecord};

/// Makes and checks MACs with a key only the guard and its operators may use (a KMS HMAC key).
pub trait RecordSigner: Send + Sync {
    /// The MAC of `message`.
    fn sign(&self, message: &[u8]) -> impl Future<Output = Result<Vec<u8>, PortError>> + Send;
    /// Whether `mac` is the MAC of `message` under this key (`Ok(false)`: it is not).
    fn verify(&self, message: &[u8], mac: &[u8]) -> impl Future<Output = Result<bool, PortError>> + Send;
}

/// What checking a trip record's MAC found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "check", content = "detail")]
pub enum RecordCheck {
    /// The MAC verifies under the guard's record key: the guard (or an operator) wrote this record,
    /// and nobody changed it since.
    Verified,
    /// No MAC: a record written before records were signed, or by a guard with no record key.
    Unsigned,
    /// A MAC that does not verify: the record was edited after it was signed, or forged.
    Invalid,
    /// The MAC could not be checked (no record key configured, or the key could not be used): the
    /// text says why.
    Unchecked(String),
    /// The MAC verifies, but the record does not describe the function now (see
    /// `TripRecord::describes`): a genuine record copied back after a later re-enable, or a function
    /// someone changed since its trip. The text says what it names and what the function has.
    Outdated(String),
}

impl RecordCheck {
    /// Only a verified record is acted on.
    pub fn is_verified(&self) -> bool {
        matches!(self, Self::Verified)
    }

    /// One word for machines: `verified`, `unsigned`, `invalid` or `unchecked`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Unsigned => "unsigned",
            Self::Invalid => "invalid",
            Self::Unchecked(_) => "unchecked",
            Self::Outdated(_) => "outdated",
        }
    }
}

impl fmt::Display for RecordCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Verified => f.write_str("verified"),
            Self::Unsigned => f.write_str("unverified: no MAC (written before records were signed)"),
            Self::Invalid => f.write_str("unverified: the MAC does not match (edited or forged)"),
            Self::Unchecked(why) => write!(f, "unverified: could not be checked ({why})"),
            Self::Outdated(why) => write!(f, "not in force: {why}"),
        }
    }
}

/// A trip record as read from a function's tags, with what checking its MAC found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedRecord {
    /// The record, exactly as the tags say (untrusted unless `check` is verified).
    pub record: TripRecord,
    /// What checking its MAC found.
    pub check: RecordCheck,
}
