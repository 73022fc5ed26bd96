//! The IAM role behind a caller: how the drift watch tells the guard's own calls from anyone
//! else's. A role session's ARN (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`) ends in a session
//! name its caller chooses freely, so only the role (account and name) identifies the guard: role
//! names are unique in an account whatever their path, and the guard's execution role trusts only
//! `lambda.amazonaws.com`, so no person can take a session of it.

use std::fmt;

use crate::arn::Arn;

/// An IAM role: its account and name (the path is not part of its identity).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleRef {
    /// The role's account.
    pub account: String,
    /// The role's name, without its path.
    pub name: String,
}

impl RoleRef {
    /// The role of a role ARN (`arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`) or of a role session
    /// ARN (`arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION`); `None` for any other ARN
    /// (a user, a root account, a federated user) or text that is no ARN.
    pub fn from_arn(arn: &str) -> Option<Self> {
        let Arn { service, region: "", account, resource, .. } = Arn::parse(arn)? else { return None };
        if account.is_empty() {
            return None;
        }
        let name = match service {
            "iam" => resource.strip_prefix("role/")?.rsplit('/').next()?,
            "sts" => {
                let (name, session) = resource.strip_prefix("assumed-role/")?.split_once('/')?;
                if session.is_empty() {
                    return None;
                }
                name
            }
            _ => return None,
        };
        is_role_name(name).then(|| Self { account: account.to_owned(), name: name.to_owned() })
    }
}

impl fmt::Display for RoleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "role {} in {}", self.name, self.account)
    }
}

/// IAM role names: 1–64 of `A-Za-z0-9+=,.@_-`.
fn is_role_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(account: &str, name: &str) -> Option<RoleRef> {
        Some(RoleRef { account: account.to_owned(), name: name.to_owned() })
    }

    #[test]
    fn a_session_and_its_role_name_the_same_role_whatever_the_session_or_path() {
        let session = RoleRef::from_arn("arn:aws:sts::111122223333:assumed-role/guard-role/runaway-guard");
        assert_eq!(session, role("111122223333", "guard-role"));
        let issuer = RoleRef::from_arn("arn:aws:iam::111122223333:role/platform/guards/guard-role");
        assert_eq!(issuer, session);
        let other = RoleRef::from_arn("arn:aws-cn:sts::111122223333:assumed-role/guard-role/someone");
        assert_eq!(other, session, "the session name is the caller's choice, not an identity");
    }

    #[test]
    fn the_session_name_never_makes_a_role() {
        let dev = RoleRef::from_arn("arn:aws:sts::111122223333:assumed-role/dev-role/runaway-guard");
        assert_eq!(dev, role("111122223333", "dev-role"));
        assert_ne!(dev, RoleRef::from_arn("arn:aws:iam::111122223333:role/guard-role"));
        assert_ne!(dev, RoleRef::from_arn("arn:aws:iam::999999999999:role/dev-role"));
    }

    #[test]
    fn anything_but_a_role_is_none() {
        for arn in [
            "arn:aws:iam::111122223333:user/runaway-guard",
            "arn:aws:iam::111122223333:root",
            "arn:aws:sts::111122223333:federated-user/runaway-guard",
            "arn:aws:sts::111122223333:assumed-role/dev-role",
            "arn:aws:sts::111122223333:assumed-role/dev-role/",
            "arn:aws:iam::1111:role/dev-role",
            "arn:aws:lambda:us-east-1:111122223333:function:runaway-guard",
            "arn:aws:iam::111122223333:role/bad name",
            "AROAEXAMPLE:runaway-guard",
            "",
        ] {
            assert_eq!(RoleRef::from_arn(arn), None, "{arn}");
        }
    }
}
