//! The canonical bytes are injective (any change to any field changes them) and the seal verifies
//! only the record it was made for, under the key that made it.

use proptest::prelude::*;

use super::*;
use crate::aws::trip_tags::tag_safe;
use crate::fake::FakeSigner;
use crate::ports::{InvokeConfig, MappingId, Parked, RecordSigner, TrippedBy};
use crate::time::Timestamp;

fn subject(function: &str) -> RecordSubject {
    RecordSubject::from_arn(&format!("arn:aws:lambda:us-east-1:123456789012:function:{function}")).unwrap()
}

fn record() -> TripRecord {
    TripRecord {
        tripped_at: Timestamp::parse_rfc3339("2026-11-20T09:14:03Z").unwrap(),
        previous_concurrency: Some(25),
        reason: "chain depth 17 gt limit 16".into(),
        alert_pending: true,
        paused_mappings: vec![id(2), id(1)],
        tripped_by: None,
        parked: None,
    }
}

fn id(n: u32) -> MappingId {
    MappingId::new(&format!("a1b2c3d4-0000-4000-8000-{n:012}")).unwrap()
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

#[test]
fn the_subject_is_the_functions_unqualified_arn() {
    let s =
        RecordSubject::from_arn("arn:aws-cn:lambda:cn-north-1:123456789012:function:orders:live").unwrap();
    assert_eq!(s.arn(), "arn:aws-cn:lambda:cn-north-1:123456789012:function:orders");
    assert_eq!(RecordSubject::from_arn("orders"), None);
    assert_eq!(RecordSubject::from_arn("arn:aws:s3:::orders"), None);
}

#[test]
fn mapping_order_and_alert_pending_do_not_change_the_bytes() {
    let mut other = record();
    other.paused_mappings.reverse();
    other.alert_pending = false;
    assert_eq!(canonical_bytes(&subject("f"), &record()), canonical_bytes(&subject("f"), &other));
}

#[test]
fn a_seal_verifies_only_its_record_its_function_and_its_key() {
    let signer = FakeSigner::new(7);
    let mac = block_on(seal(&signer, &subject("f"), &record())).unwrap();
    assert!(mac.starts_with("v2:"), "{mac}");
    assert!(crate::aws::trip_tags::tag_safe(&mac) == mac, "the MAC is a legal tag value: {mac}");
    let check = |s: &FakeSigner, subj: &RecordSubject, r: &TripRecord, m: Option<&str>| {
        block_on(check(Some(s), subj, r, m))
    };
    assert_eq!(check(&signer, &subject("f"), &record(), Some(&mac)), RecordCheck::Verified);
    let edited = TripRecord { previous_concurrency: Some(900), ..record() };
    assert_eq!(check(&signer, &subject("f"), &edited, Some(&mac)), RecordCheck::Invalid);
    assert_eq!(
        check(&signer, &subject("g"), &record(), Some(&mac)),
        RecordCheck::Invalid,
        "another function"
    );
    assert_eq!(check(&FakeSigner::new(8), &subject("f"), &record(), Some(&mac)), RecordCheck::Invalid);
    assert_eq!(check(&signer, &subject("f"), &record(), None), RecordCheck::Unsigned);
    for garbage in ["", "v1:", "v1:!!!", "1:AAAA", "v0:AAAA", "AAAA"] {
        assert_eq!(
            check(&signer, &subject("f"), &record(), Some(garbage)),
            RecordCheck::Invalid,
            "{garbage}"
        );
    }
    let newer = check(&signer, &subject("f"), &record(), Some("v3:AAAA"));
    assert!(matches!(newer, RecordCheck::Unchecked(ref why) if why.contains("v3")), "{newer:?}");
    let keyless = block_on(check_without_key(&record(), &mac));
    assert!(
        matches!(keyless, RecordCheck::Unchecked(ref why) if why.contains("RUNAWAY_GUARD_RECORD_KEY_ARN"))
    );
    let down = FakeSigner::failing(7);
    assert!(matches!(check(&down, &subject("f"), &record(), Some(&mac)), RecordCheck::Unchecked(_)));
}

#[test]
fn a_v1_record_still_verifies_and_its_mac_covers_no_tripped_by() {
    let signer = FakeSigner::new(7);
    // As a v1 build stored it: the reason in its tag-safe form, no `tripped-by`.
    let v1 = TripRecord { reason: tag_safe("rising 2000 > 4000"), ..record() };
    let mac = block_on(signer.sign(&canonical_bytes_of(1, &subject("f"), &v1))).unwrap();
    let tag = format!("v1:{}", base64::encode(&mac));
    let verdict = block_on(check(Some(&signer), &subject("f"), &v1, Some(&tag)));
    assert_eq!(verdict, RecordCheck::Verified);
    let v2_bytes = canonical_bytes(&subject("f"), &v1);
    assert_ne!(v2_bytes, canonical_bytes_of(1, &subject("f"), &v1), "the format is covered");
    let claimed = TripRecord { tripped_by: Some(TrippedBy::Guard { rule: "depth".into() }), ..v1.clone() };
    assert_eq!(canonical_bytes_of(1, &subject("f"), &claimed), canonical_bytes_of(1, &subject("f"), &v1));
    assert_ne!(canonical_bytes(&subject("f"), &claimed), v2_bytes, "v2 covers who tripped");
}

fn parked(previous: Option<InvokeConfig>) -> TripRecord {
    let queue = "arn:aws:sqs:us-east-1:123456789012:runaway-guard-parked".to_owned();
    TripRecord { parked: Some(Parked { queue, previous }), ..record() }
}

#[test]
fn a_v1_seal_still_verifies_a_record_without_parking_and_never_one_with_it() {
    let signer = FakeSigner::new(7);
    let v1 = |r: &TripRecord| {
        let bytes = canonical_bytes_of(1, &subject("f"), r);
        format!("v1:{}", base64::encode(block_on(signer.sign(&bytes)).unwrap()))
    };
    let mac = v1(&record());
    assert_eq!(block_on(check(Some(&signer), &subject("f"), &record(), Some(&mac))), RecordCheck::Verified);
    // Parking tags added next to a genuine v1 record: the v1 MAC never covered them.
    let added = parked(None);
    assert_eq!(block_on(check(Some(&signer), &subject("f"), &added, Some(&mac))), RecordCheck::Invalid);
}

#[test]
fn the_parking_and_the_configuration_it_replaced_are_covered() {
    let signer = FakeSigner::new(7);
    let own = InvokeConfig { max_retry_attempts: Some(1), ..InvokeConfig::default() };
    let mac = block_on(seal(&signer, &subject("f"), &parked(Some(own.clone())))).unwrap();
    let verify = |r: &TripRecord| block_on(check(Some(&signer), &subject("f"), r, Some(&mac)));
    assert_eq!(verify(&parked(Some(own))), RecordCheck::Verified);
    assert_eq!(verify(&parked(None)), RecordCheck::Invalid, "a swapped previous configuration");
    assert_eq!(verify(&record()), RecordCheck::Invalid, "the parking removed");
    let mut elsewhere = parked(Some(InvokeConfig { max_retry_attempts: Some(1), ..InvokeConfig::default() }));
    if let Some(p) = elsewhere.parked.as_mut() {
        p.queue = "arn:aws:sqs:us-east-1:123456789012:attacker".into();
    }
    assert_eq!(verify(&elsewhere), RecordCheck::Invalid, "another queue");
}

async fn check_without_key(record: &TripRecord, mac: &str) -> RecordCheck {
    super::check::<FakeSigner>(None, &subject("f"), record, Some(mac)).await
}

/// One field of a record or its subject, changed.
#[derive(Debug, Clone)]
enum Change {
    Partition,
    Account(String),
    Region,
    Function(String),
    TrippedAt(u64),
    Previous(Option<u32>),
    Reason(String),
    TrippedBy(String),
    AddMapping(u32),
    DropMapping,
    Park(Option<u32>),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        Just(Change::Partition),
        "[0-9]{12}".prop_map(Change::Account),
        Just(Change::Region),
        "[a-zA-Z0-9_-]{1,64}".prop_map(Change::Function),
        (1u64..4_000_000_000).prop_map(Change::TrippedAt),
        proptest::option::of(0u32..100_000).prop_map(Change::Previous),
        "\\PC{0,80}".prop_map(Change::Reason),
        "[a-zA-Z0-9:/=+@_,-]{1,80}".prop_map(Change::TrippedBy),
        (0u32..1000).prop_map(Change::AddMapping),
        Just(Change::DropMapping),
        proptest::option::of(0u32..3).prop_map(Change::Park),
    ]
}

