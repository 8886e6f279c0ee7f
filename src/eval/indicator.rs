//! Indicators: one pass over each population, each member counted in its jurisdiction,
//! every jurisdiction above it, and the overall group.

use super::measure::View;
use super::ScoreError;
use crate::data::Dataset;
use crate::expr::eval::Frame;
use crate::num::{ArithError, Number};
use crate::outcome::{Evidence, Exact, IndicatorResult};
use crate::plan::{Indicator, IndicatorKind, NotApplicable, Plan, Scoring, Target};
use crate::value::{CollId, Value};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// The jurisdictions of a dataset: each one's chain of ancestors.
pub struct Groups {
    coll: Option<CollId>,
    parent: Option<u16>,
    name: Option<u16>,
    chains: Vec<Vec<u32>>,
}

impl Groups {
    /// Builds the chains (the dataset reader has ruled out cycles).
    pub fn new(plan: &Plan, ds: &Dataset) -> Groups {
        let Some(g) = &plan.groups else {
            return Groups {
                coll: None,
                parent: None,
                name: None,
                chains: Vec::new(),
            };
        };
        let rows = &ds.colls[g.coll as usize].rows;
        let chains = (0..rows.len())
            .map(|j| {
                let mut chain = vec![j as u32];
                let mut cur = j;
                while let Some(Value::Rec(_, p)) = g.parent.map(|s| &rows[cur][s as usize]) {
                    if chain.len() > rows.len() {
                        break;
                    }
                    cur = *p as usize;
                    chain.push(*p);
                }
                chain
            })
            .collect();
        Groups {
            coll: Some(g.coll),
            parent: g.parent,
            name: g.name,
            chains,
        }
    }

    /// Number of jurisdictions; the overall group has this index.
    pub fn count(&self) -> usize {
        self.chains.len()
    }

    /// Key of a jurisdiction.
    pub fn key(&self, ds: &Dataset, g: usize) -> String {
        match self.coll {
            Some(c) if g < self.count() => ds.colls[c as usize].key(g).to_string(),
            _ => "(all)".into(),
        }
    }

    /// How errors name a group: `group 'T01'`, or `overall` for all jurisdictions.
    pub fn label(&self, ds: &Dataset, g: usize) -> String {
        if g < self.count() && self.coll.is_some() {
            format!("group '{}'", self.key(ds, g))
        } else {
            "overall".into()
        }
    }

    fn field(&self, ds: &Dataset, g: usize, slot: Option<u16>) -> Option<String> {
        let c = self.coll?;
        match &ds.colls[c as usize].rows.get(g)?[slot? as usize] {
            Value::Rec(c, i) => Some(ds.colls[*c as usize].key(*i as usize).to_string()),
            v => v.as_str().map(str::to_string),
        }
    }

    /// Display name of a jurisdiction.
    pub fn name(&self, ds: &Dataset, g: usize) -> Option<String> {
        self.field(ds, g, self.name)
    }

    /// Parent key of a jurisdiction.
    pub fn parent(&self, ds: &Dataset, g: usize) -> Option<String> {
        self.field(ds, g, self.parent)
    }

    /// The jurisdiction of a member, if it has one.
    fn of_member(&self, plan: &Plan, ds: &Dataset, coll: CollId, idx: u32) -> Option<u32> {
        let c = &plan.collections[coll as usize];
        match &c.jurisdiction {
            None if Some(coll) == self.coll => Some(idx),
            None => None,
            Some(hops) => {
                let mut cur = idx;
                for &(hc, slot) in hops {
                    match ds.colls[hc as usize].rows[cur as usize][slot as usize] {
                        Value::Rec(_, t) => cur = t,
                        _ => return None,
                    }
                }
                Some(cur)
            }
        }
    }
}

/// Points of one indicator in one group, for the scorecard.
#[derive(Clone, Debug, Default)]
pub struct Points {
    /// Points earned (none without scoring, or when excluded).
    pub points: Option<Number>,
    /// Full points (none without scoring).
    pub full: Option<Number>,
    /// Not applicable and excluded from the maximum.
    pub excluded: bool,
}

