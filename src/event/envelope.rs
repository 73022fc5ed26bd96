//! EventBridge-shaped events: which one an event is (from its keys alone), the scheduled sweep, and
//! events carrying the chain header in `detail.runawayGuard`.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use std::sync::Arc;

use super::json::{self, Obj, Text};
use super::{EventError, alarm, contributor, timestamp};
use crate::chain::ChainField;
use crate::signal::{ChainObservation, Signal, SweepSignal};

/// `source` of CloudWatch's own events and alarm actions.
pub(super) const CLOUDWATCH_SOURCE: &str = "aws.cloudwatch";
const ALARM_STATE_CHANGE: &str = "CloudWatch Alarm State Change";
const EVENTS_SOURCE: &str = "aws.events";
const SCHEDULED_EVENT: &str = "Scheduled Event";

/// Only the keys that decide what an event is; everything else is skipped unread.
#[derive(Debug, Deserialize)]
pub(super) struct Probe<'a> {
    source: Option<String>,
    #[serde(rename = "detail-type")]
    detail_type: Option<String>,
    #[serde(rename = "alarmData")]
    alarm_data: Option<IgnoredAny>,
    detail: Option<Obj<DetailProbe>>,
    /// Lambda-generated record envelopes (SNS, SQS, ...), judged one by one.
    /// Each record as its own text, judged on its own later (no tree of every record up front).
    #[serde(rename = "Records", borrow)]
    pub(super) records: Option<Vec<&'a RawValue>>,
}

impl Probe<'_> {
    /// A Lambda API call recorded by CloudTrail (`source = aws.lambda`, which PutEvents refuses).
    pub(super) fn is_lambda_api_call(&self) -> bool {
        self.source.as_deref() == Some(super::cloudtrail::SOURCE)
            && self.detail_type.as_deref() == Some(super::cloudtrail::DETAIL_TYPE)
    }
}

#[derive(Debug, Deserialize)]
struct DetailProbe {
    #[serde(rename = "runawayGuard")]
    chain: Option<IgnoredAny>,
}

/// Turns a non-`Records` event into its one signal, choosing the parser from `probe`'s keys.
/// `source` values starting with `aws.` cannot be sent with PutEvents, so they are trusted here.
pub(super) fn dispatch(raw: &[u8], probe: &Probe<'_>) -> Result<Signal, EventError> {
    let source = probe.source.as_deref();
    let detail_type = probe.detail_type.as_deref();
    if source == Some(CLOUDWATCH_SOURCE) && probe.alarm_data.is_some() {
        return alarm::from_lambda_action(raw);
    }
    if source == Some(CLOUDWATCH_SOURCE) && detail_type == Some(ALARM_STATE_CHANGE) {
        return alarm::from_eventbridge(raw);
    }
    if source == Some(CLOUDWATCH_SOURCE) && detail_type == Some(contributor::CONTRIBUTOR_STATE_CHANGE) {
        return contributor::from_eventbridge(raw);
    }
    if source == Some(EVENTS_SOURCE) && detail_type == Some(SCHEDULED_EVENT) {
        return sweep(raw);
    }
    if probe.detail.as_ref().is_some_and(|Obj(detail)| detail.chain.is_some()) {
        return chain_event(raw);
    }
    Err(unrecognised(source, detail_type))
}

fn unrecognised(source: Option<&str>, detail_type: Option<&str>) -> EventError {
    let what = match (source, detail_type) {
        (None, None) => "no source, detail-type, alarmData, detail.runawayGuard or Records".to_owned(),
        (source, detail_type) => format!(
            "source {:?} with detail-type {:?} and no detail.runawayGuard",
            source.unwrap_or_default(),
            detail_type.unwrap_or_default()
        ),
    };
    EventError::Unrecognised(json::shorten(&what))
}

#[derive(Debug, Deserialize)]
struct ScheduledEvent {
    account: Option<String>,
    time: Option<String>,
}

fn sweep(raw: &[u8]) -> Result<Signal, EventError> {
    let Obj(event) = json::from_slice::<Obj<ScheduledEvent>>(raw)?;
    Ok(Signal::Sweep(SweepSignal { at: timestamp(event.time.as_deref()), account: event.account }))
}

#[derive(Debug, Deserialize)]
struct ChainEvent<'a> {
    #[serde(borrow)]
    account: Option<Text<'a>>,
    #[serde(borrow)]
    region: Option<Text<'a>>,
    #[serde(borrow)]
    time: Option<Text<'a>>,
    #[serde(borrow)]
    source: Option<Text<'a>>,
    #[serde(borrow, rename = "detail-type")]
    detail_type: Option<Text<'a>>,
    detail: Option<Obj<ChainDetail>>,
}

/// `detail` of an emitted event: every key but `runawayGuard` is the sender's business and skipped.
#[derive(Debug, Deserialize)]
struct ChainDetail {
    #[serde(rename = "runawayGuard")]
    chain: Option<ChainField>,
}

/// Reads an EventBridge event carrying `detail.runawayGuard` (also an SQS body, which is such an
/// event delivered by an EventBridge rule).
pub(super) fn chain_event(raw: &[u8]) -> Result<Signal, EventError> {
    let Obj(event) = json::from_slice::<Obj<ChainEvent>>(raw)?;
    let Some(ChainField(header)) = event.detail.and_then(|Obj(detail)| detail.chain) else {
        return Err(EventError::Unrecognised("not an event carrying detail.runawayGuard".into()));
    };
    let header = header.map_err(EventError::BadChain)?;
    let shared = |text: Option<Text<'_>>| text.map(|Text(text)| Arc::from(text.as_ref()));
    let emitted_at = timestamp(event.time.as_ref().map(Text::as_str));
    let (account, region) = (shared(event.account), shared(event.region));
    let (source, detail_type) = (shared(event.source), shared(event.detail_type));
    Ok(Signal::Chain(ChainObservation {
        header,
        emitted_at,
        account,
        region,
        sender: None,
        source,
        detail_type,
    }))
}
