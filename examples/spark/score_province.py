"""A province's records scored on Apache Spark with the scorecard Python package.

The records (NDJSON, one record per line: {"units": {...}}, {"inspections": {...}}, …)
are partitioned by county, keeping every unit with its inspections and every event,
complaint and case with its township's county; each partition is scored into a partial
result on an executor (`Plan.score_partial`), the partials are merged in a tree
(`Plan.merge`), and the driver finishes them into the outcome (`Plan.finish_json`): byte
for byte what `scorecard score --format json` gives for the whole file on one machine.

    python examples/spark/score_province.py --input province.ndjson --output outcome.json
        [--pack supervision-coverage] [--master local[2]] [--partitions 9]

The jurisdictions and the period are small: they are read on the driver and given whole to
every partition (their records count once). Which field leads a record to its township is
the supervision-coverage pack's (`TOWNSHIP_OF`, `VIA_UNIT`); another pack states its own.
"""

import argparse
import json
import os
import sys

import scorecard

# how each collection's records reach a township: directly, or through their unit
TOWNSHIP_OF = {"units": "township", "events": "township", "complaints": "township", "cases": "township"}
VIA_UNIT = {"inspections": "unit"}
# given whole to every partition
SHARED = ("jurisdictions", "period")

_plans = {}


def plan_of(pack):
    """The pack, loaded once per Python worker."""
    if pack not in _plans:
        _plans[pack] = scorecard.Plan.load(pack)
    return _plans[pack]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", required=True, help="NDJSON records of the province")
    ap.add_argument("--output", required=True, help="where to write the outcome (JSON)")
    ap.add_argument("--pack", default="supervision-coverage", help="a pack folder or a shipped pack's name")
    ap.add_argument("--master", default=os.environ.get("SPARK_MASTER", "local[2]"))
    ap.add_argument("--partitions", type=int, default=9, help="partitions (counties are hashed into them)")
    args = ap.parse_args()

    # the executors' Python is this one, which has the scorecard package
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    spark = (SparkSession.builder.master(args.master).appName("scorecard province")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").config("spark.sql.shuffle.partitions", str(args.partitions))
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    pack = args.pack
    # the driver's own (the workers load theirs: a Plan is not sent between processes)
    plan = scorecard.Plan.load(pack)
    if plan.not_mergeable():
        sys.exit(f"error: {plan.not_mergeable()}")

    # each line as read (exact text), with the collection it holds
    lines = spark.read.text(args.input).where(F.length(F.trim("value")) > 0)
    coll = F.regexp_extract("value", r'^\s*\{\s*"([^"]+)"', 1)
    lines = lines.withColumn("coll", coll)

    # the shared lines, on the driver; the county of each township from them
    shared = [r.value for r in lines.where(F.col("coll").isin(*SHARED)).collect()]
    parent = {}
    for line in shared:
        doc = json.loads(line)
        j = doc.get("jurisdictions")
        if j is not None:
            parent[j["id"]] = j.get("parent")

    def county_of(township):
        # the township's ancestor just below the top (the province's city)
        chain = [township]
        while parent.get(chain[-1]) is not None and len(chain) <= len(parent):
            chain.append(parent[chain[-1]])
        return chain[-2] if len(chain) >= 2 else chain[-1]

    county_of_town = spark.createDataFrame(
        [(t, county_of(t)) for t in parent], "town string, county string")

    def field(c, f):
        return F.get_json_object("value", f"$.{c}.{f}")

    town = F.coalesce(*[F.when(F.col("coll") == c, field(c, f)) for c, f in TOWNSHIP_OF.items()])
    unit = F.coalesce(*[F.when(F.col("coll") == c, field(c, f)) for c, f in VIA_UNIT.items()])
    records = lines.where(~F.col("coll").isin(*SHARED)).select(
        "value", town.alias("town"), unit.alias("unit"),
        F.when(F.col("coll") == "units", field("units", "id")).alias("unit_id"))
    # an inspection takes its unit's township (none when the unit is not there: it is
    # then rejected in its partition, as the whole run rejects it)
    unit_town = records.where(F.col("unit_id").isNotNull()).select(
        F.col("unit_id").alias("u"), F.col("town").alias("u_town")).dropDuplicates(["u"])
    placed = (records.join(unit_town, records.unit == unit_town.u, "left")
              .select("value", F.coalesce("town", "u_town").alias("town"))
              .join(F.broadcast(county_of_town), "town", "left")
              .select("value", F.coalesce("county", F.lit("(none)")).alias("county")))

    # every collection of the whole input is in each partition's input, with its records
    # there or none (an input that leaves a collection out is an error)
    present = [r.coll for r in lines.select("coll").distinct().collect() if r.coll != "period"]
    there = [json.dumps({c: []}) for c in sorted(present)]
    shared_b = spark.sparkContext.broadcast(shared + there)

    def score_partition(rows):
        mine = [r.value for r in rows]
        if mine:
            yield plan_of(pack).score_partial(shared_b.value + mine)

    def merge(a, b):
        return plan_of(pack).merge([a, b])

    partials = placed.repartition(args.partitions, "county").rdd.mapPartitions(score_partition)
    merged = partials.treeReduce(merge, depth=2)
    outcome = plan.finish_json([merged])
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(outcome)
    spark.stop()
    print(f"{args.output}: {len(outcome.encode())} bytes from {args.partitions} partitions", file=sys.stderr)


if __name__ == "__main__":
    main()
