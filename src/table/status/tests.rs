//! The status text: aligned, who tripped each, drift open or resolved, functions at 0 without a
//! record apart, and nothing a hand-written record holds can forge or colour a line.

use super::*;
use crate::handler::drift::contained::DriftState;
use crate::name::FunctionName;
use crate::operator::PausedMapping;
use crate::ports::{MappingId, TrippedBy};

fn entry(name: &str, prev: &str, alert_pending: bool) -> StatusEntry {
    StatusEntry {
        tripped_at: "2026-11-20T09:14:03Z".into(),
        reason: "chain depth 17 > limit 16".into(),
        previous_concurrency: prev.into(),
        reserved_concurrency: "0".into(),
        tripped_by: Some(TrippedBy::Guard { rule: "depth".into() }),
        record: true,
        alert_pending,
        record_check: Some("verified"),
        ..StatusEntry::bare(FunctionName::new(name).unwrap())
    }
}

const HERE: &str = "123456789012/us-east-1 (guard g)";

#[test]
fn status_table_aligns_columns_and_says_how_to_restore() {
    let text = status(&[entry("a", "none", false), entry("orders-worker", "25", true)], HERE);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Tripped functions in") && lines[0].contains(HERE), "{text}");
    assert!(lines[2].starts_with("FUNCTION       NOW  TRIPPED AT"), "{text}");
    assert_eq!(lines[3].find("2026"), lines[4].find("2026"));
    assert!(lines[4].contains("NOT SENT") && lines[3].contains("sent"), "{text}");
    assert!(lines[3].contains("runaway-guard (rule depth)"), "{text}");
    assert!(lines[3].contains("chain depth 17 > limit 16"), "the reason as written: {text}");
    assert!(text.contains("runaway-guard reenable FUNCTION"));
    assert!(text.contains("1 trip alert(s) NOT SENT"), "{text}");
    assert_eq!(status(&[], HERE), format!("No functions are tripped by runaway-guard in {HERE}.\n"));
    let forged = StatusEntry {
        record_check: Some("invalid"),
        record_check_detail: Some("unverified: the MAC does not match (edited or forged)".into()),
        ..entry("attacker-fn", "900", false)
    };
    let text = status(&[entry("a", "none", false), forged], HERE);
    let row = text.lines().find(|l| l.starts_with("attacker-fn")).unwrap();
    assert!(row.contains("UNVERIFIED"), "{text}");
    assert!(text.lines().find(|l| l.starts_with("a ")).unwrap().contains("verified"), "{text}");
    assert!(text.contains("UNVERIFIED: attacker-fn's trip record is unverified: the MAC"), "{text}");
    assert!(text.contains("--to N"), "{text}");
}

#[test]
fn an_operator_trip_names_the_operator_and_a_bare_zero_is_listed_apart() {
    let arn = "arn:aws:sts::123456789012:assumed-role/oncall/alice";
    let manual = StatusEntry {
        tripped_by: Some(TrippedBy::Operator { arn: arn.into() }),
        reason: "manual: loop via EventBridge, see INC-42".into(),
        ..entry("orders", "12", false)
    };
    let bare = StatusEntry {
        reserved_concurrency: "0".into(),
        ..StatusEntry::bare(FunctionName::new("by-hand").unwrap())
    };
    let text = status(&[manual, bare], HERE);
    let row = text.lines().find(|l| l.starts_with("orders")).unwrap();
    assert!(row.contains(arn) && row.contains("loop via EventBridge, see INC-42"), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("by-hand")), "not in the trip table: {text}");
    assert!(text.contains("At reserved concurrency 0 with no trip record"), "{text}");
    assert!(text.contains("by-hand: restore with runaway-guard reenable by-hand --to N"), "{text}");
    assert!(!text.contains("alert names"), "{text}");
    let only_bare = status(&[StatusEntry::bare(FunctionName::new("by-hand").unwrap())], HERE);
    assert!(!only_bare.contains("Tripped"), "no trip header over a bare 0: {only_bare}");
}

#[test]
fn drift_reads_open_or_resolved_and_mappings_by_source() {
    let id = MappingId::new("a1b2c3d4-0000-4000-8000-000000000001").unwrap();
    let paused = PausedMapping { id, source: "SQS queue jobs".into(), state: "Disabled".into() };
    let drifted = |state| StatusEntry {
        drift: Some("2026-11-20T09:40:12Z PutFunctionConcurrency by deployer".into()),
        drift_state: Some(state),
        paused_mappings: vec![paused.clone()],
        ..entry("orders", "25", false)
    };
    let open = status(&[drifted(DriftState::Open)], HERE);
    assert!(open.contains("DRIFT (open): orders") && open.contains("may be running"), "{open}");
    let resolved = status(&[drifted(DriftState::Resolved)], HERE);
    assert!(resolved.contains("DRIFT (resolved): orders"), "{resolved}");
    assert!(!resolved.contains("may be running"), "{resolved}");
    assert!(resolved.contains("SQS queue jobs (Disabled, a1b2c3d4-"), "{resolved}");
}

#[test]
fn a_hand_written_record_cannot_forge_or_colour_a_line() {
    let entry = StatusEntry {
        tripped_at: "2026-11-20T09:14:03Z\u{1b}[2J".into(),
        reason: "x\nDRIFT: payments was changed \u{202e}<!here>".into(),
        drift: Some("by\nwarning: forged".into()),
        tripped_by: Some(TrippedBy::Operator { arn: "arn\n\u{1b}[31mred".into() }),
        ..entry("orders", "25", false)
    };
    let text = status(&[entry], "here");
    assert!(!text.chars().any(|c: char| c != '\n' && crate::sanitise::is_hidden(c)), "{text:?}");
    assert!(
        !text.lines().any(|l| l.starts_with("DRIFT: payments") || l.starts_with("warning: forged")),
        "{text}"
    );
    assert!(!text.contains("<!here>"), "{text}");
}

#[test]
fn each_parked_function_says_how_many_of_its_events_it_parked_and_how_to_replay_them() {
    let parked = |name: &str, count: Option<u64>| StatusEntry {
        parked_queue: Some("arn:aws:sqs:us-east-1:123456789012:guard-parked".into()),
        parked_since_trip: count,
        ..entry(name, "25", false)
    };
    let rows = [
        parked("orders", Some(1_234)),
        parked("quiet", Some(0)),
        parked("unread", None),
        entry("a", "none", false),
    ];
    let text = status(&rows, HERE);
    assert!(
        text.contains("orders: about 1234 asynchronous event(s) parked since the trip")
            && text.contains("runaway-guard replay orders"),
        "{text}"
    );
    assert!(text.contains("quiet: no asynchronous event parked since the trip"), "{text}");
    assert!(text.contains("unread: its asynchronous events are parked (not counted)"), "{text}");
    assert!(!text.contains("runaway-guard replay a"), "a function that parked nothing: {text}");
}