#[derive(Clone, Default)]
struct Acc {
    members: u64,
    meets: u64,
    num: Number,
    den: Number,
    sum: Number,
    evidence_count: u64,
    evidence: Vec<u32>,
    breakdown: BTreeMap<String, u64>,
    /// custom: the members' values, with their positions (so in key order).
    values: Vec<(u32, Value)>,
    /// timeliness: late members (capped), with their due and submission dates.
    late: Vec<(u32, chrono::NaiveDate, Option<chrono::NaiveDate>)>,
}

/// The first `cap` of two lists in key order, in key order.
fn merged<T: Clone>(a: &[T], b: &[T], cap: usize, pos: impl Fn(&T) -> u32) -> Vec<T> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity((a.len() + b.len()).min(cap));
    while out.len() < cap && (i < a.len() || j < b.len()) {
        if j == b.len() || (i < a.len() && pos(&a[i]) < pos(&b[j])) {
            out.push(a[i].clone());
            i += 1;
        } else {
            out.push(b[j].clone());
            j += 1;
        }
    }
    out
}

impl Acc {
    /// Adds another group's members (none of them this group's own), as if they had been
    /// added one by one: counts and sums add, lists stay in key order within their caps.
    fn merge(&mut self, o: &Acc, cap: usize, id: &str) -> Result<(), ScoreError> {
        self.members += o.members;
        self.meets += o.meets;
        self.num = arith(id, self.num.clone().add(o.num.clone()))?;
        self.den = arith(id, self.den.clone().add(o.den.clone()))?;
        self.sum = arith(id, self.sum.clone().add(o.sum.clone()))?;
        self.evidence_count += o.evidence_count;
        self.evidence = merged(&self.evidence, &o.evidence, cap, |i| *i);
        self.late = merged(&self.late, &o.late, cap, |l| l.0);
        self.values = merged(&self.values, &o.values, usize::MAX, |v| v.0);
        for (k, n) in &o.breakdown {
            *self.breakdown.entry(k.clone()).or_default() += n;
        }
        Ok(())
    }
}

fn arith(id: &str, r: Result<Number, ArithError>) -> Result<Number, ScoreError> {
    r.map_err(|e| ScoreError::Eval {
        context: format!("indicator {id}"),
        message: e.to_string(),
    })
}

fn exact(n: Number, r: crate::pack::spec::RoundingSpec) -> Exact {
    Exact {
        exact: n.to_exact_string(),
        display: n
            .to_fixed(r.digits, r.mode)
            .unwrap_or_else(|e| e.to_string()),
    }
}

