//! Free text (a reason a person typed, a caller ARN) in a Lambda tag value, reversibly.
//!
//! A tag value holds Unicode letters, digits, spaces and `+ - = . _ : / @`, at most 256 characters.
//! [`encode`] keeps ASCII letters, digits, `+ - . _ : /  @` and single inner spaces as they are and
//! writes every other byte of the text's UTF-8 as `=XX` (two upper-case hex digits), so `=` itself
//! is `=3D` and [`decode`] gives back exactly what was written. Text too long for one value is
//! first cut at a character and ends with [`TRUNCATED`] (see [`fit`]): the record says so itself.

use super::MAX_TAG_VALUE_CHARS;

/// What ends a text cut to fit a tag value.
pub const TRUNCATED: &str = " (truncated)";

/// Whether `c` is stored as itself (a space only between two other characters, see [`encode`]).
fn kept(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+-._:/@".contains(c)
}

/// `text` as a legal tag value that [`decode`] turns back into `text` (which may be longer than a
/// tag value: [`fit`] first where it must fit).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut previous: Option<char> = None;
    while let Some(c) = chars.next() {
        // Lambda may trim or fold spaces at the ends or in runs: those are escaped.
        let plain_space =
            c == ' ' && previous.is_some_and(|p| p != ' ') && chars.peek().is_some_and(|n| *n != ' ');
        if kept(c) || plain_space {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("={byte:02X}"));
            }
        }
        previous = Some(c);
    }
    out
}

/// The text an [`encode`]d value holds. A value written by hand is read as leniently as it can be:
/// an `=` not followed by two hex digits stays an `=`, and bytes that are not UTF-8 read as U+FFFD.
pub fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match hex.filter(|_| bytes[i] == b'=').and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `text` itself when its [`encode`]d form fits a tag value; otherwise its longest beginning that
/// fits followed by [`TRUNCATED`]. `fit(fit(t)) == fit(t)`, so a record read back and signed again
/// gives the same bytes.
pub fn fit(text: &str) -> String {
    let fits = |t: &str| encode(t).chars().count() <= MAX_TAG_VALUE_CHARS;
    if fits(text) {
        return text.to_owned();
    }
    // Each kept character takes at least one tag character: no longer beginning can fit.
    let mut keep: Vec<char> = text.chars().take(MAX_TAG_VALUE_CHARS).collect();
    while !keep.is_empty() {
        let candidate: String = keep.iter().collect::<String>() + TRUNCATED;
        if fits(&candidate) {
            return candidate;
        }
        keep.pop();
    }
    TRUNCATED.trim_start().to_owned()
}

/// The tag value that stores `text`: [`fit`], then [`encode`].
pub fn stored(text: &str) -> String {
    encode(&fit(text))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn punctuation_survives_and_plain_text_stays_readable() {
        let reason = "loop via EventBridge, see INC-42 (depth > 16; cost $40/h) = 100%";
        let value = stored(reason);
        assert!(value.starts_with("loop via EventBridge=2C see INC-42 =28depth =3E 16"), "{value}");
        assert_eq!(decode(&value), reason);
        assert_eq!(stored("rising 2000 > 4000"), "rising 2000 =3E 4000");
        assert_eq!(decode("rising 2000 gt 4000"), "rising 2000 gt 4000", "older records read as written");
    }

    #[test]
    fn long_text_is_cut_with_a_note() {
        let value = stored(&"é".repeat(300));
        assert!(value.chars().count() <= MAX_TAG_VALUE_CHARS, "{value}");
        let back = decode(&value);
        assert!(back.ends_with(TRUNCATED) && back.starts_with("éé"), "{back}");
        assert_eq!(fit(&back), back);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_text_is_a_legal_tag_value_that_reads_back(text in "\\PC{0,300}") {
            let value = stored(&text);
            prop_assert!(value.chars().count() <= MAX_TAG_VALUE_CHARS);
            prop_assert!(value.chars().all(|c| kept(c) || c == ' ' || c == '='), "{}", value);
            prop_assert!(!value.starts_with(' ') && !value.ends_with(' ') && !value.contains("  "));
            let back = decode(&value);
            prop_assert_eq!(&back, &fit(&text));
            prop_assert_eq!(stored(&back), value);
        }
    }
}
