//! The Lambda call of `runaway-guard replay` (the operator CLI only, never the guard in Lambda):
//! one asynchronous `Invoke` (InvocationType=Event) with a parked event's original payload. Lambda
//! answers 202 once it has queued the event; only then may the parked message be deleted.

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;

use super::LambdaThrottler;
use crate::aws::error::{invalid_response, port_error};
use crate::name::FunctionName;
use crate::ports::PortError;

/// The status Lambda answers an accepted asynchronous invoke with.
const ACCEPTED: i32 = 202;

impl LambdaThrottler {
    /// Queues `payload` for `function` (its version or alias `qualifier`, when the parked record
    /// names one other than `$LATEST`); `Ok` only once Lambda accepted it.
    pub async fn invoke_event(
        &self,
        function: &FunctionName,
        qualifier: Option<&str>,
        payload: &str,
    ) -> Result<(), PortError> {
        let out = self
            .client
            .invoke()
            .function_name(function.as_str())
            .set_qualifier(qualifier.filter(|q| *q != "$LATEST").map(str::to_owned))
            .invocation_type(InvocationType::Event)
            .payload(Blob::new(payload.as_bytes()))
            .send()
            .await
            .map_err(|e| port_error("Invoke", function.as_str(), e))?;
        match out.status_code() {
            ACCEPTED => Ok(()),
            other => Err(invalid_response("Invoke", function.as_str(), format!("status {other}, not 202"))),
        }
    }
}
