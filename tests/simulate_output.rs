//! What someone who has never seen the project reads from `runaway-guard simulate`: a legend, one
//! time base in human units, failed events, the sparkline scale, an SVG with axis labels, dollar
//! figures and containment markers, bad scenario files that name the field, and a quiet exit when
//! the reader of `--json` closes the pipe early.
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
