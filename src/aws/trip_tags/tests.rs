//! The trip record as tags: round trips, packing, damaged and hand-edited records.
use super::*;

fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn tag_safe_keeps_meaning_and_length() {
    assert_eq!(tag_safe("chain depth 17 > limit 16 (root 1-abc)"), "chain depth 17 gt limit 16 root 1-abc");
    assert_eq!(tag_safe("cost $4.20/h\n;DROP"), "cost USD 4.20/h DROP");
    let long = tag_safe(&"é>x".repeat(200));
    assert!(long.chars().count() <= MAX_TAG_VALUE_CHARS);
    assert!(long.chars().all(|c| c.is_ascii_alphanumeric() || " +-=._:/@".contains(c)), "{long}");
}

#[test]
fn record_round_trips_through_tags() {
    let record = TripRecord {
        tripped_at: Timestamp::parse_rfc3339("2026-11-20T09:14:03Z").unwrap(),
        previous_concurrency: Some(25),
        reason: "manual: stop it".into(),
        alert_pending: true,
        paused_mappings: vec![id(1), id(2)],
        tripped_by: None,
        parked: None,
    };
    let tags: HashMap<String, String> =
        record_tags(&record, None).into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    let read = read_guard_tags(&tags);
    assert_eq!(read.trip, Some(record));
    assert!(read.problems.is_empty());
    assert_eq!(
        read_guard_tags(&map(&[
            (tags::TRIPPED_AT, "2026-11-20T09:14:03Z"),
            (tags::PREVIOUS_CONCURRENCY, "none")
        ]))
        .trip
        .unwrap()
        .previous_concurrency,
        None
    );
}

fn id(n: u32) -> MappingId {
    MappingId::new(&format!("a1b2c3d4-0000-4000-8000-{n:012}")).unwrap()
}

#[test]
fn twenty_four_uuids_fit_in_four_tags_and_the_rest_are_counted_out() {
    let ids: Vec<MappingId> = (0..30).map(id).collect();
    let (values, fit) = pack_mappings(&ids);
    assert_eq!((values.len(), fit), (4, 24));
    assert!(values.iter().all(|v| v.len() <= MAX_TAG_VALUE_CHARS && tag_safe(v) == *v), "{values:?}");
    let record = TripRecord {
        tripped_at: Timestamp::default(),
        previous_concurrency: None,
        reason: "r".into(),
        alert_pending: false,
        paused_mappings: ids[..fit].to_vec(),
        tripped_by: None,
        parked: None,
    };
    let tags: HashMap<String, String> =
        record_tags(&record, None).into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    assert_eq!(tags.len(), 7, "three record tags and four mapping tags");
    assert_eq!(read_guard_tags(&tags).trip.unwrap().paused_mappings, ids[..24]);
    assert_eq!(pack_mappings(&[]), (Vec::new(), 0));
}

#[test]
fn an_edited_mapping_tag_keeps_the_ids_it_can_read_and_says_so() {
    let read = read_guard_tags(&map(&[
        (tags::TRIPPED_AT, "2026-11-20T09:14:03Z"),
        (tags::PREVIOUS_CONCURRENCY, "none"),
        (tags::PAUSED_MAPPINGS, "a1b2c3d4-0000-4000-8000-000000000001 ;rm"),
    ]));
    assert_eq!(read.trip.unwrap().paused_mappings, [id(1)]);
    assert_eq!(read.problems, [tags::PAUSED_MAPPINGS]);
}

#[test]
fn damaged_record_still_counts_as_tripped() {
    let read = read_guard_tags(&map(&[(tags::TRIPPED_AT, "yesterday"), (tags::PREVIOUS_CONCURRENCY, "-3")]));
    let trip = read.trip.unwrap();
    assert_eq!((trip.tripped_at, trip.previous_concurrency), (Timestamp::default(), None));
    assert_eq!(read.problems, vec![tags::TRIPPED_AT, tags::PREVIOUS_CONCURRENCY]);
}

