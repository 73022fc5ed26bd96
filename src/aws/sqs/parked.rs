//! [`ParkedQueue`]: the SQS calls of `runaway-guard replay` (the operator CLI only, never the guard
//! in Lambda): receive a few messages at a time with their attributes and parking time, hold them
//! invisible while they are replayed, make the others visible again at once, and delete a message
//! once Lambda accepted its invoke.

use aws_config::SdkConfig;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{ChangeMessageVisibilityBatchRequestEntry, MessageSystemAttributeName};

use crate::aws::error::{invalid_response, port_error};
use crate::ports::PortError;
use crate::replay::Received;
use crate::time::Timestamp;

/// Most messages one ReceiveMessage or batch call takes (SQS's limit).
const SQS_BATCH: usize = 10;
/// SQS's longest visibility timeout (12 hours).
pub const MAX_VISIBILITY_SECS: u64 = 43_200;

/// One queue a replay reads.
#[derive(Debug, Clone)]
pub struct ParkedQueue {
    client: Client,
    url: String,
    arn: String,
}

impl ParkedQueue {
    /// Finds the queue named by `queue_arn` (GetQueueUrl), after checking the ARN.
    pub async fn open(config: &SdkConfig, queue_arn: &str) -> Result<Self, PortError> {
        let client = Client::new(config);
        let url = super::queue_url(&client, queue_arn).await?;
        Ok(Self { client, url, arn: queue_arn.to_owned() })
    }

    /// The queue's ARN.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// Up to ten messages, each hidden from other readers for `hold_secs`; empty when none is
    /// visible. Short polling: a replay ends on the first empty answer.
    pub async fn receive(&self, hold_secs: u64) -> Result<Vec<Received>, PortError> {
        let out = self
            .client
            .receive_message()
            .queue_url(&self.url)
            .max_number_of_messages(SQS_BATCH as i32)
            .visibility_timeout(visibility(hold_secs))
            .message_attribute_names("All")
            .message_system_attribute_names(MessageSystemAttributeName::SentTimestamp)
            .wait_time_seconds(1)
            .send()
            .await
            .map_err(|e| port_error("ReceiveMessage", &self.arn, e))?;
        Ok(out.messages().iter().filter_map(received).collect())
    }

    /// Hides the messages of `receipts` for `secs` more (0: visible again at once).
    pub async fn hold(&self, receipts: &[&str], secs: u64) -> Result<(), PortError> {
        for chunk in receipts.chunks(SQS_BATCH) {
            let entries = chunk.iter().enumerate().map(|(i, receipt)| {
                ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(*receipt)
                    .visibility_timeout(visibility(secs))
                    .build()
            });
            let entries = entries
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| invalid_response("ChangeMessageVisibilityBatch", &self.arn, e.to_string()))?;
            let out = self
                .client
                .change_message_visibility_batch()
                .queue_url(&self.url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| port_error("ChangeMessageVisibilityBatch", &self.arn, e))?;
            if let Some(failed) = out.failed().first() {
                let why =
                    format!("{} of {} entries failed: {}", out.failed().len(), chunk.len(), failed.code());
                return Err(invalid_response("ChangeMessageVisibilityBatch", &self.arn, why));
            }
        }
        Ok(())
    }

    /// Deletes one message, by the receipt of its latest receive.
    pub async fn delete(&self, receipt: &str) -> Result<(), PortError> {
        self.client
            .delete_message()
            .queue_url(&self.url)
            .receipt_handle(receipt)
            .send()
            .await
            .map_err(|e| port_error("DeleteMessage", &self.arn, e))?;
        Ok(())
    }
}

fn visibility(secs: u64) -> i32 {
    i32::try_from(secs.min(MAX_VISIBILITY_SECS)).unwrap_or(i32::MAX)
}

/// A message SQS returned, or `None` for one lacking an id, receipt or body (never seen in practice).
fn received(message: &aws_sdk_sqs::types::Message) -> Option<Received> {
    let sent_at = message
        .attributes()
        .and_then(|a| a.get(&MessageSystemAttributeName::SentTimestamp))
        .and_then(|ms| ms.parse().ok())
        .map(Timestamp::from_millis);
    let attribute_names =
        message.message_attributes().map(|a| a.keys().cloned().collect()).unwrap_or_default();
    Some(Received {
        id: message.message_id()?.to_owned(),
        receipt: message.receipt_handle()?.to_owned(),
        body: message.body()?.to_owned(),
        attribute_names,
        sent_at,
    })
}
