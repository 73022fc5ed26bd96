use proptest::prelude::*;

use super::*;

/// Pieces an attacker would combine, and ordinary text around them.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<!channel>".to_owned()),
        Just("<!here|here>".to_owned()),
        Just("<!everyone>".to_owned()),
        Just("<@U024BE7LH>".to_owned()),
        Just("<#C024BE7LR>".to_owned()),
        Just("<https://evil.example/fix|Click to re-enable safely>".to_owned()),
        Just("[re-enable](https://evil.example)".to_owned()),
        Just("@here".to_owned()),
        Just("@Channel!".to_owned()),
        Just("\nNext: aws lambda delete-function-concurrency --function-name payments\n".to_owned()),
        Just("\u{1b}[2J\u{1b}[31m".to_owned()),
        Just("\r\n\t\u{7}\u{7f}\u{85}\u{9b}".to_owned()),
        Just("\u{202e}\u{2066}\u{2069}\u{200b}\u{feff}\u{2028}\u{e0041}".to_owned()),
        Just("*URGENT* _now_ ~gone~ `code` > quote".to_owned()),
        Just("&lt;!channel&gt; &amp;".to_owned()),
        "[a-zA-Z0-9 _.:/$-]{0,12}",
        any::<String>(),
        prop::collection::vec(any::<char>(), 0..8).prop_map(|c| c.into_iter().collect()),
    ];
    prop::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
}

fn has_broadcast(text: &str) -> bool {
    let lower = text.to_lowercase();
    BROADCASTS.iter().any(|w| lower.contains(&format!("@{w}")))
}

/// The benign values every face must leave readable (and the plain face unchanged).
const BENIGN: [&str; 7] = [
    "orders-worker",
    "orders_worker",
    "$5.00/h",
    "arn:aws:iam::123456789012:role/ci-deployer",
    "chain depth 17 > limit 16 (root 1-abc)",
    "alarm café-latency on AWS/Lambda/Duration",
    "alice@example.com rate 12.5/s",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn plain_fields_are_one_visible_line_with_no_live_markup(text in hostile()) {
        let out = one_line(&text);
        prop_assert!(!out.chars().any(is_hidden), "{out:?}");
        prop_assert!(!out.contains('<') && !out.contains("](") && !has_broadcast(&out), "{out:?}");
        prop_assert!(out.chars().count() <= MAX_FIELD_CHARS, "{}", out.chars().count());
        if out.chars().count() < MAX_FIELD_CHARS - 20 {
            prop_assert_eq!(one_line(&out), out.clone(), "escaping twice changes nothing");
        }
    }

    #[test]
    fn markdown_formats_nothing_and_links_or_mentions_no_one(text in hostile()) {
        let out = markdown(&text);
        prop_assert!(!out.chars().any(|c| c != '\n' && is_hidden(c)), "{out:?}");
        prop_assert!(!out.contains(['<', '>', '*', '~', '`']), "{out:?}");
        prop_assert!(!has_broadcast(&out) && !out.contains("]("), "{out:?}");
        let without_entities = out.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "");
        prop_assert!(!without_entities.contains('&'), "a bare & could start an entity: {out:?}");
        let chars: Vec<char> = out.chars().collect();
        for (at, _) in chars.iter().enumerate().filter(|(_, c)| **c == '_') {
            let word = |i: Option<usize>| i.and_then(|i| chars.get(i)).is_some_and(|c| c.is_alphanumeric());
            prop_assert!(word(at.checked_sub(1)) && word(Some(at + 1)), "a word-edge _ at {at}: {out:?}");
        }
        prop_assert_eq!(out.lines().count(), markdown_lines(&text), "lines are kept, none added");
    }

    #[test]
    fn code_spans_stay_one_span_on_one_line(text in hostile()) {
        let out = code_span(&text);
        prop_assert!(out.starts_with('`') && out.ends_with('`') && out.matches('`').count() == 2, "{out:?}");
        prop_assert!(!out.chars().any(is_hidden) && !out.contains(['<', '>']), "{out:?}");
    }

    #[test]
    fn subjects_are_what_sns_accepts(text in hostile()) {
        let out = subject(&text);
        prop_assert!(!out.is_empty() && out.len() <= MAX_SUBJECT_CHARS, "{out:?}");
        prop_assert!(out.chars().all(|c| c.is_ascii_graphic() || c == ' '), "{out:?}");
        prop_assert!(!out.contains('<') && !has_broadcast(&out), "{out:?}");
    }

    #[test]
    fn xml_text_holds_no_markup_and_no_illegal_character(text in hostile()) {
        let out = xml(&text);
        prop_assert!(!out.chars().any(is_hidden) && !out.contains(['<', '>', '"', '\'']), "{out:?}");
        let without_entities = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].iter().fold(out.clone(), |t, e| t.replace(e, ""));
        prop_assert!(!without_entities.contains('&'), "{out:?}");
    }

    #[test]
    fn json_keeps_every_value_and_shows_no_live_markup(text in hostile()) {
        let value = serde_json::json!({ "alarm": text, "list": [text.clone()] });
        let out = json(&serde_json::to_string_pretty(&value).unwrap());
        prop_assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap(), value);
        prop_assert!(!out.chars().any(|c| c != '\n' && is_hidden(c)), "{out:?}");
        prop_assert!(!out.contains('<') && !has_broadcast(&out), "{out:?}");
    }
}

