#!/usr/bin/env python3
"""Writes tests/bad-inputs/cases.json: the corpus of bad inputs that tests/bad_inputs.rs runs
through the CLI. Each case is a set of files (a pack, scripts, data), a command, the exit
code it must give and the texts its output must contain: the location (file:line:col and
JSON path, a data file's line and column or byte offset, a script's line) and what is
wrong. Re-run after changing it: python3 tools/gen_bad_inputs.py

The expected texts are written here by hand, case by case; the generator only saves
typing where many cases share a shape (the same pack with one part broken)."""

import json
import os
import sys

sys.set_int_max_str_digits(100000)

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "bad-inputs", "cases.json")

cases = []


def case(name, files, args, exit, expect, shell=None, first=None):
    """`shell: "head"` runs the command into `head -1` (a reader that closes the pipe);
    `first` must be in the first line of the output."""
    cases.append({"name": name, "files": files, "args": args, "exit": exit,
                  "expect": expect, **({"shell": shell} if shell else {}),
                  **({"first": first} if first else {})})


# ---------------------------------------------------------------- a pack to break
def base():
    return {
        "name": "corpus", "version": "1",
        "period": {"from": "2025-01-01", "to": "2025-12-31"},
        "rounding": {"digits": 1, "mode": "half_up"},
        "groups": {"collection": "places", "parent": "parent", "name": "name"},
        "collections": {
            "places": {"fields": {"id": "string", "name": "string",
                                  "parent": {"ref": "places", "optional": True}}},
            "units": {"jurisdiction": "place",
                      "fields": {"id": "string", "place": {"ref": "places"}, "score": "number",
                                 "kind": {"type": "enum", "values": ["a", "b"]}}},
            "inspections": {"date": "date", "jurisdiction": "unit.place",
                            "fields": {"id": "string", "unit": {"ref": "units"}, "date": "date"}},
        },
        "measures": {"units": {
            "visits": {"aggregate": "count", "over": "inspections", "via": "unit", "window": "period"},
            "double": {"expr": "score * 2"},
        }},
        "tables": {"grade": {"on": "scorecard", "input": "total", "bands": [
            {"min": 90, "then": {"grade": "good"}},
            {"min": 60, "below": 90, "then": {"grade": "fair"}},
            {"below": 60, "then": {"grade": "poor"}}]}},
        "indicators": {
            "coverage": {"kind": "rate", "population": {"collection": "units"},
                         "numerator": "visits >= 1", "target": {"min": 100},
                         "scoring": {"all_or_nothing": 50}},
            "mean_score": {"kind": "mean", "population": {"collection": "units"},
                           "value": "score", "target": {"min": 60}, "scoring": {"all_or_nothing": 50}},
        },
        "scorecard": {"sections": [{"name": "all", "indicators": ["coverage", "mean_score"]}],
                      "grade": {"table": "grade"},
                      "actions": [{"when": "total < 90", "action": "rectify"}]},
    }


def text(pack):
    return json.dumps(pack, ensure_ascii=False, indent=2)


def line_of(src, needle):
    for i, l in enumerate(src.split("\n")):
        if needle in l:
            return i + 1
    raise SystemExit(f"needle {needle!r} not found")


def broken(name, mutate, needle, path, message, extra=None, above=0):
    """A pack broken by `mutate`; `check` must name pack.json at the line holding
    `needle` (or `above` lines above it: the start of the object at fault), the JSON
    `path` and the `message`."""
    p = base()
    mutate(p)
    src = text(p)
    expect = [f"pack/pack.json:{line_of(src, needle) - above}:", f"{path}: ", message]
    files = {"pack/pack.json": src}
    files.update(extra or {})
    case("pack/" + name, files, ["check", "pack"], 1, expect)


def setp(path, value):
    def f(p):
        *head, last = path
        for k in head:
            p = p[k]
        p[last] = value
    return f


def delp(path):
    def f(p):
        *head, last = path
        for k in head:
            p = p[k]
        del p[last]
    return f


M = ["measures", "units"]
I = ["indicators"]

# expressions: names, types, syntax, limits
for i, (expr, msg) in enumerate([
    ("zzq + 1", "zzq"),
    ("score +", "expected"),
    ("score * * 2", "unexpected"),
    ("(score * 2", "expected ')'"),
    ("score * 2)", "unexpected"),
    ("score == \"a\"", "compare"),
    ("kind + 1", "needs"),
    ("nosuch(score)", "unknown function 'nosuch'"),
    ("round(score)", "round"),
    ("score = 2", "'=' is assignment"),
    ("\"unterminated", "string"),
    ("score $ 2", "unexpected"),
    ("place.nosuch", "nosuch"),
    ("if score > 1 { 1 }", "else"),
    ("[1, 2", "expected"),
    ("score.len()", "len"),
    ("days_between(score, 1)", "date"),
    ("min()", "min"),
    ("#score", "unexpected"),
    ("score && true", "needs"),
]):
    broken(f"expr-{i:02}", setp(M + ["double"], {"expr": expr}), json.dumps(expr)[1:-1][:6],
           "measures.units.double.expr", msg)

# expression limits (stack safety: refused when the pack loads, with the limit named)
# an aggregate's `via`: a path of references, each step checked
VISITS = {"aggregate": "count", "over": "inspections", "window": "period"}
broken("via-not-a-field", setp(M + ["visits"], {**VISITS, "via": "unt"}), '"via": "unt"', "measures.units.visits.via",
       "'unt' is not a field of inspections that references units (did you mean 'unit'?) (such fields: unit)")
broken("via-not-a-reference", setp(M + ["visits"], {**VISITS, "via": "date.x"}), '"via": "date.x"', "measures.units.visits.via",
       "'date.x': 'date' of inspections is not a reference, so the path cannot go on from it")
