//! Chain events, schedules, SQS/SNS batches, and events the guard rejects.

use runaway_guard::chain::ChainError;
use runaway_guard::event::{EventError, ParsedEvent};
use runaway_guard::signal::{Signal, SweepSignal};
use runaway_guard::time::Timestamp;

use super::*;

#[test]
fn sns_record_with_chain_attribute() {
    let parsed = fixture("sns-chain-attribute.json").unwrap();
    let header = "root=1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d;depth=6;function=shipper";
    let want = chain(header, at("2026-11-21T19:00:00.250Z"), "111122223333", "us-east-1");
    assert_eq!(parsed, ParsedEvent { signals: vec![want], rejected: vec![], calls: vec![] });
}

#[test]
fn eventbridge_chain_event() {
    let parsed = fixture("eventbridge-chain-event.json").unwrap();
    let header = "root=1-673dc1a2-5e6f7a8b9c0d1e2f3a4b5c6d;depth=17;function=orders-worker";
    let want = chain(header, at("2026-11-20T09:21:07Z"), "111122223333", "us-east-1");
    let want = on_bus(want, "com.example.orders", "OrderRowProcessed");
    assert_eq!(parsed, ParsedEvent { signals: vec![want], rejected: vec![], calls: vec![] });
}

#[test]
fn eventbridge_chain_event_ignores_unknown_fields_and_missing_time() {
    let parsed = fixture("eventbridge-chain-extra-fields.json").unwrap();
    let want = chain("root=req-0f9e8d7c;depth=1;function=renderer", None, "111122223333", "eu-west-1");
    let want = on_bus(want, "com.example.billing", "InvoiceRendered");
    assert_eq!(parsed.signals, vec![want]);
}

#[test]
fn eventbridge_chain_event_with_a_repeated_depth_is_rejected() {
    assert_eq!(
        fixture("eventbridge-chain-duplicate-depth.json"),
        Err(EventError::BadChain(ChainError::Duplicate("depth".into())))
    );
}

#[test]
fn eventbridge_schedules_are_sweeps() {
    for (name, time, account) in [
        ("eventbridge-schedule.json", "2026-11-20T09:25:00Z", "111122223333"),
        ("example-eventbridge-schedule.json", "2015-10-08T16:53:06Z", "123456789012"),
    ] {
        let want = Signal::Sweep(SweepSignal { at: at(time), account: some(account) });
        assert_eq!(fixture(name).unwrap().signals, vec![want], "{name}");
    }
}

#[test]
fn sqs_batch_of_chain_events() {
    let parsed = fixture("sqs-batch-chain-events.json").unwrap();
    let want: Vec<Signal> = (0..3)
        .map(|i| {
            let header =
                format!("root=1-673dc1b0-000000000000000000000abc;depth={};function=thumbnailer", i + 3);
            let want = chain(&header, at(&format!("2026-11-20T09:22:0{i}Z")), "111122223333", "us-east-1");
            on_bus(want, "com.example.media", "ThumbnailRequested")
        })
        .collect();
    assert_eq!(parsed, ParsedEvent { signals: want, rejected: vec![], calls: vec![] });
}

#[test]
fn sqs_bad_records_do_not_hide_good_ones() {
    let parsed = fixture("sqs-batch-with-bad-records.json").unwrap();
    let header =
        |depth: u32| format!("root=1-673dc1b0-000000000000000000000def;depth={depth};function=thumbnailer");
    let media = |signal| on_bus(signal, "com.example.media", "ThumbnailRequested");
    let signals = vec![
        media(chain(&header(7), at("2026-11-21T20:00:00Z"), "111122223333", "us-east-1")),
        media(chain(&header(9), at("2026-11-21T20:00:04Z"), "111122223333", "us-east-1")),
    ];
    let errors = rejected(&[
        (1, EventError::Truncated { line: 1, column: 60 }),
        (2, EventError::BadChain(ChainError::BadDepth("0".into()))),
        (3, EventError::Unrecognised("not an event carrying detail.runawayGuard".into())),
    ]);
    assert_eq!(parsed, ParsedEvent { signals, rejected: errors, calls: vec![] });
}

#[test]
fn sqs_message_attribute_form() {
    let parsed = fixture("sqs-message-attribute-chain.json").unwrap();
    let mut want = chain(
        "root=req-8f5b2c4e;depth=2;function=resizer",
        Some(Timestamp::from_millis(1_763_755_200_000)),
        "111122223333",
        "us-east-1",
    );
    // A header sent straight to the queue keeps who sent it (what that proves is `trust::claim`'s).
    if let Signal::Chain(observation) = &mut want {
        observation.sender = Some("AIDAEXAMPLE".into());
    }
    let errors = rejected(&[
        (1, EventError::BadChain(ChainError::Duplicate("depth".into()))),
        (2, EventError::BadAttribute),
    ]);
    assert_eq!(parsed, ParsedEvent { signals: vec![want], rejected: errors, calls: vec![] });
}

#[test]
fn sqs_batch_that_is_all_bad_is_still_ok() {
    let parsed = fixture("sqs-all-bad.json").unwrap();
    let errors = rejected(&[
        (0, EventError::NotJson("expected ident at line 1 column 2".into())),
        (1, EventError::BadChain(ChainError::Missing("function"))),
    ]);
    assert_eq!(parsed, ParsedEvent { signals: vec![], rejected: errors, calls: vec![] });
}

