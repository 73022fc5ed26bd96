#!/usr/bin/env python3
"""Prints the README's comparison table from the simulator's JSON: dollars leaked per runaway
scenario by runaway-guard (instrumented, and with no function passing the chain header on) and by
each alternative, with each alternative's ratio to the guard without the header.

Usage:
  runaway-guard simulate --json --compare | scripts/comparison-table.py
  { runaway-guard simulate --json; runaway-guard simulate --json --uninstrumented; } \\
      | scripts/comparison-table.py
Standard library only. Exits 2 with a message when the input is not the simulator's JSON.
"""
import json
import sys

PEERS = [
    ("lambda_loop_detection", "Lambda loop detection"),
    ("billing_kill_switch", "billing kill switch"),
    ("no_guard", "no guard"),
]


def dollars(usd):
    if usd >= 100:
        return f"${usd:,.0f}"
    if usd >= 1:
        return f"${usd:,.2f}"
    return f"${usd:.2g}"


def ratio(peer, guard):
    if guard <= 0:
        return "—" if peer <= 0 else "∞"
    return f"{peer / guard:,.0f}×" if peer / guard >= 10 else f"{peer / guard:.1f}×"


def when(result):
    seconds = result["time_to_containment_s"]
    if seconds is None:
        return ", never contained"
    return f" after {seconds:.0f} s" if seconds < 3600 else f" after {seconds / 3600:.1f} h"


def runs(text):
    """Every JSON array in `text` (one per `simulate --json` run), concatenated."""
    decoder, at, results = json.JSONDecoder(), 0, []
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        value, at = decoder.raw_decode(text, at)
        if not isinstance(value, list) or not value:
            raise TypeError("expected non-empty arrays of scenario results")
        results.extend(value)
    if not results:
        raise TypeError("no input")
    return results


def table(results):
    by_mode = {"instrumented": {}, "uninstrumented": {}}
    for r in results:
        by_mode[r["mode"]][r["scenario"]] = r
    instrumented, bare = by_mode["instrumented"], by_mode["uninstrumented"]
    if not instrumented or not bare:
        raise TypeError("expected both runs: `simulate --json` and `simulate --json --uninstrumented`")
    head = (
        "| scenario | runaway-guard, instrumented | runaway-guard, no header | "
        + " | ".join(name for _, name in PEERS)
        + " |"
    )
    lines = [head, "|---|---|---|" + "---|" * len(PEERS)]
    for name, r in instrumented.items():
        if r["benign"]:
            continue
        u = bare[name]
        guard = u["leaked_usd"]
        cells = [f"{dollars(r['leaked_usd'])}{when(r)}", f"**{dollars(guard)}**{when(u)}"]
        for key, _ in PEERS:
            peer = r["peers"][key]
            cells.append(f"{dollars(peer['leaked_usd'])}{when(peer)} (**{ratio(peer['leaked_usd'], guard)}**)")
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    benign = [r for r in instrumented.values() if r["benign"]]
    trips = [
        sum(len(r["trips"]) for r in benign),
        sum(len(bare[r["scenario"]]["trips"]) for r in benign),
    ]
    for key, _ in PEERS:
        trips.append(sum(len(r["peers"][key]["trips"]) for r in benign))
    lines.append(
        f"| false trips in the {len(benign)} benign scenarios | " + " | ".join(f"{n}" for n in trips) + " |"
    )
    # What containment cost in lost work: organic events each mechanism's own action lost, summed
    # over the runaway scenarios (the runaway's own events are left out).
    runaways = [r for r in instrumented.values() if not r["benign"]]

    def lost(result, fates):
        by_mechanism = result["lost_work"]["organic_by_mechanism"]
        return sum(by_mechanism[fate] for fate in fates)

    for label, fates in [
        ("organic SQS messages it sent to a DLQ", ["sqs_dlq"]),
        ("organic async events it turned away (to their own DLQ or dropped)", ["async_dlq", "dropped"]),
    ]:
        cells = [
            sum(lost(r, fates) for r in runaways),
            sum(lost(bare[r["scenario"]], fates) for r in runaways),
        ]
        cells += [sum(lost(r["peers"][key], fates) for r in runaways) for key, _ in PEERS]
        lines.append(f"| {label}, all runaways | " + " | ".join(f"{n:,}" for n in cells) + " |")
    # Parked events are not lost: the guard's parking queue holds them for `replay` (peers have none).
    parked = [
        sum(r["lost_work"]["parked"]["organic"] for r in runaways),
        sum(bare[r["scenario"]]["lost_work"]["parked"]["organic"] for r in runaways),
    ]
    parked += [sum(r["peers"][key]["lost_work"]["parked"]["organic"] for r in runaways) for key, _ in PEERS]
    lines.append(
        "| organic async events it parked (replayable), all runaways | "
        + " | ".join(f"{n:,}" for n in parked)
        + " |"
    )
    return "\n".join(lines)


def main():
    try:
        print(table(runs(sys.stdin.read())))
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        print(f"comparison-table: not the output of `simulate --json`: {error!r}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