broken("via-leads-elsewhere", setp(M + ["visits"], {**VISITS, "via": "unit.place"}), '"via": "unit.place"', "measures.units.visits.via",
       "'unit.place' leads to places, not units")
broken("via-no-such-step", setp(M + ["visits"], {**VISITS, "via": "unit.plase"}), '"via": "unit.plase"', "measures.units.visits.via",
       "'unit.plase': units has no field 'plase' (did you mean 'place'?)")
broken("via-none-references", setp(["measures", "places"], {"n": {"aggregate": "count", "over": "inspections"}}), '"n": {', "measures.places.n",
       "no field of inspections references places itself; a path of references may lead there, such as `inspection.establishment`: name it with \"via\"")
broken("expr-chain-2000", setp(M + ["double"], {"expr": "+".join(["score"] * 600)}), "score+score",
       "measures.units.double.expr", "the limit is 256")
broken("expr-chain-1-2000", setp(M + ["double"], {"expr": "+".join(["1"] * 2000)}), "1+1+1",
       "measures.units.double.expr", "2000 levels deep")
broken("expr-methods-300", setp(M + ["double"], {"expr": "score" + ".abs()" * 300}), "score.abs",
       "measures.units.double.expr", "the limit is 256")
broken("expr-parens-70", setp(M + ["double"], {"expr": "(" * 70 + "score" + ")" * 70}), "((((",
       "measures.units.double.expr", "the limit is 64")
broken("expr-not-100", setp(M + ["double"], {"expr": "!" * 100 + "true"}), "!!!!",
       "measures.units.double.expr", "nested too deeply")
broken("expr-long", setp(M + ["double"], {"expr": "score + " + " + ".join(["1"] * 1400)}), "score + 1",
       "measures.units.double.expr", "longer than 4096 characters")

# structure: unknown and missing fields, wrong types
for i, (path, value, needle, jpath, msg, *above) in enumerate([
    (["measures", "units", "double", "exprr"], "score", "exprr", "measures.units.double.exprr", "unknown field `exprr`"),
    (["collections", "units", "fields", "score"], "numbr", "numbr", "collections.units.fields.score.type", "unknown type 'numbr'"),
    (["collections", "units", "fieldz"], {}, "fieldz", "collections.units.fieldz", "unknown field `fieldz`"),
    (["indicators", "coverage", "kind"], "ratee", "ratee", "indicators.coverage.kind", "ratee"),
    (["indicators", "coverage", "target"], {"minimum": 100}, "minimum", "indicators.coverage.target.minimum", "unknown field `minimum`"),
    (["indicators", "coverage", "scoring"], {"all_or_nothing": "fifty"}, "fifty", "indicators.coverage.scoring.all_or_nothing", "fifty"),
    (["rounding", "digits"], 19, "\"digits\": 19", "rounding.digits", "rounding.digits must be 0–18, found 19"),
    (["rounding", "mode"], "sideways", "sideways", "rounding.mode", "sideways"),
    (["period", "from"], "2025-13-01", "2025-13-01", "period.from", "2025-13-01"),
    (["period", "to"], "2025-02-30", "2025-02-30", "period.to", "2025-02-30"),
    (["version"], 1, "\"version\": 1", "version", "string"),
    (["collections", "units", "fields", "place"], {"ref": "placez"}, "placez", "collections.units.fields.place.ref", "no collection 'placez'"),
    (["collections", "inspections", "jurisdiction"], "unit.nowhere", "unit.nowhere", "collections.inspections.jurisdiction", "nowhere"),
    (["collections", "units", "fields", "kind"], {"type": "enum", "values": []}, "\"kind\": {", "collections.units.fields.kind", "an enum needs a non-empty list of values"),
    (["measures", "units", "visits", "over"], "inspectionz", "inspectionz", "measures.units.visits.over", "inspectionz"),
    (["measures", "units", "visits", "aggregate"], "median", "median", "measures.units.visits.aggregate", "median"),
    (["measures", "units", "visits", "window"], {"months": "twelve"}, "\"window\"", "measures.units.visits.window", "a window is"),
    (["measures", "units", "visits", "per"], "fortnight", "fortnight", "measures.units.visits.per", "fortnight"),
    (["indicators", "coverage", "population", "collection"], "unitz", "unitz", "indicators.coverage.population.collection", "unitz"),
    (["indicators", "coverage", "numerator"], "score", "\"numerator\": \"score\"", "indicators.coverage.numerator", "expected"),
    (["indicators", "coverage", "not_applicable"], "maybe", "maybe", "indicators.coverage.not_applicable", "maybe"),
    (["indicators", "coverage", "compare"], "roughly", "roughly", "indicators.coverage.compare", "roughly"),
    (["indicators", "coverage", "target"], {"min": 120}, "\"target\"", "indicators.coverage.target", "a target of 120 can never be met"),
    (["scorecard", "sections", 0, "indicators"], ["coverage", "nosuch"], "nosuch", "scorecard.sections[0].indicators[1]", "no indicator 'nosuch'"),
    (["scorecard", "grade", "table"], "gradez", "gradez", "scorecard.grade.table", "no table 'gradez'"),
    (["scorecard", "actions", 0, "when"], "totl < 90", "totl", "scorecard.actions[0].when", "totl"),
    (["tables", "grade", "bands", 1, "below"], 80, "\"min\": 90", "tables.grade.bands[0]", "gap between bands: nothing covers 80 up to 90", 1),
    (["tables", "grade", "bands", 1, "below"], 95, "\"min\": 90", "tables.grade.bands[0]", "bands overlap: 90 up to 95 is in two bands", 1),
    (["tables", "grade", "bands", 1, "min"], 95, "\"min\": 95", "tables.grade.bands[1]", "bands overlap", 1),
    (["tables", "grade", "on"], "everything", "everything", "tables.grade.on", "everything"),
    (["groups", "collection"], "placez", "placez", "groups.collection", "placez"),
    (["groups", "parent"], "mother", "mother", "groups.parent", "mother"),
    (["scripts"], {"files": ["scripts/nosuch.rhai"], "functions": {}}, "nosuch.rhai", "scripts.files[0]", "cannot read"),
    (["scripts"], {"files": ["../outside.rhai"], "functions": {}}, "outside.rhai", "scripts.files[0]", "inside"),
    (["scripts"], {"files": [], "functions": {}, "limits": {"max_call_levels": 500}}, "max_call_levels", "scripts.limits.max_call_levels", "scripts.limits.max_call_levels must be from 1 to 128"),
    (["scripts"], {"files": [], "functions": {}, "limits": {"max_operations": 0}}, "max_operations", "scripts.limits.max_operations", "scripts.limits.max_operations must be from 1 to 10000000"),
    (["scripts"], {"files": [], "functions": {}, "limits": {"max_expr_depth": 1000}}, "max_expr_depth", "scripts.limits.max_expr_depth", "must be from 1 to 256"),
    (["calendars"], ["nosuch-calendar"], "nosuch-calendar", "calendars[0]", "nosuch-calendar"),
    (["imports"], [{"pack": "../up", "indicators": {}}], "../up", "imports[0].pack", "not a pack name"),
    (["imports"], [{"pack": "missing", "indicators": {}}], "missing", "imports[0].pack", "cannot read"),
    (["imports"], [{"pack": "missing"}], "\"pack\": \"missing\"", "imports[0]", "missing field `indicators`", 1),
]):
    broken(f"field-{i:02}", setp(path, value), needle, jpath, msg, above=above[0] if above else 0)

