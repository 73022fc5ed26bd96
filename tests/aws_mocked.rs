//! Faults a server can't show on demand, through the real SDK with `aws-smithy-mocks` HTTP
//! responses: throttling and 5xx are retryable, AccessDenied and bad parameters are final, a
//! connection that can't be made is retryable; plus a DLQ, which moto 5.2.5 drops on create.
#![cfg(feature = "guard")]

use aws_sdk_lambda::Client;
use aws_sdk_lambda::config::http::HttpResponse;
use aws_sdk_lambda::config::retry::RetryConfig;
use aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationOutput;
use aws_sdk_lambda::types::{Architecture as SdkArchitecture, DeadLetterConfig};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_types::body::SdkBody;
use runaway_guard::aws::LambdaThrottler;
use runaway_guard::name::FunctionName;
use runaway_guard::ports::{Architecture, FailureTarget, PortError, Throttler};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// A Lambda (restJson1) error response as the service sends it.
fn error_response(status: u16, code: &str) -> HttpResponse {
    let body = format!(r#"{{"Type":"User","message":"{code} for this request"}}"#);
    let mut response = HttpResponse::new(status.try_into().expect("status"), SdkBody::from(body));
    response.headers_mut().insert("x-amzn-errortype", code.to_owned());
    response.headers_mut().insert("content-type", "application/json");
    response
}

/// A client that answers every call with `rules` and never retries, so one call → one classification.
fn client(rules: &[&Rule]) -> Client {
    mock_client!(aws_sdk_lambda, RuleMode::MatchAny, rules, |c| c.retry_config(RetryConfig::disabled()))
}

async fn put_error(status: u16, code: &'static str) -> PortError {
    let rule =
        mock!(Client::put_function_concurrency).then_http_response(move || error_response(status, code));
    let lambda = LambdaThrottler::from_client(client(&[&rule]));
    lambda.set_reserved_concurrency(&FunctionName::new("f").unwrap(), Some(0)).await.unwrap_err()
}

#[tokio::test]
async fn throttling_and_server_errors_are_retryable() {
    for (status, code) in [
        (429, "TooManyRequestsException"),
        (500, "ServiceException"),
        (502, "EC2UnexpectedException"),
        (503, "ServiceUnavailable"),
        (409, "ResourceConflictException"),
    ] {
        let err = put_error(status, code).await;
        assert!(err.retryable && !err.not_found, "{status} {code}: {err:?}");
        assert!(err.message.starts_with(code), "{err}");
        assert_eq!(err.operation, "PutFunctionConcurrency");
    }
}

#[tokio::test]
async fn client_errors_are_final() {
    for (status, code) in [
        (403, "AccessDeniedException"),
        (400, "InvalidParameterValueException"),
        (403, "UnrecognizedClientException"),
    ] {
        let err = put_error(status, code).await;
        assert!(!err.retryable && !err.not_found, "{status} {code}: {err:?}");
    }
    let err = put_error(404, "ResourceNotFoundException").await;
    assert!(err.not_found && !err.retryable, "{err:?}");
}

#[tokio::test]
async fn connection_failures_are_retryable_and_leak_nothing() {
    // Nothing listens on port 1; the credentials are fake but must never appear in the error.
    let config = aws_sdk_lambda::Config::builder()
        .behavior_version(aws_sdk_lambda::config::BehaviorVersion::latest())
        .region(aws_sdk_lambda::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_lambda::config::Credentials::new(
            "AKIDEXAMPLE",
            SECRET,
            None,
            None,
            "test",
        ))
        .endpoint_url("http://127.0.0.1:1")
        .retry_config(RetryConfig::disabled())
        .build();
    let lambda = LambdaThrottler::from_client(Client::from_conf(config));
    let err = lambda.set_reserved_concurrency(&FunctionName::new("f").unwrap(), Some(0)).await.unwrap_err();
    assert!(err.retryable, "{err:?}");
    let shown = format!("{err} / {}", err.message);
    assert!(!shown.contains(SECRET) && !shown.contains("AKIDEXAMPLE"), "{shown}");
}

#[tokio::test]
async fn dead_letter_queue_is_reported_when_there_is_no_destination() {
    let dlq = "arn:aws:sqs:us-east-1:123456789012:orders-dlq";
    let config = mock!(Client::get_function_configuration).then_output(move || {
        GetFunctionConfigurationOutput::builder()
            .function_arn("arn:aws:lambda:us-east-1:123456789012:function:orders:live")
            .memory_size(512)
            .architectures(SdkArchitecture::Arm64)
            .dead_letter_config(DeadLetterConfig::builder().target_arn(dlq).build())
            .build()
    });
    let concurrency = mock!(Client::get_function_concurrency).then_output(|| {
        aws_sdk_lambda::operation::get_function_concurrency::GetFunctionConcurrencyOutput::builder().build()
    });
    let tags = mock!(Client::list_tags)
        .match_requests(|r| r.resource() == Some("arn:aws:lambda:us-east-1:123456789012:function:orders"))
        .then_output(|| aws_sdk_lambda::operation::list_tags::ListTagsOutput::builder().build());
    let invoke_config = mock!(Client::get_function_event_invoke_config)
        .then_http_response(|| error_response(404, "ResourceNotFoundException"));
    let lambda = LambdaThrottler::from_client(client(&[&config, &concurrency, &tags, &invoke_config]));
    let state = lambda.function_state(&FunctionName::new("orders").unwrap()).await.unwrap();
    assert_eq!(state.failure_target, FailureTarget::DeadLetter(dlq.into()));
    assert_eq!(
        (state.memory_mb, state.architecture, state.reserved_concurrency),
        (512, Architecture::Arm64, None)
    );
    assert_eq!(tags.num_calls(), 1, "tags are read on the unqualified ARN");
}

#[tokio::test]
async fn account_settings_errors_other_than_a_missing_api_are_reported() {
    let denied = mock!(Client::get_account_settings)
        .then_http_response(|| error_response(403, "AccessDeniedException"));
    let err = LambdaThrottler::from_client(client(&[&denied])).unreserved_concurrency().await.unwrap_err();
    assert!(!err.retryable, "{err:?}");
    let missing = mock!(Client::get_account_settings).then_http_response(|| {
        HttpResponse::new(404.try_into().expect("status"), SdkBody::from("<html>Not Found</html>"))
    });
    assert_eq!(
        LambdaThrottler::from_client(client(&[&missing])).unreserved_concurrency().await.unwrap(),
        None
    );
}

/// What `ListEventSourceMappings` gives the judgement as ceilings: an SQS mapping's maximum
/// concurrency (or none set), a stream mapping's parallelization factor with its shard count unread;
/// a disabled mapping and one of another function are left out.
#[tokio::test]
async fn mapping_ceilings_come_from_the_listing() {
    use aws_sdk_lambda::operation::list_event_source_mappings::ListEventSourceMappingsOutput;
    use aws_sdk_lambda::types::{EventSourceMappingConfiguration, ScalingConfig};
    use runaway_guard::ports::MappingCeiling;

    let arn = "arn:aws:lambda:us-east-1:111122223333:function:worker";
    let mapping = |uuid: &str, source: &str, state: &str| {
        EventSourceMappingConfiguration::builder()
            .uuid(uuid)
            .function_arn(arn)
            .event_source_arn(source)
            .state(state)
    };
    let listing = ListEventSourceMappingsOutput::builder()
        .event_source_mappings(
            mapping("a1", "arn:aws:sqs:us-east-1:111122223333:jobs", "Enabled")
                .scaling_config(ScalingConfig::builder().maximum_concurrency(20).build())
                .build(),
        )
        .event_source_mappings(mapping("a2", "arn:aws:sqs:us-east-1:111122223333:other", "Enabled").build())
        .event_source_mappings(
            mapping("a3", "arn:aws:kinesis:us-east-1:111122223333:stream/clicks", "Enabled")
                .parallelization_factor(5)
                .build(),
        )
        .event_source_mappings(
            mapping("a4", "arn:aws:kinesis:us-east-1:111122223333:stream/old", "Disabled")
                .parallelization_factor(10)
                .build(),
        )
        .event_source_mappings(
            EventSourceMappingConfiguration::builder()
                .uuid("a5")
                .function_arn("arn:aws:lambda:us-east-1:111122223333:function:someone-else")
                .event_source_arn("arn:aws:sqs:us-east-1:111122223333:theirs")
                .state("Enabled")
                .scaling_config(ScalingConfig::builder().maximum_concurrency(2).build())
                .build(),
        )
        .build();
    let rule = mock!(Client::list_event_source_mappings).then_output(move || listing.clone());
    // No alias: the unqualified listing is the only one.
    let aliases = mock!(Client::list_aliases)
        .then_output(|| aws_sdk_lambda::operation::list_aliases::ListAliasesOutput::builder().build());
    let lambda = LambdaThrottler::from_client(client(&[&aliases, &rule]));
    let ceilings = lambda.mapping_ceilings(&FunctionName::new("worker").unwrap()).await.unwrap();
    assert_eq!(
        ceilings,
        [
            MappingCeiling::Sqs { maximum_concurrency: Some(20) },
            MappingCeiling::Sqs { maximum_concurrency: None },
            MappingCeiling::Stream { parallelization_factor: 5, shards: None },
        ]
    );
    assert_eq!(ceilings[2].concurrency(), None, "the shard count is not in the listing");
}
