//! One model of an alert, rendered once per protocol so the bodies cannot disagree: the human
//! text (the `email` body, and the `default` body before its JSON block) ends in a "Next:"
//! paragraph made from the same [`NextStep`]s that become the chat's `nextSteps` and the JSON
//! block's `next_steps`. Every command a step names carries `--region` and the step names the
//! account beside it, so a page read by someone watching several accounts is run where it belongs.

use serde::Serialize;
use serde_json::{Value, json};

use super::{AlertContext, with_json};
use crate::name::is_region;
use crate::ports::Alert;
use crate::sanitise::Plain;

/// What on-call does next: a sentence and the exact commands, as every body shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextStep {
    /// What to do, in words ("fix the cause, then re-enable it").
    pub step: String,
    /// The exact commands, each with `--region` when the region is known.
    pub commands: Vec<String>,
    /// The account the commands act in, when known.
    pub account: Option<String>,
}

impl NextStep {
    /// A step whose commands are `runaway-guard …` invocations made exact for `context`.
    pub fn new(step: &str, commands: &[String], context: &AlertContext<'_>) -> Self {
        Self {
            step: step.to_owned(),
            commands: commands.iter().map(|c| in_region(c, context)).collect(),
            account: account(context).map(str::to_owned),
        }
    }

    /// A step with no command to run.
    pub fn words(step: &str) -> Self {
        Self { step: step.to_owned(), commands: Vec::new(), account: None }
    }

    /// "fix the cause, then re-enable it (account 1234…):\n  runaway-guard reenable f --region r"
    /// (the form [`Alert::next_steps`] documents: a sentence, then each command indented).
    pub fn text(&self) -> String {
        let mut text = self.step.clone();
        if self.commands.is_empty() {
            return text;
        }
        if let Some(account) = &self.account {
            text += &format!(" (account {})", Plain(account));
        }
        text.push(':');
        for command in &self.commands {
            text += &format!("\n  {command}");
        }
        text
    }
}

/// `command --region R` when the alert's region is a real region code (never a guess).
pub fn in_region(command: &str, context: &AlertContext<'_>) -> String {
    match context.region.filter(|r| is_region(r)) {
        Some(region) => format!("{command} --region {region}"),
        None => command.to_owned(),
    }
}

/// The account, when it is a 12-digit account id.
fn account<'a>(context: &AlertContext<'a>) -> Option<&'a str> {
    context.account.filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
}

/// An alert's parts before rendering.
#[derive(Debug, Clone)]
pub struct AlertModel {
    /// The subject (already cut to SNS's limit).
    pub subject: String,
    /// The human text up to, not including, the next steps.
    pub text: String,
    /// What to do next, most important first.
    pub next: Vec<NextStep>,
    /// The JSON block's facts (`next_steps` is added from `next`).
    pub machine: Value,
    /// Filter-policy attributes.
    pub attributes: Vec<(String, String)>,
    /// The function's ARN, when known.
    pub function_arn: Option<String>,
}

impl AlertModel {
    /// The alert as published: every body made from this one model.
    pub fn render(self) -> Alert {
        let mut body = self.text.trim_end().to_owned();
        body += "\n\n";
        body += &next_paragraph(&self.next);
        let mut machine = self.machine;
        if let Value::Object(map) = &mut machine {
            map.insert("next_steps".to_owned(), json!(self.next));
        }
        Alert {
            subject: self.subject,
            body: with_json(body, &machine),
            attributes: self.attributes,
            function_arn: self.function_arn,
            next_steps: self.next.iter().map(NextStep::text).collect(),
        }
    }
}

/// "Next: …" for one step, "Next:\n- …\n- …" for several (commands indented under each).
fn next_paragraph(next: &[NextStep]) -> String {
    match next {
        [] => String::new(),
        [one] => format!("Next: {}\n", one.text()),
        many => {
            let items: Vec<String> = many.iter().map(|s| format!("- {}\n", s.text())).collect();
            format!("Next:\n{}", items.concat())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Timestamp;

    fn context<'a>(account: Option<&'a str>, region: Option<&'a str>) -> AlertContext<'a> {
        AlertContext { account, region, at: Timestamp::from_secs(0) }
    }

    #[test]
    fn commands_carry_the_region_and_the_step_names_the_account() {
        let here = context(Some("123456789012"), Some("eu-west-1"));
        let step = NextStep::new("re-enable it", &["runaway-guard reenable f".to_owned()], &here);
        assert_eq!(
            step.text(),
            "re-enable it (account 123456789012):\n  runaway-guard reenable f --region eu-west-1"
        );
        let unknown = context(Some("not-an-account"), Some("Not A Region\n"));
        let step = NextStep::new("re-enable it", &["runaway-guard reenable f".to_owned()], &unknown);
        assert_eq!(step.text(), "re-enable it:\n  runaway-guard reenable f", "never a guessed place");
        assert_eq!(NextStep::words("look").text(), "look");
    }

    #[test]
    fn the_body_the_chat_steps_and_the_json_come_from_the_same_steps() {
        let here = context(Some("123456789012"), Some("eu-west-1"));
        let next = vec![
            NextStep::new("stop it again", &["runaway-guard trip f --reason drift".to_owned()], &here),
            NextStep::new("accept it", &["runaway-guard reenable f".to_owned()], &here),
        ];
        let model = AlertModel {
            subject: "s".into(),
            text: "Head.\n\nWhat: x\n".into(),
            next: next.clone(),
            machine: json!({"kind": "k"}),
            attributes: Vec::new(),
            function_arn: None,
        };
        let alert = model.render();
        assert!(alert.body.starts_with("Head.\n\nWhat: x\n\nNext:\n- stop it again (account 123456789012):\n  runaway-guard trip f --reason drift --region eu-west-1\n- accept it"), "{}", alert.body);
        assert_eq!(alert.next_steps, next.iter().map(NextStep::text).collect::<Vec<_>>());
        let (_, json) = alert.body.split_once("--- machine-readable ---\n").unwrap();
        let machine: Value = serde_json::from_str(json).unwrap();
        assert_eq!(machine["next_steps"][1]["commands"][0], "runaway-guard reenable f --region eu-west-1");
    }
}
