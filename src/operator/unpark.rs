//! Which event-invoke configuration `reenable` puts back: the one a verified trip record names as
//! replaced by the parking, and only while the function's configuration is still exactly the
//! parking the trip set (that configuration with the parking queue as on-failure destination).
//! A configuration someone changed since is left as it is, with a warning naming it.

use serde::Serialize;

use super::ReenableError;
use crate::name::FunctionName;
use crate::ports::{CheckedRecord, InvokeConfig, Parked, PortError, Throttler};

/// What `reenable` did to the event-invoke configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unparked {
    /// Put back as it was before the trip.
    Restored,
    /// Deleted: the function had none before the trip.
    Deleted,
}

/// Restores the configuration `parked` (from a verified record) replaced, after the concurrency
/// restore (before it, an event with no destination would be dropped). `None`: nothing to do (the
/// parking never happened, or is undone already) or a configuration changed since (a warning).
pub(super) async fn restore_invoke_config<T: Throttler>(
    throttler: &T,
    function: &FunctionName,
    parked: &Parked,
    warnings: &mut Vec<String>,
) -> Result<Option<Unparked>, ReenableError> {
    let failed = |source: PortError| ReenableError::UnparkFailed {
        function: function.clone(),
        warnings: warnings.clone(),
        source: Box::new(source),
    };
    let current = throttler.event_invoke_config(function).await.map_err(failed)?;
    if current == parked.previous {
        return Ok(None);
    }
    let parking = parked.previous.clone().unwrap_or_default().parked_in(&parked.queue);
    if current.as_ref() != Some(&parking) {
        warnings.push(changed_warning(function, parked, current.as_ref()));
        return Ok(None);
    }
    throttler.set_event_invoke_config(function, parked.previous.as_ref()).await.map_err(failed)?;
    Ok(Some(if parked.previous.is_some() { Unparked::Restored } else { Unparked::Deleted }))
}

fn changed_warning(function: &FunctionName, parked: &Parked, current: Option<&InvokeConfig>) -> String {
    let now = current.and_then(|c| c.on_failure.as_deref()).unwrap_or("none");
    format!(
        "{function}'s event-invoke configuration changed since the trip parked its asynchronous events in \
         {} (on-failure destination now: {now}); left as it is, not restored",
        parked.queue
    )
}

/// The warning for a record restored with `--to` whose MAC does not verify while it names a
/// parking: the configuration it names is only a claim, so nothing is restored from it.
pub(super) fn unverified_warning(record: &CheckedRecord) -> Option<String> {
    let parked = record.record.parked.as_ref()?;
    Some(format!(
        "the trip record is {}: the event-invoke configuration it names was not restored; if the \
         on-failure destination is still the parking queue {}, set the configuration back with aws \
         lambda put-function-event-invoke-config (or delete-function-event-invoke-config)",
        record.check, parked.queue
    ))
}
