//! The offender-search summary alert: an account-level or billing alarm fired and no function was
//! over the cost limit, so nothing was throttled; names the top five spenders.

use serde::Serialize;
use serde_json::json;

use super::model::{AlertModel, NextStep};
use super::{AlertContext, attributes, subject, where_line};
use crate::name::FunctionName;
use crate::ports::Alert;
use crate::report::Unread;
use crate::sanitise::Plain;

/// One function's estimated spend, as the offender search ranked it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedFunction {
    /// The function.
    pub function: FunctionName,
    /// Estimated spend rate.
    pub usd_per_hour: f64,
    /// Invocations in the window.
    pub invocations: f64,
}

/// An offender search that found no function over the limit.
#[derive(Debug, Clone)]
pub struct SearchFacts<'a> {
    /// The account-level or billing alarm that started the search.
    pub alarm: &'a str,
    /// `namespace/metric` it watches.
    pub metric: &'a str,
    /// The cost limit in force.
    pub limit_usd_per_hour: f64,
    /// The highest spenders, most expensive first (only the first five are named).
    pub top: &'a [RankedFunction],
    /// Where and when.
    pub context: AlertContext<'a>,
}

/// The "no function over the limit; top five: ..." alert.
pub fn search_alert(facts: &SearchFacts<'_>) -> Alert {
    let top: Vec<&RankedFunction> = facts.top.iter().take(5).collect();
    let listed = top
        .iter()
        .map(|r| format!("{} (${:.2}/h, {:.0} invocations)", r.function, r.usd_per_hour, r.invocations))
        .collect::<Vec<_>>()
        .join(", ");
    let limit = facts.limit_usd_per_hour;
    // Those over the limit were judged against their own normal and left alone: say so, never
    // "none over" above a list that holds one.
    let (headline, lead) = if facts.top.iter().any(|r| r.usd_per_hour > limit) {
        (
            format!("none over ${limit:.2}/h ran away"),
            format!("Every function over the limit of ${limit:.2}/h is within its own normal (left alone); "),
        )
    } else {
        (format!("none over ${limit:.2}/h"), format!("No function over the limit of ${limit:.2}/h; "))
    };
    let subject = subject(&format!("NO OFFENDER for alarm {}: {headline}", Plain(facts.alarm)));
    let (alarm, metric) = (Plain(facts.alarm), Plain(facts.metric));
    let mut text = format!("runaway-guard: alarm {alarm} on {metric} fired; nothing was throttled.\n\n");
    text += &lead;
    text += &if top.is_empty() {
        "no recently active functions found.\n".to_owned()
    } else {
        format!("top five: {listed}.\n")
    };
    text += "Now: every function keeps running; the guard stopped nothing.\n";
    text += &format!("When: {}\n", facts.context.at);
    text += &where_line(&facts.context);
    let machine = json!({
        "kind": "offender_search",
        "alarm": facts.alarm,
        "metric": facts.metric,
        "limit_usd_per_hour": facts.limit_usd_per_hour,
        "top": top,
        "account": facts.context.account,
        "region": facts.context.region,
        "at": facts.context.at.to_rfc3339(),
    });
    let first = top.first().map_or("", |r| r.function.as_str());
    let attributes = attributes(first, "cost", "no_offender", &facts.context);
    let next = vec![by_hand("investigate the top spenders; to stop one by hand", &facts.context)];
    AlertModel { subject, text, next, machine, attributes, function_arn: None }.render()
}

/// Reads the judgement needed and could not make: nothing was concluded from them (no function
/// left alone, no "nothing ran away"), and the invocation is retried.
pub fn unjudged_alert(unread: &[Unread], context: &AlertContext<'_>) -> Alert {
    let first = unread.first().map_or("", |u| u.subject.as_str());
    let subject = subject(&format!("UNJUDGED {}: {} read(s) failed", Plain(first), unread.len()));
    let named: Vec<String> =
        unread.iter().take(10).map(|u| format!("- {}: {}", Plain(&u.subject), Plain(&u.error))).collect();
    let more = unread.len().saturating_sub(10);
    let mut text = format!(
        "runaway-guard could not read what it needs to judge these, so it concluded nothing about them \
         (the invocation fails and is retried; this page is not repeated for {} minutes):\n{}{}\n\
         Now: they keep running; the guard stopped nothing.\nWhen: {}\n",
        crate::policy::PAGE_PERIOD.as_secs() / 60,
        named.join("\n"),
        if more > 0 { format!("\n… and {more} more") } else { String::new() },
        context.at
    );
    text += &where_line(context);
    let machine = json!({
        "kind": "unjudged",
        "unread": unread,
        "account": context.account,
        "region": context.region,
        "at": context.at.to_rfc3339(),
    });
    let next = vec![
        NextStep::words("check the guard's permissions and the service's health for the failed reads"),
        by_hand("to stop one by hand", context),
    ];
    let function =
        unread.iter().find(|u| !u.subject.starts_with("alarm ")).map_or("", |u| u.subject.as_str());
    let attributes = attributes(function, "runaway", "unjudged", context);
    AlertModel { subject, text, next, machine, attributes, function_arn: None }.render()
}

/// The manual kill switch, for an alert that names no single function to stop.
fn by_hand(step: &str, context: &AlertContext<'_>) -> NextStep {
    NextStep::new(step, &["runaway-guard trip FUNCTION --reason TEXT".to_owned()], context)
}
