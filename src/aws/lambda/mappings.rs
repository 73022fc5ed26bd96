//! The function's event source mappings: `ListEventSourceMappings` by function name (every page) and
//! `UpdateEventSourceMapping Enabled`. Only mappings whose `FunctionArn` names the function itself
//! (or one of its versions or aliases) are returned, and only ids that validate are ever updated.

use aws_sdk_lambda::Client;

use super::own_arn;
use crate::aws::error::port_error;
use crate::name::FunctionName;
use crate::ports::{EventSourceMapping, MappingId, PortError, SourceKind};

/// Every mapping of `function`, skipping (with a warning) any the response does not tie to it.
pub(super) async fn list(
    client: &Client,
    function: &FunctionName,
) -> Result<Vec<EventSourceMapping>, PortError> {
    const OP: &str = "ListEventSourceMappings";
    let mut items =
        client.list_event_source_mappings().function_name(function.as_str()).into_paginator().items().send();
    let mut out = Vec::new();
    while let Some(m) = items.try_next().await.map_err(|e| port_error(OP, function.as_str(), e))? {
        let ours = m.function_arn().is_some_and(|arn| own_arn(function, arn).is_some());
        let id = m.uuid().map(MappingId::new);
        match (ours, id) {
            (true, Some(Ok(id))) => out.push(EventSourceMapping {
                id,
                kind: SourceKind::from_source(m.event_source_arn()),
                source: m.event_source_arn().unwrap_or_default().to_owned(),
                state: m.state().unwrap_or("Enabled").to_owned(),
            }),
            _ => tracing::warn!(
                function = %function,
                mapping = %m.uuid().unwrap_or_default().escape_debug(),
                "skipping a listed event source mapping with an unexpected id or function"
            ),
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// Enables or disables one mapping.
pub(super) async fn set_enabled(
    client: &Client,
    function: &FunctionName,
    mapping: &MappingId,
    enabled: bool,
) -> Result<(), PortError> {
    client
        .update_event_source_mapping()
        .uuid(mapping.as_str())
        .enabled(enabled)
        .send()
        .await
        .map_err(|e| port_error("UpdateEventSourceMapping", &format!("{function} mapping {mapping}"), e))?;
    Ok(())
}

/// Whether `mapping` feeds `function` itself: `GetEventSourceMapping`, then its `FunctionArn` must
/// name the function (or one of its versions or aliases). A mapping id in a trip record is only a
/// claim; this is what Lambda says.
pub(super) async fn belongs(
    client: &Client,
    function: &FunctionName,
    mapping: &MappingId,
) -> Result<bool, PortError> {
    let out = client
        .get_event_source_mapping()
        .uuid(mapping.as_str())
        .send()
        .await
        .map_err(|e| port_error("GetEventSourceMapping", &format!("{function} mapping {mapping}"), e))?;
    Ok(out.function_arn().is_some_and(|arn| own_arn(function, arn).is_some()))
}
