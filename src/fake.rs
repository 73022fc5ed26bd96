//! In-memory ports for unit tests of the handler's pure logic and for faults a server can't show
//! (a call that fails exactly once, a tag write denied while the throttle works).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::name::{FunctionName, QueueName};
use crate::ports::{
    AlarmContributor, Alert, Architecture, CheckedRecord, DeadLetter, EventSourceMapping, FailureTarget,
    FunctionMetrics, FunctionState, InvokeConfig, MappingCeiling, MappingId, Metrics, MetricsWindow,
    Notifier, PortError, QueueFacts, QueueFlow, RecordCheck, ReenableMark, Reservation, SourceKind,
    Throttler, TripRecord, TrippedFunction, UsageSample,
};
use crate::time::Timestamp;

mod records;
pub use records::FakeSigner;

/// Operations a test can make fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Op {
    /// `function_state`.
    Read,
    /// `write_trip_record`.
    Tag,
    /// `set_reserved_concurrency`.
    Throttle,
    /// `publish`.
    Publish,
    /// `mark_alerted`.
    MarkAlerted,
    /// `mark_reenabling`.
    MarkReenabling,
    /// `clear_trip_record`.
    Clear,
    /// `depth_limit_tag`.
    ReadDepthTag,
    /// Any CloudWatch read (`active_functions`, `usage`, `function_metrics`, `alarm_contributors`).
    ReadMetrics,
    /// `function_metrics` alone (the judgement's read), before `ReadMetrics` is checked.
    ReadSeries,
    /// `event_source_mappings` (a read: not listed in `calls`).
    ListMappings,
    /// `set_mapping_enabled`.
    UpdateMapping,
    /// `record_drift`.
    RecordDrift,
    /// `drift_note` (a read: not listed in `calls`).
    ReadDrift,
    /// `queue_facts` (a read: not listed in `calls`).
    ReadQueue,
    /// `unreserved_concurrency` (a read: not listed in `calls`).
    ReadAccount,
    /// `mapping_belongs` (a read: not listed in `calls`).
    ReadMapping,
    /// `event_invoke_config` (a read: not listed in `calls`).
    ReadInvokeConfig,
    /// `set_event_invoke_config`.
    PutInvokeConfig,
    /// `queue_flows` (the drain check's `AWS/SQS` read), before `ReadMetrics` is checked.
    ReadQueueCounts,
}

/// A fake account: functions, their reservations and trip records, and the alerts published.
/// Clones share one account, so the same fake can be the throttler, the metrics and the notifier.
#[derive(Debug, Default, Clone)]
pub struct FakeAccount {
    state: Arc<Mutex<FakeState>>,
}

#[derive(Debug, Default)]
struct FakeState {
    functions: BTreeMap<FunctionName, FunctionState>,
    failing: BTreeMap<Op, (u32, bool)>,
    alerts: Vec<Alert>,
    calls: Vec<(Op, String)>,
    metrics: BTreeMap<FunctionName, FunctionMetrics>,
    usage: Vec<UsageSample>,
    contributors: BTreeMap<String, Vec<AlarmContributor>>,
    metric_reads: Vec<Vec<FunctionName>>,
    mappings: BTreeMap<FunctionName, Vec<EventSourceMapping>>,
    drift: BTreeMap<FunctionName, String>,
    queues: BTreeMap<String, QueueFacts>,
    /// What `queue_flows` answers, by queue.
    queue_flows: Vec<QueueFlow>,
    /// Open shards of the streams mappings poll, by stream ARN (absent: the count is unread).
    stream_shards: BTreeMap<String, u32>,
    /// Trip records whose MAC does not verify (forged, edited, unsigned): `function_state` leaves
    /// them out, as the Lambda adapter does; `trip_record`, `list_tripped` and `status` see them.
    unverified: BTreeMap<FunctionName, CheckedRecord>,
    /// What `unreserved_concurrency` answers (`None` in the outer option: 1000).
    unreserved: Option<Option<u32>>,
    /// Event-invoke configurations, by function.
    invoke_configs: BTreeMap<FunctionName, InvokeConfig>,
    /// Alarms that watch `RecursiveInvocationsDropped`.
    recursion_alarms: Vec<String>,
    /// A `reenable` that marks this function just before the next mapping disable lands.
    reenable_before_disable: Option<(FunctionName, Timestamp)>,
}

