//! [`LambdaThrottler`]: the Lambda control plane behind [`Throttler`]: reserved concurrency, the
//! trip-record tags, and what the guard must know about a function (memory, architecture, where its
//! async events go while throttled). Every call names a validated [`FunctionName`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use aws_sdk_lambda::Client;
use aws_sdk_lambda::types::Architecture as SdkArchitecture;
use futures::{StreamExt, TryStreamExt};

use super::error::{Facts, invalid_response, port_error};
use super::kms::KmsRecordSigner;
use super::trip_tags::{self, read_guard_tags};
use crate::arn::FunctionArn;
use crate::name::FunctionName;
use crate::ports::{
    Architecture, CheckedRecord, EventSourceMapping, FailureTarget, FunctionState, InvokeConfig,
    MappingCeiling, MappingId, PortError, QueueFacts, ReenableMark, Reservation, Throttler, TripRecord,
    TrippedFunction, Unreadable, tags,
};

mod account;
mod invoke_config;
mod mappings;
mod operator;
mod records;
mod replay;
mod versions;

/// ListTags calls in flight at once while listing tripped functions: Lambda's control plane allows
/// about 15 requests a second per account, shared with everything else the account runs.
const LIST_TAGS_CONCURRENCY: usize = 4;

/// Lambda's default memory size, used if a configuration ever omits it.
const DEFAULT_MEMORY_MB: u32 = 128;

/// The Lambda adapter.
#[derive(Debug, Clone)]
pub struct LambdaThrottler {
    client: Client,
    /// Reads the queues of SQS mappings for the alert (`None`: a test's Lambda-only client).
    queues: Option<super::sqs::QueueReader>,
    /// Signs and checks trip records (`None`: no record key configured; records are written
    /// unsigned and none verifies).
    signer: Option<KmsRecordSigner>,
    /// Reads execution role ids (`None`: a test's Lambda-only client, which authenticates nobody).
    roles: Option<super::iam::RoleReader>,
    /// Reads the shard counts of the streams mappings poll (`None`: a test's Lambda-only client,
    /// whose stream ceilings stay unread).
    shards: Option<super::streams::ShardReader>,
    /// Each function's ARN once read (a name's ARN never changes in an account and region), so a
    /// trip reads the function's configuration once and its tag calls reuse the ARN.
    arns: Arc<Mutex<HashMap<FunctionName, String>>>,
}

/// ARNs remembered at most; past it the memory starts again (one more read each).
const MAX_ARNS: usize = 10_000;

/// What GetFunctionConfiguration tells the guard.
struct Configuration {
    arn: String,
    /// The execution role's ARN.
    role: Option<String>,
    memory_mb: u32,
    architecture: Architecture,
    dead_letter: Option<String>,
}

impl LambdaThrottler {
    /// Builds the adapter from the shared SDK configuration.
    pub fn new(config: &SdkConfig) -> Self {
        // Every Lambda call of the environment shares one control-plane budget.
        let mut lambda = aws_sdk_lambda::config::Builder::from(config);
        if let Some(http) = config.http_client() {
            lambda = lambda.http_client(super::budget::budgeted(http));
        }
        Self {
            client: Client::from_conf(lambda.build()),
            queues: Some(super::sqs::QueueReader::new(config)),
            signer: None,
            roles: Some(super::iam::RoleReader::new(config)),
            shards: Some(super::streams::ShardReader::new(config)),
            arns: Arc::default(),
        }
    }

    /// Wraps an existing client (tests inject mocked clients here).
    pub fn from_client(client: Client) -> Self {
        Self { client, queues: None, signer: None, roles: None, shards: None, arns: Arc::default() }
    }

    /// Signs the trip records this adapter writes, and checks those it reads, with `signer`.
    pub fn with_signer(mut self, signer: Option<KmsRecordSigner>) -> Self {
        self.signer = signer;
        self
    }

    async fn configuration(&self, function: &FunctionName) -> Result<Configuration, PortError> {
        const OP: &str = "GetFunctionConfiguration";
        let out = self
            .client
            .get_function_configuration()
            .function_name(function.as_str())
            .send()
            .await
            .map_err(|e| port_error(OP, function.as_str(), e))?;
        let arn = out
            .function_arn()
            .and_then(|a| own_arn(function, a))
            .ok_or_else(|| invalid_response(OP, function.as_str(), "response lacks this function's ARN"))?;
        self.remember_arn(function, &arn);
        let architecture = match out.architectures().first() {
            Some(SdkArchitecture::Arm64) => Architecture::Arm64,
            _ => Architecture::X86_64,
        };
        Ok(Configuration {
            arn,
            role: out.role().map(str::to_owned),
            memory_mb: out.memory_size().and_then(|m| u32::try_from(m).ok()).unwrap_or(DEFAULT_MEMORY_MB),
            architecture,
            dead_letter: out.dead_letter_config().and_then(|d| d.target_arn()).map(str::to_owned),
        })
    }

