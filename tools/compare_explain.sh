#!/usr/bin/env bash
# Compares `explain` of two builds of the CLI byte for byte: every record of every
# collection of every shipped pack's sample data, as text and JSON, to depth 1.
#   tools/compare_explain.sh OLD_BINARY NEW_BINARY
# Prints one line per difference and "N same, M differ"; exits 1 when any differ.
set -u
A=$1; B=$2
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
same=0; differ=0
for p in rules/*/; do
  p=${p%/}
  for d in "$p"/data/*.json; do
    [ -f "$d" ] || continue
    python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
for coll, recs in doc.items():
    if isinstance(recs, list):
        for r in recs[:40]:
            if isinstance(r, dict) and "id" in r: print(coll, r["id"])
' "$d" > "$tmp/records"
    while read -r coll key; do
      for fmt in text json; do
        "$A" explain "$coll" "$key" --pack "$p" --input "$d" --depth 1 --format "$fmt" > "$tmp/a" 2>&1; ea=$?
        "$B" explain "$coll" "$key" --pack "$p" --input "$d" --depth 1 --format "$fmt" > "$tmp/b" 2>&1; eb=$?
        if cmp -s "$tmp/a" "$tmp/b" && [ "$ea" = "$eb" ]; then same=$((same + 1))
        else differ=$((differ + 1)); echo "differ: $p $d $coll $key $fmt (exit $ea / $eb)"; fi
      done
    done < "$tmp/records"
  done
done
echo "$same same, $differ differ"
[ "$differ" = 0 ]
