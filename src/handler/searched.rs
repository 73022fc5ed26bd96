//! Account-level and billing alarms that led to nothing new: every offender their search found was
//! already throttled (or exempt), so no trip alert went out. On-call still hears that the guard saw
//! the alarm, in one short "seen, nothing new to stop" alert per alarm per paging period.

use super::Guard;
use crate::alert::{AlertContext, SeenFacts, seen_alert};
use crate::name::FunctionName;
use crate::policy::next_page_after;
use crate::ports::{Metrics, Notifier, Throttler};
use crate::report::{Decision, Outcome};
use crate::time::Timestamp;

/// One offender search that found offenders: the alarm, its metric, and the offenders.
#[derive(Debug, Clone)]
pub(super) struct Searched {
    pub alarm: String,
    pub metric: String,
    pub offenders: Vec<FunctionName>,
}

impl<T: Throttler, M: Metrics, N: Notifier> Guard<T, M, N> {
    /// Says "seen, nothing new to stop" for each search whose offenders' decisions changed and
    /// paged nothing (deduplicated per alarm by the policy's paging memory).
    pub(super) async fn say_seen(
        &self,
        searches: &[Searched],
        decisions: &[Decision],
        now: Timestamp,
        notes: &mut Vec<String>,
    ) {
        for search in searches {
            if !nothing_new(&search.offenders, decisions) || !self.policy.alarm_seen(&search.alarm, now) {
                continue;
            }
            let alert = seen_alert(&SeenFacts {
                alarm: &search.alarm,
                metric: &search.metric,
                held: &search.offenders,
                quiet_until: next_page_after(now),
                context: AlertContext {
                    account: self.account.get().map(String::as_str),
                    region: self.region.as_deref(),
                    at: now,
                },
            });
            match self.notifier.publish(&alert).await {
                Ok(()) => notes.push(format!("alarm {}: nothing new to stop; said so once", search.alarm)),
                Err(err) => notes.push(format!("alarm {}: seen alert not published: {err}", search.alarm)),
            }
        }
    }
}

/// Every decision about `offenders` left things as they were and paged no one.
fn nothing_new(offenders: &[FunctionName], decisions: &[Decision]) -> bool {
    let mine: Vec<&Decision> = decisions.iter().filter(|d| offenders.contains(&d.function)).collect();
    !mine.is_empty()
        && mine.iter().all(|d| !d.alerted && matches!(d.outcome, Outcome::AlreadyTripped | Outcome::Exempt))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(name: &str, outcome: Outcome, alerted: bool) -> Decision {
        let mut d = Decision::new(FunctionName::new(name).unwrap(), outcome, "runaway", String::new());
        d.alerted = alerted;
        d
    }

    #[test]
    fn only_a_search_whose_offenders_were_all_held_already_is_nothing_new() {
        let offenders = [FunctionName::new("a").unwrap(), FunctionName::new("b").unwrap()];
        let held = [decision("a", Outcome::AlreadyTripped, false), decision("b", Outcome::Exempt, false)];
        assert!(nothing_new(&offenders, &held));
        let tripped =
            [decision("a", Outcome::AlreadyTripped, false), decision("b", Outcome::Throttled, true)];
        assert!(!nothing_new(&offenders, &tripped));
        let paged = [decision("a", Outcome::Exempt, true)];
        assert!(!nothing_new(&offenders, &paged), "a grace page already told on-call");
        assert!(!nothing_new(&offenders, &[]), "no decision, nothing to say");
    }
}
