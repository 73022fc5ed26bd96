//! Trust checks: each forged claim rejected with its reason, each genuine one accepted.

use std::collections::BTreeSet;

use super::*;
use crate::chain::{ChainHeader, ChainRoot};
use crate::name::FunctionName;
use crate::signal::{AlarmMetric, AlarmState, AlarmTransport, ChainObservation, SweepSignal};

const OWN: &str = "111122223333";
const OTHER: &str = "444455556666";
/// The guard's clock in these tests.
const NOW: u64 = 1_796_000_000;

fn name(s: &str) -> FunctionName {
    FunctionName::new(s).unwrap()
}

fn trust(trusted: &BTreeSet<String>) -> Trust<'_> {
    Trust {
        account: Some(OWN),
        region: Some("eu-west-1"),
        trusted_accounts: trusted,
        now: Timestamp::from_secs(NOW),
        chain_ttl_secs: 600,
    }
}

fn chain(account: Option<&str>, region: Option<&str>) -> Signal {
    let header = ChainHeader::new(ChainRoot::new("r1").unwrap(), 3, name("f")).unwrap();
    Signal::Chain(ChainObservation {
        header,
        emitted_at: None,
        account: account.map(Into::into),
        region: region.map(Into::into),
        sender: None,
        source: None,
        detail_type: None,
    })
}

fn alarm(namespace: &str, arn: Option<&str>, account: Option<&str>, region: Option<&str>) -> Signal {
    Signal::Alarm(Box::new(AlarmSignal {
        alarm_name: "a".into(),
        alarm_arn: arn.map(str::to_owned),
        state: AlarmState::Alarm,
        metrics: vec![AlarmMetric { namespace: namespace.into(), name: "Invocations".into() }],
        functions: vec![name("f")],
        reason: None,
        at: None,
        account: account.map(str::to_owned),
        region: region.map(str::to_owned),
        transport: AlarmTransport::EventBridge,
    }))
}

fn arn(partition: &str, region: &str, account: &str) -> String {
    format!("arn:{partition}:cloudwatch:{region}:{account}:alarm:a:with:colons")
}

#[test]
fn own_account_and_region_are_believed() {
    let none = BTreeSet::new();
    let own_arn = arn("aws", "eu-west-1", OWN);
    assert_eq!(trust(&none).judge(&chain(Some(OWN), Some("eu-west-1"))), Ok(()));
    assert_eq!(
        trust(&none).judge(&alarm("AWS/Lambda", Some(&own_arn), Some(OWN), Some("eu-west-1"))),
        Ok(())
    );
}

#[test]
fn absent_claims_are_not_contradicted() {
    let none = BTreeSet::new();
    assert_eq!(trust(&none).judge(&chain(None, None)), Ok(()));
    assert_eq!(trust(&none).judge(&alarm("AWS/Lambda", None, None, None)), Ok(()));
}

#[test]
fn another_account_is_rejected_unless_trusted() {
    let none = BTreeSet::new();
    let err = trust(&none).judge(&chain(Some(OTHER), Some("eu-west-1"))).unwrap_err();
    assert!(matches!(err, Distrust::ForeignAccount { what: "chain event", .. }), "{err}");
    assert!(err.to_string().contains(OTHER));
    let sweep = Signal::Sweep(SweepSignal { at: None, account: Some(OTHER.into()) });
    assert!(matches!(trust(&none).judge(&sweep), Err(Distrust::ForeignAccount { .. })));
    let trusted = BTreeSet::from([OTHER.to_owned()]);
    assert_eq!(trust(&trusted).judge(&chain(Some(OTHER), Some("eu-west-1"))), Ok(()));
    assert_eq!(trust(&trusted).judge(&sweep), Ok(()));
}

#[test]
fn another_region_is_rejected_except_billing_from_us_east_1() {
    let none = BTreeSet::new();
    let err = trust(&none).judge(&alarm("AWS/Lambda", None, Some(OWN), Some("us-east-1"))).unwrap_err();
    assert!(matches!(err, Distrust::ForeignRegion { .. }), "{err}");
    assert!(matches!(
        trust(&none).judge(&chain(Some(OWN), Some("us-west-2"))),
        Err(Distrust::ForeignRegion { .. })
    ));
    let billing = arn("aws", "us-east-1", OWN);
    assert_eq!(
        trust(&none).judge(&alarm("AWS/Billing", Some(&billing), Some(OWN), Some("us-east-1"))),
        Ok(())
    );
    // Billing metrics exist only in us-east-1: a billing alarm from anywhere else is invented.
    let err = trust(&none).judge(&alarm("AWS/Billing", None, Some(OWN), Some("eu-west-1"))).unwrap_err();
    assert!(matches!(err, Distrust::ForeignRegion { .. }), "{err}");
}