impl FakeAccount {
    /// Adds a function with a reservation.
    pub fn with_function(self, name: &str, reserved: Reservation) -> Self {
        let function = FunctionName::new(name).unwrap_or_else(|e| panic!("test function name {name}: {e}"));
        let state = FunctionState {
            function: function.clone(),
            reserved_concurrency: reserved,
            exempt_tag: false,
            max_depth_tag: None,
            trip: None,
            reenabled_at: None,
            reenabled_by: None,
            memory_mb: 128,
            architecture: Architecture::Arm64,
            failure_target: FailureTarget::Dropped,
        };
        self.lock().functions.insert(function, state);
        self
    }

    /// Gives the stream `source` (an ARN a mapping polls) `shards` open shards; without one, a
    /// stream mapping's ceiling has its shard count unread.
    pub fn with_stream_shards(self, source: &str, shards: u32) -> Self {
        self.lock().stream_shards.insert(source.to_owned(), shards);
        self
    }

    /// Gives function `name` an event source mapping `id` polling `source` (an ARN), enabled or not.
    pub fn with_mapping(self, name: &str, id: &str, source: &str, enabled: bool) -> Self {
        let function = FunctionName::new(name).unwrap_or_else(|e| panic!("test function name {name}: {e}"));
        let mapping = EventSourceMapping {
            id: MappingId::new(id).unwrap_or_else(|e| panic!("test mapping id: {e}")),
            kind: SourceKind::from_source(Some(source)),
            source: source.to_owned(),
            state: if enabled { "Enabled" } else { "Disabled" }.to_owned(),
        };
        self.lock().mappings.entry(function).or_default().push(mapping);
        self
    }

    /// Gives a queue the minutes `queue_flows` answers for it.
    pub fn with_queue_flow(self, flow: QueueFlow) -> Self {
        self.lock().queue_flows.push(flow);
        self
    }

    /// Gives the SQS queue `arn` a redrive policy to `dead_letter` (its ARN and `maxReceiveCount`),
    /// or none, and a retention period; queues not given are unknown (`queue_facts` answers `None`).
    pub fn with_queue(self, arn: &str, dead_letter: Option<(&str, u32)>, retention_secs: u32) -> Self {
        let dead_letter = dead_letter.map(|(queue_arn, max_receive_count)| DeadLetter {
            queue_arn: queue_arn.to_owned(),
            max_receive_count,
        });
        let facts = QueueFacts { dead_letter, retention_secs: Some(retention_secs) };
        self.lock().queues.insert(arn.to_owned(), facts);
        self
    }

    /// Gives function `name` an event-invoke configuration (its on-failure destination, if any,
    /// becomes where its async events go unless it has a DLQ).
    pub fn with_invoke_config(self, name: &str, config: InvokeConfig) -> Self {
        let function = FunctionName::new(name).unwrap_or_else(|e| panic!("test function name {name}: {e}"));
        self.store_invoke_config(&function, Some(config));
        self
    }

    /// Function `name`'s event-invoke configuration.
    pub fn invoke_config(&self, name: &str) -> Option<InvokeConfig> {
        let function = FunctionName::new(name).unwrap_or_else(|e| panic!("{e}"));
        self.lock().invoke_configs.get(&function).cloned()
    }

    fn store_invoke_config(&self, function: &FunctionName, config: Option<InvokeConfig>) {
        let mut state = self.lock();
        let destination = config.as_ref().and_then(|c| c.on_failure.clone());
        match config {
            Some(config) => state.invoke_configs.insert(function.clone(), config),
            None => state.invoke_configs.remove(function),
        };
        if let Some(s) = state.functions.get_mut(function)
            && !matches!(s.failure_target, FailureTarget::DeadLetter(_))
        {
            s.failure_target = destination.map_or(FailureTarget::Dropped, FailureTarget::Destination);
        }
    }

