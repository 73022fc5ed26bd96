use proptest::prelude::*;

use super::*;

#[test]
fn reads_any_service_arn() {
    let arn = Arn::parse("arn:aws:sqs:eu-west-1:111122223333:jobs").unwrap();
    assert_eq!(
        (arn.partition, arn.service, arn.region, arn.account, arn.resource),
        (Partition::Aws, "sqs", "eu-west-1", "111122223333", "jobs")
    );
    let bucket = Arn::parse("arn:aws:s3:::photos/a:b.png").unwrap();
    assert_eq!((bucket.region, bucket.account, bucket.resource), ("", "", "photos/a:b.png"));
    let role = Arn::parse("arn:aws-cn:iam::111122223333:role/x").unwrap();
    assert_eq!((role.partition, role.region), (Partition::AwsCn, ""));
    for bad in [
        "",
        "arn",
        "arn:aws:sqs:eu-west-1:111122223333",
        "arn:aws:sqs:eu-west-1:111122223333:",
        "arn:evil:sqs:eu-west-1:111122223333:jobs",
        "arn:aws:SQS:eu-west-1:111122223333:jobs",
        "arn:aws:sqs:EU:111122223333:jobs",
        "arn:aws:sqs:eu-west-1:1111:jobs",
        "nra:aws:sqs:eu-west-1:111122223333:jobs",
    ] {
        assert_eq!(Arn::parse(bad), None, "{bad}");
    }
    assert!(Arn::regional("arn:aws:s3:::photos", "s3").is_none());
    assert!(Arn::regional("arn:aws:sqs:eu-west-1:111122223333:jobs", "sns").is_none());
    assert!(
        Arn::regional("arn:aws:sqs:eu-west-1:111122223333:jobs", "sqs")
            .unwrap()
            .is_in("111122223333", "eu-west-1")
    );
}

#[test]
fn function_arns_keep_every_part() {
    let arn =
        FunctionArn::parse("arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:orders:live").unwrap();
    assert_eq!(arn.partition, Partition::AwsUsGov);
    assert_eq!((arn.region.as_str(), arn.account.as_str()), ("us-gov-west-1", "111122223333"));
    assert_eq!((arn.function.as_str(), arn.qualifier.as_deref()), ("orders", Some("live")));
    assert_eq!(arn.unqualified(), "arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:orders");
    assert_eq!(arn.to_string(), "arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:orders:live");
    assert!(arn.is_in("111122223333", "us-gov-west-1"));
    assert!(!arn.is_in("111122223333", "us-gov-east-1"));
    for bad in [
        "arn:aws:s3:::bucket",
        "arn:aws:lambda:eu-west-1:1111:function:orders",
        "arn:evil:lambda:eu-west-1:111122223333:function:orders",
        "arn:aws:lambda:EU:111122223333:function:orders",
        "arn:aws:lambda:eu-west-1:111122223333:layer:orders",
        "arn:aws:lambda:eu-west-1:111122223333:function:orders:",
        "arn:aws:lambda:eu-west-1:111122223333:function:orders:a b",
        "arn:aws:lambda:eu-west-1:111122223333:function:or;ders",
        "arn:aws:lambda:eu-west-1:111122223333:function:orders:live:extra",
    ] {
        assert!(FunctionArn::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_partition_follows_the_region() {
    let f = FunctionName::new("orders").unwrap();
    let arn = |a: &str, r: &str| FunctionArn::of(&f, a, r).map(|arn| arn.to_string());
    assert_eq!(
        arn("123456789012", "eu-west-1").as_deref(),
        Some("arn:aws:lambda:eu-west-1:123456789012:function:orders")
    );
    assert_eq!(
        arn("123456789012", "cn-north-1").as_deref(),
        Some("arn:aws-cn:lambda:cn-north-1:123456789012:function:orders")
    );
    assert!(arn("123456789012", "us-isob-east-1").unwrap().starts_with("arn:aws-iso-b:"));
    assert_eq!(arn("12345", "eu-west-1"), None);
    assert_eq!(arn("123456789012", "Not A Region"), None);
}

proptest! {
    /// Whatever the text, parsing never panics, and a function ARN that parses prints back as itself.
    #[test]
    fn function_arns_round_trip(text in "arn:(aws|aws-cn|x):(lambda|sqs):[a-z]{2}-[a-z]{4}-[0-9]:[0-9]{11,13}:function:[a-zA-Z0-9_:;-]{0,20}") {
        let _ = Arn::parse(&text);
        if let Ok(arn) = FunctionArn::parse(&text) {
            prop_assert_eq!(arn.to_string(), text);
        }
    }
}

#[test]
fn an_arn_settles_the_place_an_event_leaves_open_and_refuses_another() {
    let arn = FunctionArn::parse("arn:aws:lambda:eu-west-1:111122223333:function:orders").unwrap();
    let (mut account, mut region) = (None, None);
    assert!(arn.settle_place(&mut account, &mut region));
    assert_eq!((account.as_deref(), region.as_deref()), (Some("111122223333"), Some("eu-west-1")));
    let (mut account, mut region) = (Some("111122223333".to_owned()), Some("us-east-1".to_owned()));
    assert!(!arn.settle_place(&mut account, &mut region));
    assert_eq!(region.as_deref(), Some("us-east-1"));
    assert!(arn.agrees_with(None, Some("eu-west-1")));
    assert!(!arn.agrees_with(Some("444455556666"), None));
}
