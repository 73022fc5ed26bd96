//! What a function usually does at a moment like now: the busiest *minute* of its history at the
//! same time of day on recent days, on the same weekday, and on the same day of the month (or the
//! last day of a month, on the last day), never an hourly average.
//!
//! Each history hour carries its sums and its peak concurrency (`ConcurrentExecutions` Maximum,
//! which CloudWatch keeps exact through its 5-minute and 1-hour roll-ups). Its busiest minute's
//! rate follows from Little's law: `peak concurrency × 60 s / mean duration` calls a minute, kept
//! between the hour's mean minute and the whole hour's calls; its busiest minute's spend is the
//! hour's spend scaled the same way. A nightly job that does its hour's work in one minute thus
//! has a usual minute as busy as that minute.
//!
//! Hours younger than [`MIN_BASELINE_AGE_SECS`] may hold the incident itself. They count only
//! when they predate the rise: the rise starts after the latest hour whose busiest minute was
//! under `1 / surge_factor` of the current rate. A function with no such hour has run at its
//! current level for as long as CloudWatch has known it; for a function younger than the age
//! limit (no older hour like now), those hours are its normal whatever their time of day.

use super::{MIN_BASELINE_AGE_SECS, TIME_OF_DAY_SLACK_HOURS, usd};
use crate::config::Prices;
use crate::detect::cost::FunctionProfile;
use crate::ports::{HOUR_SECS, HourMetrics, MINUTE_SECS};
use crate::time::Timestamp;

/// Every day this recent is a like day, whatever its weekday or date.
pub const DAILY_DAYS: u64 = 14;
/// A level held since an hour at most this long ago is judged against that hour's time of day too.
pub const HELD_SINCE_MAX_SECS: u64 = 12 * HOUR_SECS;

/// Which kind of moment set the usual figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// This time of day on the last [`DAILY_DAYS`] days.
    TimeOfDay,
    /// This time of day on the same weekday.
    Weekday,
    /// This time of day on the same day of the month (or the last day, on the last day).
    DayOfMonth,
    /// The hours since it started (younger than the age limit, before any rise).
    SinceStart,
}

impl Basis {
    /// For the report: "at this time of day", ...
    pub fn describe(self) -> &'static str {
        match self {
            Basis::TimeOfDay => "at this time of day",
            Basis::Weekday => "at this time on this weekday",
            Basis::DayOfMonth => "at this time on this day of the month",
            Basis::SinceStart => "since it started",
        }
    }
}

/// The busiest minute of the function's like moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usual {
    /// Calls in that minute.
    pub per_minute: f64,
    /// Its spend, per hour.
    pub usd_per_hour: f64,
    /// The highest peak concurrency of those hours, when CloudWatch published it.
    pub concurrency: Option<f64>,
    /// The highest peak concurrency of every hour before the rise, whatever its time or day: the
    /// ceilings it has been held at by design (a batch consumer draining at its mapping's maximum).
    pub concurrency_ever: Option<f64>,
    /// The longest mean time per call of those hours, milliseconds (0 when none was published).
    pub ms_per_call: f64,
    /// The kind of moment the busiest minute came from.
    pub basis: Basis,
}

/// One history hour's busiest minute.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Peak {
    per_minute: f64,
    usd_per_hour: f64,
    concurrency: Option<f64>,
    ms_per_call: f64,
}

fn peak(h: &HourMetrics, profile: FunctionProfile, prices: &Prices) -> Peak {
    let mean = h.invocations / 60.0;
    let concurrency = h.concurrency_max.filter(|c| c.is_finite() && *c >= 0.0);
    let timed = h.duration_ms.is_finite() && h.duration_ms > 0.0;
    let ms_per_call = if timed { h.duration_ms / h.invocations } else { 0.0 };
    let per_minute = match concurrency {
        Some(c) if timed => (c * (MINUTE_SECS * 1000) as f64 / ms_per_call).clamp(mean, h.invocations),
        _ => mean,
    };
    let usd_per_hour = usd(h.invocations, h.duration_ms, profile, prices) * per_minute / mean;
    Peak { per_minute, usd_per_hour, concurrency, ms_per_call }
}