    /// Function `name`'s mappings and whether each is enabled, by id.
    pub fn mapping_states(&self, name: &str) -> Vec<(String, bool)> {
        let function = FunctionName::new(name).unwrap_or_else(|e| panic!("{e}"));
        let state = self.lock();
        let list = state.mappings.get(&function).map(Vec::as_slice).unwrap_or_default();
        list.iter().map(|m| (m.id.to_string(), m.is_polling())).collect()
    }

    /// Gives a function the CloudWatch series `function_metrics` answers with.
    pub fn with_metrics(self, metrics: FunctionMetrics) -> Self {
        self.lock().metrics.insert(metrics.function.clone(), metrics);
        self
    }

    /// Sets what `active_functions` and `usage` answer (every sample's function is active).
    pub fn with_usage(self, usage: Vec<UsageSample>) -> Self {
        self.lock().usage = usage;
        self
    }

    /// Sets the contributors in ALARM that `alarm_contributors(alarm)` lists.
    pub fn with_contributors(self, alarm: &str, contributors: Vec<AlarmContributor>) -> Self {
        self.lock().contributors.insert(alarm.to_owned(), contributors);
        self
    }

    /// Makes `alarm` one that watches `RecursiveInvocationsDropped`.
    pub fn with_recursion_alarm(self, alarm: &str) -> Self {
        self.lock().recursion_alarms.push(alarm.to_owned());
        self
    }

    /// The function lists of every `function_metrics` call so far.
    pub fn metric_reads(&self) -> Vec<Vec<FunctionName>> {
        self.lock().metric_reads.clone()
    }

    /// Races a `reenable` with the next disable of one of `function`'s mappings: the re-enable's
    /// mark (at `at`) lands just before it.
    pub fn reenable_before_next_disable(&self, function: &str, at: Timestamp) {
        let function = FunctionName::new(function).unwrap_or_else(|e| panic!("{e}"));
        self.lock().reenable_before_disable = Some((function, at));
    }

    /// Makes the next `times` calls of `op` fail (`retryable` as given).
    pub fn fail(&self, op: Op, times: u32, retryable: bool) {
        self.lock().failing.insert(op, (times, retryable));
    }

    /// A function's current state.
    pub fn function(&self, name: &str) -> FunctionState {
        let function = FunctionName::new(name).unwrap_or_else(|e| panic!("{e}"));
        self.lock().functions.get(&function).cloned().unwrap_or_else(|| panic!("no function {name}"))
    }

    /// Edits a function's state.
    pub fn edit(&self, name: &str, edit: impl FnOnce(&mut FunctionState)) {
        let function = FunctionName::new(name).unwrap_or_else(|e| panic!("{e}"));
        let mut state = self.lock();
        let entry = state.functions.get_mut(&function).unwrap_or_else(|| panic!("no function {name}"));
        edit(entry);
    }

    /// Alerts published so far.
    pub fn alerts(&self) -> Vec<Alert> {
        self.lock().alerts.clone()
    }

    /// Mutating calls made so far, in order.
    pub fn calls(&self) -> Vec<(Op, String)> {
        self.lock().calls.clone()
    }

    /// Forgets the calls recorded so far.
    pub fn forget_calls(&self) {
        self.lock().calls.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn check(&self, op: Op, target: &str) -> Result<(), PortError> {
        self.lock().calls.push((op, target.to_owned()));
        self.injected(op, target)
    }

    /// An injected failure of `op`, without recording the call (reads of metrics are not listed).
    fn injected(&self, op: Op, target: &str) -> Result<(), PortError> {
        let mut state = self.lock();
        if let Some((left, retryable)) = state.failing.get_mut(&op)
            && *left > 0
        {
            *left -= 1;
            return Err(PortError {
                operation: "Fake",
                target: target.to_owned(),
                message: format!("injected {op:?} failure"),
                retryable: *retryable,
                not_found: false,
                source: None,
            });
        }
        Ok(())
    }

    fn with_state<R>(
        &self,
        function: &FunctionName,
        f: impl FnOnce(&mut FunctionState) -> R,
    ) -> Result<R, PortError> {
        let mut state = self.lock();
        match state.functions.get_mut(function) {
            Some(s) => Ok(f(s)),
            None => Err(PortError {
                operation: "Fake",
                target: function.to_string(),
                message: "ResourceNotFoundException".to_owned(),
                retryable: false,
                not_found: true,
                source: None,
            }),
        }
    }
}

impl Throttler for FakeAccount {
    async fn function_state(&self, function: &FunctionName) -> Result<FunctionState, PortError> {
        self.check(Op::Read, function.as_str())?;
        self.with_state(function, |s| s.clone())
    }

