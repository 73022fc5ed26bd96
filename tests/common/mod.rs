//! Shared setup for integration tests against moto server over HTTP, through the real SDK.
//!
//! `scripts/test.sh` starts moto on a free loopback port and exports `AWS_ENDPOINT_URL`, dummy
//! credentials and `AWS_REGION`. [`Moto::start`] serialises the tests of one binary (moto is one
//! shared account) and resets moto, so each test sees an empty account and can assert exact state.
#![allow(dead_code)] // each test binary uses a different subset of these helpers

pub mod fault_proxy;
pub mod guard;
pub mod lambda;

use std::collections::HashMap;

use aws_config::SdkConfig;
use aws_sdk_lambda::types::{
    Architecture, DeadLetterConfig, DestinationConfig, FunctionCode, OnFailure, Runtime,
};
use aws_smithy_types::Blob;
use tokio::sync::{Mutex, MutexGuard};

/// The role moto requires a function's `Role` to name (it checks that the role exists).
pub const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/x";
/// moto's default account.
pub const ACCOUNT: &str = "123456789012";
/// The alias of the HMAC key [`Moto::start`] creates for signing trip records; the binary gets it
/// as `RUNAWAY_GUARD_RECORD_KEY_ARN` (see `guard::Cli::new`), as the module passes it.
pub const RECORD_KEY_ARN: &str = "arn:aws:kms:us-east-1:123456789012:alias/runaway-guard-records";

/// Tests in one binary run on parallel threads; moto is one account they'd share.
static MOTO_LOCK: Mutex<()> = Mutex::const_new(());

/// An exclusive, freshly reset moto account for one test.
pub struct Moto {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// SDK configuration built exactly as the guard builds it (`load_sdk_config`).
    pub config: SdkConfig,
    _exclusive: MutexGuard<'static, ()>,
}

/// The moto endpoint from the environment; fails loudly (never skips) when it is missing, and refuses
/// anything but loopback so a stray `AWS_ENDPOINT_URL` can't point these tests at a real account.
pub fn endpoint() -> String {
    let Ok(endpoint) = std::env::var("AWS_ENDPOINT_URL") else {
        panic!(
            "AWS_ENDPOINT_URL is not set: run the integration tests through `scripts/test.sh`, which starts moto"
        );
    };
    assert!(
        endpoint.starts_with("http://127.0.0.1:") || endpoint.starts_with("http://localhost:"),
        "AWS_ENDPOINT_URL={endpoint} is not a loopback moto server; refusing to run mutating tests against it"
    );
    endpoint.trim_end_matches('/').to_owned()
}

impl Moto {
    /// Waits for exclusive use of moto, resets it, and creates the IAM role functions need.
    pub async fn start() -> Moto {
        let exclusive = MOTO_LOCK.lock().await;
        let endpoint = endpoint();
        ureq::post(format!("{endpoint}/moto-api/reset")).send_empty().expect("moto reset");
        create_role(&endpoint);
        let config = runaway_guard::aws::load_sdk_config().await;
        create_record_key(&config).await;
        Moto { endpoint, config, _exclusive: exclusive }
    }

    /// The guard's record signer, on the key every test account has.
    pub fn record_signer(&self) -> runaway_guard::aws::KmsRecordSigner {
        runaway_guard::aws::KmsRecordSigner::new(&self.config, RECORD_KEY_ARN)
    }

    /// The SDK configuration with every client sent to `url` (a fault proxy) instead of moto. Built
    /// afresh: a configuration loaded from the environment carries `AWS_ENDPOINT_URL` in its
    /// service config, which each client prefers over an `endpoint_url` set on a copy.
    pub fn config_via(&self, url: &str) -> SdkConfig {
        let mut builder =
            SdkConfig::builder().behavior_version(aws_config::BehaviorVersion::latest()).endpoint_url(url);
        builder.set_region(self.config.region().cloned());
        builder.set_credentials_provider(self.config.credentials_provider());
        builder.set_http_client(self.config.http_client());
        builder.set_retry_config(self.config.retry_config().cloned());
        builder.set_timeout_config(self.config.timeout_config().cloned());
        builder.set_sleep_impl(self.config.sleep_impl());
        builder.set_time_source(self.config.time_source());
        builder.build()
    }

    /// A raw Lambda client, for arranging state the guard's ports don't expose.
    pub fn lambda(&self) -> aws_sdk_lambda::Client {
        aws_sdk_lambda::Client::new(&self.config)
    }

    /// Creates a function (128 MB, x86_64, no DLQ) and returns its ARN.
    pub async fn create_function(&self, name: &str) -> String {
        self.create_function_with(name, FunctionSpec::default()).await
    }

