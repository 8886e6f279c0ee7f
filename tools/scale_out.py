#!/usr/bin/env python3
"""Partials as jurisdictions grow (docs/scale-out.md): a generated county (coverage shape)
whose units are spread over J townships (9 counties of J/9 townships), split 9 ways;
prints, per J, the partials' total size (and how much of it is tallies), and the time and
peak memory of `scorecard merge` of the 9 partials, and checks the merged outcome against
the whole run's bytes.

    python3 tools/scale_out.py [--inspections 200000] [--townships 90,900,9000]
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
S = os.path.join(ROOT, "target", "release", "scorecard")


def timed(args):
    """Runs a command under /usr/bin/time: (seconds, peak KB)."""
    r = subprocess.run(["/usr/bin/time", "-f", "%e %M", *args], capture_output=True, text=True, check=True)
    secs, kb = r.stderr.strip().splitlines()[-1].split()
    return float(secs), int(kb)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inspections", type=int, default=200000)
    ap.add_argument("--townships", default="90,900,9000")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="scale-out-")
    base = os.path.join(tmp, "base.json")
    subprocess.run([S, "generate", "--inspections", str(a.inspections), "--seed", "3", "-o", base], check=True)
    doc = json.load(open(base, encoding="utf-8"))
    print("| townships | records | partials (9) | of which tallies | merge + finish | peak memory | same bytes |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for t in [int(x) for x in a.townships.split(",")]:
        rng = random.Random(t)
        per = max(1, t // 9)
        juris = [{"id": "J00", "name": "市", "level": "county"}]
        towns = []
        for c in range(1, 10):
            juris.append({"id": f"C{c}", "name": f"县{c}", "level": "county", "parent": "J00"})
            for k in range(per):
                tid = f"C{c}T{k:05}"
                towns.append(tid)
                juris.append({"id": tid, "name": f"镇{c}-{k}", "level": "township", "parent": f"C{c}"})
        d = dict(doc)
        d["jurisdictions"] = juris
        for coll in ("units", "events", "complaints", "cases"):
            d[coll] = [{**r, "township": rng.choice(towns)} for r in doc.get(coll, [])]
        data = os.path.join(tmp, f"t{t}.json")
        json.dump(d, open(data, "w", encoding="utf-8"), ensure_ascii=False)
        shards = os.path.join(tmp, f"t{t}")
        subprocess.run([S, "split", "--input", data, "--shards", "9", "-o", shards], check=True, capture_output=True)
        parts = []
        size = tallies = 0
        for i in range(1, 10):
            part = os.path.join(shards, f"part-{i}.json")
            subprocess.run([S, "score", "--input", os.path.join(shards, f"shard-{i}.json"), "--partial", "-o", part], check=True)
            parts.append(part)
            size += os.path.getsize(part)
            p = json.load(open(part, encoding="utf-8"))
            tallies += len(json.dumps(p["indicators"], separators=(",", ":"), ensure_ascii=False).encode())
        merged = os.path.join(tmp, f"merged{t}.json")
        secs, kb = timed([S, "merge", *parts, "--format", "json", "-o", merged])
        whole = subprocess.run([S, "score", "--input", data, "--format", "json"], capture_output=True, check=True).stdout
        same = open(merged, "rb").read() == whole
        records = sum(len(v) for k, v in d.items() if isinstance(v, list))
        print(f"| {len(towns):,} | {records:,} | {size / 1e6:.1f} MB | {tallies / 1e6:.1f} MB | {secs:.2f} s | {kb / 1024:.0f} MB | {'yes' if same else 'NO'} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
