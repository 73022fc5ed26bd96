//! The account-wide trip cap behind [`TripBudget`]: one count of trips per clock hour, shared by
//! every execution environment of the guard (and the CLI's `handle`), so the cap holds however many
//! environments Lambda runs and across cold starts. `aws/dynamodb.rs` keeps it in DynamoDB.

use std::future::Future;
use std::pin::Pin;

use crate::time::Timestamp;

use super::PortError;

/// How long an hour's count is kept after the hour ends (DynamoDB TTL removes it later still).
const KEEP_SECS: u64 = 3 * 3_600;

/// A boxed future, so the budget can sit behind `dyn` (the guard holds one or none).
pub type BudgetFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, PortError>> + Send + 'a>>;

/// One clock hour (UTC), the unit of the account-wide cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TripHour(u64);

impl TripHour {
    /// The hour `at` falls in.
    pub fn of(at: Timestamp) -> Self {
        Self(at.as_secs() / 3_600)
    }

    /// The item key: the hour as `YYYY-MM-DDTHH` (UTC), readable in the console.
    pub fn key(self) -> String {
        Timestamp::from_secs(self.0 * 3_600).to_rfc3339().chars().take(13).collect()
    }

    /// When the count may be deleted (epoch seconds, the TTL attribute): a few hours after the hour.
    pub fn expires_at(self) -> u64 {
        (self.0 + 1) * 3_600 + KEEP_SECS
    }
}

/// Whether a trip could be taken from the hour's budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    /// Counted: the trip may go ahead.
    Taken,
    /// The hour already holds `cap` trips: no trip.
    Exhausted,
}

/// The shared count of trips per hour.
pub trait TripBudget: Send + Sync {
    /// Counts one trip in `hour` unless it already holds `cap`.
    fn try_take(&self, hour: TripHour, cap: u32) -> BudgetFuture<'_, Take>;

    /// Gives back a trip counted in `hour` that did not happen (the throttle failed).
    fn give_back(&self, hour: TripHour) -> BudgetFuture<'_, ()>;
}

/// An in-process budget for unit tests: the same rule, in memory.
#[cfg(test)]
#[derive(Debug, Default)]
pub struct MemoryBudget {
    counts: std::sync::Mutex<std::collections::HashMap<TripHour, u32>>,
    /// Fail every call with a retryable error (an unreachable table).
    pub unreachable: std::sync::atomic::AtomicBool,
}

#[cfg(test)]
impl MemoryBudget {
    /// Trips counted in `hour`.
    pub fn count(&self, hour: TripHour) -> u32 {
        self.counts.lock().map(|c| c.get(&hour).copied().unwrap_or(0)).unwrap_or(0)
    }

    fn check(&self) -> Result<(), PortError> {
        if self.unreachable.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(PortError {
                operation: "UpdateItem",
                target: "trip-cap".to_owned(),
                message: "connection refused".to_owned(),
                retryable: true,
                not_found: false,
                source: None,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
impl TripBudget for MemoryBudget {
    fn try_take(&self, hour: TripHour, cap: u32) -> BudgetFuture<'_, Take> {
        let result = self.check().map(|()| {
            let mut counts = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let count = counts.entry(hour).or_default();
            if *count < cap {
                *count += 1;
                Take::Taken
            } else {
                Take::Exhausted
            }
        });
        Box::pin(async move { result })
    }

    fn give_back(&self, hour: TripHour) -> BudgetFuture<'_, ()> {
        let result = self.check().map(|()| {
            let mut counts = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let count = counts.entry(hour).or_default();
            *count = count.saturating_sub(1);
        });
        Box::pin(async move { result })
    }
}

#[cfg(all(test, feature = "guard"))]
mod tests {
    use super::*;

    #[test]
    fn an_hour_is_named_by_its_start_and_kept_a_few_hours_after_its_end() {
        let hour = TripHour::of(Timestamp::from_secs(1_795_000_000));
        assert_eq!(hour.key().len(), 13);
        assert!(Timestamp::from_secs(1_795_000_000).to_rfc3339().starts_with(&hour.key()));
        assert_eq!(TripHour::of(Timestamp::from_secs(1_795_000_000 / 3_600 * 3_600)), hour);
        assert_eq!(hour.expires_at(), (1_795_000_000 / 3_600 + 1) * 3_600 + 3 * 3_600);
    }

    #[test]
    fn the_memory_budget_stops_at_the_cap_and_takes_back() {
        let budget = MemoryBudget::default();
        let hour = TripHour::of(Timestamp::from_secs(1_795_000_000));
        let take = || futures::executor::block_on(budget.try_take(hour, 2)).unwrap();
        assert_eq!([take(), take(), take()], [Take::Taken, Take::Taken, Take::Exhausted]);
        futures::executor::block_on(budget.give_back(hour)).unwrap();
        assert_eq!(take(), Take::Taken);
        assert_eq!(budget.count(hour), 2);
    }
}