    /// The function's ARN: remembered, or read with its configuration.
    async fn arn(&self, function: &FunctionName) -> Result<String, PortError> {
        let known =
            self.arns.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(function).cloned();
        match known {
            Some(arn) => Ok(arn),
            None => Ok(self.configuration(function).await?.arn),
        }
    }

    fn remember_arn(&self, function: &FunctionName, arn: &str) {
        let mut arns = self.arns.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if arns.len() >= MAX_ARNS {
            arns.clear();
        }
        arns.insert(function.clone(), arn.to_owned());
    }

    async fn reservation(&self, function: &FunctionName) -> Result<Reservation, PortError> {
        let out = self
            .client
            .get_function_concurrency()
            .function_name(function.as_str())
            .send()
            .await
            .map_err(|e| port_error("GetFunctionConcurrency", function.as_str(), e))?;
        // Absent means "no reservation"; a negative value would be a service bug, read as absent.
        Ok(out.reserved_concurrent_executions().and_then(|n| u32::try_from(n).ok()))
    }

    async fn tags(&self, function: &str, arn: &str) -> Result<HashMap<String, String>, PortError> {
        let out = self
            .client
            .list_tags()
            .resource(arn)
            .send()
            .await
            .map_err(|e| port_error("ListTags", function, e))?;
        Ok(out.tags().cloned().unwrap_or_default())
    }

    /// The on-failure destination of the function's event-invoke config, if it has one.
    async fn on_failure_destination(&self, function: &FunctionName) -> Result<Option<String>, PortError> {
        Ok(self.read_invoke_config(function).await?.and_then(|c| c.on_failure))
    }

    async fn tag(
        &self,
        function: &FunctionName,
        arn: &str,
        pairs: &[(&str, String)],
    ) -> Result<(), PortError> {
        let request =
            pairs.iter().fold(self.client.tag_resource().resource(arn), |req, (k, v)| req.tags(*k, v));
        request.send().await.map_err(|e| port_error("TagResource", function.as_str(), e))?;
        Ok(())
    }

    /// Reads one listed function's tags and returns it when it carries a trip record or, without
    /// one, sits at reserved concurrency 0 (the guard may have throttled it without a record). A
    /// function that cannot be read (deleted since the listing, a denied read) is returned as
    /// unreadable: one such function never hides the others.
    async fn tripped(&self, name: String, arn: String) -> Result<Option<TrippedFunction>, PortError> {
        let valid = FunctionName::new(&name).ok().and_then(|f| own_arn(&f, &arn).map(|a| (f, a)));
        let Some((function, arn)) = valid else {
            tracing::warn!(function = %crate::sanitise::Plain(&name), "skipping a listed function with an unexpected name or ARN");
            return Ok(None);
        };
        Ok(self.read_tripped(&function, &arn).await.unwrap_or_else(|err| {
            tracing::warn!(function = %function, error = %err, "listed function not read");
            let unreadable = Some(Unreadable::from(&err));
            Some(TrippedFunction { function, record: None, reenable_started: None, unreadable })
        }))
    }

    async fn read_tripped(
        &self,
        function: &FunctionName,
        arn: &str,
    ) -> Result<Option<TrippedFunction>, PortError> {
        let function = function.clone();
        let read = read_guard_tags(&self.tags(function.as_str(), arn).await?);
        warn_problems(&function, &read.problems);
        let reenable_started =
            read.trip.as_ref().and(read.reenabled_at).filter(|_| read.active_trip().is_none());
        if let Some(record) = read.trip {
            let tripped =
                TrippedFunction { function, record: Some(record), reenable_started, unreadable: None };
            return Ok(Some(tripped));
        }
        let at_zero = self.reservation(&function).await? == Some(0);
        Ok(at_zero.then_some(TrippedFunction {
            function,
            record: None,
            reenable_started: None,
            unreadable: None,
        }))
    }
}