    /// Deploys a guard function named `name` as the Terraform module does: tagged
    /// `runaway-guard:role=guard`, its environment naming `topic`, the trip-record key and `extra`.
    pub async fn deploy_guard(&self, name: &str, topic: &str, extra: &[(&str, &str)]) {
        let spec = FunctionSpec { tags: &[("runaway-guard:role", "guard")], ..FunctionSpec::default() };
        self.create_function_with(name, spec).await;
        let env = extra.iter().fold(
            aws_sdk_lambda::types::Environment::builder()
                .variables("RUNAWAY_GUARD_TOPIC_ARN", topic)
                .variables("RUNAWAY_GUARD_RECORD_KEY_ARN", RECORD_KEY_ARN),
            |env, (key, value)| env.variables(*key, *value),
        );
        self.lambda()
            .update_function_configuration()
            .function_name(name)
            .environment(env.build())
            .send()
            .await
            .expect("set the guard's environment");
    }

    /// Creates a function as `spec` describes and returns its ARN.
    pub async fn create_function_with(&self, name: &str, spec: FunctionSpec<'_>) -> String {
        let mut request = self
            .lambda()
            .create_function()
            .function_name(name)
            .runtime(Runtime::Providedal2023)
            .role(ROLE_ARN)
            .handler("bootstrap")
            .memory_size(spec.memory_mb)
            .architectures(if spec.arm64 { Architecture::Arm64 } else { Architecture::X8664 })
            .code(FunctionCode::builder().zip_file(Blob::new(EMPTY_ZIP.to_vec())).build());
        if let Some(dlq) = spec.dlq {
            request = request.dead_letter_config(DeadLetterConfig::builder().target_arn(dlq).build());
        }
        for (k, v) in spec.tags {
            request = request.tags(*k, *v);
        }
        let out = request.send().await.expect("create function in moto");
        if let Some(destination) = spec.on_failure {
            self.lambda()
                .put_function_event_invoke_config()
                .function_name(name)
                .destination_config(
                    DestinationConfig::builder()
                        .on_failure(OnFailure::builder().destination(destination).build())
                        .build(),
                )
                .send()
                .await
                .expect("put event invoke config in moto");
        }
        out.function_arn().expect("function ARN").to_owned()
    }

    /// The function's tags as moto holds them.
    pub async fn tags(&self, name: &str) -> HashMap<String, String> {
        let lambda = self.lambda();
        let config =
            lambda.get_function_configuration().function_name(name).send().await.expect("get configuration");
        let arn = config.function_arn().expect("function ARN");
        lambda.list_tags().resource(arn).send().await.expect("list tags").tags().cloned().unwrap_or_default()
    }

    /// The function's reserved concurrency as moto holds it (`None`: no reservation).
    pub async fn reserved(&self, name: &str) -> Option<i32> {
        let out = self
            .lambda()
            .get_function_concurrency()
            .function_name(name)
            .send()
            .await
            .expect("get concurrency");
        out.reserved_concurrent_executions()
    }

    /// Creates an SNS topic subscribed by an SQS queue; returns `(topic ARN, queue URL)`.
    pub async fn topic_with_queue(&self, name: &str) -> (String, String) {
        let sns = aws_sdk_sns::Client::new(&self.config);
        let sqs = aws_sdk_sqs::Client::new(&self.config);
        let topic = sns.create_topic().name(name).send().await.expect("create topic");
        let topic_arn = topic.topic_arn().expect("topic ARN").to_owned();
        let queue =
            sqs.create_queue().queue_name(format!("{name}-alerts")).send().await.expect("create queue");
        let queue_url = queue.queue_url().expect("queue URL").to_owned();
        let attrs = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("queue attributes");
        let queue_arn = attrs
            .attributes()
            .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn))
            .expect("queue ARN")
            .clone();
        sns.subscribe()
            .topic_arn(&topic_arn)
            .protocol("sqs")
            .endpoint(queue_arn)
            .send()
            .await
            .expect("subscribe");
        (topic_arn, queue_url)
    }

    /// Creates an SQS queue named `queue` and an event source mapping from it to `function`, enabled
    /// or not; returns the mapping's UUID.
    pub async fn sqs_mapping(&self, function: &str, queue: &str, enabled: bool) -> String {
        let sqs = aws_sdk_sqs::Client::new(&self.config);
        let url = sqs.create_queue().queue_name(queue).send().await.expect("create queue");
        let attrs = sqs
            .get_queue_attributes()
            .queue_url(url.queue_url().expect("queue URL"))
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("queue attributes");
        let arn = attrs
            .attributes()
            .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn))
            .expect("queue ARN")
            .clone();
        let out = self
            .lambda()
            .create_event_source_mapping()
            .function_name(function)
            .event_source_arn(arn)
            .enabled(enabled)
            .send()
            .await
            .expect("create event source mapping in moto");
        out.uuid().expect("mapping UUID").to_owned()
    }

    /// Creates the queue `dead_letter` and makes it the DLQ of the existing queue `queue`, after
    /// `max_receive_count` receives (a `RedrivePolicy` as the console writes it).
    pub async fn set_dead_letter(&self, queue: &str, dead_letter: &str, max_receive_count: u32) {
        use aws_sdk_sqs::types::QueueAttributeName;
        let sqs = aws_sdk_sqs::Client::new(&self.config);
        let dlq = sqs.create_queue().queue_name(dead_letter).send().await.expect("create DLQ");
        let dlq_attrs = sqs
            .get_queue_attributes()
            .queue_url(dlq.queue_url().expect("DLQ URL"))
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("DLQ attributes");
        let dlq_arn =
            dlq_attrs.attributes().and_then(|a| a.get(&QueueAttributeName::QueueArn)).expect("DLQ ARN");
        let url = sqs.get_queue_url().queue_name(queue).send().await.expect("queue URL");
        let policy =
            format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"{max_receive_count}"}}"#);
        sqs.set_queue_attributes()
            .queue_url(url.queue_url().expect("queue URL"))
            .attributes(QueueAttributeName::RedrivePolicy, policy)
            .send()
            .await
            .expect("set RedrivePolicy");
    }

    /// A mapping's `State` as moto holds it (`Enabled` or `Disabled`).
    pub async fn mapping_state(&self, uuid: &str) -> String {
        let out = self.lambda().get_event_source_mapping().uuid(uuid).send().await.expect("get mapping");
        out.state().expect("mapping state").to_owned()
    }

    /// Drains the queue: every SNS notification delivered so far, as its JSON envelope
    /// (`Subject`, `Message`, `MessageAttributes.<name>.Value`).
    pub async fn delivered(&self, queue_url: &str) -> Vec<serde_json::Value> {
        let sqs = aws_sdk_sqs::Client::new(&self.config);
        let mut out = Vec::new();
        loop {
            let batch = sqs
                .receive_message()
                .queue_url(queue_url)
                .max_number_of_messages(10)
                .send()
                .await
                .expect("receive message");
            let messages = batch.messages();
            if messages.is_empty() {
                return out;
            }
            for m in messages {
                out.push(
                    serde_json::from_str(m.body().expect("message body")).expect("SNS envelope is JSON"),
                );
                if let Some(handle) = m.receipt_handle() {
                    sqs.delete_message()
                        .queue_url(queue_url)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .expect("delete");
                }
            }
        }
    }
}

