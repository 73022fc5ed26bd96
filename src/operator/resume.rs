//! Which event source mappings `reenable` resumes: those a verified trip record names AND whose
//! `FunctionArn` (what Lambda says, not what the record says) is the function being re-enabled.
//! Anything else is left as it is, with a warning naming it.

use super::ReenableError;
use crate::name::FunctionName;
use crate::ports::{CheckedRecord, MappingId, PortError, Throttler};

/// Re-enables the mappings in `recorded` (from a verified record) that feed `function`. A mapping
/// deleted since, or feeding another function, is a warning; any other failure stops the re-enable
/// with the record kept, so running `reenable` again finishes it.
pub(super) async fn resume_mappings<T: Throttler>(
    throttler: &T,
    function: &FunctionName,
    recorded: &[MappingId],
    warnings: &mut Vec<String>,
) -> Result<Vec<MappingId>, ReenableError> {
    let mut resumed = Vec::with_capacity(recorded.len());
    for id in recorded {
        let step = match throttler.mapping_belongs(function, id).await {
            Ok(true) => throttler.set_mapping_enabled(function, id, true).await.map(|()| true),
            Ok(false) => Ok(false),
            Err(err) => Err(err),
        };
        match step {
            Ok(true) => resumed.push(id.clone()),
            Ok(false) => warnings.push(format!(
                "event source mapping {id} does not feed {function}; left as it is (not resumed)"
            )),
            Err(err) if err.not_found => {
                warnings.push(format!("event source mapping {id} no longer exists; nothing to re-enable"));
            }
            Err(err) => return Err(failed(function, id, resumed, warnings, err)),
        }
    }
    Ok(resumed)
}

fn failed(
    function: &FunctionName,
    mapping: &MappingId,
    resumed: Vec<MappingId>,
    warnings: &mut Vec<String>,
    err: PortError,
) -> ReenableError {
    ReenableError::ResumeFailed {
        function: function.clone(),
        mapping: mapping.clone(),
        resumed,
        warnings: std::mem::take(warnings),
        source: Box::new(err),
    }
}

/// The warning for a record restored with `--to` whose MAC does not verify: the mappings it names
/// are only a claim, so none is resumed.
pub(super) fn unverified_warning(record: &CheckedRecord) -> Option<String> {
    let ids: Vec<&str> = record.record.paused_mappings.iter().map(MappingId::as_str).collect();
    (!ids.is_empty()).then(|| {
        format!(
            "the trip record is {}: the event source mappings it names were not resumed ({}); resume \
             any that should run with aws lambda update-event-source-mapping --uuid ID --enabled",
            record.check,
            ids.join(", ")
        )
    })
}
