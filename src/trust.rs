//! Every event is a claim: which claims the guard believes before detection sees them.
//!
//! The parser (`event/`) already refuses the shapes anyone could forge trivially: an EventBridge
//! "CloudWatch Alarm State Change" is only read as an alarm when `source` is `aws.cloudwatch`,
//! which PutEvents refuses to accept from callers. What remains forgeable is what the envelope
//! *says*: an account, a region, an alarm ARN. [`Trust::judge`] checks those against where the guard
//! runs (its own account, learnt from its ARN in Lambda mode, plus `RUNAWAY_GUARD_TRUSTED_ACCOUNTS`;
//! its region; its partition). A distrusted signal becomes a `rejected` record and never an action.
//! A claim the event does not make (no account, no region) is not contradicted, so it passes: the
//! envelopes AWS generates always carry both, and hand-written events reach the guard only through
//! someone allowed to invoke it. See docs/trust-model.md.
//!
//! Chain headers are the one signal anyone allowed to PutEvents on the bus can write in full.
//! [`claim`] decides which of them prove who made them (a function's own report, sent straight to
//! the chain queue with its execution role); the others count toward the chain rules but throttle
//! only when the function's own CloudWatch history agrees. Alarms are believed only on metrics no
//! one can publish: an `AWS/` namespace ([`is_aws_namespace`]).

pub mod claim;

use std::collections::BTreeSet;

use crate::arn::{Arn, Partition};
use crate::signal::{AlarmSignal, Signal};
use crate::time::Timestamp;

/// The only region `AWS/Billing` metrics (and so billing alarms) live in.
pub const BILLING_REGION: &str = "us-east-1";

/// Why a signal is not believed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Distrust {
    /// The event claims an account that is neither the guard's nor trusted.
    #[error(
        "{what} claims account {claimed}; the guard trusts only its own account ({own}) and \
         RUNAWAY_GUARD_TRUSTED_ACCOUNTS"
    )]
    ForeignAccount {
        /// What made the claim (envelope, alarm ARN).
        what: &'static str,
        /// The account claimed.
        claimed: String,
        /// The guard's own account.
        own: String,
    },
    /// The event claims a region other than the guard's (billing alarms excepted).
    #[error(
        "{what} claims region {claimed}; the guard runs in {own} (only billing alarms come from {BILLING_REGION})"
    )]
    ForeignRegion {
        /// What made the claim.
        what: &'static str,
        /// The region claimed.
        claimed: String,
        /// The guard's region.
        own: String,
    },
    /// An ARN names another partition than the guard's.
    #[error("{what} is in partition {claimed}; the guard runs in {own}")]
    ForeignPartition {
        /// What made the claim.
        what: &'static str,
        /// The partition named.
        claimed: String,
        /// The guard's partition.
        own: &'static str,
    },
    /// The alarm watches a metric outside the `AWS/` namespaces: anyone with `PutMetricData` can
    /// publish to it, so its ALARM proves nothing.
    #[error("alarm watches namespace {0}; the guard acts only on AWS/ metrics, which nobody can publish to")]
    CustomNamespace(String),
    /// A chain event sent longer ago than the chain TTL: the chain rules forget a root after that
    /// long, so an older event (a redrive, a replayed archive, a held message) is evidence of nothing.
    #[error(
        "chain event sent at {sent_at}, {age_secs}s ago: older than the chain TTL of {ttl_secs}s \
         (RUNAWAY_GUARD_CHAIN_TTL_SECS), so evidence of nothing"
    )]
    StaleChainEvent {
        /// When the envelope says it was sent (RFC 3339).
        sent_at: String,
        /// Its age when the guard read it.
        age_secs: u64,
        /// The chain TTL in force.
        ttl_secs: u64,
    },
    /// An alarm ARN that is not `arn:PARTITION:cloudwatch:REGION:ACCOUNT:alarm:NAME`.
    #[error("alarm ARN is malformed: {0}")]
    BadAlarmArn(&'static str),
    /// The alarm's ARN and its envelope disagree (one of them is forged).
    #[error("alarm ARN names {field} {arn} but the envelope claims {envelope}")]
    Inconsistent {
        /// `account` or `region`.
        field: &'static str,
        /// The ARN's value.
        arn: String,
        /// The envelope's value.
        envelope: String,
    },
}

/// Where the guard runs, and whom it believes.
#[derive(Debug, Clone, Copy)]
pub struct Trust<'a> {
    /// The guard's account (unknown: account claims are not checked).
    pub account: Option<&'a str>,
    /// The guard's region (unknown: region and partition claims are not checked).
    pub region: Option<&'a str>,
    /// Accounts believed besides the guard's own.
    pub trusted_accounts: &'a BTreeSet<String>,
    /// When the guard reads the signals.
    pub now: Timestamp,
    /// The chain TTL: the oldest a chain event may be and still count.
    pub chain_ttl_secs: u64,
}

