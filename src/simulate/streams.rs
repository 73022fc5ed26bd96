//! Stream triggers: DynamoDB Streams and Kinesis data streams read by an event source mapping.
//!
//! - Records are spread evenly over the stream's shards. Lambda polls each shard every 0.2 s for
//!   DynamoDB (four times a second in AWS) and every second for Kinesis.
//! - Each shard runs at most `parallelization_factor` batches at once, each of at most
//!   `batch_size` records; the records a poll finds are spread over its free lanes (by partition
//!   key in AWS), one invocation per batch.
//! - A batch that cannot run (no concurrency, or the function at reserved concurrency 0) blocks
//!   its shard: nothing behind it runs, and each poll that finds it throttled counts one
//!   `Throttles`. Records are retried until they age out at the stream's retention (24 h for
//!   DynamoDB Streams), then dropped.
//! - A disabled mapping polls nothing and counts nothing; the shard keeps its position and its
//!   records until they age out.
//! - Lambda's loop detection does not cover either service.

use std::collections::VecDeque;

use super::cohort::Cohort;
use super::engine::{Engine, Event};
use super::lost::Fate;
use super::model::{Kind, Stream, TICKS_PER_SEC};

/// Ticks between two polls of a DynamoDB stream's shard.
const DYNAMODB_POLL_TICKS: u32 = 2;
/// Ticks between two polls of a Kinesis shard.
const KINESIS_POLL_TICKS: u32 = TICKS_PER_SEC;

/// One shard: its records in order and the batches it is running.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shard {
    pub records: VecDeque<Cohort>,
    pub busy: u32,
}

/// One stream's shards.
#[derive(Debug, Clone)]
pub(crate) struct StreamState {
    pub shards: Vec<Shard>,
    /// Shard the next arrival starts spreading at.
    next: u32,
}

impl StreamState {
    /// `stream` with empty shards.
    pub(crate) fn new(stream: &Stream) -> Self {
        Self { shards: vec![Shard::default(); stream.shards as usize], next: 0 }
    }

    /// Records waiting, organic and runaway.
    pub(crate) fn held(&self) -> (u64, u64) {
        let all = self.shards.iter().flat_map(|s| s.records.iter());
        all.fold((0, 0), |(o, r), c| if c.runaway { (o, r + c.total()) } else { (o + c.total(), r) })
    }
}

fn poll_ticks(stream: &Stream) -> u32 {
    match stream.kind {
        Kind::Kinesis => KINESIS_POLL_TICKS,
        _ => DYNAMODB_POLL_TICKS,
    }
}

/// `c` in at most `n` parts of (almost) equal size, keeping whole roots where there are enough.
fn spread(c: Cohort, n: u32) -> Vec<Cohort> {
    let share = |total: u64, k: u32| total / u64::from(n) + u64::from(u64::from(k) < total % u64::from(n));
    if c.roots >= n {
        let mut first = c.first_root;
        return (0..n)
            .map(|k| {
                let roots = share(u64::from(c.roots), k) as u32;
                let part = Cohort { first_root: first, roots, ..c };
                first += roots;
                part
            })
            .collect();
    }
    if c.roots == 1 {
        return (0..n)
            .map(|k| Cohort { per_root: share(c.per_root, k), ..c })
            .filter(|p| p.per_root > 0)
            .collect();
    }
    (0..c.roots).map(|k| Cohort { first_root: c.first_root + k, roots: 1, ..c }).collect()
}

