//! The one shared `SdkConfig`: built once per process (Lambda init or CLI start) and borrowed by
//! every adapter, so credentials, region, endpoint and the connection pool are resolved once.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

/// Attempts per call (first try included). Lambda's control plane throttles at ~15 req/s; a few
/// jittered retries ride out a burst without holding the guard's own invocation for long.
const MAX_ATTEMPTS: u32 = 4;
/// TCP + TLS connect budget: the endpoints are regional and close.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// One attempt (request to last response byte).
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(8);
/// One operation including its retries: well inside the guard's Lambda timeout.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(20);

/// Loads the shared SDK configuration from the standard AWS environment.
///
/// Honours `AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL` (moto in tests) and the usual credential
/// chain. The HTTP client is built explicitly with rustls + ring: the SDK's default stack would
/// compile a second TLS implementation (aws-lc-rs) for nothing (see DESIGN.md "Rust facts").
pub async fn load_sdk_config() -> SdkConfig {
    load_sdk_config_in(None).await
}

/// [`load_sdk_config`], in `region` when one is given (the CLI's `--region`), else the region the
/// environment names.
pub async fn load_sdk_config_in(region: Option<&str>) -> SdkConfig {
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client)
        .retry_config(retry_config())
        .timeout_config(timeout_config());
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region.to_owned()));
    }
    loader.load().await
}

/// Standard retry mode: exponential backoff with jitter, retrying throttling, 5xx and transient
/// transport errors, with a client-side token bucket so retries can't stampede a struggling API.
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS)
}

/// Connect, per-attempt and per-operation timeouts.
pub fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_and_timeouts_are_bounded() {
        let retry = retry_config();
        assert_eq!(retry.max_attempts(), MAX_ATTEMPTS);
        assert_eq!(retry.mode(), aws_config::retry::RetryMode::Standard);
        let timeouts = timeout_config();
        assert_eq!(timeouts.operation_timeout(), Some(OPERATION_TIMEOUT));
        assert!(ATTEMPT_TIMEOUT * MAX_ATTEMPTS > OPERATION_TIMEOUT, "the operation budget caps retries");
    }
}
