//! The e-mail body of an alert: the human text alone. The JSON block that follows it in the
//! default body is for SQS and Lambda subscribers; an e-mail reader would only scroll past it.

use crate::ports::Alert;

/// The line that separates the human text from the JSON block in the default body.
pub const MACHINE_MARKER: &str = "--- machine-readable ---";

/// The human part of an alert body: everything before the JSON block, without trailing blank lines.
pub fn human_text(body: &str) -> &str {
    let marker = format!("\n{MACHINE_MARKER}\n");
    let human = body.find(&marker).map_or(body, |at| &body[..at]);
    human.trim_end()
}

/// What an e-mail subscriber reads (SNS adds its own unsubscribe footer).
pub fn email_text(alert: &Alert) -> String {
    let mut text = human_text(&alert.body).to_owned();
    text += "\n\n--\nSent by runaway-guard. SQS and Lambda subscribers of this topic receive the same \
             alert with a machine-readable JSON block.\n";
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_block_is_cut_and_text_without_one_is_kept_whole() {
        let body = format!("Line one.\n\nNext: x\n\n{MACHINE_MARKER}\n{{\"a\": 1}}\n");
        assert_eq!(human_text(&body), "Line one.\n\nNext: x");
        assert_eq!(human_text("plain text\n\n"), "plain text");
        let alert = Alert { body, ..Alert::default() };
        let email = email_text(&alert);
        assert!(email.starts_with("Line one.\n\nNext: x\n\n--\n") && !email.contains("\"a\""), "{email}");
    }
}
