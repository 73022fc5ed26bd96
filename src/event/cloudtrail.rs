//! Lambda control-plane calls recorded by CloudTrail and delivered by EventBridge as
//! `AWS API Call via CloudTrail` (source `aws.lambda`): the drift watch's input.
//!
//! CloudTrail names Lambda's calls with an API-version suffix (AWS Lambda developer guide, "Logging
//! AWS Lambda API calls using AWS CloudTrail"): `PutFunctionConcurrency20171031`,
//! `DeleteFunctionConcurrency20171031`, `UpdateEventSourceMapping20150331`. Only those three are
//! read; any other name is rejected (the rule asks for exactly these). `requestParameters` says what
//! the caller asked for; for a mapping it names only the mapping's UUID, so the function comes from
//! `responseElements.functionArn` (or a `functionName` the request moved it to). A call that failed
//! (`errorCode`) changed nothing and is kept with its code so the watch can say why it ignores it.

use serde::Deserialize;

use super::json::{self, Obj};
use super::{EventError, timestamp};
use crate::name::FunctionName;
use crate::role::RoleRef;
use crate::time::Timestamp;

/// `detail-type` of a management event CloudTrail hands to EventBridge.
pub(super) const DETAIL_TYPE: &str = "AWS API Call via CloudTrail";
/// `source` of Lambda's CloudTrail events on the default bus.
pub(super) const SOURCE: &str = "aws.lambda";
/// CloudTrail's `eventName` for PutFunctionConcurrency.
pub const PUT_CONCURRENCY: &str = "PutFunctionConcurrency20171031";
/// CloudTrail's `eventName` for DeleteFunctionConcurrency.
pub const DELETE_CONCURRENCY: &str = "DeleteFunctionConcurrency20171031";
/// CloudTrail's `eventName` for UpdateEventSourceMapping.
pub const UPDATE_MAPPING: &str = "UpdateEventSourceMapping20150331";
/// Longest text kept from a caller-controlled field (ARNs are at most 2048; 256 is plenty to name one).
const MAX_TEXT: usize = 256;

/// What a recorded call changed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum ApiChange {
    /// PutFunctionConcurrency: the reservation set to `value`.
    PutConcurrency {
        /// `reservedConcurrentExecutions` requested.
        value: u32,
    },
    /// DeleteFunctionConcurrency: the reservation removed (the function may use the account's pool).
    DeleteConcurrency,
    /// UpdateEventSourceMapping.
    UpdateMapping {
        /// The mapping's UUID.
        uuid: String,
        /// `enabled` requested, when the call set it.
        enabled: Option<bool>,
        /// The mapping's source (queue or stream ARN), from the response, when present.
        event_source_arn: Option<String>,
    },
}

/// One Lambda control-plane call, as CloudTrail recorded it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ApiCall {
    /// CloudTrail's `eventID` (unique per call: the watch reports a call once).
    pub event_id: String,
    /// What was changed.
    pub change: ApiChange,
    /// The function the call changed, when the event names it.
    pub function: Option<FunctionName>,
    /// `userIdentity.arn`: who made the call (an assumed-role ARN ends in the session name).
    pub caller_arn: Option<String>,
    /// `userIdentity.principalId` (`ROLEID:SESSION` for a role session).
    pub principal_id: Option<String>,
    /// `userIdentity.sessionContext.sessionIssuer.arn`: the role (or user) a session was taken
    /// from, as CloudTrail records it (`arn:aws:iam::ACCOUNT:role/PATH/NAME`).
    pub issuer_arn: Option<String>,
    /// `eventTime`.
    pub at: Option<Timestamp>,
    /// `errorCode` of a call that failed (and so changed nothing).
    pub error_code: Option<String>,
    /// Account the envelope claims.
    pub account: Option<String>,
    /// Region the envelope claims.
    pub region: Option<String>,
}

impl ApiCall {
    /// The role that made the call: the session issuer's when CloudTrail names one, else the role
    /// of an assumed-role caller ARN; never anything from the session name. `None` for a user, a
    /// root or federated caller, or an event without identity.
    pub fn caller_role(&self) -> Option<RoleRef> {
        match &self.issuer_arn {
            Some(issuer) => RoleRef::from_arn(issuer),
            None => self.caller_arn.as_deref().and_then(RoleRef::from_arn),
        }
    }

    /// The call's name as on-call knows it (no API-version suffix), with the new value.
    pub fn describe(&self) -> String {
        match &self.change {
            ApiChange::PutConcurrency { value } => {
                format!("PutFunctionConcurrency (reserved concurrency {value})")
            }
            ApiChange::DeleteConcurrency => "DeleteFunctionConcurrency (reservation removed)".to_owned(),
            ApiChange::UpdateMapping { uuid, enabled, event_source_arn } => {
                let what = match enabled {
                    Some(true) => "enabled",
                    Some(false) => "disabled",
                    None => "updated",
                };
                let source = event_source_arn.as_deref().map(|a| format!(" for {a}")).unwrap_or_default();
                format!("UpdateEventSourceMapping (mapping {uuid}{source} {what})")
            }
        }
    }
}

