//! The JSON face: serialised JSON that a person may also read (the machine-readable block of an
//! alert, which e-mail-to-chat bridges forward; the CLI's `--json` on a terminal). Machines need
//! the exact value, so nothing is altered: `<`, hidden characters and the `@` of a broadcast
//! mention are written as `\u` escapes, which every JSON parser decodes back to the same string.

use super::{is_hidden, starts_broadcast};

/// `serialised` (valid JSON) with `<`, hidden characters and broadcast `@`s as `\u` escapes.
/// Outside strings JSON is ASCII punctuation, digits, literals and spaces, so every character
/// replaced here is inside a string, where a `\u` escape means that same character.
pub fn json(serialised: &str) -> String {
    let chars: Vec<char> = serialised.chars().collect();
    let mut out = String::with_capacity(serialised.len());
    for (at, &c) in chars.iter().enumerate() {
        let hide = c == '<'
            || (c != '\n' && c != ' ' && is_hidden(c))
            || (c == '@' && starts_broadcast(&chars[at + 1..]));
        if hide {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}
