//! Which configuration takes a function's traffic. `GetFunctionConfiguration` on the bare name
//! describes `$LATEST`, but a function deployed through aliases runs published versions whose memory
//! may differ (a version at 10 GB behind an alias while `$LATEST` says 128 MB). The judgement prices
//! the largest memory among `$LATEST` and every version an alias routes to: CloudWatch's per-function
//! metrics add up all of them, and over-pricing only ever brings a cost floor nearer, never a verdict.

use std::collections::BTreeMap;

use aws_sdk_lambda::Client;
use futures::{StreamExt, TryStreamExt};

use crate::aws::error::port_error;
use crate::name::FunctionName;
use crate::ports::PortError;

/// Versions read at most per function: a function whose aliases route to more versions than this
/// is priced on the newest ones, and the rest are logged, which bounds the calls per judgement.
const MAX_VERSIONS: usize = 5;

/// One alias's name and routing: its primary version and the weighted additional ones.
struct Routing {
    name: Option<String>,
    primary: Option<String>,
    weighted: Vec<(String, f64)>,
}

/// The published versions the aliases route to, newest first. Every one of them takes an alias's
/// traffic, but the routing says nothing of how much each alias gets: an alias left on an old
/// version after a deploy is the one most likely idle, and the newest versions are the ones a
/// deploy (and a canary's weighted version) just put in front of traffic.
fn serving_order(aliases: &[Routing]) -> Vec<String> {
    let numbered = |v: &&String| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
    let routed = aliases.iter().flat_map(|a| a.primary.iter().chain(a.weighted.iter().map(|(v, _)| v)));
    // Only numbered versions: `$LATEST` is read already, and anything else is not a version.
    let versions: BTreeMap<u64, String> =
        routed.filter(numbered).filter_map(|v| Some((v.parse::<u64>().ok()?, v.clone()))).collect();
    versions.into_values().rev().collect()
}

/// Every alias's name and routing (every page).
async fn alias_routing(client: &Client, function: &FunctionName) -> Result<Vec<Routing>, PortError> {
    const OP: &str = "ListAliases";
    let mut aliases = client.list_aliases().function_name(function.as_str()).into_paginator().items().send();
    let mut out = Vec::new();
    while let Some(alias) = aliases.try_next().await.map_err(|e| port_error(OP, function.as_str(), e))? {
        let weighted =
            alias.routing_config().and_then(|r| r.additional_version_weights()).into_iter().flatten();
        out.push(Routing {
            name: alias.name().map(str::to_owned),
            primary: alias.function_version().map(str::to_owned),
            weighted: weighted.map(|(v, w)| (v.clone(), *w)).collect(),
        });
    }
    Ok(out)
}

/// The names that take `function`'s traffic, each a `FunctionName` that `ListEventSourceMappings`
/// filters on: the function itself, each alias (`function:alias`) and each version an alias routes
/// to (`function:3`). Alias names are validated like function names before they are sent.
pub(super) async fn qualified_names(
    client: &Client,
    function: &FunctionName,
) -> Result<Vec<String>, PortError> {
    let aliases = alias_routing(client, function).await?;
    let valid = |q: &&String| FunctionName::new(q.as_str()).is_ok();
    let names = aliases.iter().filter_map(|a| a.name.as_ref()).filter(valid);
    let qualifiers: Vec<String> = names.cloned().chain(serving_order(&aliases)).collect();
    Ok(std::iter::once(function.to_string())
        .chain(qualifiers.iter().map(|q| format!("{function}:{q}")))
        .collect())
}

/// The largest memory size of the versions `function`'s aliases route to; `None` when it has no
/// alias to a published version (its traffic is `$LATEST`'s).
pub(super) async fn traffic_memory_mb(
    client: &Client,
    function: &FunctionName,
) -> Result<Option<u32>, PortError> {
    const OP: &str = "GetFunctionConfiguration";
    let versions = serving_order(&alias_routing(client, function).await?);
    if versions.len() > MAX_VERSIONS {
        tracing::warn!(function = %function, versions = versions.len(), "pricing only the newest aliased versions");
    }
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

#[cfg(test)]
mod tests {
    use super::{MAX_VERSIONS, Routing, serving_order};

    fn alias(primary: &str, weighted: &[(&str, f64)]) -> Routing {
        Routing {
            name: None,
            primary: Some(primary.to_owned()),
            weighted: weighted.iter().map(|(v, w)| ((*v).to_owned(), *w)).collect(),
        }
    }

    #[test]
    fn the_versions_serving_traffic_come_before_the_oldest() {
        // Five aliases left on old versions 1..5, and `live` on version 12 with a 10% canary on 13.
        let mut aliases: Vec<Routing> = (1..=5).map(|v| alias(&v.to_string(), &[])).collect();
        aliases.push(alias("12", &[("13", 0.1)]));
        let order = serving_order(&aliases);
        let priced: Vec<&str> = order.iter().take(MAX_VERSIONS).map(String::as_str).collect();
        assert!(priced.contains(&"12") && priced.contains(&"13"), "{priced:?}");
        assert_eq!(order.len(), 7);
    }

    #[test]
    fn each_version_is_listed_once_and_latest_is_not_a_version() {
        let aliases = [alias("3", &[]), alias("3", &[("4", 0.5)]), alias("$LATEST", &[]), alias("10", &[])];
        assert_eq!(serving_order(&aliases), ["10", "4", "3"]);
    }
}
