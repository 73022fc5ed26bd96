//! Pausing the offender's event source mappings with the trip. The mappings to pause are those
//! polling now; they go into the trip record (write-before-act) and only then are disabled, so a
//! mapping the guard disabled is always one `reenable` re-enables, and one disabled before the trip
//! is never touched. A mapping the record cannot hold, or every mapping when the record could not
//! be written, is left polling and named in the alert: the guard changes nothing it could not undo.

use futures::StreamExt;
use tracing::{info, warn};

use super::{Record, TripContext};
use crate::alert::EventSources;
use crate::aws::trip_tags::pack_mappings;
use crate::name::FunctionName;
use crate::ports::{
    EventSourceMapping, FunctionState, MappingId, Notifier, PauseStatus, QueueRead, SourceKind,
    SourceOutcome, Throttler,
};
use crate::report::Decision;

/// Queues read at once for one alert.
const QUEUE_READS_IN_FLIGHT: usize = 4;

/// What the trip knows and did about the function's mappings (the owned form of [`EventSources`]).
#[derive(Debug, Clone, Default)]
pub(super) enum Sources {
    /// Not read.
    #[default]
    NotRead,
    /// The listing failed with this error.
    Unreadable(String),
    /// Each mapping and what was done.
    Listed(Vec<SourceOutcome>),
}

impl Sources {
    /// The borrowed form the alert takes.
    pub(super) fn facts(&self) -> EventSources<'_> {
        match self {
            Self::NotRead => EventSources::NotRead,
            Self::Unreadable(error) => EventSources::Unreadable(error),
            Self::Listed(all) => EventSources::Listed(all),
        }
    }

    /// Mappings this attempt disabled (listed as polling, now paused).
    pub(super) fn newly_paused(&self) -> usize {
        match self {
            Self::Listed(all) => {
                all.iter().filter(|o| o.status == PauseStatus::Paused && o.mapping.is_polling()).count()
            }
            Self::NotRead | Self::Unreadable(_) => 0,
        }
    }
}

/// The mappings a new trip records: those polling now, as many as the record can hold.
pub(super) struct PausePlan {
    /// The listing, or the error that stopped it.
    pub listed: Result<Vec<EventSourceMapping>, String>,
    /// The ids to write into the record (and then to disable).
    pub record: Vec<MappingId>,
}