for i, (path, needle, jpath, msg) in enumerate([
    (["name"], "{", "(root)", "missing field `name`"),
    (["collections", "units", "fields"], "\"units\": {", "collections.units", "missing field `fields`"),
    (["tables", "grade", "bands"], "\"grade\": {", "tables.grade", "bands"),
]):
    broken(f"missing-{i:02}", delp(path), needle, jpath, msg)

# whole-file problems
case("pack/not-json", {"pack/pack.json": "{\n  \"name\": \"x\",\n  oops\n}"}, ["check", "pack"], 1,
     ["pack/pack.json:3:", "key must be a string"])
case("pack/empty", {"pack/pack.json": ""}, ["check", "pack"], 1, ["pack/pack.json:1:", "EOF"])
case("pack/array-root", {"pack/pack.json": "[1, 2]"}, ["check", "pack"], 1, ["pack/pack.json:1:", "invalid type"])
case("pack/trailing", {"pack/pack.json": text(base()) + "\n}"}, ["check", "pack"], 1,
     [f"pack/pack.json:{len(text(base()).split(chr(10))) + 1}:", "trailing"])
case("pack/duplicate-key", {"pack/pack.json": text(base()).replace('"version": "1",', '"version": "1",\n  "version": "2",')},
     ["check", "pack"], 1, ["pack/pack.json:4:3: version: ", "second time"])
case("pack/no-folder", {}, ["check", "nowhere"], 1, ["nowhere", "cannot read"])
case("pack/not-utf8", {"pack/pack.json": {"hex": "7b226e616d65223a202278ff227d"}}, ["check", "pack"], 1,
     ["pack/pack.json:1:12:", "not UTF-8 text: byte 11"])
case("pack/bom-is-fine", {"pack/pack.json": {"hex": "efbbbf" + text(base()).encode().hex()}}, ["check", "pack"], 0,
     ["pack: ok (corpus 1"])
case("pack/bom-script-is-fine", {
    "pack/pack.json": text({**base(), "scripts": {"files": ["scripts/s.rhai"], "functions": {"f": {"params": ["number"], "returns": "number"}}}}),
    "pack/scripts/s.rhai": {"hex": "efbbbf" + b"fn f(x) { x + 1 }".hex()}}, ["check", "pack"], 0, ["pack: ok"])

# scripts that do not compile: the cause first, with its line:col
def with_script(src, functions, expr="f(score)"):
    p = base()
    p["scripts"] = {"files": ["scripts/s.rhai"], "functions": functions}
    p["measures"]["units"]["double"] = {"expr": expr}
    return {"pack/pack.json": text(p), "pack/scripts/s.rhai": src}


F1 = {"f": {"params": ["number"], "returns": "number"}}
for i, (src, where, msg) in enumerate([
    ("fn f(x) {\n  x +\n}", "pack/scripts/s.rhai:3:", "script does not compile"),
    ("fn f(x) {\n  let = 1;\n}", "pack/scripts/s.rhai:2:", "script does not compile"),
    ("fn f(x) { x }\nfn f(x) { x }", "pack/scripts/s.rhai:2:", "script does not compile"),
    ("fn f(x) {\n  import \"m\" as m;\n  x\n}", "pack/scripts/s.rhai:2:", "script does not compile"),
    ("fn f(x) { " + "(" * 300 + "x" + ")" * 300 + " }", "pack/scripts/s.rhai:1:", "max_expr_depth = 64"),
    ("fn f(x) {\n  x.\n}", "pack/scripts/s.rhai:3:", "script does not compile"),
]):
    files = with_script(src, F1)
    case(f"script-compile/{i:02}", files, ["check", "pack"], 1, [where, msg])
# the cause comes before what it causes
files = with_script("fn f(x) {\n  x +\n}", F1)
case("script-compile/cause-first", files, ["check", "pack"], 1,
     ["pack/scripts/s.rhai:3:", "script does not compile"], first="script does not compile")
case("script-compile/undeclared", with_script("fn g(x) { x }", F1), ["check", "pack"], 1,
     ["scripts.functions.f", "f"])
