use super::*;
use crate::chain::ChainRoot;
use crate::name::FunctionName;
use crate::ports::Caller;
use crate::ports::FailureTarget;
use crate::report::Outcome;
use crate::verdict::Reason;

fn name(s: &str) -> FunctionName {
    FunctionName::new(s).unwrap()
}

fn depth() -> Reason {
    Reason::Depth { root: ChainRoot::new("1-abc").unwrap(), depth: 17, limit: 16, event: None }
}

fn context() -> AlertContext<'static> {
    AlertContext {
        account: Some("123456789012"),
        region: Some("us-east-1"),
        at: Timestamp::parse_rfc3339("2026-11-20T09:14:03Z").unwrap(),
    }
}

fn trip<'a>(function: &'a FunctionName, reason: &'a Reason, outcome: Outcome) -> TripFacts<'a> {
    TripFacts {
        function,
        outcome,
        reason,
        previous_concurrency: Some(Some(25)),
        failure_target: Some(&FailureTarget::Dropped),
        event_sources: EventSources::NotRead,
        max_trips_per_hour: 10,
        error: None,
        record_missing: false,
        tripped_by: None,
        quiet_until: None,
        context: context(),
        note: None,
        parking: None,
    }
}

fn machine_block(body: &str) -> serde_json::Value {
    let (_, json) = body.split_once("--- machine-readable ---\n").expect("JSON block present");
    serde_json::from_str(json).expect("JSON block parses")
}

#[test]
fn throttled_alert_says_what_why_and_how_to_undo() {
    let (f, reason) = (name("orders-worker"), depth());
    let dlq = FailureTarget::DeadLetter("arn:aws:sqs:us-east-1:123456789012:orders-dlq".into());
    let alert =
        trip_alert(&TripFacts { failure_target: Some(&dlq), ..trip(&f, &reason, Outcome::Throttled) });
    assert_eq!(alert.subject, "THROTTLED orders-worker: chain depth 17 > 16");
    for needle in [
        "chain depth 17 > limit 16 (root 1-abc) [rule: depth]",
        "Where: account 123456789012, region us-east-1\n",
        "Previous reserved concurrency: 25",
        "dead-letter queue arn:aws:sqs:us-east-1:123456789012:orders-dlq",
        "  runaway-guard reenable orders-worker --region us-east-1\n",
    ] {
        assert!(alert.body.contains(needle), "missing {needle:?} in\n{}", alert.body);
    }
    for needle in ["maxReceiveCount", "event source mapping", "Kinesis"] {
        assert!(!alert.body.contains(needle), "{needle:?}: no mappings were read, so none are named");
    }
    let machine = machine_block(&alert.body);
    assert_eq!(machine["function"], "orders-worker");
    assert_eq!(machine["outcome"], "throttled");
    assert_eq!(machine["previous_concurrency"], "25");
    assert_eq!(machine["evidence"]["depth"], 17);
    assert_eq!(machine["reenable_command"], "runaway-guard reenable orders-worker --region us-east-1");
    let attrs: Vec<(&str, &str)> = alert.attributes.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        attrs,
        [
            ("function", "orders-worker"),
            ("reason", "depth"),
            ("outcome", "throttled"),
            ("account", "123456789012"),
            ("region", "us-east-1")
        ]
    );
}

#[test]
fn async_events_without_a_target_are_said_to_be_dropped() {
    let (f, reason) = (name("f"), depth());
    let alert =
        trip_alert(&TripFacts { previous_concurrency: Some(None), ..trip(&f, &reason, Outcome::Throttled) });
    assert!(alert.body.contains("are DROPPED"), "{}", alert.body);
    assert!(alert.body.contains("Previous reserved concurrency: none"));
    assert_eq!(machine_block(&alert.body)["previous_concurrency"], "none");
}

#[test]
fn dry_run_capped_and_failed_are_distinct_and_never_claim_a_throttle() {
    let (f, reason) = (name("orders-worker"), depth());
    let dry = trip_alert(&trip(&f, &reason, Outcome::WouldThrottle));
    assert!(dry.subject.starts_with("WOULD THROTTLE orders-worker"));
    assert!(dry.body.contains("Nothing was changed") && !dry.body.contains("reenable orders-worker\n"));
    let capped = trip_alert(&trip(&f, &reason, Outcome::Capped));
    assert!(capped.subject.starts_with("CAPPED orders-worker"));
    assert!(capped.body.contains("cap of 10 trips per hour"));
    let error = "PutFunctionConcurrency failed for orders-worker: AccessDeniedException: not authorized";
    let failed = trip_alert(&TripFacts { error: Some(error), ..trip(&f, &reason, Outcome::Failed) });
    assert!(failed.subject.starts_with("FAILED to throttle orders-worker"));
    assert!(failed.body.contains(error) && failed.body.contains("runaway-guard trip orders-worker"));
    assert_eq!(machine_block(&failed.body)["error"], error);
}

#[test]
fn subjects_fit_sns_for_the_longest_names_and_reasons() {
    let f = name(&"x".repeat(64));
    let long = "a".repeat(300);
    let reasons = [
        depth(),
        Reason::Alarm { alarm: long.clone(), metric: "AWS/Lambda/Invocations".into(), state_reason: None },
        Reason::Manual { text: format!("line one\nline two é {long}") },
        Reason::Cost { alarm: long.clone(), usd_per_hour: 123_456.789, limit_usd_per_hour: 5.0 },
    ];
    for reason in &reasons {
        for outcome in [Outcome::Throttled, Outcome::WouldThrottle, Outcome::Capped, Outcome::Failed] {
            let s = trip_alert(&trip(&f, reason, outcome)).subject;
            assert!(s.len() <= MAX_SUBJECT_CHARS, "{} chars: {s}", s.len());
            assert!(s.chars().all(|c| c.is_ascii_graphic() || c == ' '), "{s:?}");
            assert!(s.contains(&"x".repeat(64)), "the function name survives: {s}");
        }
    }
}