#[derive(Debug, Deserialize)]
struct Envelope {
    account: Option<String>,
    region: Option<String>,
    detail: Obj<Detail>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Detail {
    event_name: String,
    #[serde(rename = "eventID")]
    event_id: String,
    event_time: Option<String>,
    user_identity: Option<Obj<UserIdentity>>,
    request_parameters: Option<Obj<Request>>,
    response_elements: Option<Obj<Response>>,
    error_code: Option<String>,
    aws_region: Option<String>,
    recipient_account_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserIdentity {
    arn: Option<String>,
    principal_id: Option<String>,
    session_context: Option<Obj<SessionContext>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionContext {
    session_issuer: Option<Obj<SessionIssuer>>,
}

#[derive(Debug, Deserialize)]
struct SessionIssuer {
    arn: Option<String>,
}

/// `requestParameters` of the three calls (CloudTrail lower-cases the first letter: `uUID`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    function_name: Option<String>,
    reserved_concurrent_executions: Option<u32>,
    #[serde(rename = "uUID")]
    uuid: Option<String>,
    enabled: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    function_arn: Option<String>,
    event_source_arn: Option<String>,
    #[serde(rename = "uUID")]
    uuid: Option<String>,
}

/// Reads one `AWS API Call via CloudTrail` event from `aws.lambda`.
pub(super) fn from_eventbridge(raw: &[u8]) -> Result<ApiCall, EventError> {
    let Obj(envelope) = json::from_slice::<Obj<Envelope>>(raw)?;
    let Obj(detail) = envelope.detail;
    let request = detail.request_parameters.map(|Obj(r)| r);
    let response = detail.response_elements.map(|Obj(r)| r);
    let change =
        change(&detail.event_name, request.as_ref(), response.as_ref(), detail.error_code.is_some())?;
    let named = request.as_ref().and_then(|r| r.function_name.as_deref());
    let named = named.or_else(|| response.as_ref().and_then(|r| r.function_arn.as_deref()));
    let (account, region) =
        (envelope.account.or(detail.recipient_account_id), envelope.region.or(detail.aws_region));
    let function = named.map(|n| function(n, account.as_deref(), region.as_deref())).transpose()?;
    let identity = detail.user_identity.map(|Obj(u)| u);
    let issuer = identity
        .as_ref()
        .and_then(|u| u.session_context.as_ref())
        .and_then(|Obj(c)| c.session_issuer.as_ref())
        .and_then(|Obj(i)| i.arn.as_deref());
    Ok(ApiCall {
        event_id: json::shorten(&detail.event_id),
        change,
        function,
        caller_arn: identity.as_ref().and_then(|u| u.arn.as_deref()).map(clip),
        principal_id: identity.as_ref().and_then(|u| u.principal_id.as_deref()).map(clip),
        issuer_arn: issuer.map(clip),
        at: timestamp(detail.event_time.as_deref()),
        error_code: detail.error_code.as_deref().map(clip),
        account: account.as_deref().map(clip),
        region: region.as_deref().map(clip),
    })
}

fn change(
    name: &str,
    request: Option<&Request>,
    response: Option<&Response>,
    failed: bool,
) -> Result<ApiChange, EventError> {
    let missing = |field: &str| EventError::MissingField(format!("requestParameters.{field}"));
    match name {
        PUT_CONCURRENCY => {
            let value = request.and_then(|r| r.reserved_concurrent_executions);
            // A failed call may carry no parameters at all; it is ignored later, so 0 is harmless.
            let value = if failed {
                value.unwrap_or(0)
            } else {
                value.ok_or_else(|| missing("reservedConcurrentExecutions"))?
            };
            Ok(ApiChange::PutConcurrency { value })
        }
        DELETE_CONCURRENCY => Ok(ApiChange::DeleteConcurrency),
        UPDATE_MAPPING => {
            let uuid =
                request.and_then(|r| r.uuid.as_deref()).or_else(|| response.and_then(|r| r.uuid.as_deref()));
            let uuid = match (uuid, failed) {
                (Some(uuid), _) => clip(uuid),
                (None, true) => String::new(),
                (None, false) => return Err(missing("uUID")),
            };
            Ok(ApiChange::UpdateMapping {
                uuid,
                enabled: request.and_then(|r| r.enabled),
                event_source_arn: response.and_then(|r| r.event_source_arn.as_deref()).map(clip),
            })
        }
        other => Err(EventError::Unrecognised(json::shorten(&format!(
            "CloudTrail event {other:?} is not one the drift watch reads"
        )))),
    }
}

/// The named function, validated; an ARN must name the envelope's own account and region.
fn function(named: &str, account: Option<&str>, region: Option<&str>) -> Result<FunctionName, EventError> {
    let (function, arn) = FunctionName::from_name_or_arn(named).map_err(EventError::BadCallFunction)?;
    if arn.is_some_and(|arn| !arn.agrees_with(account, region)) {
        return Err(EventError::ForeignCallArn);
    }
    Ok(function)
}

fn clip(text: &str) -> String {
    text.chars().take(MAX_TEXT).collect()
}