#[test]
fn the_alarm_arn_must_agree_with_the_envelope_and_the_guard() {
    let none = BTreeSet::new();
    let t = trust(&none);
    let foreign = arn("aws", "eu-west-1", OTHER);
    let err = t.judge(&alarm("AWS/Lambda", Some(&foreign), Some(OWN), None)).unwrap_err();
    assert!(matches!(err, Distrust::Inconsistent { field: "account", .. }), "{err}");
    let err = t.judge(&alarm("AWS/Lambda", Some(&foreign), None, None)).unwrap_err();
    assert!(matches!(err, Distrust::ForeignAccount { what: "alarm ARN", .. }), "{err}");
    let china = arn("aws-cn", "eu-west-1", OWN);
    assert!(matches!(
        t.judge(&alarm("AWS/Lambda", Some(&china), None, None)),
        Err(Distrust::ForeignPartition { .. })
    ));
    for bad in
        ["arn:aws:sns:eu-west-1:111122223333:alarm:a", "arn:aws:cloudwatch:eu-west-1:1:alarm:a", "nonsense"]
    {
        assert!(
            matches!(t.judge(&alarm("AWS/Lambda", Some(bad), None, None)), Err(Distrust::BadAlarmArn(_))),
            "{bad}"
        );
    }
}

#[test]
fn a_chain_event_older_than_the_chain_ttl_is_evidence_of_nothing() {
    let none = BTreeSet::new();
    let sent = |ago: u64| {
        let Signal::Chain(mut observation) = chain(Some(OWN), Some("eu-west-1")) else { unreachable!() };
        observation.emitted_at = Some(Timestamp::from_secs(NOW - ago));
        Signal::Chain(observation)
    };
    assert_eq!(trust(&none).judge(&sent(0)), Ok(()));
    assert_eq!(trust(&none).judge(&sent(600)), Ok(()), "exactly the TTL still counts");
    let sixteen_days = 16 * 86_400;
    let error = trust(&none).judge(&sent(sixteen_days)).unwrap_err();
    assert_eq!(
        error,
        Distrust::StaleChainEvent {
            sent_at: Timestamp::from_secs(NOW - sixteen_days).to_rfc3339(),
            age_secs: sixteen_days,
            ttl_secs: 600
        }
    );
    assert!(error.to_string().contains("evidence of nothing"), "{error}");
    assert_eq!(trust(&none).judge(&chain(Some(OWN), None)), Ok(()), "no time, no age to refuse");
}

#[test]
fn an_unknown_location_checks_nothing() {
    let none = BTreeSet::new();
    let blind = Trust {
        account: None,
        region: None,
        trusted_accounts: &none,
        now: Timestamp::from_secs(0),
        chain_ttl_secs: 0,
    };
    assert_eq!(blind.judge(&chain(Some(OTHER), Some("us-west-2"))), Ok(()));
}

#[test]
fn errors_clip_the_senders_text() {
    let none = BTreeSet::new();
    let huge = "9".repeat(10_000);
    let err = trust(&none).judge(&chain(Some(&huge), None)).unwrap_err();
    assert!(err.to_string().len() < 300, "{}", err.to_string().len());
}

fn contributor(arn: Option<&str>, account: Option<&str>, region: Option<&str>) -> Signal {
    Signal::Contributor(Box::new(crate::signal::ContributorSignal {
        alarm_name: "per-function".into(),
        alarm_arn: arn.map(str::to_owned),
        contributor_id: "c1".into(),
        function: Some(name("f")),
        state: AlarmState::Alarm,
        metric: crate::signal::ContributorMetric::Other("SELECT SUM(Invocations) ...".into()),
        expression: None,
        reason: None,
        at: None,
        account: account.map(Into::into),
        region: region.map(Into::into),
        mute: None,
    }))
}

#[test]
fn contributors_get_the_alarm_checks() {
    let none = BTreeSet::new();
    let t = trust(&none);
    let arn =
        |account: &str, region: &str| format!("arn:aws:cloudwatch:{region}:{account}:alarm:per-function");
    let own = arn(OWN, "eu-west-1");
    assert_eq!(t.judge(&contributor(Some(&own), Some(OWN), Some("eu-west-1"))), Ok(()));
    assert!(matches!(
        t.judge(&contributor(Some(&own), Some(OTHER), Some("eu-west-1"))),
        Err(Distrust::ForeignAccount { .. })
    ));
    assert!(matches!(
        t.judge(&contributor(Some(&arn(OWN, "us-east-1")), Some(OWN), Some("eu-west-1"))),
        Err(Distrust::Inconsistent { field: "region", .. })
    ));
    // No billing exception: a contributor from us-east-1 is foreign to a guard in eu-west-1.
    assert!(matches!(
        t.judge(&contributor(None, Some(OWN), Some("us-east-1"))),
        Err(Distrust::ForeignRegion { .. })
    ));
    assert!(matches!(
        t.judge(&contributor(Some("arn:aws:sns:x"), None, None)),
        Err(Distrust::BadAlarmArn(_))
    ));
}
