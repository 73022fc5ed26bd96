//! One rule for every value that came from outside the guard (alarm names, state reasons, tag
//! values, event fields, caller ARNs, queue names, AWS error messages) before a person reads it.
//! Each face a person reads has its function here, and nothing else in the crate escapes text for
//! a reader (`aws::trip_tags::tag_safe` makes a value a legal tag, a different concern):
//! - [`one_line`] / [`Plain`]: a one-line field in plain text: alert bodies (default and e-mail),
//!   the CLI's tables and messages, log fields. Control characters (C0, C1, DEL, so ANSI escape
//!   sequences too), line and paragraph separators, bidi overrides and isolates, zero-width and
//!   other invisible format characters are shown as visible escapes (`\n`, `\u{1b}`, `\u{202e}`);
//!   chat mention and link forms are neutralised (`<` becomes `‹`, `@here` becomes `＠here`, a
//!   Markdown `](` gets a space), since teams forward e-mails to chat; long values are cut with a
//!   visible marker.
//! - [`markdown`]: Slack/Chatbot `client-markdown` text (see `markdown.rs`).
//! - [`subject`]: an SNS subject line (printable ASCII, one line, at most 100 characters).
//! - [`xml`]: text in the simulator's SVG (element text and attribute values).
//! - [`json`]: JSON a person may read (the alerts' machine-readable block, the CLI's `--json`),
//!   with the same characters written as `\u` escapes: machines decode the exact value.
//!
//! Bare URLs stay as they are: they show their real target, and an operator's ticket link is
//! useful; what is neutralised is a link whose text hides its target (`<url|text>`, `[text](url)`).
//! Pure: no SDK, no I/O, no state.

use std::fmt;

mod json;
mod markdown;

pub use json::json;
pub use markdown::{code_span, markdown};

/// Longest one-line field, in characters after escaping; longer values end in [`CUT_MARKER`].
pub const MAX_FIELD_CHARS: usize = 512;
/// SNS's subject limit (characters).
pub const MAX_SUBJECT_CHARS: usize = 100;
/// What ends a field that was cut.
pub const CUT_MARKER: &str = "… [cut]";
/// The subject used when nothing printable is left.
const EMPTY_SUBJECT: &str = "runaway-guard alert";

/// The chat broadcast words that notify a whole channel when written after `@`.
const BROADCASTS: [&str; 3] = ["channel", "here", "everyone"];

/// `text` as one line of plain text, at most [`MAX_FIELD_CHARS`] characters.
pub fn one_line(text: &str) -> String {
    one_line_max(text, MAX_FIELD_CHARS)
}

/// `text` as one line of plain text, at most `max` characters (never less than the marker).
pub fn one_line_max(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let units: Vec<String> =
        chars.iter().enumerate().map(|(at, &c)| plain_unit(c, &chars[at + 1..])).collect();
    let width: usize = units.iter().map(|u| u.chars().count()).sum();
    if width <= max {
        return units.concat();
    }
    let room = max.saturating_sub(CUT_MARKER.chars().count());
    let mut out = String::new();
    let mut used = 0;
    // An escape is never split: a cut `\u{1b}` would read as something else.
    for unit in units.iter().take_while(|u| {
        used += u.chars().count();
        used <= room
    }) {
        out.push_str(unit);
    }
    out + CUT_MARKER
}

/// A `Display` wrapper that writes its value through [`one_line`]: for `format!` and for log
/// fields (`warn!(alarm = %Plain(&name), ...)`), so a value can neither forge a line nor colour one.
#[derive(Debug, Clone, Copy)]
pub struct Plain<T>(pub T);

impl<T: fmt::Display> fmt::Display for Plain<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&one_line(&self.0.to_string()))
    }
}

/// An SNS subject: [`one_line`], then printable ASCII only (anything else becomes `?`), at most
/// [`MAX_SUBJECT_CHARS`] (a longer one ends in `...`), never empty.
pub fn subject(text: &str) -> String {
    let line = one_line_max(text, usize::MAX);
    let ascii: String =
        line.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' }).collect();
    let trimmed = ascii.trim();
    if trimmed.is_empty() {
        return EMPTY_SUBJECT.to_owned();
    }
    if trimmed.len() <= MAX_SUBJECT_CHARS {
        return trimmed.to_owned();
    }
    format!("{}...", trimmed[..MAX_SUBJECT_CHARS - 3].trim_end())
}

/// `text` as XML character data or a quoted attribute value: the five markup characters as
/// entities, hidden characters as visible escapes (most controls are not even legal XML).
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if is_hidden(c) => out.push_str(&escaped(c)),
            c => out.push(c),
        }
    }
    out
}

/// What `c` becomes in plain text, given the characters after it.
fn plain_unit(c: char, after: &[char]) -> String {
    match c {
        '\n' => "\\n".to_owned(),
        '\r' => "\\r".to_owned(),
        '\t' => "\\t".to_owned(),
        c if is_hidden(c) => escaped(c),
        '<' => "‹".to_owned(),
        '@' if starts_broadcast(after) => "＠".to_owned(),
        ']' if after.first() == Some(&'(') => "] ".to_owned(),
        c => c.to_string(),
    }
}

/// `\u{202e}`: the form Rust and `tracing` use, readable and never itself a control.
fn escaped(c: char) -> String {
    format!("\\u{{{:x}}}", u32::from(c))
}

/// `@channel`, `@here`, `@everyone` (any case), even inside a longer word: a chat client's idea of
/// where a mention ends is not ours to guess.
fn starts_broadcast(after: &[char]) -> bool {
    BROADCASTS.iter().any(|word| {
        after.len() >= word.len() && after.iter().zip(word.chars()).all(|(a, w)| a.eq_ignore_ascii_case(&w))
    })
}

/// Characters a reader cannot see or that change what is shown around them: controls (C0, DEL,
/// C1), line and paragraph separators, and invisible format characters (Unicode category Cf:
/// bidi overrides and isolates, zero-width characters, tag characters) and the Hangul fillers
/// that render as blanks.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08E2}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

#[cfg(test)]
mod tests;
