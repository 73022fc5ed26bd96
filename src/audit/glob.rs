//! IAM-style wildcards (`*` any run of characters, `?` one character): matching a name, and whether
//! two patterns can match one same name. Policy variables (`${aws:username}`) count as `*`.

/// One element of a compiled pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Any,
    One,
    Char(char),
}

fn tokens(pattern: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        // A policy variable stands for a value known only at request time: any run of characters.
        if let Some(tail) = rest.strip_prefix("${")
            && let Some(end) = tail.find('}')
        {
            out.push(Token::Any);
            rest = &tail[end + 1..];
            continue;
        }
        out.push(match c {
            '*' => Token::Any,
            '?' => Token::One,
            c => Token::Char(c),
        });
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Whether `name` matches `pattern`. `fold_case` compares letters case-insensitively (IAM action
/// names); resource ARNs compare exactly.
pub fn matches(pattern: &str, name: &str, fold_case: bool) -> bool {
    if fold_case {
        literal_match(&pattern.to_ascii_lowercase(), &name.to_ascii_lowercase())
    } else {
        literal_match(pattern, name)
    }
}

/// Whether some name matches both `a` and `b` (both may hold wildcards).
pub fn intersects(a: &str, b: &str) -> bool {
    match (is_literal(a), is_literal(b)) {
        (true, _) => literal_match(b, a),
        (_, true) => literal_match(a, b),
        _ => intersect_tokens(&tokens(a), &tokens(b)),
    }
}

fn is_literal(s: &str) -> bool {
    !s.contains(['*', '?']) && !s.contains("${")
}

/// `pattern` against the plain `name`: a greedy two-pointer match (no allocation) for ASCII
/// without policy variables, the general automaton otherwise.
fn literal_match(pattern: &str, name: &str) -> bool {
    if !pattern.is_ascii() || !name.is_ascii() || pattern.contains("${") {
        let literal: Vec<Token> = name.chars().map(Token::Char).collect();
        return intersect_tokens(&tokens(pattern), &literal);
    }
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(&c) if c == b'?' || c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                // Let the last `*` take one more character and retry after it.
                Some((s, taken)) => {
                    star = Some((s, taken + 1));
                    pi = s + 1;
                    ni = taken + 1;
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Whether every name `inner` matches also matches `outer`, where that is provable cheaply: `outer`
/// equal to `inner`, `outer` is `*`, or `outer` is a literal prefix followed by a single trailing
/// `*` that `inner`'s own literal prefix starts with, or `inner` a plain name `outer` matches. `false` means "not proven", never "disjoint".
pub fn covers(outer: &str, inner: &str) -> bool {
    if is_literal(inner) {
        return literal_match(outer, inner);
    }
    let (outer_t, inner_t) = (tokens(outer), tokens(inner));
    if outer_t == inner_t {
        return true;
    }
    match outer_t.split_last() {
        Some((Token::Any, head)) if head.iter().all(|t| matches!(t, Token::Char(_))) => {
            let literal_prefix = inner_t.iter().take_while(|t| matches!(t, Token::Char(_))).count();
            literal_prefix >= head.len() && inner_t[..head.len()] == *head
        }
        _ => false,
    }
}

/// Product of the two patterns' automata, explored breadth-first: state `(i, j)` means `a[..i]` and
/// `b[..j]` have matched one same prefix. `*` may be skipped (ε) or consume a character.
fn intersect_tokens(a: &[Token], b: &[Token]) -> bool {
    let width = b.len() + 1;
    let mut seen = vec![false; (a.len() + 1) * width];
    let mut pending = vec![(0usize, 0usize)];
    while let Some((i, j)) = pending.pop() {
        let slot = i * width + j;
        if seen[slot] {
            continue;
        }
        seen[slot] = true;
        if i == a.len() && j == b.len() {
            return true;
        }
        let (ta, tb) = (a.get(i).copied(), b.get(j).copied());
        if ta == Some(Token::Any) {
            pending.push((i + 1, j));
        }
        if tb == Some(Token::Any) {
            pending.push((i, j + 1));
        }
        if let (Some(x), Some(y)) = (ta, tb)
            && let Some(step) = consume(x, y)
        {
            pending.push((i + step.0, j + step.1));
        }
    }
    false
}

/// One shared character consumed by both: how far each pattern advances (a `*` stays put).
fn consume(x: Token, y: Token) -> Option<(usize, usize)> {
    let advance = |t: Token| usize::from(t != Token::Any);
    match (x, y) {
        (Token::Char(p), Token::Char(q)) if p != q => None,
        _ => Some((advance(x), advance(y))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wildcards_match_as_iam_does() {
        assert!(matches("s3:*", "s3:PutObject", true));
        assert!(matches("S3:put*", "s3:PutObject", true));
        assert!(!matches("s3:Get*", "s3:PutObject", true));
        assert!(matches("arn:aws:s3:::b/up?oads/*", "arn:aws:s3:::b/uploads/x.png", false));
        assert!(!matches("arn:aws:s3:::B/*", "arn:aws:s3:::b/x", false));
        assert!(matches("arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/x", false));
        assert!(!matches("a?", "a", false));
        assert!(matches("*", "", false));
    }

    #[test]
    fn intersections_between_patterns() {
        assert!(intersects("b/uploads/*", "b/*.png"));
        assert!(!intersects("b/thumbs/*", "b/uploads/*"));
        assert!(intersects("b/*/x", "b/y/*"));
        assert!(!intersects("b/?", "b/xy"));
        assert!(intersects("*", "anything"));
    }

    #[test]
    fn coverage_is_only_claimed_when_proven() {
        assert!(covers("*", "b/uploads/*"));
        assert!(covers("b/*", "b/uploads/*.png"));
        assert!(covers("b/uploads/*", "b/uploads/*"));
        assert!(!covers("b/thumbs/*", "b/uploads/*"));
        assert!(!covers("b/*.png", "b/uploads/*.png"));
    }

    fn short_pattern() -> impl Strategy<Value = String> {
        proptest::string::string_regex("[ab*?]{0,6}").expect("valid regex")
    }

    proptest! {
        #[test]
        fn a_name_matching_both_proves_intersection(a in short_pattern(), b in short_pattern(),
                                                     name in "[ab]{0,6}") {
            if matches(&a, &name, false) && matches(&b, &name, false) {
                prop_assert!(intersects(&a, &b));
            }
        }

        #[test]
        fn the_fast_matcher_agrees_with_the_automaton(pattern in "[ab*?]{0,6}", name in "[ab?*]{0,6}") {
            let literal: Vec<Token> = name.chars().map(Token::Char).collect();
            prop_assert_eq!(matches(&pattern, &name, false), intersect_tokens(&tokens(&pattern), &literal));
        }

        #[test]
        fn intersection_is_symmetric(a in short_pattern(), b in short_pattern()) {
            prop_assert_eq!(intersects(&a, &b), intersects(&b, &a));
        }

        #[test]
        fn coverage_implies_matching(outer in short_pattern(), inner in "[ab]{0,4}\\*?", name in "[ab]{0,6}") {
            if covers(&outer, &inner) && matches(&inner, &name, false) {
                prop_assert!(matches(&outer, &name, false));
            }
        }

        #[test]
        fn intersection_has_a_witness(a in "[ab*?]{0,4}", b in "[ab*?]{0,4}") {
            // Each character of a shortest witness advances at least one pattern past a non-`*`
            // token, so a witness is at most 8 long: search every name over {a, b} up to that.
            let found = (0..=8usize).any(|len| (0..(1u32 << len)).any(|bits| {
                let name: String = (0..len).map(|k| if bits >> k & 1 == 1 { 'a' } else { 'b' }).collect();
                matches(&a, &name, false) && matches(&b, &name, false)
            }));
            prop_assert_eq!(found, intersects(&a, &b));
        }
    }
}
