//! What someone who has never seen the project reads from `runaway-guard simulate`: a legend that
//! states each mechanism's assumption, one time base in human units, failed events said by whose,
//! the sparkline scale, a closing summary (both modes side by side with `--compare`), benign
//! scenarios in trips and cost, the first trip's alert as sent (`--alerts`), an SVG with axis labels,
//! dollar figures and containment markers, bad scenario files that name the field, and a quiet exit
//! when the reader of `--json` closes the pipe early. The report's tests run the binary.
#![cfg(feature = "guard")]

use std::process::{Command, Stdio};
use std::sync::OnceLock;

use runaway_guard::config::Config;
use runaway_guard::simulate::{self, SimulationResult};

fn eventbridge_loop() -> &'static SimulationResult {
    static RESULT: OnceLock<SimulationResult> = OnceLock::new();
    RESULT.get_or_init(|| {
        let scenario = simulate::scenario("eventbridge-loop").expect("built in");
        simulate::run(&scenario, 1, &Config::default()).expect("runs")
    })
}

#[test]
fn the_text_report_explains_itself() {
    let r = eventbridge_loop();
    let text = simulate::render::text(std::slice::from_ref(r));
    for needle in
        ["Legend\n", "  leaked ", "  failed events ", "  baseline ", "after the incident (one column = "]
    {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert!(!text.contains(&format!("{} s", r.horizon_s)), "raw seconds in\n{text}");
    let failed = simulate::render::thousands(r.guard.failed_events);
    let guard_row =
        text.lines().find(|l| l.starts_with("  guard ") && l.contains(" yes ")).expect("guard row");
    assert!(r.guard.failed_events > 0 && guard_row.contains(&format!(" {failed}  ")), "{guard_row}");
}

#[test]
fn the_svg_has_axis_labels_dollars_and_a_marker_per_containment() {
    let r = eventbridge_loop();
    let svg = simulate::svg::render(std::slice::from_ref(r));
    assert!(svg.contains(">time since the incident (log scale)</text>"));
    assert!(svg.contains(">invocations per second (log scale)</text>"));
    let contained =
        std::iter::once(&r.guard).chain(r.peers.values()).filter(|m| m.contained == Some(true)).count();
    assert!(contained >= 2, "the guard and the billing kill switch contain this one");
    assert_eq!(svg.matches("contained the runaway after").count(), contained);
    let guard_usd = format!("${} leaked, contained after", simulate::render::money(r.guard.leaked_usd));
    assert!(svg.contains(&guard_usd), "{guard_usd}");
    // Drawn widest first, so coinciding lines stay visible: no_guard under the guard.
    let width = |name: &str| -> f64 {
        let at = svg.find(&format!("<title>{name}</title></polyline>")).expect(name);
        let line = &svg[svg[..at].rfind("<polyline").unwrap()..at];
        let w = line.split("stroke-width=\"").nth(1).unwrap().split('"').next().unwrap();
        w.parse().unwrap()
    };
    // These two leak the same and coincide: one must be wider, or it hides the other.
    assert_ne!(width("no_guard"), width("lambda_loop_detection"));
    assert!(
        width("no_guard") > width("billing_kill_switch") && width("billing_kill_switch") > width("guard")
    );
}

#[test]
fn a_bad_scenario_file_names_the_field_and_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.json");
    std::fs::write(&path, r#"{"name": "x", "functions": [{"name": "f", "memory_mb": "lots"}]}"#).unwrap();
    let err = simulate::load_scenario_file(&path).expect_err("bad type").to_string();
    assert!(err.contains("at functions[0].memory_mb: invalid type: string \"lots\""), "{err}");
    std::fs::write(&path, r#"{"name": "x", "functons": []}"#).unwrap();
    let err = simulate::load_scenario_file(&path).expect_err("unknown field").to_string();
    assert!(err.contains("unknown field `functons`"), "{err}");
}

#[test]
fn json_into_a_closed_pipe_exits_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_runaway-guard"))
        .args(["simulate", "--scenario", "benign-surge", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    // What `| head` does once it has its lines: the reader goes away before the writer is done.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("exits");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `eventbridge-loop` cut to 30 minutes, so the binary runs it in seconds: still contained by the
/// guard in both modes, never by the others within the run.
fn short_eventbridge_loop(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let text = include_str!("../src/simulate/scenarios/eventbridge-loop.json");
    let mut json: serde_json::Value = serde_json::from_str(text).expect("a scenario");
    json["horizon_secs"] = 1_800.into();
    let path = dir.path().join("eventbridge-loop-30min.json");
    std::fs::write(&path, json.to_string()).expect("writes");
    path
}

/// Runs the binary with `args`; its stdout (the command must succeed).
fn simulate(args: &[&str]) -> String {
    let out =
        Command::new(env!("CARGO_BIN_EXE_runaway-guard")).arg("simulate").args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?}: {:?}: {stderr}", out.status);
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn between<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let start = text.find(from).unwrap_or_else(|| panic!("{from:?} in\n{text}"));
    let end = text[start..].find(to).map_or(text.len(), |at| start + at);
    &text[start..end]
}

#[test]
fn compare_reports_both_modes_and_closes_with_a_summary_and_the_first_alert() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = short_eventbridge_loop(&dir);
    let text = simulate(&["--scenario-file", file.to_str().unwrap(), "--compare", "--alerts"]);
    // The assumption behind the guard's figures, once.
    assert_eq!(
        text.matches("stays at 0 until the end of the run (nobody re-enables it)").count(),
        1,
        "{text}"
    );
    assert!(text.contains("eventbridge-loop (runaway; instrumented and uninstrumented;"), "{text}");
    for row in ["  guard, instrumented ", "  guard, uninstrumented ", "  no_guard ", "  baseline "] {
        assert!(text.lines().any(|l| l.starts_with(row)), "{row} in\n{text}");
    }
    let header = between(&text, "  chain header: with the chain header, contained after ", "\n");
    assert!(
        header.contains("; without it, contained after ") && header.contains(": the header stops it "),
        "{header}"
    );
    // The first trip's alert, composed by the guard in the run and rendered as the e-mail protocol.
    let alert = between(
        &text,
        "  the guard's first trip alert, instrumented, as e-mailed",
        "  the guard's first trip alert, uninstrumented",
    );
    for needle in [
        "    | Subject: THROTTLED order-events: ",
        "    | runaway-guard THROTTLED order-events",
        "    |   runaway-guard reenable order-events",
        "    | Sent by runaway-guard.",
    ] {
        assert!(alert.contains(needle), "missing {needle:?} in\n{alert}");
    }
    assert!(!alert.contains("--- machine-readable ---"), "{alert}");
    // Any row that draws a bar has a peak above zero.
    for line in text.lines().filter(|l| l.contains(" peak ")) {
        assert!(!(line.chars().any(|c| ('▁'..='█').contains(&c)) && line.ends_with(" peak 0/s")), "{line}");
    }
    let summary = &text[text.find("Summary (seed 1). Per runaway, ").expect("a summary")..];
    let head = summary.lines().nth(1).expect("column heads");
    assert!(
        head.starts_with("  scenario") && head.contains("guard, instrumented  guard, uninstrumented"),
        "{head}"
    );
    let row = summary.lines().find(|l| l.starts_with("  eventbridge-loop ")).expect("the scenario's row");
    assert!(row.matches(" after ").count() == 2 && row.contains(" never ("), "{row}");
    assert!(summary.contains("  organic lost by its action, 1 runaway "), "{summary}");
}

#[test]
fn a_benign_scenario_is_reported_in_trips_and_cost() {
    let text = simulate(&["--scenario", "benign-surge"]);
    let section = between(&text, "benign-surge (benign: any trip is a false positive;", "Summary");
    assert!(section.contains("trips     cost USD  vs baseline"), "{section}");
    assert!(!section.contains("leaked"), "a benign scenario leaks nothing:\n{section}");
    let baseline = section.lines().find(|l| l.starts_with("  baseline ")).expect("a baseline row");
    assert!(baseline.contains("- (no mechanism)"), "{baseline}");
    let summary = &text[text.find("Summary").unwrap()..];
    assert!(
        summary.contains("  benign-surge ") && summary.contains("false trips, 1 benign scenario"),
        "{summary}"
    );
}

#[test]
fn failed_events_are_said_by_whose() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = short_eventbridge_loop(&dir);
    let text = simulate(&["--scenario-file", file.to_str().unwrap()]);
    let table = between(&text, "  mechanism ", "  invocations/s");
    let failing: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("    ") && !l.starts_with("  mechanism"))
        .filter(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            cells
                .iter()
                .position(|c| c.starts_with('$'))
                .and_then(|at| cells.get(at + 2))
                .is_some_and(|n| *n != "0")
        })
        .collect();
    assert!(!failing.is_empty(), "the guard's throttle turns order-events' events to its DLQ:\n{table}");
    for row in failing {
        let name = row.split_whitespace().next().unwrap();
        let said = table.lines().any(|l| {
            l.starts_with("    ")
                && l.split(": ").next().is_some_and(|labels| labels.trim().split(" / ").any(|n| n == name))
                && l.contains(" failed: ")
        });
        assert!(said, "{name}'s failed events are not explained in\n{table}");
    }
}

