//! CloudWatch Embedded Metric Format lines for the guard's own counters: one JSON line per
//! invocation on stdout, which Lambda turns into metrics without any API call.

use serde_json::{Value, json};

use crate::report::{Outcome, Report};
use crate::time::Timestamp;

/// Metric namespace of the guard's own metrics.
pub const NAMESPACE: &str = "RunawayGuard";

/// The EMF document for one handled event. `failed_event` is true when the event was rejected whole.
pub fn invocation_metrics(
    report: &Report,
    failed_event: bool,
    function: Option<&str>,
    now: Timestamp,
) -> Value {
    let mut metrics =
        vec![json!({"Name": "Events", "Unit": "Count"}), json!({"Name": "Signals", "Unit": "Count"})];
    let mut doc = json!({
        "Events": 1,
        "Signals": report.signals,
        "RejectedRecords": report.rejected.len(),
        "BadEvents": u8::from(failed_event),
        "Errors": report.decisions.iter().filter(|d| !d.errors.is_empty()).count(),
    });
    for name in ["RejectedRecords", "BadEvents", "Errors"] {
        metrics.push(json!({"Name": name, "Unit": "Count"}));
    }
    for outcome in Outcome::ALL {
        let name = format!("Decisions_{}", outcome.as_str());
        doc[&name] = json!(report.count(outcome));
        metrics.push(json!({"Name": name, "Unit": "Count"}));
    }
    doc["FunctionName"] = json!(function.unwrap_or("runaway-guard"));
    doc["_aws"] = json!({
        "Timestamp": now.as_millis(),
        "CloudWatchMetrics": [{
            "Namespace": NAMESPACE,
            "Dimensions": [["FunctionName"]],
            "Metrics": metrics,
        }],
    });
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::FunctionName;
    use crate::report::Decision;

    #[test]
    fn counts_decisions_by_outcome_in_emf_shape() {
        let f = FunctionName::new("orders").unwrap();
        let report = Report {
            decisions: vec![
                Decision::new(f.clone(), Outcome::Throttled, "depth", "x".into()),
                Decision::new(f, Outcome::Capped, "depth", "x".into()),
            ],
            signals: 7,
            ..Report::default()
        };
        let doc = invocation_metrics(&report, false, Some("guard"), Timestamp::from_secs(10));
        assert_eq!(doc["Decisions_throttled"], 1);
        assert_eq!(doc["Decisions_capped"], 1);
        assert_eq!(doc["Decisions_failed"], 0);
        assert_eq!(doc["Signals"], 7);
        assert_eq!(doc["_aws"]["Timestamp"], 10_000);
        let declared = doc["_aws"]["CloudWatchMetrics"][0]["Metrics"].as_array().unwrap();
        for m in declared {
            assert!(doc.get(m["Name"].as_str().unwrap()).is_some(), "{m}");
        }
    }
}
