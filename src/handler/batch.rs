//! An SQS batch of chain events: each record counted once, and a partial batch response naming
//! only the records the guard could not act on.
//!
//! A record whose `messageId` this process has seen within the TTL (see `seen`) is not given to the
//! detector again; if its first delivery asked for a throttle that failed, that throttle is retried
//! now. After acting, a record is reported failed when a throttle it led to (its emitter, or its
//! chain root) failed for a reason a retry may fix; when a failed throttle cannot be traced to any
//! record of the batch, every record is reported, as a whole-batch retry was before. Rejected and
//! distrusted records are never reported: they would fail the same way again.

use std::collections::HashSet;
use std::hash::BuildHasher;

use super::Guard;
use super::seen::{Retries, Seen};
use crate::event::{ParsedEvent, RawMessageId};
use crate::name::FunctionName;
use crate::ports::{Metrics, Notifier, Throttler};
use crate::report::{BatchItemFailure, Report};
use crate::signal::Signal;
use crate::time::Timestamp;
use crate::verdict::Reason;

/// One record of the batch that produced a signal.
struct Delivered<'a> {
    id: Option<RawMessageId<'a>>,
    /// The record's signal went to the detector (first delivery).
    counted: bool,
    /// Its chain header's emitter and root, hashed, to trace failed throttles back to it (the
    /// signal itself has gone to the detector). A collision at worst names one record more in
    /// the partial batch response: it comes back once and is not counted again.
    chain: Option<ChainKeys>,
    /// What its first delivery left to retry.
    retries: Retries,
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct ChainKeys {
    emitter: u64,
    root: u64,
}

/// Hashes chain names within one batch (the keys never outlive it).
#[derive(Default)]
struct ChainKeyer(foldhash::fast::FixedState);

impl ChainKeyer {
    fn of(&self, signal: &Signal) -> Option<ChainKeys> {
        match signal {
            Signal::Chain(chain) => Some(ChainKeys {
                emitter: self.0.hash_one(chain.header.function.as_str()),
                root: self.0.hash_one(chain.header.root.as_str()),
            }),
            _ => None,
        }
    }
}

impl<T: Throttler, M: Metrics, N: Notifier> Guard<T, M, N> {
    /// Handles a parsed SQS batch whose records' `messageId`s are `ids` (by record position).
    pub(super) async fn handle_batch(
        &self,
        parsed: ParsedEvent,
        ids: Vec<RawMessageId<'_>>,
        now: Timestamp,
    ) -> Report {
        let Some(positions) = signal_positions(&parsed, ids.len()) else {
            // The parsers' answer does not line up with the records: count everything, and fail
            // the whole batch on a retryable failure, as before partial responses.
            let mut report = self.handle_parsed_with(parsed, Vec::new(), now).await.0;
            let all = if report.needs_retry() { ids } else { Vec::new() };
            report.batch_item_failures = Some(failures(all));
            return report;
        };
        let ParsedEvent { signals, rejected, calls } = parsed;
        let ids: Vec<Option<RawMessageId<'_>>> = positions.iter().map(|&p| ids.get(p).copied()).collect();
        let seen = self.seen.check_all(ids.iter().map(|id| id.map(RawMessageId::as_written)), now);
        let keyer = ChainKeyer::default();
        let mut delivered = Vec::with_capacity(signals.len());
        let mut fresh = Vec::with_capacity(signals.len());
        let mut retries = Vec::new();
        for ((signal, id), seen) in signals.into_iter().zip(ids).zip(seen) {
            let chain = keyer.of(&signal);
            let (counted, earlier) = match seen {
                Seen::New => (true, Vec::new()),
                Seen::Again(earlier) => (false, earlier),
            };
            retries.extend(earlier.iter().cloned());
            if counted {
                fresh.push(signal);
            }
            delivered.push(Delivered { id, counted, chain, retries: earlier });
        }
        let duplicates = delivered.iter().filter(|d| !d.counted).count();
        let parsed = ParsedEvent { signals: fresh, rejected, calls };
        let (mut report, acted) = self.handle_parsed_with(parsed, retries, now).await;
        if duplicates > 0 {
            report.notes.push(format!("{duplicates} redelivered records not counted again"));
        }
        let failed: Vec<(FunctionName, Reason)> = report
            .decisions
            .iter()
            .zip(&acted)
            .filter(|(decision, _)| decision.retryable)
            .map(|(_, target)| target.clone())
            .collect();
        let mut failed_ids = Vec::new();
        let traced = trace(&mut delivered, &failed, &keyer);
        let remembered = delivered.iter().filter_map(|record| {
            let id = record.id?;
            let retry: Retries = if traced { record.retries.clone() } else { failed.clone() };
            if !retry.is_empty() {
                failed_ids.push(id);
            }
            Some((id.as_written(), retry))
        });
        self.seen.remember_all(remembered, now);
        report.batch_item_failures = Some(failures(failed_ids));
        report
    }
}

/// Gives each record the failed throttles it led to (its emitter's, or its root's); false when some
/// failed throttle led from no record of the batch.
fn trace(delivered: &mut [Delivered<'_>], failed: &[(FunctionName, Reason)], keyer: &ChainKeyer) -> bool {
    let mut traced = HashSet::new();
    let failed_keys: Vec<(u64, Option<u64>)> = failed
        .iter()
        .map(|(function, reason)| {
            (keyer.0.hash_one(function.as_str()), reason_root(reason).map(|root| keyer.0.hash_one(root)))
        })
        .collect();
    for record in delivered.iter_mut() {
        record.retries.clear();
        let Some(chain) = record.chain else { continue };
        for (index, ((function, reason), (emitter, root))) in failed.iter().zip(&failed_keys).enumerate() {
            if chain.emitter == *emitter || Some(chain.root) == *root {
                record.retries.push((function.clone(), reason.clone()));
                traced.insert(index);
            }
        }
    }
    traced.len() == failed.len()
}

fn reason_root(reason: &Reason) -> Option<&str> {
    match reason {
        Reason::Depth { root, .. } | Reason::ChainSize { root, .. } => Some(root.as_str()),
        _ => None,
    }
}

/// The record position of each signal: records yield one signal each unless rejected
/// (`Records[i]`), in order. `None` when the counts do not agree.
fn signal_positions(parsed: &ParsedEvent, records: usize) -> Option<Vec<usize>> {
    let rejected: HashSet<usize> = parsed
        .rejected
        .iter()
        .filter_map(|(location, _)| location.strip_prefix("Records[")?.strip_suffix(']')?.parse().ok())
        .collect();
    let positions: Vec<usize> = (0..records).filter(|i| !rejected.contains(i)).collect();
    let one_each = records == parsed.signals.len() + parsed.rejected.len();
    (one_each && positions.len() == parsed.signals.len() && rejected.len() == parsed.rejected.len())
        .then_some(positions)
}

fn failures(ids: Vec<RawMessageId<'_>>) -> Vec<BatchItemFailure> {
    let mut seen = HashSet::new();
    ids.into_iter()
        .filter(|id| seen.insert(id.as_written()))
        .filter_map(RawMessageId::text)
        .map(|item_identifier| BatchItemFailure { item_identifier })
        .collect()
}