#[test]
fn truncated_event_is_a_typed_error() {
    assert_eq!(fixture("truncated-chain-event.json"), Err(EventError::Truncated { line: 12, column: 13 }));
}

#[test]
fn unrelated_events_are_rejected_by_name() {
    assert_eq!(
        fixture("s3-notification.json"),
        Ok(ParsedEvent {
            signals: vec![],
            rejected: rejected(&[(0, EventError::UnknownRecordSource("aws:s3".into()))]),
            calls: vec![],
        })
    );
    assert_eq!(
        fixture("example-eventbridge-event-obj.json"),
        Err(EventError::Unrecognised(
            "source \"aws.ec2\" with detail-type \"EC2 Instance State-change Notification\" and no detail.runawayGuard"
                .into()
        ))
    );
}

#[test]
fn aws_sample_plain_messages_are_rejected_per_record() {
    let not_json = EventError::NotJson("expected value at line 1 column 1".into());
    for name in ["example-sns-event.json", "example-sqs-event.json"] {
        let want =
            ParsedEvent { signals: vec![], rejected: rejected(&[(0, not_json.clone())]), calls: vec![] };
        assert_eq!(fixture(name), Ok(want), "{name}");
    }
}

mod cloudtrail {
    use runaway_guard::event::{ApiCall, ApiChange, EventError};
    use runaway_guard::name::FunctionName;

    use super::super::*;

    fn call(name: &str) -> ApiCall {
        let parsed = fixture(name).unwrap();
        assert!(parsed.signals.is_empty() && parsed.rejected.is_empty(), "{parsed:?}");
        assert_eq!(parsed.calls.len(), 1);
        parsed.calls.into_iter().next().unwrap()
    }

    #[test]
    fn put_function_concurrency_names_the_function_value_and_caller() {
        let call = call("cloudtrail-put-function-concurrency.json");
        assert_eq!(call.change, ApiChange::PutConcurrency { value: 25 });
        assert_eq!(call.function, Some(FunctionName::new("orders-worker").unwrap()));
        assert_eq!(
            call.caller_arn.as_deref(),
            Some("arn:aws:sts::111122223333:assumed-role/ci-deploy/deployer")
        );
        assert_eq!(call.principal_id.as_deref(), Some("AROAEXAMPLEDEPLOYROLE:deployer"));
        assert_eq!(call.event_id, "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d");
        assert_eq!(call.at, at("2026-11-20T09:40:12Z"));
        assert_eq!(
            (call.account.as_deref(), call.region.as_deref()),
            (Some("111122223333"), Some("us-east-1"))
        );
        assert_eq!(call.error_code, None);
    }

    #[test]
    fn delete_function_concurrency_by_arn() {
        let call = call("cloudtrail-delete-function-concurrency.json");
        assert_eq!(call.change, ApiChange::DeleteConcurrency);
        assert_eq!(call.function, Some(FunctionName::new("orders-worker").unwrap()));
        assert_eq!(call.caller_arn.as_deref(), Some("arn:aws:iam::111122223333:user/alice"));
    }

    #[test]
    fn update_event_source_mapping_takes_the_function_from_the_response() {
        let call = call("cloudtrail-update-event-source-mapping.json");
        assert_eq!(
            call.change,
            ApiChange::UpdateMapping {
                uuid: "a1b2c3d4-5678-90ab-cdef-11111EXAMPLE".into(),
                enabled: Some(true),
                event_source_arn: Some("arn:aws:sqs:us-east-1:111122223333:jobs-queue".into()),
            }
        );
        assert_eq!(call.function, Some(FunctionName::new("orders-worker").unwrap()));
    }

    #[test]
    fn a_failed_call_keeps_its_error_code() {
        let call = call("cloudtrail-put-function-concurrency-failed.json");
        assert_eq!(call.error_code.as_deref(), Some("AccessDenied"));
        assert_eq!(call.function, None);
    }

    fn edited(name: &str, from: &str, to: &str) -> Result<runaway_guard::event::ParsedEvent, EventError> {
        let text =
            std::fs::read_to_string(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        assert!(text.contains(from), "{from}");
        runaway_guard::event::parse_bytes(text.replace(from, to).as_bytes())
    }

    #[test]
    fn bad_calls_are_typed_errors() {
        let put = "cloudtrail-put-function-concurrency.json";
        let other = edited(put, "PutFunctionConcurrency20171031", "DeleteFunction20150331");
        assert!(matches!(other, Err(EventError::Unrecognised(_))), "{other:?}");
        let bad_name = edited(put, "\"orders-worker\"", "\"orders worker\"");
        assert!(matches!(bad_name, Err(EventError::BadCallFunction(_))), "{bad_name:?}");
        let no_value = edited(put, "\"reservedConcurrentExecutions\": 25 }", "\"x\": 1 }");
        assert_eq!(
            no_value,
            Err(EventError::MissingField("requestParameters.reservedConcurrentExecutions".into()))
        );
        let foreign = edited(
            "cloudtrail-delete-function-concurrency.json",
            "us-east-1:111122223333:function",
            "us-east-1:999999999999:function",
        );
        assert_eq!(foreign, Err(EventError::ForeignCallArn));
        let repeated = edited(put, "\"eventName\": ", "\"eventName\": \"x\", \"eventName\": ");
        assert_eq!(repeated, Err(EventError::DuplicateKey("eventName".into())));
    }
}