/// The kind of like moment `at` is for `now`, if any: a time of day from `since` (the hour the
/// current level began, at most [`HELD_SINCE_MAX_SECS`] ago; else `now`) to `now`, ±1 h, on a
/// recent day, the same weekday or the same day of the month.
fn like(at: Timestamp, since: Timestamp, now: Timestamp) -> Option<Basis> {
    let hour_of_day = |t: Timestamp| (t.as_secs() / HOUR_SECS) % 24;
    let span = (hour_of_day(now) + 24 - hour_of_day(since)) % 24;
    let offset = (hour_of_day(at) + 24 + TIME_OF_DAY_SLACK_HOURS - hour_of_day(since)) % 24;
    if offset > span + 2 * TIME_OF_DAY_SLACK_HOURS {
        return None;
    }
    // The hour's own day, by its middle (a near hour across midnight is still the same kind of day).
    let day = Timestamp::from_secs(at.as_secs() + HOUR_SECS / 2);
    if now.as_secs().saturating_sub(at.as_secs()) <= DAILY_DAYS * 24 * HOUR_SECS {
        Some(Basis::TimeOfDay)
    } else if day.weekday() == now.weekday() {
        Some(Basis::Weekday)
    } else if day.date().2 == now.date().2 || (day.is_last_day_of_month() && now.is_last_day_of_month()) {
        Some(Basis::DayOfMonth)
    } else {
        None
    }
}

