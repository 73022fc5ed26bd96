//! CloudWatch alarms evaluated on the simulated metrics, with real periods and delays.
//!
//! Lambda alarms: 1-minute period, M of N datapoints against the threshold; a minute's datapoint is
//! readable 60 s after it ends and alarms evaluate 10 s past each minute, so a breach in minute m
//! changes state at m+2 min 10 s (1–3 min after the breach, as in AWS). Classic alarms reach the
//! guard as `Signal::Alarm` (Lambda alarm action); per-function (Metrics Insights) alarms produce
//! contributor changes (`contributors`). The billing alarm reads `AWS/Billing EstimatedCharges`,
//! which reflects charges 6 h old, evaluated hourly; it is the billing kill switch's trigger and
//! exists only in that run (the module's own billing alarm is off by default).

use crate::name::FunctionName;
use crate::signal::{AlarmMetric, AlarmSignal, AlarmState, AlarmTransport, Signal};
use crate::time::Timestamp;

use super::contributors::{self, ContributorChange, SeriesState};
use super::engine::Engine;
use super::model::{Model, TICKS_PER_SEC};
use super::peers::{BILLING_LAG_SECS, Mechanism};
use super::ports::InAlarm;

/// Alarms evaluate this long after each minute boundary.
const EVAL_OFFSET_TICKS: u32 = 10 * TICKS_PER_SEC;
/// Billing alarm name.
pub(crate) const BILLING_ALARM: &str = "billing-estimated-charges";
/// Minutes of history every alarm has evaluated before the run starts (more than any alarm's
/// evaluation periods), so that it starts in the state its history put it in.
const WARM_MINUTES: i64 = 32;

/// The current state of every alarm.
#[derive(Debug, Clone)]
pub(crate) struct AlarmBook {
    series: Vec<SeriesState>,
    /// Per-function alarms: each function's contributor state (empty for classic alarms).
    contributors: Vec<Vec<SeriesState>>,
    billing_in_alarm: bool,
}

impl AlarmBook {
    /// Every alarm (and contributor) OK, before any history (`Engine::warm_alarms`).
    pub(crate) fn new(model: &Model) -> Self {
        let per_function = |per: bool| if per { model.functions.len() } else { 0 };
        Self {
            series: vec![SeriesState::default(); model.alarms.len()],
            contributors: model
                .alarms
                .iter()
                .map(|a| vec![SeriesState::default(); per_function(a.per_function)])
                .collect(),
            billing_in_alarm: false,
        }
    }
}

/// What one evaluation produced.
#[derive(Debug, Default)]
pub(crate) struct Evaluation {
    /// Classic alarm state changes, as the guard receives them.
    pub signals: Vec<Signal>,
    /// Contributor state changes of per-function alarms.
    pub contributors: Vec<ContributorChange>,
}

