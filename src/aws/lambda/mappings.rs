//! The function's event source mappings: `ListEventSourceMappings` by function name (every page) and
//! `UpdateEventSourceMapping Enabled`, and the ceilings the enabled ones put on the function's
//! concurrency (from the same listing). Only mappings whose `FunctionArn` names the function itself
//! (or one of its versions or aliases) are returned, and only ids that validate are ever updated.
//!
//! `ListEventSourceMappings` filters on the `FunctionName` it is given, and its reference documents
//! listing "for a specific Lambda function version or an alias" by a qualified name; nothing says
//! the unqualified name returns the mappings bound to an alias (moto returns only exact matches).
//! So the listing is by the unqualified name, then by every alias (`ListAliases`) and every version
//! an alias routes to, each mapping once.

use aws_sdk_lambda::Client;
use aws_sdk_lambda::types::EventSourceMappingConfiguration;

use super::own_arn;
use crate::aws::error::port_error;
use crate::aws::streams::ShardReader;
use crate::name::{FunctionName, QueueName};
use crate::ports::{EventSourceMapping, MappingCeiling, MappingId, PortError, SourceKind};

/// Every listed mapping (every page) whose `FunctionArn` names `function` itself; any other is
/// skipped with a warning.
async fn own_mappings(
    client: &Client,
    function: &FunctionName,
) -> Result<Vec<EventSourceMappingConfiguration>, PortError> {
    let mut out: Vec<EventSourceMappingConfiguration> = Vec::new();
    for name in super::versions::qualified_names(client, function).await? {
        for m in listed(client, function, &name).await? {
            if !out.iter().any(|seen| seen.uuid() == m.uuid()) {
                out.push(m);
            }
        }
    }
    Ok(out)
}

/// The mappings listed for `name` (the function or one of its qualified names) whose `FunctionArn`
/// names `function`.
async fn listed(
    client: &Client,
    function: &FunctionName,
    name: &str,
) -> Result<Vec<EventSourceMappingConfiguration>, PortError> {
    const OP: &str = "ListEventSourceMappings";
    let mut items = client.list_event_source_mappings().function_name(name).into_paginator().items().send();
    let mut out = Vec::new();
    while let Some(m) = items.try_next().await.map_err(|e| port_error(OP, name, e))? {
        if m.function_arn().is_some_and(|arn| own_arn(function, arn).is_some()) {
            out.push(m);
        } else {
            tracing::warn!(
                function = %function,
                mapping = %crate::sanitise::Plain(m.uuid().unwrap_or_default()),
                "skipping a listed event source mapping of another function"
            );
        }
    }
    Ok(out)
}

/// Every mapping of `function`, skipping (with a warning) any whose id does not validate.
pub(super) async fn list(
    client: &Client,
    function: &FunctionName,
) -> Result<Vec<EventSourceMapping>, PortError> {
    let mut out = Vec::new();
    for m in own_mappings(client, function).await? {
        match m.uuid().map(MappingId::new) {
            Some(Ok(id)) => out.push(EventSourceMapping {
                id,
                kind: SourceKind::from_source(m.event_source_arn()),
                source: m.event_source_arn().unwrap_or_default().to_owned(),
                state: m.state().unwrap_or("Enabled").to_owned(),
            }),
            _ => tracing::warn!(
                function = %function,
                mapping = %crate::sanitise::Plain(m.uuid().unwrap_or_default()),
                "skipping a listed event source mapping with an unexpected id"
            ),
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// The SQS queues `function`'s polling mappings read, by name (a source ARN that names no valid
/// queue is skipped).
pub(super) async fn polled_queues(
    client: &Client,
    function: &FunctionName,
) -> Result<Vec<QueueName>, PortError> {
    Ok(list(client, function).await?.iter().filter_map(EventSourceMapping::polled_queue).collect())
}

/// The ceilings `function`'s polling mappings put on its concurrency: an SQS mapping's
/// `ScalingConfig.MaximumConcurrency` (when set; listed without one too) and a stream mapping's
/// `ParallelizationFactor` (default 1) with the stream's open shards, read through `shards`. A
/// shard count that cannot be read is left out (the judgement notes it and falls back to the
/// curve's shape) and logged with its error.
pub(super) async fn ceilings(
    client: &Client,
    shards: Option<&ShardReader>,
    function: &FunctionName,
) -> Result<Vec<MappingCeiling>, PortError> {
    let positive = |n: Option<i32>| n.and_then(|n| u32::try_from(n).ok()).filter(|&n| n > 0);
    let mut out = Vec::new();
    for m in own_mappings(client, function).await? {
        if matches!(m.state(), Some("Disabled" | "Disabling" | "Deleting")) {
            continue;
        }
        let kind = SourceKind::from_source(m.event_source_arn());
        match kind {
            SourceKind::Sqs => out.push(MappingCeiling::Sqs {
                maximum_concurrency: positive(m.scaling_config().and_then(|c| c.maximum_concurrency())),
            }),
            SourceKind::Kinesis | SourceKind::DynamoDbStream => {
                let open = match (shards, m.event_source_arn()) {
                    (Some(reader), Some(stream)) => match reader.open_shards(kind, stream).await {
                        Ok(n) => Some(n),
                        Err(err) => {
                            tracing::warn!(function = %function, error = %err, "stream shard count unread");
                            None
                        }
                    },
                    _ => None,
                };
                out.push(MappingCeiling::Stream {
                    parallelization_factor: positive(m.parallelization_factor()).unwrap_or(1),
                    shards: open,
                });
            }
            _ => {}
        }
    }
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
