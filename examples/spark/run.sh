#!/usr/bin/env bash
# The Spark example on local[2]: a generated province (about 100 jurisdictions: a city,
# 9 counties, 90 townships) as NDJSON, scored by PySpark partition by partition with the
# Python package, merged and finished; the outcome must be byte for byte the command
# line's for the whole file. Needs the scorecard Python package and pyspark installed
# (.ci/run installs them), Java 17, and target/release/scorecard built.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=target/spark-example
rm -rf "$out" && mkdir -p "$out"
S=target/release/scorecard
INSPECTIONS=${INSPECTIONS:-50000}
"$S" generate --shape coverage --inspections "$INSPECTIONS" --seed 11 --format ndjson -o "$out/province.ndjson"
"$S" score --input "$out/province.ndjson" --format json -o "$out/cli.json"
python3 examples/spark/score_province.py --input "$out/province.ndjson" --output "$out/spark.json" --master "local[2]"
cmp "$out/cli.json" "$out/spark.json"
echo "spark example: the outcome from Spark is the command line's, byte for byte ($(wc -c < "$out/cli.json") bytes)"