impl Engine<'_> {
    /// Evaluates every Lambda alarm on the history's last [`WARM_MINUTES`] minutes, as CloudWatch
    /// did before the run: an alarm (or contributor) its history breaches starts in ALARM, sends no
    /// transition when the run begins, and contributors in ALARM are listed from the start.
    pub(super) fn warm_alarms(&mut self) {
        let (model, now) = (self.model, self.now());
        let mut account = self.account.lock();
        let mut last = vec![Vec::new(); model.alarms.len()];
        for minute in -WARM_MINUTES..0 {
            for (i, alarm) in model.alarms.iter().enumerate() {
                let cw = &account.cloudwatch;
                if !alarm.per_function {
                    let value = cw.history_datapoint(alarm.metric, alarm.function, minute);
                    self.alarms.series[i].push(alarm.comparison.breaches(value, alarm.threshold), alarm);
                    continue;
                }
                let values: Vec<Option<f64>> = (0..model.functions.len())
                    .map(|f| Some(cw.history_datapoint(alarm.metric, Some(f), minute)).filter(|v| *v > 0.0))
                    .collect();
                contributors::evaluate(i, alarm, &values, &mut self.alarms.contributors[i], now);
                last[i] = values;
            }
        }
        for (i, alarm) in model.alarms.iter().enumerate() {
            for (f, _) in self.alarms.contributors[i].iter().enumerate().filter(|(_, s)| s.in_alarm) {
                let value = last[i].get(f).copied().flatten();
                let reason = contributors::reason(alarm, value);
                account.contributors.push(InAlarm {
                    alarm: alarm.name.clone(),
                    function: f,
                    since: now,
                    reason,
                });
            }
        }
    }

    /// Evaluates due alarms; returns the state changes.
    pub(super) fn evaluate_alarms(&mut self) -> Evaluation {
        let per_minute = 60 * TICKS_PER_SEC;
        let mut out = Evaluation::default();
        if self.tick % per_minute != EVAL_OFFSET_TICKS {
            return out;
        }
        if let Some(minute) = ((self.tick / per_minute) as usize).checked_sub(2) {
            self.lambda_alarms(minute, &mut out.signals);
            out.contributors = self.contributor_alarms(minute);
        }
        if self.mechanism == Mechanism::BillingKillSwitch
            && self.tick % (60 * per_minute) == EVAL_OFFSET_TICKS
        {
            self.billing_alarm(&mut out.signals);
        }
        out
    }

    /// Keeps the account's list of contributors in ALARM (what `DescribeAlarmContributors` reads).
    pub(super) fn record_contributors(&mut self, changes: &[ContributorChange]) {
        if changes.is_empty() {
            return;
        }
        let model = self.model;
        let mut account = self.account.lock();
        for c in changes {
            let alarm = &model.alarms[c.alarm];
            account.contributors.retain(|x| !(x.alarm == alarm.name && x.function == c.function));
            if c.state == AlarmState::Alarm {
                account.contributors.push(InAlarm {
                    alarm: alarm.name.clone(),
                    function: c.function,
                    since: c.at,
                    reason: contributors::reason(alarm, c.value),
                });
            }
        }
    }

    /// Per-function (Metrics Insights) alarms on the datapoints of `minute`.
    fn contributor_alarms(&mut self, minute: usize) -> Vec<ContributorChange> {
        let (model, now) = (self.model, self.now());
        let mut changes = Vec::new();
        for (i, alarm) in model.alarms.iter().enumerate().filter(|(_, a)| a.per_function) {
            let values: Vec<Option<f64>> = {
                let account = self.account.lock();
                let m = account.cloudwatch.closed().get(minute);
                let value =
                    |f: &super::cloudwatch::FnMinute| Some(f.value(alarm.metric)).filter(|v| *v > 0.0);
                (0..model.functions.len())
                    .map(|f| m.and_then(|m| m.functions.get(f)).and_then(value))
                    .collect()
            };
            changes.extend(contributors::evaluate(i, alarm, &values, &mut self.alarms.contributors[i], now));
        }
        changes
    }

    /// Classic Lambda alarms on the datapoints of `minute`.
    fn lambda_alarms(&mut self, minute: usize, out: &mut Vec<Signal>) {
        let (model, now) = (self.model, self.now());
        for (i, alarm) in model.alarms.iter().enumerate().filter(|(_, a)| !a.per_function) {
            let value = self.account.lock().cloudwatch.datapoint(alarm.metric, alarm.function, minute);
            let Some(value) = value else { continue };
            let Some(breach) =
                self.alarms.series[i].push(alarm.comparison.breaches(value, alarm.threshold), alarm)
            else {
                continue;
            };
            let function = alarm.function.map(|f| &model.functions[f].name);
            let op = alarm.comparison.symbol();
            let reason = format!("datapoint {value:.0} vs threshold {op} {:.0}", alarm.threshold);
            let metric = metric("AWS/Lambda", alarm.metric.as_str());
            let transport = AlarmTransport::LambdaAction;
            out.push(alarm_signal(&alarm.name, metric, function, breach, reason, now, transport));
        }
    }

    /// The billing alarm on charges `BILLING_LAG_SECS` old.
    fn billing_alarm(&mut self, out: &mut Vec<Signal>) {
        let secs = u64::from(self.tick / TICKS_PER_SEC);
        let charges = match secs.checked_sub(BILLING_LAG_SECS) {
            Some(at) => self.account.lock().cloudwatch.charges_at(at),
            None => 0.0,
        };
        let threshold = self.model.billing_alarm_usd;
        let breach = charges >= threshold;
        if breach != self.alarms.billing_in_alarm {
            self.alarms.billing_in_alarm = breach;
            let reason = format!("EstimatedCharges ${charges:.2} vs ${threshold:.2}");
            let metric = metric("AWS/Billing", "EstimatedCharges");
            out.push(alarm_signal(
                BILLING_ALARM,
                metric,
                None,
                breach,
                reason,
                self.now(),
                AlarmTransport::Sns,
            ));
        }
    }
}

fn metric(namespace: &str, name: &str) -> AlarmMetric {
    AlarmMetric { namespace: namespace.to_owned(), name: name.to_owned() }
}

fn alarm_signal(
    name: &str,
    metric: AlarmMetric,
    function: Option<&FunctionName>,
    breach: bool,
    reason: String,
    at: Timestamp,
    transport: AlarmTransport,
) -> Signal {
    Signal::Alarm(Box::new(AlarmSignal {
        alarm_name: name.to_owned(),
        alarm_arn: Some(format!("arn:aws:cloudwatch:us-east-1:111122223333:alarm:{name}")),
        state: if breach { AlarmState::Alarm } else { AlarmState::Ok },
        metrics: vec![metric],
        functions: function.into_iter().cloned().collect(),
        reason: Some(reason),
        at: Some(at),
        account: Some("111122223333".to_owned()),
        region: Some("us-east-1".to_owned()),
        transport,
    }))
}

