//! The drain check's reads: each queue's `NumberOfMessagesSent` and `NumberOfMessagesDeleted` per
//! minute (`AWS/SQS`, by `QueueName`) over the judgement's recent range, every queue in the same
//! GetMetricData request (≤500 queries each, NextToken pages).

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};

use super::{CloudWatchMetrics, MAX_QUERIES_PER_CALL};
use crate::name::QueueName;
use crate::ports::{MINUTE_SECS, MetricsWindow, PortError, QueueFlow, QueueMinute};
use crate::time::Timestamp;

const SQS_NAMESPACE: &str = "AWS/SQS";
const QUEUE_DIMENSION: &str = "QueueName";
/// `(query-id letter, metric)`: ids are `s<k>` / `d<k>` for the k-th queue.
const COUNTS: [(char, &str); 2] = [('s', "NumberOfMessagesSent"), ('d', "NumberOfMessagesDeleted")];

fn query(letter: char, metric: &str, index: usize, queue: &QueueName) -> MetricDataQuery {
    let metric = Metric::builder()
        .namespace(SQS_NAMESPACE)
        .metric_name(metric)
        .dimensions(Dimension::builder().name(QUEUE_DIMENSION).value(queue.as_str()).build())
        .build();
    MetricDataQuery::builder()
        .id(format!("{letter}{index}"))
        .metric_stat(MetricStat::builder().metric(metric).period(MINUTE_SECS as i32).stat("Sum").build())
        .return_data(true)
        .build()
}

fn parse_id(id: &str) -> Option<(char, usize)> {
    let letter = id.chars().next().filter(|c| COUNTS.iter().any(|(l, _)| l == c))?;
    Some((letter, id.get(1..)?.parse().ok()?))
}

impl CloudWatchMetrics {
    /// Reads every queue's recent minutes.
    pub(super) async fn read_queue_flows(
        &self,
        queues: &[QueueName],
        window: MetricsWindow,
    ) -> Result<Vec<QueueFlow>, PortError> {
        let (start, end) = window.recent_range();
        let mut minutes: Vec<BTreeMap<u64, QueueMinute>> = vec![BTreeMap::new(); queues.len()];
        let per_call = MAX_QUERIES_PER_CALL / COUNTS.len();
        for (chunk, batch) in queues.chunks(per_call).enumerate() {
            if end <= start {
                break;
            }
            let base = chunk * per_call;
            let queries = batch
                .iter()
                .enumerate()
                .flat_map(|(i, q)| {
                    COUNTS.into_iter().map(move |(letter, metric)| query(letter, metric, i, q))
                })
                .collect();
            let secs = |s: u64| i64::try_from(s).unwrap_or(i64::MAX);
            for result in self.metric_data(queries, (secs(start), secs(end))).await? {
                let Some((letter, index)) = result.id().and_then(parse_id) else { continue };
                let Some(slot) = minutes.get_mut(base + index) else { continue };
                for (at, value) in result.timestamps().iter().zip(result.values()) {
                    let Ok(at) = u64::try_from(at.secs()) else { continue };
                    if !(value.is_finite() && *value >= 0.0) {
                        continue;
                    }
                    let minute_start = at / MINUTE_SECS * MINUTE_SECS;
                    let minute = slot.entry(minute_start).or_insert_with(|| QueueMinute {
                        start: Timestamp::from_secs(minute_start),
                        ..QueueMinute::default()
                    });
                    let field = if letter == 's' { &mut minute.sent } else { &mut minute.deleted };
                    *field = Some(field.unwrap_or(0.0) + value);
                }
            }
        }
        Ok(queues
            .iter()
            .zip(minutes)
            .map(|(queue, minutes)| QueueFlow {
                queue: queue.clone(),
                minutes: minutes.into_values().collect(),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_ids_round_trip() {
        let q = QueueName::new("jobs").unwrap();
        for (letter, metric) in COUNTS {
            let id = query(letter, metric, 41, &q).id().unwrap().to_owned();
            assert_eq!(parse_id(&id), Some((letter, 41)));
        }
        assert_eq!(parse_id("mi0"), None);
        assert_eq!(parse_id("s"), None);
    }
}