fn category(ds: &Dataset, v: &Value) -> String {
    match super::value_json(ds, v) {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Evaluates every indicator for every group (the overall group last).
#[allow(clippy::type_complexity)]
pub fn evaluate(
    plan: &Plan,
    ds: &Dataset,
    cols: &[Vec<Value>],
    groups: &Groups,
) -> Result<Vec<Vec<(IndicatorResult, Points)>>, ScoreError> {
    let view = View { ds, cols };
    let vars = ds.record_vars();
    let mut out: Vec<Vec<(IndicatorResult, Points)>> = Vec::new();
    // exact values per indicator per group, for changes (which come after what they compare)
    let mut values: Vec<Vec<Option<Number>>> = Vec::new();
    // indicators other than changes are independent: computed in parallel, in order
    #[allow(clippy::type_complexity)]
    let computed: Vec<
        Option<Result<(Vec<(IndicatorResult, Points)>, Vec<Option<Number>>), ScoreError>>,
    > = plan
        .indicators
        .par_iter()
        .map(|ind| match ind.kind {
            IndicatorKind::Change { .. } => None,
            _ => Some(crate::stack::with(plan.script_stack, || {
                indicator(plan, ds, &view, &vars, groups, ind)
            })),
        })
        .collect();
    let mut plain = computed.into_iter();
    for ind in &plan.indicators {
        let pre = plain.next().flatten();
        if let IndicatorKind::Change { current, baseline } = ind.kind {
            let mut res = Vec::with_capacity(groups.count() + 1);
            let mut vals = Vec::with_capacity(groups.count() + 1);
            for (c, b) in values[current].iter().zip(&values[baseline]) {
                let value = match (c, b) {
                    (Some(c), Some(b)) => Some(
                        arith(&ind.id, c.clone().sub(b.clone()))
                            .map_err(|e| e.at(&groups.label(ds, res.len())))?,
                    ),
                    _ => None,
                };
                let target = group_target(ind, ds, &view, groups, res.len())?;
                let parts = (value.clone(), None, None);
                let (mut r, pts) = finish(plan, ds, ind, Acc::default(), parts, target)
                    .map_err(|e| e.at(&groups.label(ds, res.len())))?;
                r.current = c.as_ref().map(|x| x.to_exact_string());
                r.baseline = b.as_ref().map(|x| x.to_exact_string());
                res.push((r, pts));
                vals.push(value);
            }
            out.push(res);
            values.push(vals);
            continue;
        }
        let (res, vals) = match pre {
            Some(r) => r?,
            None => indicator(plan, ds, &view, &vars, groups, ind)?,
        };
        out.push(res);
        values.push(vals);
    }
    Ok(out)
}

/// The results of one indicator that is not a change, for every group (overall last), and
/// its exact values.
#[allow(clippy::type_complexity)]
fn indicator(
    plan: &Plan,
    ds: &Dataset,
    view: &View,
    vars: &[Value],
    groups: &Groups,
    ind: &Indicator,
) -> Result<(Vec<(IndicatorResult, Points)>, Vec<Option<Number>>), ScoreError> {
    let coll = ind.coll;
    let cname = &plan.collections[coll as usize].name;
    let rule = format!("indicator {}", ind.id);
    // each member is counted in its own jurisdiction (or, without one, only overall); the
    // jurisdictions above and the overall group add up their members' afterwards
    let mut accs = vec![Acc::default(); groups.count() + 1];
    let cap = plan.evidence_cap;
    for i in 0..ds.colls[coll as usize].rows.len() {
        let frame = Frame {
            data: view,
            base: Some((coll, i as u32)),
            vars,
        };
        let rec = || Some(format!("{cname} '{}'", ds.colls[coll as usize].key(i)));
        if let Some(f) = &ind.filter {
            if !f
                .eval_bool(&frame)
                .map_err(|e| ScoreError::eval(&rule, rec(), &f.src, e))?
            {
                continue;
            }
        }
        let number = |e: &crate::expr::compile::Expr| -> Result<Number, ScoreError> {
            match e.eval(&frame).map_err(|err| ScoreError::eval(&rule, rec(), &e.src, err))?.num() {
                Some(x) => Ok(x),
                None => Err(ScoreError::Eval {
                    context: format!("{rule}, {}, in `{}`", rec().unwrap_or_default(), e.src),
                    message: "has no value; every member needs one (filter such members out in the population)".into(),
                }),
            }
        };
        let cond = |e: &crate::expr::compile::Expr| {
            e.eval_bool(&frame)
                .map_err(|err| ScoreError::eval(&rule, rec(), &e.src, err))
        };
        let mut custom = None;
        let mut late = None;
        let (meets, num, den, val, cat) = match &ind.kind {
            IndicatorKind::Timeliness { due, submitted, .. } => {
                let d = match *due
                    .eval(&frame)
                    .map_err(|e| ScoreError::eval(&rule, rec(), &due.src, e))?
                {
                    Value::Date(d) => d,
                    _ => {
                        return Err(ScoreError::Eval {
                            context: format!(
                                "{rule}, {}, in `{}`",
                                rec().unwrap_or_default(),
                                due.src
                            ),
                            message: "has no value; every member needs a due date".into(),
                        })
                    }
                };
                let s = match *submitted
                    .eval(&frame)
                    .map_err(|e| ScoreError::eval(&rule, rec(), &submitted.src, e))?
                {
                    Value::Date(s) => Some(s),
                    _ => None,
                };
                let on_time = s.is_some_and(|s| s <= d);
                if !on_time {
                    late = Some((d, s));
                }
                (on_time, None, None, None, None)
            }
            IndicatorKind::Custom { value, .. } => {
                custom = Some(
                    value
                        .eval(&frame)
                        .map_err(|e| ScoreError::eval(&rule, rec(), &value.src, e))?
                        .into_owned(),
                );
                (true, None, None, None, None)
            }
            IndicatorKind::Rate { numerator } => (cond(numerator)?, None, None, None, None),
            IndicatorKind::Each { require } => (cond(require)?, None, None, None, None),
            IndicatorKind::Ratio {
                numerator,
                denominator,
            } => {
                let (n, d) = (number(numerator)?, number(denominator)?);
                if n.is_negative() || d.is_negative() {
                    return Err(ScoreError::BadInput(format!(
                        "{rule}, {}: a negative count ({n} ÷ {d}) is bad input",
                        rec().unwrap_or_default()
                    )));
                }
                (n >= d, Some(n), Some(d), None, None)
            }
            IndicatorKind::Count => (true, None, None, None, None),
            IndicatorKind::Sum { value } | IndicatorKind::Mean { value } => {
                (true, None, None, Some(number(value)?), None)
            }
            IndicatorKind::Change { .. } => (true, None, None, None, None),
            IndicatorKind::Share { of, among } => {
                let v = of
                    .eval(&frame)
                    .map_err(|e| ScoreError::eval(&rule, rec(), &of.src, e))?;
                (among.contains(&v), None, None, None, Some(category(ds, &v)))
            }
        };
        let counts_as_evidence = match ind.kind {
            IndicatorKind::Count
            | IndicatorKind::Sum { .. }
            | IndicatorKind::Mean { .. }
            | IndicatorKind::Custom { .. } => true,
            _ => !meets,
        };
        let home = groups.of_member(plan, ds, coll, i as u32);
        {
            let g = home.map_or(groups.count(), |h| h as usize);
            let a = &mut accs[g];
            a.members += 1;
            if meets {
                a.meets += 1;
            }
            let add = |sum: &mut Number, x: Number| -> Result<(), ScoreError> {
                *sum = arith(&ind.id, std::mem::take(sum).add(x))
                    .map_err(|e| e.at(&groups.label(ds, g)))?;
                Ok(())
            };
            if let (Some(n), Some(d)) = (num, den) {
                add(&mut a.num, n)?;
                add(&mut a.den, d)?;
            }
            if let Some(v) = val {
                add(&mut a.sum, v)?;
            }
            if let Some(c) = &cat {
                *a.breakdown.entry(c.clone()).or_default() += 1;
            }
            if let Some(v) = custom {
                a.values.push((i as u32, v));
            }
            if let Some((d, s)) = late {
                if a.late.len() < cap {
                    a.late.push((i as u32, d, s));
                }
            }
            if counts_as_evidence {
                a.evidence_count += 1;
                if a.evidence.len() < cap {
                    a.evidence.push(i as u32);
                }
            }
        }
    }
    let own = accs.clone();
    let overall = groups.count();
    for (g, mine) in own.iter().enumerate().take(overall) {
        for &up in groups.chains[g].iter().skip(1) {
            let at = || groups.label(ds, up as usize);
            accs[up as usize]
                .merge(mine, cap, &ind.id)
                .map_err(|e| e.at(&at()))?;
        }
        accs[overall]
            .merge(mine, cap, &ind.id)
            .map_err(|e| e.at("overall"))?;
    }
    let mut res = Vec::with_capacity(accs.len());
    let mut vals = Vec::with_capacity(accs.len());
    for (g, a) in accs.into_iter().enumerate() {
        let at = groups.label(ds, g);
        let v = value_of(ind, &a, &groups.key(ds, g)).map_err(|e| e.at(&at))?;
        vals.push(v.0.clone());
        let target = group_target(ind, ds, view, groups, g)?;
        res.push(finish(plan, ds, ind, a, v, target).map_err(|e| e.at(&at))?);
    }
    Ok((res, vals))
}

fn pct(a: u64, b: u64, id: &str) -> Result<Number, ScoreError> {
    arith(
        id,
        Number::from_int(a as i128)
            .mul(Number::from_int(100))
            .and_then(|x| x.div(Number::from_int(b as i128))),
    )
}

/// The target of an indicator in group `g`: `target_by_group` evaluated for the jurisdiction,
/// or the pack's target (overall, and where the expression gives no value).
fn group_target(
    ind: &Indicator,
    ds: &Dataset,
    view: &View,
    groups: &Groups,
    g: usize,
) -> Result<Option<Target>, ScoreError> {
    let (Some(e), Some(t), Some(gc)) = (&ind.target_by_group, &ind.target, groups.coll) else {
        return Ok(ind.target.clone());
    };
    if g >= groups.count() {
        return Ok(ind.target.clone());
    }
    let p = &ds.period;
    let vars = [
        Value::Date(p.from),
        Value::Date(p.to),
        Value::Date(p.as_of),
        Value::Rec(gc, g as u32),
    ];
    let frame = Frame {
        data: view,
        base: None,
        vars: &vars,
    };
    let rule = format!("indicator {} target_by_group", ind.id);
    let group = Some(format!("group '{}'", groups.key(ds, g)));
    Ok(
        match e
            .eval(&frame)
            .map_err(|err| ScoreError::eval(&rule, group, &e.src, err))?
            .num()
        {
            Some(x) => Some(t.with(x)),
            None => Some(t.clone()),
        },
    )
}

/// An indicator's value, numerator and denominator in one group.
type ValueParts = (Option<Number>, Option<String>, Option<String>);

fn value_of(ind: &Indicator, a: &Acc, group: &str) -> Result<ValueParts, ScoreError> {
    let id = &ind.id;
    let int = |n: u64| Some(n.to_string());
    Ok(match &ind.kind {
        IndicatorKind::Change { .. } => (None, None, None),
        IndicatorKind::Custom { script, .. } => {
            let v = script
                .call(&[Value::List(
                    a.values.iter().map(|(_, v)| v.clone()).collect(),
                )])
                .map_err(|m| ScoreError::Eval {
                    context: format!("indicator {id}, group {group}"),
                    message: m,
                })?;
            let v = v.num();
            (v, None, int(a.members))
        }
        IndicatorKind::Rate { .. }
        | IndicatorKind::Each { .. }
        | IndicatorKind::Share { .. }
        | IndicatorKind::Timeliness { .. } => {
            let v = if a.members == 0 {
                None
            } else {
                Some(pct(a.meets, a.members, id)?)
            };
            (v, int(a.meets), int(a.members))
        }
        IndicatorKind::Ratio { .. } => {
            if a.num > a.den {
                return Err(ScoreError::BadInput(format!(
                    "indicator {id}, group {group}: the numerator {} exceeds the denominator {}; a rate above 100% is bad input",
                    a.num, a.den
                )));
            }
            let v = if a.den.is_zero() {
                None
            } else {
                Some(arith(
                    id,
                    a.num
                        .clone()
                        .mul(Number::from_int(100))
                        .and_then(|x| x.div(a.den.clone())),
                )?)
            };
            (
                v,
                Some(a.num.to_exact_string()),
                Some(a.den.to_exact_string()),
            )
        }
        IndicatorKind::Count => (Some(Number::from_int(a.members as i128)), None, None),
        IndicatorKind::Sum { .. } => (Some(a.sum.clone()), None, int(a.members)),
        IndicatorKind::Mean { .. } => {
            let v = if a.members == 0 {
                None
            } else {
                Some(arith(
                    id,
                    a.sum.clone().div(Number::from_int(a.members as i128)),
                )?)
            };
            (v, None, int(a.members))
        }
    })
}

fn finish(
    plan: &Plan,
    ds: &Dataset,
    ind: &Indicator,
    a: Acc,
    parts: ValueParts,
    target: Option<Target>,
) -> Result<(IndicatorResult, Points), ScoreError> {
    let id = &ind.id;
    let (value, numerator, denominator) = parts;
    let applicable = value.is_some();
    let r = ind.rounding;
    let compared = match &value {
        Some(v) if ind.compare_rounded => Some(arith(id, v.clone().round(r.digits, r.mode))?),
        v => v.clone(),
    };
    let is_each = matches!(ind.kind, IndicatorKind::Each { .. });
    let met = match compared {
        None => match ind.not_applicable {
            NotApplicable::Met => Some(true),
            NotApplicable::NotMet => Some(false),
            NotApplicable::Excluded => None,
        },
        Some(_) if is_each => Some(a.meets == a.members),
        Some(ref v) => target.as_ref().map(|t| match t {
            Target::Min(x) => v >= x,
            Target::Max(x) => v <= x,
            Target::Exactly(x) => v == x,
            Target::Above(x) => v > x,
            Target::Below(x) => v < x,
        }),
    };
    let mut pts = Points {
        points: None,
        full: ind.scoring.as_ref().map(|s| s.full()),
        excluded: false,
    };
    if let Some(s) = &ind.scoring {
        pts.points = match (compared, ind.not_applicable) {
            (None, NotApplicable::Excluded) => {
                pts.excluded = true;
                None
            }
            (None, NotApplicable::Met) => Some(s.full()),
            (None, NotApplicable::NotMet) => Some(match s {
                Scoring::Deduction { floor, .. } => floor.clone(),
                _ => Number::ZERO,
            }),
            (Some(v), _) => Some(points(
                s.clone(),
                v,
                target.clone(),
                met,
                is_each.then_some(a.members - a.meets),
                id,
            )?),
        };
    }
    let evidence_of = match ind.kind {
        IndicatorKind::Rate { .. } => "not meeting the numerator",
        IndicatorKind::Ratio { .. } => "numerator below denominator",
        IndicatorKind::Each { .. } => "not meeting the requirement",
        IndicatorKind::Share { .. } => "not among the categories counted",
        IndicatorKind::Change { .. } => "none (a change compares two indicators)",
        IndicatorKind::Timeliness { .. } => "late or not submitted",
        _ => "members",
    };
    let members = &ds.colls[ind.coll as usize];
    let target = target.map(|t| {
        let (k, v) = match t {
            Target::Min(x) => ("min", x),
            Target::Max(x) => ("max", x),
            Target::Exactly(x) => ("exactly", x),
            Target::Above(x) => ("above", x),
            Target::Below(x) => ("below", x),
        };
        BTreeMap::from([(k.to_string(), v.to_exact_string())])
    });
    Ok((
        IndicatorResult {
            title: ind.title.clone(),
            criterion: ind.criterion.clone(),
            kind: ind.kind.name().into(),
            applicable,
            not_applicable: (!applicable).then_some(ind.not_applicable),
            value: value.map(|v| exact(v, r)),
            numerator,
            denominator,
            current: None,
            baseline: None,
            late: match &ind.kind {
                IndicatorKind::Timeliness { calendar, .. } => Some(
                    a.late
                        .iter()
                        .map(|(i, due, sub)| {
                            let until = sub.unwrap_or(ds.period.as_of);
                            crate::outcome::Late {
                                key: members.key(*i as usize).to_string(),
                                due: due.to_string(),
                                submitted: sub.map(|s| s.to_string()),
                                days_late: (until - *due).num_days(),
                                working_days_late: calendar
                                    .as_ref()
                                    .and_then(|c| c.working_days_between(*due, until).ok()),
                            }
                        })
                        .collect(),
                ),
                _ => None,
            },
            target,
            met,
            points: pts.points.clone().map(|p| exact(p, plan.rounding)),
            max_points: pts.full.as_ref().map(|f| f.to_exact_string()),
            breakdown: matches!(ind.kind, IndicatorKind::Share { .. }).then_some(a.breakdown),
            evidence: Evidence {
                of: evidence_of.into(),
                count: a.evidence_count,
                ids: a
                    .evidence
                    .iter()
                    .map(|i| members.key(*i as usize).to_string())
                    .collect(),
            },
        },
        pts,
    ))
}

/// Points of an applicable indicator.
fn points(
    s: Scoring,
    v: Number,
    target: Option<Target>,
    met: Option<bool>,
    failing: Option<u64>,
    id: &str,
) -> Result<Number, ScoreError> {
    let zero = Number::ZERO;
    Ok(match s {
        Scoring::AllOrNothing(p) => {
            if met == Some(true) {
                p
            } else {
                zero
            }
        }
        Scoring::Proportional(p) => {
            let share = match target {
                Some(Target::Min(t)) if t.is_zero() || v >= t => Number::ONE,
                Some(Target::Min(t)) => arith(id, v.max(zero).div(t))?,
                Some(Target::Max(t)) if v <= t || v.is_zero() => Number::ONE,
                Some(Target::Max(t)) => arith(id, t.max(zero).div(v))?,
                _ => {
                    if met == Some(true) {
                        Number::ONE
                    } else {
                        zero
                    }
                }
            };
            arith(id, p.mul(share))?
        }
        Scoring::Deduction {
            points,
            per,
            unit,
            floor,
        } => {
            let short = match (failing, target) {
                (Some(f), _) => Number::from_int(f as i128),
                (None, Some(Target::Min(t))) => arith(id, t.sub(v))?.max(zero),
                (None, Some(Target::Max(t))) => arith(id, v.sub(t))?.max(zero),
                (None, Some(Target::Exactly(t))) => arith(id, v.sub(t).and_then(|d| d.abs()))?,
                (None, Some(Target::Above(t))) => arith(id, t.sub(v))?.max(zero),
                (None, Some(Target::Below(t))) => arith(id, v.sub(t))?.max(zero),
                (None, None) => zero,
            };
            let mut units = arith(id, short.div(unit))?.ceil();
            if met == Some(false) {
                units = units.max(Number::ONE); // a strict target missed exactly at its bound is one shortfall
            }
            let left = arith(id, points.sub(arith(id, per.mul(units))?))?;
            left.max(floor)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse(s).unwrap()
    }

    #[test]
    fn scoring_rules() {
        let min90 = Some(Target::Min(n("90")));
        assert_eq!(
            points(
                Scoring::AllOrNothing(n("10")),
                n("90"),
                min90.clone(),
                Some(true),
                None,
                "x"
            )
            .unwrap(),
            n("10")
        );
        assert_eq!(
            points(
                Scoring::AllOrNothing(n("10")),
                n("89.9"),
                min90.clone(),
                Some(false),
                None,
                "x"
            )
            .unwrap(),
            n("0")
        );
        assert_eq!(
            points(
                Scoring::Proportional(n("10")),
                n("45"),
                min90.clone(),
                Some(false),
                None,
                "x"
            )
            .unwrap(),
            n("5")
        );
        assert_eq!(
            points(
                Scoring::Proportional(n("10")),
                n("95"),
                min90.clone(),
                Some(true),
                None,
                "x"
            )
            .unwrap(),
            n("10")
        );
        let ded = Scoring::Deduction {
            points: n("10"),
            per: n("2"),
            unit: n("1"),
            floor: n("1"),
        };
        // 2.5 points short of 90 = 3 shortfalls of 1 -> 10 - 6 = 4
        assert_eq!(
            points(
                ded.clone(),
                n("87.5"),
                min90.clone(),
                Some(false),
                None,
                "x"
            )
            .unwrap(),
            n("4")
        );
        // 7 failing members -> 10 - 14 -> floor 1
        assert_eq!(
            points(ded.clone(), n("50"), None, Some(false), Some(7), "x").unwrap(),
            n("1")
        );
        assert_eq!(
            points(ded.clone(), n("100"), None, Some(true), Some(0), "x").unwrap(),
            n("10")
        );
        let max = Some(Target::Max(n("5")));
        assert_eq!(
            points(
                Scoring::Proportional(n("10")),
                n("10"),
                max,
                Some(false),
                None,
                "x"
            )
            .unwrap(),
            n("5")
        );
    }
}