/// The function's usual busiest minute at a moment like `now`, against a current rate of
/// `current_per_minute` calls (which places the rise young hours must predate).
pub fn usual(
    history: &[HourMetrics],
    (profile, prices): (FunctionProfile, &Prices),
    now: Timestamp,
    current_per_minute: f64,
    surge_factor: f64,
) -> Option<Usual> {
    let sane: Vec<(&HourMetrics, Peak)> = history
        .iter()
        .filter(|h| h.invocations.is_finite() && h.invocations > 0.0 && h.start < now)
        .map(|h| (h, peak(h, profile, prices)))
        .collect();
    let young = |h: &HourMetrics| h.start.as_secs() + MIN_BASELINE_AGE_SECS > now.as_secs();
    // The latest hour under 1/surge_factor of now: the rise comes after it.
    let before_rise = sane
        .iter()
        .filter(|(_, p)| p.per_minute * surge_factor <= current_per_minute)
        .map(|(h, _)| h.start)
        .max();
    let predates_rise = |h: &HourMetrics| before_rise.is_none_or(|last_low| h.start <= last_low);
    // A level held since a recent hour is judged against that hour too: a weekly job that overruns
    // its usual window is as busy as it usually is when it starts, not as the quiet hours after.
    let since = before_rise
        .map(|last_low| Timestamp::from_secs(last_low.as_secs() + HOUR_SECS))
        .filter(|start| *start <= now && now.as_secs() - start.as_secs() <= HELD_SINCE_MAX_SECS)
        .unwrap_or(now);
    let old: Vec<(Basis, Peak)> = sane
        .iter()
        .filter(|(h, _)| !young(h))
        .filter_map(|(h, p)| Some((like(h.start, since, now)?, *p)))
        .collect();
    let concurrency_ever = sane
        .iter()
        .filter(|(h, _)| !young(h) || predates_rise(h))
        .filter_map(|(_, p)| p.concurrency)
        .reduce(f64::max);
    let new_function = old.is_empty();
    let counted = sane.iter().filter(|(h, _)| young(h) && predates_rise(h)).filter_map(|(h, p)| {
        if new_function { Some((Basis::SinceStart, *p)) } else { Some((like(h.start, since, now)?, *p)) }
    });
    old.into_iter().chain(counted).fold(None, |acc: Option<Usual>, (basis, p)| {
        let next = Usual {
            per_minute: p.per_minute,
            usd_per_hour: p.usd_per_hour,
            concurrency: p.concurrency,
            concurrency_ever,
            ms_per_call: p.ms_per_call,
            basis,
        };
        Some(match acc {
            None => next,
            Some(a) => Usual {
                basis: if p.per_minute > a.per_minute { basis } else { a.basis },
                per_minute: a.per_minute.max(p.per_minute),
                usd_per_hour: a.usd_per_hour.max(p.usd_per_hour),
                concurrency: match (a.concurrency, p.concurrency) {
                    (Some(x), Some(y)) => Some(x.max(y)),
                    (x, y) => x.or(y),
                },
                concurrency_ever,
                ms_per_call: a.ms_per_call.max(p.ms_per_call),
            },
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-01 14:30 UTC, a Tuesday, the first of the month.
    const NOW: u64 = 1_796_135_400;

    fn hour(hours_ago: u64, invocations: f64, ms: f64, concurrency: Option<f64>) -> HourMetrics {
        HourMetrics {
            start: Timestamp::from_secs(NOW / HOUR_SECS * HOUR_SECS - hours_ago * HOUR_SECS),
            invocations,
            duration_ms: invocations * ms,
            concurrency_max: concurrency,
        }
    }

    fn of(history: &[HourMetrics], current: f64) -> Option<Usual> {
        usual(
            history,
            (FunctionProfile::default(), &Prices::default()),
            Timestamp::from_secs(NOW),
            current,
            10.0,
        )
    }

    #[test]
    fn a_level_held_since_an_earlier_hour_is_judged_against_that_hour_too() {
        // A job fills its reservation from 12:00 to 13:00 each day. The hours like 14:30 are
        // quiet; those like 12:00 are not.
        let days = |busy_today: &[u64]| -> Vec<HourMetrics> {
            (1..=8 * 24_u64)
                .map(|ago| {
                    let busy = if ago < 24 { busy_today.contains(&ago) } else { ago % 24 == 2 };
                    if busy {
                        hour(ago, 3600.0, 1000.0, Some(60.0))
                    } else {
                        hour(ago, 60.0, 1000.0, Some(1.0))
                    }
                })
                .collect()
        };
        // Today it started at 12:00 as usual and still runs at 14:30: as busy as it usually is.
        let u = of(&days(&[1, 2]), 3600.0).unwrap();
        assert_eq!((u.per_minute, u.basis), (3600.0, Basis::TimeOfDay));
        // Quiet until 14:00 today, it is judged against 13:00 to 15:00 alone, as ever.
        assert!(of(&days(&[]), 3600.0).unwrap().per_minute < 360.0);
    }

    #[test]
    fn an_hour_done_in_one_minute_is_as_busy_as_that_minute() {
        // 3,600 calls of 1 s in one minute a day: peak concurrency 60.
        let history: Vec<_> = (1..=7).map(|d| hour(d * 24, 3600.0, 1000.0, Some(60.0))).collect();
        let u = of(&history, 3600.0).unwrap();
        assert_eq!((u.per_minute, u.basis), (3600.0, Basis::TimeOfDay));
        // Without the peak, only the hourly mean is known.
        let flat: Vec<_> = (1..=7).map(|d| hour(d * 24, 3600.0, 1000.0, None)).collect();
        assert_eq!(of(&flat, 3600.0).unwrap().per_minute, 60.0);
        // A steady function's peak is its mean (Little's law never goes below it).
        let steady: Vec<_> = (1..=7).map(|d| hour(d * 24, 3600.0, 100.0, Some(1.0))).collect();
        assert_eq!(of(&steady, 60.0).unwrap().per_minute, 600.0_f64.clamp(60.0, 3600.0));
    }

    #[test]
    fn the_first_of_the_month_is_judged_against_earlier_firsts() {
        // Busy (x10) at this time on 2026-11-01 and 2026-10-01 only; 30 and 61 days ago.
        let mut history: Vec<_> = (1..=62).map(|d| hour(d * 24, 600.0, 1000.0, Some(10.0))).collect();
        for d in [30, 61] {
            history.push(hour(d * 24, 6000.0, 1000.0, Some(100.0)));
        }
        let u = of(&history, 6000.0).unwrap();
        assert_eq!((u.per_minute, u.basis), (6000.0, Basis::DayOfMonth));
        // An ordinary day a fortnight back at x10 does not count beyond the daily window on
        // another weekday and date.
        let mut other: Vec<_> = (1..=62).map(|d| hour(d * 24, 600.0, 1000.0, Some(10.0))).collect();
        other.push(hour(20 * 24, 6000.0, 1000.0, Some(100.0)));
        assert_eq!(of(&other, 6000.0).unwrap().per_minute, 600.0);
        // The same weekday three weeks back does.
        other.push(hour(21 * 24, 6000.0, 1000.0, Some(100.0)));
        assert_eq!(of(&other, 6000.0).unwrap().basis, Basis::Weekday);
    }

    #[test]
    fn young_hours_count_only_before_the_rise() {
        // A function deployed 18 h ago, flat at 3,000 calls a minute since: its normal.
        let flat: Vec<_> = (1..=18).map(|h| hour(h, 180_000.0, 1000.0, Some(50.0))).collect();
        let u = of(&flat, 3000.0).unwrap();
        assert_eq!((u.per_minute, u.basis, u.concurrency), (3000.0, Basis::SinceStart, Some(50.0)));
        // Quiet until 3 h ago, looping since: only the quiet hours count.
        let rose: Vec<_> = (1..=18)
            .map(|h| {
                if h <= 3 {
                    hour(h, 180_000.0, 1000.0, Some(50.0))
                } else {
                    hour(h, 600.0, 1000.0, Some(1.0))
                }
            })
            .collect();
        assert_eq!(of(&rose, 3000.0).unwrap().per_minute, 60.0);
        // Nothing before the rise: no history at all.
        assert_eq!(of(&[], 3000.0), None);
    }
}
