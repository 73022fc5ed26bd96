//! The ARN of the function an alert is about: chat notifications name it as the related resource,
//! and it keys the chat thread so a function's trip and re-enable read as one conversation.

use super::AlertContext;
use crate::arn::FunctionArn;
use crate::name::FunctionName;

/// `arn:<partition>:lambda:<region>:<account>:function:<name>`, or `None` when the account or the
/// region is unknown or malformed (a wrong ARN in a chat message is worse than none).
pub fn function_arn(function: &FunctionName, context: &AlertContext<'_>) -> Option<String> {
    FunctionArn::of(function, context.account?, context.region?).map(|arn| arn.unqualified())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Timestamp;

    fn context<'a>(account: Option<&'a str>, region: Option<&'a str>) -> AlertContext<'a> {
        AlertContext { account, region, at: Timestamp::from_secs(0) }
    }

    #[test]
    fn arns_carry_the_partition_and_need_both_account_and_region() {
        let f = FunctionName::new("orders").unwrap();
        let arn = |a, r| function_arn(&f, &context(a, r));
        assert_eq!(
            arn(Some("123456789012"), Some("eu-west-1")).as_deref(),
            Some("arn:aws:lambda:eu-west-1:123456789012:function:orders")
        );
        assert_eq!(
            arn(Some("123456789012"), Some("cn-north-1")).as_deref(),
            Some("arn:aws-cn:lambda:cn-north-1:123456789012:function:orders")
        );
        assert!(arn(Some("123456789012"), Some("us-gov-west-1")).unwrap().starts_with("arn:aws-us-gov:"));
        assert_eq!(arn(None, Some("eu-west-1")), None);
        assert_eq!(arn(Some("123456789012"), None), None);
        assert_eq!(arn(Some("12345"), Some("eu-west-1")), None);
        assert_eq!(arn(Some("123456789012"), Some("Not A Region")), None);
    }
}
