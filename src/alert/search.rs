//! The offender-search summary alert: an account-level or billing alarm fired and no function was
//! over the cost limit, so nothing was throttled; names the top five spenders.

use serde::Serialize;
use serde_json::json;

use super::model::{AlertModel, NextStep};
use super::{AlertContext, attributes, subject, where_line};
use crate::name::FunctionName;
use crate::ports::Alert;
use crate::sanitise::Plain;
use crate::verdict::Candidate;

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
    let subject = subject(&format!(
        "NO OFFENDER for alarm {}: none over ${:.2}/h",
        Plain(facts.alarm),
        facts.limit_usd_per_hour
    ));
    let (alarm, metric) = (Plain(facts.alarm), Plain(facts.metric));
    let mut text = format!("runaway-guard: alarm {alarm} on {metric} fired; nothing was throttled.\n\n");
    text += &format!("No function over the limit of ${:.2}/h; ", facts.limit_usd_per_hour);
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

/// Metric-driven candidates that could not be judged (CloudWatch unreadable): nothing but reported
/// recursion was throttled, and on-call should look.
pub fn unjudged_alert(candidates: &[Candidate], note: &str, context: &AlertContext<'_>) -> Alert {
    let first = candidates.first().map_or("", |c| c.function.as_str());
    let subject =
        subject(&format!("UNJUDGED {first}: CloudWatch unreadable, {} candidate(s)", candidates.len()));
    let named: Vec<String> =
        candidates.iter().take(10).map(|c| format!("{} ({})", c.function, Plain(&c.trigger))).collect();
    let mut text = format!(
        "runaway-guard could not read CloudWatch to judge these functions against their own normal: {}.\n\
         {}\nNow: they keep running; the guard stopped nothing.\nWhen: {}\n",
        named.join(", "),
        Plain(note),
        context.at
    );
    text += &where_line(context);
    let machine = json!({
        "kind": "unjudged",
        "candidates": candidates,
        "note": note,
        "account": context.account,
        "region": context.region,
        "at": context.at.to_rfc3339(),
    });
    let next = vec![
        NextStep::words("check the candidates' Invocations and Duration in CloudWatch"),
        by_hand("to stop one by hand", context),
    ];
    let attributes = attributes(first, "runaway", "unjudged", context);
    AlertModel { subject, text, next, machine, attributes, function_arn: None }.render()
}

/// The manual kill switch, for an alert that names no single function to stop.
fn by_hand(step: &str, context: &AlertContext<'_>) -> NextStep {
    NextStep::new(step, &["runaway-guard trip FUNCTION --reason TEXT".to_owned()], context)
}
