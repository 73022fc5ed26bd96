//! The re-enable alert: who re-enabled the function, what was restored, and a warning when the
//! account lacks the unreserved concurrency the restore needs.

use serde_json::json;

use super::model::{AlertModel, NextStep};
use super::{AlertContext, MIN_UNRESERVED, attributes, function_arn, reservation_text, subject, where_line};
use crate::name::FunctionName;
use crate::ports::{Alert, Caller, MappingId, Reservation};
use crate::sanitise::Plain;

/// A re-enable, as `runaway-guard reenable` performed it.
#[derive(Debug, Clone)]
pub struct ReenableFacts<'a> {
    /// The function.
    pub function: &'a FunctionName,
    /// Who ran it.
    pub caller: &'a Caller,
    /// The value restored (`None`: reservation deleted).
    pub restored: Reservation,
    /// The event source mappings re-enabled (those the trip paused).
    pub resumed: &'a [MappingId],
    /// The account's unreserved concurrency before the restore, when known.
    pub unreserved_before: Option<u32>,
    /// The reason recorded at the trip, when there was a record.
    pub tripped_reason: Option<&'a str>,
    /// Where and when.
    pub context: AlertContext<'a>,
}

/// The re-enable alert ("re-enabled by <caller ARN>").
pub fn reenable_alert(facts: &ReenableFacts<'_>) -> Alert {
    let name = facts.function.as_str();
    let restored = match facts.restored {
        Some(n) => format!("reserved concurrency {n} restored"),
        None => "reservation removed".to_owned(),
    };
    let subject = subject(&format!("RE-ENABLED {name}: {restored}"));
    let mut text = format!("runaway-guard: {name} was re-enabled by {}.\n\n", Plain(&facts.caller.arn));
    text += &format!("Restored: {restored}.\n");
    if !facts.resumed.is_empty() {
        let ids: Vec<String> = facts.resumed.iter().map(|id| Plain(id.as_str()).to_string()).collect();
        text += &format!("Event source mappings re-enabled (paused by the trip): {}\n", ids.join(", "));
    }
    text += "Now: it processes its events again, and the mappings re-enabled above poll again.\n";
    text += &format!("When: {}\n", facts.context.at);
    text += &where_line(&facts.context);
    if let Some(reason) = facts.tripped_reason {
        text += &format!("It had been throttled for: {}\n", Plain(reason));
    }
    let short = unreserved_warning(facts.restored, facts.unreserved_before);
    if let Some(warning) = &short {
        text += &format!("\nWARNING: {warning}\n");
    }
    text += "\nDuring the grace period, evidence judged against this function's metrics (alarms, cost, chain \
             claims that prove no sender) pages once instead of throttling; the function's own report of a \
             hop past its depth limit still throttles.\n";
    let machine = json!({
        "kind": "reenable",
        "function": name,
        "outcome": "reenabled",
        "caller": facts.caller.arn,
        "restored_concurrency": reservation_text(facts.restored),
        "resumed_mappings": facts.resumed,
        "unreserved_before": facts.unreserved_before,
        "warning": short,
        "account": facts.context.account,
        "region": facts.context.region,
        "at": facts.context.at.to_rfc3339(),
    });
    let next = vec![NextStep::new(
        "check what the guard still holds throttled",
        &["runaway-guard status".to_owned()],
        &facts.context,
    )];
    AlertModel {
        subject,
        text,
        next,
        machine,
        attributes: attributes(name, "reenable", "reenabled", &facts.context),
        function_arn: function_arn(facts.function, &facts.context),
    }
    .render()
}

fn unreserved_warning(restored: Reservation, unreserved_before: Option<u32>) -> Option<String> {
    let (n, unreserved) = (restored?, unreserved_before?);
    (unreserved < n.saturating_add(MIN_UNRESERVED)).then(|| {
        format!(
            "the account has {unreserved} unreserved concurrency; reserving {n} needs {} (AWS keeps {MIN_UNRESERVED} unreserved)",
            n + MIN_UNRESERVED
        )
    })
}
