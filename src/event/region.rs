//! Region long names, as classic alarm notifications write them (`"Region": "US East (N. Virginia)"`),
//! mapped to region codes. Older notifications say `EU (...)`, newer ones `Europe (...)`.

use crate::arn::Arn;
use crate::name::is_region;

const LONG_NAMES: &[(&str, &str)] = &[
    ("US East (N. Virginia)", "us-east-1"),
    ("US East (Ohio)", "us-east-2"),
    ("US West (N. California)", "us-west-1"),
    ("US West (Oregon)", "us-west-2"),
    ("Africa (Cape Town)", "af-south-1"),
    ("Asia Pacific (Hong Kong)", "ap-east-1"),
    ("Asia Pacific (Taipei)", "ap-east-2"),
    ("Asia Pacific (Tokyo)", "ap-northeast-1"),
    ("Asia Pacific (Seoul)", "ap-northeast-2"),
    ("Asia Pacific (Osaka)", "ap-northeast-3"),
    ("Asia Pacific (Mumbai)", "ap-south-1"),
    ("Asia Pacific (Hyderabad)", "ap-south-2"),
    ("Asia Pacific (Singapore)", "ap-southeast-1"),
    ("Asia Pacific (Sydney)", "ap-southeast-2"),
    ("Asia Pacific (Jakarta)", "ap-southeast-3"),
    ("Asia Pacific (Melbourne)", "ap-southeast-4"),
    ("Asia Pacific (Malaysia)", "ap-southeast-5"),
    ("Asia Pacific (New Zealand)", "ap-southeast-6"),
    ("Asia Pacific (Thailand)", "ap-southeast-7"),
    ("Canada (Central)", "ca-central-1"),
    ("Canada West (Calgary)", "ca-west-1"),
    ("Europe (Frankfurt)", "eu-central-1"),
    ("EU (Frankfurt)", "eu-central-1"),
    ("Europe (Zurich)", "eu-central-2"),
    ("EU (Zurich)", "eu-central-2"),
    ("Europe (Stockholm)", "eu-north-1"),
    ("EU (Stockholm)", "eu-north-1"),
    ("Europe (Milan)", "eu-south-1"),
    ("EU (Milan)", "eu-south-1"),
    ("Europe (Spain)", "eu-south-2"),
    ("EU (Spain)", "eu-south-2"),
    ("Europe (Ireland)", "eu-west-1"),
    ("EU (Ireland)", "eu-west-1"),
    ("Europe (London)", "eu-west-2"),
    ("EU (London)", "eu-west-2"),
    ("Europe (Paris)", "eu-west-3"),
    ("EU (Paris)", "eu-west-3"),
    ("Israel (Tel Aviv)", "il-central-1"),
    ("Mexico (Central)", "mx-central-1"),
    ("Middle East (UAE)", "me-central-1"),
    ("Middle East (Bahrain)", "me-south-1"),
    ("South America (Sao Paulo)", "sa-east-1"),
    ("South America (São Paulo)", "sa-east-1"),
    ("AWS GovCloud (US-East)", "us-gov-east-1"),
    ("AWS GovCloud (US-West)", "us-gov-west-1"),
    ("AWS GovCloud (US)", "us-gov-west-1"),
    ("China (Beijing)", "cn-north-1"),
    ("China (Ningxia)", "cn-northwest-1"),
];

/// The region code for a classic alarm's `Region` (a long name, or already a code), else the region
/// field of its `AlarmArn`; `None` when neither is known.
pub(super) fn region_code(region: Option<&str>, alarm_arn: Option<&str>) -> Option<String> {
    let from_name = region.and_then(|region| {
        if is_region(region) {
            return Some(region);
        }
        LONG_NAMES.iter().find(|(long, _)| *long == region).map(|(_, code)| *code)
    });
    let from_arn = || alarm_arn.and_then(Arn::parse).map(|arn| arn.region).filter(|code| !code.is_empty());
    from_name.or_else(from_arn).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_long_names_codes_and_arns() {
        assert_eq!(region_code(Some("US East (N. Virginia)"), None).as_deref(), Some("us-east-1"));
        assert_eq!(region_code(Some("EU (Ireland)"), None).as_deref(), Some("eu-west-1"));
        assert_eq!(region_code(Some("eu-west-3"), None).as_deref(), Some("eu-west-3"));
        let arn = "arn:aws:cloudwatch:ap-south-2:111122223333:alarm:x";
        assert_eq!(region_code(Some("Somewhere (New)"), Some(arn)).as_deref(), Some("ap-south-2"));
        assert_eq!(region_code(Some("EXAMPLE"), Some("arn:aws:cloudwatch:REGION:ACCOUNT:alarm:x")), None);
        assert!(LONG_NAMES.iter().all(|(_, code)| is_region(code)));
    }
}
