//! The closing table, like README's: per scenario, what each mechanism leaked and when it stopped
//! the runaway (with each alternative's leak as a multiple of the guard's), or its trips in a
//! benign scenario; then the false trips and the organic work each one's own action lost.

use std::fmt::Write as _;

use super::format::{count, duration, thousands, usd};
use super::modes::Group;
use crate::simulate::Instrumentation;
use crate::simulate::peers::Mechanism;
use crate::simulate::result::{MechanismResult, SimulationResult};

/// One column: its head and where its figures are in a group.
struct Column {
    head: String,
    pick: Pick,
}

#[derive(Clone, Copy)]
enum Pick {
    Guard(Instrumentation),
    Peer(Mechanism),
}

impl Pick {
    fn of<'a>(self, group: &Group<'a>) -> Option<&'a MechanismResult> {
        match self {
            Pick::Guard(mode) => group.shown.iter().copied().find(|r| r.mode == mode).map(|r| &r.guard),
            Pick::Peer(m) => group.first().peers.get(m.as_str()),
        }
    }
}

/// Prints the summary of `groups`.
pub(super) fn table(out: &mut String, groups: &[Group<'_>]) {
    let Some(first) = groups.first() else { return };
    let columns = columns(groups);
    // Each alternative is compared with the guard's last column: uninstrumented when shown.
    let reference = columns.iter().rev().find(|c| matches!(c.pick, Pick::Guard(_)));
    let mut rows: Vec<Vec<String>> =
        vec![std::iter::once("scenario".to_owned()).chain(columns.iter().map(|c| c.head.clone())).collect()];
    for group in groups {
        let guard = reference.and_then(|c| c.pick.of(group));
        let cells = columns.iter().map(|c| cell(group.first(), c.pick, c.pick.of(group), guard));
        rows.push(std::iter::once(group.first().scenario.clone()).chain(cells).collect());
    }
    rows.extend(totals(groups, &columns));
    let _ = writeln!(out, "Summary (seed {}).{}", first.first().seed, title(groups, &columns, reference));
    print(out, &rows);
}

/// What the rows hold, for the scenarios there are.
fn title(groups: &[Group<'_>], columns: &[Column], reference: Option<&Column>) -> String {
    let mut out = String::new();
    if groups.iter().any(|g| !g.first().benign) {
        let guards = columns.iter().filter(|c| matches!(c.pick, Pick::Guard(_))).count();
        let whose = match reference.map(|c| c.pick) {
            Some(Pick::Guard(mode)) if guards > 1 => format!("the {} guard's", mode.as_str()),
            _ => "the guard's".to_owned(),
        };
        out += " Per runaway, the USD leaked from its start until it was contained, and when; (N×) is an \
                alternative's leak as a multiple of ";
        out += &whose;
        out.push('.');
    }
    if groups.iter().any(|g| g.first().benign) {
        out += " Per benign scenario, its trips: each one is a false positive.";
    }
    out
}

/// The guard once per mode shown anywhere (instrumented first), then the peers.
fn columns(groups: &[Group<'_>]) -> Vec<Column> {
    let mut modes: Vec<Instrumentation> = Vec::new();
    for r in groups.iter().flat_map(|g| g.shown.iter()) {
        if !modes.contains(&r.mode) {
            modes.push(r.mode);
        }
    }
    modes.sort_by_key(|m| *m != Instrumentation::Instrumented);
    let guards = modes.iter().map(|&mode| Column {
        head: if modes.len() > 1 {
            format!("guard, {}", mode.as_str())
        } else {
            format!("guard ({})", mode.as_str())
        },
        pick: Pick::Guard(mode),
    });
    let peers = Mechanism::PEERS.iter().map(|&m| Column { head: m.as_str().to_owned(), pick: Pick::Peer(m) });
    guards.chain(peers).collect()
}

/// "$0.025 after 13.0 s", "$3,882 never (520×)", "0 trips".
fn cell(
    r: &SimulationResult,
    pick: Pick,
    m: Option<&MechanismResult>,
    guard: Option<&MechanismResult>,
) -> String {
    let Some(m) = m else { return "-".to_owned() };
    if r.benign {
        return count(m.trips.len(), "trip", "trips");
    }
    let when =
        m.time_to_containment_s.map_or_else(|| "never".to_owned(), |t| format!("after {}", duration(t)));
    let ratio = match (pick, guard) {
        (Pick::Peer(_), Some(g)) => format!(" ({})", ratio(m.leaked_usd, g.leaked_usd)),
        _ => String::new(),
    };
    format!("{} {when}{ratio}", usd(m.leaked_usd))
}

fn ratio(peer: f64, guard: f64) -> String {
    if guard <= 0.0 {
        return if peer <= 0.0 { "-".to_owned() } else { "∞".to_owned() };
    }
    let x = peer / guard;
    if x >= 10.0 { format!("{}×", thousands(x.round() as u64)) } else { format!("{x:.1}×") }
}

/// The false trips over the benign scenarios and the organic work each column's own action lost
/// over the runaways.
fn totals(groups: &[Group<'_>], columns: &[Column]) -> Vec<Vec<String>> {
    let (benign, runaway): (Vec<&Group<'_>>, Vec<&Group<'_>>) = groups.iter().partition(|g| g.first().benign);
    let sum = |set: &[&Group<'_>], pick: Pick, f: &dyn Fn(&MechanismResult) -> u64| -> String {
        thousands(set.iter().filter_map(|g| pick.of(g)).map(f).sum())
    };
    let mut rows = Vec::new();
    if !benign.is_empty() {
        let label = format!("false trips, {}", count(benign.len(), "benign scenario", "benign scenarios"));
        let cells = columns.iter().map(|c| sum(&benign, c.pick, &|m| m.trips.len() as u64));
        rows.push(std::iter::once(label).chain(cells).collect());
    }
    if !runaway.is_empty() {
        let label = format!("organic lost by its action, {}", count(runaway.len(), "runaway", "runaways"));
        let cells =
            columns.iter().map(|c| sum(&runaway, c.pick, &|m| m.lost_work.organic_by_mechanism.total()));
        rows.push(std::iter::once(label).chain(cells).collect());
    }
    rows
}

/// Left-aligned columns two spaces apart, a rule under the head.
fn print(out: &mut String, rows: &[Vec<String>]) {
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|i| rows.iter().map(|r| r.get(i).map_or(0, |c| c.chars().count())).max().unwrap_or(0))
        .collect();
    let line = |cells: &[String]| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        format!("  {}", padded.join("  ").trim_end())
    };
    for (i, row) in rows.iter().enumerate() {
        let _ = writeln!(out, "{}", line(row));
        if i == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            let _ = writeln!(out, "{}", line(&rule));
        }
    }
}
