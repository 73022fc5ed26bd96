//! Reporting a deep hop to the guard in a way that proves who sent it.
//!
//! A header on the bus or a topic can be written by anyone allowed to publish there, so the guard
//! acts on it only after judging the named function against its own CloudWatch history. A hop past
//! the depth limit that the function sends straight to the guard's chain queue with its own
//! execution role is different: SQS stamps the message with the sender (`AROA…:<function name>`),
//! and the guard throttles the function at once. Sending it is the function's job (with its own SQS
//! client: this module has no AWS dependency); [`ChainHeader::should_report`] says when and
//! [`ChainHeader::report`] what.

use super::{ChainHeader, MESSAGE_ATTRIBUTE};

/// The body of a report: SQS needs a non-empty body; the guard reads only the attribute.
pub const REPORT_BODY: &str = "runaway-guard chain report";

/// One SQS message for the guard's chain queue (`SendMessage` by the function itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// The message body ([`REPORT_BODY`]).
    pub body: &'static str,
    /// The message attribute's name, [`MESSAGE_ATTRIBUTE`] (data type `String`).
    pub attribute: &'static str,
    /// The attribute's value: the header's string form.
    pub value: String,
}

impl ChainHeader {
    /// True when this header, about to be emitted, is a hop past `limit` (the depth at which the
    /// guard throttles its emitter): report it straight to the chain queue as well as emitting it.
    /// Pass the limit the guard applies to this function (`RUNAWAY_GUARD_MAX_DEPTH`, default 16, or
    /// its `runaway-guard:max-depth` tag).
    pub fn should_report(&self, limit: u32) -> bool {
        self.depth > limit
    }

    /// The message that reports this hop.
    pub fn report(&self) -> ChainReport {
        ChainReport { body: REPORT_BODY, attribute: MESSAGE_ATTRIBUTE, value: self.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_only_hops_past_the_limit_in_the_string_form() {
        let header = ChainHeader::parse("root=r-1;depth=17;function=thumbnailer").unwrap();
        assert!(header.should_report(16));
        assert!(!header.should_report(17));
        let report = header.report();
        assert_eq!(report.attribute, "runaway-guard-chain");
        assert_eq!(ChainHeader::parse(&report.value), Ok(header));
        assert!(!report.body.is_empty());
    }
}
