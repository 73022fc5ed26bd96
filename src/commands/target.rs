//! The function and reason arguments: validated before any call that changes anything. A name is
//! checked as Lambda would; an ARN must be unqualified and of the account, region and partition the
//! credentials act on; the function must exist; a reason must fit in a tag value unaltered.

use crate::arn::FunctionArn;
use crate::aws::trip_tags::MAX_TAG_VALUE_CHARS;
use crate::deployment::{Deployment, check_arn};
use crate::name::FunctionName;

use super::setup::{Operation, Refusal, not_found};

/// Characters a Lambda tag value holds besides ASCII letters and digits.
const TAG_PUNCTUATION: &str = " +-=._:/@";

/// Parses a name or ARN (no AWS call).
pub fn parse_name(input: &str) -> Result<(FunctionName, Option<FunctionArn>), Refusal> {
    FunctionName::from_name_or_arn(input).map_err(|err| Refusal::bad_input(format!("{input:?}: {err}")))
}

/// The function `input` names, refused unless it is in this account and region and exists.
pub async fn existing_function(op: &Operation, input: &str) -> Result<FunctionName, Refusal> {
    let (name, arn) = parse_name(input)?;
    if let Some(arn) = arn {
        check_arn(input, &name, &arn, op.location()).map_err(|e| Refusal::bad_input(e.to_string()))?;
    }
    match op.deployment.function(&name).await {
        Ok(Some(_)) => Ok(name),
        Ok(None) => Err(not_found(&op.deployment, &name, op.location(), "function").await),
        Err(err) => Err(Refusal::failure(err.to_string())),
    }
}

/// Checks `--reason` before anything is called: not blank, not repeating the `manual:` the record
/// adds, and only characters a tag value holds, so the stored reason is exactly the one given.
pub fn check_reason(raw: &str) -> Result<String, Refusal> {
    let trimmed = raw.trim();
    let text = match trimmed.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("manual:") => trimmed[7..].trim_start(),
        _ => trimmed,
    };
    if text.is_empty() {
        return Err(Refusal::bad_input(
            "--reason is empty: say why, e.g. --reason \"runaway bill ticket 4711\"",
        ));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || TAG_PUNCTUATION.contains(c);
    if let Some(bad) = text.chars().find(|c| !allowed(*c)) {
        return Err(Refusal::bad_input(format!(
            "--reason contains {bad:?}, which the trip record (a Lambda tag value) cannot hold; use only \
             letters, digits, spaces and + - = . _ : / @"
        )));
    }
    Ok(text.to_owned())
}

/// Refuses a reason longer than the trip record holds (it stores `manual: ` and the text).
pub fn fits_record(text: &str) -> Result<String, Refusal> {
    let room = MAX_TAG_VALUE_CHARS - "manual: ".len();
    let len = text.chars().count();
    if len > room {
        return Err(Refusal::bad_input(format!(
            "--reason is {len} characters; the trip record holds {room}"
        )));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_stored_as_given_or_refused() {
        assert_eq!(check_reason("  runaway bill ").unwrap(), "runaway bill");
        assert_eq!(check_reason("manual: stop it").unwrap(), "stop it");
        assert_eq!(check_reason("MANUAL:stop it").unwrap(), "stop it");
        for bad in ["", "   ", "manual:", "manual:  "] {
            assert_eq!(check_reason(bad).unwrap_err().code, 2, "{bad:?}");
        }
        let comma = check_reason("runaway bill, ticket 4711").unwrap_err();
        assert!(comma.message.contains("','"), "{}", comma.message);
        assert!(check_reason("café").is_err());
        assert_eq!(fits_record(&"x".repeat(248)).unwrap().len(), 248);
        assert!(fits_record(&"x".repeat(249)).is_err());
    }
}