impl Engine<'_> {
    /// Records reach stream `s`.
    pub(super) fn arrive_stream(&mut self, s: usize, cohort: Cohort) {
        let state = &mut self.streams[s];
        let n = state.shards.len() as u32;
        let start = state.next;
        state.next = (start + 1) % n;
        for (k, part) in spread(cohort, n).into_iter().enumerate() {
            let shard = &mut state.shards[((start + k as u32) % n) as usize];
            match shard.records.back_mut().filter(|b| self.merged && b.merges_with(&part)) {
                Some(last) => last.per_root += part.total(),
                None => shard.records.push_back(part),
            }
        }
    }

    /// Polls `f`'s enabled streams that are due and starts the batches concurrency allows.
    pub(super) fn serve_streams(&mut self, f: usize) {
        let model = self.model;
        for &si in &model.functions[f].streams {
            let stream = &model.streams[si];
            if self.mappings.stream_paused[si] || !self.tick.is_multiple_of(poll_ticks(stream)) {
                continue;
            }
            let mut throttled = 0;
            for shard in 0..stream.shards as usize {
                throttled += self.poll_shard(f, si, shard);
            }
            if throttled > 0 {
                self.account.lock().cloudwatch.throttles(f, throttled);
            }
        }
    }

    /// One poll of one shard; returns 1 when its next batch was throttled (no concurrency).
    fn poll_shard(&mut self, f: usize, si: usize, shard: usize) -> u64 {
        let stream = &self.model.streams[si];
        let (batch_size, lanes) = (u64::from(stream.batch_size), stream.parallelization);
        let state = &self.streams[si].shards[shard];
        let free_lanes = lanes.saturating_sub(state.busy);
        // What this poll can take at most: no need to count a long backlog to its end.
        let wanted = u64::from(free_lanes.max(1)) * batch_size;
        let mut waiting = 0;
        for c in &state.records {
            waiting += c.total();
            if waiting >= wanted {
                break;
            }
        }
        if waiting == 0 {
            return 0;
        }
        let capacity = self.free_capacity(f);
        let batches = u64::from(free_lanes.min(capacity)).min(waiting);
        if batches == 0 {
            return u64::from(free_lanes > 0);
        }
        let mut left = waiting.min(batches * batch_size);
        for b in 0..batches {
            let size = left.div_ceil(batches - b).min(batch_size);
            left -= size;
            self.start_batch(f, si, shard, size);
        }
        0
    }

    /// Takes `size` records off the front of a shard and runs them as one invocation.
    fn start_batch(&mut self, f: usize, si: usize, shard: usize, mut size: u64) {
        let mut invocations = 1;
        while size > 0 {
            let Some(cohort) = self.streams[si].shards[shard].records.pop_front() else { break };
            let (taken, rest) = cohort.split(size);
            for r in rest.into_iter().rev().flatten() {
                self.streams[si].shards[shard].records.push_front(r);
            }
            let Some(t) = taken else { break };
            size -= t.total();
            self.start(f, invocations, t);
            invocations = 0;
        }
        self.streams[si].shards[shard].busy += 1;
        let done = self.timing(f).duration_ticks;
        self.schedule(done, Event::LanesFree { stream: si, shard, lanes: 1 });
    }

    /// `f` is at reserved concurrency 0: each due poll of a shard of an enabled mapping with
    /// records is a throttled batch. Returns the throttles.
    pub(super) fn block_streams(&mut self, f: usize) -> u64 {
        let model = self.model;
        let mut throttled = 0;
        for &si in &model.functions[f].streams {
            if self.mappings.stream_paused[si] || !self.tick.is_multiple_of(poll_ticks(&model.streams[si])) {
                continue;
            }
            throttled += self.streams[si].shards.iter().filter(|s| !s.records.is_empty()).count() as u64;
        }
        throttled
    }

    /// Drops records past their stream's retention, once a second.
    pub(super) fn expire_streams(&mut self) {
        if !self.tick.is_multiple_of(TICKS_PER_SEC) {
            return;
        }
        let model = self.model;
        for (si, stream) in model.streams.iter().enumerate() {
            let f = stream.consumer;
            let by_mechanism = self.throttled_by_mechanism[f] || self.mappings.stream_paused[si];
            for shard in 0..self.streams[si].shards.len() {
                while let Some(c) = self.streams[si].shards[shard].records.front() {
                    if self.tick.saturating_sub(c.born) < stream.retention_ticks {
                        break;
                    }
                    let (runaway, n) = (c.runaway, c.total());
                    self.lost.add(runaway, by_mechanism, Fate::Dropped, n);
                    self.streams[si].shards[shard].records.pop_front();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::engine::tests::engine_for;
    use crate::simulate::model::Model;
    use crate::simulate::parse_scenario;

    /// A consumer of a Kinesis stream with `shards` shards, fed 20 records/s.
    fn stream_model(shards: u32, parallelization: u32) -> Model {
        let json = format!(
            r#"{{"name": "s", "horizon_secs": 60,
            "functions": [{{"name": "c", "memory_mb": 128, "duration_ms": 2000}}],
            "streams": [{{"name": "k", "source": "kinesis", "consumer": "c", "shards": {shards},
                          "batch_size": 10, "parallelization_factor": {parallelization}}}],
            "traffic": [{{"to": {{"kinesis": "k"}}, "rate_per_sec": 20}}]}}"#
        );
        let scenario = parse_scenario(&json, "s").expect("parses");
        Model::compile(&scenario, &crate::config::Prices::default()).expect("compiles")
    }

    fn invocations(out: &crate::simulate::engine::RunOutput) -> u64 {
        out.series.invocations.iter().sum()
    }

    #[test]
    fn shards_and_parallelization_bound_the_batches_in_flight() {
        // 2 s per batch, one poll a second: a shard with one lane runs a batch every 2 s at most.
        let one = engine_for(&stream_model(1, 1)).run();
        let wide = engine_for(&stream_model(2, 5)).run();
        assert!((25..=31).contains(&invocations(&one)), "{}", invocations(&one));
        assert!(
            invocations(&wide) > 3 * invocations(&one),
            "{} vs {}",
            invocations(&wide),
            invocations(&one)
        );
        assert!(one.lost.held_at_end.organic > 0, "records wait behind the busy lane");
        assert_eq!(one.lost.total(), 0);
    }

    #[test]
    fn a_throttled_consumer_blocks_its_shards_and_a_paused_one_counts_nothing() {
        let model = stream_model(2, 1);
        let run = |pause: bool| {
            let mut engine = engine_for(&model);
            engine.pause_on_trip = pause;
            engine.reserved[0] = Some(0);
            engine.on_guard_change(0, true);
            engine.run()
        };
        let throttles = |out: &crate::simulate::engine::RunOutput| -> u64 {
            out.minutes.iter().flat_map(|m| &m.functions).map(|f| f.throttles).sum()
        };
        let blocked = run(false);
        assert_eq!(invocations(&blocked), 0);
        assert!(throttles(&blocked) >= 100, "two shards, one poll a second: {}", throttles(&blocked));
        let paused = run(true);
        assert_eq!((invocations(&paused), throttles(&paused), paused.lost.total()), (0, 0, 0));
        // Nothing is lost within the retention: every record is still there.
        assert_eq!(blocked.lost.held_at_end, paused.lost.held_at_end);
        assert!(paused.lost.held_at_end.organic > 1_000);
    }

    #[test]
    fn records_age_out_at_the_retention_as_the_mechanisms_loss_when_it_holds_them() {
        let model = stream_model(1, 1);
        let mut engine = engine_for(&model);
        let record = |born| Cohort { born, ..cohort(3, 1) };
        engine.streams[0].shards[0].records.extend([record(0), record(50)]);
        engine.on_guard_change(0, true);
        engine.tick = model.streams[0].retention_ticks + 10;
        engine.expire_streams();
        assert_eq!(engine.lost.organic_by_mechanism.dropped, 3, "the first three aged out");
        assert_eq!(engine.streams[0].held(), (3, 0), "the younger records stay");
    }

    fn cohort(roots: u32, per_root: u64) -> Cohort {
        Cohort {
            first_root: 7,
            roots,
            per_root,
            depth: 1,
            hops: 1,
            receives: 0,
            born: 0,
            runaway: false,
            wait: 0,
        }
    }

    #[test]
    fn spreading_conserves_records_and_roots() {
        for (roots, per_root, n) in [(10, 1, 4), (1, 10, 4), (1, 2, 4), (3, 5, 4), (8, 3, 8)] {
            let parts = spread(cohort(roots, per_root), n);
            assert!(parts.len() <= n as usize);
            assert_eq!(parts.iter().map(Cohort::total).sum::<u64>(), u64::from(roots) * per_root);
            let sizes: Vec<u64> = parts.iter().map(Cohort::total).collect();
            if roots >= n || roots == 1 {
                let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
                assert!(hi - lo <= per_root.max(1), "{roots}x{per_root} over {n}: {sizes:?}");
            }
        }
        let parts = spread(cohort(10, 1), 4);
        let firsts: Vec<u32> = parts.iter().map(|p| p.first_root).collect();
        assert_eq!(firsts, vec![7, 10, 13, 15]);
    }
}
