//! Event source mappings (SQS queues and streams → their consumer) and what a trip does to them.
//!
//! The guard's trip disables each enabled mapping of the function it throttles
//! (`UpdateEventSourceMapping Enabled=false`) before setting its reserved concurrency to 0, and
//! re-enabling restores them. Here that is what a throttle by the guard does to the simulated
//! account: while a mapping is disabled nothing polls its queue or stream, so messages stay in the
//! queue with no receive counted (none reaches the DLQ because of the trip) and shards keep their
//! position until the records' retention ends. The billing kill switch only throttles.

use super::engine::Engine;
use super::model::Model;

/// Which mappings are disabled now.
#[derive(Debug, Clone, Default)]
pub(crate) struct Mappings {
    /// Per queue: its mapping is disabled.
    pub queue_paused: Vec<bool>,
    /// Per stream: its mapping is disabled.
    pub stream_paused: Vec<bool>,
    /// Mappings disabled by trips so far (each counted once per disable).
    pub paused_total: u32,
}

impl Mappings {
    /// Every mapping of `model` enabled.
    pub(crate) fn new(model: &Model) -> Self {
        Self {
            queue_paused: vec![false; model.queues.len()],
            stream_paused: vec![false; model.streams.len()],
            paused_total: 0,
        }
    }

    /// Disables (`paused`) or re-enables every mapping consuming into function `f`.
    pub(crate) fn set_for(&mut self, model: &Model, f: usize, paused: bool) {
        let func = &model.functions[f];
        let mut newly = 0;
        let mut set = |flag: &mut bool| {
            newly += u32::from(paused && !*flag);
            *flag = paused;
        };
        func.queues.iter().for_each(|&q| set(&mut self.queue_paused[q]));
        func.streams.iter().for_each(|&s| set(&mut self.stream_paused[s]));
        self.paused_total += newly;
    }
}

impl Engine<'_> {
    /// A guard trip (`Some(0)`) or re-enable (anything else) of `f`, applied to its mappings when
    /// this run pauses them, and to its async events' destination when it parks them (a re-enable
    /// restores the function's own configuration).
    pub(super) fn on_guard_change(&mut self, f: usize, tripped: bool) {
        self.throttled_by_mechanism[f] = tripped;
        self.parked[f] = tripped && self.park_on_trip;
        if self.pause_on_trip {
            self.mappings.set_for(self.model, f, tripped);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::engine::tests::engine_for;
    use crate::simulate::parse_scenario;

    /// A worker fed 10 messages/s by a queue with a DLQ after 2 receives.
    fn queue_model() -> Model {
        let json = r#"{"name": "q", "horizon_secs": 120,
            "functions": [{"name": "w", "memory_mb": 128, "duration_ms": 100}],
            "queues": [{"name": "jobs", "consumer": "w", "visibility_timeout_secs": 5, "max_receive_count": 2}],
            "traffic": [{"to": {"sqs": "jobs"}, "rate_per_sec": 10}]}"#;
        let scenario = parse_scenario(json, "q").expect("parses");
        Model::compile(&scenario, &crate::config::Prices::default()).expect("compiles")
    }

    #[test]
    fn a_paused_queue_keeps_its_messages_and_a_throttle_alone_dead_letters_them() {
        let model = queue_model();
        let run = |pause: bool| {
            let mut engine = engine_for(&model);
            engine.pause_on_trip = pause;
            engine.reserved[0] = Some(0);
            engine.on_guard_change(0, true);
            engine.run()
        };
        let paused = run(true);
        assert_eq!(paused.lost.total(), 0, "{:?}", paused.lost);
        assert!((900..=1_500).contains(&paused.lost.held_at_end.organic), "{:?}", paused.lost);
        assert_eq!(paused.mappings_paused, 1);
        let throttles: u64 = paused.minutes.iter().flat_map(|m| &m.functions).map(|f| f.throttles).sum();
        assert_eq!(throttles, 0, "no receive, no throttle");
        let throttled = run(false);
        assert!(throttled.lost.organic_by_mechanism.sqs_dlq > 900, "{:?}", throttled.lost);
        assert_eq!(throttled.mappings_paused, 0);
    }

    /// A function fed 10 async events/s (EventBridge), with neither DLQ nor destination unless `own`.
    fn async_model(own: bool) -> Model {
        let failure = if own { r#", "failure_target": "destination""# } else { "" };
        let json = format!(
            r#"{{"name": "a", "horizon_secs": 120,
            "functions": [{{"name": "w", "memory_mb": 128, "duration_ms": 100{failure}}}],
            "traffic": [{{"to": {{"eventbridge": "w"}}, "rate_per_sec": 10}}]}}"#
        );
        let scenario = parse_scenario(&json, "a").expect("parses");
        Model::compile(&scenario, &crate::config::Prices::default()).expect("compiles")
    }

    #[test]
    fn a_guard_trip_parks_async_events_that_a_bare_throttle_drops() {
        let run = |model: &Model, park: bool| {
            let mut engine = engine_for(model);
            engine.park_on_trip = park;
            engine.reserved[0] = Some(0);
            engine.on_guard_change(0, true);
            engine.run()
        };
        let parked = run(&async_model(false), true);
        assert_eq!(parked.lost.total(), 0, "{:?}", parked.lost);
        assert!((1_000..=1_400).contains(&parked.lost.parked.organic), "{:?}", parked.lost);
        let dropped = run(&async_model(false), false);
        assert_eq!(dropped.lost.parked.total(), 0);
        assert_eq!(dropped.lost.organic_by_mechanism.dropped, parked.lost.parked.organic);
        let own = run(&async_model(true), true);
        assert_eq!(own.lost.parked.total(), 0, "a function's own destination is kept");
        assert_eq!(own.lost.organic_by_mechanism.async_dlq, parked.lost.parked.organic);
    }

    #[test]
    fn a_trip_disables_only_the_tripped_functions_mappings() {
        let json = r#"{"name": "m", "functions": [
                {"name": "a", "memory_mb": 128, "duration_ms": 10},
                {"name": "b", "memory_mb": 128, "duration_ms": 10}],
            "queues": [{"name": "qa", "consumer": "a"}, {"name": "qb", "consumer": "b"}],
            "streams": [{"name": "t", "source": "dynamodb", "consumer": "a"}]}"#;
        let scenario = parse_scenario(json, "m").expect("parses");
        let model = Model::compile(&scenario, &crate::config::Prices::default()).expect("compiles");
        let mut m = Mappings::new(&model);
        m.set_for(&model, 0, true);
        assert_eq!(
            (m.queue_paused.clone(), m.stream_paused.clone(), m.paused_total),
            (vec![true, false], vec![true], 2)
        );
        m.set_for(&model, 0, true);
        assert_eq!(m.paused_total, 2, "already disabled: not counted again");
        m.set_for(&model, 0, false);
        assert_eq!((m.queue_paused, m.stream_paused), (vec![false, false], vec![false]));
    }
}
