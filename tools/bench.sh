#!/usr/bin/env bash
# Runs every benchmark, the band-table instruction counts and the peak-memory runs, then
# prints the figures that BENCHMARKS.md reports (tools/bench_report.py).
#   bash tools/bench.sh                                    about 40 minutes on 2 cores
#   SCORECARD_BENCH_SIZES=10000,100000 bash tools/bench.sh  smaller criterion sizes
#   SCORECARD_BENCH_QUICK=1 bash tools/bench.sh            no 1M-inspection CLI runs
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench-report
data=target/bench-data
mkdir -p "$out" "$data"

echo "== machine"
{ nproc; grep -m1 "model name" /proc/cpuinfo || true; free -g | head -2; rustc --version; } | tee "$out/machine.txt"

echo "== criterion: cargo bench --bench scale"
cargo bench --bench scale 2>&1 | tee "$out/scale.txt" | grep -E "^[a-z].*/|time:" || true
echo "== criterion: cargo bench --bench script_hook"
cargo bench --bench script_hook 2>&1 | tee "$out/script_hook.txt" | grep -E "^[a-z].*|time:" || true

cargo build --release --quiet
bin=target/release/scorecard

echo "== band table: instructions to evaluate (callgrind), whichever band matches"
if ! command -v valgrind >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq valgrind) >/dev/null
fi
# the same pack as band_pack() in benches/scale.rs: 64 bands [i, i+1) over a number
python3 - "$data/bands" <<'PY'
import json, os, sys
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
bands = [{"min": i, "below": i + 1, "then": {"grade": f"b{i}"}} for i in range(64)]
pack = {"name": "bands", "version": "1", "period": {"from": "2025-01-01", "to": "2025-12-31"},
        "collections": {"scores": {"fields": {"id": "string", "value": "number"}}},
        "measures": {"scores": {"grade": {"table": "grade"}}},
        "tables": {"grade": {"on": "scores", "input": "value", "bands": bands, "default": {"grade": "none"}}},
        "indicators": {"graded": {"kind": "count", "population": {"collection": "scores", "where": "grade != \"none\""}}}}
json.dump(pack, open(os.path.join(d, "pack.json"), "w"))
for case, value in [("first_band", "0.5"), ("middle_band", "31.5"), ("last_band", "63.5"), ("no_band", "99")]:
    recs = ",".join(f'{{"id": "S{i:06}", "value": {value}}}' for i in range(100_000))
    open(os.path.join(d, case + ".json"), "w").write(f'{{"scores": [{recs}]}}')
PY
: > "$out/bands-instructions.txt"
for case in first_band middle_band last_band no_band; do
  n=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect='scorecard::eval::score' \
        "$bin" score --pack "$data/bands" --input "$data/bands/$case.json" --format json --threads 1 \
        2>&1 >/dev/null | sed -n 's/.*Collected : //p')
  echo "$case $n" | tee -a "$out/bands-instructions.txt"
done

if [ -z "${SCORECARD_BENCH_QUICK:-}" ]; then
  echo "== peak memory and threads (the CLI on generated files, /usr/bin/time)"
  printf "%-22s %-7s %-8s %10s %12s %8s %8s\n" pack format threads "input MB" "peak RSS MB" "ratio" seconds | tee "$out/memory.txt"
  for shape in coverage catering; do
    pack=$([ "$shape" = coverage ] && echo supervision-coverage || echo catering-grading)
    for fmt in json ndjson; do
      f="$data/$shape-1m.$fmt"
      [ -f "$f" ] || "$bin" generate --shape "$shape" --inspections 1000000 --seed 1 --format "$fmt" -o "$f"
      size=$(stat -c %s "$f")
      for t in 1 2; do
        /usr/bin/time -f "%M %e" -o "$out/time.txt" "$bin" score --pack "rules/$pack" --input "$f" --format json --threads "$t" > "$out/$shape-$fmt-$t.json"
        read -r rss secs < "$out/time.txt"
        awk -v p="$pack" -v f="$fmt" -v t="$t" -v s="$size" -v r="$rss" -v e="$secs" \
          'BEGIN { printf "%-22s %-7s %-8s %10.0f %12.0f %8.2f %8.2f\n", p, f, t, s/1e6, r*1024/1e6, r*1024/s, e }' | tee -a "$out/memory.txt"
      done
      cmp -s "$out/$shape-$fmt-1.json" "$out/$shape-$fmt-2.json" && echo "  1 and 2 threads: identical output" | tee -a "$out/memory.txt"
    done
    cmp -s "$out/$shape-json-2.json" "$out/$shape-ndjson-2.json" && echo "  JSON and NDJSON: identical output" | tee -a "$out/memory.txt"
  done
fi

echo
python3 tools/bench_report.py | tee "$out/report.md"
echo "reports in $out/"