fn apply(change: &Change, subject: &mut RecordSubject, record: &mut TripRecord) {
    match change {
        Change::Partition => subject.partition = "aws-us-gov".into(),
        Change::Account(a) => subject.account = a.clone(),
        Change::Region => subject.region = "eu-west-1".into(),
        Change::Function(f) => subject.function = FunctionName::new(f).unwrap(),
        Change::TrippedAt(secs) => record.tripped_at = Timestamp::from_secs(*secs),
        Change::Previous(p) => record.previous_concurrency = *p,
        Change::Reason(r) => record.reason = r.clone(),
        Change::TrippedBy(arn) => record.tripped_by = Some(TrippedBy::Operator { arn: arn.clone() }),
        Change::AddMapping(n) => record.paused_mappings.push(id(1_000 + n)),
        Change::DropMapping => {
            record.paused_mappings.pop();
        }
        Change::Park(retries) => {
            let previous =
                retries.map(|n| InvokeConfig { max_retry_attempts: Some(n), ..InvokeConfig::default() });
            record.parked = Some(Parked { queue: "arn:aws:sqs:us-east-1:123456789012:p".into(), previous });
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_change_to_any_field_changes_the_bytes(change in change()) {
        let (mut s, mut r) = (subject("orders"), record());
        apply(&change, &mut s, &mut r);
        let stored_reason_same = text::stored(&r.reason) == text::stored(&record().reason);
        let same_subject = s == subject("orders");
        let same_record = r.tripped_at.to_rfc3339() == record().tripped_at.to_rfc3339()
            && r.previous_concurrency == record().previous_concurrency
            && stored_reason_same
            && r.tripped_by == record().tripped_by
            && r.paused_mappings.len() == record().paused_mappings.len()
            && r.parked == record().parked;
        prop_assume!(!(same_subject && same_record));
        prop_assert_ne!(canonical_bytes(&s, &r), canonical_bytes(&subject("orders"), &record()));
    }

    #[test]
    fn the_bytes_of_what_is_stored_are_the_bytes_of_what_was_signed(reason in "\\PC{0,300}") {
        // The tags hold the encoded reason; reading it back must give the same bytes.
        let r = TripRecord { reason, ..record() };
        let stored = TripRecord { reason: text::decode(&text::stored(&r.reason)), ..r.clone() };
        prop_assert_eq!(canonical_bytes(&subject("f"), &r), canonical_bytes(&subject("f"), &stored));
    }

}
