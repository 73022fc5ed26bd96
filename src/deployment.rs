//! Where the operator CLI acts and for which deployed guard: the account, region and partition of
//! the caller's credentials, the guard's own function (found by its `runaway-guard:role` tag, by
//! `--guard NAME` or by `RUNAWAY_GUARD_FUNCTION`) and the configuration in that function's environment.
//! The [`Deployment`] port is implemented by `aws::deployment`; the checks here are pure.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;

use crate::arn::{Arn, FunctionArn};
use crate::config::{Config, ConfigError};
use crate::name::FunctionName;
use crate::ports::PortError;

/// The tag the Terraform module puts on the guard's own function.
pub const ROLE_TAG: &str = "runaway-guard:role";
/// The value of [`ROLE_TAG`] that marks the guard.
pub const ROLE_GUARD: &str = "guard";
/// The environment variable naming the guard's function (like `--guard NAME`).
pub const GUARD_FUNCTION_VAR: &str = "RUNAWAY_GUARD_FUNCTION";

/// The account, region and partition the CLI acts on, and who is acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// `aws`, `aws-cn` or `aws-us-gov` (from the caller's ARN).
    pub partition: String,
    /// 12-digit account id of the credentials.
    pub account: String,
    /// The region the clients talk to.
    pub region: String,
    /// The caller's ARN (who tripped or re-enabled).
    pub caller_arn: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.account, self.region)
    }
}

/// The guard's function and the environment Lambda runs it with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployedGuard {
    /// The guard's own function.
    pub function: FunctionName,
    /// Its environment variables (GetFunctionConfiguration).
    pub environment: HashMap<String, String>,
    /// Its execution role's ARN (`Role` of its configuration): whose calls are the guard's own.
    pub role_arn: Option<String>,
}

impl DeployedGuard {
    /// The guard's configuration as it runs in Lambda; the guard itself is always exempt.
    pub fn config(&self) -> Result<Config, ConfigError> {
        let mut config = Config::from_lookup(|name| self.environment.get(name).cloned())?;
        config.self_function = Some(self.function.clone());
        config.self_role = self.role_arn.as_deref().and_then(crate::role::RoleRef::from_arn);
        Ok(config)
    }

    /// True when the environment is a runaway-guard's (it names an alert topic).
    pub fn looks_like_a_guard(&self) -> bool {
        self.environment.contains_key(crate::config::vars::TOPIC_ARN)
    }
}

/// What the CLI needs to know about the deployment, from the Lambda control plane.
pub trait Deployment {
    /// Functions tagged `runaway-guard:role = guard` whose environment names an alert topic.
    fn tagged_guards(&self) -> impl Future<Output = Result<Vec<DeployedGuard>, PortError>> + Send;
    /// The named function with its environment, or `None` when it does not exist.
    fn function(
        &self,
        name: &FunctionName,
    ) -> impl Future<Output = Result<Option<DeployedGuard>, PortError>> + Send;
    /// Every function name in the region (for "did you mean").
    fn function_names(&self) -> impl Future<Output = Result<Vec<String>, PortError>> + Send;
}

/// Why a function argument is refused before any action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// The ARN names another partition, account or region than the credentials act on.
    #[error(
        "{arn} is in {theirs}, but these credentials act on {ours}; run with credentials for that \
         account (AWS_PROFILE) and AWS_REGION={region}"
    )]
    ElseWhere {
        /// The ARN as given.
        arn: String,
        /// `partition/account/region` of the ARN.
        theirs: String,
        /// `partition/account/region` of the credentials.
        ours: String,
        /// The ARN's region.
        region: String,
    },
    /// The ARN names a version or alias; reserved concurrency belongs to the whole function.
    #[error(
        "{arn} names {what}, but reserved concurrency belongs to the whole function {function} (every \
         version and alias); pass {function} or its unqualified ARN to act on all of it"
    )]
    Qualified {
        /// The ARN as given.
        arn: String,
        /// "version 3" or "alias live".
        what: String,
        /// The function.
        function: FunctionName,
    },
}

