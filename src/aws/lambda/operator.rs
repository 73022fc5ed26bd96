//! The Lambda calls only the operator CLI makes (`status`, `reenable`), never the guard in Lambda:
//! removing a reservation or an event-invoke configuration, listing the account's functions, checking which function a mapping
//! feeds. The guard's execution role is not granted them (infra/iam.tf: they are in the operator
//! policy only), and tests/infra/scan.rs attributes every call in this file to the CLI.

use aws_sdk_lambda::Client;

use super::own_arn;
use crate::aws::error::port_error;
use crate::name::FunctionName;
use crate::ports::{MappingId, PortError};

/// DeleteFunctionConcurrency: the function may use the account's unreserved pool again.
pub(super) async fn remove_reservation(client: &Client, function: &FunctionName) -> Result<(), PortError> {
    client
        .delete_function_concurrency()
        .function_name(function.as_str())
        .send()
        .await
        .map_err(|e| port_error("DeleteFunctionConcurrency", function.as_str(), e))?;
    Ok(())
}

/// DeleteFunctionEventInvokeConfig: `reenable` of a function that had no configuration before its
/// asynchronous events were parked. Already gone is what the delete was for.
pub(super) async fn delete_invoke_config(client: &Client, function: &FunctionName) -> Result<(), PortError> {
    match client.delete_function_event_invoke_config().function_name(function.as_str()).send().await {
        Ok(_) => Ok(()),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => Ok(()),
        Err(e) => Err(port_error("DeleteFunctionEventInvokeConfig", function.as_str(), e)),
    }
}

/// ListFunctions (every page): each function's name and ARN.
pub(super) async fn functions(client: &Client) -> Result<Vec<(String, String)>, PortError> {
    let mut items = client.list_functions().into_paginator().items().send();
    let mut listed = Vec::new();
    while let Some(f) = items.try_next().await.map_err(|e| port_error("ListFunctions", "account", e))? {
        if let (Some(name), Some(arn)) = (f.function_name(), f.function_arn()) {
            listed.push((name.to_owned(), arn.to_owned()));
        }
    }
    Ok(listed)
}

/// Whether `mapping` feeds `function` itself: `GetEventSourceMapping`, then its `FunctionArn` must
/// name the function (or one of its versions or aliases). A mapping id in a trip record is only a
/// claim; this is what Lambda says.
pub(super) async fn mapping_belongs(
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
