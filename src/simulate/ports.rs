//! The guard's ports implemented by the simulated account: the same `Throttler`, `Metrics` (in
//! `metrics`) and `Notifier` traits the AWS adapters implement, answering immediately from shared state.
//! Concurrency changes are queued and applied by the engine on its next tick (the API's latency).

use std::sync::{Arc, Mutex, MutexGuard};

use crate::name::FunctionName;
use crate::ports::{
    Alert, FunctionState, MappingCeiling, Notifier, PortError, ReenableMark, Reservation, Throttler,
    TripRecord, TrippedFunction,
};
use crate::time::Timestamp;

use super::cloudwatch::CloudWatch;
use super::history::History;
use super::model::{Func, Model};

/// Lambda's default account concurrency limit.
pub(crate) const ACCOUNT_LIMIT: u32 = 1_000;
/// Midnight UTC 2026-11-20: virtual time zero, minute-aligned.
pub(crate) const EPOCH_SECS: u64 = 1_795_132_800;

/// Control-plane view of one function.
#[derive(Debug, Clone)]
pub(crate) struct Control {
    pub func: Func,
    pub reserved: Reservation,
    pub trip: Option<TripRecord>,
    pub reenabled_at: Option<Timestamp>,
}

/// State shared by the engine and the ports.
#[derive(Debug)]
pub(crate) struct Shared {
    pub now: Timestamp,
    pub functions: Vec<Control>,
    /// Concurrency changes not yet applied by the engine.
    pub changes: Vec<(usize, Reservation)>,
    pub cloudwatch: CloudWatch,
    /// Each queue's name and consumer (index into `functions`), by queue index.
    pub queues: Vec<(crate::name::QueueName, usize)>,
    pub alerts: Vec<Alert>,
    /// Contributors of per-function alarms now in ALARM, as `DescribeAlarmContributors` lists them.
    pub contributors: Vec<InAlarm>,
}

/// A contributor of a per-function alarm in ALARM.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InAlarm {
    pub alarm: String,
    pub function: usize,
    pub since: Timestamp,
    pub reason: String,
}

/// A handle on the shared state; cloning shares it.
#[derive(Debug, Clone)]
pub(crate) struct Account(Arc<Mutex<Shared>>);

impl Account {
    /// The account of `model` at virtual time zero, with `history` published before it.
    pub(crate) fn new(model: &Model, history: Arc<History>) -> Self {
        let functions = model
            .functions
            .iter()
            .map(|f| Control { func: f.clone(), reserved: f.reserved, trip: None, reenabled_at: None })
            .collect();
        Self(Arc::new(Mutex::new(Shared {
            now: Timestamp::from_secs(EPOCH_SECS),
            functions,
            changes: Vec::new(),
            cloudwatch: CloudWatch::with_history(model.functions.len(), model.queues.len(), history),
            queues: model.queues.iter().map(|q| (q.name.clone(), q.consumer)).collect(),
            alerts: Vec::new(),
            contributors: Vec::new(),
        })))
    }

    /// Locks the state. A poisoned lock only means a panic elsewhere in a test; the data is plain.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Shared> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Shared {
    pub(super) fn index(&self, operation: &'static str, function: &FunctionName) -> Result<usize, PortError> {
        self.functions.iter().position(|c| &c.func.name == function).ok_or_else(|| PortError {
            operation,
            target: function.to_string(),
            message: "ResourceNotFoundException: function not found".to_owned(),
            retryable: false,
            not_found: true,
            source: None,
        })
    }
}

/// Simulated Lambda control plane.
#[derive(Debug, Clone)]
pub(crate) struct SimThrottler(pub Account);
/// Simulated CloudWatch reads.
#[derive(Debug, Clone)]
pub(crate) struct SimMetrics(pub Account);
/// Simulated SNS: alerts are kept for the result.
#[derive(Debug, Clone)]
pub(crate) struct SimNotifier(pub Account);

