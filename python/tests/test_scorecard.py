"""The Python package against the command line: same outcome bytes, errors as exceptions
with the engine's diagnostics, every form of dataset, the GIL released while scoring."""

import json
import os
import pathlib
import subprocess
import threading

import pytest

import scorecard

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACK = ROOT / "rules" / "supervision-coverage"
SAMPLE = PACK / "data" / "sample.json"
CLI = os.environ.get("SCORECARD_CLI", str(ROOT / "target" / "release" / "scorecard"))


def cli_outcome(*args):
    return subprocess.run([CLI, "score", "--format", "json", *args], cwd=ROOT,
                          check=True, capture_output=True).stdout.decode("utf-8")


def test_the_outcome_is_the_command_line_s_bytes():
    plan = scorecard.Plan.load(str(PACK))
    assert plan.name == "supervision-coverage" and plan.digest.startswith("sha256:")
    assert plan.score_json(str(SAMPLE)) == cli_outcome("--pack", str(PACK), "--input", str(SAMPLE))


def test_every_form_of_dataset_gives_the_same_outcome():
    plan = scorecard.Plan.load("supervision-coverage")  # the shipped pack, by name
    want = plan.score_json(str(SAMPLE))
    text = SAMPLE.read_text(encoding="utf-8")
    doc = json.loads(text)
    lines = [json.dumps({"period": doc["period"]})]
    for coll, records in doc.items():
        if coll != "period":
            lines += [json.dumps({coll: r}, ensure_ascii=False) for r in records]
    for data in [text, doc, lines, SAMPLE, str(PACK / "data" / "sample.xlsx"),
                 str(PACK / "data" / "sample-gbk")]:
        assert plan.score_json(data) == want, type(data)
    outcome = plan.score(doc)
    assert outcome["scorecard"]["total"]["display"] == "45.1"
    assert outcome["indicators"]["coverage"]["value"]["display"] == "95.8"
    assert outcome["accounting"]["units"] == json.loads(want)["accounting"]["units"]


def test_a_broken_pack_raises_with_its_diagnostics():
    with pytest.raises(scorecard.PackError) as e:
        scorecard.Plan.load(str(ROOT / "tests" / "broken-packs" / "table-rows"))
    d = e.value.diagnostics[0]
    assert (d["line"], d["col"]) == (23, 19), d
    assert "can never fire" in d["message"] and d["severity"] == "error", d
    assert isinstance(e.value, scorecard.ScorecardError)
    with pytest.raises(scorecard.PackError) as e:
        scorecard.Plan.from_json('{"name": "p", "version": "1", "collections": {"u": {"fields": {"id": "strng"}}}}')
    assert "strng" in e.value.diagnostics[0]["message"]


def test_bad_data_raises_and_bad_records_are_accounted_for():
    plan = scorecard.Plan.load(str(PACK))
    with pytest.raises(scorecard.DataError, match="not valid JSON at line 1"):
        plan.score('{"units": [1,}')
    with pytest.raises(scorecard.DataError, match="'unitz' is not a collection"):
        plan.score({"unitz": []})
    with pytest.raises(TypeError):
        plan.score(42)
    with pytest.raises(scorecard.DataError, match="lacks the collections 'cases', 'complaints', 'events', 'inspections'"):
        plan.score({"jurisdictions": [], "units": []})
    none = {c: [] for c in ("inspections", "events", "complaints", "cases")}
    o = plan.score({"jurisdictions": [{"id": "C00", "name": "县", "level": "county"}],
                    "units": [{"id": "U1", "name": "x", "category": "hotel", "township": "C00",
                               "status": "active", "archived": "yes"}], **none})
    assert o["accounting"]["units"]["rejected"][0]["key"] == "U1"


def test_explain_names_what_made_a_record_so():
    plan = scorecard.Plan.load(str(PACK))
    steps = plan.explain(str(SAMPLE), "units", "U0001")
    assert steps[0]["collection"] == "units" and steps[0]["key"] == "U0001", steps[0].keys()


def test_scoring_releases_the_gil():
    plan = scorecard.Plan.load(str(PACK))
    text = SAMPLE.read_text(encoding="utf-8")
    results = []
    threads = [threading.Thread(target=lambda: results.append(plan.score_json(text))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and len(set(results)) == 1


def shards_of(doc, n):
    """The sample split by township: each unit with its inspections, the jurisdictions
    and the period in every shard."""
    towns = sorted(j["id"] for j in doc["jurisdictions"] if j.get("parent"))
    shard_of_town = {t: i % n for i, t in enumerate(towns)}
    unit_shard = {u["id"]: shard_of_town.get(u["township"], 0) for u in doc["units"]}
    shards = [{"period": doc["period"], "jurisdictions": doc["jurisdictions"]} for _ in range(n)]
    for coll, records in doc.items():
        if coll in ("period", "jurisdictions"):
            continue
        for s in shards:
            s.setdefault(coll, [])
        for r in records:
            if coll == "units":
                at = unit_shard[r["id"]]
            elif "township" in r:
                at = shard_of_town.get(r["township"], 0)
            else:
                at = unit_shard.get(r.get("unit"), 0)
            shards[at][coll].append(r)
    return shards


def test_partials_merge_into_the_whole_run_s_bytes():
    plan = scorecard.Plan.load(str(PACK))
    assert plan.not_mergeable() is None
    doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
    parts = [plan.score_partial(s) for s in shards_of(doc, 3)]
    whole = plan.score_json(doc)
    assert plan.finish_json(parts) == whole
    assert plan.finish_json(list(reversed(parts))) == whole
    # reduced in a tree, as a cluster does
    assert plan.finish_json([plan.merge(parts[:2]), parts[2]]) == whole
    assert plan.finish(parts)["scorecard"]["total"]["display"] == "45.1"
    with pytest.raises(scorecard.ScoreError, match="in two partial results"):
        plan.finish([parts[0], parts[0]])
    with pytest.raises(scorecard.ScoreError, match="not a partial result"):
        plan.finish(["{"])


def test_the_type_stubs_name_every_method_of_plan():
    stub = (pathlib.Path(scorecard.__file__).parent / "_scorecard.pyi").read_text(encoding="utf-8")
    public = [m for m in dir(scorecard.Plan) if not m.startswith("_")]
    assert len(public) >= 14, public
    missing = [m for m in public if f"def {m}(" not in stub]
    assert not missing, missing
