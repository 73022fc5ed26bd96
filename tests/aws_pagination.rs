//! Pagination moto doesn't do (it returns every ListFunctions / GetMetricData result in one page),
//! through the real SDK with `aws-smithy-mocks`: every page is read, and results for one query id
//! split across pages are summed.
#![cfg(feature = "guard")]

use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput;
use aws_sdk_cloudwatch::types::MetricDataResult;
use aws_sdk_lambda::operation::get_function_concurrency::GetFunctionConcurrencyOutput;
use aws_sdk_lambda::operation::list_functions::ListFunctionsOutput;
use aws_sdk_lambda::operation::list_tags::ListTagsOutput;
use aws_sdk_lambda::types::FunctionConfiguration;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use runaway_guard::aws::{CloudWatchMetrics, LambdaThrottler};
use runaway_guard::name::FunctionName;
use runaway_guard::ports::{Metrics, Throttler, tags};
use runaway_guard::time::Timestamp;

fn arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
}

fn function(name: &str) -> FunctionConfiguration {
    FunctionConfiguration::builder().function_name(name).function_arn(arn(name)).build()
}

#[tokio::test]
async fn list_tripped_reads_every_page_of_functions() {
    let page1 = mock!(aws_sdk_lambda::Client::list_functions)
        .match_requests(|r| r.marker().is_none())
        .then_output(|| {
            ListFunctionsOutput::builder()
                .functions(function("alpha"))
                .functions(function("beta"))
                .next_marker("p2")
                .build()
        });
    let page2 = mock!(aws_sdk_lambda::Client::list_functions)
        .match_requests(|r| r.marker() == Some("p2"))
        .then_output(|| ListFunctionsOutput::builder().functions(function("gamma")).build());
    let tripped = |r: &aws_sdk_lambda::operation::list_tags::ListTagsInput| {
        r.resource() == Some(arn("alpha").as_str()) || r.resource() == Some(arn("gamma").as_str())
    };
    let tripped_tags = mock!(aws_sdk_lambda::Client::list_tags).match_requests(tripped).then_output(|| {
        ListTagsOutput::builder()
            .tags(tags::TRIPPED_AT, "2026-11-20T09:14:03Z")
            .tags(tags::PREVIOUS_CONCURRENCY, "none")
            .tags(tags::REASON, "manual")
            .build()
    });
    let other_tags =
        mock!(aws_sdk_lambda::Client::list_tags).then_output(|| ListTagsOutput::builder().build());
    // A function without a record is listed only at reserved concurrency 0: beta has 5.
    let concurrency = mock!(aws_sdk_lambda::Client::get_function_concurrency)
        .then_output(|| GetFunctionConcurrencyOutput::builder().reserved_concurrent_executions(5).build());
    let client = mock_client!(
        aws_sdk_lambda,
        RuleMode::MatchAny,
        [&page1, &page2, &tripped_tags, &other_tags, &concurrency]
    );
    let listed = LambdaThrottler::from_client(client).list_tripped().await.unwrap();
    let names: Vec<&str> = listed.iter().map(|t| t.function.as_str()).collect();
    assert_eq!(names, ["alpha", "gamma"]);
    assert_eq!((page1.num_calls(), page2.num_calls()), (1, 1));
    assert_eq!((tripped_tags.num_calls(), other_tags.num_calls(), concurrency.num_calls()), (2, 1, 1));
}

fn result(id: &str, values: &[f64]) -> MetricDataResult {
    values.iter().fold(MetricDataResult::builder().id(id), |b, v| b.values(*v)).build()
}

#[tokio::test]
async fn usage_sums_results_across_next_token_pages() {
    let first = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .match_requests(|r| r.next_token().is_none())
        .then_output(|| {
            GetMetricDataOutput::builder()
                .metric_data_results(result("i0", &[1.0, 2.0]))
                .metric_data_results(result("d0", &[10.0]))
                .metric_data_results(result("zz9", &[1e9]))
                .next_token("t2")
                .build()
        });
    let second = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .match_requests(|r| r.next_token() == Some("t2"))
        .then_output(|| {
            GetMetricDataOutput::builder()
                .metric_data_results(result("i0", &[3.0]))
                .metric_data_results(result("i1", &[5.0]))
                .build()
        });
    let client = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&first, &second]);
    let functions = [FunctionName::new("a").unwrap(), FunctionName::new("b").unwrap()];
    let samples = CloudWatchMetrics::from_client(client)
        .usage(&functions, 600, Timestamp::from_secs(1_800_000_000))
        .await
        .unwrap();
    let got: Vec<(&str, f64, f64)> =
        samples.iter().map(|s| (s.function.as_str(), s.invocations, s.duration_ms_sum)).collect();
    assert_eq!(got, [("a", 6.0, 10.0), ("b", 5.0, 0.0)]);
}

#[tokio::test]
async fn usage_never_sends_more_than_500_queries_a_call() {
    let fits = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .match_requests(|r| {
            let queries = r.metric_data_queries();
            queries.len() <= 500
                && queries.iter().all(|q| {
                    let id = q.id().unwrap_or("");
                    id.starts_with(|c: char| c.is_ascii_lowercase())
                        && id.chars().all(|c| c.is_ascii_alphanumeric())
                })
        })
        .then_output(|| GetMetricDataOutput::builder().build());
    let client = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&fits]);
    let functions: Vec<FunctionName> =
        (0..1001).map(|i| FunctionName::new(&format!("f{i}")).unwrap()).collect();
    let samples = CloudWatchMetrics::from_client(client)
        .usage(&functions, 60, Timestamp::from_secs(1_800_000_000))
        .await;
    assert_eq!(
        samples.unwrap().len(),
        1001,
        "an oversized or badly-named batch would match no rule and fail"
    );
    assert_eq!(fits.num_calls(), 5, "1001 functions = 2002 queries = 5 calls of ≤500");
}
