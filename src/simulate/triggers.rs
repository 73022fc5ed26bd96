//! Triggers between functions: what an invocation emits when it completes, how long each service
//! takes to deliver it, and what happens to events that meet a throttled function. A synchronous
//! call is made when the caller's own work ends, and the caller waits for it (`waits`).
//!
//! Semantics at reserved concurrency 0 (AWS docs): async events (EventBridge, SNS, S3, async invoke)
//! go to the DLQ / on-failure destination without retries, or are dropped (a guard trip gives a
//! function with neither the guard's parking queue as its destination: parked, not lost); SQS messages return to the
//! queue after the visibility timeout and move to the queue's DLQ after `maxReceiveCount` receives
//! (a queue without a DLQ keeps them until their retention ends), unless the queue's mapping is
//! disabled: then nothing receives them and they stay. Under an ordinary concurrency limit, async
//! events wait in Lambda's internal queue for up to the maximum event age (6 h), then go to the DLQ
//! or destination (or are dropped); SQS messages simply stay in the queue. Streams: `streams`.

use super::cohort::Cohort;
use super::engine::{Engine, Event};
use super::lost::Fate;
use super::model::{Dest, Kind, TICKS_PER_SEC};
use super::rng::Stream;

/// Lambda's default maximum age of an async event, in ticks (6 h).
pub(crate) const MAX_EVENT_AGE_TICKS: u32 = 6 * 3_600 * TICKS_PER_SEC;

/// How many of a queue's newest entries an arriving cohort may merge into (merged mode).
const MERGE_WINDOW: usize = 32;

/// Delivery latency range of each trigger, in ticks (documented typical figures, rounded).
pub(crate) fn latency_range(kind: Kind) -> (u32, u32) {
    match kind {
        Kind::EventBridge => (3, 7),
        Kind::Sns => (1, 3),
        Kind::S3 => (5, 15),
        Kind::Async => (1, 2),
        Kind::Sync => (1, 1),
        Kind::Sqs => (1, 5),
        Kind::DynamoDb => (1, 5),
        Kind::Kinesis => (2, 10),
    }
}

