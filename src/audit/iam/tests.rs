//! The IAM evaluator against hand-written policies, and its properties.

use proptest::prelude::*;

use super::*;

fn role(policies: &[&str], boundary: Option<&str>) -> Role {
    let named = |i: usize, text: &str| NamedPolicy {
        name: format!("p{i}"),
        document: PolicyDocument::parse(text).expect("test policy parses"),
    };
    Role {
        arn: "arn:aws:iam::111122223333:role/r".into(),
        policies: policies.iter().enumerate().map(|(i, p)| named(i, p)).collect(),
        boundary: boundary.map(|b| named(99, b)),
    }
}

const BUS: &str = "arn:aws:events:us-east-1:111122223333:event-bus/default";

#[test]
fn allow_deny_and_nothing() {
    let r = role(
        &[r#"{"Statement":{"Sid":"Put","Effect":"Allow","Action":"events:Put*","Resource":"*"}}"#],
        None,
    );
    assert!(matches!(r.access("events:PutEvents", BUS), Access::Allowed { conditional: false, .. }));
    assert_eq!(r.access("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q"), Access::NotGranted);
    let denied = role(
        &[
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            r#"{"Statement":[{"Sid":"NoBus","Effect":"Deny","Action":"events:PutEvents","Resource":"arn:aws:events:*:*:event-bus/*"}]}"#,
        ],
        None,
    );
    match denied.access("events:PutEvents", BUS) {
        Access::Denied { by } => {
            assert_eq!(by.to_string(), "statement NoBus of p1 (Resource arn:aws:events:*:*:event-bus/*)")
        }
        other => panic!("expected a Deny, got {other:?}"),
    }
}

#[test]
fn not_action_and_not_resource() {
    let r = role(
        &[r#"{"Statement":[{"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:s3:::private/*"}]}"#],
        None,
    );
    assert!(matches!(r.access("s3:PutObject", "arn:aws:s3:::photos/*"), Access::Allowed { .. }));
    assert_eq!(r.access("iam:PassRole", "*"), Access::NotGranted);
    assert_eq!(r.access("s3:PutObject", "arn:aws:s3:::private/a"), Access::NotGranted);
    // Some key under private/x* is outside private/*? No: every one is inside, so nothing is granted.
    assert_eq!(r.access("s3:PutObject", "arn:aws:s3:::private/x*"), Access::NotGranted);
}

#[test]
fn conditions_make_may_never_no() {
    let allow_if = role(
        &[
            r#"{"Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#,
        ],
        None,
    );
    assert!(matches!(
        allow_if.access("sqs:SendMessage", "arn:aws:sqs:r:1:q"),
        Access::Allowed { conditional: true, .. }
    ));
    let deny_if = role(
        &[r#"{"Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"},
             {"Effect":"Deny","Action":"sqs:SendMessage","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}}]}"#],
        None,
    );
    assert!(matches!(
        deny_if.access("sqs:SendMessage", "arn:aws:sqs:r:1:q"),
        Access::Allowed { conditional: true, .. }
    ));
}

#[test]
fn the_boundary_limits() {
    let everything = r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let logs_only = r#"{"Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}"#;
    let r = role(&[everything], Some(logs_only));
    assert_eq!(
        r.access("sns:Publish", "arn:aws:sns:r:1:t"),
        Access::OutsideBoundary { boundary: "p99".into() }
    );
    assert!(matches!(r.access("logs:PutLogEvents", "*"), Access::Allowed { .. }));
}

#[test]
fn a_deny_removes_only_what_it_covers() {
    let r = role(
        &[r#"{"Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"},
             {"Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/uploads/*"}]}"#],
        None,
    );
    assert!(matches!(r.access("s3:PutObject", "arn:aws:s3:::b/*"), Access::Allowed { .. }));
    assert!(matches!(r.access("s3:PutObject", "arn:aws:s3:::b/uploads/*.png"), Access::Denied { .. }));
}

#[test]
fn malformed_policies_are_typed_errors() {
    assert!(matches!(PolicyDocument::parse("{"), Err(PolicyError::NotJson(_))));
    assert!(matches!(PolicyDocument::parse("{}"), Err(PolicyError::NoStatement)));
    let no_resource = r#"{"Statement":[{"Effect":"Allow","Action":"s3:*"}]}"#;
    assert_eq!(
        PolicyDocument::parse(no_resource).unwrap_err().to_string(),
        "statement #1: needs one of Resource or NotResource"
    );
    let both = r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*","Resource":"*"}]}"#;
    assert!(PolicyDocument::parse(both).is_err());
    assert!(
        PolicyDocument::parse(r#"{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}"#).is_err()
    );
}

fn pattern() -> impl Strategy<Value = String> {
    prop_oneof![Just("*".to_owned()), "[ab]{1,3}", "[ab]{1,2}\\*", "[ab]\\?[ab]"]
}

fn statement_json(
    effect: &str,
    not_action: bool,
    action: &str,
    not_resource: bool,
    resource: &str,
) -> String {
    let a = if not_action { "NotAction" } else { "Action" };
    let r = if not_resource { "NotResource" } else { "Resource" };
    format!(r#"{{"Effect":"{effect}","{a}":"svc:{action}","{r}":"{resource}"}}"#)
}

proptest! {
    /// An unconditional Deny that applies to the exact action and resource always wins over an
    /// Allow; without an Allow there is nothing to deny.
    #[test]
    fn deny_wins(allow_a in pattern(), allow_r in pattern(), deny_a in pattern(), deny_r in pattern(),
                 action in "[ab]{1,3}", resource in "[ab]{1,3}", na in any::<bool>(), nr in any::<bool>()) {
        let allow = statement_json("Allow", false, &allow_a, false, &allow_r);
        let deny = statement_json("Deny", na, &deny_a, nr, &deny_r);
        let r = role(&[&format!(r#"{{"Statement":[{allow},{deny}]}}"#)], None);
        let action = format!("svc:{action}");
        let deny_applies = (glob::matches(&format!("svc:{deny_a}"), &action, true) != na)
            && (glob::matches(&deny_r, &resource, false) != nr);
        let allow_applies = glob::matches(&format!("svc:{allow_a}"), &action, true)
            && glob::matches(&allow_r, &resource, false);
        let got = r.access(&action, &resource);
        if allow_applies && deny_applies {
            let denied = matches!(got, Access::Denied { .. });
            prop_assert!(denied, "{:?}", got);
        } else if allow_applies {
            let allowed = matches!(got, Access::Allowed { .. });
            prop_assert!(allowed, "{:?}", got);
        } else {
            prop_assert_eq!(got, Access::NotGranted);
        }
    }

    /// NotAction/NotResource are the complements of Action/Resource for a concrete request.
    #[test]
    fn not_forms_are_complements(a in pattern(), res in pattern(), action in "[ab]{1,3}", resource in "[ab]{1,3}") {
        let plain = role(&[&format!(r#"{{"Statement":[{}]}}"#, statement_json("Allow", false, &a, false, &res))], None);
        let negated = role(&[&format!(r#"{{"Statement":[{}]}}"#, statement_json("Allow", true, &a, true, &res))], None);
        let action = format!("svc:{action}");
        let in_plain = glob::matches(&format!("svc:{a}"), &action, true) && glob::matches(&res, &resource, false);
        let in_negated = !glob::matches(&format!("svc:{a}"), &action, true) && !glob::matches(&res, &resource, false);
        prop_assert_eq!(matches!(plain.access(&action, &resource), Access::Allowed { .. }), in_plain);
        prop_assert_eq!(matches!(negated.access(&action, &resource), Access::Allowed { .. }), in_negated);
    }

    /// A boundary never adds a permission: with one, the answer is at most what the policies say.
    #[test]
    fn the_boundary_never_grants(a in pattern(), res in pattern(), b in pattern(), action in "[ab]{1,3}", resource in "[ab]{1,3}") {
        let policy = format!(r#"{{"Statement":[{}]}}"#, statement_json("Allow", false, &a, false, &res));
        let boundary = format!(r#"{{"Statement":[{}]}}"#, statement_json("Allow", false, &b, false, "*"));
        let action = format!("svc:{action}");
        let without = role(&[&policy], None).access(&action, &resource);
        let with = role(&[&policy], Some(&boundary)).access(&action, &resource);
        let (with, without) = (matches!(with, Access::Allowed { .. }), matches!(without, Access::Allowed { .. }));
        prop_assert!(!with || without);
    }
}