case("script-compile/wrong-params", with_script("fn f(x, y) { x }", F1), ["check", "pack"], 1,
     ["scripts.functions.f", "parameter"])
case("script-compile/bad-type", with_script("fn f(x) { x }", {"f": {"params": ["numbr"], "returns": "number"}}),
     ["check", "pack"], 1, ["scripts.functions.f", "numbr"])

# ---------------------------------------------------------------- runaway scripts at score
UNITS = [{"id": "U1", "place": "P1", "score": 70, "kind": "a"},
         {"id": "U2", "place": "P1", "score": 90, "kind": "b"}]
DATA = {"places": [{"id": "P1", "name": "one"}], "units": UNITS, "inspections": [
    {"id": "I1", "unit": "U1", "date": "2025-03-01"}]}
for i, (src, limits, msg, where) in enumerate([
    ("fn f(x) {\n  loop { x += 1; }\n}", {"max_operations": 5000},
     "more than scripts.limits.max_operations = 5000 operations", "at line 2:"),
    ("fn f(x) {\n  f(x + 1)\n}", {"max_call_levels": 20},
     "calls nested deeper than scripts.limits.max_call_levels = 20", "at line 2:"),
    ("fn f(x) {\n  let s = \"ab\";\n  loop { s += s; }\n}", {"max_string_size": 5000},
     "a string larger than scripts.limits.max_string_size = 5000", "function f"),
    ("fn f(x) {\n  let a = [];\n  loop { a.push(1); }\n}", {"max_array_size": 20000, "max_operations": 10000000},
     "an array larger than scripts.limits.max_array_size = 20000", "function f"),
    ("fn f(x) {\n  let m = #{};\n  let i = 0;\n  loop { i += 1; m += #{}; m[`k${i}`] = i; }\n}", {"max_map_size": 5000, "max_operations": 10000000},
     "a map larger than scripts.limits.max_map_size = 5000", "function f"),
    ("fn f(x) {\n  throw \"no\";\n}", {}, "no", "line 2"),
    ("fn f(x) {\n  \"text\"\n}", {}, "the function returned string, but the pack declares it returns number", "function f"),
    ("fn f(x) {\n  x / 0\n}", {}, "zero", "function f"),
]):
    p = base()
    p["scripts"] = {"files": ["scripts/s.rhai"], "functions": F1, "limits": limits}
    p["measures"]["units"]["double"] = {"expr": "f(score)"}
    files = {"pack/pack.json": text(p), "pack/scripts/s.rhai": src, "data.json": json.dumps(DATA)}
    said = ["measure units.double, units 'U1'", "script scripts/s.rhai, function f", where, msg]
    # the record is set aside with the error (exit 3 with --strict), the others scored
    case(f"script-run/{i:02}", files, ["score", "--pack", "pack", "--input", "data.json", "--strict"], 3,
         ["rejected units 'U1': evaluation failed"] + said)
    # or the run stops at it, when the pack says so
    p["evaluation_errors"] = "stop"
    files = {**files, "pack/pack.json": text(p)}
    case(f"script-run/{i:02}-stop", files, ["score", "--pack", "pack", "--input", "data.json"], 2, said)

# a call past its time limit stops the run (no outcome), located where it was running
p = base()
p["scripts"] = {"files": ["scripts/s.rhai"], "functions": F1,
                "limits": {"max_operations": 10000000, "max_array_size": 1000000, "max_time_ms": 100}}
p["measures"]["units"]["double"] = {"expr": "f(score)"}
files = {"pack/pack.json": text(p), "pack/scripts/s.rhai": "fn f(x) {\n  let a = [];\n  loop { a.push(x); }\n}",
         "data.json": json.dumps(DATA)}
case("script-run/out-of-time-stops-the-run", files, ["score", "--pack", "pack", "--input", "data.json"], 2,
     ["script scripts/s.rhai, function f: at line 3:", "stopped: ran longer than scripts.limits.max_time_ms = 100 ms", "the run stops"])

# recursion within the limits runs (on any stack)
for i, (levels, depth) in enumerate([(31, 60), (120, 10)]):
    p = base()
    p["scripts"] = {"files": ["scripts/s.rhai"], "functions": F1,
                    "limits": {"max_call_levels": 128, "max_expr_depth": 256, "max_operations": 10000000}}
    p["measures"]["units"]["double"] = {"expr": f"f({levels})"}
    src = "fn f(n) { if n <= 0 { 0 } else { " + "(1 + " * depth + "f(n - 1)" + ")" * depth + " } }"
    files = {"pack/pack.json": text(p), "pack/scripts/s.rhai": src, "data.json": json.dumps(DATA)}
    case(f"script-run/deep-ok-{i}", files, ["score", "--pack", "pack", "--input", "data.json", "--format", "json"], 0,
         [f'"double"', str(levels * depth)])

# ---------------------------------------------------------------- imports
def imp(name, imports, extra=None):
    p = {"name": name, "version": "1", "imports": [{"pack": i, "indicators": {"n": None}} for i in imports],
         "collections": {"units": {"fields": {"id": "string"}}},
         "indicators": {"n": {"kind": "count", "population": {"collection": "units"}}}}
    return text(p)


case("imports/cycle-2", {"a/pack.json": imp("a", ["b"]), "b/pack.json": imp("b", ["a"])},
     ["check", "a"], 1, ["a/pack.json:", "imports[0].pack", "imports form a cycle: a → b → a"])
case("imports/cycle-3", {"a/pack.json": imp("a", ["b"]), "b/pack.json": imp("b", ["c"]), "c/pack.json": imp("c", ["a"])},
     ["check", "a"], 1, ["imports form a cycle: a → b → c → a"])
