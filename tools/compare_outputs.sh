#!/usr/bin/env bash
# Compares two builds of the CLI byte for byte: every shipped pack's sample (JSON and
# table), every fixture's input, and generated data of each shape on its packs. For a
# refactor, or to show that a change leaves results alone.
#   tools/compare_outputs.sh OLD_BINARY NEW_BINARY
# Prints one line per difference and "N same, M differ"; exits 1 when any differ.
# IGNORE_DIGEST=1 leaves out the pack's digest (for a change to packs' metadata only);
# ONLY_JSON=1 compares the JSON outcomes only (for a change to the tables' rendering).
# OLD_ROOT=DIR runs the old binary in DIR (a checkout of the old commit, whose packs it
# reads: for a change to the pack format that the old binary cannot read).
set -u
A=$(realpath "$1"); B=$(realpath "$2")
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
same=0; differ=0
compare() { # label, then the arguments of `score`
  local label=$1; shift
  if [ -n "${ONLY_JSON:-}" ] && [[ " $* " != *" --format json "* ]]; then return; fi
  (cd "${OLD_ROOT:-.}" && "$A" score "$@") > "$tmp/a" 2>&1; local ea=$?
  "$B" score "$@" > "$tmp/b" 2>&1; local eb=$?
  if [ -n "${IGNORE_DIGEST:-}" ]; then sed -i '/"digest": "sha256:/d' "$tmp/a" "$tmp/b"; fi
  if cmp -s "$tmp/a" "$tmp/b" && [ "$ea" = "$eb" ]; then same=$((same + 1))
  else differ=$((differ + 1)); echo "differ: $label (exit $ea / $eb)"; fi
}
for p in rules/*/; do
  p=${p%/}
  for d in "$p"/data/*.json; do
    [ -f "$d" ] || continue
    for fmt in json table; do compare "$d $fmt" --pack "$p" --input "$d" --format "$fmt"; done
  done
  for f in "$p"/tests/*.json; do
    python3 -c "
import json, os, sys
fx = json.load(open(sys.argv[1]))
data = json.load(open(os.path.join(os.path.dirname(sys.argv[1]), fx['input_file']))) if 'input_file' in fx else fx.get('input', {})
json.dump(data, open(sys.argv[2], 'w'))" "$f" "$tmp/in.json" 2>/dev/null || continue
    compare "$f" --pack "$p" --input "$tmp/in.json" --format json
  done
done
for shape in coverage catering county places; do
  "$B" generate --shape $shape --inspections 20000 --seed 7 -o "$tmp/b-$shape.json"
  if "$A" generate --shape $shape --inspections 20000 --seed 7 -o "$tmp/a-$shape.json" 2>/dev/null; then
    if cmp -s "$tmp/a-$shape.json" "$tmp/b-$shape.json"; then same=$((same + 1)); else differ=$((differ + 1)); echo "differ: generate $shape"; fi
  else
    echo "note: $A cannot generate $shape; both score the other's data"
    cp "$tmp/b-$shape.json" "$tmp/a-$shape.json"
  fi
  case $shape in coverage) packs=rules/supervision-coverage ;; catering) packs=rules/catering-grading ;; county) packs=rules/county-assessment ;; places) packs=rules/place-grading ;; esac
  # the same records as NDJSON (the order of the lines shuffled), on one and on two threads
  python3 - "$tmp/a-$shape.json" "$tmp/a-$shape.ndjson" <<'PY'
import json, random, sys
doc = json.load(open(sys.argv[1]))
lines = [json.dumps({"period": doc["period"]})] if "period" in doc else []
for coll, recs in doc.items():
    if coll != "period":
        lines += [json.dumps({coll: r}, ensure_ascii=False) for r in recs]
random.Random(7).shuffle(lines)
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
  for p in $packs; do
    for threads in 1 2; do
      compare "generated $shape on $p, $threads thread(s)" --pack "$p" --input "$tmp/a-$shape.json" --format json --threads $threads
      compare "generated $shape as shuffled NDJSON on $p, $threads thread(s)" --pack "$p" --input "$tmp/a-$shape.ndjson" --format json --threads $threads
      # and the new build gives the same bytes whatever the input's form and the threads
      "$B" score --pack "$p" --input "$tmp/a-$shape.json" --format json --threads 1 > "$tmp/one" 2>&1
      "$B" score --pack "$p" --input "$tmp/a-$shape.ndjson" --format json --threads $threads > "$tmp/other" 2>&1
      if cmp -s "$tmp/one" "$tmp/other"; then same=$((same + 1))
      else differ=$((differ + 1)); echo "differ: $B on generated $shape, JSON 1 thread vs NDJSON $threads"; fi
    done
  done
done
echo "$same same, $differ differ"
[ "$differ" = 0 ]
