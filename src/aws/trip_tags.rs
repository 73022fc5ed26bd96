//! The trip record as Lambda tags: formatting, parsing and tag-value sanitising. Pure (no SDK), so
//! the rules for reading back a record a person may have edited by hand are unit-tested here.
//!
//! Free text in a record (the reason, who tripped) is stored with [`text::stored`] from record
//! format v2 on and reads back as written; a v1 record's reason was made [`tag_safe`] (lossy) and
//! reads back as stored.

use std::collections::HashMap;

use crate::ports::{InvokeConfig, MappingId, Parked, ReenableMark, Reservation, TripRecord, TrippedBy, tags};
use crate::time::Timestamp;

pub mod text;

/// Longest tag value Lambda accepts.
pub const MAX_TAG_VALUE_CHARS: usize = 256;

/// The record format v1's lossy form of free text (v2 stores it with [`text::stored`]); still
/// what a re-enable's `reenabled-by` holds. Makes `text` a legal Lambda tag value: ASCII letters, digits, spaces and `+ - = . _ : / @`, at most
/// 256 characters. Comparison signs become words so "depth 17 > limit 16" keeps its meaning; any
/// other character becomes a space, and runs of spaces collapse. This is what Lambda's TagResource
/// accepts, not what is safe to show: a tag can also be written by anyone with TagResource, so a
/// tag value read back is shown through [`crate::sanitise`] like any other outside value.
pub fn tag_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_TAG_VALUE_CHARS));
    for c in text.chars() {
        match c {
            c if c.is_ascii_alphanumeric() || "+-=._:/@".contains(c) => out.push(c),
            '>' => out.push_str(" gt "),
            '<' => out.push_str(" lt "),
            '$' => out.push_str("USD "),
            _ => out.push(' '),
        }
    }
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.chars().take(MAX_TAG_VALUE_CHARS).collect::<String>().trim_end().to_owned()
}

/// The tag form of a reservation: `none` or the integer.
pub fn format_reservation(value: Reservation) -> String {
    value.map_or_else(|| "none".to_owned(), |n| n.to_string())
}

/// Parses `none` or a non-negative integer.
pub fn parse_reservation(text: &str) -> Option<Reservation> {
    match text.trim() {
        "none" => Some(None),
        n => n.parse::<u32>().ok().map(Some),
    }
}

/// The tag form of an event-invoke configuration the parking replaced: `none` (there was none), or
/// its settings as `retries=N age=SECS success=ARN failure=ARN` (those set; `set` when none is).
/// `None` when it does not fit in one tag value or holds a character a tag cannot: such a function
/// is not parked, since its configuration could not be restored exactly.
pub fn format_invoke_config(config: Option<&InvokeConfig>) -> Option<String> {
    let Some(config) = config else { return Some("none".to_owned()) };
    let numbers = [("retries", config.max_retry_attempts), ("age", config.max_event_age_secs)];
    let arns = [("success", &config.on_success), ("failure", &config.on_failure)];
    let mut words: Vec<String> = numbers.iter().filter_map(|(k, v)| v.map(|v| format!("{k}={v}"))).collect();
    words.extend(arns.iter().filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}"))));
    let text = if words.is_empty() { "set".to_owned() } else { words.join(" ") };
    (text.len() <= MAX_TAG_VALUE_CHARS && tag_safe(&text) == text).then_some(text)
}

/// Reads [`format_invoke_config`]'s form back; `None` for anything else.
pub fn parse_invoke_config(text: &str) -> Option<Option<InvokeConfig>> {
    let text = text.trim();
    if text == "none" {
        return Some(None);
    }
    let mut config = InvokeConfig::default();
    for word in text.split_whitespace().filter(|w| *w != "set") {
        let (key, value) = word.split_once('=')?;
        match key {
            "retries" => config.max_retry_attempts = Some(value.parse().ok()?),
            "age" => config.max_event_age_secs = Some(value.parse().ok()?),
            "success" if value.starts_with("arn:") => config.on_success = Some(value.to_owned()),
            "failure" if value.starts_with("arn:") => config.on_failure = Some(value.to_owned()),
            _ => return None,
        }
    }
    Some(Some(config))
}

