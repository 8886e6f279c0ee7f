#!/usr/bin/env python3
"""Generates the sample data of rules/catering-grading, rules/public-places-grading and
rules/coordination-service:
a county with four townships, deterministic from a fixed seed. Run from the repository root."""
import datetime
import json
import random

rng = random.Random(2012)
J = [{"id": "C00", "name": "苍南县"}] + [{"id": t, "name": n, "parent": "C00"} for t, n in
     [("T01", "灵溪镇"), ("T02", "龙港镇"), ("T03", "钱库镇"), ("T04", "金乡镇")]]
ITEMS = ["许可管理", "人员管理", "场所环境", "设施设备", "采购贮存", "加工制作", "清洗消毒", "食品添加剂", "检验运输"]
SUR = "陈林黄张王李吴刘郑杨"


def day(lo, hi):
    return (datetime.date(2024, 12, 1) + datetime.timedelta(days=rng.randint(lo, hi))).isoformat()


def write(path, data):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.write("\n")


def catering():
    units, insps, incidents, penalties = [], [], [], []
    for n in range(1, 81):
        cat = rng.choices(["restaurant", "fast_food", "canteen", "school_canteen"], [5, 3, 1, 2])[0]
        uid = f"U{n:04d}"
        quality = rng.uniform(0.55, 1.0)
        lic = "2025-09-20" if n % 29 == 0 else f"20{rng.randint(15, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
        units.append({"id": uid, "name": f"{rng.choice(SUR)}记{'食堂' if 'canteen' in cat else '饭店'}",
                      "township": rng.choice(J[1:])["id"], "category": cat, "licensed": lic})
        for k in range(rng.randint(1, 4)):
            items = []
            for name in ITEMS:
                applicable = not (name in ("食品添加剂", "检验运输") and rng.random() < 0.5)
                subs = []
                for s in range(3):
                    key = s == 0 and name in ("许可管理", "加工制作", "清洗消毒")
                    passed = rng.random() < quality + 0.1
                    full = [4, 3, 3][s]
                    pts = full if passed else round(full * rng.uniform(0, 0.6), 1)
                    subs.append({"points": pts, "key": key, "passed": passed})
                items.append({"item": name, "applicable": applicable, "subitems": subs})
            insps.append({"id": f"{uid}-{k + 1}", "unit": uid, "date": day(0, 395), "items": items})
        if rng.random() < 0.04:
            incidents.append({"id": f"X{len(incidents) + 1:03d}", "unit": uid, "date": day(60, 330)})
        if rng.random() < 0.1:
            penalties.append({"id": f"P{len(penalties) + 1:03d}", "unit": uid, "date": day(30, 380),
                              "kind": rng.choice(["warning", "warning", "fine", "confiscation"])})
    last = [{"id": f"L{t['id']}", "township": t["id"], "a_units": rng.randint(0, 4), "b_units": rng.randint(3, 9)} for t in J[1:]]
    write("rules/catering-grading/data/sample.json",
          {"period": {"from": "2025-01-01", "to": "2025-12-31", "as_of": "2025-12-31"}, "jurisdictions": J,
           "units": units, "inspections": insps, "incidents": incidents, "penalties": penalties, "last_year": last})


def public_places():
    units, insps, events = [], [], []
    for n in range(1, 61):
        typ = rng.choice(["hotel", "bathhouse", "barbershop", "beauty_salon", "swimming_pool", "gym"])
        uid = f"P{n:04d}"
        quality = rng.uniform(0.5, 1.0)
        units.append({"id": uid, "name": f"{rng.choice(SUR)}记{typ}", "township": rng.choice(J[1:])["id"], "type": typ})
        for k in range(rng.randint(1, 3)):
            items = []
            for i in range(12):
                mx = rng.choice([5, 10, 10, 15])
                applicable = rng.random() > 0.1
                passed = rng.random() < quality + 0.15
                items.append({"name": f"第{i + 1}项", "max": mx, "points": mx if passed else round(mx * rng.uniform(0.2, 0.8), 1),
                              "applicable": applicable, "key": i < 2, "passed": passed})
            insps.append({"id": f"{uid}-{k + 1}", "unit": uid, "date": day(31, 395), "items": items})
        if rng.random() < 0.05:
            events.append({"id": f"E{len(events) + 1:03d}", "unit": uid, "date": day(40, 390),
                           "kind": rng.choice(["infectious_outbreak", "group_health_harm"])})
    write("rules/public-places-grading/data/sample.json",
          {"period": {"from": "2025-01-01", "to": "2025-12-31"}, "jurisdictions": J, "units": units,
           "inspections": insps, "events": events})



def coordination():
    """rules/coordination-service/data/sample.json: one coordination station per township."""
    towns = [("T01", "灵溪镇"), ("T02", "龙港镇"), ("T03", "钱库镇"), ("T04", "金乡镇"), ("T05", "桥墩镇"), ("T06", "矾山镇"),
             ("T07", "马站镇"), ("T08", "宜山镇"), ("T09", "藻溪镇"), ("T10", "赤溪镇"), ("T11", "望里镇")]
    jur = [{"id": "C00", "name": "苍南县"}] + [{"id": t, "name": n, "parent": "C00"} for t, n in towns]
    stations, officers, patrols, visits, publicity = [], [], [], [], []
    for k, (t, n) in enumerate(towns):
        sid = f"S{k + 1:02d}"
        stations.append({"id": sid, "name": f"{n}卫生监督协管站", "township": t})
        for o in range(rng.choice([2, 2, 3, 3, 4])):
            officers.append({"id": f"{sid}-O{o + 1}", "station": sid, "full_time": o < rng.choice([1, 1, 2])})
        for q in range(4):
            for target in ["water_supply", "school", "illegal_practice"]:
                if rng.random() < 0.93:
                    d = datetime.date(2025, q * 3 + 1, 1) + datetime.timedelta(days=rng.randint(0, 85))
                    patrols.append({"id": f"{sid}-{target}-{q + 1}", "station": sid, "date": d.isoformat(), "target": target})
        for q in range(4):
            if rng.random() < 0.95:
                visits.append({"id": f"{sid}-V{q + 1}", "station": sid, "date": f"2025-{q * 3 + 2:02d}-1{rng.randint(0, 9)}", "kind": "supervision"})
        for b in range(6):
            if rng.random() < 0.9:
                visits.append({"id": f"{sid}-G{b + 1}", "station": sid, "date": f"2025-{b * 2 + rng.randint(1, 2):02d}-2{rng.randint(0, 8)}", "kind": "guidance"})
        for p in range(rng.choice([1, 2, 2, 3])):
            publicity.append({"id": f"{sid}-P{p + 1}", "station": sid, "date": f"2025-{rng.randint(1, 12):02d}-0{rng.randint(1, 9)}"})
    write("rules/coordination-service/data/sample.json",
          {"period": {"from": "2025-01-01", "to": "2025-12-31"}, "jurisdictions": jur, "stations": stations,
           "officers": officers, "patrols": patrols, "visits": visits, "publicity": publicity})


if __name__ == "__main__":
    catering()
    public_places()
    coordination()
