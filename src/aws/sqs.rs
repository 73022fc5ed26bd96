//! [`QueueReader`]: reads an SQS queue's redrive policy and retention (GetQueueUrl,
//! GetQueueAttributes), so a trip alert says where the queue's messages go: to its dead-letter queue
//! after `maxReceiveCount` receives, or nowhere until its retention ends. Read-only.

use aws_config::SdkConfig;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::QueueAttributeName;
use serde::Deserialize;

use super::error::{invalid_response, port_error};
use crate::arn::Arn;
use crate::ports::{DeadLetter, PortError, QueueFacts};

pub mod parked;
pub use parked::ParkedQueue;

/// The SQS adapter.
#[derive(Debug, Clone)]
pub struct QueueReader {
    client: Client,
}

/// A queue named by its ARN: `arn:PARTITION:sqs:REGION:ACCOUNT:NAME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct QueueArn<'a> {
    region: &'a str,
    account: &'a str,
    name: &'a str,
}

impl<'a> QueueArn<'a> {
    /// Checks the ARN before any call: the SQS service, a 12-digit account and a queue name SQS
    /// allows (1 to 80 letters, digits, `-` and `_`, plus `.fifo`).
    fn parse(arn: &'a str) -> Option<Self> {
        let Arn { region, account, resource: name, .. } = Arn::regional(arn, "sqs")?;
        let base = name.strip_suffix(".fifo").unwrap_or(name);
        let valid_name = !base.is_empty()
            && name.len() <= 80
            && base.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        valid_name.then_some(Self { region, account, name })
    }
}

/// Whether `arn` names an SQS queue as SQS would (checked before any call).
pub fn is_queue_arn(arn: &str) -> bool {
    QueueArn::parse(arn).is_some()
}

/// `RedrivePolicy` as SQS writes it: `maxReceiveCount` is a number or a numeric string.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RedrivePolicy {
    dead_letter_target_arn: String,
    max_receive_count: NumberOrText,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrText {
    Number(u32),
    Text(String),
}

/// The URL of the queue `queue_arn` names (GetQueueUrl), after checking the ARN: an SQS queue in
/// the client's own region (GetQueueUrl by name would find the queue of that name here instead).
async fn queue_url(client: &Client, queue_arn: &str) -> Result<String, PortError> {
    let Some(queue) = QueueArn::parse(queue_arn) else {
        return Err(invalid_response("GetQueueUrl", queue_arn, "not an SQS queue ARN"));
    };
    let here = client.config().region().map(|r| r.to_string()).unwrap_or_default();
    if queue.region != here {
        let why = format!("the queue is in {}, these credentials act on {here}", queue.region);
        return Err(invalid_response("GetQueueUrl", queue_arn, why));
    }
    let out = client
        .get_queue_url()
        .queue_name(queue.name)
        .queue_owner_aws_account_id(queue.account)
        .send()
        .await
        .map_err(|e| port_error("GetQueueUrl", queue_arn, e))?;
    let url = out.queue_url().ok_or_else(|| invalid_response("GetQueueUrl", queue_arn, "no QueueUrl"))?;
    Ok(url.to_owned())
}

impl QueueReader {
    /// Builds the adapter from the shared SDK configuration.
    pub fn new(config: &SdkConfig) -> Self {
        Self { client: Client::new(config) }
    }

