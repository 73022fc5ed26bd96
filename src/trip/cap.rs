//! The account-wide trip cap in the trip flow: after this environment's own cap allowed a trip, one
//! trip is taken from the hour's shared budget (`RUNAWAY_GUARD_TRIP_CAP_TABLE`) before anything
//! changes. Past the cap the function is left alone and on-call is told once per period, as for the
//! per-environment cap.
//!
//! When the shared count cannot be reached (DynamoDB down, throttled, denied), the trip goes ahead
//! under the per-environment cap alone: a real runaway is still stopped, and the guard cannot stop
//! more than `max_trips_per_hour` functions per environment an hour, with the environments bounded by
//! the guard's reserved concurrency. Manual trips (`runaway-guard trip`) are a person's decision and
//! never wait for, nor spend, the shared budget; dry runs write nothing, not even a count.

use tracing::warn;

use super::TripContext;
use crate::name::FunctionName;
use crate::ports::{Notifier, Take, Throttler, TripHour};
use crate::report::{Decision, Outcome};
use crate::time::Timestamp;
use crate::verdict::Reason;

/// What the shared budget said about one planned trip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AccountCap {
    /// No shared budget applies (none configured, a manual trip, a dry run).
    NotShared,
    /// One trip counted in `hour`: give it back if the throttle fails.
    Counted(TripHour),
    /// The shared count could not be reached: the per-environment cap alone applies.
    Unreachable(String),
    /// The hour's budget is spent: no trip. `page` says whether to alert.
    Exhausted {
        /// The decision's reason.
        why: String,
        /// Alert on-call (once per period per function).
        page: bool,
    },
}

impl<T: Throttler, N: Notifier> TripContext<'_, T, N> {
    /// Takes one trip for `function` from the hour's shared budget.
    pub(super) async fn account_cap(
        &self,
        function: &FunctionName,
        reason: &Reason,
        now: Timestamp,
    ) -> AccountCap {
        let Some(budget) = self.budget else { return AccountCap::NotShared };
        if self.dry_run || matches!(reason, Reason::Manual { .. }) {
            return AccountCap::NotShared;
        }
        let hour = TripHour::of(now);
        match budget.try_take(hour, self.max_trips_per_hour).await {
            Ok(Take::Taken) => AccountCap::Counted(hour),
            Ok(Take::Exhausted) => {
                let page = self.policy.capped_account_wide(function, now);
                let why = format!(
                    "account-wide blast-radius cap: {} trips in hour {} across all the guard's environments",
                    self.max_trips_per_hour,
                    hour.key()
                );
                AccountCap::Exhausted { why, page }
            }
            Err(err) => {
                warn!(function = %function, error = %err, "trip-cap table unreachable; per-environment cap only");
                AccountCap::Unreachable(err.to_string())
            }
        }
    }

    /// After the throttle: a failed trip gives its count back; an unreachable count is noted.
    pub(super) async fn settle_account_cap(&self, cap: &AccountCap, decision: &mut Decision) {
        match cap {
            AccountCap::Counted(hour) if decision.outcome == Outcome::Failed => {
                if let Some(budget) = self.budget
                    && let Err(err) = budget.give_back(*hour).await
                {
                    warn!(function = %decision.function, error = %err, "trip count not given back");
                }
            }
            AccountCap::Unreachable(error) => {
                decision.reason += &format!(
                    "; the account-wide trip count could not be reached ({error}): counted in this \
                     environment only"
                );
            }
            _ => {}
        }
    }
}
