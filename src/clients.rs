//! The AWS clients, built once per process and shared by the handler and the CLI, and the CLI's
//! start-up checks: a region, usable credentials, and the account and partition they act on.

use std::sync::Arc;

use aws_config::SdkConfig;
use aws_sdk_lambda::config::ProvideCredentials;

use crate::aws::{
    CloudWatchMetrics, KmsRecordSigner, LambdaThrottler, SnsNotifier, StsIdentity, TripCapTables,
    load_sdk_config, load_sdk_config_in,
};
use crate::config::Config;
use crate::deployment::{Location, partition_of};
use crate::handler::Guard;
use crate::ports::{Alert, Identity, Notifier, PortError};

/// Why the CLI cannot start talking to AWS.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// No region in the environment or the profile.
    #[error("no region: set AWS_REGION (or `region` in the profile AWS_PROFILE names)")]
    NoRegion,
    /// No region, and `AWS_PROFILE` names a profile that gives none (or does not exist).
    #[error(
        "no region: AWS_PROFILE={0} gives none (is the profile in ~/.aws/config? `aws configure \
         list-profiles` lists them); set AWS_REGION or `region` in that profile"
    )]
    NoRegionInProfile(String),
    /// The credential chain found nothing usable.
    #[error(
        "no AWS credentials ({0}): set AWS_PROFILE (after `aws sso login` for SSO profiles), or \
         AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    )]
    NoCredentials(String),
    /// `AWS_PROFILE` names a profile that gives no usable credentials (or does not exist).
    #[error(
        "no AWS credentials from AWS_PROFILE={profile} ({cause}): is the profile in ~/.aws/config? \
         (`aws configure list-profiles` lists them; run `aws sso login --profile {profile}` for an SSO \
         profile)"
    )]
    NoProfileCredentials {
        /// The profile `AWS_PROFILE` names.
        profile: String,
        /// The credential chain's own words.
        cause: String,
    },
    /// STS did not say who the caller is.
    #[error("cannot tell which account these credentials act on: {0}")]
    Identity(#[source] PortError),
}

/// The CLI's AWS session: the shared SDK configuration and where it acts.
pub struct Session {
    /// The shared SDK configuration.
    pub sdk: SdkConfig,
    /// Account, region, partition and caller.
    pub location: Location,
}

impl Session {
    /// Loads the standard AWS environment and checks region, credentials and identity, in that
    /// order, so each failure is one line that says what to set.
    pub async fn open(region: Option<&str>) -> Result<Self, SetupError> {
        let sdk = load_sdk_config_in(region).await;
        // The SDK reads AWS_PROFILE; an error that does not name the profile sends the operator to look
        // for the wrong thing.
        let profile = std::env::var("AWS_PROFILE").ok().filter(|p| !p.trim().is_empty());
        let profile = profile.map(|p| crate::sanitise::one_line_max(&p, 64));
        let region = sdk.region().map(|r| r.to_string()).ok_or_else(|| match &profile {
            Some(profile) => SetupError::NoRegionInProfile(profile.clone()),
            None => SetupError::NoRegion,
        })?;
        let no_credentials = |cause: String| match &profile {
            Some(profile) => SetupError::NoProfileCredentials { profile: profile.clone(), cause },
            None => SetupError::NoCredentials(cause),
        };
        let provider = sdk.credentials_provider().ok_or_else(|| no_credentials("none configured".into()))?;
        if let Err(err) = provider.provide_credentials().await {
            return Err(no_credentials(crate::sanitise::one_line_max(&err.to_string(), 160)));
        }
        let caller = StsIdentity::new(&sdk).caller().await.map_err(SetupError::Identity)?;
        let location = Location {
            partition: partition_of(&caller.arn).unwrap_or("aws").to_owned(),
            account: caller.account,
            region,
            caller_arn: caller.arn,
        };
        Ok(Self { sdk, location })
    }
}

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
    /// DynamoDB, for the account-wide trip cap when `RUNAWAY_GUARD_TRIP_CAP_TABLE` names a table.
    pub trip_caps: TripCapTables,
    /// The region the clients talk to.
    pub region: Option<String>,
    /// The shared SDK configuration the clients were built from.
    sdk: SdkConfig,
}

impl AwsPorts {
    /// Loads the shared SDK configuration (standard AWS environment) and builds every client.
    pub async fn load(topic_arn: Option<String>) -> Self {
        Self::from_sdk(&load_sdk_config().await, topic_arn)
    }

    /// Builds every client from an SDK configuration already loaded.
    pub fn from_sdk(sdk: &SdkConfig, topic_arn: Option<String>) -> Self {
        let sdk = sdk.clone();
        Self {
            throttler: LambdaThrottler::new(&sdk),
            metrics: CloudWatchMetrics::new(&sdk),
            notifier: TopicNotifier(topic_arn.map(|topic| SnsNotifier::new(&sdk, topic))),
            identity: StsIdentity::new(&sdk),
            trip_caps: TripCapTables::new(&sdk),
            region: sdk.region().map(|r| r.to_string()),
            sdk,
        }
    }

    /// Signs and checks trip records with the KMS key `key` (`RUNAWAY_GUARD_RECORD_KEY_ARN`); with
    /// `None`, records are written unsigned and none verifies.
    pub fn with_record_key(mut self, key: Option<String>) -> Self {
        let signer = key.map(|key| KmsRecordSigner::new(&self.sdk, key));
        self.throttler = self.throttler.with_signer(signer);
        self
    }

    /// The guard wired to these ports. `account` names the account in alerts (Lambda mode learns
    /// it from its own ARN instead of spending an STS call at start-up). The trip cap is shared
    /// through DynamoDB when the configuration names a table.
    pub fn guard(
        self,
        config: Config,
        account: Option<String>,
    ) -> Guard<LambdaThrottler, CloudWatchMetrics, TopicNotifier> {
        let region = self.region;
        let budget = config.trip_cap_table.as_deref().map(|table| self.trip_caps.budget(table));
        let guard =
            Guard::new(config, self.throttler, self.metrics, self.notifier).with_location(account, region);
        match budget {
            Some(budget) => guard.with_trip_budget(Arc::new(budget)),
            None => guard,
        }
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
