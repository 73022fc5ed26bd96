//! ARNs, read in one place. Every parser and adapter that takes an ARN apart goes through [`Arn`]
//! (any service) or [`FunctionArn`] (a Lambda function), so the partition, region, account and
//! qualifier are checked by one rule and never dropped on one path but kept on another.

use std::fmt;

use crate::name::{FunctionName, NameError, is_region};

/// The AWS partitions the guard knows. An ARN in any other partition is not an ARN to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Partition {
    /// `aws`: the commercial regions.
    Aws,
    /// `aws-cn`: the China regions.
    AwsCn,
    /// `aws-us-gov`: AWS GovCloud (US).
    AwsUsGov,
    /// `aws-iso`: US ISO East and West.
    AwsIso,
    /// `aws-iso-b`: US ISOB East.
    AwsIsoB,
}

impl Partition {
    /// The partition named `text` (`aws`, `aws-cn`, ...).
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "aws" => Self::Aws,
            "aws-cn" => Self::AwsCn,
            "aws-us-gov" => Self::AwsUsGov,
            "aws-iso" => Self::AwsIso,
            "aws-iso-b" => Self::AwsIsoB,
            _ => return None,
        })
    }

    /// The partition a region belongs to (China, GovCloud and the ISO regions have their own).
    pub fn of_region(region: &str) -> Self {
        if region.starts_with("cn-") {
            Self::AwsCn
        } else if region.starts_with("us-gov-") {
            Self::AwsUsGov
        } else if region.starts_with("us-isob-") {
            Self::AwsIsoB
        } else if region.starts_with("us-iso-") {
            Self::AwsIso
        } else {
            Self::Aws
        }
    }

    /// The partition as it appears in an ARN.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aws => "aws",
            Self::AwsCn => "aws-cn",
            Self::AwsUsGov => "aws-us-gov",
            Self::AwsIso => "aws-iso",
            Self::AwsIsoB => "aws-iso-b",
        }
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// True for a 12-digit account id.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The parts of any ARN, `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, borrowed from the text.
///
/// The partition is a known one, the service is lowercase letters, digits and `-`, the region is
/// empty (global services, S3) or a region code, and the account is empty or 12 digits; the resource
/// is everything after the fifth `:` (it may hold more `:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    /// The partition.
    pub partition: Partition,
    /// The service prefix (`events`, `s3`, `lambda`, ...).
    pub service: &'a str,
    /// The region, empty for global resources.
    pub region: &'a str,
    /// The account, empty for resources that name none (S3 buckets).
    pub account: &'a str,
    /// Everything after the account.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Splits and checks `text`; `None` when it is not a well-formed ARN.
    pub fn parse(text: &'a str) -> Option<Self> {
        let ArnPattern { partition, service, region, account, resource } = ArnPattern::parse(text)?;
        let partition = Partition::parse(partition)?;
        let service_ok = !service.is_empty()
            && service.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let region_ok = region.is_empty() || is_region(region);
        let account_ok = account.is_empty() || is_account_id(account);
        (service_ok && region_ok && account_ok && !resource.is_empty()).then_some(Self {
            partition,
            service,
            region,
            account,
            resource,
        })
    }

    /// The ARN when it names `service` with both a region and an account (every regional resource).
    pub fn regional(text: &'a str, service: &str) -> Option<Self> {
        Self::parse(text)
            .filter(|arn| arn.service == service && !arn.region.is_empty() && !arn.account.is_empty())
    }

    /// True when this ARN lies in `account` and `region`.
    pub fn is_in(&self, account: &str, region: &str) -> bool {
        self.account == account && self.region == region
    }

    /// The resource's short name as a person says it: the bus, bucket, queue, topic, table,
    /// stream or function name (a stream ARN of a table names the table); for other resources,
    /// the resource part whole.
    pub fn name(&self) -> &'a str {
        resource_name(self.service, self.resource)
    }
}

/// An ARN as a policy or a plan writes it: the same six fields, each unchecked, so a field may be a
/// wildcard (`*`) or a value the plan does not know yet. Only the loop audit reads these; nothing
/// acts on one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArnPattern<'a> {
    /// The partition, as written.
    pub partition: &'a str,
    /// The service prefix.
    pub service: &'a str,
    /// The region, as written.
    pub region: &'a str,
    /// The account, as written.
    pub account: &'a str,
    /// Everything after the account.
    pub resource: &'a str,
}

impl<'a> ArnPattern<'a> {
    /// Splits `text` into its six fields; `None` when it does not have them.
    pub fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let (partition, service, region, account) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        Some(Self { partition, service, region, account, resource: parts.next()? })
    }

    /// The resource's short name, by the same rule as [`Arn::name`].
    pub fn name(&self) -> &'a str {
        resource_name(self.service, self.resource)
    }
}