/// How to create a test function.
#[derive(Debug, Clone, Copy)]
pub struct FunctionSpec<'a> {
    /// Memory size in MB.
    pub memory_mb: i32,
    /// arm64 instead of x86_64.
    pub arm64: bool,
    /// Dead-letter target ARN.
    pub dlq: Option<&'a str>,
    /// On-failure destination ARN (event-invoke config).
    pub on_failure: Option<&'a str>,
    /// Tags at creation.
    pub tags: &'a [(&'a str, &'a str)],
}

impl Default for FunctionSpec<'_> {
    fn default() -> Self {
        Self { memory_mb: 128, arm64: false, dlq: None, on_failure: None, tags: &[] }
    }
}

/// An empty but valid zip archive (just the end-of-central-directory record): moto stores code, never runs it.
const EMPTY_ZIP: [u8; 22] = [0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/// The unique id (`AROA…`) moto gave the role [`ROLE_ARN`] at the last reset (IAM GetRole, read
/// as `create_role` writes: a plain awsQuery form POST).
pub fn role_id() -> String {
    let scope = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0";
    let body = ureq::post(format!("{}/", endpoint()))
        .header("Authorization", scope)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send("Action=GetRole&Version=2010-05-08&RoleName=x")
        .expect("get IAM role from moto")
        .body_mut()
        .read_to_string()
        .expect("GetRole response");
    let (_, rest) = body.split_once("<RoleId>").expect("GetRole names the RoleId");
    rest.split_once("</RoleId>").expect("RoleId closes").0.to_owned()
}

/// moto checks that a function's role exists. IAM is awsQuery; moto routes by the credential scope
/// in the Authorization header and does not verify signatures, so a plain form POST does.
/// The trip-record key: HMAC_256 for GENERATE_VERIFY_MAC, under the alias in [`RECORD_KEY_ARN`].
async fn create_record_key(config: &SdkConfig) {
    use aws_sdk_kms::types::{KeySpec, KeyUsageType};
    let kms = aws_sdk_kms::Client::new(config);
    let key = kms
        .create_key()
        .key_spec(KeySpec::Hmac256)
        .key_usage(KeyUsageType::GenerateVerifyMac)
        .send()
        .await
        .expect("create the record key in moto");
    let id = key.key_metadata().map(|m| m.key_id().to_owned()).expect("key id");
    let alias = RECORD_KEY_ARN.rsplit_once(':').map(|(_, a)| a).expect("alias");
    kms.create_alias().alias_name(alias).target_key_id(id).send().await.expect("create the record key alias");
}

fn create_role(endpoint: &str) {
    let scope = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0";
    ureq::post(format!("{endpoint}/"))
        .header("Authorization", scope)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send("Action=CreateRole&Version=2010-05-08&RoleName=x&AssumeRolePolicyDocument=%7B%7D")
        .expect("create IAM role in moto");
}