/// The tags that make up a trip record (`alert-pending` only while its alert is unsent; the MAC,
/// from `crate::record::seal`, when the record is signed).
pub fn record_tags(record: &TripRecord, mac: Option<&str>) -> Vec<(&'static str, String)> {
    let mut out = vec![
        (tags::TRIPPED_AT, record.tripped_at.to_rfc3339()),
        (tags::PREVIOUS_CONCURRENCY, format_reservation(record.previous_concurrency)),
        (tags::REASON, text::stored(&record.reason)),
    ];
    if let Some(by) = &record.tripped_by {
        out.push((tags::TRIPPED_BY, text::stored(&by.to_record_text())));
    }
    if let Some(mac) = mac {
        out.push((tags::RECORD_MAC, mac.to_owned()));
    }
    if record.alert_pending {
        out.push((tags::ALERT_PENDING, "true".to_owned()));
    }
    let (values, _) = pack_mappings(&record.paused_mappings);
    out.extend(paused_mapping_keys().into_iter().zip(values));
    if let Some(parked) = &record.parked {
        // The trip parks only a configuration this form holds (see `format_invoke_config`).
        let previous = format_invoke_config(parked.previous.as_ref()).unwrap_or_default();
        out.push((tags::PARKED_QUEUE, parked.queue.clone()));
        out.push((tags::PARKED_PREVIOUS, previous));
    }
    out
}

/// Every tag of a trip record: what a re-enable removes, and what a new record replaces.
pub fn all_record_keys() -> impl Iterator<Item = &'static str> {
    [
        tags::TRIPPED_AT,
        tags::PREVIOUS_CONCURRENCY,
        tags::REASON,
        tags::ALERT_PENDING,
        tags::RECORD_MAC,
        tags::TRIPPED_BY,
    ]
    .into_iter()
    .chain(paused_mapping_keys())
    .chain([tags::PARKED_QUEUE, tags::PARKED_PREVIOUS])
}

/// The tags that hold the paused mappings, in the order they are filled.
pub fn paused_mapping_keys() -> [&'static str; 4] {
    let [second, third, fourth] = tags::PAUSED_MAPPINGS_MORE;
    [tags::PAUSED_MAPPINGS, second, third, fourth]
}

/// Packs mapping ids into at most four tag values of at most 256 characters, separated by spaces,
/// in order; returns the values and how many ids fit (six 36-character UUIDs a tag: 24 in all).
pub fn pack_mappings(ids: &[MappingId]) -> (Vec<String>, usize) {
    let mut values: Vec<String> = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let room =
            values.last().is_some_and(|last| last.len() + 1 + id.as_str().len() <= MAX_TAG_VALUE_CHARS);
        match values.last_mut() {
            Some(last) if room => {
                last.push(' ');
                last.push_str(id.as_str());
            }
            _ => {
                if values.len() == paused_mapping_keys().len() {
                    return (values, i);
                }
                values.push(id.as_str().to_owned());
            }
        }
    }
    (values, ids.len())
}

/// The mapping ids in the paused-mapping tags, in order; `false` when a value held anything else.
fn read_mappings(all: &HashMap<String, String>) -> (Vec<MappingId>, bool) {
    let mut ids = Vec::new();
    let mut clean = true;
    for key in paused_mapping_keys() {
        for word in all.get(key).map(String::as_str).unwrap_or_default().split_whitespace() {
            match MappingId::new(word) {
                Ok(id) => ids.push(id),
                Err(_) => clean = false,
            }
        }
    }
    (ids, clean)
}

/// What the guard reads from a function's tags.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GuardTags {
    /// `runaway-guard:exempt = true` (case-insensitive).
    pub exempt: bool,
    /// `runaway-guard:max-depth`, when a positive integer.
    pub max_depth: Option<u32>,
    /// The trip record, when `runaway-guard:tripped-at` is present (unchecked: see `crate::record`).
    pub trip: Option<TripRecord>,
    /// `runaway-guard:record-mac`, as written.
    pub mac: Option<String>,
    /// `runaway-guard:reenabled-at`, when it parses.
    pub reenabled_at: Option<Timestamp>,
    /// `runaway-guard:reenabled-by`, when set.
    pub reenabled_by: Option<String>,
    /// Tag values that could not be read as expected, for a warning.
    pub problems: Vec<&'static str>,
}

impl GuardTags {
    /// The trip record, unless a re-enable started after it (a re-enable that did not finish
    /// clearing it): such a record may be replaced by a new trip.
    pub fn active_trip(&self) -> Option<&TripRecord> {
        self.trip.as_ref().filter(|t| self.reenabled_at.is_none_or(|at| at < t.tripped_at))
    }
}

