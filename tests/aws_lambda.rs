//! `LambdaThrottler` against moto over HTTP: the trip record, concurrency, `list_tripped`, error
//! classification. Run through `scripts/test.sh` (it starts moto and exports `AWS_ENDPOINT_URL`).
#![cfg(feature = "guard")]

use crate::common::{FunctionSpec, Moto};
use runaway_guard::aws::LambdaThrottler;
use runaway_guard::name::FunctionName;
use runaway_guard::ports::{
    Architecture, FailureTarget, MappingId, RecordCheck, ReenableMark, Throttler, TripRecord, tags,
};
use runaway_guard::time::Timestamp;

const ONCALL: &str = "arn:aws:sts::123456789012:assumed-role/OnCall/alice";

fn name(s: &str) -> FunctionName {
    FunctionName::new(s).unwrap()
}

fn record(previous: Option<u32>) -> TripRecord {
    TripRecord {
        tripped_at: Timestamp::parse_rfc3339("2026-11-20T09:14:03Z").unwrap(),
        previous_concurrency: previous,
        reason: "chain depth 17 > limit 16 (root 1-abc)".into(),
        alert_pending: false,
        paused_mappings: Vec::new(),
        tripped_by: None,
        parked: None,
    }
}

#[tokio::test]
async fn trip_record_round_trips_and_is_never_rewritten() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    let lambda = LambdaThrottler::new(&moto.config).with_signer(Some(moto.record_signer()));
    let f = name("orders-worker");
    lambda.set_reserved_concurrency(&f, Some(25)).await.unwrap();

    let before = lambda.function_state(&f).await.unwrap();
    assert_eq!((before.reserved_concurrency, before.trip.clone()), (Some(25), None));

    lambda.write_trip_record(&f, &record(Some(25))).await.unwrap();
    let tags = moto.tags("orders-worker").await;
    assert_eq!(tags[tags::TRIPPED_AT], "2026-11-20T09:14:03Z");
    assert_eq!(tags[tags::PREVIOUS_CONCURRENCY], "25");
    assert_eq!(tags[tags::REASON], "chain depth 17 =3E limit 16 =28root 1-abc=29", "stored reversibly");
    assert!(tags[tags::RECORD_MAC].starts_with("v2:"), "the record is signed: {tags:?}");
    let trip = lambda.function_state(&f).await.unwrap().trip.expect("tripped");
    assert_eq!((trip.previous_concurrency, trip.tripped_at), (Some(25), record(None).tripped_at));

    // A second trip (the guard's own 0 now in force) must not replace the recorded 25.
    lambda.set_reserved_concurrency(&f, Some(0)).await.unwrap();
    assert!(lambda.write_trip_record(&f, &record(Some(0))).await.is_err(), "0 is never recorded");
    lambda.write_trip_record(&f, &record(Some(7))).await.unwrap();
    assert_eq!(moto.tags("orders-worker").await[tags::PREVIOUS_CONCURRENCY], "25");

    let reenabled_at = Timestamp::parse_rfc3339("2026-11-20T10:00:00Z").unwrap();
    let mark = ReenableMark { at: reenabled_at, by: ONCALL.into() };
    lambda.clear_trip_record(&f, &mark).await.unwrap();
    let tags = moto.tags("orders-worker").await;
    for gone in [tags::TRIPPED_AT, tags::PREVIOUS_CONCURRENCY, tags::REASON, tags::RECORD_MAC] {
        assert!(!tags.contains_key(gone), "{gone} still present: {tags:?}");
    }
    let after = lambda.function_state(&f).await.unwrap();
    assert_eq!((after.trip, after.reenabled_at), (None, Some(reenabled_at)));
    assert_eq!(after.reenabled_by.as_deref(), Some(ONCALL), "who re-enabled it");
}

