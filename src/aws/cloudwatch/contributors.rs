//! `DescribeAlarmContributors`: the contributors of a multi-time-series alarm now in ALARM, every
//! page (the sweep re-judges them: a contributor already in ALARM sends no new event).

use aws_sdk_cloudwatch::types::AlarmContributor as SdkContributor;

use super::{CloudWatchMetrics, FUNCTION_DIMENSION};
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
