//! [`SnsNotifier`]: publishes alerts to the guard's topic behind [`Notifier`], with String message
//! attributes for subscription filter policies. Each alert goes out with `MessageStructure=json`,
//! one body per protocol: `default` (the text with its JSON block: SQS, Lambda and every other
//! subscriber), `email` (the human text alone) and `https` (the Amazon Q Developer in chat
//! applications custom notification, which is what AWS Chatbot subscribes with). SNS rejects a
//! subject that is over 100 characters, non-ASCII or holds a line break, and a message over
//! 256 KiB; the alert is made to fit here rather than lost to an InvalidParameter at 3 a.m.

use aws_config::SdkConfig;
use aws_sdk_sns::Client;
use aws_sdk_sns::types::MessageAttributeValue;

use super::error::{invalid_response, port_error};
use crate::alert::{chatbot_notification, email_text};
use crate::ports::{Alert, Notifier, PortError};

/// SNS's subject limit (characters).
pub const MAX_SUBJECT_CHARS: usize = crate::sanitise::MAX_SUBJECT_CHARS;
/// SNS's message limit is 256 KiB including attributes; leave room for them.
const MAX_MESSAGE_BYTES: usize = 250 * 1024;

/// The SNS adapter, bound to one topic.
#[derive(Debug, Clone)]
pub struct SnsNotifier {
    client: Client,
    topic_arn: String,
}

impl SnsNotifier {
    /// Builds the adapter for `topic_arn` (from `RUNAWAY_GUARD_TOPIC_ARN`).
    pub fn new(config: &SdkConfig, topic_arn: impl Into<String>) -> Self {
        Self::from_client(Client::new(config), topic_arn)
    }

    /// Wraps an existing client.
    pub fn from_client(client: Client, topic_arn: impl Into<String>) -> Self {
        Self { client, topic_arn: topic_arn.into() }
    }

    /// The topic alerts go to.
    pub fn topic_arn(&self) -> &str {
        &self.topic_arn
    }
}

impl Notifier for SnsNotifier {
    async fn publish(&self, alert: &Alert) -> Result<(), PortError> {
        const OP: &str = "Publish";
        let mut request = self
            .client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject(sns_subject(&alert.subject))
            .message_structure("json")
            .message(structured_message(alert));
        // SNS refuses empty String attribute values; an absent attribute filters the same way.
        for (name, value) in alert.attributes.iter().filter(|(_, v)| !v.is_empty()) {
            let value = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|e| invalid_response(OP, &self.topic_arn, e.to_string()))?;
            request = request.message_attributes(name, value);
        }
        request.send().await.map_err(|e| port_error(OP, &self.topic_arn, e))?;
        Ok(())
    }
}

/// A subject SNS accepts: printable ASCII, one line, at most 100 characters, never empty
/// ([`crate::sanitise::subject`]; alerts are already built with it, this keeps any other caller safe).
pub fn sns_subject(subject: &str) -> String {
    crate::sanitise::subject(subject)
}

/// The `MessageStructure=json` message: `default`, `email` and `https` bodies, at most
/// [`MAX_MESSAGE_BYTES`] once serialised (the text bodies are cut, the chat body is already short).
pub fn structured_message(alert: &Alert) -> String {
    let email = email_text(alert);
    let https = chatbot_notification(alert).to_string();
    let mut budget = MAX_MESSAGE_BYTES;
    loop {
        let message = serde_json::json!({
            "default": clip_bytes(&alert.body, budget),
            "email": clip_bytes(&email, budget / 2),
            "https": https,
        })
        .to_string();
        // JSON escaping can grow a body (quotes, line breaks): shrink until the whole fits.
        if message.len() <= MAX_MESSAGE_BYTES || budget == 0 {
            return message;
        }
        budget /= 2;
    }
}

fn clip_bytes(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    &text[..cut]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_made_acceptable() {
        assert_eq!(sns_subject("THROTTLED f: depth 17 > 16"), "THROTTLED f: depth 17 > 16");
        assert_eq!(sns_subject("a\nb — c"), "a\\nb ? c");
        assert_eq!(sns_subject(&"x".repeat(300)).len(), MAX_SUBJECT_CHARS);
        assert_eq!(sns_subject("  \n"), "\\n");
        assert_eq!(sns_subject(""), "runaway-guard alert");
    }

    fn alert(body: String) -> Alert {
        Alert {
            subject: "THROTTLED f: chain depth 17 > 16".into(),
            body,
            attributes: vec![("outcome".into(), "throttled".into())],
            ..Alert::default()
        }
    }

    #[test]
    fn each_protocol_gets_its_body_and_default_is_the_whole_text() {
        let body = "Human text.\n\n--- machine-readable ---\n{\"kind\": \"trip\"}\n".to_owned();
        let message: serde_json::Value =
            serde_json::from_str(&structured_message(&alert(body.clone()))).unwrap();
        assert_eq!(message["default"], body.as_str());
        let email = message["email"].as_str().unwrap();
        assert!(email.starts_with("Human text.\n") && !email.contains("kind"), "{email}");
        let chat: serde_json::Value = serde_json::from_str(message["https"].as_str().unwrap()).unwrap();
        assert_eq!(chat["source"], "custom");
        assert_eq!(message.as_object().map(|m| m.len()), Some(3));
    }

    #[test]
    fn a_huge_quote_heavy_body_still_fits_in_one_message() {
        let message = structured_message(&alert("\"\n".repeat(200 * 1024)));
        assert!(message.len() <= MAX_MESSAGE_BYTES, "{} bytes", message.len());
        let parsed: serde_json::Value = serde_json::from_str(&message).unwrap();
        assert!(parsed["default"].as_str().unwrap().len() > 10 * 1024, "not cut to nothing");
    }

    #[test]
    fn bodies_are_clipped_on_char_boundaries() {
        assert_eq!(clip_bytes("héllo", 2), "h");
        assert_eq!(clip_bytes("short", 100), "short");
    }
}
