//! The trip record's seal. A record is a set of tags anyone with `lambda:TagResource` on the function
//! could write, so the guard signs each one with a key only it and its operators may use, and
//! nothing acts on a record whose MAC does not verify.
//!
//! The one rule for what a MAC covers is [`canonical_bytes`]: the record format version, the
//! function (partition, account, region and its unqualified ARN), the trip time, the previous
//! reserved concurrency, the reason and the paused mapping ids (sorted). `alert-pending` is not
//! covered: it is removed once the alert is out. The reason is covered (as stored, in its tag-safe
//! form), so `status` never shows a reason someone swapped into a genuine record. Format 2 adds the
//! parking of the function's asynchronous events (the queue and the configuration it replaced), so
//! `reenable` restores only a configuration the guard recorded. The MAC travels in
//! `runaway-guard:record-mac` as `v2:<base64>`; a `v1` MAC still verifies a record without the
//! format-2 fields.

use aws_smithy_types::base64;

use crate::aws::trip_tags::{format_invoke_config, format_reservation, tag_safe};
use crate::name::FunctionName;
use crate::ports::{PortError, RecordCheck, RecordSigner, TripRecord};

/// The record format this build writes and can check.
pub const FORMAT_VERSION: u32 = 2;

/// Starts every canonical byte string, so these bytes never mean anything else under the same key.
const DOMAIN: &str = "runaway-guard trip record";

/// The function a record belongs to, from its unqualified ARN: a MAC made for one function, account,
/// region or partition does not verify for another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSubject {
    /// `aws`, `aws-cn` or `aws-us-gov`.
    pub partition: String,
    /// 12-digit account id.
    pub account: String,
    /// Region code.
    pub region: String,
    /// The function.
    pub function: FunctionName,
}

impl RecordSubject {
    /// The subject of a function ARN; `None` for anything but a well-formed function ARN (a
    /// qualifier, if any, is dropped: the record belongs to the whole function).
    pub fn from_arn(arn: &str) -> Option<Self> {
        let (function, parts) = FunctionName::from_name_or_arn(arn).ok()?;
        let parts = parts?;
        Some(Self { partition: parts.partition, account: parts.account, region: parts.region, function })
    }

    /// The unqualified function ARN.
    pub fn arn(&self) -> String {
        format!("arn:{}:lambda:{}:{}:function:{}", self.partition, self.region, self.account, self.function)
    }
}

/// The bytes a record's MAC covers. Each field is written as `name length:value` on its own line,
/// so no two different records (or subjects) give the same bytes, whatever their values hold.
pub fn canonical_bytes(subject: &RecordSubject, record: &TripRecord) -> Vec<u8> {
    versioned_bytes(FORMAT_VERSION, subject, record).unwrap_or_default()
}

/// The canonical bytes of `record` in format `version`; `None` when that format cannot hold the
/// record (a format-1 MAC never covers a parking, so it never vouches for one).
fn versioned_bytes(version: u32, subject: &RecordSubject, record: &TripRecord) -> Option<Vec<u8>> {
    let mut mappings: Vec<&str> = record.paused_mappings.iter().map(|m| m.as_str()).collect();
    mappings.sort_unstable();
    let mut fields = vec![
        ("format", version.to_string()),
        ("partition", subject.partition.clone()),
        ("account", subject.account.clone()),
        ("region", subject.region.clone()),
        ("function-arn", subject.arn()),
        ("tripped-at", record.tripped_at.to_rfc3339()),
        ("previous-concurrency", format_reservation(record.previous_concurrency)),
        ("reason", tag_safe(&record.reason)),
        ("paused-mappings", mappings.join(" ")),
    ];
    match version {
        1 if record.parked.is_some() => return None,
        1 => {}
        _ => fields.extend(parked_fields(record)),
    }
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(DOMAIN.as_bytes());
    out.push(b'\n');
    for (name, value) in fields {
        out.extend_from_slice(format!("{name} {}:", value.len()).as_bytes());
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
    }
    Some(out)
}

/// The format-2 fields of the parking: the queue and the replaced configuration, both empty when
/// the trip parked nothing.
fn parked_fields(record: &TripRecord) -> [(&'static str, String); 2] {
    let parked = record.parked.as_ref();
    let queue = parked.map(|p| p.queue.clone()).unwrap_or_default();
    let previous = parked
        .map(|p| format_invoke_config(p.previous.as_ref()).unwrap_or_else(|| "unrecordable".to_owned()))
        .unwrap_or_default();
    [("parked-queue", queue), ("parked-previous", previous)]
}

/// The `runaway-guard:record-mac` tag value for `mac`: `v1:<base64>` (tag-safe characters only).
pub fn format_mac(mac: &[u8]) -> String {
    format!("v{FORMAT_VERSION}:{}", base64::encode(mac))
}

/// Why a `runaway-guard:record-mac` value cannot be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
enum MacTagError {
    /// Not `v<N>:<base64>`: nothing the guard wrote.
    Malformed,
    /// A later format than this build knows.
    Newer(u32),
}

fn parse_mac(tag: &str) -> Result<(u32, Vec<u8>), MacTagError> {
    let (version, encoded) = tag.trim().split_once(':').ok_or(MacTagError::Malformed)?;
    let version: u32 =
        version.strip_prefix('v').and_then(|v| v.parse().ok()).ok_or(MacTagError::Malformed)?;
    if version > FORMAT_VERSION {
        return Err(MacTagError::Newer(version));
    }
    if version == 0 {
        return Err(MacTagError::Malformed);
    }
    let mac = base64::decode(encoded).ok().filter(|mac| !mac.is_empty()).ok_or(MacTagError::Malformed)?;
    Ok((version, mac))
}

/// Signs `record` for `subject`: the `runaway-guard:record-mac` tag value.
pub async fn seal<S: RecordSigner>(
    signer: &S,
    subject: &RecordSubject,
    record: &TripRecord,
) -> Result<String, PortError> {
    Ok(format_mac(&signer.sign(&canonical_bytes(subject, record)).await?))
}

/// Checks `record` (as read for `subject`) against its `runaway-guard:record-mac` value. Never an
/// error: whatever cannot be verified is reported as such, and only a verified record is acted on.
pub async fn check<S: RecordSigner>(
    signer: Option<&S>,
    subject: &RecordSubject,
    record: &TripRecord,
    mac_tag: Option<&str>,
) -> RecordCheck {
    let Some(tag) = mac_tag else { return RecordCheck::Unsigned };
    let (version, mac) = match parse_mac(tag) {
        Ok(parsed) => parsed,
        Err(MacTagError::Malformed) => return RecordCheck::Invalid,
        Err(MacTagError::Newer(v)) => {
            return RecordCheck::Unchecked(format!(
                "record format v{v} is newer than this runaway-guard (v{FORMAT_VERSION})"
            ));
        }
    };
    let Some(signer) = signer else {
        return RecordCheck::Unchecked(format!(
            "no record key configured ({})",
            crate::config::vars::RECORD_KEY_ARN
        ));
    };
    let Some(bytes) = versioned_bytes(version, subject, record) else { return RecordCheck::Invalid };
    match signer.verify(&bytes, &mac).await {
        Ok(true) => RecordCheck::Verified,
        Ok(false) => RecordCheck::Invalid,
        Err(err) => RecordCheck::Unchecked(err.to_string()),
    }
}

#[cfg(test)]
mod tests;
