//! The replay loop: scan a batch of messages (held invisible while they are looked at), make every
//! message that is not to be replayed visible again, then send the batch back oldest first at the
//! rate, deleting each message only after Lambda accepted its invoke. A batch holds what the rate
//! sends within a few minutes, so a run killed outright hides nothing for long; a run that stops on
//! a failure makes the rest visible again at once, and a rerun continues where it stopped.

use std::collections::{HashMap, HashSet};
use std::io::IsTerminal as _;
use std::time::Duration;

use tokio::time::Instant;
use tracing::warn;

use crate::aws::LambdaThrottler;
use crate::aws::sqs::ParkedQueue;
use crate::name::FunctionName;
use crate::ports::PortError;
use crate::replay::{Decision, Filter, ParkedEvent, Rate, Received, Summary, message};

/// How long a scanned message stays hidden while the rest of its batch is scanned.
const SCAN_HOLD_SECS: u64 = 60;
/// How long a dry run hides what it has counted (it reads the whole queue before releasing).
const COUNT_HOLD_SECS: u64 = 300;
/// Most messages one scan looks at (others' messages included).
const SCAN_LIMIT: usize = 5_000;
/// Most messages a dry run counts.
const COUNT_LIMIT: usize = 10_000;
/// A batch whose hold has less than this left is hidden again before its next invoke.
const REHOLD_BELOW: Duration = Duration::from_secs(90);
/// Retries of a throttled or failed invoke after the SDK's own, waiting 1, 2, 4, 8, 16 s.
const INVOKE_RETRIES: u32 = 5;

/// One run over one queue for one function.
pub struct Replayer<'a> {
    /// The queue read.
    pub queue: ParkedQueue,
    /// Lambda.
    pub lambda: &'a LambdaThrottler,
    /// The function replayed to.
    pub function: FunctionName,
    /// The operator's filters.
    pub filter: Filter,
    /// The pace.
    pub rate: Rate,
    /// Print progress on standard error (a terminal, not `--json`).
    pub progress: bool,
}

#[derive(Default)]
struct Scan {
    replay: Vec<(Received, ParkedEvent)>,
    release: Vec<String>,
    full: bool,
}

