//! The function's own event-invoke configuration (`Get`/`Put`/`DeleteFunctionEventInvokeConfig` on
//! the unqualified function): read for the alert and the trip's parking, put with the parking queue
//! as on-failure destination before the throttle, and put back or deleted by `reenable` (the delete
//! lives with the other operator-only calls, in `operator.rs`). Aliases and
//! versions have configurations of their own, which the guard never changes.

use aws_sdk_lambda::types::{DestinationConfig, OnFailure, OnSuccess};

use super::LambdaThrottler;
use crate::aws::error::port_error;
use crate::name::FunctionName;
use crate::ports::{InvokeConfig, PortError};

impl LambdaThrottler {
    /// The configuration, `None` when the function has none.
    pub(super) async fn read_invoke_config(
        &self,
        function: &FunctionName,
    ) -> Result<Option<InvokeConfig>, PortError> {
        let result =
            self.client.get_function_event_invoke_config().function_name(function.as_str()).send().await;
        let out = match result {
            Ok(out) => out,
            // Callers read the function first: not found here means "no configuration".
            Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => {
                return Ok(None);
            }
            Err(e) => return Err(port_error("GetFunctionEventInvokeConfig", function.as_str(), e)),
        };
        let destinations = out.destination_config();
        Ok(Some(InvokeConfig {
            max_retry_attempts: out.maximum_retry_attempts().and_then(|n| u32::try_from(n).ok()),
            max_event_age_secs: out.maximum_event_age_in_seconds().and_then(|n| u32::try_from(n).ok()),
            on_success: destinations
                .and_then(|d| d.on_success())
                .and_then(|s| s.destination())
                .filter(|arn| !arn.is_empty())
                .map(str::to_owned),
            on_failure: destinations
                .and_then(|d| d.on_failure())
                .and_then(|f| f.destination())
                .filter(|arn| !arn.is_empty())
                .map(str::to_owned),
        }))
    }

    /// Puts `config` (every setting: a Put replaces the whole configuration), or deletes it.
    pub(super) async fn write_invoke_config(
        &self,
        function: &FunctionName,
        config: Option<&InvokeConfig>,
    ) -> Result<(), PortError> {
        let Some(config) = config else {
            return super::operator::delete_invoke_config(&self.client, function).await;
        };
        let destinations = DestinationConfig::builder()
            .set_on_success(
                config.on_success.as_ref().map(|arn| OnSuccess::builder().destination(arn).build()),
            )
            .set_on_failure(
                config.on_failure.as_ref().map(|arn| OnFailure::builder().destination(arn).build()),
            )
            .build();
        self.client
            .put_function_event_invoke_config()
            .function_name(function.as_str())
            .set_maximum_retry_attempts(config.max_retry_attempts.and_then(|n| i32::try_from(n).ok()))
            .set_maximum_event_age_in_seconds(config.max_event_age_secs.and_then(|n| i32::try_from(n).ok()))
            .destination_config(destinations)
            .send()
            .await
            .map_err(|e| port_error("PutFunctionEventInvokeConfig", function.as_str(), e))?;
        Ok(())
    }
}