    async fn write_trip_record(&self, function: &FunctionName, record: &TripRecord) -> Result<(), PortError> {
        self.check(Op::Tag, function.as_str())?;
        let written = self.with_state(function, |s| {
            let fresh = s.active_trip().is_none_or(|t| !t.describes(s.reserved_concurrency));
            if fresh {
                s.trip = Some(record.clone());
            }
            fresh
        })?;
        if written {
            self.lock().unverified.remove(function);
        }
        Ok(())
    }

    async fn trip_record(&self, function: &FunctionName) -> Result<Option<CheckedRecord>, PortError> {
        self.check(Op::Read, function.as_str())?;
        if let Some(unverified) = self.lock().unverified.get(function) {
            return Ok(Some(unverified.clone()));
        }
        let record = self.with_state(function, |s| s.trip.clone())?;
        Ok(record.map(|record| CheckedRecord { record, check: RecordCheck::Verified }))
    }

    async fn mapping_belongs(&self, function: &FunctionName, mapping: &MappingId) -> Result<bool, PortError> {
        self.injected(Op::ReadMapping, mapping.as_str())?;
        let state = self.lock();
        let owner = state.mappings.iter().find(|(_, list)| list.iter().any(|m| m.id == *mapping));
        match owner {
            Some((owner, _)) => Ok(owner == function),
            None => Err(PortError {
                operation: "Fake",
                target: mapping.to_string(),
                message: "ResourceNotFoundException".to_owned(),
                retryable: false,
                not_found: true,
                source: None,
            }),
        }
    }

    async fn set_reserved_concurrency(
        &self,
        function: &FunctionName,
        value: Reservation,
    ) -> Result<(), PortError> {
        self.check(Op::Throttle, function.as_str())?;
        self.with_state(function, |s| s.reserved_concurrency = value)
    }

    async fn mark_alerted(&self, function: &FunctionName) -> Result<(), PortError> {
        self.check(Op::MarkAlerted, function.as_str())?;
        self.with_state(function, |s| {
            if let Some(trip) = &mut s.trip {
                trip.alert_pending = false;
            }
        })
    }

    async fn mark_reenabling(&self, function: &FunctionName, mark: &ReenableMark) -> Result<(), PortError> {
        self.check(Op::MarkReenabling, function.as_str())?;
        self.with_state(function, |s| {
            s.reenabled_at = Some(mark.at);
            s.reenabled_by = Some(mark.by.clone());
        })
    }

    async fn clear_trip_record(&self, function: &FunctionName, mark: &ReenableMark) -> Result<(), PortError> {
        self.check(Op::Clear, function.as_str())?;
        self.with_state(function, |s| {
            s.trip = None;
            s.reenabled_at = Some(mark.at);
            s.reenabled_by = Some(mark.by.clone());
        })?;
        self.lock().unverified.remove(function);
        Ok(())
    }

    async fn list_tripped(&self) -> Result<Vec<TrippedFunction>, PortError> {
        let state = self.lock();
        let unverified = |s: &FunctionState| state.unverified.get(&s.function).map(|c| c.record.clone());
        Ok(state
            .functions
            .values()
            .filter(|s| s.trip.is_some() || s.reserved_concurrency == Some(0) || unverified(s).is_some())
            .map(|s| TrippedFunction {
                function: s.function.clone(),
                record: s.trip.clone().or_else(|| unverified(s)),
                reenable_started: s.reenable_started(),
                unreadable: None,
            })
            .collect())
    }

    async fn depth_limit_tag(&self, function: &FunctionName) -> Result<Option<u32>, PortError> {
        self.check(Op::ReadDepthTag, function.as_str())?;
        self.with_state(function, |s| s.max_depth_tag)
    }

    async fn unreserved_concurrency(&self) -> Result<Option<u32>, PortError> {
        self.injected(Op::ReadAccount, "GetAccountSettings")?;
        Ok(self.lock().unreserved.unwrap_or(Some(1000)))
    }