#[tokio::test]
async fn a_record_a_reenable_did_not_clear_is_replaced_by_the_next_trip() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    let lambda = LambdaThrottler::new(&moto.config).with_signer(Some(moto.record_signer()));
    let f = name("orders-worker");
    lambda.write_trip_record(&f, &record(Some(25))).await.unwrap();
    let mark =
        ReenableMark { at: Timestamp::parse_rfc3339("2026-11-20T10:00:00Z").unwrap(), by: ONCALL.into() };
    lambda.mark_reenabling(&f, &mark).await.unwrap();
    let state = lambda.function_state(&f).await.unwrap();
    assert_eq!(state.reenable_started(), Some(mark.at), "the re-enable started after the trip");
    assert!(state.active_trip().is_none());
    let next = TripRecord {
        tripped_at: Timestamp::parse_rfc3339("2026-11-20T11:00:00Z").unwrap(),
        ..record(Some(30))
    };
    lambda.write_trip_record(&f, &next).await.unwrap();
    let tags = moto.tags("orders-worker").await;
    assert_eq!(
        (tags[tags::TRIPPED_AT].as_str(), tags[tags::PREVIOUS_CONCURRENCY].as_str()),
        ("2026-11-20T11:00:00Z", "30")
    );
    assert!(lambda.function_state(&f).await.unwrap().active_trip().is_some());
}

#[tokio::test]
async fn a_replacing_record_drops_paused_mapping_tags_the_old_one_left_and_clearing_removes_all() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    let lambda = LambdaThrottler::new(&moto.config).with_signer(Some(moto.record_signer()));
    let f = name("orders-worker");
    let ids: Vec<MappingId> =
        (0..8).map(|n| MappingId::new(&format!("a1b2c3d4-0000-4000-8000-{n:012}")).unwrap()).collect();
    lambda
        .write_trip_record(&f, &TripRecord { paused_mappings: ids.clone(), ..record(Some(25)) })
        .await
        .unwrap();
    let tags = moto.tags("orders-worker").await;
    assert!(tags.contains_key(tags::PAUSED_MAPPINGS_MORE[0]), "eight UUIDs take two tags: {tags:?}");
    assert_eq!(lambda.function_state(&f).await.unwrap().trip.unwrap().paused_mappings, ids);

    let mark =
        ReenableMark { at: Timestamp::parse_rfc3339("2026-11-20T10:00:00Z").unwrap(), by: ONCALL.into() };
    lambda.mark_reenabling(&f, &mark).await.unwrap();
    let next = TripRecord {
        tripped_at: Timestamp::parse_rfc3339("2026-11-20T11:00:00Z").unwrap(),
        paused_mappings: ids[..1].to_vec(),
        ..record(Some(30))
    };
    lambda.write_trip_record(&f, &next).await.unwrap();
    let tags = moto.tags("orders-worker").await;
    assert!(!tags.contains_key(tags::PAUSED_MAPPINGS_MORE[0]), "no stale continuation: {tags:?}");
    assert_eq!(lambda.function_state(&f).await.unwrap().trip.unwrap().paused_mappings, ids[..1]);

    lambda.clear_trip_record(&f, &mark).await.unwrap();
    let tags = moto.tags("orders-worker").await;
    assert!(!tags.keys().any(|k| k.starts_with(tags::PAUSED_MAPPINGS)), "{tags:?}");
}

#[tokio::test]
async fn status_lists_a_function_at_zero_without_a_record_and_reads_the_depth_tag() {
    let moto = Moto::start().await;
    moto.create_function("unrecorded").await;
    moto.create_function_with(
        "tagged",
        FunctionSpec { tags: &[(tags::MAX_DEPTH, "4")], ..Default::default() },
    )
    .await;
    let lambda = LambdaThrottler::new(&moto.config).with_signer(Some(moto.record_signer()));
    lambda.set_reserved_concurrency(&name("unrecorded"), Some(0)).await.unwrap();
    lambda.set_reserved_concurrency(&name("tagged"), Some(3)).await.unwrap();
    let listed = lambda.list_tripped().await.unwrap();
    let rows: Vec<(&str, bool)> = listed.iter().map(|t| (t.function.as_str(), t.record.is_some())).collect();
    assert_eq!(rows, [("unrecorded", false)], "at 0 without a record is listed; 3 is not");
    assert_eq!(lambda.depth_limit_tag(&name("tagged")).await.unwrap(), Some(4));
    assert_eq!(lambda.depth_limit_tag(&name("unrecorded")).await.unwrap(), None);
}

