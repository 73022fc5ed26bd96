//! How many asynchronous events each parked function has sent to the parking queue since its trip,
//! for `status`. Telling the functions' events apart in the queue means receiving every message
//! (which hides them from a concurrent replay and counts toward any receive limit), so the count
//! comes from Lambda's own per-function metrics instead: `AsyncEventsDropped` counts every async
//! event Lambda discarded, each sent to the DLQ or on-failure destination first when the function
//! has one (at reserved concurrency 0, every event, at once), less `DestinationDeliveryFailures`,
//! the sends that failed. It is a count of events parked, not of messages still waiting: a replay
//! deletes what it sends back.

use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};

use super::{CloudWatchMetrics, FUNCTION_DIMENSION, MAX_QUERIES_PER_CALL, NAMESPACE};
use crate::name::FunctionName;
use crate::ports::PortError;
use crate::time::Timestamp;

const DAY_SECS: u64 = 86_400;
/// Most buckets one series is read in: long trips are read in coarser periods.
const MAX_BUCKETS: u64 = 1_440;

/// One function's parked events since `since` (its trip).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParkedSince {
    /// The function.
    pub function: FunctionName,
    /// Its trip.
    pub since: Timestamp,
}

impl CloudWatchMetrics {
    /// Events parked per function of `trips` since its trip, up to `now`, in the order given: one
    /// GetMetricData request per 250 functions, over the oldest trip's range.
    pub async fn parked_since(&self, trips: &[ParkedSince], now: Timestamp) -> Result<Vec<u64>, PortError> {
        let mut counts = Vec::with_capacity(trips.len());
        for batch in trips.chunks(MAX_QUERIES_PER_CALL / 2) {
            let Some(oldest) = batch.iter().map(|t| t.since.as_secs()).min() else { continue };
            let period = period_covering(oldest, now.as_secs());
            let start = oldest / period * period;
            let end = now.as_secs().div_ceil(period) * period;
            let queries = batch
                .iter()
                .enumerate()
                .flat_map(|(i, t)| {
                    [("AsyncEventsDropped", 'p'), ("DestinationDeliveryFailures", 'f')]
                        .map(|(name, letter)| query(name, letter, i, &t.function, period))
                })
                .collect();
            let mut net = vec![0.0_f64; batch.len()];
            let secs = |s: u64| i64::try_from(s).unwrap_or(i64::MAX);
            for result in self.metric_data(queries, (secs(start), secs(end))).await? {
                let Some((sign, i)) = result.id().and_then(parse_id) else { continue };
                let (Some(trip), Some(slot)) = (batch.get(i), net.get_mut(i)) else { continue };
                // Buckets that end before the trip hold drops that were not parked.
                let from = trip.since.as_secs() / period * period;
                for (at, value) in result.timestamps().iter().zip(result.values()) {
                    if u64::try_from(at.secs()).is_ok_and(|at| at >= from)
                        && value.is_finite()
                        && *value >= 0.0
                    {
                        *slot += sign * value;
                    }
                }
            }
            counts.extend(net.into_iter().map(|n| n.max(0.0).round() as u64));
        }
        Ok(counts)
    }
}

/// The period that reads `[start, now)` in at most [`MAX_BUCKETS`] buckets, in the granularity
/// CloudWatch still keeps for a start that old: 1-minute data for 15 days, 5-minute for 63, hourly after.
fn period_covering(start: u64, now: u64) -> u64 {
    let age = now.saturating_sub(start);
    // An hour's margin: the request starts at a bucket boundary, a little before `start`.
    let granularity = match age + 3_600 {
        a if a <= 15 * DAY_SECS => 60,
        a if a <= 63 * DAY_SECS => 300,
        _ => 3_600,
    };
    age.div_ceil(MAX_BUCKETS).div_ceil(granularity).max(1) * granularity
}

/// `p<k>` (AsyncEventsDropped, added) / `f<k>` (DestinationDeliveryFailures, taken away).
fn query(metric: &str, letter: char, index: usize, function: &FunctionName, period: u64) -> MetricDataQuery {
    let metric = Metric::builder()
        .namespace(NAMESPACE)
        .metric_name(metric)
        .dimensions(Dimension::builder().name(FUNCTION_DIMENSION).value(function.as_str()).build())
        .build();
    MetricDataQuery::builder()
        .id(format!("{letter}{index}"))
        .metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(i32::try_from(period).unwrap_or(i32::MAX))
                .stat("Sum")
                .build(),
        )
        .return_data(true)
        .build()
}

fn parse_id(id: &str) -> Option<(f64, usize)> {
    let sign = match id.as_bytes().first()? {
        b'p' => 1.0,
        b'f' => -1.0,
        _ => return None,
    };
    Some((sign, id.get(1..)?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_keeps_to_what_cloudwatch_still_holds_and_to_the_bucket_limit() {
        let now = 1_000 * DAY_SECS;
        assert_eq!(period_covering(now - 600, now), 60, "a fresh trip is read per minute");
        assert_eq!(period_covering(now - DAY_SECS, now), 60);
        assert_eq!(period_covering(now - 2 * DAY_SECS, now), 120, "at most 1,440 buckets");
        assert_eq!(period_covering(now - 20 * DAY_SECS, now), 1_200, "5-minute data after 15 days");
        assert_eq!(period_covering(now - 90 * DAY_SECS, now), 7_200, "hourly data after 63 days");
        assert_eq!(period_covering(now, now), 60);
        for age in [1, 59, 3_600, 16 * DAY_SECS, 64 * DAY_SECS, 400 * DAY_SECS] {
            let period = period_covering(now.saturating_sub(age), now);
            assert!(age.div_ceil(period) <= MAX_BUCKETS, "{age}: {period}");
            assert_eq!(period % 60, 0);
        }
    }

    #[test]
    fn ids_say_which_way_a_series_counts() {
        assert_eq!(parse_id("p12"), Some((1.0, 12)));
        assert_eq!(parse_id("f0"), Some((-1.0, 0)));
        assert_eq!(parse_id("x1"), None);
        assert_eq!(parse_id("p"), None);
    }
}
