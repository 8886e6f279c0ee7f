#!/usr/bin/env bash
# Runs every benchmark and the peak-memory measurements, then prints the figures that
# BENCHMARKS.md reports. Usage: bash tools/bench.sh   (about 20 minutes on 2 cores)
# SCORECARD_BENCH_SIZES=10000,100000 bash tools/bench.sh   limits the criterion sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench-report
mkdir -p "$out"

echo "== machine"
{ nproc; grep -m1 "model name" /proc/cpuinfo || true; free -g | head -2; rustc --version; } | tee "$out/machine.txt"

echo "== criterion: cargo bench --bench scale"
cargo bench --bench scale 2>&1 | tee "$out/scale.txt" | grep -E "^[a-z].*/|time:" || true
echo "== criterion: cargo bench --bench script_hook"
cargo bench --bench script_hook 2>&1 | tee "$out/script_hook.txt" | grep -E "^[a-z].*|time:" || true

echo "== peak memory and threads (the CLI on generated files, /usr/bin/time)"
cargo build --release --quiet
bin=target/release/scorecard
data=target/bench-data
mkdir -p "$data"
printf "%-14s %-7s %-8s %10s %12s %10s %8s\n" pack format threads "input MB" "peak RSS MB" "ratio" seconds | tee "$out/memory.txt"
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
        'BEGIN { printf "%-14s %-7s %-8s %10.0f %12.0f %10.2f %8.2f\n", p, f, t, s/1e6, r*1024/1e6, r*1024/s, e }' | tee -a "$out/memory.txt"
    done
    cmp -s "$out/$shape-$fmt-1.json" "$out/$shape-$fmt-2.json" && echo "  1 and 2 threads: identical output" | tee -a "$out/memory.txt"
  done
  cmp -s "$out/$shape-json-2.json" "$out/$shape-ndjson-2.json" && echo "  JSON and NDJSON: identical output" | tee -a "$out/memory.txt"
done
echo "reports in $out/"
