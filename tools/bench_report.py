#!/usr/bin/env python3
"""Prints the figures of BENCHMARKS.md from one run of tools/bench.sh: criterion's
estimates (target/criterion/*/new/estimates.json, median of the samples), the band-table
instruction counts and the peak-memory runs (target/bench-report/). Every ratio is of two
figures measured in that one run. Usage: python3 tools/bench_report.py"""

import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CRIT = os.path.join(ROOT, "target", "criterion")
REPORT = os.path.join(ROOT, "target", "bench-report")


def median(group, bench):
    """The median time of a criterion benchmark, in seconds (None when it did not run)."""
    path = os.path.join(CRIT, group, bench, "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"] / 1e9
    except (OSError, KeyError, ValueError):
        return None


def ms(t):
    if t is None:
        return "—"
    return f"{t * 1e3:,.1f} ms" if t < 10 else f"{t:,.2f} s"


def ratio(a, b):
    return "—" if a is None or b is None else f"{a / b:.2f}×"


def main():
    sizes = [10_000, 100_000, 1_000_000]
    packs = ["supervision-coverage", "catering-grading"]
    names = {
        "floor": "floor_ serde into typed structs",
        "hand": "hand-written scorer (typed records)",
        "read": "read into a Dataset",
        "eval": "evaluate a read Dataset",
        "e2e": "end to end_ read, score, render JSON",
        "e2e1": "end to end on 1 thread",
    }
    print("## Scale (criterion, median of the samples)\n")
    print("| pack | inspections | floor | read | evaluate | end to end | end to end ÷ floor "
          "| hand-written | evaluate ÷ hand-written | 1 thread | 1 thread ÷ all |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for pack in packs:
        for n in sizes:
            g = f"{pack}_{n}"
            t = {k: median(g, v) for k, v in names.items()}
            if t["floor"] is None:
                continue
            print(f"| {pack} | {n:,} | {ms(t['floor'])} | {ms(t['read'])} | {ms(t['eval'])} "
                  f"| {ms(t['e2e'])} | {ratio(t['e2e'], t['floor'])} | {ms(t['hand'])} "
                  f"| {ratio(t['eval'], t['hand'])} | {ms(t['e2e1'])} "
                  f"| {ratio(t['e2e1'], t['e2e'])} |")

    print("\n## Band table: 64 bands, 100k records (criterion, median)\n")
    group = "band table, 64 bands, 100k records"
    cases = ["first band", "middle band", "last band", "no band (default)"]
    times = [median(group, os.path.join("evaluate", c)) for c in cases]
    for c, t in zip(cases, times):
        print(f"- {c}: {ms(t)}")
    known = [t for t in times if t is not None]
    if known:
        print(f"- slowest ÷ fastest: {max(known) / min(known):.3f}")
    counts = os.path.join(REPORT, "bands-instructions.txt")
    if os.path.exists(counts):
        print("\nInstructions executed by `scorecard::eval::score` (callgrind; exact and repeatable):\n")
        with open(counts) as f:
            rows = [line.split() for line in f if line.strip()]
        for case, n in rows:
            print(f"- {case.replace('_', ' ')}: {int(n):,}")
        ns = [int(n) for _, n in rows]
        print(f"- most ÷ fewest: {max(ns) / min(ns):.4f}")

    memory = os.path.join(REPORT, "memory.txt")
    if os.path.exists(memory):
        print("\n## Peak memory and threads (the CLI, 1M inspections, /usr/bin/time)\n")
        with open(memory) as f:
            print("```")
            sys.stdout.write(f.read())
            print("```")


if __name__ == "__main__":
    main()
