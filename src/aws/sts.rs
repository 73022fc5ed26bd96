//! [`StsIdentity`]: who is calling (GetCallerIdentity) behind [`Identity`], for the audit line of a
//! re-enable ("re-enabled by <caller ARN>") and the `account` alert attribute.

use aws_config::SdkConfig;
use aws_sdk_sts::Client;

use super::error::{invalid_response, port_error};
use crate::ports::{Caller, Identity, PortError};

/// The STS adapter.
#[derive(Debug, Clone)]
pub struct StsIdentity {
    client: Client,
}

impl StsIdentity {
    /// Builds the adapter from the shared SDK configuration.
    pub fn new(config: &SdkConfig) -> Self {
        Self { client: Client::new(config) }
    }

    /// Wraps an existing client.
    pub fn from_client(client: Client) -> Self {
        Self { client }
    }
}

impl Identity for StsIdentity {
    async fn caller(&self) -> Result<Caller, PortError> {
        const OP: &str = "GetCallerIdentity";
        let out = self.client.get_caller_identity().send().await.map_err(|e| port_error(OP, "caller", e))?;
        match (out.arn(), out.account()) {
            (Some(arn), Some(account)) => Ok(Caller { arn: arn.to_owned(), account: account.to_owned() }),
            _ => Err(invalid_response(OP, "caller", "response lacks Arn or Account")),
        }
    }
}
