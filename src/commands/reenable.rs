//! `runaway-guard reenable FUNCTION`: restores what the trip record says, through the operator flow
//! the event path shares, in the account and region the credentials act on.

use std::process::ExitCode;

use crate::operator::{self, ReenableError};
use crate::time::Timestamp;

use super::setup::{Operation, Refusal};
use super::target::existing_function;
use super::{EXIT_FAILURE, EXIT_OK, Located};

/// Runs `reenable`.
pub async fn run(function: &str, force: bool, json: bool, op: Operation) -> Result<ExitCode, Refusal> {
    let function = existing_function(&op, function).await?;
    let ports = op.ports(op.config.topic_arn.clone());
    let ports_ref = (&ports.throttler, &ports.notifier, &ports.identity);
    let region = Some(op.location().region.as_str());
    let done =
        operator::reenable(ports_ref, region, &function, force, Timestamp::now()).await.map_err(|err| {
            match err {
                ReenableError::NotTripped(_) => Refusal::bad_input(format!("{err} (in {})", op.location())),
                ReenableError::Port(err) => {
                    Refusal::failure(format!("re-enable of {function} in {} failed: {err}", op.location()))
                }
            }
        })?;
    if json {
        let out = Located::new(&op, &done);
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| Refusal::failure(e.to_string()))?);
    } else {
        print!("{}", crate::table::reenabled(&done, &op.context_line()));
    }
    // Restored but nobody told: on-call must hear it from the operator, so the run fails.
    Ok(ExitCode::from(if done.alerted { EXIT_OK } else { EXIT_FAILURE }))
}
