//! `CloudWatchMetrics::alarm_contributors` (`DescribeAlarmContributors`), which moto 5.2.5 does not
//! implement, through the real SDK with `aws-smithy-mocks`: every page is read (NextToken), each
//! contributor's `FunctionName` attribute is validated, and a failure is a typed, final error.
#![cfg(feature = "guard")]

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::config::retry::RetryConfig;
use aws_sdk_cloudwatch::error::ErrorMetadata;
use aws_sdk_cloudwatch::operation::describe_alarm_contributors::{
    DescribeAlarmContributorsError, DescribeAlarmContributorsOutput,
};
use aws_sdk_cloudwatch::types::AlarmContributor as SdkContributor;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_types::DateTime;
use runaway_guard::aws::CloudWatchMetrics;
use runaway_guard::name::FunctionName;
use runaway_guard::ports::Metrics;
use runaway_guard::time::Timestamp;

fn contributor(id: &str, function: &str) -> SdkContributor {
    SdkContributor::builder()
        .contributor_id(id)
        .contributor_attributes("FunctionName", function)
        .state_reason("Threshold Crossed")
        .state_transitioned_timestamp(DateTime::from_secs(1_796_135_400))
        .build()
}

#[tokio::test]
async fn every_page_is_read_and_names_are_validated() {
    let first = mock!(Client::describe_alarm_contributors)
        .match_requests(|r| r.alarm_name() == Some("per-function") && r.next_token().is_none())
        .then_output(|| {
            DescribeAlarmContributorsOutput::builder()
                .alarm_contributors(contributor("c1", "orders"))
                .alarm_contributors(contributor("c2", "not a valid name!"))
                .next_token("page-2")
                .build()
        });
    let second = mock!(Client::describe_alarm_contributors)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(|| {
            DescribeAlarmContributorsOutput::builder()
                .alarm_contributors(contributor(
                    "c3",
                    "arn:aws:lambda:us-east-1:111122223333:function:billing",
                ))
                .build()
        });
    let client = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&first, &second]);
    let listed = CloudWatchMetrics::from_client(client).alarm_contributors("per-function").await.unwrap();
    let seen: Vec<(&str, Option<&str>)> =
        listed.iter().map(|c| (c.id.as_str(), c.function.as_ref().map(FunctionName::as_str))).collect();
    assert_eq!(seen, [("c1", Some("orders")), ("c2", None), ("c3", Some("billing"))]);
    assert_eq!(listed[0].since, Some(Timestamp::from_secs(1_796_135_400)));
    assert_eq!(listed[0].reason.as_deref(), Some("Threshold Crossed"));
    assert_eq!(listed[1].attributes, [("FunctionName".to_owned(), "not a valid name!".to_owned())]);
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
}

#[tokio::test]
async fn a_denied_call_is_a_final_typed_error() {
    let denied = mock!(Client::describe_alarm_contributors).then_error(|| {
        DescribeAlarmContributorsError::generic(
            ErrorMetadata::builder().code("AccessDenied").message("not authorized").build(),
        )
    });
    let client = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&denied], |c| c
        .retry_config(RetryConfig::disabled()));
    let err = CloudWatchMetrics::from_client(client).alarm_contributors("per-function").await.unwrap_err();
    assert_eq!(
        (err.operation, err.target.as_str(), err.retryable),
        ("DescribeAlarmContributors", "per-function", false)
    );
}