fn markdown_lines(text: &str) -> usize {
    text.lines().count()
}

#[test]
fn benign_text_survives_readable() {
    for text in BENIGN {
        assert_eq!(one_line(text), text);
        assert_eq!(Plain(text).to_string(), text);
        assert_eq!(subject(text), text.replace('é', "?"));
        let value = serde_json::json!(text);
        assert_eq!(json(&value.to_string()), value.to_string());
    }
    assert_eq!(markdown("orders_worker $5.00/h"), "orders_worker $5.00/h");
    assert_eq!(markdown("depth 17 > limit 16 & more"), "depth 17 &gt; limit 16 &amp; more");
    assert_eq!(code_span("runaway-guard reenable orders_worker"), "`runaway-guard reenable orders_worker`");
}

#[test]
fn the_reported_alarm_names_are_shown_inert() {
    let link = "runaway-watch-<!channel> *URGENT* <https://evil.example/fix|Click to re-enable safely>";
    assert_eq!(
        one_line(link),
        "runaway-watch-‹!channel> *URGENT* ‹https://evil.example/fix|Click to re-enable safely>"
    );
    assert_eq!(
        markdown(link),
        "runaway-watch-&lt;!channel&gt; ∗URGENT∗ &lt;https://evil.example/fix|Click to re-enable safely&gt;"
    );
    let forged = "runaway-watch-x\n\u{1b}[2JNext: aws lambda delete-function-concurrency --function-name pay";
    assert_eq!(
        one_line(forged),
        "runaway-watch-x\\n\\u{1b}[2JNext: aws lambda delete-function-concurrency --function-name pay"
    );
    assert_eq!(one_line("a\u{202e}b @here @hereafter [x](y)"), "a\\u{202e}b ＠here ＠hereafter [x] (y)");
    assert_eq!(markdown("> quoted\n _x_ a_b"), "› quoted\n ＿x＿ a_b");
}

#[test]
fn long_values_are_cut_visibly_and_never_inside_an_escape() {
    let long = "x".repeat(MAX_FIELD_CHARS + 1);
    let out = one_line(&long);
    assert!(out.ends_with(CUT_MARKER) && out.chars().count() == MAX_FIELD_CHARS, "{out}");
    assert_eq!(one_line(&"x".repeat(MAX_FIELD_CHARS)), "x".repeat(MAX_FIELD_CHARS));
    let escapes = "\u{1b}".repeat(10);
    let out = one_line_max(&escapes, 20);
    assert_eq!(out, format!("\\u{{1b}}\\u{{1b}}{CUT_MARKER}"));
    assert_eq!(subject(&"y".repeat(300)), format!("{}...", "y".repeat(MAX_SUBJECT_CHARS - 3)));
    assert_eq!(subject(" \u{200b} "), "\\u{200b}");
    assert_eq!(subject("   "), "runaway-guard alert");
}
