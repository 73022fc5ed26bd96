use super::*;

fn received(body: &str, attributes: &[&str]) -> Received {
    Received {
        id: "m-1".into(),
        receipt: "r-1".into(),
        body: body.into(),
        attribute_names: attributes.iter().map(|a| (*a).to_owned()).collect(),
        sent_at: Some(Timestamp::from_secs(1_700_000_000)),
    }
}

/// An on-failure destination record as Lambda writes it for an event turned away at reserved
/// concurrency 0 (shape: AWS's "Configuring destinations for asynchronous invocation").
fn destination_record(function_arn: &str, payload: &str) -> String {
    format!(
        r#"{{"version":"1.0","timestamp":"2026-12-07T03:00:00.000Z","requestContext":{{"requestId":"e4b46cbf-b738-4d1b-8880-a18cdf61200e","functionArn":"{function_arn}","condition":"ThrottledAtZeroConcurrency","approximateInvokeCount":1}},"requestPayload":{payload},"responseContext":{{"statusCode":429,"executedVersion":"$LATEST","functionError":""}}}}"#
    )
}

const EVENTBRIDGE: &str = r#"{"version":"0","id":"1","detail-type":"OrderPlaced","source":"orders.api","account":"123456789012","time":"2026-12-07T03:00:00Z","region":"us-east-1","resources":[],"detail":{"order":7,"runawayGuard":{"root":"r1","depth":4,"function":"orders"}}}"#;

#[test]
fn a_destination_record_gives_its_function_and_the_payload_byte_for_byte() {
    let body =
        destination_record("arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST", EVENTBRIDGE);
    let event = parse(&received(&body, &[])).unwrap();
    assert_eq!(event.format, Format::Destination);
    let (name, parts) = event.function.unwrap();
    assert_eq!(name.as_str(), "orders");
    assert_eq!(parts.qualifier.as_deref(), Some("$LATEST"));
    assert_eq!(event.payload, EVENTBRIDGE);
    assert_eq!(event.source.as_deref(), Some("orders.api"));
    assert_eq!(event.detail_type.as_deref(), Some("OrderPlaced"));
    assert_eq!(event.depth, Some(4));
}

#[test]
fn a_dead_letter_message_is_the_event_itself() {
    let s3 = r#"{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"}}}]}"#;
    let event = parse(&received(s3, &["ErrorCode", "ErrorMessage", "RequestID"])).unwrap();
    assert_eq!(event.format, Format::DeadLetter);
    assert_eq!(event.function, None);
    assert_eq!(event.payload, s3);
    assert_eq!(
        (event.source.as_deref(), event.detail_type.as_deref()),
        (Some("aws:s3"), Some("ObjectCreated:Put"))
    );
    // Even a body shaped like a destination record is the event when Lambda marked it dead-letter.
    let record = destination_record("arn:aws:lambda:us-east-1:123456789012:function:other", "{}");
    let event = parse(&received(&record, &["RequestID"])).unwrap();
    assert_eq!((event.format, event.payload.as_str()), (Format::DeadLetter, record.as_str()));
}

#[test]
fn sns_records_carry_depth_in_their_attribute_and_the_deepest_valid_one_counts() {
    let sns = r#"{"Records":[
        {"EventSource":"aws:sns","Sns":{"MessageAttributes":{"runaway-guard-chain":{"Type":"String","Value":"root=a;depth=2;function=f"}}}},
        {"EventSource":"aws:sns","Sns":{"MessageAttributes":{"runaway-guard-chain":{"Type":"String","Value":"root=a;depth=9;function=f"}}}},
        {"EventSource":"aws:sns","Sns":{"MessageAttributes":{"runaway-guard-chain":{"Type":"String","Value":"depth=99"}}}}]}"#;
    let event = parse(&received(sns, &["RequestID"])).unwrap();
    assert_eq!((event.source.as_deref(), event.detail_type, event.depth), (Some("aws:sns"), None, Some(9)));
    let direct = parse(&received(r#"{"order":1}"#, &["RequestID"])).unwrap();
    assert_eq!((direct.source, direct.depth), (None, None));
    let bad_header = EVENTBRIDGE.replace(r#""depth":4"#, r#""depth":0"#);
    assert_eq!(parse(&received(&bad_header, &["RequestID"])).unwrap().depth, None);
}

#[test]
fn anything_else_is_refused_with_a_reason_and_left_in_the_queue() {
    assert_eq!(parse(&received(r#"{"order":1}"#, &[])), Err(MessageError::Unrecognised));
    assert_eq!(parse(&received("not json", &[])), Err(MessageError::Unrecognised));
    // Both keys but no responseContext: an event, not a record.
    let lookalike = r#"{"requestContext":{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:f"},"requestPayload":{}}"#;
    assert_eq!(parse(&received(lookalike, &[])), Err(MessageError::Unrecognised));
    let bad_arn = destination_record("arn:aws:sqs:us-east-1:123456789012:q", "{}");
    assert!(matches!(parse(&received(&bad_arn, &[])), Err(MessageError::BadFunctionArn(_))));
    assert!(matches!(parse(&received("{not json", &["RequestID"])), Err(MessageError::NotJson(_))));
}