    async fn event_source_mappings(
        &self,
        function: &FunctionName,
    ) -> Result<Vec<EventSourceMapping>, PortError> {
        self.injected(Op::ListMappings, function.as_str())?;
        self.with_state(function, |_| ())?;
        Ok(self.lock().mappings.get(function).cloned().unwrap_or_default())
    }

    /// An SQS mapping that polls says a poller feeds the function (its maximum concurrency is not
    /// kept here); a stream mapping that polls has parallelization 1 and its stream's shards as
    /// given by [`Self::with_stream_shards`].
    async fn mapping_ceilings(&self, function: &FunctionName) -> Result<Vec<MappingCeiling>, PortError> {
        let mappings = self.event_source_mappings(function).await?;
        let shards = self.lock().stream_shards.clone();
        Ok(mappings
            .iter()
            .filter_map(|m| match m.kind {
                SourceKind::Kinesis | SourceKind::DynamoDbStream if m.is_polling() => {
                    Some(MappingCeiling::Stream {
                        parallelization_factor: 1,
                        shards: shards.get(&m.source).copied(),
                    })
                }
                _ => m.polled_queue().map(|_| MappingCeiling::Sqs { maximum_concurrency: None }),
            })
            .collect())
    }

    async fn polled_queues(&self, function: &FunctionName) -> Result<Vec<QueueName>, PortError> {
        let mappings = self.event_source_mappings(function).await?;
        Ok(mappings.iter().filter_map(EventSourceMapping::polled_queue).collect())
    }

    async fn queue_facts(&self, queue_arn: &str) -> Result<Option<QueueFacts>, PortError> {
        self.injected(Op::ReadQueue, queue_arn)?;
        Ok(self.lock().queues.get(queue_arn).cloned())
    }

    async fn set_mapping_enabled(
        &self,
        function: &FunctionName,
        mapping: &MappingId,
        enabled: bool,
    ) -> Result<(), PortError> {
        self.check(Op::UpdateMapping, &format!("{mapping} {}", if enabled { "on" } else { "off" }))?;
        let mut state = self.lock();
        if !enabled && state.reenable_before_disable.as_ref().is_some_and(|(f, _)| f == function) {
            let race = state.reenable_before_disable.take();
            if let (Some((_, at)), Some(s)) = (race, state.functions.get_mut(function)) {
                s.reenabled_at = Some(at);
                s.reenabled_by = Some("racing reenable".to_owned());
            }
        }
        let found = state.mappings.get_mut(function).and_then(|l| l.iter_mut().find(|m| m.id == *mapping));
        match found {
            Some(m) => {
                m.state = if enabled { "Enabled" } else { "Disabled" }.to_owned();
                Ok(())
            }
            None => Err(PortError {
                operation: "Fake",
                target: mapping.to_string(),
                message: "ResourceNotFoundException".to_owned(),
                retryable: false,
                not_found: true,
                source: None,
            }),
        }
    }

    async fn record_drift(&self, function: &FunctionName, note: &str) -> Result<(), PortError> {
        self.check(Op::RecordDrift, function.as_str())?;
        self.with_state(function, |_| ())?;
        self.lock().drift.insert(function.clone(), note.to_owned());
        Ok(())
    }

    async fn drift_note(&self, function: &FunctionName) -> Result<Option<String>, PortError> {
        self.injected(Op::ReadDrift, function.as_str())?;
        Ok(self.lock().drift.get(function).cloned())
    }

    async fn event_invoke_config(&self, function: &FunctionName) -> Result<Option<InvokeConfig>, PortError> {
        self.injected(Op::ReadInvokeConfig, function.as_str())?;
        self.with_state(function, |_| ())?;
        Ok(self.lock().invoke_configs.get(function).cloned())
    }

    async fn set_event_invoke_config(
        &self,
        function: &FunctionName,
        config: Option<&InvokeConfig>,
    ) -> Result<(), PortError> {
        self.check(Op::PutInvokeConfig, function.as_str())?;
        self.with_state(function, |_| ())?;
        self.store_invoke_config(function, config.cloned());
        Ok(())
    }

