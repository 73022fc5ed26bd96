//! Which configuration takes a function's traffic. `GetFunctionConfiguration` on the bare name
//! describes `$LATEST`, but a function deployed through aliases runs published versions whose memory
//! may differ (a version at 10 GB behind an alias while `$LATEST` says 128 MB). The judgement prices
//! the largest memory among `$LATEST` and every version an alias routes to: CloudWatch's per-function
//! metrics add up all of them, and over-pricing only ever brings a cost floor nearer, never a verdict.

use std::collections::BTreeSet;

use aws_sdk_lambda::Client;
use futures::{StreamExt, TryStreamExt};

use crate::aws::error::port_error;
use crate::name::FunctionName;
use crate::ports::PortError;

/// Versions read at most per function: a function with more aliased versions than this is priced
/// on the first ones (in version order) and the rest are logged, which bounds the calls per
/// judgement.
const MAX_VERSIONS: usize = 5;

/// Published versions the function's aliases route traffic to (primary and weighted), in order.
async fn aliased_versions(client: &Client, function: &FunctionName) -> Result<BTreeSet<String>, PortError> {
    const OP: &str = "ListAliases";
    let mut aliases = client.list_aliases().function_name(function.as_str()).into_paginator().items().send();
    let mut versions = BTreeSet::new();
    while let Some(alias) = aliases.try_next().await.map_err(|e| port_error(OP, function.as_str(), e))? {
        let weighted =
            alias.routing_config().and_then(|r| r.additional_version_weights()).into_iter().flatten();
        let routed =
            alias.function_version().into_iter().chain(weighted.map(|(version, _)| version.as_str()));
        // Only numbered versions: `$LATEST` is read already, and anything else is not a version.
        versions.extend(
            routed.filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())).map(str::to_owned),
        );
    }
    Ok(versions)
}

/// The largest memory size of the versions `function`'s aliases route to; `None` when it has no
/// alias to a published version (its traffic is `$LATEST`'s).
pub(super) async fn traffic_memory_mb(
    client: &Client,
    function: &FunctionName,
) -> Result<Option<u32>, PortError> {
    const OP: &str = "GetFunctionConfiguration";
    let versions = aliased_versions(client, function).await?;
    if versions.len() > MAX_VERSIONS {
        tracing::warn!(function = %function, versions = versions.len(), "pricing only the first aliased versions");
    }
    let mut versions: Vec<String> = versions.into_iter().collect();
    versions.sort_by_key(|v| v.parse::<u64>().unwrap_or(u64::MAX));
    let sizes: Vec<Option<u32>> = futures::stream::iter(versions.into_iter().take(MAX_VERSIONS))
        .map(|version| async move {
            let out = client
                .get_function_configuration()
                .function_name(function.as_str())
                .qualifier(&version)
                .send()
                .await
                .map_err(|e| port_error(OP, &format!("{function}:{version}"), e))?;
            Ok::<_, PortError>(out.memory_size().and_then(|m| u32::try_from(m).ok()))
        })
        .buffered(2)
        .try_collect()
        .await?;
    Ok(sizes.into_iter().flatten().max())
}
