//! `runaway-guard replay FUNCTION`: sends the asynchronous events parked while FUNCTION was tripped
//! back to it, once it is re-enabled (docs/trip-and-restore.md). Checks everything before the first
//! message is touched: the function exists here, it is no longer tripped and carries no unverified
//! record, which queue to read (the deployed guard's parking queue, or `--from`), and the rate.

use std::process::ExitCode;

use crate::aws::LambdaThrottler;
use crate::aws::sqs::ParkedQueue;
use crate::name::FunctionName;
use crate::ports::{FailureTarget, Metrics, Throttler};
use crate::replay::{Filter, Rate, Summary, gate, rate};
use crate::time::Timestamp;

use super::setup::{Operation, Refusal};
use super::target::existing_function;
use super::{EXIT_FAILURE, EXIT_OK, Located};

mod drive;

use drive::Replayer;

/// The `replay` arguments, already checked.
pub struct ReplayArgs {
    /// Name or ARN.
    pub function: String,
    /// `--rate`, or `None` for the default.
    pub rate: Option<Rate>,
    /// `--dry-run`.
    pub dry_run: bool,
    /// The filters.
    pub filter: Filter,
    /// `--from QUEUE_ARN`.
    pub from: Option<String>,
    /// `--json`.
    pub json: bool,
    /// `--force`: replay even where no runaway-guard is deployed.
    pub force: bool,
}

/// Parses `--since` / `--until` (RFC 3339).
pub fn parse_time(flag: &str, raw: Option<&str>) -> Result<Option<Timestamp>, Refusal> {
    raw.map(|text| {
        Timestamp::parse_rfc3339(text.trim()).ok_or_else(|| {
            Refusal::bad_input(format!("{flag} {text:?}: give an RFC 3339 time such as 2026-12-07T03:00:00Z"))
        })
    })
    .transpose()
}

/// Runs `replay`.
pub async fn run(args: ReplayArgs, op: Operation) -> Result<ExitCode, Refusal> {
    let function = existing_function(&op, &args.function).await?;
    op.require_guard(args.force)?;
    let here = op.location().to_string();
    let failed = |e: crate::ports::PortError| Refusal::failure(format!("in {here}: {e}"));
    let ports = op.ports(None);
    let reserved = ports.throttler.reserved_concurrency(&function).await.map_err(failed)?;
    let record = ports.throttler.trip_record(&function).await.map_err(failed)?;
    gate::check(&function, reserved, record.as_ref())
        .map_err(|e| Refusal::bad_input(format!("in {here}: {e}")))?;
    let mut warnings = Vec::new();
    let queue_arn = queue_to_read(&op, &ports.throttler, &function, args.from, &mut warnings).await?;
    let rate = match args.rate {
        Some(rate) => rate,
        None => default_rate(&ports.metrics, &function, &mut warnings).await,
    };
    let queue = ParkedQueue::open(&op.session.sdk, &queue_arn).await.map_err(failed)?;
    let mut summary = Summary::new(function.clone(), queue_arn, args.dry_run, rate);
    summary.warnings = warnings;
    let progress = Replayer::wants_progress(args.json);
    let replayer =
        Replayer { queue, lambda: &ports.throttler, function, filter: args.filter, rate, progress };
    if args.dry_run {
        replayer.count(&mut summary).await;
    } else {
        replayer.replay(&mut summary).await;
    }
    summary.finish();
    if args.json {
        let out = Located::new(&op, &summary);
        let text = serde_json::to_string_pretty(&out).map_err(|e| Refusal::failure(e.to_string()))?;
        println!("{}", crate::sanitise::json(&text));
    } else {
        print!("{}In {}. {}", summary.text(), op.context_line(), op.footer());
    }
    Ok(ExitCode::from(if summary.stopped.is_some() { EXIT_FAILURE } else { EXIT_OK }))
}

/// `--from`, with a warning when it is neither the function's own DLQ or destination nor the
/// parking queue; else the deployed guard's parking queue.
async fn queue_to_read(
    op: &Operation,
    lambda: &LambdaThrottler,
    function: &FunctionName,
    from: Option<String>,
    warnings: &mut Vec<String>,
) -> Result<String, Refusal> {
    let parking = parking_queue(op);
    let Some(from) = from else {
        return parking.ok_or_else(|| match &op.guard {
            None => Refusal::bad_input(format!(
                "no deployed guard found in {}, so no parking queue to read: name the queue with --from QUEUE_ARN",
                op.location()
            )),
            Some(guard) => Refusal::bad_input(format!(
                "the deployed guard {guard} has no {} (its module has no parking queue): \
                 name the function's dead-letter queue or destination with --from QUEUE_ARN",
                crate::config::vars::PARKING_QUEUE_ARN
            )),
        });
    };
    if parking.as_deref() == Some(from.as_str()) {
        return Ok(from);
    }
    match lambda.function_state(function).await {
        Ok(state) => {
            let own = match state.failure_target {
                FailureTarget::DeadLetter(arn) | FailureTarget::Destination(arn) => Some(arn),
                FailureTarget::Dropped | FailureTarget::Unknown => None,
            };
            if own.as_deref() != Some(from.as_str()) {
                warnings.push(format!(
                    "{from} is not {function}'s dead-letter queue or on-failure destination as Lambda \
                     reports them (it names {}); its messages are replayed to {function} all the same",
                    own.as_deref().unwrap_or("neither")
                ));
            }
        }
        Err(err) => warnings.push(format!(
            "cannot tell whether {from} is {function}'s own dead-letter queue or destination ({err}); \
             its messages are replayed to {function} all the same"
        )),
    }
    Ok(from)
}

/// The parking queue named in the deployed guard's configuration, when there is a guard and it
/// names one (this shell's own setting never names the queue the guard parks in).
fn parking_queue(op: &Operation) -> Option<String> {
    op.guard.as_ref().and(op.config.parking_queue_arn.clone())
}

/// A share of the function's usual rate, from its CloudWatch history; the fixed default without it.
async fn default_rate<M: Metrics>(metrics: &M, function: &FunctionName, warnings: &mut Vec<String>) -> Rate {
    match metrics
        .function_metrics(std::slice::from_ref(function), rate::history_window(Timestamp::now()))
        .await
    {
        Ok(read) => read.first().map_or_else(rate::fallback, |m| rate::from_history(&m.history)),
        Err(err) => {
            warnings
                .push(format!("CloudWatch history not read ({err}); replaying at the fixed default rate"));
            rate::fallback()
        }
    }
}