impl Throttler for LambdaThrottler {
    async fn function_state(&self, function: &FunctionName) -> Result<FunctionState, PortError> {
        let config = self.configuration(function).await?;
        let (reserved, all_tags, destination) = futures::join!(
            self.reservation(function),
            self.tags(function.as_str(), &config.arn),
            self.on_failure_destination(function),
        );
        let read = read_guard_tags(&all_tags?);
        warn_problems(function, &read.problems);
        let trip = self.verified_trip(function, &config.arn, &read).await;
        let failure_target = match (destination, config.dead_letter) {
            (Ok(Some(dest)), _) => FailureTarget::Destination(dest),
            (Ok(None), Some(dlq)) => FailureTarget::DeadLetter(dlq),
            (Ok(None), None) => FailureTarget::Dropped,
            // Only the alert needs it: an unreadable event-invoke config never stops a throttle.
            (Err(err), _) => {
                tracing::warn!(function = %function, error = %err, "event-invoke config unreadable");
                FailureTarget::Unknown
            }
        };
        Ok(FunctionState {
            function: function.clone(),
            reserved_concurrency: reserved?,
            exempt_tag: read.exempt,
            max_depth_tag: read.max_depth,
            trip,
            reenabled_at: read.reenabled_at,
            reenabled_by: read.reenabled_by,
            memory_mb: config.memory_mb,
            architecture: config.architecture,
            failure_target,
        })
    }

    async fn execution_role_id(&self, function: &FunctionName) -> Result<Option<String>, PortError> {
        let Some(roles) = &self.roles else { return Ok(None) };
        match self.configuration(function).await?.role {
            Some(role) => roles.role_id(&role).await,
            None => Ok(None),
        }
    }

    async fn trusts_alarms(&self, function: &FunctionName) -> Result<bool, PortError> {
        let arn = self.arn(function).await?;
        let tags = self.tags(function.as_str(), &arn).await?;
        Ok(tags.get(tags::TRUST_ALARMS).is_some_and(|v| v.trim().eq_ignore_ascii_case("true")))
    }

    async fn event_invoke_config(&self, function: &FunctionName) -> Result<Option<InvokeConfig>, PortError> {
        self.read_invoke_config(function).await
    }

    async fn set_event_invoke_config(
        &self,
        function: &FunctionName,
        config: Option<&InvokeConfig>,
    ) -> Result<(), PortError> {
        self.write_invoke_config(function, config).await
    }

    async fn write_trip_record(&self, function: &FunctionName, record: &TripRecord) -> Result<(), PortError> {
        self.write_record(function, record).await
    }

    async fn trip_record(&self, function: &FunctionName) -> Result<Option<CheckedRecord>, PortError> {
        let arn = self.arn(function).await?;
        let read = read_guard_tags(&self.tags(function.as_str(), &arn).await?);
        warn_problems(function, &read.problems);
        Ok(self.checked(&arn, &read).await)
    }

    async fn reserved_concurrency(&self, function: &FunctionName) -> Result<Reservation, PortError> {
        self.reservation(function).await
    }

    async fn mapping_belongs(&self, function: &FunctionName, mapping: &MappingId) -> Result<bool, PortError> {
        operator::mapping_belongs(&self.client, function, mapping).await
    }

    async fn set_reserved_concurrency(
        &self,
        function: &FunctionName,
        value: Reservation,
    ) -> Result<(), PortError> {
        match value {
            Some(n) => {
                let n = i32::try_from(n).map_err(|_| {
                    invalid_response("PutFunctionConcurrency", function.as_str(), "concurrency out of range")
                })?;
                self.client
                    .put_function_concurrency()
                    .function_name(function.as_str())
                    .reserved_concurrent_executions(n)
                    .send()
                    .await
                    .map_err(|e| port_error("PutFunctionConcurrency", function.as_str(), e))?;
            }
            None => operator::remove_reservation(&self.client, function).await?,
        }
        Ok(())
    }

    async fn record_drift(&self, function: &FunctionName, note: &str) -> Result<(), PortError> {
        let arn = self.arn(function).await?;
        self.tag(function, &arn, &[(crate::ports::tags::DRIFT, note.to_owned())]).await
    }

    async fn drift_note(&self, function: &FunctionName) -> Result<Option<String>, PortError> {
        let arn = self.arn(function).await?;
        Ok(self.tags(function.as_str(), &arn).await?.remove(crate::ports::tags::DRIFT))
    }

    async fn mark_reenabling(&self, function: &FunctionName, mark: &ReenableMark) -> Result<(), PortError> {
        let arn = self.arn(function).await?;
        self.tag(function, &arn, &trip_tags::reenable_tags(mark)).await
    }

