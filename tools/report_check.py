#!/usr/bin/env python3
"""Checks an HTML report in a real browser (headless Chromium, driven by Playwright).

    python3 tools/report_check.py REPORT.html OUTCOME.json [--screenshot FILE.png]

The page must load with no console errors or warnings, no page errors, no dialog (text
of the outcome that is markup or script must show as text) and no request for anything
outside itself; and the figures its DOM holds must be the outcome's: the
note that the results are incomplete (at the top, when records were rejected), the
headline total and grade, every cell of the jurisdiction × indicator matrix (value and
met), the marked cells exactly those not met, a chart per indicator with a bar per
jurisdiction, the count of each grade of graded records, and the accounting of records. Exit 0 when all hold, 1 with the list of
what does not.

Chromium: $CHROMIUM, else /usr/bin/chromium (Debian's package `chromium`).
"""

import json
import os
import pathlib
import sys

from playwright.sync_api import sync_playwright

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def check(page, outcome):
    problems = []

    def expect(what, got, want):
        if got != want:
            problems.append(f"{what}: the page shows {got!r}, the outcome has {want!r}")

    # what the results lack, at the top, when records were rejected
    note = page.locator("#incomplete")
    lacks = outcome.get("incomplete")
    if lacks:
        if note.count() != 1:
            problems.append("records were rejected, but the page does not say the results are incomplete")
        elif f" {lacks['rejected']} " not in note.inner_text():
            problems.append(f"the incomplete note does not give the {lacks['rejected']} records rejected: {note.inner_text()!r}")
        elif note.bounding_box() is None or note.bounding_box()["y"] > 400:
            problems.append("the incomplete note is not at the top of the page")
    elif note.count():
        problems.append("the page says the results are incomplete, but nothing was rejected")
    sc = outcome.get("scorecard")
    if sc:
        head = page.locator("#headline")
        expect("headline total", head.get_attribute("data-total"), sc["total"]["display"])
        expect("headline grade", head.get_attribute("data-grade"), sc.get("grade") or "")
        expect("sections", page.locator("#sections tr").count() - 1, len(sc["sections"]))
    groups = outcome.get("groups", {})
    cells = page.locator("#matrix td[data-indicator]")
    shown = {}
    for i in range(cells.count()):
        c = cells.nth(i)
        key = (c.get_attribute("data-jurisdiction"), c.get_attribute("data-indicator"))
        shown[key] = (c.get_attribute("data-value"), c.get_attribute("data-met"),
                      "not-met" in (c.get_attribute("class") or ""))
    wanted = {}
    for ind_id, r in outcome["indicators"].items():
        wanted[("", ind_id)] = r
    for g, gr in groups.items():
        for ind_id, r in gr["indicators"].items():
            wanted[(g, ind_id)] = r
    expect("matrix cells", len(shown), len(wanted))
    for key, r in wanted.items():
        if key not in shown:
            problems.append(f"matrix: no cell for {key}")
            continue
        value, met, marked = shown[key]
        want_value = r["value"]["display"] if r.get("value") else "n/a"
        expect(f"matrix {key} value", value, want_value)
        want_met = "" if r.get("met") is None else str(r["met"]).lower()
        expect(f"matrix {key} met", met, want_met)
        expect(f"matrix {key} marked not met", marked, r.get("met") is False)
    not_met = sum(1 for r in wanted.values() if r.get("met") is False)
    expect("cells marked not met", page.locator("#matrix td.not-met").count(), not_met)
    if groups:
        charts = page.locator("svg.chart")
        charted = [r for r in outcome["indicators"].values() if r.get("value")]
        if charts.count() == 0 and charted:
            problems.append("no charts")
        for i in range(charts.count()):
            chart = charts.nth(i)
            ind_id = chart.get_attribute("data-indicator")
            have = sum(1 for g in groups.values()
                       if g["indicators"].get(ind_id, {}).get("value"))
            expect(f"bars of {ind_id}", chart.locator("rect").count(), have)
            box = chart.bounding_box()
            if not box or box["width"] < 100:
                problems.append(f"chart {ind_id} is not laid out: {box}")
    tables = page.locator("table.grades")
    for i in range(tables.count()):
        t = tables.nth(i)
        coll, measure = t.get_attribute("data-collection"), t.get_attribute("data-measure")
        counts = {}
        for rec in outcome["records"][coll].values():
            v = rec.get(measure)
            if v is not None:
                counts[v] = counts.get(v, 0) + 1
        rows = t.locator("tr[data-value]")
        shown = {rows.nth(j).get_attribute("data-value"): int(rows.nth(j).get_attribute("data-count"))
                 for j in range(rows.count())}
        expect(f"grade distribution {coll}.{measure}", shown, counts)
    for name, a in outcome["accounting"].items():
        row = page.locator(f'#accounting tr[data-collection="{name}"]')
        expect(f"accounting {name} read", row.get_attribute("data-read"), str(a["read"]))
        expect(f"accounting {name} used", row.get_attribute("data-used"), str(a["used"]))
    return problems


def main():
    args = sys.argv[1:]
    shot = None
    if "--screenshot" in args:
        i = args.index("--screenshot")
        shot = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        print(__doc__)
        return 2
    report = pathlib.Path(args[0]).resolve()
    outcome = json.loads(pathlib.Path(args[1]).read_text(encoding="utf-8"))
    browser_path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    url = report.as_uri()
    messages, errors, foreign = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: messages.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: foreign.append(r.url) if r.url != url else None)
        page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
        # text in the outcome (a name with markup and script in it) must never run
        page.on("dialog", lambda d: (errors.append(f"a dialog opened: {d.message!r}"), d.dismiss()))
        page.goto(url, wait_until="load")
        problems = check(page, outcome)
        if shot:
            page.screenshot(path=shot, full_page=True)
        browser.close()
    problems += [f"console {m}" for m in messages]
    problems += [f"page error: {e}" for e in errors]
    problems += [f"the page asked for {u}: a report must be self-contained" for u in foreign]
    if problems:
        print(f"FAIL {report}:")
        for p in problems:
            print(f"  {p}")
        return 1
    print(f"ok   {report}: the browser shows the outcome's figures, no console errors, "
          f"no requests outside the page" + (f"; screenshot {shot}" if shot else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
