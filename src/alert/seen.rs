//! The "seen, nothing new to stop" alert: an account-level or billing alarm fired and every
//! offender it led to was already throttled (or exempt), so the guard changed nothing. Short, and
//! sent once per alarm per paging period, so on-call knows the guard saw the alarm without being
//! paged again for what it already stopped.

use serde_json::json;

use super::model::{AlertModel, NextStep};
use super::{AlertContext, attributes, subject, where_line};
use crate::name::FunctionName;
use crate::ports::Alert;
use crate::sanitise::Plain;

/// An alarm that led to nothing new.
#[derive(Debug, Clone)]
pub struct SeenFacts<'a> {
    /// The account-level or billing alarm.
    pub alarm: &'a str,
    /// `namespace/metric` it watches.
    pub metric: &'a str,
    /// The offenders it led to, each already throttled or exempt.
    pub held: &'a [FunctionName],
    /// No further "seen" page about this alarm before this time.
    pub quiet_until: crate::time::Timestamp,
    /// Where and when.
    pub context: AlertContext<'a>,
}

/// "SEEN alarm billing-spike: nothing new to stop".
pub fn seen_alert(facts: &SeenFacts<'_>) -> Alert {
    let (alarm, metric) = (Plain(facts.alarm), Plain(facts.metric));
    let subject = subject(&format!("SEEN alarm {alarm}: nothing new to stop"));
    let held: Vec<String> = facts.held.iter().take(10).map(ToString::to_string).collect();
    let mut text = format!("runaway-guard saw alarm {alarm} on {metric}: nothing new to stop.\n\n");
    text += &format!("Already throttled or exempt: {}\n", held.join(", "));
    text += "Now: nothing changed; the functions above stay as they were.\n";
    text += &format!("When: {}\n", facts.context.at);
    text += &where_line(&facts.context);
    text += &format!(
        "No further SEEN page about this alarm from this guard instance before {}.\n",
        facts.quiet_until
    );
    let machine = json!({
        "kind": "seen",
        "alarm": facts.alarm,
        "metric": facts.metric,
        "held": facts.held,
        "quiet_until": facts.quiet_until.to_rfc3339(),
        "account": facts.context.account,
        "region": facts.context.region,
        "at": facts.context.at.to_rfc3339(),
    });
    let next = vec![NextStep::new(
        "check what the guard holds throttled",
        &["runaway-guard status".to_owned()],
        &facts.context,
    )];
    let first = facts.held.first().map_or("", FunctionName::as_str);
    let attributes = attributes(first, "cost", "seen", &facts.context);
    AlertModel { subject, text, next, machine, attributes, function_arn: None }.render()
}