case("imports/self", {"a/pack.json": imp("a", ["a"])}, ["check", "a"], 1, ["imports form a cycle: a → a"])
case("imports/cycle-beyond", {"a/pack.json": imp("a", ["b"]), "b/pack.json": imp("b", ["c"]), "c/pack.json": imp("c", ["b"])},
     ["check", "a"], 1, ["imports form a cycle: a → b → c → b"])
case("imports/cycle-score", {"a/pack.json": imp("a", ["b"]), "b/pack.json": imp("b", ["a"]), "data.json": "{}"},
     ["score", "--pack", "a", "--input", "data.json"], 2, ["imports form a cycle: a → b → a"])
case("imports/nested", {"a/pack.json": imp("a", ["b"]), "b/pack.json": imp("b", ["c"]), "c/pack.json": imp("c", [])},
     ["check", "a"], 1, ["imports[0].pack", "imports of its own"])
case("imports/broken-import", {"a/pack.json": imp("a", ["b"]), "b/pack.json": "{\"name\": 5}"},
     ["check", "a"], 1, ["imports[0].pack", "the imported pack b has problems"])

# ---------------------------------------------------------------- data: JSON documents
GOOD = {"pack/pack.json": text(base())}


def data_case(name, content, exit, expect, args=None, ext="json"):
    files = dict(GOOD)
    files[f"in.{ext}"] = content
    case("data/" + name, files, ["score", "--pack", "pack", "--input", f"in.{ext}"] + (args or []), exit, expect)


for i, (content, where, msg) in enumerate([
    ('{"units": [1,}', "in.json is not valid JSON at line 1, column 14", "expected value"),
    ('{"units": [\n  {"id": "U1"\n]}', "in.json is not valid JSON at line 3, column 1", "expected"),
    ('{"units": []', "in.json is not valid JSON at line 1, column 12", "EOF while parsing an object"),
    ('', "in.json is not valid JSON at line 1, column 0", "EOF"),
    ('{"units": [] } x', "in.json is not valid JSON at line 1, column 16", "trailing"),
    ("{'units': []}", "in.json is not valid JSON at line 1, column 2", "key must be a string"),
    ('{"units": [{"id": "U1", }]}', "in.json is not valid JSON at line 1, column 25", "key must be a string"),
    ('{"units": [NaN]}', "in.json is not valid JSON at line 1, column 12", "expected value"),
    ('{"units": ["\\x"]}', "in.json is not valid JSON at line 1, column 14", "invalid escape"),
    ('\n\n\n{"units": [tru]}', "in.json is not valid JSON at line 4, column", "expected"),
]):
    data_case(f"not-json-{i:02}", content, 2, [where, msg])

for i, (hexdata, where) in enumerate([
    ("7b22756e697473223a205bff5d7d", "byte 11 (line 1, column 12)"),
    ("ff", "byte 0 (line 1, column 1)"),
    ("7b0a0a22756e697473223a205b225cc3225d7d", "(line 3, column"),
    ("7b22756e697473223a205b22e282225d7d", "byte 12 (line 1, column 13)"),
    ("efbbbfefbbbf7b7d", "in.json is not valid JSON"),
]):
    data_case(f"not-utf8-{i:02}", {"hex": hexdata}, 2, ["in.json", where])

data_case("bom-is-fine", {"hex": "efbbbf" + json.dumps(DATA).encode().hex()}, 0, ["coverage"])
data_case("deep-document", '{"places": [], "inspections": [], "units": ' + "[" * 300 + "]" * 300 + "}", 3,
          ["rejected", "a record is an object, found a list nested more than 128 levels deep"], ["--strict", "--format", "json"])
data_case("deep-record-field", json.dumps({"places": [{"id": "P1", "name": "one"}], "inspections": []})[:-1] + ', "units": [{"id": "U1", "place": "P1", "kind": "a", "score": ' + "[" * 300 + "]" * 300 + "}]}",
          3, ["nested more than 128 levels deep"], ["--strict"])

for i, (content, msg) in enumerate([
    ("[]", "in.json is not a dataset"),
    ("5", "in.json is not a dataset"),
    ('"text"', "in.json is not a dataset"),
    ('{"units": {"id": "U1"}}', "expected an array of units records"),
    ('{"unitz": []}', "'unitz' is not a collection of this pack"),
    ('{"period": {"from": "2025-01-01"}}', "period"),
    ('{"period": {"from": "2025-01-01", "to": "2025-02-30"}}', "period.to: '2025-02-30' is not a date"),
    ('{"period": {"from": "2025-12-31", "to": "2025-01-01"}}', "period"),
    ('{"period": 2025}', "period"),
    ('{"units": null}', "units"),
]):
    data_case(f"shape-{i:02}", content, 2, ["in.json", msg])


def rec(units=None, inspections=None, places=None):
    return json.dumps({"places": places or [{"id": "P1", "name": "one"}],
                       "units": units or [], "inspections": inspections or []})


U = {"id": "U9", "place": "P1", "score": 50, "kind": "a"}
for i, (unit, why) in enumerate([
    ({**U, "score": "fifty"}, "field 'score'"),
    ({**U, "kind": "c"}, "field 'kind'"),
    ({**U, "place": "P404"}, "P404"),
    ({k: v for k, v in U.items() if k != "score"}, "field 'score' is required but missing"),
    ({**U, "extra": 1}, "field 'extra' is not declared"),
    ({**U, "score": True}, "field 'score'"),
    ({**U, "score": None}, "field 'score'"),
    ({**U, "id": 17}, "field 'id'"),
    ({k: v for k, v in U.items() if k != "id"}, "field 'id'"),
    (5, "a record is an object, found number 5"),
    ([1], "a record is an object, found array"),
    ("U9", "a record is an object"),
    ({**U, "score": "SCORE_10E99999"}, "65536 bits"),
    ({**U, "score": "1/0"}, "field 'score'"),
    ({**U, "place": {"id": "P1"}}, "field 'place'"),
]):
    data_case(f"rejected-{i:02}", rec(units=[unit]).replace('"SCORE_10E99999"', "1e99999"), 3, ["rejected", why], ["--strict", "--format", "json"])

