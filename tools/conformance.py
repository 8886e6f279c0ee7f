#!/usr/bin/env python3
"""The binding conformance run: every fixture input of every shipped pack, and every
shipped sample, scored through each door of the engine, compared byte for byte with the
command line's outcome (`scorecard score --format json`):

- the command line (the reference);
- the Rust API (`examples/outcome.rs`: `Plan::load`, the API's readers, `Plan::score`,
  `Outcome::to_json`);
- the C ABI (`examples/c/outcome.c`: `sc_plan_load_dir`, `sc_plan_score`; JSON datasets,
  which is what the C ABI takes);
- the Python package (`scorecard.Plan.load(...).score_json(...)`, from a path for
  workbooks and CSV folders).

A fixture that expects an error must fail through every door. Prints a table (pack,
cases, and per door same / differ / not applicable) and exits 1 on any difference.

    python3 tools/conformance.py --cli target/release/scorecard \
        --rust target/release/examples/outcome --c target/c/outcome_shared [--markdown FILE]

Run from the repository's root, with the Python package installed (`pip install
./python`); LD_LIBRARY_PATH must find libscorecard.so for the C program.
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

import scorecard


def cases():
    """(pack dir, label, input path, expects an error), for every pack under rules/."""
    tmp = tempfile.mkdtemp(prefix="conformance-")
    for pack in sorted(glob.glob("rules/*/pack.json")):
        d = os.path.dirname(pack)
        for f in sorted(glob.glob(os.path.join(d, "tests", "*.json"))):
            fx = json.load(open(f, encoding="utf-8"))
            if "input_file" in fx:
                path = os.path.normpath(os.path.join(os.path.dirname(f), fx["input_file"]))
            elif "input" in fx:
                path = os.path.join(tmp, os.path.basename(d) + "-" + os.path.basename(f))
                with open(path, "w", encoding="utf-8") as out:
                    json.dump(fx["input"], out, ensure_ascii=False)
            else:
                continue
            yield d, os.path.basename(f), path, "expect_error" in fx
        for s in sorted(glob.glob(os.path.join(d, "data", "sample*"))):
            yield d, os.path.relpath(s, d), s, False


def run(cmd):
    p = subprocess.run(cmd, capture_output=True)
    return (p.stdout.decode("utf-8") if p.returncode == 0 else None), p.stderr.decode("utf-8", "replace")


def python_door(pack, path):
    try:
        plan = scorecard.Plan.load(pack)
        if path.endswith(".json"):
            with open(path, encoding="utf-8-sig") as f:
                return plan.score_json(f.read()), ""
        return plan.score_json(path), ""
    except scorecard.ScorecardError as e:
        return None, str(e)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True)
    ap.add_argument("--rust", required=True)
    ap.add_argument("--c", required=True)
    ap.add_argument("--markdown", help="write the table as Markdown here")
    a = ap.parse_args()
    doors = ["Rust API", "C ABI", "Python"]
    table = {}
    problems = []
    for pack, label, path, wants_error in cases():
        name = os.path.basename(pack)
        row = table.setdefault(name, {"cases": 0, **{d: [0, 0, 0] for d in doors}})
        row["cases"] += 1
        cli, cli_err = run([a.cli, "score", "--pack", pack, "--input", path, "--format", "json", "--allow-rejected"])
        if wants_error != (cli is None):
            problems.append(f"{name}/{label}: the command line {'succeeded' if cli is not None else 'failed'}: {cli_err.strip()}")
        is_json = path.endswith(".json")
        got = {
            "Rust API": run([a.rust, pack, path]),
            "C ABI": run([a.c, pack, path]) if is_json else "n/a",
            "Python": python_door(pack, path),
        }
        for door in doors:
            g = got[door]
            if g == "n/a":
                row[door][2] += 1
                continue
            out, err = g
            if out == cli:
                row[door][0] += 1
            else:
                row[door][1] += 1
                why = "fails" if out is None else "differs"
                problems.append(f"{name}/{label}: {door} {why} ({err.strip()[:200]})")
    lines = ["| pack | cases | " + " | ".join(doors) + " |", "|---|---:|" + "---|" * len(doors)]
    total = {d: [0, 0, 0] for d in doors}
    n = 0
    for name, row in sorted(table.items()):
        n += row["cases"]
        cells = []
        for d in doors:
            same, differ, na = row[d]
            for k, v in enumerate((same, differ, na)):
                total[d][k] += v
            text = f"{same} same" + (f", **{differ} differ**" if differ else "") + (f", {na} n/a" if na else "")
            cells.append(text)
        lines.append(f"| {name} | {row['cases']} | " + " | ".join(cells) + " |")
    cells = [f"{t[0]} same" + (f", **{t[1]} differ**" if t[1] else "") + (f", {t[2]} n/a" if t[2] else "") for t in total.values()]
    lines.append(f"| **all** | {n} | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    if a.markdown:
        with open(a.markdown, "w", encoding="utf-8") as f:
            f.write(text)
    for p in problems:
        print("DIFFER", p)
    if problems:
        return 1
    print(f"every door gives the command line's bytes on {n} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
