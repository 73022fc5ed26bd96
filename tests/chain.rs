//! Property tests for the chain header: parsers never panic, and every valid header round-trips
//! through both wire forms. Builds with `--no-default-features` (chain only).

use proptest::prelude::*;
use runaway_guard::chain::{ChainError, ChainHeader, ChainRoot, MAX_DEPTH};
use runaway_guard::name::FunctionName;

fn header() -> impl Strategy<Value = ChainHeader> {
    ("[A-Za-z0-9._-]{1,128}", 1..=MAX_DEPTH, "[A-Za-z0-9_-]{1,64}").prop_map(|(root, depth, function)| {
        ChainHeader::new(ChainRoot::new(&root).unwrap(), depth, FunctionName::new(&function).unwrap())
            .unwrap()
    })
}

/// Strings assembled from the header's own vocabulary reach far more parser branches than
/// uniformly random text does.
fn near_header() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("root=".to_owned()),
        Just("depth=".to_owned()),
        Just("function=".to_owned()),
        Just(";".to_owned()),
        Just("=".to_owned()),
        Just("+".to_owned()),
        Just("-".to_owned()),
        "[0-9]{1,12}",
        "[A-Za-z_.-]{0,8}",
        "\\PC{0,4}",
    ];
    prop::collection::vec(piece, 0..16).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn string_parser_never_panics(input in "\\PC{0,600}") {
        let _ = ChainHeader::parse(&input);
    }

    #[test]
    fn near_headers_parse_or_fail_consistently(input in near_header()) {
        match ChainHeader::parse(&input) {
            // Whatever is accepted is in range and re-parses to itself from its canonical form.
            Ok(h) => {
                prop_assert!((1..=MAX_DEPTH).contains(&h.depth));
                prop_assert_eq!(ChainHeader::parse(&h.to_string()), Ok(h));
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn json_parser_never_panics(input in "\\PC{0,300}") {
        let _ = ChainHeader::from_json(&input);
    }

    #[test]
    fn both_forms_round_trip(h in header()) {
        prop_assert_eq!(ChainHeader::parse(&h.to_string()), Ok(h.clone()));
        prop_assert_eq!(ChainHeader::from_value(&h.to_json()), Ok(h.clone()));
        prop_assert_eq!(ChainHeader::from_json(&h.to_json().to_string()), Ok(h));
    }

    #[test]
    fn next_hop_counts_up_to_the_limit(h in header(), limit in 1u32..64) {
        let me = FunctionName::new("me").unwrap();
        match ChainHeader::next_hop_checked(Some(&h), &me, None, String::new, limit) {
            Ok(next) => {
                prop_assert_eq!(next.depth, h.depth + 1);
                prop_assert!(next.depth <= limit);
                prop_assert_eq!(next.root, h.root);
            }
            Err(ChainError::LimitReached { depth, .. }) => prop_assert!(depth > limit),
            Err(other) => prop_assert!(false, "unexpected {other}"),
        }
    }
}