impl Replayer<'_> {
    /// Whether progress goes to standard error: only on a terminal, and never with `--json`.
    pub fn wants_progress(json: bool) -> bool {
        !json && std::io::stderr().is_terminal()
    }

    /// `--dry-run`: counts what would replay, then makes every message visible again.
    pub async fn count(&self, summary: &mut Summary) {
        let mut seen = HashSet::new();
        let scan = self.scan(&mut seen, summary, usize::MAX, COUNT_LIMIT, COUNT_HOLD_SECS).await;
        let (scan, failed) = match scan {
            Ok(scan) => (scan, None),
            Err((scan, err)) => (scan, Some(err)),
        };
        for (_, event) in &scan.replay {
            summary.replayed(event);
        }
        if scan.full {
            summary.warnings.push(format!("counted the first {COUNT_LIMIT} messages only; more may remain"));
        }
        let mut all = scan.release;
        all.extend(scan.replay.into_iter().map(|(m, _)| m.receipt));
        self.release(&all, summary).await;
        summary.stopped = failed.map(|e| e.to_string());
    }

    /// Replays batch after batch until a scan finds nothing new to replay, or a call fails.
    pub async fn replay(&self, summary: &mut Summary) {
        let mut seen = HashSet::new();
        loop {
            let scan =
                self.scan(&mut seen, summary, self.rate.batch_size(), SCAN_LIMIT, SCAN_HOLD_SECS).await;
            let scan = match scan {
                Ok(scan) => scan,
                Err((scan, err)) => {
                    let mut all = scan.release;
                    all.extend(scan.replay.into_iter().map(|(m, _)| m.receipt));
                    self.release(&all, summary).await;
                    summary.stopped = Some(err.to_string());
                    return;
                }
            };
            self.release(&scan.release, summary).await;
            if scan.replay.is_empty() {
                return;
            }
            if let Err(err) = self.send(scan.replay, summary).await {
                summary.stopped = Some(err);
                return;
            }
        }
    }

    /// Sends one batch, oldest first, at the rate.
    async fn send(
        &self,
        mut batch: Vec<(Received, ParkedEvent)>,
        summary: &mut Summary,
    ) -> Result<(), String> {
        batch.sort_by_key(|(m, _)| (m.sent_at.is_none(), m.sent_at));
        let mut held_until = self.hold_rest(&batch, summary).await?;
        let mut next = Instant::now();
        for (i, (message, event)) in batch.iter().enumerate() {
            tokio::time::sleep_until(next).await;
            // Retries may have slowed the batch: keep what is left hidden until it is sent.
            if held_until.saturating_duration_since(Instant::now()) < REHOLD_BELOW {
                held_until = self.hold_rest(&batch[i..], summary).await?;
            }
            if let Err(err) = self.invoke(event).await {
                self.release(&receipts(&batch[i..]), summary).await;
                return Err(format!("{err} (nothing of this event was replayed)"));
            }
            summary.replayed(event);
            if let Err(err) = self.queue.delete(&message.receipt).await {
                self.release(&receipts(&batch[i + 1..]), summary).await;
                return Err(format!(
                    "{err}: message {} was replayed but is still in the queue, so a rerun replays it again",
                    message.id
                ));
            }
            if self.progress {
                eprint!("\rreplayed {} (batch {}/{})   ", summary.replayed, i + 1, batch.len());
            }
            // Never faster than the rate, even to catch up after a slow invoke.
            next = (next + self.rate.due(1)).max(Instant::now());
        }
        if self.progress {
            eprintln!();
        }
        Ok(())
    }

    /// Hides `rest` for as long as sending it takes at the rate; on failure releases it.
    async fn hold_rest(
        &self,
        rest: &[(Received, ParkedEvent)],
        summary: &mut Summary,
    ) -> Result<Instant, String> {
        let secs = self.rate.hold_secs(rest.len());
        let all = receipts(rest);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        match self.queue.hold(&refs, secs).await {
            Ok(()) => Ok(Instant::now() + Duration::from_secs(secs)),
            Err(err) => {
                self.release(&all, summary).await;
                Err(err.to_string())
            }
        }
    }

    /// One accepted invoke, retrying throttling and transient failures with growing waits.
    async fn invoke(&self, event: &ParkedEvent) -> Result<(), PortError> {
        let qualifier = event.function.as_ref().and_then(|(_, arn)| arn.qualifier.as_deref());
        let mut wait = Duration::from_secs(1);
        let mut retries = 0;
        loop {
            match self.lambda.invoke_event(&self.function, qualifier, &event.payload).await {
                Err(err) if err.retryable && retries < INVOKE_RETRIES => {
                    warn!(function = %self.function, error = %err, wait_secs = wait.as_secs(), "invoke not accepted; waiting");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                    retries += 1;
                }
                other => return other,
            }
        }
    }

    /// Receives until the batch is full, `limit` messages were looked at, or the queue shows no
    /// more; each message is decided once per run (`seen`), re-received ones keep their latest
    /// receipt. On a failed receive the partial scan comes back with the error, to be released.
    async fn scan(
        &self,
        seen: &mut HashSet<String>,
        summary: &mut Summary,
        want: usize,
        limit: usize,
        hold_secs: u64,
    ) -> Result<Scan, (Scan, PortError)> {
        let mut scan = Scan::default();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut examined = 0;
        while scan.replay.len() < want {
            if examined >= limit {
                scan.full = true;
                break;
            }
            let messages = match self.queue.receive(hold_secs).await {
                Ok(messages) if messages.is_empty() => break,
                Ok(messages) => messages,
                Err(err) => return Err((scan, err)),
            };
            for message in messages {
                examined += 1;
                if let Some(&at) = index.get(&message.id) {
                    scan.replay[at].0 = message;
                } else if !seen.insert(message.id.clone()) {
                    scan.release.push(message.receipt);
                } else {
                    self.decide(message, summary, &mut scan, &mut index);
                }
            }
        }
        Ok(scan)
    }

    fn decide(
        &self,
        message: Received,
        summary: &mut Summary,
        scan: &mut Scan,
        index: &mut HashMap<String, usize>,
    ) {
        match message::parse(&message) {
            Err(err) => {
                warn!(queue = %crate::sanitise::Plain(self.queue.arn()), message = %crate::sanitise::Plain(&message.id), error = %err, "left in the queue");
                summary.unreadable += 1;
                scan.release.push(message.receipt);
            }
            Ok(event) => match self.filter.decide(&self.function, &event, message.sent_at) {
                Decision::Replay => {
                    index.insert(message.id.clone(), scan.replay.len());
                    scan.replay.push((message, event));
                }
                other => {
                    summary.count(other);
                    scan.release.push(message.receipt);
                }
            },
        }
    }

    /// Makes messages visible again at once; a failure only delays them (their hold runs out).
    async fn release(&self, receipts: &[String], summary: &mut Summary) {
        let receipts: Vec<&str> = receipts.iter().map(String::as_str).collect();
        if let Err(err) = self.queue.hold(&receipts, 0).await {
            summary.warnings.push(format!(
                "could not make {} message(s) visible again ({err}); they return when their hold ends",
                receipts.len()
            ));
        }
    }
}

fn receipts(batch: &[(Received, ParkedEvent)]) -> Vec<String> {
    batch.iter().map(|(m, _)| m.receipt.clone()).collect()
}
