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
/// ([`Kind::member`]) add, and so does one added straight from its members' values
/// ([`Kind::add_value`], the direct path), for every indicator of every shipped pack on
/// its sample.
#[test]
fn added_as_contributed() {
    let mut checked = 0;
    let mut directs = 0;
    for pack in std::fs::read_dir("rules").unwrap() {
        let dir = pack.unwrap().path();
        let sample = dir.join("data/sample.json");
        if !dir.join("pack.json").exists() || !sample.exists() {
            continue;
        }
        let plan = crate::Plan::load(&dir).unwrap();
        let ds = plan.read(&std::fs::read_to_string(&sample).unwrap()).unwrap();
        let cols = super::super::measure::compute(&plan, &ds).unwrap();
        let view = View { ds: &ds, cols: &cols };
        let groups = Groups::new(&plan, &ds);
        let vars = ds.period_vars();
        for ind in plan.indicators.iter().filter(|i| !i.kind.of_others()) {
            let tallied = |add: &AddMember<'_>, direct: bool| {
                members_tallied(&plan, &ds, &view, vars.record(), &groups, ind, add, direct)
                    .map(|ts| ts.iter().map(seen).collect::<Vec<_>>())
                    .map_err(|e| e.first().to_string())
            };
            let added = tallied(&|m, t, at, cap| ind.kind.add(m, t, at, cap), false);
            let contributed = tallied(
                &|m, t, at, cap| {
                    let c = Kind::member(&*ind.kind, m)?;
                    t.add(at, c, cap).map_err(|e| m.arith(e))
                },
                false,
            );
            let direct = tallied(&|m, t, at, cap| ind.kind.add(m, t, at, cap), true);
            assert_eq!(added, contributed, "{} {}", dir.display(), ind.id);
            assert_eq!(added, direct, "{} {}", dir.display(), ind.id);
            directs += usize::from(
                ind.filter.is_none() && ind.kind.member_value().is_some_and(|e| e.is_own_value()),
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} indicators checked");
    assert!(directs > 0, "no indicator took the direct path");
}