#[tokio::test]
async fn puts_and_deletes_reserved_concurrency() {
    let moto = Moto::start().await;
    moto.create_function("spiky").await;
    let lambda = LambdaThrottler::new(&moto.config).with_signer(Some(moto.record_signer()));
    let f = name("spiky");
    assert_eq!(lambda.function_state(&f).await.unwrap().reserved_concurrency, None);
    lambda.set_reserved_concurrency(&f, Some(0)).await.unwrap();
    assert_eq!(moto.reserved("spiky").await, Some(0));
    assert_eq!(lambda.function_state(&f).await.unwrap().reserved_concurrency, Some(0));
    lambda.set_reserved_concurrency(&f, Some(5)).await.unwrap();
    assert_eq!(moto.reserved("spiky").await, Some(5));
    lambda.set_reserved_concurrency(&f, None).await.unwrap();
    assert_eq!(moto.reserved("spiky").await, None);
}

#[tokio::test]
async fn reads_configuration_tags_and_where_async_events_go() {
    let moto = Moto::start().await;
    let dest = "arn:aws:sqs:us-east-1:123456789012:orders-failures";
    let exempt = [(tags::EXEMPT, "true"), (tags::MAX_DEPTH, "4")];
    moto.create_function_with("big-arm", FunctionSpec { memory_mb: 1024, arm64: true, ..Default::default() })
        .await;
    moto.create_function_with(
        "with-dest",
        FunctionSpec { on_failure: Some(dest), tags: &exempt, ..Default::default() },
    )
    .await;
    moto.create_function("bare").await;
    let lambda = LambdaThrottler::new(&moto.config).with_signer(Some(moto.record_signer()));

    // moto 5.2.5 drops DeadLetterConfig on create, so the DLQ case is covered in aws_mocked.rs.
    let s = lambda.function_state(&name("big-arm")).await.unwrap();
    assert_eq!((s.memory_mb, s.architecture), (1024, Architecture::Arm64));
    let s = lambda.function_state(&name("with-dest")).await.unwrap();
    assert_eq!(s.failure_target, FailureTarget::Destination(dest.into()));
    assert_eq!((s.exempt_tag, s.max_depth_tag, s.architecture), (true, Some(4), Architecture::X86_64));
    let s = lambda.function_state(&name("bare")).await.unwrap();
    assert_eq!((s.failure_target, s.exempt_tag, s.max_depth_tag), (FailureTarget::Dropped, false, None));
}

#[tokio::test]
async fn lists_exactly_the_tripped_functions() {
    let moto = Moto::start().await;
    let lambda = LambdaThrottler::new(&moto.config).with_signer(Some(moto.record_signer()));
    // Enough functions that the bounded ListTags fan-out runs many rounds.
    for i in 0..30 {
        moto.create_function(&format!("fn-{i:02}")).await;
    }
    moto.create_function_with(
        "exempt-only",
        FunctionSpec { tags: &[(tags::EXEMPT, "true")], ..Default::default() },
    )
    .await;
    for (f, previous) in [("fn-17", Some(3)), ("fn-04", None), ("fn-29", Some(100))] {
        lambda.write_trip_record(&name(f), &record(previous)).await.unwrap();
    }
    let tripped = lambda.list_tripped().await.unwrap();
    let listed: Vec<(&str, Option<u32>)> = tripped
        .iter()
        .map(|t| (t.function.as_str(), t.record.as_ref().and_then(|r| r.previous_concurrency)))
        .collect();
    assert_eq!(listed, [("fn-04", None), ("fn-17", Some(3)), ("fn-29", Some(100))]);

    let mark = ReenableMark { at: Timestamp::now(), by: ONCALL.into() };
    lambda.clear_trip_record(&name("fn-17"), &mark).await.unwrap();
    let names: Vec<String> =
        lambda.list_tripped().await.unwrap().into_iter().map(|t| t.function.to_string()).collect();
    assert_eq!(names, ["fn-04", "fn-29"]);
}

