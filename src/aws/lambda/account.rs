//! The account's concurrency, read by both the guard (the judgement's account ceiling) and the CLI
//! (`reenable` keeps 100 unreserved): GetAccountSettings, a read the guard's role holds.

use aws_sdk_lambda::Client;

use super::is_missing_api;
use crate::aws::error::{facts, port_error};
use crate::ports::PortError;

/// GetAccountSettings: the account's unreserved concurrency (`None` where the endpoint lacks the API).
pub(super) async fn unreserved_concurrency(client: &Client) -> Result<Option<u32>, PortError> {
    match client.get_account_settings().send().await {
        Ok(out) => Ok(out
            .account_limit()
            .and_then(|l| l.unreserved_concurrent_executions())
            .and_then(|n| u32::try_from(n).ok())),
        // A bare 404 with no error code: the endpoint doesn't implement the API (moto 5.2.5 doesn't).
        // Real Lambda always answers; "unknown" is what callers decide on.
        Err(e) if is_missing_api(&facts(&e)) => Ok(None),
        Err(e) => Err(port_error("GetAccountSettings", "account", e)),
    }
}