#[test]
fn uninstrumented_says_how_it_compares_with_the_instrumented_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = short_eventbridge_loop(&dir);
    let path = file.to_str().unwrap();
    let text = simulate(&["--scenario-file", path, "--uninstrumented"]);
    assert!(text.contains("eventbridge-loop (runaway; uninstrumented;"), "{text}");
    assert!(!text.contains("guard, instrumented"), "the instrumented run is a reference only:\n{text}");
    let line = between(&text, "  chain header: ", "\n");
    assert!(
        line.contains("with the chain header, contained after ")
            && line.ends_with("(--compare shows both runs in full)"),
        "{line}"
    );
    // Its JSON holds its own mode only, with what the text shows.
    let json: serde_json::Value =
        serde_json::from_str(&simulate(&["--scenario-file", path, "--uninstrumented", "--json"]))
            .expect("JSON");
    assert_eq!(json["mode"], "uninstrumented");
    assert!(json["baseline"]["total_usd"].is_f64() && json["baseline"]["failed_events"].is_u64());
    assert!(
        json["first_trip_alert"]["subject"].as_str().is_some_and(|s| s.contains("order-events")),
        "{json}"
    );
}

#[test]
fn json_compare_holds_both_modes_with_the_fields_scripts_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = short_eventbridge_loop(&dir);
    let json: serde_json::Value =
        serde_json::from_str(&simulate(&["--scenario-file", file.to_str().unwrap(), "--compare", "--json"]))
            .expect("JSON");
    let results = json.as_array().expect("an array: one result per mode");
    let modes: Vec<&str> = results.iter().filter_map(|r| r["mode"].as_str()).collect();
    assert_eq!(modes, ["instrumented", "uninstrumented"]);
    for r in results {
        // What scripts/comparison-table.py reads.
        for key in
            ["scenario", "benign", "leaked_usd", "time_to_containment_s", "trips", "peers", "lost_work"]
        {
            assert!(r.get(key).is_some(), "{key}");
        }
        assert!(r["peers"]["billing_kill_switch"]["lost_work"]["organic_by_mechanism"]["sqs_dlq"].is_u64());
        let text = r["first_trip_alert"]["text"].as_str().expect("the alert's e-mail text");
        assert!(text.contains("fix the cause, then re-enable with"), "{text}");
    }
}
