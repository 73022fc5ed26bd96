//! [`LambdaDeployment`]: finds the deployed guard behind [`Deployment`]: ListFunctions (whose
//! configurations carry each function's environment), ListTags on the functions whose environment
//! names an alert topic, and GetFunctionConfiguration for a function named outright.

use std::collections::HashMap;

use aws_config::SdkConfig;
use aws_sdk_lambda::Client;
use aws_sdk_lambda::types::FunctionConfiguration;

use super::error::port_error;
use crate::config::vars;
use crate::deployment::{DeployedGuard, Deployment, ROLE_GUARD, ROLE_TAG};
use crate::name::FunctionName;
use crate::ports::PortError;

/// The deployment adapter.
#[derive(Debug, Clone)]
pub struct LambdaDeployment {
    client: Client,
}

impl LambdaDeployment {
    /// Builds the adapter from the shared SDK configuration.
    pub fn new(config: &SdkConfig) -> Self {
        Self { client: Client::new(config) }
    }

    async fn all_functions(&self) -> Result<Vec<FunctionConfiguration>, PortError> {
        self.client
            .list_functions()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| port_error("ListFunctions", "account", e))
    }

    async fn is_tagged_guard(&self, name: &str, arn: &str) -> Result<bool, PortError> {
        let out = self
            .client
            .list_tags()
            .resource(arn)
            .send()
            .await
            .map_err(|e| port_error("ListTags", name, e))?;
        Ok(out.tags().and_then(|t| t.get(ROLE_TAG)).is_some_and(|v| v.trim() == ROLE_GUARD))
    }
}

fn environment(config: &FunctionConfiguration) -> HashMap<String, String> {
    config.environment().and_then(|e| e.variables()).cloned().unwrap_or_default()
}

impl Deployment for LambdaDeployment {
    async fn tagged_guards(&self) -> Result<Vec<DeployedGuard>, PortError> {
        let mut guards = Vec::new();
        // Only a function whose environment names an alert topic can be a guard: one ListTags each,
        // not one for every function in the account.
        for config in self.all_functions().await? {
            let env = environment(&config);
            let (Some(name), Some(arn)) = (config.function_name(), config.function_arn()) else { continue };
            if !env.contains_key(vars::TOPIC_ARN) {
                continue;
            }
            let Ok(function) = FunctionName::new(name) else { continue };
            if self.is_tagged_guard(name, arn).await? {
                let role_arn = config.role().map(str::to_owned);
                guards.push(DeployedGuard { function, environment: env, role_arn });
            }
        }
        Ok(guards)
    }

    async fn function(&self, name: &FunctionName) -> Result<Option<DeployedGuard>, PortError> {
        let result = self.client.get_function_configuration().function_name(name.as_str()).send().await;
        match result {
            Ok(out) => {
                let environment = out.environment().and_then(|e| e.variables()).cloned().unwrap_or_default();
                let role_arn = out.role().map(str::to_owned);
                Ok(Some(DeployedGuard { function: name.clone(), environment, role_arn }))
            }
            Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => Ok(None),
            Err(e) => Err(port_error("GetFunctionConfiguration", name.as_str(), e)),
        }
    }

    async fn function_names(&self) -> Result<Vec<String>, PortError> {
        Ok(self.all_functions().await?.iter().filter_map(|f| f.function_name().map(str::to_owned)).collect())
    }
}