#[tokio::test]
async fn missing_functions_are_not_found_and_final() {
    let moto = Moto::start().await;
    let lambda = LambdaThrottler::new(&moto.config).with_signer(Some(moto.record_signer()));
    let ghost = name("does-not-exist");
    let err = lambda.function_state(&ghost).await.unwrap_err();
    assert!(err.not_found && !err.retryable, "{err:?}");
    assert_eq!(err.operation, "GetFunctionConfiguration");
    assert!(err.to_string().contains("does-not-exist"), "{err}");
    let err = lambda.set_reserved_concurrency(&ghost, Some(0)).await.unwrap_err();
    assert!(err.not_found && !err.retryable, "{err:?}");
    let err = lambda.write_trip_record(&ghost, &record(None)).await.unwrap_err();
    assert!(err.not_found, "{err:?}");
}

#[tokio::test]
async fn unreserved_concurrency_is_unknown_on_moto() {
    // moto 5.2.5 has no GetAccountSettings (a bare 404): the adapter reports "unknown", not a failure.
    let moto = Moto::start().await;
    assert_eq!(LambdaThrottler::new(&moto.config).unreserved_concurrency().await.unwrap(), None);
}

#[tokio::test]
async fn prices_the_largest_memory_among_the_versions_its_aliases_route_to() {
    let moto = Moto::start().await;
    moto.create_function_with("renderer", FunctionSpec { memory_mb: 3008, ..Default::default() }).await;
    moto.create_function("plain").await;
    let client = moto.lambda();
    let v1 = client.publish_version().function_name("renderer").send().await.unwrap();
    let v1 = v1.version().expect("a published version").to_owned();
    client.create_alias().function_name("renderer").name("live").function_version(&v1).send().await.unwrap();
    // $LATEST is then shrunk: the bare name now says 128 MB while the alias keeps sending
    // traffic to version 1 at 3,008 MB.
    client.update_function_configuration().function_name("renderer").memory_size(128).send().await.unwrap();
    let lambda = LambdaThrottler::new(&moto.config).with_signer(Some(moto.record_signer()));

    assert_eq!(lambda.function_state(&name("renderer")).await.unwrap().memory_mb, 128);
    assert_eq!(lambda.traffic_memory_mb(&name("renderer")).await.unwrap(), Some(3008));
    assert_eq!(
        lambda.traffic_memory_mb(&name("plain")).await.unwrap(),
        None,
        "no alias: $LATEST takes it all"
    );
}

#[tokio::test]
async fn only_a_record_whose_mac_verifies_is_the_guards_and_a_forged_one_is_replaced() {
    let moto = Moto::start().await;
    let arn = moto.create_function("orders-worker").await;
    let lambda = LambdaThrottler::new(&moto.config).with_signer(Some(moto.record_signer()));
    let f = name("orders-worker");
    lambda.write_trip_record(&f, &record(Some(25))).await.unwrap();
    let checked = lambda.trip_record(&f).await.unwrap().expect("a record");
    assert_eq!(checked.check, RecordCheck::Verified);

    // The function's owner edits one tag of the genuine record: the MAC no longer verifies.
    let edit = |k: &'static str, v: &'static str| {
        let (lambda, arn) = (moto.lambda(), arn.clone());
        async move { lambda.tag_resource().resource(arn).tags(k, v).send().await.unwrap() }
    };
    edit(tags::PREVIOUS_CONCURRENCY, "900").await;
    let checked = lambda.trip_record(&f).await.unwrap().expect("a record");
    assert_eq!((checked.check, checked.record.previous_concurrency), (RecordCheck::Invalid, Some(900)));
    assert_eq!(lambda.function_state(&f).await.unwrap().trip, None, "the guard does not see it as a trip");
    assert!(!lambda.trip_in_force(&f).await.unwrap());

    // Without a MAC at all: unsigned. Without the key: unchecked, never verified.
    moto.lambda().untag_resource().resource(&arn).tag_keys(tags::RECORD_MAC).send().await.unwrap();
    assert_eq!(lambda.trip_record(&f).await.unwrap().unwrap().check, RecordCheck::Unsigned);
    lambda.set_reserved_concurrency(&f, Some(25)).await.unwrap();
    lambda.write_trip_record(&f, &record(Some(25))).await.unwrap();
    let keyless = LambdaThrottler::new(&moto.config);
    assert!(matches!(keyless.trip_record(&f).await.unwrap().unwrap().check, RecordCheck::Unchecked(_)));
    assert_eq!(keyless.function_state(&f).await.unwrap().trip, None);

    // A forged record never blocks the guard's own: the next trip replaces it, signed.
    edit(tags::PREVIOUS_CONCURRENCY, "900").await;
    lambda.write_trip_record(&f, &record(Some(25))).await.unwrap();
    let checked = lambda.trip_record(&f).await.unwrap().unwrap();
    assert_eq!((checked.check, checked.record.previous_concurrency), (RecordCheck::Verified, Some(25)));
}

