//! EventBridge: every bus (ListEventBuses), its rules with their patterns (ListRules) and each
//! rule's targets (ListTargetsByRule). Disabled rules and schedules are skipped: they deliver nothing
//! a function writes.

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::RuleState;
use futures::StreamExt as _;

use super::{PARALLEL, unread};
use crate::audit::model::{Filter, Trigger, Via, Wiring};
use crate::aws::error::port_error;
use crate::ports::PortError;

pub(super) async fn read(sdk: &aws_config::SdkConfig, wiring: &mut Wiring) {
    let client = Client::new(sdk);
    let buses = match buses(&client).await {
        Ok(buses) => buses,
        Err(err) => return unread(wiring, &err),
    };
    let mut rules = Vec::new();
    for (bus, bus_arn) in &buses {
        match rules_of(&client, bus).await {
            Ok(found) => rules.extend(found.into_iter().map(|r| (bus.clone(), bus_arn.clone(), r))),
            Err(err) => unread(wiring, &err),
        }
    }
    let results: Vec<_> = futures::stream::iter(rules)
        .map(|(bus, bus_arn, (rule, pattern))| {
            let client = client.clone();
            async move { (bus_arn, rule.clone(), pattern, targets(&client, &bus, &rule).await) }
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    for (bus_arn, rule, pattern, targets) in results {
        match targets {
            Ok(targets) => wiring.triggers.extend(targets.into_iter().map(|target| Trigger {
                source: bus_arn.clone(),
                target,
                via: Via::Rule { name: rule.clone() },
                filter: Filter::EventPattern(pattern.clone()),
            })),
            Err(err) => unread(wiring, &err),
        }
    }
}

async fn buses(client: &Client) -> Result<Vec<(String, String)>, PortError> {
    let mut found = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_event_buses()
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| port_error("ListEventBuses", "region", e))?;
        found.extend(
            page.event_buses().iter().filter_map(|b| Some((b.name()?.to_owned(), b.arn()?.to_owned()))),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(found);
        }
    }
}

/// The enabled rules of `bus` that match events (name, parsed pattern).
async fn rules_of(client: &Client, bus: &str) -> Result<Vec<(String, serde_json::Value)>, PortError> {
    let mut found = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_rules()
            .event_bus_name(bus)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| port_error("ListRules", bus, e))?;
        for rule in page.rules() {
            let enabled = !matches!(rule.state(), Some(RuleState::Disabled));
            let pattern = rule.event_pattern().and_then(|p| serde_json::from_str(p).ok());
            if let (true, Some(name), Some(pattern)) = (enabled, rule.name(), pattern) {
                found.push((name.to_owned(), pattern));
            }
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(found);
        }
    }
}

async fn targets(client: &Client, bus: &str, rule: &str) -> Result<Vec<String>, PortError> {
    let mut found = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_targets_by_rule()
            .rule(rule)
            .event_bus_name(bus)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| port_error("ListTargetsByRule", rule, e))?;
        found.extend(page.targets().iter().map(|t| t.arn().to_owned()));
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(found);
        }
    }
}
