//! Saturation: a function held at a ceiling it is not usually at. The ceilings are its reserved
//! concurrency, the account's unreserved pool (or, unread, a flat top with throttles), an SQS
//! mapping's maximum concurrency and a stream mapping's shards × parallelization factor (a flat
//! top of at least the parallelization factor while the shard count is unread).
//!
//! A mapping's own ceiling is where a consumer drains every backlog it is given: one it has been
//! held at before, at any hour, is its normal state (a nightly batch re-run in the morning).
//!
//! A function whose every call is synchronous (no async events, no mapping) and that is pinned at
//! a ceiling that refuses callers is a launch past that ceiling unless its calls show a recursion:
//! a synchronous recursion held at its ceiling fails its chains (the innermost call gets a 429 and
//! each waiting caller fails in turn) or, when it catches that error, waits on itself (each call
//! lasts as long as the calls it made). A launch serves the calls it runs as it usually does.

use super::{CEILING_SHARE, Subject, Usual, run};
use crate::config::Baseline;
use crate::ports::{MappingCeiling, MinuteMetrics};
use crate::verdict::{RunawayShape, SyncCalls};

/// At least this share of a pinned synchronous function's calls failing is a recursion's chains
/// ending in a refused call (a launch's calls fail no more than they usually do).
pub const FAILING_SHARE: f64 = 0.5;
/// Calls at least this many times slower than usual are waiting on the calls they made.
pub const WAITING_FACTOR: f64 = 3.0;

/// A ceiling a pinned function could be held at.
struct Ceiling {
    /// Concurrency at or above which it is pinned (`None`: a flat top within 10 % of the run's peak).
    level: Option<f64>,
    /// What it is, for the evidence.
    what: String,
    /// Whether being held there shows as throttles (a poller's ceiling never throttles).
    throttles: bool,
    /// Least peak that can be this ceiling (a stream mapping runs a batch per shard and slot).
    at_least: f64,
    /// A mapping's own ceiling, which a consumer reaches by design whenever a backlog comes: one
    /// it has reached at any hour before is its normal state, not only at a moment like now.
    by_design: bool,
}

/// The ceilings the function can be held at: its reservation, else the account's unreserved pool
/// (or, unread, a flat top with throttles); and its mapping's own ceiling. A function a poller
/// feeds is held at its reservation by the poller backing off (or throttled, without a maximum
/// concurrency): throttles are not required there.
fn ceilings(subject: &Subject) -> Vec<Ceiling> {
    let share = |n: u32| Some(CEILING_SHARE * f64::from(n));
    let polled = subject.mapping.is_some();
    let ceiling =
        |level, what: String, throttles| Ceiling { level, what, throttles, at_least: 1.0, by_design: false };
    let mut out = vec![match (subject.ceiling, subject.account_unreserved) {
        (Some(r), _) => ceiling(share(r), format!("its reserved concurrency {r}"), !polled),
        (None, Some(u)) => ceiling(share(u), format!("the account's unreserved concurrency {u}"), true),
        (None, None) => ceiling(None, "a flat top with throttles (the account's limit)".to_owned(), true),
    }];
    match subject.mapping {
        Some(MappingCeiling::Stream { parallelization_factor, shards }) => {
            let m = MappingCeiling::Stream { parallelization_factor, shards };
            let level = m.concurrency().and_then(share);
            out.push(Ceiling {
                at_least: f64::from(parallelization_factor),
                by_design: true,
                ..ceiling(level, m.describe(), false)
            });
        }
        Some(m @ MappingCeiling::Sqs { maximum_concurrency: Some(max) }) => {
            out.push(Ceiling { by_design: true, ..ceiling(share(max), m.describe(), false) });
        }
        Some(MappingCeiling::Sqs { maximum_concurrency: None }) | None => {}
    }
    out
}

