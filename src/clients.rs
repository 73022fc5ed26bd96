//! The AWS clients, built once per process and shared by the handler and the CLI.

use crate::aws::{CloudWatchMetrics, LambdaThrottler, SnsNotifier, StsIdentity, load_sdk_config};
use crate::config::Config;
use crate::handler::Guard;
use crate::ports::{Alert, Identity, Notifier, PortError};

/// The guard's ports backed by AWS.
pub struct AwsPorts {
    /// Lambda control plane.
    pub throttler: LambdaThrottler,
    /// CloudWatch.
    pub metrics: CloudWatchMetrics,
    /// SNS (or nothing, when no topic is configured).
    pub notifier: TopicNotifier,
    /// STS.
    pub identity: StsIdentity,
    /// The region the clients talk to.
    pub region: Option<String>,
}

impl AwsPorts {
    /// Loads the shared SDK configuration (standard AWS environment) and builds every client.
    pub async fn load(topic_arn: Option<String>) -> Self {
        let sdk = load_sdk_config().await;
        Self {
            throttler: LambdaThrottler::new(&sdk),
            metrics: CloudWatchMetrics::new(&sdk),
            notifier: TopicNotifier(topic_arn.map(|topic| SnsNotifier::new(&sdk, topic))),
            identity: StsIdentity::new(&sdk),
            region: sdk.region().map(|r| r.to_string()),
        }
    }

    /// The guard wired to these ports. `account` names the account in alerts (Lambda mode learns
    /// it from its own ARN instead of spending an STS call at start-up).
    pub fn guard(
        self,
        config: Config,
        account: Option<String>,
    ) -> Guard<LambdaThrottler, CloudWatchMetrics, TopicNotifier> {
        let region = self.region;
        Guard::new(config, self.throttler, self.metrics, self.notifier).with_location(account, region)
    }

    /// The caller's account, for alerts sent from the CLI (`None` when STS is unreachable).
    pub async fn account(&self) -> Option<String> {
        self.identity.caller().await.ok().map(|caller| caller.account)
    }
}

/// SNS when `RUNAWAY_GUARD_TOPIC_ARN` is set; otherwise every publish fails loudly (never silently).
pub struct TopicNotifier(Option<SnsNotifier>);

impl Notifier for TopicNotifier {
    async fn publish(&self, alert: &Alert) -> Result<(), PortError> {
        match &self.0 {
            Some(sns) => sns.publish(alert).await,
            None => Err(PortError {
                operation: "Publish",
                target: "RUNAWAY_GUARD_TOPIC_ARN".to_owned(),
                message: "no alert topic configured; alert not sent".to_owned(),
                retryable: false,
                not_found: false,
                source: None,
            }),
        }
    }
}
