//! `DescribeAlarmContributors`: the contributors of a multi-time-series alarm now in ALARM, every
//! page (the sweep re-judges them: a contributor already in ALARM sends no new event), and
//! `DescribeAlarms`: whether the alarm watches `RecursiveInvocationsDropped`.

use aws_sdk_cloudwatch::types::AlarmContributor as SdkContributor;

use super::{CloudWatchMetrics, FUNCTION_DIMENSION};
use crate::aws::error::port_error;
use crate::name::FunctionName;
use crate::ports::{AlarmContributor, PortError};
use crate::time::Timestamp;

/// Pages read at most: CloudWatch keeps at most 100 contributors in ALARM, so more pages than
/// this mean a token that never ends.
const MAX_PAGES: usize = 50;

impl CloudWatchMetrics {
    /// Every contributor of `alarm` in ALARM.
    pub(super) async fn read_alarm_contributors(
        &self,
        alarm: &str,
    ) -> Result<Vec<AlarmContributor>, PortError> {
        let mut contributors = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self.contributors_page(alarm, token.take()).await?;
            contributors.extend(page.alarm_contributors().iter().map(contributor));
            match page.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                _ => return Ok(contributors),
            }
        }
        Ok(contributors)
    }
}

impl CloudWatchMetrics {
    /// Whether `alarm`'s metric, or any metric or expression of its query, is
    /// `RecursiveInvocationsDropped`.
    pub(super) async fn read_alarm_watches_recursion(&self, alarm: &str) -> Result<bool, PortError> {
        const RECURSION: &str = "RecursiveInvocationsDropped";
        let out = self
            .client
            .describe_alarms()
            .alarm_names(alarm)
            .send()
            .await
            .map_err(|e| port_error("DescribeAlarms", alarm, e))?;
        Ok(out.metric_alarms().iter().any(|a| {
            a.metric_name() == Some(RECURSION)
                || a.metrics().iter().any(|q| {
                    q.expression().is_some_and(|e| e.contains(RECURSION))
                        || q.metric_stat().and_then(|m| m.metric()).and_then(|m| m.metric_name())
                            == Some(RECURSION)
                })
        }))
    }
}

fn contributor(sdk: &SdkContributor) -> AlarmContributor {
    let mut attributes: Vec<(String, String)> = sdk
        .contributor_attributes()
        .map(|map| map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    attributes.sort();
    let (function, function_arn) = attributes
        .iter()
        .find(|(name, _)| name == FUNCTION_DIMENSION)
        .and_then(|(_, value)| FunctionName::from_name_or_arn(value).ok())
        .unzip();
    AlarmContributor {
        id: sdk.contributor_id().unwrap_or_default().to_owned(),
        function,
        function_arn: function_arn.flatten(),
        attributes,
        reason: sdk.state_reason().map(str::to_owned),
        since: sdk
            .state_transitioned_timestamp()
            .and_then(|t| u64::try_from(t.secs()).ok())
            .map(Timestamp::from_secs),
    }
}
