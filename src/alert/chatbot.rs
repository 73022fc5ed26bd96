//! The Amazon Q Developer in chat applications (formerly AWS Chatbot) custom notification for an
//! alert. Chatbot subscribes to the topic over HTTPS and shows only AWS events and its documented
//! custom schema (`version` 1.0, `source` custom, `content` with `client-markdown` text, optional
//! `metadata`); anything else is silently not shown. Built from the [`Alert`] alone, so every kind
//! of alert (trip, re-enable, offender search) gets the same treatment.

use serde_json::{Map, Value, json};

use super::email::human_text;
use crate::ports::Alert;
use crate::sanitise::{code_span, markdown};

/// The schema version Chatbot accepts.
pub const CHATBOT_SCHEMA_VERSION: &str = "1.0";
/// A chat message is read on a phone: longer descriptions are cut, the e-mail keeps the whole text.
pub const MAX_DESCRIPTION_CHARS: usize = 3000;

/// The custom notification for `alert`: title = the subject, description = the evidence, next
/// steps = what to run, related resources = the function ARN.
pub fn chatbot_notification(alert: &Alert) -> Value {
    let attribute = |key: &str| attribute(alert, key);
    let keywords: Vec<&str> = ["outcome", "reason", "function"].iter().filter_map(|k| attribute(k)).collect();
    let mut context = Map::new();
    for key in ["function", "outcome", "reason", "account", "region"] {
        if let Some(value) = attribute(key) {
            context.insert(key.to_owned(), json!(value));
        }
    }
    let mut metadata = json!({
        "summary": alert.subject,
        "eventType": format!("runaway-guard:{}", attribute("outcome").unwrap_or("alert")),
        "relatedResources": alert.function_arn.iter().collect::<Vec<_>>(),
        "additionalContext": context,
    });
    // One thread per function: its trip, retries and re-enable read as one conversation.
    if let Some(arn) = &alert.function_arn {
        metadata["threadId"] = json!(arn);
    }
    json!({
        "version": CHATBOT_SCHEMA_VERSION,
        "source": "custom",
        "content": {
            "textType": "client-markdown",
            "title": format!("{} {}", emoji(attribute("outcome")), markdown(&alert.subject)),
            "description": description(&alert.body),
            "nextSteps": alert.next_steps.iter().map(|s| next_step_markdown(s)).collect::<Vec<_>>(),
            "keywords": keywords,
        },
        "metadata": metadata,
    })
}

fn attribute<'a>(alert: &'a Alert, key: &str) -> Option<&'a str> {
    alert.attributes.iter().find(|(k, v)| k == key && !v.is_empty()).map(|(_, v)| v.as_str())
}

/// Red for a function stopped or still running away, amber for a decision that changed nothing,
/// green for a recovery.
fn emoji(outcome: Option<&str>) -> &'static str {
    match outcome {
        Some("throttled" | "failed" | "capped") => ":rotating_light:",
        Some("reenabled") => ":white_check_mark:",
        _ => ":warning:",
    }
}

/// The human text without its "Next:" paragraph (that is `nextSteps`), shown literally
/// ([`markdown`]: the values in it came from outside), with its first line in bold and each
/// `Label:` in bold, cut at [`MAX_DESCRIPTION_CHARS`].
fn description(body: &str) -> String {
    let human = human_text(body);
    let evidence = human.find("\nNext:").map_or(human, |at| &human[..at]).trim_end();
    let mut lines = evidence.lines();
    let mut out = lines.next().map(|first| format!("*{}*", markdown(first.trim()))).unwrap_or_default();
    for line in lines {
        out.push('\n');
        out += &bold_label(line);
    }
    if out.chars().count() > MAX_DESCRIPTION_CHARS {
        const NOTE: &str = "\n_(cut here; the e-mail and SQS subscribers get the whole text)_";
        let cut: String = out.chars().take(MAX_DESCRIPTION_CHARS - NOTE.len()).collect();
        out = cut + NOTE;
    }
    out
}

/// `Why: ...` → `*Why:* ...` for a short leading label; the text itself shown literally.
fn bold_label(line: &str) -> String {
    match line.split_once(": ") {
        Some((label, rest)) if is_label(label) => format!("*{label}:* {}", markdown(rest)),
        _ => markdown(line),
    }
}

fn is_label(label: &str) -> bool {
    label.len() <= 32
        && label.starts_with(|c: char| c.is_ascii_uppercase())
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
}

/// "fix the cause, then re-enable with:\n  runaway-guard reenable f" → "Fix the cause, then
/// re-enable with: `runaway-guard reenable f`" (prose shown literally, commands as code).
fn next_step_markdown(step: &str) -> String {
    let mut parts = Vec::new();
    for line in step.lines().map(str::trim_end).filter(|l| !l.trim().is_empty()) {
        match line.strip_prefix("  ") {
            Some(command) => parts.push(code_span(command.trim())),
            None => parts.push(markdown(line.trim())),
        }
    }
    let text = parts.join(" ");
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_become_code_and_sentences_start_upper_case() {
        let step = "fix the cause, then re-enable with:\n  runaway-guard reenable orders\n";
        assert_eq!(
            next_step_markdown(step),
            "Fix the cause, then re-enable with: `runaway-guard reenable orders`"
        );
        assert_eq!(next_step_markdown(""), "");
    }

    #[test]
    fn labels_are_bold_and_prose_is_left_alone() {
        assert_eq!(bold_label("Why: depth 17"), "*Why:* depth 17");
        assert_eq!(bold_label("Previous reserved concurrency: 25"), "*Previous reserved concurrency:* 25");
        assert_eq!(bold_label("- async events: go"), "- async events: go");
        assert_eq!(bold_label("arn:aws:x: y"), "arn:aws:x: y");
    }

    #[test]
    fn long_descriptions_are_cut_and_say_so() {
        let body = format!("Head\n{}\nNext: x", "y".repeat(10_000));
        let text = description(&body);
        assert!(text.chars().count() <= MAX_DESCRIPTION_CHARS, "{}", text.len());
        assert!(text.starts_with("*Head*\n") && text.ends_with("whole text)_") && !text.contains("Next:"));
    }
}