impl Trust<'_> {
    /// Accepts the signal, or says which claim is not believed.
    pub fn judge(&self, signal: &Signal) -> Result<(), Distrust> {
        match signal {
            Signal::Chain(chain) => {
                self.account_ok("chain event", chain.account.as_deref())?;
                self.region_ok("chain event", chain.region.as_deref(), false)?;
                self.fresh(chain.emitted_at)
            }
            Signal::Alarm(alarm) => self.alarm_ok(alarm),
            Signal::Sweep(sweep) => self.account_ok("scheduled event", sweep.account.as_deref()),
            // A contributor is a claim by the same alarm: the same checks, never a billing exception
            // (Metrics Insights queries read AWS/Lambda in the guard's own region).
            Signal::Contributor(c) => {
                self.claims_ok(c.account.as_deref(), c.region.as_deref(), c.alarm_arn.as_deref(), false)
            }
        }
    }

    /// The one age rule for chain evidence: an event sent more than the chain TTL before `now` is
    /// refused (an event that names no time, or a time ahead of the guard's clock, has no age to refuse).
    fn fresh(&self, sent_at: Option<Timestamp>) -> Result<(), Distrust> {
        let Some(sent_at) = sent_at else { return Ok(()) };
        let age_secs = self.now.as_secs().saturating_sub(sent_at.as_secs());
        if age_secs <= self.chain_ttl_secs {
            return Ok(());
        }
        Err(Distrust::StaleChainEvent {
            sent_at: sent_at.to_rfc3339(),
            age_secs,
            ttl_secs: self.chain_ttl_secs,
        })
    }

    /// Checks an envelope's account and region claims (e.g. a CloudTrail event's).
    pub fn judge_claims(
        &self,
        what: &'static str,
        account: Option<&str>,
        region: Option<&str>,
    ) -> Result<(), Distrust> {
        self.account_ok(what, account)?;
        self.region_ok(what, region, false)
    }

    fn alarm_ok(&self, alarm: &AlarmSignal) -> Result<(), Distrust> {
        if let Some(custom) = alarm.metrics.iter().find(|m| !is_aws_namespace(&m.namespace)) {
            return Err(Distrust::CustomNamespace(clip(&custom.namespace)));
        }
        let billing = alarm.metrics.iter().any(|m| m.namespace == "AWS/Billing");
        let (account, region) = (alarm.account.as_deref(), alarm.region.as_deref());
        self.claims_ok(account, region, alarm.alarm_arn.as_deref(), billing)
    }

    /// An alarm's envelope account and region, and its ARN's, each believed and all consistent.
    fn claims_ok(
        &self,
        account: Option<&str>,
        region: Option<&str>,
        arn: Option<&str>,
        billing: bool,
    ) -> Result<(), Distrust> {
        self.account_ok("alarm", account)?;
        self.region_ok("alarm", region, billing)?;
        let Some(arn) = arn else { return Ok(()) };
        let parts = alarm_arn(arn)?;
        if let Some(own) = self.region.map(Partition::of_region)
            && parts.partition != own
        {
            return Err(Distrust::ForeignPartition {
                what: "alarm ARN",
                claimed: parts.partition.as_str().to_owned(),
                own: own.as_str(),
            });
        }
        agree("account", parts.account, account)?;
        agree("region", parts.region, region)?;
        self.account_ok("alarm ARN", Some(parts.account))?;
        self.region_ok("alarm ARN", Some(parts.region), billing)
    }

    fn account_ok(&self, what: &'static str, claimed: Option<&str>) -> Result<(), Distrust> {
        match (claimed, self.account) {
            (Some(claimed), Some(own)) if claimed != own && !self.trusted_accounts.contains(claimed) => {
                Err(Distrust::ForeignAccount { what, claimed: clip(claimed), own: own.to_owned() })
            }
            _ => Ok(()),
        }
    }

    /// Billing alarms must claim us-east-1 (the only region with `AWS/Billing`), wherever the guard runs.
    fn region_ok(&self, what: &'static str, claimed: Option<&str>, billing: bool) -> Result<(), Distrust> {
        let (Some(claimed), Some(own)) = (claimed, self.region) else { return Ok(()) };
        let expected = if billing { BILLING_REGION } else { own };
        if claimed == expected {
            return Ok(());
        }
        Err(Distrust::ForeignRegion { what, claimed: clip(claimed), own: expected.to_owned() })
    }
}

/// True for the namespaces AWS services publish to (`AWS/Lambda`, `AWS/Billing`, ...):
/// `PutMetricData` refuses every namespace starting `AWS/`, so only AWS itself writes them.
pub fn is_aws_namespace(namespace: &str) -> bool {
    namespace.strip_prefix("AWS/").is_some_and(|rest| !rest.is_empty())
}

/// `arn:PARTITION:cloudwatch:REGION:ACCOUNT:alarm:NAME` (the name may itself contain `:`).
fn alarm_arn(arn: &str) -> Result<Arn<'_>, Distrust> {
    let parsed = Arn::regional(arn, "cloudwatch")
        .ok_or(Distrust::BadAlarmArn("not an ARN with a known partition, a region and a 12-digit account"))?;
    if !parsed.resource.starts_with("alarm:") {
        return Err(Distrust::BadAlarmArn("not a CloudWatch alarm ARN"));
    }
    Ok(parsed)
}

fn agree(field: &'static str, arn: &str, envelope: Option<&str>) -> Result<(), Distrust> {
    match envelope {
        Some(envelope) if envelope != arn => {
            Err(Distrust::Inconsistent { field, arn: clip(arn), envelope: clip(envelope) })
        }
        _ => Ok(()),
    }
}

/// Claims are the sender's text: keep at most 64 characters of them in errors and logs.
fn clip(text: &str) -> String {
    text.chars().take(64).collect()
}

#[cfg(test)]
mod tests;
