//! Unit tests of the string form.

use super::*;

fn header(root: &str, depth: u32, function: &str) -> ChainHeader {
    ChainHeader::new(ChainRoot::new(root).unwrap(), depth, FunctionName::new(function).unwrap()).unwrap()
}

#[test]
fn parses_fields_in_any_order_and_ignores_unknown_ones() {
    let want = header("1-abc", 3, "orders");
    assert_eq!(ChainHeader::parse("root=1-abc;depth=3;function=orders"), Ok(want.clone()));
    assert_eq!(ChainHeader::parse("function=orders;v=2;depth=3;root=1-abc"), Ok(want));
}

#[test]
fn rejects_each_malformation_with_its_own_error() {
    use ChainError::*;
    let cases: &[(&str, ChainError)] = &[
        ("depth=3;function=f", Missing("root")),
        ("root=r;function=f", Missing("depth")),
        ("root=r;depth=3", Missing("function")),
        ("root=r;depth=3;depth=4;function=f", Duplicate("depth".into())),
        ("root=r;x=1;x=2;depth=3;function=f", Duplicate("x".into())),
        ("root=r;depth=0;function=f", BadDepth("0".into())),
        ("root=r;depth=+3;function=f", BadDepth("+3".into())),
        ("root=r;depth=-3;function=f", BadDepth("-3".into())),
        ("root=r;depth=03;function=f", BadDepth("03".into())),
        ("root=r;depth=1000001;function=f", BadDepth("1000001".into())),
        ("root=r;depth=99999999999;function=f", BadDepth("99999999999".into())),
        ("root=r;depth=3 ;function=f", BadDepth("3 ".into())),
        ("root=r;depth=3;function=f;", Malformed("empty field (stray ';')")),
        ("root=r;depth=3;function", Malformed("field without '='")),
        ("root=a=b;depth=3;function=f", Malformed("'=' inside a value")),
        ("root=a;b;depth=3;function=f", Malformed("field without '='")),
        (" root=r;depth=3;function=f", Malformed("field names are ASCII letters, digits, '-' or '_'")),
        ("root=;depth=3;function=f", BadRoot { reason: "must be 1 to 128 characters" }),
        ("root=r;depth=3;function=a b", BadFunction(NameError::BadCharacter { found: ' ' })),
        ("", Malformed("empty field (stray ';')")),
    ];
    for (input, want) in cases {
        assert_eq!(ChainHeader::parse(input).as_ref(), Err(want), "{input:?}");
    }
}

#[test]
fn rejects_overlong_headers_and_values() {
    let long = format!("root=r;depth=1;function=f;pad={}", "x".repeat(MAX_HEADER_LEN));
    assert_eq!(ChainHeader::parse(&long), Err(ChainError::TooLong { len: long.len() }));
    let root = format!("root={};depth=1;function=f", "r".repeat(MAX_ROOT_LEN + 1));
    assert!(matches!(ChainHeader::parse(&root), Err(ChainError::BadRoot { .. })));
    let function = format!("root=r;depth=1;function={}", "f".repeat(65));
    assert_eq!(ChainHeader::parse(&function), Err(ChainError::BadFunction(NameError::TooLong { len: 65 })));
}

#[test]
fn formats_the_canonical_string_form() {
    let h = header("1-5759e988-bd862e3fe1be46a994272793", 1_000_000, "orders-worker");
    assert_eq!(
        h.to_string(),
        "root=1-5759e988-bd862e3fe1be46a994272793;depth=1000000;function=orders-worker"
    );
    assert_eq!(h.to_string().parse::<ChainHeader>(), Ok(h));
}

#[test]
fn new_and_check_enforce_depth_bounds() {
    let (root, f) = (ChainRoot::new("r").unwrap(), FunctionName::new("f").unwrap());
    assert_eq!(ChainHeader::new(root.clone(), 0, f.clone()), Err(ChainError::BadDepth("0".into())));
    assert!(ChainHeader::new(root.clone(), MAX_DEPTH + 1, f.clone()).is_err());
    let h = ChainHeader::new(root, 16, f).unwrap();
    assert_eq!(h.check(16), Ok(()));
    assert_eq!(h.check(15), Err(ChainError::LimitReached { depth: 16, limit: 15 }));
}