    async fn clear_trip_record(&self, function: &FunctionName, mark: &ReenableMark) -> Result<(), PortError> {
        let arn = self.arn(function).await?;
        self.tag(function, &arn, &trip_tags::reenable_tags(mark)).await?;
        trip_tags::all_record_keys()
            .fold(self.client.untag_resource().resource(&arn), |req, key| req.tag_keys(key))
            .send()
            .await
            .map_err(|e| port_error("UntagResource", function.as_str(), e))?;
        Ok(())
    }

    async fn mark_alerted(&self, function: &FunctionName) -> Result<(), PortError> {
        let arn = self.arn(function).await?;
        self.client
            .untag_resource()
            .resource(&arn)
            .tag_keys(tags::ALERT_PENDING)
            .send()
            .await
            .map_err(|e| port_error("UntagResource", function.as_str(), e))?;
        Ok(())
    }

    async fn list_tripped(&self) -> Result<Vec<TrippedFunction>, PortError> {
        let listed = operator::functions(&self.client).await?;
        let mut tripped: Vec<TrippedFunction> = futures::stream::iter(listed)
            .map(|(name, arn)| self.tripped(name, arn))
            .buffer_unordered(LIST_TAGS_CONCURRENCY)
            .try_filter_map(|t| async move { Ok(t) })
            .try_collect()
            .await?;
        tripped.sort_by(|a, b| a.function.cmp(&b.function));
        Ok(tripped)
    }

    async fn depth_limit_tag(&self, function: &FunctionName) -> Result<Option<u32>, PortError> {
        let arn = self.arn(function).await?;
        Ok(read_guard_tags(&self.tags(function.as_str(), &arn).await?).max_depth)
    }

    async fn trip_in_force(&self, function: &FunctionName) -> Result<bool, PortError> {
        let arn = self.arn(function).await?;
        let read = read_guard_tags(&self.tags(function.as_str(), &arn).await?);
        if read.active_trip().is_none() {
            return Ok(false);
        }
        Ok(self.verified_trip(function, &arn, &read).await.is_some())
    }

    async fn traffic_memory_mb(&self, function: &FunctionName) -> Result<Option<u32>, PortError> {
        versions::traffic_memory_mb(&self.client, function).await
    }

    async fn queue_facts(&self, queue_arn: &str) -> Result<Option<QueueFacts>, PortError> {
        match &self.queues {
            Some(queues) => queues.facts(queue_arn).await.map(Some),
            None => Ok(None),
        }
    }

    async fn event_source_mappings(
        &self,
        function: &FunctionName,
    ) -> Result<Vec<EventSourceMapping>, PortError> {
        mappings::list(&self.client, function).await
    }

    async fn polled_queues(&self, function: &FunctionName) -> Result<Vec<crate::name::QueueName>, PortError> {
        mappings::polled_queues(&self.client, function).await
    }

    async fn mapping_ceilings(&self, function: &FunctionName) -> Result<Vec<MappingCeiling>, PortError> {
        mappings::ceilings(&self.client, self.shards.as_ref(), function).await
    }

    async fn set_mapping_enabled(
        &self,
        function: &FunctionName,
        mapping: &MappingId,
        enabled: bool,
    ) -> Result<(), PortError> {
        mappings::set_enabled(&self.client, function, mapping, enabled).await
    }

    async fn unreserved_concurrency(&self) -> Result<Option<u32>, PortError> {
        account::unreserved_concurrency(&self.client).await
    }
}

/// The unqualified ARN, when `arn` is a well-formed Lambda function ARN naming `function` itself:
/// the guard only ever tags the function it was asked about (tags can't be put on a version or
/// alias ARN, so the qualifier goes).
fn own_arn(function: &FunctionName, arn: &str) -> Option<String> {
    FunctionArn::parse(arn).ok().filter(|arn| arn.function == *function).map(|arn| arn.unqualified())
}

fn is_missing_api(facts: &Facts) -> bool {
    facts.code.is_none() && facts.status == Some(404)
}

fn warn_problems(function: &FunctionName, problems: &[&'static str]) {
    for tag in problems {
        tracing::warn!(function = %function, tag = *tag, "unreadable guard tag value; using a safe default");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_functions_own_arn_is_used() {
        let orders = FunctionName::new("orders").unwrap();
        let base = "arn:aws:lambda:us-east-1:123456789012:function:orders";
        assert_eq!(own_arn(&orders, &format!("{base}:live")).as_deref(), Some(base));
        assert_eq!(own_arn(&orders, "arn:aws:lambda:us-east-1:123456789012:function:payments"), None);
        assert_eq!(own_arn(&orders, "orders"), None);
        assert_eq!(own_arn(&orders, "arn:aws:s3:::orders"), None);
    }
}
