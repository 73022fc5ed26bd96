//! When a drift is no drift, and when it is over: pure rules shared by the drift watch and `status`.
//!
//! CloudTrail delivers a call minutes after it was made, so a call made before the trip arrives
//! after it: it changed a function that was not tripped yet, and is not drift. A drift is over
//! ("resolved") once the function is contained again: reserved concurrency 0 and none of the
//! mappings its trip record names polling (the guard re-tripped it, or an operator ran
//! `runaway-guard trip` again).

use crate::ports::{EventSourceMapping, MappingId, Reservation, TripRecord};
use crate::time::Timestamp;

/// Whether a drift on a tripped function is still open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftState {
    /// The function is not contained: it may be running.
    Open,
    /// The function is at 0 again with its recorded mappings paused.
    Resolved,
}

impl DriftState {
    /// `open` or `resolved`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Resolved => "resolved",
        }
    }
}

/// Why a call made at `call_at` is not drift on the trip `record` describes: it was made before the
/// trip (CloudTrail delivered it late).
pub fn before_the_trip(call_at: Option<Timestamp>, record: &TripRecord) -> Option<String> {
    let at = call_at.filter(|at| *at < record.tripped_at)?;
    Some(format!(
        "the call was made at {}, before the trip at {} (CloudTrail delivers calls minutes late): \
         not drift",
        at.to_rfc3339(),
        record.tripped_at.to_rfc3339()
    ))
}

/// Whether a tripped function is contained: reserved concurrency 0 and none of `recorded` (the
/// mappings its record names) nor `also` (a mapping a drift call enabled) polling in `mappings`
/// (one no longer listed was deleted: it polls nothing).
pub fn contained(
    reserved: Reservation,
    recorded: &[MappingId],
    also: Option<&str>,
    mappings: &[EventSourceMapping],
) -> bool {
    let watched = |m: &&EventSourceMapping| recorded.contains(&m.id) || also == Some(m.id.as_str());
    reserved == Some(0) && !mappings.iter().filter(watched).any(EventSourceMapping::is_polling)
}

/// The drift's state, from [`contained`].
pub fn drift_state(
    reserved: Reservation,
    recorded: &[MappingId],
    mappings: &[EventSourceMapping],
) -> DriftState {
    if contained(reserved, recorded, None, mappings) { DriftState::Resolved } else { DriftState::Open }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::SourceKind;

    fn mapping(n: u32, state: &str) -> EventSourceMapping {
        EventSourceMapping {
            id: MappingId::new(&format!("a1b2c3d4-0000-4000-8000-{n:012}")).unwrap(),
            kind: SourceKind::Sqs,
            source: "arn:aws:sqs:us-east-1:123456789012:jobs".into(),
            state: state.into(),
        }
    }

    #[test]
    fn contained_means_at_zero_with_the_recorded_mappings_paused() {
        let recorded = [mapping(1, "Disabled").id];
        let paused = [mapping(1, "Disabled"), mapping(2, "Enabled")];
        assert!(contained(Some(0), &recorded, None, &paused), "an unrecorded mapping is not the trip's");
        assert!(!contained(Some(25), &recorded, None, &paused));
        assert!(!contained(None, &recorded, None, &paused));
        assert!(!contained(Some(0), &recorded, None, &[mapping(1, "Enabling")]));
        assert!(contained(Some(0), &recorded, None, &[]), "a deleted mapping polls nothing");
        let enabled = mapping(2, "Enabled");
        assert!(!contained(Some(0), &recorded, Some(enabled.id.as_str()), &paused));
        assert_eq!(drift_state(Some(0), &recorded, &paused), DriftState::Resolved);
        assert_eq!(drift_state(Some(0), &recorded, &[mapping(1, "Enabled")]), DriftState::Open);
    }

    #[test]
    fn a_call_before_the_trip_is_not_drift() {
        let record = TripRecord {
            tripped_at: Timestamp::from_secs(1_000),
            previous_concurrency: Some(25),
            reason: "r".into(),
            alert_pending: false,
            paused_mappings: Vec::new(),
            tripped_by: None,
            parked: None,
        };
        assert!(before_the_trip(Some(Timestamp::from_secs(999)), &record).is_some());
        assert_eq!(before_the_trip(Some(Timestamp::from_secs(1_000)), &record), None);
        assert_eq!(before_the_trip(None, &record), None, "an undated call is judged as drift");
    }
}
