//! `runaway-guard status`: every function carrying a trip record in the account and region (who
//! tripped it, when, why, its reservation now, its paused mappings and drift), every function at 0
//! without one, whether each alert is still unsent and any re-enable left unfinished.

use std::process::ExitCode;

use crate::aws::sqs::QueueReader;
use crate::aws::{CloudWatchMetrics, ParkedSince};
use crate::operator::{self, StatusEntry};
use crate::time::Timestamp;

use super::setup::{Operation, Refusal};
use super::{EXIT_FAILURE, EXIT_OK, Located};

/// Runs `status`.
pub async fn run(json: bool, op: Operation) -> Result<ExitCode, Refusal> {
    let ports = op.ports(None);
    let mut rows = operator::status(&ports.throttler)
        .await
        .map_err(|e| Refusal::failure(format!("listing tripped functions in {}: {e}", op.location())))?;
    let parked = count_parked(&ports.metrics, &mut rows).await + &parked_line(&op).await;
    if json {
        // An array, as DESIGN.md promises; each row names where it was read.
        let located: Vec<Located<'_, _>> = rows.iter().map(|r| Located::new(&op, r)).collect();
        let text = serde_json::to_string_pretty(&located).map_err(|e| Refusal::failure(e.to_string()))?;
        println!("{}", crate::sanitise::json(&text));
        let read = rows.iter().filter(|r| r.unreadable.is_none());
        let tripped = read.clone().filter(|r| r.record).count();
        let bare = read.count() - tripped;
        let unread = rows.len() - tripped - bare;
        let bare = if bare > 0 { format!(", {bare} at 0 without a record") } else { String::new() };
        let unread = if unread > 0 { format!(", {unread} not read") } else { String::new() };
        eprint!("{tripped} tripped{bare}{unread} in {}. {parked}{}", op.context_line(), op.footer());
    } else {
        let here = op.context_line();
        let guard = op.guard.as_ref().map(|g| g.as_str());
        let follow_up = crate::table::unsent_alerts_follow_up(&rows, guard, &here);
        print!("{}{follow_up}{parked}{}", crate::table::status(&rows, &here), op.footer());
    }
    // A function deleted since the listing hides nothing; any other failed read may hide a trip.
    let code = if rows.iter().any(|r| r.incomplete) { EXIT_FAILURE } else { EXIT_OK };
    Ok(ExitCode::from(code))
}

/// What waits in the deployed guard's parking queue, as one line (empty without one). SQS counts a
/// whole queue, and telling the functions' events apart means receiving each, so the count is for
/// every function; `replay FUNCTION --dry-run` counts one function's without moving any.
async fn parked_line(op: &Operation) -> String {
    let Some(queue) = op.guard.as_ref().and(op.config.parking_queue_arn.as_deref()) else {
        return String::new();
    };
    let name = crate::arn::Arn::parse(queue).map_or(queue, |arn| arn.name());
    let name = crate::sanitise::Plain(name);
    match QueueReader::new(&op.session.sdk).waiting(queue).await {
        Ok(0) => format!("Parking queue {name}: empty.\n"),
        Ok(n) => format!(
            "Parking queue {name}: about {n} asynchronous event(s) parked, of every tripped function; count one \
             function's with: runaway-guard replay FUNCTION --dry-run\n"
        ),
        Err(err) => format!("Parking queue {name}: not read ({err}).\n"),
    }
}

/// Fills in each parked function's count since its trip; a line saying what could not be read, or
/// nothing.
async fn count_parked(metrics: &CloudWatchMetrics, rows: &mut [StatusEntry]) -> String {
    let parked: Vec<(usize, ParkedSince)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.record && r.parked_queue.is_some())
        .filter_map(|(i, r)| {
            let since = Timestamp::parse_rfc3339(&r.tripped_at)?;
            Some((i, ParkedSince { function: r.function.clone(), since }))
        })
        .collect();
    if parked.is_empty() {
        return String::new();
    }
    let trips: Vec<ParkedSince> = parked.iter().map(|(_, t)| t.clone()).collect();
    match metrics.parked_since(&trips, Timestamp::now()).await {
        Ok(counts) => {
            for ((i, _), n) in parked.iter().zip(counts) {
                if let Some(row) = rows.get_mut(*i) {
                    row.parked_since_trip = Some(n);
                }
            }
            String::new()
        }
        Err(err) => format!("warning: parked events per function not counted (CloudWatch): {err}\n"),
    }
}