#[test]
fn reads_exempt_and_overrides() {
    let read = read_guard_tags(&map(&[(tags::EXEMPT, "TRUE"), (tags::MAX_DEPTH, "4")]));
    assert!(read.exempt && read.trip.is_none());
    assert_eq!(read.max_depth, Some(4));
    let read = read_guard_tags(&map(&[(tags::EXEMPT, "yes"), (tags::MAX_DEPTH, "0")]));
    assert!(!read.exempt);
    assert_eq!((read.max_depth, read.problems), (None, vec![tags::MAX_DEPTH]));
}

#[test]
fn a_v2_record_reads_back_as_written_and_a_v1_record_as_stored() {
    let record = TripRecord {
        tripped_at: Timestamp::parse_rfc3339("2026-11-20T09:14:03Z").unwrap(),
        previous_concurrency: Some(25),
        reason: "manual: loop via EventBridge, see INC-42 (depth > 16)".into(),
        alert_pending: false,
        paused_mappings: Vec::new(),
        tripped_by: Some(TrippedBy::Operator { arn: "arn:aws:sts::1:assumed-role/a,b/c=d".into() }),
        parked: None,
    };
    let tags: HashMap<String, String> =
        record_tags(&record, Some("v2:AAAA")).into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    assert_eq!(tags[tags::TRIPPED_BY], "operator:arn:aws:sts::1:assumed-role/a=2Cb/c=3Dd");
    let read = read_guard_tags(&tags);
    assert_eq!(read.trip.as_ref(), Some(&record));
    let unsigned: HashMap<String, String> =
        record_tags(&record, None).into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    assert_eq!(read_guard_tags(&unsigned).trip, Some(record.clone()), "tripped-by marks v2");
    let mut v1 = tags.clone();
    v1.insert(tags::RECORD_MAC.to_owned(), "v1:AAAA".to_owned());
    v1.insert(tags::REASON.to_owned(), "rising 2000 gt 4000 =3E".to_owned());
    let read = read_guard_tags(&v1).trip.unwrap();
    assert_eq!((read.reason.as_str(), read.tripped_by), ("rising 2000 gt 4000 =3E", None));
}

#[test]
fn a_parking_round_trips_and_a_configuration_too_long_for_a_tag_is_refused() {
    let success = "arn:aws:events:us-east-1:123456789012:event-bus/orders";
    let own = InvokeConfig {
        max_retry_attempts: Some(0),
        max_event_age_secs: Some(60),
        on_success: Some(success.into()),
        on_failure: None,
    };
    for previous in [None, Some(InvokeConfig::default()), Some(own)] {
        let queue = "arn:aws:sqs:us-east-1:123456789012:runaway-guard-parked".to_owned();
        let record = TripRecord {
            tripped_at: Timestamp::parse_rfc3339("2026-11-20T09:14:03Z").unwrap(),
            previous_concurrency: None,
            reason: "r".into(),
            alert_pending: false,
            paused_mappings: Vec::new(),
            tripped_by: None,
            parked: Some(Parked { queue, previous }),
        };
        let tags: HashMap<String, String> =
            record_tags(&record, None).into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let read = read_guard_tags(&tags);
        assert_eq!((read.trip, read.problems), (Some(record), Vec::new()));
    }
    let long = InvokeConfig {
        on_success: Some(format!("arn:aws:sns:us-east-1:123456789012:{}", "t".repeat(256))),
        ..InvokeConfig::default()
    };
    assert_eq!(format_invoke_config(Some(&long)), None);
    for edited in ["retries=x", "success=http://x", "failure", "rm -rf"] {
        assert_eq!(parse_invoke_config(edited), None, "{edited}");
    }
    let half = read_guard_tags(&map(&[
        (tags::TRIPPED_AT, "2026-11-20T09:14:03Z"),
        (tags::PREVIOUS_CONCURRENCY, "none"),
        (tags::PARKED_QUEUE, "arn:aws:sqs:us-east-1:123456789012:q"),
    ]));
    assert_eq!((half.trip.unwrap().parked, half.problems), (None, vec![tags::PARKED_QUEUE]));
}
