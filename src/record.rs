//! The trip record's seal. A record is a set of tags anyone with `lambda:TagResource` on the function
//! could write, so the guard signs each one with a key only it and its operators may use, and
//! nothing acts on a record whose MAC does not verify.
//!
//! The one rule for what a MAC covers is [`FIELDS`]: the record format version, the function
//! (partition, account, region and its unqualified ARN), the trip time, the previous reserved
//! concurrency, the reason and the paused mapping ids (sorted), and from format v2 on who tripped
//! it and the parking of its asynchronous events (the queue and the configuration it replaced, so
//! `reenable` restores only a configuration the guard recorded). `alert-pending` is not covered: it is removed once the alert is out. The reason is covered
//! (as stored: v1's tag-safe form, v2's reversible encoding), so `status` never shows a reason
//! someone swapped into a genuine record. The MAC travels in `runaway-guard:record-mac` as
//! `v<format>:<base64>`; a v1 record still verifies as v1, but never one that names a parking.

use aws_smithy_types::base64;

use crate::aws::trip_tags::{format_invoke_config, format_reservation, tag_safe, text};
use crate::name::FunctionName;
use crate::ports::{PortError, RecordCheck, RecordSigner, TripRecord};

/// The record format this build writes; it checks this one and every earlier one.
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
        Some(Self {
            partition: parts.partition.as_str().to_owned(),
            account: parts.account,
            region: parts.region,
            function,
        })
    }

    /// The unqualified function ARN.
    pub fn arn(&self) -> String {
        format!("arn:{}:lambda:{}:{}:function:{}", self.partition, self.region, self.account, self.function)
    }
}

/// One field a MAC covers: its name, the first format that covers it, and its value in a format.
type Field = (&'static str, u32, fn(&RecordSubject, &TripRecord, u32) -> String);

/// Every field a MAC covers, in order, each with the first format that covers it. A record of
/// format N is signed over the fields of formats up to N, so records of every earlier format still
/// verify. A new field is one line here, with a new [`FORMAT_VERSION`] once records of the current
/// one exist.
const FIELDS: &[Field] = &[
    ("partition", 1, |s, _, _| s.partition.clone()),
    ("account", 1, |s, _, _| s.account.clone()),
    ("region", 1, |s, _, _| s.region.clone()),
    ("function-arn", 1, |s, _, _| s.arn()),
    ("tripped-at", 1, |_, r, _| r.tripped_at.to_rfc3339()),
    ("previous-concurrency", 1, |_, r, _| format_reservation(r.previous_concurrency)),
    ("reason", 1, |_, r, v| if v < 2 { tag_safe(&r.reason) } else { text::stored(&r.reason) }),
    ("paused-mappings", 1, |_, r, _| paused_mappings(r)),
    ("tripped-by", 2, |_, r, _| {
        r.tripped_by.as_ref().map(|b| text::stored(&b.to_record_text())).unwrap_or_default()
    }),
    ("parked-queue", 2, |_, r, _| r.parked.as_ref().map(|p| p.queue.clone()).unwrap_or_default()),
    ("parked-previous", 2, |_, r, _| parked_previous(r)),
];

/// The configuration a parking replaced, as its tag holds it; empty when the trip parked nothing.
fn parked_previous(record: &TripRecord) -> String {
    let previous = record.parked.as_ref().map(|p| format_invoke_config(p.previous.as_ref()));
    previous.map(|p| p.unwrap_or_else(|| "unrecordable".to_owned())).unwrap_or_default()
}

fn paused_mappings(record: &TripRecord) -> String {
    let mut mappings: Vec<&str> = record.paused_mappings.iter().map(|m| m.as_str()).collect();
    mappings.sort_unstable();
    mappings.join(" ")
}

/// The bytes a record's MAC covers in the current format.
pub fn canonical_bytes(subject: &RecordSubject, record: &TripRecord) -> Vec<u8> {
    canonical_bytes_of(FORMAT_VERSION, subject, record)
}

/// The bytes a record's MAC covers in format `version`. Each field is written as
/// `name length:value` on its own line, so no two different records (or subjects) give the same
/// bytes, whatever their values hold. Free text is covered in its stored form.
pub fn canonical_bytes_of(version: u32, subject: &RecordSubject, record: &TripRecord) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(DOMAIN.as_bytes());
    out.push(b'\n');
    let format = ("format", version.to_string());
    let fields = FIELDS.iter().filter(|(_, since, _)| *since <= version);
    for (name, value) in
        std::iter::once(format).chain(fields.map(|(n, _, f)| (*n, f(subject, record, version))))
    {
        out.extend_from_slice(format!("{name} {}:", value.len()).as_bytes());
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
    }
    out
}

/// The `runaway-guard:record-mac` tag value for `mac`: `v<FORMAT_VERSION>:<base64>` (tag-safe
/// characters only).
pub fn format_mac(mac: &[u8]) -> String {
    format!("v{FORMAT_VERSION}:{}", base64::encode(mac))
}

/// The format a `runaway-guard:record-mac` value names (`v<N>:…`), whatever follows.
pub fn mac_version(tag: &str) -> Option<u32> {
    let (version, _) = tag.trim().split_once(':')?;
    version.strip_prefix('v')?.parse().ok().filter(|v| *v >= 1)
}

/// Why a `runaway-guard:record-mac` value cannot be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
enum MacTagError {
    /// Not `v<N>:<base64>`: nothing the guard wrote.
    Malformed,
    /// A later format than this build knows.
    Newer(u32),
}

/// The format and the MAC of a `runaway-guard:record-mac` value.
fn parse_mac(tag: &str) -> Result<(u32, Vec<u8>), MacTagError> {
    let version = mac_version(tag).ok_or(MacTagError::Malformed)?;
    if version > FORMAT_VERSION {
        return Err(MacTagError::Newer(version));
    }
    let encoded = tag.trim().split_once(':').map(|(_, e)| e).unwrap_or_default();
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
    // A format-1 MAC never covered a parking, so it never vouches for one.
    if version < 2 && record.parked.is_some() {
        return RecordCheck::Invalid;
    }
    match signer.verify(&canonical_bytes_of(version, subject, record), &mac).await {
        Ok(true) => RecordCheck::Verified,
        Ok(false) => RecordCheck::Invalid,
        Err(err) => RecordCheck::Unchecked(err.to_string()),
    }
}

#[cfg(test)]
mod tests;
