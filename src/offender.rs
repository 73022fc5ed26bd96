//! The offender search for alarms that name no function (account concurrency, account
//! invocations, billing): recently active functions → their usage over the published minutes →
//! priced in order of what they could cost (so an expensive function is never hidden behind busy
//! cheap ones) → those over the cost limit judged against their own normal (`detect::baseline`).
//! Only runaways are offenders: a function as busy as it always is is never one, however expensive.

use std::collections::HashMap;

use futures::StreamExt;
use tracing::warn;

use crate::alert::{AlertContext, RankedFunction, SearchFacts};
use crate::config::Config;
use crate::detect::baseline::Subject;
use crate::detect::cost::{self, FunctionProfile};
use crate::handler::judge::{self, MAX_MEMORY_MB};
use crate::name::FunctionName;
use crate::ports::{Alert, Architecture, Metrics, PortError, Throttler, UsageSample};
use crate::report::Unread;
use crate::verdict::{Candidate, Reason};

/// Usage window the search looks at (only its published minutes are priced).
pub const WINDOW_SECS: u64 = 300;
/// Functions whose configuration is read to price them, at most (in order of their upper bound).
pub const MAX_PRICED: usize = 50;
/// Functions named in the "nothing ran away" alert.
pub const TOP_REPORTED: usize = 5;

/// What the search found.
#[derive(Debug, Default)]
pub struct OffenderSearch {
    /// Functions to throttle, costliest first.
    pub offenders: Vec<(FunctionName, Reason)>,
    /// Notes for the report.
    pub notes: Vec<String>,
    /// Alert to send when every read succeeded and nothing ran away, so on-call still hears.
    pub summary_alert: Option<Alert>,
    /// The situation the summary describes: the functions over the cost limit that were left
    /// alone, sorted (empty: none was over it). Pages are deduplicated on it.
    pub situation: Vec<FunctionName>,
    /// Reads that failed: nothing is concluded from the missing data (no summary alert), and
    /// the invocation is to fail so that it is retried.
    pub unread: Vec<Unread>,
}

/// A priced function.
#[derive(Debug, Clone)]
struct Priced {
    function: FunctionName,
    usd_per_hour: f64,
    invocations: f64,
    subject: Subject,
}

/// Runs the search for `alarm`.
pub async fn search<T: Throttler, M: Metrics>(
    throttler: &T,
    metrics: &M,
    config: &Config,
    (alarm, metric): (&str, &str),
    context: AlertContext<'_>,
) -> OffenderSearch {
    let now = context.at;
    let limit = config.cost_limit_usd_per_hour;
    let usage = match metrics.active_functions().await {
        Ok(active) if active.is_empty() => Ok(Vec::new()),
        Ok(active) => metrics.usage(&active, WINDOW_SECS, now).await,
        Err(err) => Err(err),
    };
    let usage = match usage {
        Ok(usage) => usage,
        Err(err) => {
            warn!(alarm = %crate::sanitise::Plain(alarm), error = %err, "offender search failed");
            let note = format!("offender search for alarm {alarm} failed: {err}");
            let unread = vec![judge::unread(format!("alarm {alarm}"), &err)];
            return OffenderSearch { notes: vec![note], unread, ..Default::default() };
        }
    };
    let mut notes = Vec::new();
    let mut unread = Vec::new();
    let priced = price(throttler, config, usage, (&mut notes, &mut unread)).await;
    let candidates: Vec<Candidate> = priced
        .iter()
        .filter(|p| p.usd_per_hour > limit)
        .map(|p| Candidate {
            function: p.function.clone(),
            trigger: format!("offender search for alarm {alarm}"),
            recursion: false,
            muted: None,
        })
        .collect();
    let known: HashMap<FunctionName, Subject> =
        priced.iter().map(|p| (p.function.clone(), p.subject)).collect();
    let judged = judge::judge((throttler, metrics, config), &candidates, &known, now).await;
    notes.extend(judged.notes);
    let offenders: Vec<_> = judged.runaways.into_iter().take(config.max_trips_per_hour as usize).collect();
    unread.extend(judged.unread);
    unread.retain(|u| !offenders.iter().any(|(o, _)| o.as_str() == u.subject));
    if !offenders.is_empty() || !unread.is_empty() {
        // Never "nothing ran away" built on a read that failed.
        return OffenderSearch { offenders, notes, unread, ..Default::default() };
    }
    let mut situation: Vec<FunctionName> = candidates.into_iter().map(|c| c.function).collect();
    situation.sort();
    let top: Vec<RankedFunction> = priced
        .iter()
        .take(TOP_REPORTED)
        .map(|p| RankedFunction {
            function: p.function.clone(),
            usd_per_hour: p.usd_per_hour,
            invocations: p.invocations,
        })
        .collect();
    let listed: Vec<String> =
        top.iter().map(|t| format!("{} ${:.2}/h", t.function, t.usd_per_hour)).collect();
    notes.push(format!(
        "alarm {alarm}: no function over ${limit:.2}/h left its normal; throttled nothing; top {}: {}",
        top.len(),
        if listed.is_empty() { "none active".to_owned() } else { listed.join(", ") }
    ));
    let facts = SearchFacts { alarm, metric, limit_usd_per_hour: limit, top: &top, context };
    let summary_alert = Some(crate::alert::search_alert(&facts));
    OffenderSearch { summary_alert, notes, situation, ..Default::default() }
}

