//! The Lambda client's HTTP layer with the control-plane budget ([`crate::control_plane`]): every
//! attempt (retries included) waits for a token of the calling task's lane before it is sent, and
//! is counted by operation, so the calls per trip, per judged function and per batch can be
//! measured (`tests/control_plane_calls.rs`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

use crate::control_plane::TokenBucket;

/// The environment's one bucket and call count, shared by every Lambda client it builds.
#[derive(Debug)]
struct Shared {
    bucket: TokenBucket,
    calls: Mutex<BTreeMap<String, u64>>,
}

fn shared() -> &'static Arc<Shared> {
    static SHARED: OnceLock<Arc<Shared>> = OnceLock::new();
    SHARED.get_or_init(|| {
        Arc::new(Shared { bucket: TokenBucket::new(Instant::now()), calls: Mutex::default() })
    })
}

/// `inner` with every request waiting for the environment's control-plane budget.
pub fn budgeted(inner: SharedHttpClient) -> SharedHttpClient {
    SharedHttpClient::new(Budgeted { inner })
}

/// Lambda control-plane requests sent so far by this process, by operation (`METHOD /path` with
/// names and ids replaced by `{}`).
pub fn calls() -> BTreeMap<String, u64> {
    shared().calls.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
}

#[derive(Debug)]
struct Budgeted {
    inner: SharedHttpClient,
}

impl HttpClient for Budgeted {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let inner = self.inner.http_connector(settings, components);
        SharedHttpConnector::new(BudgetedConnector { inner })
    }
}

#[derive(Debug)]
struct BudgetedConnector {
    inner: SharedHttpConnector,
}

impl HttpConnector for BudgetedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let operation = operation(request.method(), request.uri());
        HttpConnectorFuture::new(async move {
            let shared = shared();
            shared.bucket.take().await;
            *shared
                .calls
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .entry(operation)
                .or_default() += 1;
            inner.call(request).await
        })
    }
}

/// `GET /2015-03-31/functions/{}/configuration`: the path's fixed words, names and ids as `{}`.
fn operation(method: &str, uri: &str) -> String {
    let path = uri.split('?').next().unwrap_or_default();
    let path =
        path.find("://").map_or(path, |at| path[at + 3..].find('/').map_or("", |p| &path[at + 3 + p..]));
    let words = [
        "functions",
        "concurrency",
        "configuration",
        "tags",
        "aliases",
        "event-source-mappings",
        "account-settings",
        "versions",
        "policy",
        "event-invoke-config",
    ];
    let shape: Vec<&str> = path
        .split('/')
        .map(|segment| match segment {
            s if s.is_empty() || words.contains(&s) || s.starts_with("20") => s,
            _ => "{}",
        })
        .collect();
    format!("{method} {}", shape.join("/"))
}

#[cfg(test)]
mod tests {
    use super::operation;

    #[test]
    fn operations_are_named_without_their_functions() {
        assert_eq!(
            operation("PUT", "http://127.0.0.1:5000/2017-10-31/functions/orders/concurrency"),
            "PUT /2017-10-31/functions/{}/concurrency"
        );
        assert_eq!(
            operation(
                "GET",
                "https://lambda.us-east-1.amazonaws.com/2015-03-31/event-source-mappings/?FunctionName=a"
            ),
            "GET /2015-03-31/event-source-mappings/"
        );
        assert_eq!(
            operation(
                "GET",
                "https://lambda.x/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Aa"
            ),
            "GET /2017-03-31/tags/{}"
        );
    }
}
