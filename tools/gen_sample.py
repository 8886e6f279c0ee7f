#!/usr/bin/env python3
"""Generates rules/supervision-coverage/data/sample.json: a realistic county (苍南县)
with eight townships, a few hundred units of every category, their 2025 inspections
(and some from 2024, outside the period), events and leads, complaints and cases.
Deterministic: the same seed gives the same bytes. Run from the repository root."""
import json
import random

rng = random.Random(2025)
TOWNSHIPS = [("T01", "灵溪镇"), ("T02", "龙港镇"), ("T03", "钱库镇"), ("T04", "金乡镇"),
             ("T05", "桥墩镇"), ("T06", "矾山镇"), ("T07", "马站镇"), ("T08", "宜山镇")]
CATEGORIES = [("catering", 0.42, ["饭店", "小吃店", "餐馆", "酒楼"]),
              ("school_canteen", 0.09, ["小学食堂", "中学食堂", "幼儿园食堂"]),
              ("hotel", 0.10, ["宾馆", "旅馆", "酒店"]),
              ("public_place", 0.13, ["浴室", "理发店", "游泳馆", "美容院"]),
              ("water_supply", 0.06, ["水厂", "二次供水站"]),
              ("clinic", 0.11, ["诊所", "卫生室"]),
              ("occupational", 0.09, ["鞋业有限公司", "印刷厂", "塑料制品厂"])]
SURNAMES = "陈林黄张王李吴刘郑杨蔡周徐谢金叶"


def day(year, lo=1, hi=365):
    import datetime
    return (datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(lo, hi) - 1)).isoformat()


def main():
    jur = [{"id": "C00", "name": "苍南县", "level": "county", "parent": None}]
    jur += [{"id": t, "name": n, "level": "township", "parent": "C00"} for t, n in TOWNSHIPS]
    units, inspections, events, complaints, cases = [], [], [], [], []
    # townships differ: T01/T02 are large and diligent, T07/T08 fall short
    size = {"T01": 70, "T02": 64, "T03": 40, "T04": 36, "T05": 30, "T06": 24, "T07": 30, "T08": 26}
    diligence = {"T01": 0.99, "T02": 0.98, "T03": 0.96, "T04": 0.95, "T05": 0.93, "T06": 0.97, "T07": 0.85, "T08": 0.88}
    n = 0
    for t, _ in TOWNSHIPS:
        d = diligence[t]
        for _ in range(size[t]):
            n += 1
            r = rng.random()
            acc = 0
            for cat, share, kinds in CATEGORIES:
                acc += share
                if r <= acc:
                    break
            uid = f"U{n:04d}"
            unit = {"id": uid, "name": f"{rng.choice(SURNAMES)}记{rng.choice(kinds)}", "category": cat,
                    "township": t, "status": "closed" if rng.random() < 0.04 else "active",
                    "archived": rng.random() < d + 0.02}
            if cat == "occupational":
                unit["hazard_declared"] = rng.random() < d
            units.append(unit)
            visits = rng.choices([0, 1, 2, 3, 4], weights=[1 - d, 3 * (1 - d) + 0.05, 0.5, 0.3, 0.1])[0]
            for k in range(visits):
                kind = "routine" if k == 0 or rng.random() < 0.7 else rng.choice(["special", "follow_up"])
                inspections.append({"id": f"I{len(inspections) + 1:05d}", "unit": uid, "date": day(2025), "kind": kind})
            if rng.random() < 0.3:
                inspections.append({"id": f"I{len(inspections) + 1:05d}", "unit": uid, "date": day(2024, 200), "kind": "routine"})
        for _ in range(rng.randint(6, 14)):
            events.append({"id": f"E{len(events) + 1:04d}", "township": t,
                           "category": rng.choice(["food", "food", "water", "school", "illegal_practice", "illegal_blood"]),
                           "found": day(2025), "reported": rng.random() < d + 0.03})
        for _ in range(rng.randint(3, 9)):
            complaints.append({"id": f"Q{len(complaints) + 1:04d}", "township": t, "received": day(2025),
                               "recorded": rng.random() < d + 0.04, "reported": rng.random() < d + 0.04})
        for _ in range(rng.randint(10, 22)):
            cases.append({"id": f"K{len(cases) + 1:04d}", "township": t, "accepted": day(2025),
                          "closed": rng.random() < d - 0.08})
    data = {"period": {"from": "2025-01-01", "to": "2025-12-31"}, "jurisdictions": jur, "units": units,
            "inspections": inspections, "events": events, "complaints": complaints, "cases": cases}
    with open("rules/supervision-coverage/data/sample.json", "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