/// The short name of `resource` of `service`: what follows `event-bus/`, `table/` (up to its
/// `/stream/...`), `stream/` or `function:` (up to a qualifier), a bucket without its object key.
fn resource_name<'a>(service: &str, resource: &'a str) -> &'a str {
    let first = |text: &'a str, sep: char| text.split(sep).next().unwrap_or(text);
    let after = |prefix: &str| resource.strip_prefix(prefix);
    match service {
        "events" => after("event-bus/").unwrap_or(resource),
        "s3" => first(resource, '/'),
        "dynamodb" => after("table/").map_or(resource, |t| first(t, '/')),
        "kinesis" => after("stream/").unwrap_or(resource),
        "lambda" => after("function:").map_or(resource, |f| first(f, ':')),
        _ => resource,
    }
}

/// A Lambda function's ARN, `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`, checked
/// whole: the name by Lambda's rules and the qualifier as a version or alias.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FunctionArn {
    /// The partition.
    pub partition: Partition,
    /// Region code, e.g. `us-east-1`.
    pub region: String,
    /// 12-digit account id.
    pub account: String,
    /// The function.
    pub function: FunctionName,
    /// The version (`3`, `$LATEST`) or alias (`live`) after the name, when the ARN is qualified.
    pub qualifier: Option<String>,
}

impl FunctionArn {
    /// Parses and checks a function ARN.
    pub fn parse(text: &str) -> Result<Self, NameError> {
        let bad = |reason| NameError::BadArn { reason };
        let fields = text.split(':').count();
        if !(7..=8).contains(&fields) {
            return Err(bad("wrong number of ':' separated fields"));
        }
        let mut parts = text.split(':');
        let (_, partition, service, region, account) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next());
        let partition = partition.and_then(Partition::parse).ok_or(bad("unknown partition"))?;
        let (kind, name, qualifier) = (parts.next(), parts.next(), parts.next());
        if service != Some("lambda") || kind != Some("function") {
            return Err(bad("not a lambda function resource"));
        }
        let region = region.filter(|r| is_region(r)).ok_or(bad("region is not of the form xx-name-1"))?;
        let account = account.filter(|a| is_account_id(a)).ok_or(bad("account id is not 12 digits"))?;
        let function = FunctionName::new(name.unwrap_or_default())?;
        let qualifier = match qualifier {
            Some(q) if is_qualifier(q) => Some(q.to_owned()),
            Some(_) => return Err(bad("qualifier is not a version or alias")),
            None => None,
        };
        Ok(Self { partition, region: region.to_owned(), account: account.to_owned(), function, qualifier })
    }

    /// The unqualified ARN of `function` in `account` and `region` (the partition follows the region),
    /// or `None` when the account or region is malformed: a wrong ARN is worse than none.
    pub fn of(function: &FunctionName, account: &str, region: &str) -> Option<Self> {
        (is_account_id(account) && is_region(region)).then(|| Self {
            partition: Partition::of_region(region),
            region: region.to_owned(),
            account: account.to_owned(),
            function: function.clone(),
            qualifier: None,
        })
    }

    /// The ARN without its qualifier (tags and concurrency belong to the whole function).
    pub fn unqualified(&self) -> String {
        format!("arn:{}:lambda:{}:{}:function:{}", self.partition, self.region, self.account, self.function)
    }

    /// True when this function lies in `account` and `region`.
    pub fn is_in(&self, account: &str, region: &str) -> bool {
        self.account == account && self.region == region
    }

    /// True unless `account` or `region`, where given, differ from this ARN's.
    pub fn agrees_with(&self, account: Option<&str>, region: Option<&str>) -> bool {
        account.is_none_or(|a| a == self.account) && region.is_none_or(|r| r == self.region)
    }

    /// An event names this ARN and, perhaps, an account and region of its own: the ARN is a claim
    /// about both, so it must agree with each the event gives and fills in each it lacks (the name
    /// alone would otherwise point at a function of the same name elsewhere). `false` on a
    /// disagreement, leaving both untouched.
    pub fn settle_place(&self, account: &mut Option<String>, region: &mut Option<String>) -> bool {
        if !self.agrees_with(account.as_deref(), region.as_deref()) {
            return false;
        }
        account.get_or_insert_with(|| self.account.clone());
        region.get_or_insert_with(|| self.region.clone());
        true
    }
}

impl fmt::Display for FunctionArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.unqualified())?;
        match &self.qualifier {
            Some(q) => write!(f, ":{q}"),
            None => Ok(()),
        }
    }
}

impl serde::Serialize for FunctionArn {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A version (`$LATEST` or digits) or an alias (1-128 of `[A-Za-z0-9_-]`), as Lambda allows.
fn is_qualifier(q: &str) -> bool {
    q == "$LATEST"
        || (!q.is_empty()
            && q.len() <= 128
            && q.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

#[cfg(test)]
mod tests;
