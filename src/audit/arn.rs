//! ARNs as the audit sees them: which service and kind of resource, which account, and the node a
//! resource is in the graph (a function without its qualifier, a table for its stream, a bucket for
//! its objects).

use serde::Serialize;

pub use crate::arn::ArnPattern;

/// The kinds of resource the audit follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An EventBridge event bus.
    Bus,
    /// An S3 bucket.
    Bucket,
    /// An SQS queue.
    Queue,
    /// An SNS topic.
    Topic,
    /// A DynamoDB table (its stream feeds mappings).
    Table,
    /// A Kinesis data stream.
    Stream,
    /// A Lambda function.
    Function,
    /// Anything else (logs, other services): never part of a loop the audit follows.
    Other,
}

impl Kind {
    /// The service's name as a person reads it.
    pub fn service(self) -> &'static str {
        match self {
            Kind::Bus => "EventBridge",
            Kind::Bucket => "S3",
            Kind::Queue => "SQS",
            Kind::Topic => "SNS",
            Kind::Table => "DynamoDB",
            Kind::Stream => "Kinesis",
            Kind::Function => "Lambda",
            Kind::Other => "other",
        }
    }
}

/// What the audit reads of an ARN or pattern, beside what [`crate::arn`] reads of every one.
pub trait ArnKind {
    /// The kind of resource this ARN names.
    fn kind(&self) -> Kind;
}

impl ArnKind for ArnPattern<'_> {
    fn kind(&self) -> Kind {
        match self.service {
            "events" if self.resource.starts_with("event-bus/") => Kind::Bus,
            "s3" => Kind::Bucket,
            "sqs" => Kind::Queue,
            "sns" => Kind::Topic,
            "dynamodb" if self.resource.starts_with("table/") => Kind::Table,
            "kinesis" if self.resource.starts_with("stream/") => Kind::Stream,
            "lambda" if self.resource.starts_with("function:") => Kind::Function,
            _ => Kind::Other,
        }
    }
}

/// The graph node for a resource ARN: the function without qualifier, the table for a stream ARN,
/// the bucket for an object ARN; any other ARN is its own node.
pub fn node_of(arn: &str) -> String {
    let Some(parsed) = ArnPattern::parse(arn) else { return arn.to_owned() };
    let prefix = format!("arn:{}:{}:{}:{}:", parsed.partition, parsed.service, parsed.region, parsed.account);
    match parsed.kind() {
        Kind::Function => format!("{prefix}function:{}", parsed.name()),
        Kind::Table => format!("{prefix}table/{}", parsed.name()),
        Kind::Bucket => format!("{prefix}{}", parsed.name()),
        _ => arn.to_owned(),
    }
}

/// The kind of the resource `arn` names (`Other` for text that is not an ARN).
pub fn kind_of(arn: &str) -> Kind {
    ArnPattern::parse(arn).map_or(Kind::Other, |a| a.kind())
}

/// A short label for a person: `kind name` (`SQS jobs`, `Lambda thumbnailer`).
pub fn label(arn: &str) -> String {
    match ArnPattern::parse(arn) {
        Some(a) if a.kind() != Kind::Other => format!("{} {}", a.kind().service(), a.name()),
        _ => arn.to_owned(),
    }
}

/// The account an ARN names, when it names one (S3 ARNs do not).
pub fn account_of(arn: &str) -> Option<&str> {
    ArnPattern::parse(arn).map(|a| a.account).filter(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_fold_qualifiers_streams_and_objects() {
        assert_eq!(
            node_of("arn:aws:lambda:us-east-1:111122223333:function:f:live"),
            "arn:aws:lambda:us-east-1:111122223333:function:f"
        );
        assert_eq!(
            node_of("arn:aws:dynamodb:us-east-1:111122223333:table/t/stream/2026-01-01T00:00:00.000"),
            "arn:aws:dynamodb:us-east-1:111122223333:table/t"
        );
        assert_eq!(node_of("arn:aws:s3:::photos/uploads/a.png"), "arn:aws:s3:::photos");
        assert_eq!(label("arn:aws:events:us-east-1:111122223333:event-bus/default"), "EventBridge default");
        assert_eq!(kind_of("not an arn"), Kind::Other);
        assert_eq!(account_of("arn:aws:s3:::b"), None);
    }
}