/// True for the billing alarm going into ALARM.
pub(crate) fn is_billing_alarm(signal: &Signal) -> bool {
    matches!(signal, Signal::Alarm(a) if a.state == AlarmState::Alarm && a.alarm_name == BILLING_ALARM)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::{Config, Prices};
    use crate::simulate::parse_scenario;

    /// An SNS self-loop (Lambda's detection sees it) and a quiet function, with the module's alarms.
    fn sns_loop(mechanism: Mechanism) -> (Model, Mechanism) {
        let json = r#"{"name": "t", "horizon_secs": 600, "incident_at_secs": 10,
            "functions": [{"name": "loop", "memory_mb": 512, "duration_ms": 100, "guarded": false},
                          {"name": "quiet", "memory_mb": 128, "duration_ms": 100}],
            "routes": [{"from": "loop", "to": {"sns": "loop"}, "per_invocation": 2, "incident": true}],
            "traffic": [{"to": {"sns": "loop"}, "rate_per_sec": 0.2}, {"to": {"async": "quiet"}, "rate_per_sec": 1}]}"#;
        let scenario = parse_scenario(json, "t").expect("parses");
        (Model::compile(&scenario, &Prices::default()).expect("compiles"), mechanism)
    }

    /// Runs `ticks` ticks and returns the contributors in ALARM.
    fn contributors_after(model: &Model, mechanism: Mechanism, ticks: u32) -> Vec<(String, usize)> {
        let mut engine = Engine::new(model, mechanism, 1, &Config::default(), Arc::default());
        while engine.tick < ticks {
            engine.step();
            engine.tick += 1;
        }
        let account = engine.account.lock();
        account.contributors.iter().map(|c| (c.alarm.clone(), c.function)).collect()
    }

    #[test]
    fn lambdas_loop_detection_names_the_function_through_the_recursion_alarm() {
        let (model, m) = sns_loop(Mechanism::LambdaLoopDetection);
        let listed = contributors_after(&model, m, 300 * TICKS_PER_SEC);
        assert!(listed.contains(&("runaway-guard-per-function-recursion".to_owned(), 0)), "{listed:?}");
        assert!(listed.contains(&("runaway-guard-per-function-duration".to_owned(), 0)), "{listed:?}");
        assert!(!listed.iter().any(|(_, f)| *f == 1), "function 1 runs below the per-function threshold");
        // Without Lambda's detection (the no-guard run) nothing is dropped, so no recursion contributor.
        let (model, m) = sns_loop(Mechanism::NoGuard);
        let listed = contributors_after(&model, m, 300 * TICKS_PER_SEC);
        assert!(!listed.iter().any(|(a, _)| a.ends_with("recursion")), "{listed:?}");
    }

    #[test]
    fn contributor_events_are_published_no_earlier_than_the_metric_lag() {
        let (model, m) = sns_loop(Mechanism::LambdaLoopDetection);
        // The loop starts at 10 s and doubles each hop: minute 0 is over 1,000 and published at
        // 120 s, evaluated at 130 s.
        assert!(contributors_after(&model, m, 129 * TICKS_PER_SEC).is_empty());
        assert!(!contributors_after(&model, m, 131 * TICKS_PER_SEC).is_empty());
    }

    #[test]
    fn a_function_its_history_keeps_in_alarm_starts_in_alarm_and_sends_no_transition() {
        let json = r#"{"name": "busy", "horizon_secs": 300,
            "functions": [{"name": "api", "memory_mb": 1024, "duration_ms": 200},
                          {"name": "quiet", "memory_mb": 128, "duration_ms": 100}],
            "traffic": [{"to": {"async": "api"}, "rate_per_sec": 200}, {"to": {"async": "quiet"}, "rate_per_sec": 1}]}"#;
        let scenario = parse_scenario(json, "busy").expect("parses");
        let model = Model::compile(&scenario, &Prices::default()).expect("compiles");
        let base = Engine::new(&model, Mechanism::Baseline, 1, &Config::default(), Arc::default()).run();
        let history = Arc::new(crate::simulate::history::History::new(base.minutes, vec![None, None]));
        let mut engine = Engine::new(&model, Mechanism::NoGuard, 1, &Config::default(), history);
        let listed: Vec<(String, usize)> =
            engine.account.lock().contributors.iter().map(|c| (c.alarm.clone(), c.function)).collect();
        assert_eq!(listed, vec![("runaway-guard-per-function-duration".to_owned(), 0)], "40,000 s a minute");
        let start = engine.now();
        while engine.tick < 300 * TICKS_PER_SEC {
            engine.step();
            engine.tick += 1;
        }
        let account = engine.account.lock();
        let since: Vec<Timestamp> = account.contributors.iter().map(|c| c.since).collect();
        assert_eq!(since, vec![start], "in ALARM since before the run: never went into ALARM again");
        drop(account);
        // Without history (the baseline's own run) it starts OK.
        assert!(contributors_after(&model, Mechanism::NoGuard, 1).is_empty());
    }
}
