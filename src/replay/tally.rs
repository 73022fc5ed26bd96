//! What a replay did, or would do (`--dry-run`): counts by outcome, the replayed events grouped by
//! source and detail-type, and why it stopped early. Serialised as `replay --json` prints it, and
//! rendered as the text a terminal shows. Pure.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::filter::{Decision, SkipReason};
use super::message::ParkedEvent;
use super::rate::Rate;
use crate::name::FunctionName;
use crate::sanitise::{Plain, one_line_max};

/// Shown for an event without a source or detail-type (a direct asynchronous invoke).
pub const NONE: &str = "-";

/// One group of replayed (or replayable) events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// The events' source.
    pub source: String,
    /// Their detail-type.
    pub detail_type: String,
    /// How many.
    pub count: u64,
}

/// The outcome of one `replay` run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The function replayed to.
    pub function: FunctionName,
    /// The queue read (ARN).
    pub queue: String,
    /// `--dry-run`: nothing was invoked or deleted, every message is visible again.
    pub dry_run: bool,
    /// The rate used.
    pub rate: Rate,
    /// Events Lambda accepted and whose messages were deleted (dry run: events that would replay).
    pub replayed: u64,
    /// The function's events a filter left in the queue, by filter.
    pub skipped: BTreeMap<SkipReason, u64>,
    /// Messages of other functions, left in the queue.
    pub other_functions: u64,
    /// Messages in neither of Lambda's formats, left in the queue.
    pub unreadable: u64,
    /// The replayed (dry run: replayable) events by source and detail-type, largest group first.
    pub groups: Vec<Group>,
    /// Why the run stopped before the queue was done (the rest is still in the queue; rerun).
    pub stopped: Option<String>,
    /// Things the operator should know (a queue that is not the function's own, a limit reached).
    pub warnings: Vec<String>,
}

impl Summary {
    /// An empty summary for `function` reading `queue`.
    pub fn new(function: FunctionName, queue: String, dry_run: bool, rate: Rate) -> Self {
        Self {
            function,
            queue,
            dry_run,
            rate,
            replayed: 0,
            skipped: BTreeMap::new(),
            other_functions: 0,
            unreadable: 0,
            groups: Vec::new(),
            stopped: None,
            warnings: Vec::new(),
        }
    }

    /// Counts a decision made the first time a message was seen (a replay counts once accepted).
    pub fn count(&mut self, decision: Decision) {
        match decision {
            Decision::Replay => {}
            Decision::Skip(reason) => *self.skipped.entry(reason).or_default() += 1,
            Decision::OtherFunction => self.other_functions += 1,
        }
    }

    /// Counts one replayed (dry run: replayable) event in its group.
    pub fn replayed(&mut self, event: &ParkedEvent) {
        self.replayed += 1;
        let source = event.source.as_deref().unwrap_or(NONE);
        let detail_type = event.detail_type.as_deref().unwrap_or(NONE);
        match self.groups.iter_mut().find(|g| g.source == source && g.detail_type == detail_type) {
            Some(group) => group.count += 1,
            None => self.groups.push(Group {
                source: source.to_owned(),
                detail_type: detail_type.to_owned(),
                count: 1,
            }),
        }
    }

    /// Sorts the groups, largest first.
    pub fn finish(&mut self) {
        self.groups.sort_by(|a, b| {
            b.count.cmp(&a.count).then_with(|| (&a.source, &a.detail_type).cmp(&(&b.source, &b.detail_type)))
        });
    }

