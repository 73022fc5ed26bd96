//! [`RoleReader`]: the unique id of a function's execution role (`iam:GetRole`), which the `SenderId`
//! of the function's own chain reports starts with (see `trust::claim`).

use aws_config::SdkConfig;
use aws_sdk_iam::Client;

use super::error::{invalid_response, port_error};
use crate::arn::Arn;
use crate::ports::PortError;

/// The IAM adapter (read-only).
#[derive(Debug, Clone)]
pub struct RoleReader {
    client: Client,
}

impl RoleReader {
    /// Builds the adapter from the shared SDK configuration.
    pub fn new(config: &SdkConfig) -> Self {
        Self { client: Client::new(config) }
    }

    /// The unique id (`AROA…`) of the role `role_arn` names; `None` when no such role exists (a
    /// deleted role authenticates nobody). The role IAM returns must have exactly that ARN: a role of
    /// the same name on another path is another role.
    pub async fn role_id(&self, role_arn: &str) -> Result<Option<String>, PortError> {
        const OP: &str = "GetRole";
        let Some(name) = role_name(role_arn) else {
            return Err(invalid_response(OP, role_arn, "not an IAM role ARN"));
        };
        let out = match self.client.get_role().role_name(name).send().await {
            Ok(out) => out,
            Err(err) => {
                let err = port_error(OP, name, err);
                return if err.not_found || err.message.starts_with("NoSuchEntity") {
                    Ok(None)
                } else {
                    Err(err)
                };
            }
        };
        let role = out.role().ok_or_else(|| invalid_response(OP, name, "response lacks the role"))?;
        if role.arn() != role_arn {
            return Ok(None);
        }
        Ok(Some(role.role_id().to_owned()))
    }
}

/// The role name of `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME` (the last path segment).
fn role_name(role_arn: &str) -> Option<&str> {
    // Role names and paths hold no ':'.
    let arn = Arn::parse(role_arn).filter(|arn| arn.service == "iam" && arn.region.is_empty())?;
    if arn.resource.contains(':') {
        return None;
    }
    let name = arn.resource.strip_prefix("role/")?.rsplit('/').next()?;
    let valid = (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
    valid.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::role_name;

    #[test]
    fn reads_the_role_name_from_its_arn() {
        assert_eq!(role_name("arn:aws:iam::123456789012:role/payments"), Some("payments"));
        assert_eq!(role_name("arn:aws:iam::123456789012:role/service-role/pay-ments"), Some("pay-ments"));
        assert_eq!(role_name("arn:aws:iam::123456789012:user/payments"), None);
        assert_eq!(role_name("arn:aws:iam::123456789012:role/"), None);
        assert_eq!(role_name("arn:aws:iam::123456789012:role/a b"), None);
        assert_eq!(role_name("payments"), None);
    }
}