/// The tags a re-enable sets: when and by whom.
pub fn reenable_tags(mark: &ReenableMark) -> Vec<(&'static str, String)> {
    vec![(tags::REENABLED_AT, mark.at.to_rfc3339()), (tags::REENABLED_BY, tag_safe(&mark.by))]
}

/// Reads the guard's tags. `tripped-at` alone marks a function as tripped, so a record someone edited
/// badly still stops a second trip: an unreadable time reads as the epoch and an unreadable previous
/// value as `none` (both reported in `problems`), so `reenable` still works and nothing re-trips it.
pub fn read_guard_tags(all: &HashMap<String, String>) -> GuardTags {
    let mut out = GuardTags {
        exempt: all.get(tags::EXEMPT).is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
        ..GuardTags::default()
    };
    if let Some(v) = all.get(tags::MAX_DEPTH) {
        out.max_depth = v.trim().parse::<u32>().ok().filter(|d| *d > 0);
        if out.max_depth.is_none() {
            out.problems.push(tags::MAX_DEPTH);
        }
    }
    if let Some(v) = all.get(tags::REENABLED_AT) {
        out.reenabled_at = Timestamp::parse_rfc3339(v.trim());
        if out.reenabled_at.is_none() {
            out.problems.push(tags::REENABLED_AT);
        }
    }
    out.mac = all.get(tags::RECORD_MAC).cloned();
    out.reenabled_by = all.get(tags::REENABLED_BY).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    if let Some(at) = all.get(tags::TRIPPED_AT) {
        let tripped_at = Timestamp::parse_rfc3339(at.trim()).unwrap_or_else(|| {
            out.problems.push(tags::TRIPPED_AT);
            Timestamp::default()
        });
        let previous = all.get(tags::PREVIOUS_CONCURRENCY).and_then(|v| parse_reservation(v));
        let previous_concurrency = previous.unwrap_or_else(|| {
            out.problems.push(tags::PREVIOUS_CONCURRENCY);
            None
        });
        let v2 = record_format(all) >= 2;
        let stored_reason = all.get(tags::REASON).cloned().unwrap_or_default();
        let reason = if v2 { text::decode(&stored_reason) } else { stored_reason };
        // A v1 record's MAC does not cover a `tripped-by` tag: one beside it is nobody's word.
        let by_tag = all.get(tags::TRIPPED_BY).filter(|_| v2);
        let tripped_by = by_tag.and_then(|v| TrippedBy::from_record_text(&text::decode(v)));
        if by_tag.is_some() && tripped_by.is_none() {
            out.problems.push(tags::TRIPPED_BY);
        }
        let alert_pending =
            all.get(tags::ALERT_PENDING).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let (paused_mappings, clean) = read_mappings(all);
        if !clean {
            out.problems.push(tags::PAUSED_MAPPINGS);
        }
        let parked = read_parked(all, &mut out.problems);
        out.trip = Some(TripRecord {
            tripped_at,
            previous_concurrency,
            reason,
            alert_pending,
            paused_mappings,
            tripped_by,
            parked,
        });
    }
    out
}

/// The format of the record in `all`: its MAC's version; without a MAC, 2 when it names who
/// tripped (only v2 writes that), else 1.
fn record_format(all: &HashMap<String, String>) -> u32 {
    match all.get(tags::RECORD_MAC).and_then(|mac| crate::record::mac_version(mac)) {
        Some(version) => version,
        None if all.contains_key(tags::TRIPPED_BY) => 2,
        None => 1,
    }
}

/// The parking in the record's tags: both tags, the second in [`format_invoke_config`]'s form. A
/// half or unreadable pair is a problem and reads as no parking, so nothing restores from it.
fn read_parked(all: &HashMap<String, String>, problems: &mut Vec<&'static str>) -> Option<Parked> {
    let queue = all.get(tags::PARKED_QUEUE).map(|q| q.trim().to_owned());
    let previous = all.get(tags::PARKED_PREVIOUS);
    match (queue, previous) {
        (None, None) => None,
        (Some(queue), Some(previous)) if !queue.is_empty() => match parse_invoke_config(previous) {
            Some(previous) => Some(Parked { queue, previous }),
            None => {
                problems.push(tags::PARKED_PREVIOUS);
                None
            }
        },
        _ => {
            problems.push(tags::PARKED_QUEUE);
            None
        }
    }
}

#[cfg(test)]
mod tests;