    /// The text a terminal shows.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let verb = if self.dry_run { "Would replay" } else { "Replayed" };
        let _ = writeln!(
            out,
            "{verb} {} event(s) to {} from {} at {:.2}/s ({}).",
            self.replayed,
            self.function,
            Plain(&self.queue),
            self.rate.per_sec,
            rate_words(&self.rate)
        );
        if self.dry_run && self.replayed > 0 {
            let _ = writeln!(
                out,
                "At that rate the replay takes about {}; give --rate to go faster: SQS deletes each message once \
                 its queue's retention runs out (14 days in the guard's parking queue).",
                crate::time::spoken(self.replayed as f64 / self.rate.per_sec)
            );
        }
        if !self.groups.is_empty() {
            let _ = writeln!(out, "  {:>8}  {:<32} detail-type", "count", "source");
            for g in &self.groups {
                let source = one_line_max(&g.source, 64);
                let _ = writeln!(out, "  {:>8}  {source:<32} {}", g.count, Plain(&g.detail_type));
            }
        }
        for (reason, n) in &self.skipped {
            let _ = writeln!(out, "Left in the queue by {}: {n}.", skip_words(*reason));
        }
        if self.other_functions > 0 {
            let _ = writeln!(out, "Left alone: {} message(s) of other functions.", self.other_functions);
        }
        if self.unreadable > 0 {
            let _ = writeln!(
                out,
                "Left in the queue: {} message(s) in neither of Lambda's formats.",
                self.unreadable
            );
        }
        for w in &self.warnings {
            let _ = writeln!(out, "warning: {}", Plain(w));
        }
        if let Some(why) = &self.stopped {
            let _ = writeln!(
                out,
                "Stopped early: {}. The rest is still in the queue: run replay again to continue.",
                Plain(why)
            );
        }
        out
    }
}

fn rate_words(rate: &Rate) -> String {
    match (rate.source, rate.usual_per_sec) {
        (super::rate::RateSource::Flag, _) => "--rate".to_owned(),
        (super::rate::RateSource::Metrics, Some(usual)) => {
            format!("{:.0}% of its usual {usual:.2}/s", super::rate::USUAL_SHARE * 100.0)
        }
        _ => "the fixed default: not enough CloudWatch history to size it".to_owned(),
    }
}

fn skip_words(reason: SkipReason) -> &'static str {
    match reason {
        SkipReason::Depth => "--skip-depth-over",
        SkipReason::Source => "--only-source",
        SkipReason::DetailType => "--exclude-detail-type",
        SkipReason::Window => "--since/--until",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::message::Format;
    use crate::replay::rate;

    fn event(source: Option<&str>, detail_type: Option<&str>) -> ParkedEvent {
        ParkedEvent {
            format: Format::DeadLetter,
            function: None,
            payload: "{}".into(),
            source: source.map(Into::into),
            detail_type: detail_type.map(Into::into),
            depth: None,
        }
    }

    #[test]
    fn groups_largest_first_and_every_outside_value_is_shown_escaped() {
        let function = FunctionName::new("orders").unwrap();
        let mut summary =
            Summary::new(function, "arn:aws:sqs:us-east-1:123456789012:q".into(), true, rate::fallback());
        summary.replayed(&event(Some("aws:s3"), Some("ObjectCreated:Put")));
        summary.replayed(&event(Some("orders.api"), Some("Placed\u{1b}[31m")));
        summary.replayed(&event(Some("orders.api"), Some("Placed\u{1b}[31m")));
        summary.replayed(&event(None, None));
        summary.count(Decision::Skip(SkipReason::Depth));
        summary.count(Decision::OtherFunction);
        summary.count(Decision::Replay);
        summary.finish();
        let counts: Vec<(&str, u64)> = summary.groups.iter().map(|g| (g.source.as_str(), g.count)).collect();
        assert_eq!(counts, [("orders.api", 2), ("-", 1), ("aws:s3", 1)]);
        assert_eq!((summary.replayed, summary.other_functions), (4, 1));
        assert_eq!(summary.skipped.get(&SkipReason::Depth), Some(&1));
        let text = summary.text();
        assert!(text.starts_with("Would replay 4 event(s) to orders"), "{text}");
        assert!(text.contains("--skip-depth-over: 1") && text.contains("the fixed default"), "{text}");
        assert!(!text.contains('\u{1b}') && text.contains("Placed\\u{1b}[31m"), "{text}");
        assert!(text.contains("At that rate the replay takes about 4.0 s; give --rate"), "{text}");
    }

    #[test]
    fn only_a_dry_run_says_how_long_the_replay_would_take() {
        let function = FunctionName::new("orders").unwrap();
        let queue = "arn:aws:sqs:us-east-1:123456789012:q";
        let mut dry = Summary::new(function.clone(), queue.into(), true, rate::from_flag(0.5).unwrap());
        for _ in 0..7_200 {
            dry.replayed(&event(Some("aws:s3"), None));
        }
        assert!(dry.text().contains("the replay takes about 4 h;"), "{}", dry.text());
        let mut done = Summary::new(function, queue.into(), false, rate::fallback());
        done.replayed(&event(Some("aws:s3"), None));
        assert!(!done.text().contains("takes about"), "{}", done.text());
    }
}