impl Throttler for SimThrottler {
    async fn function_state(&self, function: &FunctionName) -> Result<FunctionState, PortError> {
        let shared = self.0.lock();
        let c = &shared.functions[shared.index("GetFunction", function)?];
        Ok(FunctionState {
            function: function.clone(),
            reserved_concurrency: c.reserved,
            exempt_tag: c.func.exempt,
            max_depth_tag: c.func.max_depth_tag,
            trip: c.trip.clone(),
            reenabled_at: c.reenabled_at,
            reenabled_by: None,
            memory_mb: c.func.memory_mb,
            architecture: c.func.arch,
            failure_target: c.func.failure.clone(),
        })
    }

    async fn write_trip_record(&self, function: &FunctionName, record: &TripRecord) -> Result<(), PortError> {
        let mut shared = self.0.lock();
        let i = shared.index("TagResource", function)?;
        shared.functions[i].trip = Some(record.clone());
        Ok(())
    }

    async fn set_reserved_concurrency(
        &self,
        function: &FunctionName,
        value: Reservation,
    ) -> Result<(), PortError> {
        let mut shared = self.0.lock();
        let i = shared.index("PutFunctionConcurrency", function)?;
        shared.functions[i].reserved = value;
        shared.changes.push((i, value));
        Ok(())
    }

    async fn mark_alerted(&self, function: &FunctionName) -> Result<(), PortError> {
        let mut shared = self.0.lock();
        let i = shared.index("TagResource", function)?;
        if let Some(trip) = shared.functions[i].trip.as_mut() {
            trip.alert_pending = false;
        }
        Ok(())
    }

    async fn mark_reenabling(&self, function: &FunctionName, mark: &ReenableMark) -> Result<(), PortError> {
        let mut shared = self.0.lock();
        let i = shared.index("TagResource", function)?;
        shared.functions[i].reenabled_at = Some(mark.at);
        Ok(())
    }

    async fn clear_trip_record(&self, function: &FunctionName, mark: &ReenableMark) -> Result<(), PortError> {
        let mut shared = self.0.lock();
        let i = shared.index("UntagResource", function)?;
        shared.functions[i].trip = None;
        shared.functions[i].reenabled_at = Some(mark.at);
        Ok(())
    }

    async fn list_tripped(&self) -> Result<Vec<TrippedFunction>, PortError> {
        let shared = self.0.lock();
        Ok(shared
            .functions
            .iter()
            .filter(|c| c.trip.is_some() || c.reserved == Some(0))
            .map(|c| TrippedFunction {
                function: c.func.name.clone(),
                record: c.trip.clone(),
                reenable_started: None,
                unreadable: None,
            })
            .collect())
    }

    async fn mapping_ceilings(&self, function: &FunctionName) -> Result<Vec<MappingCeiling>, PortError> {
        let shared = self.0.lock();
        Ok(shared.functions[shared.index("ListEventSourceMappings", function)?].func.mapping_ceilings.clone())
    }

    async fn polled_queues(&self, function: &FunctionName) -> Result<Vec<crate::name::QueueName>, PortError> {
        let shared = self.0.lock();
        let f = shared.index("ListEventSourceMappings", function)?;
        Ok(shared.queues.iter().filter(|(_, consumer)| *consumer == f).map(|(q, _)| q.clone()).collect())
    }

    async fn unreserved_concurrency(&self) -> Result<Option<u32>, PortError> {
        let shared = self.0.lock();
        let reserved: u32 = shared.functions.iter().filter_map(|c| c.reserved).sum();
        Ok(Some(ACCOUNT_LIMIT.saturating_sub(reserved)))
    }

    /// Every simulated function has an execution role of its own.
    async fn execution_role_id(&self, function: &FunctionName) -> Result<Option<String>, PortError> {
        self.0.lock().index("GetFunctionConfiguration", function)?;
        Ok(Some(role_id(function)))
    }
}

/// The unique id of a simulated function's execution role (`AROA` and 17 characters of a hash of
/// its name, as IAM's ids look).
pub(crate) fn role_id(function: &FunctionName) -> String {
    // FNV-1a: stable across runs and platforms, unlike the std hasher.
    let hash = function
        .as_str()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("AROA{hash:017X}")
}

impl Notifier for SimNotifier {
    async fn publish(&self, alert: &Alert) -> Result<(), PortError> {
        self.0.lock().alerts.push(alert.clone());
        Ok(())
    }
}