/// Refuses an ARN of another partition, account or region, and any qualified ARN.
pub fn check_arn(
    input: &str,
    function: &FunctionName,
    arn: &FunctionArn,
    here: &Location,
) -> Result<(), TargetError> {
    if (arn.partition.as_str(), arn.account.as_str(), arn.region.as_str())
        != (here.partition.as_str(), here.account.as_str(), here.region.as_str())
    {
        return Err(TargetError::ElseWhere {
            arn: input.to_owned(),
            theirs: format!("{}/{}/{}", arn.partition, arn.account, arn.region),
            ours: format!("{}/{}/{}", here.partition, here.account, here.region),
            region: arn.region.clone(),
        });
    }
    if let Some(q) = &arn.qualifier {
        let what = if q == "$LATEST" || q.bytes().all(|b| b.is_ascii_digit()) {
            format!("version {q}")
        } else {
            format!("alias {q}")
        };
        return Err(TargetError::Qualified { arn: input.to_owned(), what, function: function.clone() });
    }
    Ok(())
}

/// The partition of an ARN (`arn:PARTITION:...`), when it has one.
pub fn partition_of(arn: &str) -> Option<&'static str> {
    Arn::parse(arn).map(|arn| arn.partition.as_str())
}

/// The closest of `names` to `wanted`, when it is close enough to be a typo.
pub fn did_you_mean<'a>(wanted: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (wanted.chars().count() / 3).clamp(1, 3);
    names
        .into_iter()
        .map(|name| (edit_distance(wanted, name), name))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, name)| name)
}

/// Levenshtein distance, with a swap of two neighbours counted as one edit ("wroker").
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![(0..=b.len()).collect::<Vec<_>>(); a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn here() -> Location {
        Location {
            partition: "aws".into(),
            account: "123456789012".into(),
            region: "us-east-1".into(),
            caller_arn: "arn:aws:iam::123456789012:user/oncall".into(),
        }
    }

    fn check(arn: &str) -> Result<(), TargetError> {
        let (name, parts) = FunctionName::from_name_or_arn(arn).unwrap();
        check_arn(arn, &name, &parts.unwrap(), &here())
    }

    #[test]
    fn arns_elsewhere_or_qualified_are_refused_naming_both_sides() {
        assert_eq!(check("arn:aws:lambda:us-east-1:123456789012:function:orders"), Ok(()));
        let other_region = check("arn:aws:lambda:eu-west-1:123456789012:function:orders").unwrap_err();
        let text = other_region.to_string();
        assert!(text.contains("aws/123456789012/eu-west-1") && text.contains("aws/123456789012/us-east-1"));
        assert!(check("arn:aws:lambda:us-east-1:999999999999:function:orders").is_err());
        assert!(check("arn:aws-cn:lambda:us-east-1:123456789012:function:orders").is_err());
        let alias = check("arn:aws:lambda:us-east-1:123456789012:function:orders:live").unwrap_err();
        assert!(alias.to_string().contains("alias live"), "{alias}");
        let version = check("arn:aws:lambda:us-east-1:123456789012:function:orders:3").unwrap_err();
        assert!(version.to_string().contains("version 3"), "{version}");
    }

    #[test]
    fn suggests_only_near_names() {
        let names = ["orders-worker", "payments", "thumbnailer"];
        assert_eq!(did_you_mean("orders-wroker", names), Some("orders-worker"));
        assert_eq!(did_you_mean("payment", names), Some("payments"));
        assert_eq!(did_you_mean("billing", names), None);
        assert_eq!(did_you_mean("x", names), None);
        assert_eq!(partition_of("arn:aws-cn:sts::123456789012:assumed-role/a/b"), Some("aws-cn"));
        assert_eq!(partition_of("nope"), None);
    }

    #[test]
    fn the_guard_is_exempt_in_its_own_config() {
        let guard = DeployedGuard {
            function: FunctionName::new("runaway-guard").unwrap(),
            environment: HashMap::from([
                ("RUNAWAY_GUARD_TOPIC_ARN".into(), "arn:aws:sns:us-east-1:123456789012:t".into()),
                ("RUNAWAY_GUARD_EXEMPT".into(), "billing".into()),
            ]),
            role_arn: Some("arn:aws:iam::123456789012:role/guards/runaway-guard-us-east-1".into()),
        };
        let config = guard.config().unwrap();
        assert_eq!(config.self_function, Some(guard.function.clone()));
        let role = config.self_role.as_ref().map(|r| (r.account.as_str(), r.name.as_str()));
        assert_eq!(role, Some(("123456789012", "runaway-guard-us-east-1")));
        assert!(config.exempt.contains(&FunctionName::new("billing").unwrap()));
        assert!(guard.looks_like_a_guard());
    }
}
