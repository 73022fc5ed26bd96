//! SDK errors → [`PortError`], classified once for every adapter: throttling, 5xx, timeouts and
//! connection faults are retryable (the invocation should fail so Lambda retries it); 4xx such as
//! AccessDenied or InvalidParameterValue are final. Messages carry the service's error code and its
//! short message only, never credentials or request bodies.

use std::error::Error as StdError;

// Every SDK crate re-exports the same smithy runtime types; Lambda's re-export names them for all four.
use aws_sdk_lambda::config::http::HttpResponse;
use aws_sdk_lambda::error::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::ports::PortError;

/// Longest service message kept in a `PortError` (service messages can echo long ARNs).
const MAX_MESSAGE_CHARS: usize = 300;

/// Error codes that mean "slow down" or "try again" whatever the HTTP status says.
const RETRYABLE_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    "PriorRequestNotComplete",
    "ProvisionedThroughputExceededException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "ServiceException",
    "InternalFailure",
    "InternalError",
    "InternalServiceError",
    "RequestTimeout",
    "RequestTimeoutException",
    "ResourceConflictException",
];

/// Error codes that mean the named resource does not exist.
const NOT_FOUND_CODES: &[&str] =
    &["ResourceNotFoundException", "ResourceNotFound", "NotFound", "NotFoundException"];

/// What a failed call looked like, reduced to the facts classification needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Facts {
    /// The service's error code, when it sent one.
    pub code: Option<String>,
    /// The HTTP status, when a response arrived.
    pub status: Option<u16>,
    /// Short, secret-free description.
    pub message: String,
    /// Whether retrying the call (or the invocation) can succeed.
    pub retryable: bool,
}

/// Converts an SDK error into a [`PortError`] for `operation` on `target`.
pub(crate) fn port_error<E>(
    operation: &'static str,
    target: &str,
    err: SdkError<E, HttpResponse>,
) -> PortError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let facts = facts(&err);
    let not_found = facts.code.as_deref().is_some_and(|c| NOT_FOUND_CODES.contains(&c))
        || (facts.code.is_none() && facts.status == Some(404));
    PortError {
        operation,
        target: target.to_owned(),
        message: facts.message,
        retryable: facts.retryable,
        not_found,
        source: Some(Box::new(err)),
    }
}

/// Classifies an SDK error without consuming it.
pub(crate) fn facts<E>(err: &SdkError<E, HttpResponse>) -> Facts
where
    E: ProvideErrorMetadata + StdError,
{
    match err {
        SdkError::ConstructionFailure(_) => plain("request could not be built", false),
        SdkError::TimeoutError(_) => plain("timed out", true),
        SdkError::DispatchFailure(d) => {
            let kind = if d.is_timeout() {
                "timeout"
            } else if d.is_io() {
                "connection error"
            } else if d.is_user() {
                "client configuration error"
            } else {
                "transport error"
            };
            plain(&format!("request not sent: {kind}"), !d.is_user())
        }
        SdkError::ResponseError(r) => {
            let status = r.raw().status().as_u16();
            Facts {
                code: None,
                status: Some(status),
                message: format!("unreadable response (HTTP {status})"),
                retryable: status >= 500 || status == 429,
            }
        }
        SdkError::ServiceError(s) => service_facts(s.err(), s.raw().status().as_u16()),
        _ => plain("unknown SDK failure", false),
    }
}

fn service_facts<E: ProvideErrorMetadata>(err: &E, status: u16) -> Facts {
    let code = err.code().map(str::to_owned);
    let retryable =
        status >= 500 || status == 429 || code.as_deref().is_some_and(|c| RETRYABLE_CODES.contains(&c));
    let text = match (code.as_deref(), err.message()) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => c.to_owned(),
        (None, Some(m)) => format!("HTTP {status}: {m}"),
        (None, None) => format!("HTTP {status}"),
    };
    Facts { code, status: Some(status), message: clip(&text), retryable }
}

fn plain(message: &str, retryable: bool) -> Facts {
    Facts { code: None, status: None, message: message.to_owned(), retryable }
}

/// One line of at most [`MAX_MESSAGE_CHARS`] characters, through the one sanitiser: service
/// messages (which may quote a caller's input) end up in logs, alerts and the CLI's output.
fn clip(text: &str) -> String {
    crate::sanitise::one_line_max(text, MAX_MESSAGE_CHARS)
}

/// A `PortError` for a response the adapter could not use (missing field, bad value): not retryable.
pub(crate) fn invalid_response(
    operation: &'static str,
    target: &str,
    message: impl Into<String>,
) -> PortError {
    PortError {
        operation,
        target: target.to_owned(),
        message: message.into(),
        retryable: false,
        not_found: false,
        source: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_keeps_one_short_line() {
        assert_eq!(clip("a\nb\u{1b}[2J"), "a\\nb\\u{1b}[2J");
        let long = "x".repeat(1000);
        let clipped = clip(&long);
        assert_eq!(clipped.chars().count(), MAX_MESSAGE_CHARS);
        assert!(clipped.ends_with(crate::sanitise::CUT_MARKER), "{clipped}");
    }
}