    /// The redrive policy and retention of the queue `queue_arn`.
    pub async fn facts(&self, queue_arn: &str) -> Result<QueueFacts, PortError> {
        let url = queue_url(&self.client, queue_arn).await?;
        let out = self
            .client
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::RedrivePolicy)
            .attribute_names(QueueAttributeName::MessageRetentionPeriod)
            .send()
            .await
            .map_err(|e| port_error("GetQueueAttributes", queue_arn, e))?;
        let attributes = out.attributes();
        let attribute =
            |name: QueueAttributeName| attributes.and_then(|all| all.get(&name)).map(String::as_str);
        let dead_letter = match attribute(QueueAttributeName::RedrivePolicy) {
            None | Some("") => None,
            Some(policy) => Some(dead_letter(policy).ok_or_else(|| {
                invalid_response("GetQueueAttributes", queue_arn, "unreadable RedrivePolicy")
            })?),
        };
        let retention_secs =
            attribute(QueueAttributeName::MessageRetentionPeriod).and_then(|s| s.parse().ok());
        Ok(QueueFacts { dead_letter, retention_secs })
    }

    /// About how many messages the queue `queue_arn` holds, visible or held by a reader (SQS's
    /// approximate counts, for the whole queue).
    pub async fn waiting(&self, queue_arn: &str) -> Result<u64, PortError> {
        let url = queue_url(&self.client, queue_arn).await?;
        let out = self
            .client
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .map_err(|e| port_error("GetQueueAttributes", queue_arn, e))?;
        let count = |name: QueueAttributeName| {
            out.attributes().and_then(|all| all.get(&name)).and_then(|n| n.trim().parse::<u64>().ok())
        };
        let visible = count(QueueAttributeName::ApproximateNumberOfMessages);
        let held = count(QueueAttributeName::ApproximateNumberOfMessagesNotVisible);
        visible.map(|v| v + held.unwrap_or(0)).ok_or_else(|| {
            invalid_response("GetQueueAttributes", queue_arn, "no ApproximateNumberOfMessages")
        })
    }
}

/// The dead-letter queue a `RedrivePolicy` names; `None` when it is not one SQS would write.
fn dead_letter(policy: &str) -> Option<DeadLetter> {
    let policy: RedrivePolicy = serde_json::from_str(policy).ok()?;
    let max_receive_count = match policy.max_receive_count {
        NumberOrText::Number(n) => n,
        NumberOrText::Text(text) => text.trim().parse().ok()?,
    };
    QueueArn::parse(&policy.dead_letter_target_arn)?;
    Some(DeadLetter { queue_arn: policy.dead_letter_target_arn, max_receive_count })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DLQ: &str = "arn:aws:sqs:us-east-1:111122223333:orders-dlq";

    #[test]
    fn reads_the_redrive_policy_as_sqs_writes_it() {
        let text = format!(r#"{{"deadLetterTargetArn":"{DLQ}","maxReceiveCount":"5"}}"#);
        let number = format!(r#"{{"deadLetterTargetArn":"{DLQ}","maxReceiveCount":3}}"#);
        let expected = |n| Some(DeadLetter { queue_arn: DLQ.to_owned(), max_receive_count: n });
        assert_eq!(dead_letter(&text), expected(5));
        assert_eq!(dead_letter(&number), expected(3));
        assert_eq!(expected(5).map(|d| d.queue_name().to_owned()).as_deref(), Some("orders-dlq"));
    }

    #[test]
    fn refuses_a_policy_sqs_would_not_write() {
        for policy in [
            "",
            "{",
            "null",
            r#"{"maxReceiveCount":"5"}"#,
            r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:111122223333:orders-dlq","maxReceiveCount":"five"}"#,
            r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:111122223333:orders-dlq","maxReceiveCount":-1}"#,
            r#"{"deadLetterTargetArn":"arn:aws:sns:us-east-1:111122223333:topic","maxReceiveCount":5}"#,
        ] {
            assert_eq!(dead_letter(policy), None, "{policy}");
        }
    }

    #[test]
    fn checks_the_queue_arn_before_any_call() {
        assert_eq!(
            QueueArn::parse("arn:aws:sqs:eu-west-1:111122223333:jobs.fifo"),
            Some(QueueArn { region: "eu-west-1", account: "111122223333", name: "jobs.fifo" })
        );
        for arn in [
            "arn:aws:sqs:eu-west-1:111122223333:",
            "arn:aws:sqs:eu-west-1:1111:jobs",
            "arn:aws:sqs:eu-west-1:111122223333:jobs/../x",
            "arn:aws:kinesis:eu-west-1:111122223333:stream/jobs",
            "arn:aws:sqs:eu-west-1:111122223333:jobs:extra",
            "jobs",
        ] {
            assert_eq!(QueueArn::parse(arn), None, "{arn}");
        }
    }
}
