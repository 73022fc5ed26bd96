//! The function and reason arguments: validated before any call that changes anything. A name is
//! checked as Lambda would; an ARN must be unqualified and of the account, region and partition the
//! credentials act on; the function must exist; a reason may say anything but nothing.

use crate::arn::FunctionArn;
use crate::aws::trip_tags::MAX_TAG_VALUE_CHARS;
use crate::aws::trip_tags::text as trip_text;
use crate::deployment::{Deployment, check_arn};
use crate::name::FunctionName;
use crate::verdict::Reason;

use super::setup::{Operation, Refusal, not_found};

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

/// Checks `--reason` before anything is called: not blank and not repeating the `manual:` the
/// record adds. Any other text is accepted: the alert carries it as written, the record as
/// [`stored_reason`] says.
pub fn check_reason(raw: &str) -> Result<String, Refusal> {
    let trimmed = raw.trim();
    let text = match trimmed.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("manual:") => trimmed[7..].trim_start(),
        _ => trimmed,
    };
    if text.is_empty() {
        return Err(Refusal::bad_input(
            "--reason is empty: say why, e.g. --reason \"runaway bill, ticket 4711\"",
        ));
    }
    Ok(text.to_owned())
}

/// The reason as the trip record reads back, when that differs from what was typed: the record
/// keeps any text exactly ([`trip_text::stored`]) unless it is too long for a tag value, when it is cut
/// and says so.
pub fn stored_reason(text: &str) -> Option<String> {
    let written = Reason::Manual { text: text.to_owned() }.to_string();
    let kept = trip_text::fit(&written);
    (kept != written).then_some(kept)
}

/// The note the CLI prints when the record keeps a shorter text than the one typed.
pub fn stored_reason_note(text: &str) -> Option<String> {
    stored_reason(text).map(|kept| {
        format!(
            "note: the trip record keeps the reason cut to fit a Lambda tag value ({MAX_TAG_VALUE_CHARS} \
             characters): \"{}\"; the alert carries it whole\n",
            crate::sanitise::Plain(&kept)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_reason_is_accepted_and_the_stored_form_is_named() {
        assert_eq!(check_reason("  runaway bill ").unwrap(), "runaway bill");
        assert_eq!(check_reason("manual: stop it").unwrap(), "stop it");
        assert_eq!(check_reason("MANUAL:stop it").unwrap(), "stop it");
        for bad in ["", "   ", "manual:", "manual:  "] {
            assert_eq!(check_reason(bad).unwrap_err().code, 2, "{bad:?}");
        }
        let typed = check_reason("loop via EventBridge, see INC-42 (café; <b>)").unwrap();
        assert_eq!(typed, "loop via EventBridge, see INC-42 (café; <b>)");
        assert_eq!(stored_reason(&typed), None, "punctuation is kept exactly");
        assert_eq!(stored_reason("runaway bill: ticket 4711"), None);
        let long = "x".repeat(400);
        assert!(stored_reason(&long).unwrap().ends_with(trip_text::TRUNCATED));
        assert!(stored_reason_note(&long).unwrap().contains("cut to fit"));
    }
}