#[tokio::test]
async fn polled_queues_are_the_sqs_queues_of_the_mappings_that_poll() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.create_function("someone-else").await;
    moto.sqs_mapping("orders-worker", "jobs-queue", true).await;
    moto.sqs_mapping("orders-worker", "retired-queue", false).await;
    moto.sqs_mapping("someone-else", "their-queue", true).await;
    let lambda = LambdaThrottler::new(&moto.config);
    let queues = lambda.polled_queues(&name("orders-worker")).await.unwrap();
    let names: Vec<&str> = queues.iter().map(|q| q.as_str()).collect();
    assert_eq!(names, ["jobs-queue"], "a disabled mapping polls nothing; another function's is not its");
    assert!(lambda.polled_queues(&name("someone-else")).await.unwrap().len() == 1);
}

#[tokio::test]
async fn a_stream_mappings_ceiling_counts_its_streams_open_shards() {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
        StreamSpecification, StreamViewType,
    };
    use runaway_guard::aws::streams::ShardReader;
    use runaway_guard::ports::{MappingCeiling, SourceKind};

    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    let table = aws_sdk_dynamodb::Client::new(&moto.config)
        .create_table()
        .table_name("orders")
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("id")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(KeySchemaElement::builder().attribute_name("id").key_type(KeyType::Hash).build().unwrap())
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewImage)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("create table");
    let stream =
        table.table_description().and_then(|t| t.latest_stream_arn()).expect("stream ARN").to_owned();
    moto.lambda()
        .create_event_source_mapping()
        .function_name("orders-worker")
        .event_source_arn(&stream)
        .starting_position(aws_sdk_lambda::types::EventSourcePosition::Latest)
        .send()
        .await
        .expect("create stream mapping");
    // moto gives a table's stream one open shard and lists no ParallelizationFactor (so 1).
    let ceilings = LambdaThrottler::new(&moto.config).mapping_ceilings(&name("orders-worker")).await.unwrap();
    assert_eq!(ceilings, [MappingCeiling::Stream { parallelization_factor: 1, shards: Some(1) }]);

    let kinesis = aws_sdk_kinesis::Client::new(&moto.config);
    kinesis.create_stream().stream_name("clicks").shard_count(3).send().await.expect("create stream");
    let summary = kinesis.describe_stream_summary().stream_name("clicks").send().await.expect("summary");
    let arn = summary.stream_description_summary().expect("summary").stream_arn().to_owned();
    let consumer = kinesis
        .register_stream_consumer()
        .stream_arn(&arn)
        .consumer_name("fan-out")
        .send()
        .await
        .expect("register consumer");
    let consumer_arn = consumer.consumer().expect("consumer").consumer_arn().to_owned();
    let reader = ShardReader::new(&moto.config);
    assert_eq!(reader.open_shards(SourceKind::Kinesis, &arn).await.unwrap(), 3);
    assert_eq!(reader.open_shards(SourceKind::Kinesis, &consumer_arn).await.unwrap(), 3, "{consumer_arn}");
    let missing = arn.replace("stream/clicks", "stream/missing");
    assert!(reader.open_shards(SourceKind::Kinesis, &missing).await.is_err(), "no such stream: no count");
    assert!(reader.open_shards(SourceKind::Sqs, &arn).await.is_err());
}