data_case("duplicate-key", rec(units=[U, {**U, "score": 60}]), 3, ['"U9"', "duplicate"], ["--strict", "--format", "json"])
data_case("dangling-cascade", rec(units=[{**U, "place": "P404"}], inspections=[{"id": "I1", "unit": "U9", "date": "2025-01-05"}]),
          3, ["I1", "U9"], ["--strict", "--format", "json"])
data_case("bad-date", rec(units=[U], inspections=[{"id": "I1", "unit": "U9", "date": "2025-02-30"}]), 3,
          ["I1", "2025-02-30"], ["--strict", "--format", "json"])
data_case("no-file", None, 2, ["cannot read in.json"])

# ---------------------------------------------------------------- data: NDJSON
PERIOD = '{"period": {"from": "2025-01-01", "to": "2025-12-31"}}'
PL = '{"places": {"id": "P1", "name": "one"}}'
# the collections a case has no records of, there with none
NONE = '{"units": []}\n{"inspections": []}'
for i, (lines, where, msg) in enumerate([
    ([PERIOD, PL, '{"units": {"id": "U1"'], "line 3, column", "EOF while parsing"),
    ([PERIOD, PL, "", '{1: 2}'], "line 4, column 2", "key must be a string"),
    ([PERIOD, '{"unitz": {"id": "U1"}}'], "line 2", "'unitz' is not a collection of this pack"),
    ([PERIOD, '{"units": {"id": "U1"}, "places": {"id": "P1"}}'], "line 2", "one member"),
    ([PERIOD, PERIOD], "more than one period", "period"),
    ([PERIOD, "[1, 2]"], "line 2", ""),
    ([PERIOD, PL, "garbage"], "line 3, column 1", "expected value"),
    (['{"period": {"from": "2025-01-01", "to": "2025-13-01"}}'], "line 1", "2025-13-01"),
    ([PERIOD, PL, '{"units": {"id": "U1"}} extra'], "line 3, column", "trailing"),
]):
    content = "\n".join(lines) + "\n"
    data_case(f"ndjson-{i:02}", content, 2, ["in.ndjson", where, msg], ext="ndjson")
    assert ", column" not in msg

for i, (hexdata, where) in enumerate([
    ((PERIOD + "\n").encode().hex() + "7b22706c61636573223a207b226964223a2022ff227d7d0a", "byte 74 (line 2, column 20)"),
    ("ff0a", "byte 0 (line 1, column 1)"),
    ((PERIOD + "\n" + PL + "\n").encode().hex() + "c3", "(line 3, column 1)"),
]):
    data_case(f"ndjson-not-utf8-{i}", {"hex": hexdata}, 2, ["in.ndjson is not UTF-8 text", where], ext="ndjson")

data_case("ndjson-bom-is-fine", {"hex": "efbbbf" + (PERIOD + "\n" + PL + "\n" + NONE + "\n").encode().hex()}, 0, ["coverage"], ext="ndjson")
data_case("ndjson-crlf-is-fine", PERIOD + "\r\n" + PL + "\r\n" + NONE.replace("\n", "\r\n") + "\r\n", 0, ["coverage"], ext="ndjson")
for i, (line, why) in enumerate([
    ('{"units": 5}', "a record is an object, found number 5"),
    ('{"units": {"place": "P1", "score": 5, "kind": "a"}}', "field 'id'"),
    ('{"units": {"id": "U1", "place": "P2", "score": 5, "kind": "a"}}', "P2"),
    ('{"units": {"id": "U1", "place": "P1", "score": "x", "kind": "a"}}', "field 'score'"),
    ('{"units": {"id": "U1", "place": "P1", "kind": "a", "score": ' + "[" * 200 + "]" * 200 + "}}", "nested more than 128 levels deep"),
]):
    data_case(f"ndjson-rejected-{i}", "\n".join([PERIOD, PL, '{"inspections": []}', line]) + "\n", 3, ["rejected", why],
              ["--strict", "--format", "json"], ext="ndjson")

# ---------------------------------------------------------------- sheets: CSV files and workbooks
def sheet_case(name, files, exit, expect, args=None):
    all_files = {"pack/pack.json": text(base()), **files}
    inputs = []
    for f in files:
        inputs += ["--input", f]
    case("sheets/" + name, all_files, ["score", "--pack", "pack"] + inputs + (args or []), exit, expect)


PLACES_CSV = "id,name,parent\nP1,one,\n"
NO_INSPECTIONS = "id,unit,date\n"
sheet_case("bad-cell-is-placed", {"places.csv": PLACES_CSV, "units.csv": "id,place,score,kind\nU1,P1,abc,a\nU2,P1,5,c\n",
                                  "inspections.csv": NO_INSPECTIONS}, 3,
           ["units.csv row 2 column score: field 'score': 'abc' is not a number",
            "units.csv row 3 column kind: field 'kind': 'c' is not one of a, b"], ["--strict"])
sheet_case("missing-column", {"places.csv": PLACES_CSV, "units.csv": "id,place,kind\nU1,P1,a\n"}, 2,
           ["units.csv: no column 'score' for the required field 'score'", "its columns: id, place, kind"])
sheet_case("no-header-row", {"places.csv": PLACES_CSV, "units.csv": "a,b\n1,2\n"}, 2,
           ["units.csv: no header row: none of the first 20 rows has the column 'id'"])
sheet_case("not-a-collection", {"places.csv": PLACES_CSV, "unitz.csv": "id\nU1\n", "inspections.csv": NO_INSPECTIONS}, 2,
           ["no file units.csv for the records of units (is unitz.csv it?)", "the file unitz.csv, which holds no collection of this pack",
            "the pack's files are inspections.csv, places.csv, units.csv"])