impl<T: Throttler, N: Notifier> TripContext<'_, T, N> {
    /// Lists the mappings and picks the ones to record: `still_paused` (an earlier trip's, whose
    /// re-enable did not finish) first, then those polling now. A listing that fails, or mappings
    /// that do not fit in the record, are reported in `decision` and the trip goes on.
    pub(super) async fn plan_pause(
        &self,
        function: &FunctionName,
        still_paused: &[MappingId],
        decision: &mut Decision,
    ) -> PausePlan {
        let listed = self.list_mappings(function, decision).await;
        let polling = listed.iter().flatten().filter(|m| m.is_polling()).map(|m| &m.id);
        let mut ids = still_paused.to_vec();
        ids.extend(polling.filter(|id| !still_paused.contains(id)).cloned());
        let (_, fit) = pack_mappings(&ids);
        if fit < ids.len() {
            let left: Vec<&str> = ids[fit..].iter().map(MappingId::as_str).collect();
            decision.errors.push(format!(
                "{} event source mappings do not fit in the trip record (room for {fit}); left polling: {}",
                ids.len(),
                left.join(" ")
            ));
        }
        ids.truncate(fit);
        PausePlan { listed, record: ids }
    }

    /// Disables the recorded mappings of a new trip, after the record was written (or not).
    pub(super) async fn pause(
        &self,
        function: &FunctionName,
        plan: PausePlan,
        record: Record,
        decision: &mut Decision,
    ) -> Sources {
        match plan.listed {
            Err(error) => Sources::Unreadable(error),
            Ok(list) => {
                let why = "no room in the trip record";
                Sources::Listed(self.disable(function, &list, &plan.record, record, why, decision).await)
            }
        }
    }

    /// For a trip in force: disables the recorded mappings still polling (a disable an earlier
    /// invocation could not make, or a mapping someone enabled again). Others are left alone. A
    /// `reenable` racing it marks the record before it enables anything, so when the record is no
    /// longer in force after the disables, the mappings this call disabled are enabled again.
    pub(super) async fn finish_pause(&self, state: &FunctionState, decision: &mut Decision) -> Sources {
        let recorded = state.trip.as_ref().map(|t| t.paused_mappings.as_slice()).unwrap_or_default();
        match self.list_mappings(&state.function, decision).await {
            Err(error) => Sources::Unreadable(error),
            Ok(list) => {
                let why = "not in the trip record: enabled or created after the trip";
                let mut outcomes =
                    self.disable(&state.function, &list, recorded, Record::Kept, why, decision).await;
                self.undo_if_reenabled(&state.function, &mut outcomes, decision).await;
                Sources::Listed(outcomes)
            }
        }
    }

    /// Enables again the mappings `outcomes` newly paused when a re-enable started meanwhile.
    async fn undo_if_reenabled(
        &self,
        function: &FunctionName,
        outcomes: &mut [SourceOutcome],
        decision: &mut Decision,
    ) {
        let newly = |o: &SourceOutcome| o.status == PauseStatus::Paused && o.mapping.is_polling();
        if !outcomes.iter().any(newly) || self.throttler.trip_in_force(function).await.unwrap_or(true) {
            return;
        }
        for outcome in outcomes.iter_mut().filter(|o| newly(o)) {
            let id = &outcome.mapping.id;
            match self.throttler.set_mapping_enabled(function, id, true).await {
                Ok(()) => {
                    info!(function = %function, mapping = %id, "a re-enable started meanwhile: mapping enabled again");
                    outcome.status = PauseStatus::NotPaused("a re-enable started meanwhile".to_owned());
                }
                Err(err) => {
                    warn!(function = %function, mapping = %id, error = %err, "mapping left disabled after a racing re-enable");
                    decision.errors.push(format!("mapping {id} disabled while a re-enable ran: {err}"));
                }
            }
        }
    }

    /// Dry run: what a trip would pause; nothing is changed.
    pub(super) async fn would_pause(&self, function: &FunctionName, decision: &mut Decision) -> Sources {
        match self.list_mappings(function, decision).await {
            Err(error) => Sources::Unreadable(error),
            Ok(list) => Sources::Listed(
                list.into_iter()
                    .map(|mapping| {
                        let status = if mapping.is_polling() {
                            PauseStatus::WouldPause
                        } else {
                            PauseStatus::AlreadyDisabled
                        };
                        SourceOutcome { mapping, status, queue: None }
                    })
                    .collect(),
            ),
        }
    }

    /// `sources` with each SQS mapping's queue read, for the alert: where its messages go once
    /// they have been received too often. Read after the throttle (containment never waits on it);
    /// a failed read is named in the alert and changes nothing else.
    pub(super) async fn read_queues(&self, sources: &Sources) -> Sources {
        let Sources::Listed(all) = sources else { return sources.clone() };
        let reads = futures::stream::iter(all.iter().cloned())
            .map(|mut outcome| async move {
                if outcome.mapping.kind == SourceKind::Sqs {
                    outcome.queue = match self.throttler.queue_facts(&outcome.mapping.source).await {
                        Ok(facts) => facts.map(QueueRead::Read),
                        Err(err) => {
                            warn!(queue = %crate::sanitise::Plain(&outcome.mapping.source), error = %err, "queue attributes not read");
                            Some(QueueRead::Unreadable { error: err.to_string() })
                        }
                    };
                }
                outcome
            })
            .buffered(QUEUE_READS_IN_FLIGHT);
        Sources::Listed(reads.collect().await)
    }

    async fn list_mappings(
        &self,
        function: &FunctionName,
        decision: &mut Decision,
    ) -> Result<Vec<EventSourceMapping>, String> {
        self.throttler.event_source_mappings(function).await.map_err(|err| {
            // Not worth a retry: a trip already in force records no new mappings.
            warn!(function = %function, error = %err, "event source mappings not read; none paused");
            let text = format!("event source mappings not read: {err}");
            decision.errors.push(text.clone());
            text
        })
    }

    /// Disables each mapping of `list` that `recorded` names and that still polls.
    async fn disable(
        &self,
        function: &FunctionName,
        list: &[EventSourceMapping],
        recorded: &[MappingId],
        record: Record,
        unrecorded: &str,
        decision: &mut Decision,
    ) -> Vec<SourceOutcome> {
        let mut out = Vec::with_capacity(list.len());
        for mapping in list {
            let in_record = recorded.contains(&mapping.id);
            let status = match (mapping.is_polling(), in_record, record) {
                (false, true, _) => PauseStatus::Paused,
                (false, false, _) => PauseStatus::AlreadyDisabled,
                (true, _, Record::Missing) => PauseStatus::NotPaused(
                    "the trip record could not be written, and the guard changes nothing it could not restore"
                        .to_owned(),
                ),
                (true, false, Record::Kept) => PauseStatus::NotPaused(unrecorded.to_owned()),
                (true, true, Record::Kept) => {
                    match self.throttler.set_mapping_enabled(function, &mapping.id, false).await {
                        Ok(()) => {
                            info!(function = %function, mapping = %mapping.id, "event source mapping paused");
                            PauseStatus::Paused
                        }
                        Err(err) => {
                            warn!(function = %function, mapping = %mapping.id, error = %err, "pause failed");
                            decision.retryable |= err.retryable;
                            decision.errors.push(err.to_string());
                            PauseStatus::NotPaused(format!("the disable failed: {}", err.message))
                        }
                    }
                }
            };
            out.push(SourceOutcome { mapping: mapping.clone(), status, queue: None });
        }
        out
    }
}
