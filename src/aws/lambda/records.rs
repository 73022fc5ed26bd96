//! The trip record in the function's tags, signed and checked: written with its MAC before the
//! throttle, read back with what checking that MAC found. The bytes the MAC covers are
//! `crate::record`'s; this file only ties them to the function's own ARN and its tags.

use tracing::{info, warn};

use super::{LambdaThrottler, read_guard_tags};
use crate::aws::error::{invalid_response, port_error};
use crate::aws::trip_tags::{self, GuardTags};
use crate::name::FunctionName;
use crate::ports::{CheckedRecord, PortError, RecordCheck, TripRecord};
use crate::record::{self, RecordSubject};

impl LambdaThrottler {
    /// The record in `read` (tags of the function whose ARN is `arn`) with its MAC checked.
    pub(super) async fn checked(&self, arn: &str, read: &GuardTags) -> Option<CheckedRecord> {
        let record = read.trip.clone()?;
        let check = match RecordSubject::from_arn(arn) {
            Some(subject) => {
                record::check(self.signer.as_ref(), &subject, &record, read.mac.as_deref()).await
            }
            None => RecordCheck::Unchecked("the function's ARN is malformed".to_owned()),
        };
        Some(CheckedRecord { record, check })
    }

    /// The record in `read`, only when its MAC verifies; any other is logged and left out, so
    /// nothing the guard decides rests on it.
    pub(super) async fn verified_trip(
        &self,
        function: &FunctionName,
        arn: &str,
        read: &GuardTags,
    ) -> Option<TripRecord> {
        let checked = self.checked(arn, read).await?;
        if checked.check.is_verified() {
            return Some(checked.record);
        }
        warn!(function = %function, check = %checked.check, "trip record not verified; not treated as a guard trip");
        None
    }

    /// Signs and writes `record`, unless a verified record that describes the function is already in
    /// force (the first trip's record is the one that says how to undo it; see
    /// [`TripRecord::describes`]). Without a record key the record is written unsigned; when signing
    /// fails nothing is written and the error says why.
    pub(super) async fn write_record(
        &self,
        function: &FunctionName,
        record: &TripRecord,
    ) -> Result<(), PortError> {
        const OP: &str = "TagResource";
        if record.previous_concurrency == Some(0) {
            // 0 is what the guard sets; recording it would make `reenable` restore a throttle.
            return Err(invalid_response(OP, function.as_str(), "refusing to record 0 as previous"));
        }
        let arn = self.arn(function).await?;
        let existing = self.tags(function.as_str(), &arn).await?;
        let read = read_guard_tags(&existing);
        if read.active_trip().is_some()
            && let Some(existing) = self.verified_trip(function, &arn, &read).await
            && existing.describes(self.reservation(function).await?)
        {
            info!(function = %function, "verified trip record already present; left unchanged");
            return Ok(());
        }
        let subject = RecordSubject::from_arn(&arn)
            .ok_or_else(|| invalid_response(OP, function.as_str(), "the function's ARN is malformed"))?;
        let mac = match &self.signer {
            Some(signer) => Some(record::seal(signer, &subject, record).await?),
            None => {
                warn!(function = %function, "no record key configured; writing the trip record unsigned");
                None
            }
        };
        let pairs = trip_tags::record_tags(record, mac.as_deref());
        // An earlier record (unfinished re-enable, unsigned or forged) may hold tags this one has not.
        let stale: Vec<&str> = trip_tags::all_record_keys()
            .filter(|k| existing.contains_key(*k) && !pairs.iter().any(|(p, _)| p == k))
            .collect();
        if !stale.is_empty() {
            stale
                .iter()
                .fold(self.client.untag_resource().resource(&arn), |req, key| req.tag_keys(*key))
                .send()
                .await
                .map_err(|e| port_error("UntagResource", function.as_str(), e))?;
        }
        self.tag(function, &arn, &pairs).await
    }
}