sheet_case("a-collection-left-out", {"places.csv": PLACES_CSV, "units.csv": "id,place,score,kind\nU1,P1,5,a\n"}, 2,
           ["no file inspections.csv for the records of inspections"])
data_case("a-collection-left-out", json.dumps({"places": [{"id": "P1", "name": "one"}], "units": []}), 2,
          ["in.json: lacks the collection 'inspections': give \"inspections\": [] where there are no records"])
data_case("ndjson-a-collection-left-out", "\n".join([PERIOD, PL, '{"units": []}']) + "\n", 2,
          ["in.ndjson: lacks the collection 'inspections': give a line {\"inspections\": []}"], ext="ndjson")
p = base()
p["collections"]["inspections"]["optional"] = True
case("data/an-optional-collection-left-out", {"pack/pack.json": text(p), "in.json": json.dumps({"places": [], "units": []})},
     ["score", "--pack", "pack", "--input", "in.json"], 0, ["coverage"])
sheet_case("neither-utf8-nor-gbk", {"places.csv": {"hex": "69642c6e616d650a50312cff3f0a"}}, 2,
           ["places.csv is neither UTF-8 nor GBK/GB18030 text (byte 11, line 2, column 4"])
sheet_case("gbk-is-fine", {"places.csv": {"hex": "id,name\nP1,".encode().hex() + "cfd8" + "0a"},
                           "units.csv": "id,place,score,kind\n", "inspections.csv": NO_INSPECTIONS}, 0, ["places"])
sheet_case("not-a-workbook", {"data.xlsx": "id,name\n"}, 2, ["data.xlsx is not a workbook: "])
sheet_case("mixed-inputs", {"places.csv": PLACES_CSV, "data.json": "{}"}, 2,
           ["give one dataset: a JSON, NDJSON or workbook file, or CSV files"])
case("sheets/workbook-needs-a-file", {}, ["score", "--format", "xlsx"], 2, ["give -o FILE"])
case("sheets/no-such-shipped-pack", {}, ["score", "--pack", "no-such-pack"], 2,
     ["no pack folder no-such-pack here, and no shipped pack of that name (shipped: basic-public-health"])

# ---------------------------------------------------------------- numbers
p = base()
p["measures"]["units"]["double"] = {"expr": "score * score * score * score"}
case("numbers/past-the-limit", {"pack/pack.json": text(p),
                                "data.json": rec(units=[{**U, "score": 10 ** 5000}])},
     ["score", "--pack", "pack", "--input", "data.json", "--strict"], 3,
     ["rejected units 'U9': evaluation failed", "measure units.double, units 'U9'", "limit of 65536 bits"])
case("numbers/far-past-128-bits-is-exact", {"pack/pack.json": text(p),
                                            "data.json": rec(units=[{**U, "score": 10 ** 30}])},
     ["score", "--pack", "pack", "--input", "data.json", "--format", "json"], 0, ['"1' + "0" * 120 + '"'])
p = base()
p["indicators"]["mean_score"]["value"] = "100 / score"
many = [{"id": f"U{i:03}", "place": "P1", "score": 1500 + 37 * i, "kind": "a"} for i in range(60)]
case("numbers/mean-of-rates", {"pack/pack.json": text(p), "data.json": rec(units=many)},
     ["score", "--pack", "pack", "--input", "data.json", "--format", "json"], 0, ['"mean_score"', '"display"'])

# ---------------------------------------------------------------- tables that leave records without a row
p = base()
p["tables"]["band"] = {"on": "units", "rows": [{"when": "score >= 60", "then": {"band": "pass"}}]}
p["measures"]["units"]["band"] = {"table": "band", "output": "band"}
files = {"pack/pack.json": text(p), "data.json": json.dumps(DATA)}
case("tables/uncovered-is-warned-of", files, ["check", "pack"], 0,
     ["warning", "tables.band.rows: no row matches score < 60 and the table has no default: a record no row matches is set aside"])
low = {**DATA, "units": UNITS + [{"id": "U3", "place": "P1", "score": 10, "kind": "a"}]}
files = {**files, "data.json": json.dumps(low)}
case("tables/uncovered-record-is-set-aside", files, ["score", "--pack", "pack", "--input", "data.json", "--format", "json"], 3,
     ['"key": "U3"', "matches no row of the table, which has no default", '"incomplete": {', "1 record(s) rejected (units 1)"])

# ---------------------------------------------------------------- workbooks and CSV past their limits
import io
import zipfile


def xlsx_hex(sheet_xml, sheet="places", level=9):
    b = io.BytesIO()
    z = zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED, compresslevel=level)
    z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
    z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + sheet_xml + '</worksheet>')
    z.close()
    return {"hex": b.getvalue().hex()}


HEAD = '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c></row>'
PLACE_PACK = {"pack/pack.json": text({"name": "p", "version": "1", "collections": {"places": {"fields": {"id": "string", "name": "string"}}},
                                       "indicators": {"n": {"kind": "count", "population": {"collection": "places"}}}})}
def book_case(name, hexed, exit, expect, sheet_args=None):
    case("workbooks/" + name, {**PLACE_PACK, "in.xlsx": hexed}, ["score", "--pack", "pack", "--input", "in.xlsx"] + (sheet_args or []), exit, expect)


# the 1.8 KB file whose one far cell (and dimension) asked for 512 GB: read cell by cell
book_case("far-away-cell", xlsx_hex('<dimension ref="A1:XFD1048576"/><sheetData>' + HEAD + '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'), 3,
          ["places!A1048576: field 'id' is required but missing"])