/// Prices the active functions, costliest first. Each is first bounded by what it would cost at
/// the largest memory Lambda allows; configurations are read in that order (4 at a time) until
/// the next bound is under the limit or [`MAX_PRICED`] were read. Exempt functions (configuration
/// or tag) take no slot and are never priced or judged.
async fn price<T: Throttler>(
    throttler: &T,
    config: &Config,
    mut usage: Vec<UsageSample>,
    (notes, unread): (&mut Vec<String>, &mut Vec<Unread>),
) -> Vec<Priced> {
    let exempt = |f: &FunctionName| config.exempt.contains(f) || config.self_function.as_ref() == Some(f);
    let widest = FunctionProfile { memory_mb: MAX_MEMORY_MB, architecture: Architecture::X86_64 };
    let bound = |s: &UsageSample| cost::usd_per_hour(s, widest, &config.prices);
    usage.retain(|s| !exempt(&s.function));
    usage.sort_by(|a, b| bound(b).total_cmp(&bound(a)).then_with(|| a.function.cmp(&b.function)));
    let limit = config.cost_limit_usd_per_hour;
    let over = usage.iter().take_while(|s| bound(s) > limit).count();
    if over > MAX_PRICED {
        notes
            .push(format!("offender search priced only the {MAX_PRICED} functions that could cost the most"));
    }
    // Tag-exempt functions drop out here (`None`); an unreadable configuration is kept, with a note.
    let read: Vec<(UsageSample, Result<judge::PricedSubject, PortError>)> =
        futures::stream::iter(usage.drain(..over.min(MAX_PRICED)))
            .map(|sample| async move {
                let subject = match throttler.function_state(&sample.function).await {
                    Ok(s) if s.exempt_tag => return None,
                    Ok(s) => Ok(judge::priced_subject(throttler, &s, false).await),
                    Err(err) => Err(err),
                };
                Some((sample, subject))
            })
            .buffered(4)
            .filter_map(|read| async move { read })
            .collect()
            .await;
    let read: Vec<(UsageSample, Option<Subject>)> = read
        .into_iter()
        .map(|(sample, subject)| match subject {
            Ok((subject, note)) => {
                notes.extend(note);
                (sample, Some(subject))
            }
            Err(err) => {
                notes.push(judge::unreadable_note(&sample.function, &err));
                if !err.not_found {
                    unread.push(judge::unread(&sample.function, &err));
                }
                (sample, None)
            }
        })
        .collect();
    let default = Subject::default();
    let mut priced: Vec<Priced> = read
        .into_iter()
        .chain(usage.into_iter().map(|s| (s, None)))
        .map(|(sample, subject)| {
            let subject = subject.unwrap_or(default);
            Priced {
                usd_per_hour: cost::usd_per_hour(&sample, subject.profile, &config.prices),
                invocations: sample.invocations,
                function: sample.function,
                subject,
            }
        })
        .collect();
    priced
        .sort_by(|a, b| b.usd_per_hour.total_cmp(&a.usd_per_hour).then_with(|| a.function.cmp(&b.function)));
    priced
}
