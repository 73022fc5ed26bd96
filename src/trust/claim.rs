//! Chain claims and what proves who made them.
//!
//! A chain header is a claim: "function F is at depth d of chain r". On the bus or a topic nobody
//! can tell who wrote it (PutEvents and Publish carry no identity the guard sees). One transport
//! does: a message sent straight to the chain queue carries the SQS `SenderId` of whoever sent it,
//! written by SQS. A Lambda execution role's session is named after the function, so F's own report
//! reads `AROA…:F`, where `AROA…` is the unique id of F's execution role. The session name alone
//! proves nothing (anyone who may assume some role can pick any session name); the role id must be
//! F's execution role's, which the handler reads from IAM and checks with [`Proof::of`].
//!
//! The rule (docs/trust-model.md):
//! - a depth claim by F about F, authenticated, acts at once ([`SelfReport::reason`]);
//! - every other chain verdict (depth or chain size resting on unauthenticated claims, the rate rules
//!   the same claims feed) becomes a [`Candidate`] judged against F's own CloudWatch history
//!   ([`unauthenticated`]): the chain evidence counts, but only F's metrics can make it a throttle.
//!
//! Pure: no I/O, no clock.

use crate::chain::ChainHeader;
use crate::name::FunctionName;
use crate::signal::{ChainObservation, Signal};
use crate::time::Timestamp;
use crate::verdict::{Candidate, ChainEvent, Reason};

/// The prefix of an IAM role's unique id (users are `AIDA…`, the account root its account id).
pub const ROLE_ID_PREFIX: &str = "AROA";

/// Longest IAM unique id accepted (AWS documents up to 128 characters; real ones are 21).
const MAX_ROLE_ID: usize = 128;
/// Longest role session name STS accepts.
const MAX_SESSION: usize = 64;

/// A role session's `SenderId`: `AROA…:<session>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleSession<'a> {
    /// The role's unique id (`AROA…`).
    pub role_id: &'a str,
    /// The session name (a Lambda execution role's session is the function's name).
    pub session: &'a str,
}

impl<'a> RoleSession<'a> {
    /// Reads a `SenderId`; `None` when it is not a role session (a user, the root, malformed).
    pub fn parse(sender: &'a str) -> Option<Self> {
        let (role_id, session) = sender.split_once(':')?;
        let id_ok = role_id.len() > ROLE_ID_PREFIX.len()
            && role_id.len() <= MAX_ROLE_ID
            && role_id.starts_with(ROLE_ID_PREFIX)
            && role_id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        let session_ok = (1..=MAX_SESSION).contains(&session.len())
            && session.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b));
        (id_ok && session_ok).then_some(Self { role_id, session })
    }
}

/// What a sender proves about a claim naming `function`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proof {
    /// The sender is `function`'s execution role in the session Lambda names after `function`.
    Authenticated,
    /// The session is named after the function but the role is not its execution role (or its
    /// execution role could not be read): anyone who may assume that role could have sent it.
    WrongRole,
}

impl Proof {
    /// Compares the claimed role id with `function`'s execution role's unique id (`None`: unknown).
    pub fn of(claimed: &RoleSession<'_>, execution_role_id: Option<&str>) -> Self {
        match execution_role_id {
            Some(id) if id == claimed.role_id => Proof::Authenticated,
            _ => Proof::WrongRole,
        }
    }
}

/// True for reasons that rest on chain claims: depth, chain size, and the rate rules, which count
/// the same claims. Alarms, contributors, offender searches and manual trips come from CloudWatch or
/// an operator.
pub fn rests_on_claims(reason: &Reason) -> bool {
    matches!(
        reason,
        Reason::Depth { .. }
            | Reason::ChainSize { .. }
            | Reason::RateAbsolute { .. }
            | Reason::RateGrowth { .. }
    )
}

/// The chain observations of a batch that name a role session as their sender (usually none: only
/// deep hops are reported straight to the queue).
pub fn signed(signals: &[Signal]) -> Vec<&ChainObservation> {
    signals
        .iter()
        .filter_map(|signal| match signal {
            Signal::Chain(observation) if observation.sender.is_some() => Some(observation),
            _ => None,
        })
        .collect()
}

