//! Lambda: every function (ListFunctions) with its reserved concurrency (GetFunctionConcurrency),
//! loop-detection setting (GetFunctionRecursionConfig: unknown where the endpoint does not answer)
//! and destinations (GetFunctionEventInvokeConfig); every event source mapping with its filters
//! (ListEventSourceMappings).

use aws_sdk_lambda::Client;
use aws_sdk_lambda::types::{Architecture as SdkArchitecture, RecursiveLoop as SdkRecursiveLoop};
use futures::StreamExt as _;

use super::{PARALLEL, unread};
use crate::audit::model::{Filter, Function, RecursiveLoop, Trigger, Via, Wiring};
use crate::aws::error::port_error;
use crate::ports::{Architecture, PortError};

/// Functions, with their settings.
pub(super) async fn read(sdk: &aws_config::SdkConfig, wiring: &mut Wiring) {
    let client = Client::new(sdk);
    let mut listed = Vec::new();
    let mut items = client.list_functions().into_paginator().items().send();
    while let Some(item) = items.next().await {
        match item {
            Ok(f) => listed.extend(listed_function(&f)),
            Err(e) => {
                unread(wiring, &port_error("ListFunctions", "region", e));
                break;
            }
        }
    }
    let settled: Vec<(Function, Vec<PortError>)> = futures::stream::iter(listed)
        .map(|f| settings(client.clone(), f))
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    for (function, errors) in settled {
        errors.iter().for_each(|e| unread(wiring, e));
        wiring.functions.push(function);
    }
    wiring.functions.sort_by(|a, b| a.name.cmp(&b.name));
}

fn listed_function(f: &aws_sdk_lambda::types::FunctionConfiguration) -> Option<Function> {
    let architecture = match f.architectures().first() {
        Some(SdkArchitecture::Arm64) => Architecture::Arm64,
        _ => Architecture::X86_64,
    };
    Some(Function {
        name: f.function_name()?.to_owned(),
        arn: crate::audit::arn::node_of(f.function_arn()?),
        role: f.role().map(str::to_owned),
        memory_mb: f.memory_size().and_then(|m| u32::try_from(m).ok()).unwrap_or(128),
        architecture,
        reserved_concurrency: None,
        recursive_loop: RecursiveLoop::Unknown,
    })
}

/// Reserved concurrency and the recursion setting; destinations are read with the triggers.
async fn settings(client: Client, mut f: Function) -> (Function, Vec<PortError>) {
    let mut errors = Vec::new();
    match client.get_function_concurrency().function_name(&f.name).send().await {
        Ok(out) => {
            f.reserved_concurrency = out.reserved_concurrent_executions().and_then(|n| u32::try_from(n).ok())
        }
        Err(e) => errors.push(port_error("GetFunctionConcurrency", &f.name, e)),
    }
    // Unknown, never fatal: not every endpoint (or every partition) answers this one.
    match client.get_function_recursion_config().function_name(&f.name).send().await {
        Ok(out) => {
            f.recursive_loop = match out.recursive_loop() {
                Some(SdkRecursiveLoop::Allow) => RecursiveLoop::Allow,
                Some(SdkRecursiveLoop::Terminate) => RecursiveLoop::Terminate,
                _ => RecursiveLoop::Unknown,
            }
        }
        Err(e) => errors.push(port_error("GetFunctionRecursionConfig", &f.name, e)),
    }
    (f, errors)
}

/// Event source mappings and destinations.
pub(super) async fn read_triggers(sdk: &aws_config::SdkConfig, wiring: &mut Wiring) {
    let client = Client::new(sdk);
    let mut items = client.list_event_source_mappings().into_paginator().items().send();
    while let Some(item) = items.next().await {
        match item {
            Ok(m) => wiring.triggers.extend(mapping(&m)),
            Err(e) => {
                unread(wiring, &port_error("ListEventSourceMappings", "region", e));
                break;
            }
        }
    }
    destinations(&client, wiring).await;
}

/// Each function's on-success and on-failure destinations (no configuration: none, not a failure).
async fn destinations(client: &Client, wiring: &mut Wiring) {
    let names: Vec<(String, String)> =
        wiring.functions.iter().map(|f| (f.name.clone(), f.arn.clone())).collect();
    let configs: Vec<_> =
        futures::stream::iter(names)
            .map(|(name, arn)| {
                let client = client.clone();
                async move {
                    (arn, client.get_function_event_invoke_config().function_name(&name).send().await, name)
                }
            })
            .buffer_unordered(PARALLEL)
            .collect()
            .await;
    for (arn, result, name) in configs {
        match result {
            Ok(out) => {
                let destinations = out.destination_config();
                let on_success = destinations.and_then(|d| d.on_success()).and_then(|d| d.destination());
                let on_failure = destinations.and_then(|d| d.on_failure()).and_then(|d| d.destination());
                for (condition, to) in [("on-success", on_success), ("on-failure", on_failure)] {
                    if let Some(to) = to {
                        wiring.triggers.push(Trigger {
                            source: arn.clone(),
                            target: to.to_owned(),
                            via: Via::Destination { condition: condition.to_owned() },
                            filter: Filter::None,
                        });
                    }
                }
            }
            Err(e) => {
                let err = port_error("GetFunctionEventInvokeConfig", &name, e);
                // No configuration is the common case, not a failed read.
                if !err.not_found {
                    unread(wiring, &err);
                }
            }
        }
    }
}

fn mapping(m: &aws_sdk_lambda::types::EventSourceMappingConfiguration) -> Option<Trigger> {
    if matches!(m.state(), Some("Disabled" | "Disabling")) {
        return None;
    }
    let patterns: Vec<serde_json::Value> = m
        .filter_criteria()
        .map(|c| c.filters())
        .unwrap_or_default()
        .iter()
        .filter_map(|f| f.pattern())
        .filter_map(|p| serde_json::from_str(p).ok())
        .collect();
    let number = |n: Option<i32>| n.and_then(|n| u32::try_from(n).ok());
    Some(Trigger {
        source: m.event_source_arn()?.to_owned(),
        target: m.function_arn()?.to_owned(),
        via: Via::Mapping {
            max_concurrency: number(m.scaling_config().and_then(|s| s.maximum_concurrency())),
            parallelization: number(m.parallelization_factor()),
        },
        filter: if patterns.is_empty() { Filter::None } else { Filter::Patterns(patterns) },
    })
}
