//! The offender search for alarms that name no function (account concurrency, billing): recently
//! active functions → their usage → estimated cost per hour → the ones over the limit.

use futures::StreamExt;
use tracing::warn;

use crate::config::Config;
use std::collections::HashMap;

use crate::alert::{AlertContext, RankedFunction, SearchFacts};
use crate::detect::cost::{self, FunctionProfile};
use crate::name::FunctionName;
use crate::ports::{Alert, Metrics, Throttler};
use crate::verdict::Reason;

/// Usage window the search looks at.
pub const WINDOW_SECS: u64 = 300;
/// Candidates (by invocations) whose configuration is read to price them.
pub const MAX_CANDIDATES: usize = 20;
/// Functions named in the "nothing over the limit" alert.
pub const TOP_REPORTED: usize = 5;

/// What the search found.
#[derive(Debug, Default)]
pub struct OffenderSearch {
    /// Functions to throttle, costliest first.
    pub offenders: Vec<(FunctionName, Reason)>,
    /// Notes for the report.
    pub notes: Vec<String>,
    /// Alert to send when nothing qualified (or the search failed), so on-call still hears.
    pub summary_alert: Option<Alert>,
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
    let usage = match metrics.active_functions().await {
        Ok(active) if active.is_empty() => Ok(Vec::new()),
        Ok(active) => metrics.usage(&active, WINDOW_SECS, now).await,
        Err(err) => Err(err),
    };
    let mut usage = match usage {
        Ok(usage) => usage,
        Err(err) => {
            warn!(alarm, error = %err, "offender search failed");
            let note = format!("offender search for alarm {alarm} failed: {err}");
            let facts = SearchFacts {
                alarm,
                metric,
                limit_usd_per_hour: config.cost_limit_usd_per_hour,
                top: &[],
                context,
            };
            let mut alert = crate::alert::search_alert(&facts);
            alert.body = format!("{note}\n\n{}", alert.body);
            return OffenderSearch { summary_alert: Some(alert), notes: vec![note], ..Default::default() };
        }
    };
    usage.sort_by(|a, b| b.invocations.total_cmp(&a.invocations));
    usage.truncate(MAX_CANDIDATES);
    let profiles: HashMap<FunctionName, FunctionProfile> = futures::stream::iter(&usage)
        .map(|sample| async move {
            let state = throttler.function_state(&sample.function).await.ok()?;
            Some((
                sample.function.clone(),
                FunctionProfile { memory_mb: state.memory_mb, architecture: state.architecture },
            ))
        })
        .buffered(4)
        .filter_map(|x| async move { x })
        .collect()
        .await;
    let limit = config.cost_limit_usd_per_hour;
    let profile = |f: &FunctionName| profiles.get(f).copied().unwrap_or_default();
    let ranking =
        cost::rank_offenders(&usage, profile, &config.prices, limit, config.max_trips_per_hour as usize);
    let offenders: Vec<_> = ranking
        .over_limit
        .iter()
        .map(|e| {
            let reason = Reason::Cost {
                alarm: alarm.to_owned(),
                usd_per_hour: e.usd_per_hour,
                limit_usd_per_hour: limit,
            };
            (e.function.clone(), reason)
        })
        .collect();
    if !offenders.is_empty() {
        return OffenderSearch { offenders, ..Default::default() };
    }
    let top: Vec<RankedFunction> = ranking
        .top(TOP_REPORTED)
        .iter()
        .map(|e| RankedFunction {
            function: e.function.clone(),
            usd_per_hour: e.usd_per_hour,
            invocations: e.invocations_per_hour * WINDOW_SECS as f64 / 3600.0,
        })
        .collect();
    let listed: Vec<String> =
        top.iter().map(|t| format!("{} ${:.2}/h", t.function, t.usd_per_hour)).collect();
    let note = format!(
        "alarm {alarm}: no function over ${limit:.2}/h; throttled nothing; top {}: {}",
        top.len(),
        if listed.is_empty() { "none active".to_owned() } else { listed.join(", ") }
    );
    let facts = SearchFacts { alarm, metric, limit_usd_per_hour: limit, top: &top, context };
    OffenderSearch {
        summary_alert: Some(crate::alert::search_alert(&facts)),
        notes: vec![note],
        ..Default::default()
    }
}