/// `function`'s own report of a hop deeper than `limit`, as its sender claims it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelfReport<'a> {
    /// The reported header (its `function` is the one asked about).
    pub header: &'a ChainHeader,
    /// The sender's role session (its session is the function's name).
    pub sender: RoleSession<'a>,
    /// When the report was sent, if its envelope said.
    pub sent_at: Option<Timestamp>,
}

impl SelfReport<'_> {
    /// The depth reason the report stands for, once authenticated.
    pub fn reason(&self, limit: u32) -> Reason {
        let event = ChainEvent {
            sent_at: self.sent_at.map(Timestamp::to_rfc3339),
            source: None,
            detail_type: None,
            sender: Some(format!("{}:{}", self.sender.role_id, self.sender.session)),
        };
        Reason::Depth {
            root: self.header.root.clone(),
            depth: self.header.depth,
            limit,
            event: Some(Box::new(event)),
        }
    }
}

/// The deepest hop beyond `limit` that `function` reported about itself from a role session named
/// after it, or `None`. Whether the role is `function`'s execution role is for [`Proof::of`].
pub fn self_report<'a>(
    signed: &[&'a ChainObservation],
    function: &FunctionName,
    limit: u32,
) -> Option<SelfReport<'a>> {
    signed
        .iter()
        .filter(|o| o.header.function == *function && o.header.depth > limit)
        .filter_map(|o| {
            let sender = RoleSession::parse(o.sender.as_deref()?)?;
            (sender.session == function.as_str()).then_some(SelfReport {
                header: &o.header,
                sender,
                sent_at: o.emitted_at,
            })
        })
        .max_by_key(|report| report.header.depth)
}

/// The candidate an unauthenticated chain verdict becomes: judged against the function's own
/// history like any metric-driven candidate, so it throttles only a function that is running away.
pub fn unauthenticated(function: FunctionName, reason: &Reason, signals: &[Signal]) -> Candidate {
    let trigger = match last_claim_about(signals, &function) {
        Some(origin) => format!("unauthenticated chain claims: {reason}; last claim {origin}"),
        None => format!("unauthenticated chain claims: {reason}"),
    };
    Candidate { function, trigger, recursion: false, muted: None }
}

