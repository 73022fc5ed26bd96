#!/usr/bin/env python3
"""Prints the README's comparison table from the simulator's JSON: dollars leaked per runaway
scenario by runaway-guard and by each alternative, with each alternative's ratio to the guard.

Usage: cargo run --release -- simulate --json | scripts/comparison-table.py
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


def table(results):
    head = "| scenario | runaway-guard | " + " | ".join(name for _, name in PEERS) + " |"
    lines = [head, "|---|---|" + "---|" * len(PEERS)]
    for r in results:
        if r["benign"]:
            continue
        guard = r["leaked_usd"]
        cells = [f"**{dollars(guard)}**{when(r)}"]
        for key, _ in PEERS:
            peer = r["peers"][key]
            cells.append(f"{dollars(peer['leaked_usd'])}{when(peer)} (**{ratio(peer['leaked_usd'], guard)}**)")
        lines.append(f"| `{r['scenario']}` | " + " | ".join(cells) + " |")
    benign = [r for r in results if r["benign"]]
    trips = {"runaway-guard": sum(len(r["trips"]) for r in benign)}
    for key, name in PEERS:
        trips[name] = sum(len(r["peers"][key]["trips"]) for r in benign)
    lines.append(
        f"| false trips in the {len(benign)} benign scenarios | "
        + " | ".join(f"{n}" for n in trips.values())
        + " |"
    )
    return "\n".join(lines)


def main():
    try:
        results = json.load(sys.stdin)
        if not isinstance(results, list) or not results:
            raise TypeError("expected a non-empty array of scenario results")
        print(table(results))
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        print(f"comparison-table: not the output of `simulate --json`: {error!r}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