    async fn execution_role_id(&self, function: &FunctionName) -> Result<Option<String>, PortError> {
        self.with_state(function, |_| Some(role_id(function.as_str())))
    }
}

/// The execution role id the fake gives `function` (`AROA` and a hash of its name, as IAM's look).
pub fn role_id(function: &str) -> String {
    let hash = function
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("AROA{hash:017X}")
}

/// One SQS record as Lambda delivers the chain report `function` sent to the chain queue with its
/// own execution role (the claim the guard acts on at once), from a queue in `account`.
/// Each call is a new message (a new `messageId`), as each send is.
pub fn signed_chain_event(function: &str, depth: u32, root: &str, account: &str) -> Vec<u8> {
    signed_chain_event_at(function, depth, root, account, Timestamp::from_secs(1_795_000_000))
}

/// [`signed_chain_event`] sent at `sent` (a chain event older than the chain TTL is evidence of nothing).
pub fn signed_chain_event_at(
    function: &str,
    depth: u32,
    root: &str,
    account: &str,
    sent: Timestamp,
) -> Vec<u8> {
    static SENT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let id = SENT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let sender = format!("{}:{function}", role_id(function));
    let sent_ms = sent.as_millis();
    format!(
        r#"{{"Records":[{{"messageId":"m-{id}","receiptHandle":"r","body":"runaway-guard chain report",
        "attributes":{{"SentTimestamp":"{sent_ms}","SenderId":"{sender}"}},
        "messageAttributes":{{"runaway-guard-chain":{{"stringValue":"root={root};depth={depth};function={function}","dataType":"String"}}}},
        "eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:{account}:guard-chain","awsRegion":"us-east-1"}}]}}"#
    )
    .into_bytes()
}

impl Notifier for FakeAccount {
    async fn publish(&self, alert: &Alert) -> Result<(), PortError> {
        self.check(Op::Publish, &alert.subject)?;
        self.lock().alerts.push(alert.clone());
        Ok(())
    }
}

impl Metrics for FakeAccount {
    async fn active_functions(&self) -> Result<Vec<FunctionName>, PortError> {
        self.injected(Op::ReadMetrics, "ListMetrics")?;
        Ok(self.lock().usage.iter().map(|u| u.function.clone()).collect())
    }

    async fn usage(
        &self,
        functions: &[FunctionName],
        _: u64,
        _: Timestamp,
    ) -> Result<Vec<UsageSample>, PortError> {
        self.injected(Op::ReadMetrics, "GetMetricData")?;
        let state = self.lock();
        Ok(state.usage.iter().filter(|u| functions.contains(&u.function)).cloned().collect())
    }

    async fn function_metrics(
        &self,
        functions: &[FunctionName],
        _: MetricsWindow,
    ) -> Result<Vec<FunctionMetrics>, PortError> {
        self.injected(Op::ReadSeries, "GetMetricData")?;
        self.injected(Op::ReadMetrics, "GetMetricData")?;
        let mut state = self.lock();
        state.metric_reads.push(functions.to_vec());
        let empty = |f: &FunctionName| FunctionMetrics {
            function: f.clone(),
            recent: Vec::new(),
            history: Vec::new(),
        };
        Ok(functions.iter().map(|f| state.metrics.get(f).cloned().unwrap_or_else(|| empty(f))).collect())
    }

    async fn queue_flows(&self, queues: &[QueueName], _: MetricsWindow) -> Result<Vec<QueueFlow>, PortError> {
        self.injected(Op::ReadQueueCounts, "GetMetricData")?;
        self.injected(Op::ReadMetrics, "GetMetricData")?;
        Ok(self.lock().queue_flows.iter().filter(|f| queues.contains(&f.queue)).cloned().collect())
    }

    async fn alarm_contributors(&self, alarm: &str) -> Result<Vec<AlarmContributor>, PortError> {
        self.injected(Op::ReadMetrics, alarm)?;
        Ok(self.lock().contributors.get(alarm).cloned().unwrap_or_default())
    }

    async fn alarm_watches_recursion(&self, alarm: &str) -> Result<bool, PortError> {
        self.injected(Op::ReadMetrics, alarm)?;
        Ok(self.lock().recursion_alarms.iter().any(|a| a == alarm))
    }
}