book_case("row-past-excel", xlsx_hex('<sheetData>' + HEAD + '<row r="4000000000"><c r="A4000000000"><v>1</v></c></row></sheetData>'), 2,
          ["in.xlsx: sheet places: a cell at row 4000000000 column 1 is past the 1048576 rows and 16384 columns a sheet may have"])
book_case("zip-bomb-by-ratio", xlsx_hex('<sheetData>' + HEAD + '<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 400000 + '</sheetData>'), 2,
          ["in.xlsx is a zip bomb: its part xl/worksheets/sheet1.xml inflates from", "over 200 times (limits::MAX_WORKBOOK_RATIO)"])
book_case("billion-laughs", xlsx_hex('<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData>'), 2,
          ["in.xlsx: sheet places:", "entity"])
book_case("misnamed-sheet", xlsx_hex('<sheetData>' + HEAD + '</sheetData>', sheet="地点"), 2,
          ["in.xlsx: has no sheet 'places' for the records of places (is '地点' it?); the sheet 地点, which holds no collection of this pack"])
sheet_case("csv-cell-too-long", {"places.csv": PLACES_CSV.replace("one", "o" * 40000), "units.csv": "id,place,score,kind\n", "inspections.csv": NO_INSPECTIONS}, 2,
           ["places.csv: row 2 column 2 holds more than 32767 characters, the most a cell may (limits::MAX_CELL_CHARS)"])
sheet_case("csv-too-many-columns", {"places.csv": "id,name,parent" + ",x" * 20000 + "\n", "units.csv": "id,place,score,kind\n", "inspections.csv": NO_INSPECTIONS}, 2,
           ["places.csv: row 1 has more than 16384 columns"])

# ---------------------------------------------------------------- partial results
case("partials/not-json", {"p.json": "{\"partial\": 1,"}, ["merge", "p.json"], 2,
     ["p.json: not a partial result: ", "at line 1, column 14"])
case("partials/an-outcome-is-not-a-partial", {"o.json": '{"format": 1, "engine": "scorecard 0.1.0"}'}, ["merge", "o.json"], 2,
     ["o.json: not a partial result: unknown field `format`"])
case("partials/missing-file", {}, ["merge", "nope.json"], 2, ["cannot read nope.json"])


def partial_json(tally=None, accounting=None, records=None):
    """A partial result of no real pack, its one indicator's one tally given: what every
    partial must hold is checked as it is read, before its pack is."""
    return json.dumps({"partial": 1, "engine": "scorecard 0.1.0", "pack": {"name": "x", "version": "1", "digest": "sha256:0"},
                       "evidence_cap": 3, "period": None, "shared": [],
                       "accounting": accounting or {"units": {"read": 2, "used": 2, "excluded": 0, "rejected": []}},
                       "records": records or {}, "indicators": {"c": {"own": {"T1": tally or {"members": 2, "meets": 1}}}}})


for name, p, wanted in [
    ("meets-above-members", partial_json({"members": 68, "meets": 1068}), "indicator c, jurisdiction 'T1': 1068 members meeting of 68 members"),
    ("evidence-past-its-count", partial_json({"members": 2, "evidence_count": 1, "evidence": ["A", "B"]}), "indicator c, jurisdiction 'T1': 2 evidence keys listed for 1 evidence members"),
    ("evidence-out-of-order", partial_json({"members": 2, "evidence_count": 2, "evidence": ["B", "A"]}), "indicator c, jurisdiction 'T1', evidence: 'A' comes after 'B'"),
    ("accounting-does-not-add-up", partial_json(accounting={"units": {"read": 5, "used": 308, "excluded": 0, "rejected": []}}), "the accounting of 'units' does not add up: 5 read, but 308 used"),
    ("records-keys-twice", partial_json(records={"units": {"measures": ["n"], "keys": ["U1", "U1"], "values": [[None], [None]]}}), "records of 'units': 'U1' comes after 'U1'"),
    ("records-values-short", partial_json(records={"units": {"measures": ["n"], "keys": ["U1"], "values": [[]]}}), "records of 'units': record 'U1' has 0 values for 1 measures"),
]:
    case(f"partials/{name}", {"p.json": p}, ["merge", "p.json", "--partial"], 2, ["p.json: not a valid partial result: " + wanted])
case("partials/none", {}, ["merge"], 2, ["<PARTIALS>"])
case("partials/split-into-none", {}, ["split", "--shards", "0", "-o", "out"], 2, ["--shards must be at least 1"])
p = base()
p["measures"]["places"] = {"units": {"aggregate": "count", "over": "units", "via": "place"}}
case("partials/not-mergeable", {"pack/pack.json": text(p), "data.json": rec()},
     ["score", "--pack", "pack", "--input", "data.json", "--partial"], 2,
     ["partial results of pack 'corpus' cannot be merged exactly: measure 'places.units'", "'units' records"])
case("partials/check-says-not-mergeable", {"pack/pack.json": text(p)}, ["check", "pack"], 0,
     ["pack: ok", "note: its partial results (score --partial) cannot be merged exactly: measure 'places.units'"])

# ---------------------------------------------------------------- closed pipes
case("pipe/test", {}, ["test"], 0, ["ok"], shell="head")
case("pipe/check", {"pack/pack.json": text(base())}, ["check", "pack", "pack", "pack"], 0, ["pack: ok"], shell="head")
case("pipe/score", {}, ["score", "--format", "json"], 0, ["{"], shell="head")
case("pipe/generate", {}, ["generate", "--inspections", "200000"], 0, ["{"], shell="head")
case("pipe/explain", {}, ["explain", "units", "U0001", "--depth", "3"], 0, ["units 'U0001'"], shell="head")

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w", encoding="utf-8") as f:
    f.write("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False) for c in cases) + "\n]\n")
print(f"{len(cases)} cases written to {os.path.normpath(OUT)}")
