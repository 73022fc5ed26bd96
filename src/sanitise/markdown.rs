//! The Slack/Chatbot face: text shown as `client-markdown` by Amazon Q Developer in chat
//! applications (AWS Chatbot). Slack treats `&`, `<` and `>` as control characters and asks for
//! them as HTML entities, which also makes `<!channel>`, `<@U…>`, `<#C…>` and `<url|text>` inert.
//! Slack has no escape for `*`, `_`, `~` and `` ` ``, so those become look-alikes (`∗`, `＿`, `∼`,
//! `ˋ`); an `_` inside a word (`orders_worker`) is left alone, since Slack never formats there
//! and a function name must stay copyable. A `>` that starts a line would quote it even as
//! `&gt;`: it becomes `›`. Hidden characters and broadcast mentions are treated as in plain text.

use super::{escaped, is_hidden, starts_broadcast};

/// `text` (which may span lines) as literal `client-markdown`: shown exactly, formatting nothing.
pub fn markdown(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut line_start = true;
    for (at, &c) in chars.iter().enumerate() {
        let before = at.checked_sub(1).map(|b| chars[b]);
        let after = &chars[at + 1..];
        match c {
            '\n' => out.push('\n'),
            c if is_hidden(c) => out.push_str(&escaped(c)),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' if line_start => out.push('›'),
            '>' => out.push_str("&gt;"),
            '*' => out.push('∗'),
            '~' => out.push('∼'),
            '`' => out.push('ˋ'),
            '_' if !(before.is_some_and(in_word) && after.first().copied().is_some_and(in_word)) => {
                out.push('＿')
            }
            '@' if starts_broadcast(after) => out.push('＠'),
            ']' if after.first() == Some(&'(') => out.push_str("] "),
            c => out.push(c),
        }
        line_start = c == '\n' || (line_start && c.is_whitespace());
    }
    out
}

/// A character Slack counts as part of a word (a hidden one is shown as an escape, so is not).
fn in_word(c: char) -> bool {
    c.is_alphanumeric() && !is_hidden(c)
}

/// `text` as one inline code span: Slack shows it verbatim except for its entities, so only
/// `&`, `<`, `>` are escaped, a backtick cannot close it early and it stays on one line.
pub fn code_span(text: &str) -> String {
    let mut out = String::from("`");
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            c if is_hidden(c) => out.push_str(&escaped(c)),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '`' => out.push('ˋ'),
            c => out.push(c),
        }
    }
    out.push('`');
    out
}