/// Where the last chain event naming `function` came from, as on-call needs it to find the loop:
/// when it was sent and, for a bus event, its `source` and `detail-type` (the sender's words: they
/// point at the loop, they prove nothing).
fn last_claim_about(signals: &[Signal], function: &FunctionName) -> Option<String> {
    let last = signals.iter().rev().find_map(|signal| match signal {
        Signal::Chain(chain) if chain.header.function == *function => Some(chain),
        _ => None,
    })?;
    let mut parts = Vec::new();
    if let Some(at) = last.emitted_at {
        parts.push(format!("sent {}", at.to_rfc3339()));
    }
    if let Some(source) = &last.source {
        parts.push(format!("source {source:?}"));
    }
    if let Some(detail_type) = &last.detail_type {
        parts.push(format!("detail-type {detail_type:?}"));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    const ROLE: &str = "AROA3XFRBF535PLBIFPI4";

    fn observation(function: &str, depth: u32, sender: Option<&str>) -> Signal {
        let header = ChainHeader::parse(&format!("root=r-1;depth={depth};function={function}")).unwrap();
        Signal::Chain(ChainObservation {
            header,
            emitted_at: None,
            account: None,
            region: None,
            sender: sender.map(Arc::from),
            source: None,
            detail_type: None,
        })
    }

    fn name(text: &str) -> FunctionName {
        FunctionName::new(text).unwrap()
    }

    #[test]
    fn an_unauthenticated_claim_names_the_bus_event_that_carried_it() {
        let header = ChainHeader::parse("root=r-1;depth=17;function=looper").unwrap();
        let bus = Signal::Chain(ChainObservation {
            header,
            emitted_at: Timestamp::parse_rfc3339("2026-11-20T09:21:07Z"),
            account: None,
            region: None,
            sender: None,
            source: Some(Arc::from("com.example.renderer")),
            detail_type: Some(Arc::from("render.finished")),
        });
        let root = crate::chain::ChainRoot::new("r-1").unwrap();
        let reason = Reason::Depth { root, depth: 17, limit: 16, event: None };
        let candidate = unauthenticated(name("looper"), &reason, &[observation("other", 3, None), bus]);
        assert!(
            candidate.trigger.ends_with(
                "; last claim sent 2026-11-20T09:21:07Z, source \"com.example.renderer\", detail-type \"render.finished\""
            ),
            "{}",
            candidate.trigger
        );
        let bare = unauthenticated(name("looper"), &reason, &[observation("looper", 17, None)]);
        assert_eq!(bare.trigger, format!("unauthenticated chain claims: {reason}"));
    }

    #[test]
    fn reads_role_sessions_only() {
        let text = format!("{ROLE}:payments-api");
        let session = RoleSession::parse(&text).unwrap();
        assert_eq!((session.role_id, session.session), (ROLE, "payments-api"));
        for bad in [
            "AIDAIENQZJOLO23YVJ4VO",
            "AIDAIENQZJOLO23YVJ4VO:payments-api",
            "123456789012",
            "AROA:payments-api",
            "aroa3xfrbf535plbifpi4:payments-api",
            &format!("{ROLE}:"),
            &format!("{ROLE}:pay ments"),
            &format!("{ROLE}:{}", "a".repeat(65)),
        ] {
            assert_eq!(RoleSession::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_self_report_needs_the_session_of_the_function_and_a_hop_past_its_limit() {
        let signals = vec![
            observation("payments-api", 30, None),
            observation("payments-api", 20, Some(&format!("{ROLE}:orders"))),
            observation("payments-api", 16, Some(&format!("{ROLE}:payments-api"))),
            observation("payments-api", 17, Some(&format!("{ROLE}:payments-api"))),
            observation("payments-api", 18, Some(&format!("{ROLE}:payments-api"))),
            observation("orders", 40, Some(&format!("{ROLE}:payments-api"))),
        ];
        let signed = signed(&signals);
        assert_eq!(signed.len(), 5, "the bus-borne one names no sender");
        let report = self_report(&signed, &name("payments-api"), 16).unwrap();
        assert_eq!((report.header.depth, report.sender.role_id), (18, ROLE), "the deepest one");
        assert_eq!(self_report(&signed, &name("payments-api"), 18), None);
        assert_eq!(self_report(&signed, &name("orders"), 16), None, "sent by payments-api's session");
        assert!(matches!(report.reason(16), Reason::Depth { depth: 18, limit: 16, .. }));
    }

    #[test]
    fn only_the_execution_role_authenticates() {
        let text = format!("{ROLE}:payments-api");
        let sender = RoleSession::parse(&text).unwrap();
        assert_eq!(Proof::of(&sender, Some(ROLE)), Proof::Authenticated);
        assert_eq!(Proof::of(&sender, Some("AROAOTHERROLE0000000")), Proof::WrongRole);
        assert_eq!(Proof::of(&sender, None), Proof::WrongRole);
    }

    #[test]
    fn chain_and_rate_reasons_rest_on_claims() {
        assert!(rests_on_claims(&Reason::RateGrowth { buckets: vec![1, 2, 4] }));
        assert!(rests_on_claims(&Reason::RateAbsolute { per_second: 1.0, limit: 1.0 }));
        assert!(!rests_on_claims(&Reason::Manual { text: "x".into() }));
        assert!(!rests_on_claims(&Reason::Alarm {
            alarm: "a".into(),
            metric: "m".into(),
            state_reason: None
        }));
        let candidate = unauthenticated(name("f"), &Reason::RateGrowth { buckets: vec![1, 2, 4] }, &[]);
        assert!(candidate.trigger.starts_with("unauthenticated chain claims: rate"), "{}", candidate.trigger);
        assert!(!candidate.recursion);
    }
}