#[test]
fn reenable_alert_names_the_caller_and_warns_when_the_account_is_short() {
    let f = name("orders-worker");
    let caller =
        Caller { arn: "arn:aws:iam::123456789012:user/alice".into(), account: "123456789012".into() };
    let facts = ReenableFacts {
        function: &f,
        caller: &caller,
        restored: Some(25),
        resumed: &[],
        unreserved_before: Some(110),
        tripped_reason: Some("chain depth 17 gt limit 16"),
        context: context(),
    };
    let alert = reenable_alert(&facts);
    assert_eq!(alert.subject, "RE-ENABLED orders-worker: reserved concurrency 25 restored");
    assert!(alert.body.contains("re-enabled by arn:aws:iam::123456789012:user/alice"));
    assert!(alert.body.contains("WARNING: the account has 110 unreserved"), "{}", alert.body);
    assert_eq!(machine_block(&alert.body)["restored_concurrency"], "25");
    let roomy = reenable_alert(&ReenableFacts { unreserved_before: Some(1000), ..facts.clone() });
    assert!(!roomy.body.contains("WARNING"));
    let deleted = reenable_alert(&ReenableFacts { restored: None, unreserved_before: Some(0), ..facts });
    assert!(deleted.subject.ends_with("reservation removed") && !deleted.body.contains("WARNING"));
}

#[test]
fn search_alert_names_only_the_top_five() {
    let top: Vec<RankedFunction> = (0..7)
        .map(|i| RankedFunction {
            function: name(&format!("fn-{i}")),
            usd_per_hour: 4.0 - i as f64 * 0.5,
            invocations: 100.0,
        })
        .collect();
    let facts = SearchFacts {
        alarm: "billing-spike",
        metric: "AWS/Billing/EstimatedCharges",
        limit_usd_per_hour: 5.0,
        top: &top,
        context: context(),
    };
    let alert = search_alert(&facts);
    assert_eq!(alert.subject, "NO OFFENDER for alarm billing-spike: none over $5.00/h");
    assert!(
        alert.body.contains("No function over the limit of $5.00/h; top five: fn-0 ($4.00/h"),
        "{}",
        alert.body
    );
    assert!(alert.body.contains("fn-4") && !alert.body.contains("fn-5"));
    assert_eq!(machine_block(&alert.body)["top"].as_array().map(Vec::len), Some(5));
    let empty = search_alert(&SearchFacts { top: &[], ..facts });
    assert!(empty.body.contains("no recently active functions"));
}

#[test]
fn an_unrecorded_trip_names_the_value_to_restore_and_who_tripped_it() {
    let f = FunctionName::new("orders").unwrap();
    let reason = Reason::Manual { text: "stop".into() };
    let by = "arn:aws:iam::123456789012:user/oncall";
    let facts =
        TripFacts { record_missing: true, tripped_by: Some(by), ..trip(&f, &reason, Outcome::Throttled) };
    let alert = trip_alert(&facts);
    assert!(
        alert.body.contains("  runaway-guard reenable orders --to 25 --region us-east-1\n"),
        "{}",
        alert.body
    );
    assert!(alert.body.contains(&format!("Tripped by: {by} (runaway-guard trip)")), "{}", alert.body);
    let machine = machine_block(&alert.body);
    assert_eq!(machine["reenable_command"], "runaway-guard reenable orders --to 25 --region us-east-1");
    assert_eq!(
        (machine["record_written"].as_bool(), machine["tripped_by"].as_str()),
        (Some(false), Some(by))
    );
    let none = TripFacts { previous_concurrency: Some(None), ..facts };
    assert!(trip_alert(&none).body.contains("reenable orders --to none --region us-east-1\n"));
}

#[test]
fn a_judged_trip_says_its_alarm_was_muted() {
    let candidate = crate::verdict::Candidate {
        function: name("orders"),
        trigger: "contributor of alarm per-function".into(),
        recursion: false,
        muted: Some("muted by arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:deploys".into()),
    };
    let reason = Reason::Runaway {
        trigger: candidate.described(),
        shape: crate::verdict::RunawayShape::Recursion { dropped: 12.0 },
        usd_per_hour: 3.0,
        times_normal: None,
    };
    let f = name("orders");
    let alert = trip_alert(&trip(&f, &reason, Outcome::Throttled));
    assert!(
        alert.body.contains(
            "Evidence: judged after contributor of alarm per-function (its alarm actions muted by arn:"
        ),
        "{}",
        alert.body
    );
}

#[test]
fn a_seen_alarm_is_short_and_names_what_is_already_held() {
    let held = [name("orders"), name("billing-export")];
    let alert = seen_alert(&SeenFacts {
        alarm: "billing-spike",
        metric: "AWS/Billing/EstimatedCharges",
        held: &held,
        quiet_until: Timestamp::parse_rfc3339("2026-11-20T09:29:03Z").unwrap(),
        context: context(),
    });
    assert_eq!(alert.subject, "SEEN alarm billing-spike: nothing new to stop");
    assert!(alert.body.contains("Already throttled or exempt: orders, billing-export\n"), "{}", alert.body);
    assert!(alert.body.contains("  runaway-guard status --region us-east-1\n"), "{}", alert.body);
}