/// Held at a ceiling in each of `saturation_minutes` consecutive minutes: at 90 % of it or more
/// (a flat top within 10 % of the run's peak when its level is unknown), throttled in each minute
/// where the ceiling throttles. A ceiling the function usually reaches at a moment like now (its
/// usual peak concurrency is that high) is its normal state, not evidence; so is a mapping's own
/// ceiling that it has reached at any hour before the rise. `Some(Err(why))`: pinned at a mapping's
/// ceiling it has been held at before, or at a ceiling that refuses callers while every call is
/// synchronous and served as usual (a launch).
pub(super) fn saturation(
    published: &[&MinuteMetrics],
    subject: &Subject,
    usual: Option<Usual>,
    t: &Baseline,
) -> Option<Result<RunawayShape, String>> {
    let minutes = run(published, published.len(), t.saturation_minutes as usize)?;
    let peak = minutes.iter().filter_map(|m| m.concurrency_max).fold(0.0_f64, f64::max);
    if peak < 1.0 {
        return None;
    }
    let throttles: f64 = minutes.iter().filter_map(|m| m.throttles).sum();
    let usual_concurrency = usual.and_then(|u| u.concurrency).unwrap_or(0.0);
    let concurrency_ever = usual.and_then(|u| u.concurrency_ever).unwrap_or(0.0).max(usual_concurrency);
    ceilings(subject).into_iter().find_map(|c| {
        let level = c.level.unwrap_or(CEILING_SHARE * peak);
        let pinned = minutes.iter().all(|m| {
            m.concurrency_max.unwrap_or(0.0) >= level && (!c.throttles || m.throttles.unwrap_or(0.0) > 0.0)
        });
        if !(pinned && peak >= c.at_least && usual_concurrency < level) {
            return None;
        }
        if c.by_design && concurrency_ever >= level {
            return Some(Err(format!(
                "pinned at {}, a ceiling it has been held at before (a consumer drains each backlog there)",
                c.what
            )));
        }
        // Callers are refused only at a ceiling that throttles; a poller's calls are its own.
        let synchronous =
            (c.throttles && subject.mapping.is_none()).then(|| synchronous_calls(&minutes, usual)).flatten();
        if let Some(calls) = synchronous.filter(|calls| serves_as_usual(*calls)) {
            return Some(Err(format!(
                "pinned at {} with {throttles:.0} throttles, but every call is synchronous and {calls}: \
                 a launch past its ceiling (a synchronous recursion fails its chains or waits on itself)",
                c.what
            )));
        }
        Some(Ok(RunawayShape::Saturation {
            concurrency: peak,
            throttles,
            minutes: t.saturation_minutes,
            against: c.what,
            synchronous,
        }))
    })
}

/// How the function served its calls over `minutes`, when every one was synchronous (no
/// `AsyncEventsReceived`) and its `Errors` were published.
fn synchronous_calls(minutes: &[&MinuteMetrics], usual: Option<Usual>) -> Option<SyncCalls> {
    // Folded from +0.0: an empty float `sum()` is -0.0, which the evidence would print as "-0%".
    let sum = |read: fn(&MinuteMetrics) -> Option<f64>| -> f64 {
        minutes.iter().filter_map(|m| read(m)).filter(|x| x.is_finite() && *x > 0.0).fold(0.0, |a, x| a + x)
    };
    if sum(|m| m.async_events) > 0.0 || minutes.iter().all(|m| m.errors.is_none()) {
        return None;
    }
    let invocations = sum(|m| m.invocations);
    if invocations < 1.0 {
        return None;
    }
    let ms_per_call = sum(|m| m.duration_ms) / invocations;
    let slower = usual.map(|u| u.ms_per_call).filter(|ms| *ms > 0.0).map(|usual_ms| ms_per_call / usual_ms);
    Some(SyncCalls { failing_share: (sum(|m| m.errors) / invocations).min(1.0), slower })
}

/// A launch's calls: not mostly failing, and not waiting on calls of their own.
fn serves_as_usual(calls: SyncCalls) -> bool {
    calls.failing_share < FAILING_SHARE && calls.slower.is_none_or(|x| x < WAITING_FACTOR)
}
