//! Paging memory: a throttle that keeps failing, a function the cap keeps holding back, or a read
//! the judgement keeps failing pages on-call once per [`PAGE_PERIOD`] per function (per
//! container), and the events in between are answered from here without any AWS call. A "nothing
//! ran away" summary pages once per situation (see [`Paging::situation`]).

use std::collections::HashMap;
use std::time::Duration;

use crate::name::FunctionName;
use crate::time::Timestamp;

/// How often one function's unhealed failure (or cap) pages on-call from one container.
pub const PAGE_PERIOD: Duration = Duration::from_secs(15 * 60);
/// After a failure a retry may fix (throttling, 5xx, timeouts), the next attempt waits this long:
/// shorter than Lambda's first async retry (about a minute), so that retry really tries again.
pub const RETRY_BACKOFF: Duration = Duration::from_secs(30);
/// Most functions remembered; beyond it entries whose period is over are dropped, then new ones
/// are not remembered (they page as before, which is loud but never silent).
const MAX_REMEMBERED: usize = 10_000;

/// One function's unhealed failure.
#[derive(Debug, Clone)]
pub(super) struct Failure {
    /// When on-call was last paged about it.
    pub paged_at: Timestamp,
    /// No control-plane call for this function before then.
    pub retry_after: Timestamp,
    /// What failed, for the report of the events in between.
    pub error: String,
}

/// Failures and capped functions, each with when it last paged.
#[derive(Debug, Default)]
pub(super) struct Paging {
    failures: HashMap<FunctionName, Failure>,
    capped: HashMap<FunctionName, Timestamp>,
    /// Functions paged about during the grace period of the re-enable at this time.
    grace: HashMap<FunctionName, Timestamp>,
    /// Account-level or billing alarms last said "seen, nothing new to stop" at this time.
    seen: HashMap<String, Timestamp>,
    /// Subjects (a function, `alarm NAME`) whose failed read paged at this time.
    unread: HashMap<String, Timestamp>,
    /// Per summary source (an alarm, the sweep): the situation last paged about, and when.
    situations: HashMap<String, (String, Timestamp)>,
}

impl Paging {
    /// The failure still holding `function` back at `now`.
    pub fn holding(&self, function: &FunctionName, now: Timestamp) -> Option<&Failure> {
        self.failures.get(function).filter(|f| now < f.retry_after)
    }

    /// Records a failure at `now`; returns whether it should page (not paged within the period).
    pub fn failed(&mut self, function: &FunctionName, now: Timestamp, retryable: bool, error: &str) -> bool {
        let backoff = if retryable { RETRY_BACKOFF } else { PAGE_PERIOD };
        let retry_after = later(now, backoff);
        let previous = self.failures.get(function).map(|f| f.paged_at);
        let page = previous.is_none_or(|at| now.since(at) >= PAGE_PERIOD);
        let paged_at = if page { now } else { previous.unwrap_or(now) };
        if self.room(now) || self.failures.contains_key(function) {
            self.failures
                .insert(function.clone(), Failure { paged_at, retry_after, error: error.to_owned() });
        }
        page
    }

    /// When `function` was last paged as capped, if within the period.
    pub fn capped_paged_at(&self, function: &FunctionName, now: Timestamp) -> Option<Timestamp> {
        self.capped.get(function).copied().filter(|at| now.since(*at) < PAGE_PERIOD)
    }

    /// Records that `function` is capped at `now`; returns whether it should page.
    pub fn capped(&mut self, function: &FunctionName, now: Timestamp) -> bool {
        if self.capped_paged_at(function, now).is_some() {
            return false;
        }
        if self.room(now) || self.capped.contains_key(function) {
            self.capped.insert(function.clone(), now);
        }
        true
    }

    /// Evidence against `function` during the grace period of its re-enable at `reenabled`;
    /// returns whether it should page (once per re-enable).
    pub fn grace(&mut self, function: &FunctionName, reenabled: Timestamp) -> bool {
        if self.grace.get(function) == Some(&reenabled) {
            return false;
        }
        if self.grace.len() >= MAX_REMEMBERED {
            // Bounded: at worst one more page for a re-enable already paged about.
            self.grace.clear();
        }
        self.grace.insert(function.clone(), reenabled);
        true
    }

    /// An alarm that led to nothing new at `now`; returns whether to say so (once per period per alarm).
    pub fn seen(&mut self, alarm: &str, now: Timestamp) -> bool {
        once_per_period(&mut self.seen, alarm, now)
    }

    /// A read about `subject` failed at `now`; returns whether it should page (not paged within
    /// the period).
    pub fn unread(&mut self, subject: &str, now: Timestamp) -> bool {
        once_per_period(&mut self.unread, subject, now)
    }

    /// `source` found `situation` at `now`; returns whether it should page: a situation other than
    /// the one last paged about for that source pages at once; the same one pages again only after
    /// the period when `repeat` (an alarm that fired again), and never for the sweep.
    pub fn situation(&mut self, source: &str, situation: &str, now: Timestamp, repeat: bool) -> bool {
        let page = match self.situations.get(source) {
            Some((last, at)) if last == situation => repeat && now.since(*at) >= PAGE_PERIOD,
            _ => true,
        };
        if page {
            if self.situations.len() >= MAX_REMEMBERED {
                self.situations.clear();
            }
            self.situations.insert(source.to_owned(), (situation.to_owned(), now));
        }
        page
    }

    /// `source` found nothing worth a page: its next situation pages, whatever it is.
    pub fn situation_cleared(&mut self, source: &str) {
        self.situations.remove(source);
    }

    /// The function was throttled: forget its failures and caps.
    pub fn healed(&mut self, function: &FunctionName) {
        self.failures.remove(function);
        self.capped.remove(function);
    }

    fn room(&mut self, now: Timestamp) -> bool {
        if self.failures.len() + self.capped.len() < MAX_REMEMBERED {
            return true;
        }
        self.failures.retain(|_, f| now < f.retry_after || now.since(f.paged_at) < PAGE_PERIOD);
        self.capped.retain(|_, at| now.since(*at) < PAGE_PERIOD);
        self.failures.len() + self.capped.len() < MAX_REMEMBERED
    }
}

/// Whether `key` should page at `now` (not paged within the period), remembering it if so. Bounded:
/// past [`MAX_REMEMBERED`] keys whose period is over are dropped, then new ones page unremembered
/// (loud, never silent). A time after `now` (a clock step back) does not hold a page back.
fn once_per_period(paged: &mut HashMap<String, Timestamp>, key: &str, now: Timestamp) -> bool {
    if paged.get(key).is_some_and(|at| now.since(*at) < PAGE_PERIOD && *at <= now) {
        return false;
    }
    if paged.len() >= MAX_REMEMBERED {
        paged.retain(|_, at| now.since(*at) < PAGE_PERIOD);
    }
    if paged.len() < MAX_REMEMBERED {
        paged.insert(key.to_owned(), now);
    }
    true
}

/// `at` plus `by`, saturating.
pub(super) fn later(at: Timestamp, by: Duration) -> Timestamp {
    let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
    Timestamp::from_millis(at.as_millis().saturating_add(by))
}
