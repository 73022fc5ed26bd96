//! The built-in scenarios. Each is a `--scenario-file` JSON under `src/simulate/scenarios/`, compiled
//! in, so the files double as examples of the format.

use super::scenario::Scenario;
use super::{SimError, parse_scenario};

/// Name and JSON of every built-in scenario, runaways first.
const BUILT_IN: [(&str, &str); 37] = [
    ("eventbridge-loop", include_str!("scenarios/eventbridge-loop.json")),
    ("sns-fanout", include_str!("scenarios/sns-fanout.json")),
    ("sqs-loop", include_str!("scenarios/sqs-loop.json")),
    ("s3-loop", include_str!("scenarios/s3-loop.json")),
    ("billing-spike", include_str!("scenarios/billing-spike.json")),
    ("fresh-deploy-fanout", include_str!("scenarios/fresh-deploy-fanout.json")),
    ("dynamodb-stream-loop", include_str!("scenarios/dynamodb-stream-loop.json")),
    ("kinesis-loop-at-ceiling", include_str!("scenarios/kinesis-loop-at-ceiling.json")),
    ("fresh-pinned-loop", include_str!("scenarios/fresh-pinned-loop.json")),
    ("statement-requeue-loop", include_str!("scenarios/statement-requeue-loop.json")),
    ("slow-growth-loop", include_str!("scenarios/slow-growth-loop.json")),
    ("bounded-crawler-loop", include_str!("scenarios/bounded-crawler-loop.json")),
    ("slow-retry-loop", include_str!("scenarios/slow-retry-loop.json")),
    ("sync-recursion-loop", include_str!("scenarios/sync-recursion-loop.json")),
    ("sqs-loop-at-max-concurrency", include_str!("scenarios/sqs-loop-at-max-concurrency.json")),
    ("sqs-loop-over-the-floor", include_str!("scenarios/sqs-loop-over-the-floor.json")),
    ("sync-webhook-loop", include_str!("scenarios/sync-webhook-loop.json")),
    ("benign-surge", include_str!("scenarios/benign-surge.json")),
    ("benign-retry-backoff", include_str!("scenarios/benign-retry-backoff.json")),
    ("benign-cron-burst", include_str!("scenarios/benign-cron-burst.json")),
    ("benign-busy-steady", include_str!("scenarios/benign-busy-steady.json")),
    ("benign-flash-sale", include_str!("scenarios/benign-flash-sale.json")),
    ("benign-map-fanout", include_str!("scenarios/benign-map-fanout.json")),
    ("benign-nightly-export", include_str!("scenarios/benign-nightly-export.json")),
    ("benign-statement-day", include_str!("scenarios/benign-statement-day.json")),
    ("benign-partner-api-ceiling", include_str!("scenarios/benign-partner-api-ceiling.json")),
    ("benign-launch-step", include_str!("scenarios/benign-launch-step.json")),
    ("benign-flag-rollout", include_str!("scenarios/benign-flag-rollout.json")),
    ("benign-bounded-crawler", include_str!("scenarios/benign-bounded-crawler.json")),
    ("benign-slow-dependency", include_str!("scenarios/benign-slow-dependency.json")),
    ("benign-api-launch-sync", include_str!("scenarios/benign-api-launch-sync.json")),
    ("benign-sqs-backfill", include_str!("scenarios/benign-sqs-backfill.json")),
    ("benign-dlq-redrive", include_str!("scenarios/benign-dlq-redrive.json")),
    ("benign-job-overrun", include_str!("scenarios/benign-job-overrun.json")),
    ("benign-canary-rollout", include_str!("scenarios/benign-canary-rollout.json")),
    ("benign-batch-rerun", include_str!("scenarios/benign-batch-rerun.json")),
    ("benign-stream-launch", include_str!("scenarios/benign-stream-launch.json")),
];

/// Names of the built-in scenarios, in run order.
pub fn scenario_names() -> Vec<&'static str> {
    BUILT_IN.iter().map(|(name, _)| *name).collect()
}

/// The built-in scenario called `name`.
pub fn scenario(name: &str) -> Result<Scenario, SimError> {
    let (_, json) = BUILT_IN.iter().find(|(n, _)| *n == name).ok_or_else(|| SimError::UnknownScenario {
        name: name.to_owned(),
        known: scenario_names().join(", "),
    })?;
    parse_scenario(json, name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Prices;
    use crate::simulate::model::Model;

    #[test]
    fn every_built_in_parses_compiles_and_is_named_like_its_file() {
        for name in scenario_names() {
            let s = scenario(name).unwrap();
            assert_eq!(s.name, name);
            Model::compile(&s, &Prices::default()).unwrap();
            assert_eq!(s.benign, name.starts_with("benign-"), "{name}");
        }
        assert!(matches!(scenario("nope"), Err(SimError::UnknownScenario { .. })));
    }
}