impl Engine<'_> {
    /// `invocations` of `f` handling `cohort` completed their own work: emit on every active
    /// route. Returns the id of the wait its synchronous calls opened for them (0: none made, they
    /// return now).
    pub(super) fn emit(&mut self, f: usize, invocations: u32, cohort: Cohort) -> u32 {
        let model = self.model;
        let mut wait = 0;
        for &r in &model.functions[f].routes {
            let route = &model.routes[r];
            if route.incident && !self.incident_active() {
                continue;
            }
            let delay_secs = match &route.backoff {
                Some(b) if u32::from(cohort.depth) >= b.max_attempts => continue,
                Some(b) => {
                    b.base_secs.saturating_mul(1 << (cohort.depth.saturating_sub(1)).min(20)).min(b.max_secs)
                }
                None => route.delay_ticks / TICKS_PER_SEC,
            };
            let Some(mut out) = self.thin(r, cohort) else { continue };
            self.charge_service(f, route.kind, out.total());
            out.depth = cohort.depth.saturating_add(1);
            out.receives = 0;
            out.born = self.tick;
            out.runaway = cohort.runaway || route.incident;
            if model.functions[f].guarded {
                out.hops = cohort.hops.saturating_add(1);
                self.report_chain(f, out, cohort.hops);
            } else {
                // An unguarded emitter sends no header: the receiver starts new chains, while the
                // request's real depth (its retry count, Lambda's lineage) carries on.
                let (depth, runaway) = (out.depth, out.runaway);
                out = Cohort { depth, runaway, ..self.new_roots(out.total()) };
            }
            if self.merged {
                out = out.anonymous(self.model.depth_cap);
            }
            // Only a synchronous call without backoff, whose caller waits for it, keeps it waiting.
            out.wait = 0;
            if route.kind == Kind::Sync && route.backoff.is_none() && route.waits {
                if wait == 0 {
                    wait = self.waits.open(f, u64::from(invocations), cohort.wait, self.tick);
                }
                self.waits.add_calls(wait, out.total());
                out.wait = wait;
            }
            let (lo, hi) = latency_range(route.kind);
            let latency = self.rng.between(Stream::Latency, r as u64, u64::from(self.tick), lo, hi);
            let (dest, kind) = (route.dest, route.kind);
            self.schedule(latency + delay_secs * TICKS_PER_SEC, Event::Arrive { dest, kind, cohort: out });
        }
        wait
    }

    /// Bills `n` events of `kind` emitted by `f` to `f` (the leaked dollars) and to the account.
    fn charge_service(&mut self, f: usize, kind: Kind, n: u64) {
        let usd = n as f64 * super::services::usd_per_event(kind);
        if usd > 0.0 {
            let second = (self.tick / TICKS_PER_SEC) as usize;
            self.series.add(f, second, 0, usd);
            self.account.lock().cloudwatch.charge(usd);
        }
    }

    /// Scales a cohort by the route's events-per-invocation, carrying fractions between ticks.
    fn thin(&mut self, r: usize, cohort: Cohort) -> Option<Cohort> {
        let p = self.model.routes[r].per_invocation;
        if p.fract() == 0.0 {
            let per_root = cohort.per_root * p as u64;
            return (per_root > 0).then_some(Cohort { per_root, ..cohort });
        }
        let exact = cohort.total() as f64 * p + self.route_acc[r];
        let n = exact.floor();
        self.route_acc[r] = exact - n;
        let n = n as u64;
        if n == 0 {
            return None;
        }
        if cohort.per_root == 1 && n <= u64::from(cohort.roots) {
            return Some(Cohort { roots: n as u32, ..cohort });
        }
        Some(Cohort { roots: 1, per_root: n, ..cohort })
    }

    /// `n` fresh chains (organic events), one event each.
    pub(super) fn new_roots(&mut self, n: u64) -> Cohort {
        let roots = n.min(u64::from(u32::MAX - self.next_root)) as u32;
        let c = Cohort {
            first_root: self.next_root,
            roots,
            per_root: 1,
            depth: 1,
            hops: 1,
            receives: 0,
            born: self.tick,
            runaway: false,
            wait: 0,
        };
        self.next_root += roots;
        if self.merged { c.anonymous(self.model.depth_cap) } else { c }
    }

    /// An event reaches its destination.
    pub(super) fn arrive(&mut self, dest: Dest, kind: Kind, cohort: Cohort) {
        // Lambda's loop detection does not follow synchronous invokes.
        if let (Dest::Function(f), Kind::Sync) = (dest, kind) {
            return self.arrive_sync(f, cohort);
        }
        if self.mechanism.lambda_detection_on() && self.lambda_detection_drops(dest, kind, &cohort) {
            return;
        }
        let queue = match dest {
            Dest::Function(f) => {
                self.runtime[f].arrived += cohort.total();
                self.account.lock().cloudwatch.async_events(f, cohort.total());
                &mut self.runtime[f].backlog
            }
            Dest::Queue(q) => {
                self.account.lock().cloudwatch.queue_sent(q, cohort.total());
                &mut self.queues[q]
            }
            Dest::Stream(s) => return self.arrive_stream(s, cohort),
        };
        // Merged mode: fold into a recent entry of the same depth and minute. Reordering events of
        // the same minute is invisible to every peer rule, and it keeps the queue a few entries long.
        let recent = queue.len().saturating_sub(MERGE_WINDOW);
        match queue.range_mut(recent..).rev().find(|c| self.merged && c.merges_with(&cohort)) {
            Some(entry) => entry.per_root += cohort.total(),
            None => queue.push_back(cohort),
        }
    }

    /// `f` is at reserved concurrency 0: fail its async backlog, bounce the messages of the queues
    /// whose mappings are enabled, and block its streams' shards.
    pub(super) fn reject_all(&mut self, f: usize) {
        // Counted below as failed (and throttled), not as first attempts.
        self.runtime[f].arrived = 0;
        let model = self.model;
        let by_mechanism = self.throttled_by_mechanism[f];
        let fate = Fate::of_async_parked(&model.functions[f].failure, self.parked[f]);
        let mut throttles = 0;
        for c in std::mem::take(&mut self.runtime[f].backlog) {
            throttles += c.total();
            self.fail_async(f, &c, by_mechanism, fate);
        }
        for &qi in &model.functions[f].queues {
            if self.mappings.queue_paused[qi] {
                continue;
            }
            let q = &model.queues[qi];
            let batch = u64::from(q.batch_size);
            while let Some(mut c) = self.queues[qi].pop_front() {
                throttles += c.total().div_ceil(batch);
                c.receives = c.receives.saturating_add(1);
                let expired = self.tick.saturating_sub(c.born) >= q.retention_ticks;
                if expired || (q.dlq && u32::from(c.receives) >= q.max_receive_count) {
                    let fate = if expired { Fate::Dropped } else { Fate::SqsDlq };
                    self.lost.add(c.runaway, by_mechanism, fate, c.total());
                } else {
                    self.schedule(q.visibility_ticks, Event::Reappear { queue: qi, cohort: c });
                }
            }
        }
        throttles += self.block_streams(f);
        if throttles > 0 {
            self.account.lock().cloudwatch.throttles(f, throttles);
        }
    }

    /// Fails an async cohort of `f` to `fate`: lost, or parked for the replay.
    fn fail_async(&mut self, f: usize, cohort: &Cohort, by_mechanism: bool, fate: Fate) {
        if fate == Fate::Parked {
            self.parked_events[f].add(cohort, self.depth_limit);
        }
        self.lost.add(cohort.runaway, by_mechanism, fate, cohort.total());
    }

    /// Fails async events older than the maximum event age in `f`'s backlog (to its DLQ or
    /// destination, or dropped).
    pub(super) fn expire_backlog(&mut self, f: usize) {
        let tick = self.tick;
        while let Some(c) = self.runtime[f].backlog.front() {
            if tick.saturating_sub(c.born) < MAX_EVENT_AGE_TICKS {
                break;
            }
            let c = *c;
            let fate = Fate::of_async_parked(&self.model.functions[f].failure, self.parked[f]);
            self.fail_async(f, &c, false, fate);
            self.runtime[f].backlog.pop_front();
        }
    }

    /// Drops the messages at the front of `f`'s queues that are past their retention. Messages
    /// mostly sit in arrival order, so the front is where they expire.
    pub(super) fn expire_queues(&mut self, f: usize) {
        let model = self.model;
        for &qi in &model.functions[f].queues {
            let retention = model.queues[qi].retention_ticks;
            let by_mechanism = self.throttled_by_mechanism[f] || self.mappings.queue_paused[qi];
            while let Some(c) = self.queues[qi].front() {
                if self.tick.saturating_sub(c.born) < retention {
                    break;
                }
                self.lost.add(c.runaway, by_mechanism, Fate::Dropped, c.total());
                self.queues[qi].pop_front();
            }
        }
    }
}
