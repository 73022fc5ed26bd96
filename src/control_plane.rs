//! The control-plane budget: one token bucket per execution environment shared by every Lambda
//! control-plane call the guard makes (Lambda allows about 15 such requests a second per account
//! and region, shared with everything else the account runs). Calls come in two lanes: the trip's
//! own (the default: the throttle, its record and reads, the pause, the CLI) and the judgement's
//! reads (depth-limit tags, pricing, alarm opt-ins), which the handler marks with [`reading`]. A
//! judgement read never takes the last [`TRIP_RESERVE`] tokens, so a trip never waits behind one.

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Tokens added per second, each environment: two thirds of the account's 15, so one environment
/// judging a 50-function alarm (about 8 reads each) is done within a minute, and Lambda's own
/// throttling (retried by the SDK) shares the rest when several environments run at once.
pub const RATE_PER_SEC: f64 = 10.0;
/// Tokens the bucket holds at most (a burst).
pub const BURST: f64 = 20.0;
/// Tokens only the trip lane may take.
pub const TRIP_RESERVE: f64 = 5.0;

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// The trip's own calls (and anything not marked as a judgement read).
    Trip,
    /// The judgement's reads.
    Read,
}

tokio::task_local! {
    static LANE: Lane;
}

/// Runs `future` with its Lambda calls in the judgement's lane.
pub async fn reading<F: Future>(future: F) -> F::Output {
    LANE.scope(Lane::Read, future).await
}

/// The lane of the calling task.
pub fn current_lane() -> Lane {
    LANE.try_with(|lane| *lane).unwrap_or(Lane::Trip)
}

/// A token bucket with a reserve for the trip lane. Time is passed in, so the rules are tested
/// without a clock.
#[derive(Debug)]
pub struct TokenBucket {
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    /// A full bucket at `now`.
    pub fn new(now: Instant) -> Self {
        Self { state: Mutex::new((BURST, now)) }
    }

    /// Takes a token for `lane` at `now` when one is free; otherwise returns how long to wait
    /// before asking again.
    pub fn try_take(&self, lane: Lane, now: Instant) -> Result<(), Duration> {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (tokens, at) = *state;
        let tokens = (tokens + now.saturating_duration_since(at).as_secs_f64() * RATE_PER_SEC).min(BURST);
        let floor = match lane {
            Lane::Trip => 0.0,
            Lane::Read => TRIP_RESERVE,
        };
        if tokens - 1.0 >= floor {
            *state = (tokens - 1.0, now);
            Ok(())
        } else {
            *state = (tokens, now);
            Err(Duration::from_secs_f64((floor + 1.0 - tokens) / RATE_PER_SEC))
        }
    }

    /// Waits for a token for the calling task's lane.
    pub async fn take(&self) {
        let lane = current_lane();
        while let Err(wait) = self.try_take(lane, Instant::now()) {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_leave_the_reserve_to_the_trip() {
        let t0 = Instant::now();
        let bucket = TokenBucket::new(t0);
        let reads = (0..20).take_while(|_| bucket.try_take(Lane::Read, t0).is_ok()).count();
        assert_eq!(reads as f64, BURST - TRIP_RESERVE);
        let wait = bucket.try_take(Lane::Read, t0).expect_err("reads wait");
        let trips = (0..20).take_while(|_| bucket.try_take(Lane::Trip, t0).is_ok()).count();
        assert_eq!(trips as f64, TRIP_RESERVE, "the trip takes the reserve at once");
        assert!(wait > Duration::ZERO);
    }

    #[test]
    fn the_rate_holds_over_time() {
        let t0 = Instant::now();
        let bucket = TokenBucket::new(t0);
        let mut taken = 0;
        for ms in 0..10_000u64 {
            let now = t0 + Duration::from_millis(ms);
            while bucket.try_take(Lane::Trip, now).is_ok() {
                taken += 1;
            }
        }
        // The burst, then RATE_PER_SEC a second for ten seconds.
        let expected = BURST + RATE_PER_SEC * 10.0;
        assert!((taken as f64 - expected).abs() <= 1.0, "{taken} vs {expected}");
    }

    #[test]
    fn the_lane_is_the_tasks() {
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        rt.block_on(async {
            assert_eq!(current_lane(), Lane::Trip);
            assert_eq!(reading(async { current_lane() }).await, Lane::Read);
        });
    }
}
