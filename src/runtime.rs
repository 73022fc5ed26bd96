//! Lambda mode: the Runtime API loop with clients and detector state built once per execution
//! environment. Malformed events are answered (not retried); AWS failures that left a function
//! uncontained return an error so Lambda retries the invocation, except for an SQS batch, whose
//! answer names the records to redeliver (`batchItemFailures`, with `ReportBatchItemFailures`).

use std::sync::Arc;

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;
use serde_json::value::RawValue;
use tracing::{Instrument, error, info, info_span, warn};

use crate::clients::AwsPorts;
use crate::config::Config;
use crate::handler::own_role::CallerLookup;
use crate::handler::{Guard, HandleError};
use crate::ports::{Identity, Metrics, Notifier, Throttler};
use crate::report::Report;
use crate::time::Timestamp;

/// Runs until the Runtime API shuts the environment down.
pub async fn run(config: Config) -> Result<(), Error> {
    let function = config.self_function.as_ref().map(|f| f.to_string());
    let ports = AwsPorts::load(config.topic_arn.clone()).await.with_record_key(config.record_key_arn.clone());
    if config.record_key_arn.is_none() {
        warn!(
            "RUNAWAY_GUARD_RECORD_KEY_ARN is not set: trip records are written unsigned, and reenable needs --to"
        );
    }
    let identity = ports.identity.clone();
    // Asked only when a CloudTrail call first needs it: no STS call at start-up.
    let lookup: CallerLookup = Arc::new(move || {
        let identity = identity.clone();
        Box::pin(async move { identity.caller().await.map(|caller| caller.arn) })
    });
    let guard = ports.guard(config, None).with_own_role_lookup(lookup);
    let (guard, function) = (&guard, function.as_deref());
    info!(function, "runaway-guard ready");
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Box<RawValue>>| async move {
        let span = info_span!(
            "invocation",
            function_request_id = %event.context.request_id,
            xray_trace_id = event.context.xray_trace_id.as_deref().unwrap_or(""),
        );
        handle(guard, function, event).instrument(span).await
    }))
    .await
}

async fn handle<T: Throttler, M: Metrics, N: Notifier>(
    guard: &Guard<T, M, N>,
    function: Option<&str>,
    event: LambdaEvent<Box<RawValue>>,
) -> Result<Value, Error> {
    let now = Timestamp::now();
    guard.learn_account_from_arn(&event.context.invoked_function_arn);
    let (report, bad_event) = match guard.handle_bytes(event.payload.get().as_bytes(), now).await {
        Ok(report) => (report, None),
        Err(HandleError::BadEvent(err)) => (Report::default(), Some(err.to_string())),
    };
    println!("{}", crate::emf::invocation_metrics(&report, bad_event.is_some(), function, now));
    if let Some(err) = bad_event {
        // Not retried: the same bytes would fail the same way.
        error!(error = %crate::sanitise::Plain(&err), "event rejected; nothing done");
        return Ok(serde_json::json!({ "decisions": [], "error": err }));
    }
    info!(decisions = report.decisions.len(), rejected = report.rejected.len(), "event handled");
    if let Some(failures) = &report.batch_item_failures {
        // An SQS batch: the partial batch response names what to redeliver; failing the whole
        // invocation would redeliver (and, before the guard remembered message ids, recount) it all.
        if !failures.is_empty() {
            warn!(records = failures.len(), "records reported for redelivery");
        }
        return Ok(serde_json::to_value(&report)?);
    }
    if report.needs_retry() {
        let drifted = report.drift.iter().filter(|d| d.retryable).filter_map(|d| d.function.as_ref());
        let failed: Vec<String> = report
            .decisions
            .iter()
            .filter(|d| d.retryable)
            .map(|d| &d.function)
            .chain(drifted)
            .map(ToString::to_string)
            .chain(report.unread.iter().map(|u| format!("{} (not read)", u.subject)))
            .collect();
        return Err(
            format!("retryable AWS failure for {}; invocation will be retried", failed.join(", ")).into()
        );
    }
    Ok(serde_json::to_value(&report)?)
}
