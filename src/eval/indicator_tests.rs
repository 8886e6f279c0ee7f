//! Tests of `eval::indicator`.

use super::*;
use crate::indicator::Kind;

/// What a tally holds, comparable.
fn seen(t: &Tally) -> String {
    format!(
        "{} {} {:?} {:?} {:?} {} {:?} {:?} {:?} {:?}",
        t.members,
        t.meets,
        t.num,
        t.den,
        t.sum,
        t.evidence_count,
        t.evidence,
        t.categories.by_name(),
        t.values,
        t.late
    )
}

/// A kind that adds its members itself ([`Kind::add`]) adds what its contributions
/// ([`Kind::member`]) add, and so does one added by its members' values' classes
/// ([`Kind::class_of`], the direct path), read one by one or counted by their codes, for
/// every indicator of every shipped pack on its sample.
#[test]
fn added_as_contributed() {
    let mut checked = 0;
    let mut directs = 0;
    let mut coded = 0;
    for pack in std::fs::read_dir("rules").unwrap() {
        let dir = pack.unwrap().path();
        let sample = dir.join("data/sample.json");
        if !dir.join("pack.json").exists() || !sample.exists() {
            continue;
        }
        let plan = crate::Plan::load(&dir).unwrap();
        let ds = plan.read(&std::fs::read_to_string(&sample).unwrap()).unwrap();
        let cols = super::super::measure::computed(&plan, &ds).map_err(|f| f.first()).unwrap();
        let view = View { ds: &ds, cols: &cols };
        let groups = Groups::new(&plan, &ds);
        let vars = ds.period_vars();
        for ind in plan.indicators.iter().filter(|i| !i.kind.of_others()) {
            let tallied = |add: &AddMember<'_>, path: Path| {
                members_tallied(&plan, &ds, &view, vars.record(), &groups, ind, add, path)
                    .map(|ts| ts.iter().map(seen).collect::<Vec<_>>())
                    .map_err(|e| e.first().to_string())
            };
            let added = tallied(&|m, t, at, cap| ind.kind.add(m, t, at, cap), Path::General);
            let contributed = tallied(
                &|m, t, at, cap| {
                    let c = Kind::member(&*ind.kind, m)?;
                    t.add(at, c, cap).map_err(|e| m.arith(e))
                },
                Path::General,
            );
            let direct = tallied(&|m, t, at, cap| ind.kind.add(m, t, at, cap), Path::ByValue);
            let by_code = tallied(&|m, t, at, cap| ind.kind.add(m, t, at, cap), Path::ByCode);
            assert_eq!(added, contributed, "{} {}", dir.display(), ind.id);
            assert_eq!(added, direct, "{} {}", dir.display(), ind.id);
            assert_eq!(added, by_code, "{} {}", dir.display(), ind.id);
            let value = ind.kind.member_value().filter(|e| ind.filter.is_none() && e.is_own_value());
            directs += usize::from(value.is_some());
            coded += usize::from(
                value.and_then(|e| e.own_measure()).is_some_and(|m| cols[m as usize].codes().is_some()),
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} indicators checked");
    assert!(directs > 0, "no indicator took the direct path");
    assert!(coded > 0, "no indicator counted its members by code");
}

/// Members counted by code without jurisdictions (a byte each, the evidence looked for
/// only until the cap) tally as when added one by one: over several runs of members,
/// with more evidence than the cap, for a share of grades from the place-grading pack.
#[test]
fn counted_by_code_over_runs_as_one_by_one() {
    let plan = crate::Plan::load("rules/place-grading").unwrap();
    let n = 2 * RUN + 1_000;
    let lines: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"places": {{"id": "P{i:06}", "key_failed": {}, "outbreak": {}, "score": {}.{}}}}}"#,
                i % 31 == 0,
                i % 97 == 0,
                40 + i * 7 % 61,
                i % 10
            )
        })
        .collect();
    let ds = plan.read_ndjson(lines.join("\n").as_bytes()).unwrap();
    let cols = super::super::measure::computed(&plan, &ds).map_err(|f| f.first()).unwrap();
    assert!(cols.iter().any(|c| c.codes().is_some()), "the grades are coded");
    let view = View { ds: &ds, cols: &cols };
    let groups = Groups::new(&plan, &ds);
    assert!(plan.indicators.iter().all(|i| groups.none_of(&plan, i.coll)));
    let vars = ds.period_vars();
    let ind = &plan.indicators[0];
    let add = |m: &MemberCx, t: &mut Tally, at, cap| ind.kind.add(m, t, at, cap);
    let tallied = |path| members_tallied(&plan, &ds, &view, vars.record(), &groups, ind, &add, path).unwrap();
    let (general, by_code) = (tallied(Path::General), tallied(Path::ByCode));
    assert_eq!(general.iter().map(seen).collect::<Vec<_>>(), by_code.iter().map(seen).collect::<Vec<_>>());
    let all = &by_code[groups.count()];
    assert_eq!(all.members, n as u64);
    assert!(all.meets > 0 && all.meets < all.members);
    assert!(all.evidence_count > plan.evidence_cap as u64, "more evidence than the cap");
    assert_eq!(all.evidence.len(), plan.evidence_cap);
}
