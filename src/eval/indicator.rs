//! Indicators: one pass over each population, each member counted in its jurisdiction,
//! then every jurisdiction's tally added into those above it and into the overall group.
//! What a member adds and what a tally is worth is the kind's (`crate::indicator`); met,
//! points and evidence are the same for every kind, here and in [`super::points`].

use super::groups::Groups;
use super::column::Codes;
use super::measure::View;
use super::own::Own;
use super::failed::Failed;
use super::points::{points, Points};
use super::ScoreError;
use crate::data::Dataset;
use crate::expr::compile::Expr;
use crate::expr::eval::Frame;
use crate::indicator::{Class, Tally, Valued};
use crate::num::{ArithError, Number};
use crate::outcome::{Evidence, Exact, IndicatorResult};
use crate::plan::{Indicator, NotApplicable, Plan, Scoring, Target};
use crate::value::{CollId, Value};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The results of one indicator for every group (overall last) and its exact values.
type Results = (Vec<(IndicatorResult, Points)>, Vec<Option<Number>>);

/// An arithmetic error of indicator `id` as a scoring error.
pub(crate) fn arith(id: &str, r: Result<Number, ArithError>) -> Result<Number, ScoreError> {
    r.map_err(|e| arith_error(id, e))
}

fn arith_error(id: &str, e: ArithError) -> ScoreError {
    ScoreError::Eval {
        context: format!("indicator {id}"),
        message: e.to_string(),
    }
}

fn exact(n: Number, r: crate::pack::spec::RoundingSpec) -> Exact {
    Exact::new(n, r.digits, r.mode)
}

/// One member of an indicator's population, as its kind sees it: its expressions
/// evaluated, and errors that name the indicator, the member and the expression.
pub(crate) struct MemberCx<'a> {
    frame: Frame<'a>,
    ds: &'a Dataset,
    /// `indicator <id>`.
    rule: &'a str,
    /// The indicator's id.
    id: &'a str,
    /// The groups, and the one the member counts in (its jurisdiction, or overall; looked
    /// up once the member passes the population's filter).
    groups: &'a Groups,
    home: usize,
    /// The members' collection, and its name.
    coll: CollId,
    coll_name: &'a str,
    at: usize,
}

impl MemberCx<'_> {
    /// The assessment date.
    pub(crate) fn as_of(&self) -> chrono::NaiveDate {
        self.ds.period.as_of
    }

    /// How errors name the member: `units 'U001'`.
    fn record(&self) -> String {
        let c = &self.ds.colls[self.coll as usize];
        format!("{} '{}'", self.coll_name, c.key(self.at))
    }

    fn failed(&self, e: &Expr, err: crate::expr::eval::EvalError) -> ScoreError {
        ScoreError::eval(self.rule, Some(self.record()), &e.src, err)
    }

    /// The value of `e` for the member (possibly no value).
    #[inline]
    pub fn value(&self, e: &Expr) -> Result<Value, ScoreError> {
        Ok(self.value_lent(e)?.into_owned())
    }

    /// The value of `e` for the member, lent when it is a measure or field of the member
    /// itself (a share's `of`, most often), which is then read as it is.
    #[inline]
    pub fn value_lent<'e>(&'e self, e: &'e Expr) -> Result<Cow<'e, Value>, ScoreError> {
        if let Some(v) = e.lent(&self.frame) {
            return Ok(Cow::Borrowed(v));
        }
        e.eval(&self.frame).map_err(|err| self.failed(e, err))
    }

    /// An arithmetic error in adding the member to its group's tally, located at the group.
    pub fn arith(&self, e: ArithError) -> ScoreError {
        arith_error(self.id, e).at(&self.groups.label(self.ds, self.home))
    }

    /// Whether the member meets condition `e`.
    pub fn condition(&self, e: &Expr) -> Result<bool, ScoreError> {
        e.eval_bool(&self.frame).map_err(|err| self.failed(e, err))
    }

    /// The number `e` gives for the member; no value is an error (every member needs one).
    pub fn number(&self, e: &Expr) -> Result<Number, ScoreError> {
        let v = e.eval(&self.frame).map_err(|err| self.failed(e, err))?;
        v.num().ok_or_else(|| {
            self.no_value(
                e,
                "has no value; every member needs one (filter such members out in the population)",
            )
        })
    }

    /// The error of an expression that gives no value where the kind needs one.
    pub fn no_value(&self, e: &Expr, message: &str) -> ScoreError {
        ScoreError::Eval {
            context: format!("{}, {}, in `{}`", self.rule, self.record(), e.src),
            message: message.into(),
        }
    }

    /// The member's data contradicts the rule (a negative count, say).
    pub fn bad_input(&self, message: &str) -> ScoreError {
        ScoreError::BadInput(format!("{}, {}: {message}", self.rule, self.record()))
    }

    /// A value as a category ([`category`]).
    pub fn category<'v>(&self, v: Cow<'v, Value>) -> Cow<'v, Value> {
        category(self.ds, v)
    }

    /// The dataset.
    pub fn ds(&self) -> &Dataset {
        self.ds
    }
}

/// A value as a category: itself, unless it refers to records (a record is named by its
/// key, as the outcome shows it).
#[inline]
pub(crate) fn category<'v>(ds: &Dataset, v: Cow<'v, Value>) -> Cow<'v, Value> {
    match &*v {
        Value::Rec(..) | Value::List(_) => Cow::Owned(match super::value_json(ds, &v) {
            serde_json::Value::String(s) => Value::str(&s),
            other => Value::str(&other.to_string()),
        }),
        _ => v,
    }
}

/// The keys of the records that tallies name by position: the dataset's own, or, when
/// partial results are finished ([`crate::partial`]), the keys the partials named, by
/// collection, sorted.
#[derive(Clone, Copy)]
pub(crate) enum Keys<'a> {
    /// The dataset the tallies were counted in.
    Data(&'a Dataset),
    /// Keys by collection, then position.
    Named(&'a [Vec<String>]),
}

impl Keys<'_> {
    /// The key of record `i` of collection `coll`.
    pub fn key(&self, coll: CollId, i: u32) -> &str {
        match self {
            Keys::Data(ds) => ds.colls[coll as usize].key(i as usize),
            Keys::Named(k) => k
                .get(coll as usize)
                .and_then(|c| c.get(i as usize))
                .map_or("", String::as_str),
        }
    }
}

/// One group of an indicator, as its kind sees it when it computes the group's value.
pub(crate) struct GroupCx<'a> {
    /// The dataset.
    pub ds: &'a Dataset,
    /// Where the keys of the members its tally names come from.
    pub keys: Keys<'a>,
    /// The members' collection.
    pub coll: CollId,
    id: &'a str,
    /// The group's key (`(all)` for the overall group).
    group: String,
}

impl GroupCx<'_> {
    /// An arithmetic result, its error naming the indicator.
    pub fn arith(&self, r: Result<Number, ArithError>) -> Result<Number, ScoreError> {
        arith(self.id, r)
    }

    /// Something the kind called failed (a script, say).
    pub fn failed(&self, message: String) -> ScoreError {
        ScoreError::Eval {
            context: format!("indicator {}, group {}", self.id, self.group),
            message,
        }
    }
}

/// Every indicator's results in every group (the overall group last), and its exact values.
pub(crate) type Evaluated = (Vec<Vec<(IndicatorResult, Points)>>, Vec<Vec<Option<Number>>>);

/// Evaluates every indicator for every group (the overall group last) from the tallies of
/// their members ([`super::own::tallied`]); when members failed, every member that fails
/// in the first indicator (in the pack's order) where any does, unless an indicator before
/// it fails in a group.
pub(crate) fn evaluate(
    plan: &Plan,
    ds: &Dataset,
    cols: &[super::column::Column],
    groups: &Groups,
    keys: Keys,
    tallied: Vec<Result<Option<Own>, Failed>>,
) -> Result<Evaluated, Failed> {
    let view = View { ds, cols };
    let vars = ds.period_vars();
    let mut out: Vec<Vec<(IndicatorResult, Points)>> = Vec::new();
    // exact values per indicator per group, for changes (which come after what they compare)
    let mut values: Vec<Vec<Option<Number>>> = Vec::new();
    // indicators with members are independent: their results computed in parallel, kept
    // in order
    let computed: Vec<Option<Result<Results, Failed>>> = plan
        .indicators
        .par_iter()
        .zip(tallied)
        .map(|(ind, own)| {
            let own = match own {
                Ok(Some(own)) => own,
                Ok(None) => return None,
                Err(f) => return Some(Err(f)),
            };
            Some(crate::stack::with(plan.script_stack, || {
                with_breakdown(plan, ds, &view, groups, keys, ind, own)
            }))
        })
        .collect();
    for (ind, pre) in plan.indicators.iter().zip(computed) {
        let (res, vals) = match pre {
            Some(r) => r?,
            None => crate::stack::with(plan.script_stack, || {
                of_others(plan, ds, &view, groups, keys, ind, vars.record(), &values, &out)
            })?,
        };
        out.push(res);
        values.push(vals);
    }
    Ok((out, values))
}

/// The results of one indicator with members in every group, with its breakdown by
/// category when it has one.
fn with_breakdown(
    plan: &Plan,
    ds: &Dataset,
    view: &View,
    groups: &Groups,
    keys: Keys,
    ind: &Indicator,
    own: Own,
) -> Result<Results, Failed> {
    let (mut res, vals) = results_of(plan, ds, view, groups, keys, ind, own.tallies)?;
    if ind.by.is_some() {
        let broken = super::by_category::results(plan, ds, view, groups, keys, ind, own.by)?;
        for ((r, _), cats) in res.iter_mut().zip(broken) {
            r.by = Some(cats);
        }
    }
    Ok((res, vals))
}

/// The results of an indicator computed from the indicators before it (`change`,
/// `formula`) in each group, from theirs there.
#[allow(clippy::too_many_arguments)]
fn of_others(
    plan: &Plan,
    ds: &Dataset,
    view: &View,
    groups: &Groups,
    keys: Keys,
    ind: &Indicator,
    period: &[Value],
    values: &[Vec<Option<Number>>],
    results: &[Vec<(IndicatorResult, Points)>],
) -> Result<Results, ScoreError> {
    let mut res = Vec::with_capacity(groups.count() + 1);
    let mut vals = Vec::with_capacity(groups.count() + 1);
    for g in 0..=groups.count() {
        let at = groups.label(ds, g);
        let others = crate::indicator::Others::at(period, values, results, g);
        let found = ind.kind.value_of_others(&others).map_err(|message| {
            ScoreError::Eval {
                context: format!("indicator {}", ind.id),
                message,
            }
            .at(&at)
        })?;
        let target = group_target(ind, ds, view, groups, g)?;
        let valued = Valued {
            value: found.value.clone(),
            ..Valued::default()
        };
        let cx = group_cx(ds, keys, ind, groups, g);
        let (mut r, pts) =
            group_result(plan, ind, Tally::default(), valued, target, &cx).map_err(|e| e.at(&at))?;
        r.current = found.current;
        r.baseline = found.baseline;
        res.push((r, pts));
        vals.push(found.value);
    }
    Ok((res, vals))
}

fn group_cx<'a>(
    ds: &'a Dataset,
    keys: Keys<'a>,
    ind: &'a Indicator,
    groups: &Groups,
    g: usize,
) -> GroupCx<'a> {
    GroupCx {
        ds,
        keys,
        coll: ind.coll,
        id: &ind.id,
        group: groups.key(ds, g),
    }
}

/// The results in every group (overall last) from each group's tally of its own members,
/// after adding those of the jurisdictions below it (and all of them into the overall).
pub(super) fn results_of(
    plan: &Plan,
    ds: &Dataset,
    view: &View,
    groups: &Groups,
    keys: Keys,
    ind: &Indicator,
    mut tallies: Vec<Tally>,
) -> Result<Results, Failed> {
    let cap = plan.evidence_cap;
    let own = tallies.clone();
    let overall = groups.count();
    for (g, mine) in own.iter().enumerate().take(overall) {
        for &up in groups.chains[g].iter().skip(1) {
            tallies[up as usize]
                .merge(mine, cap)
                .map_err(|e| arith_error(&ind.id, e).at(&groups.label(ds, up as usize)))?;
        }
        tallies[overall]
            .merge(mine, cap)
            .map_err(|e| arith_error(&ind.id, e).at("overall"))?;
    }
    let mut res = Vec::with_capacity(tallies.len());
    let mut vals = Vec::with_capacity(tallies.len());
    for (g, t) in tallies.into_iter().enumerate() {
        let at = groups.label(ds, g);
        let cx = group_cx(ds, keys, ind, groups, g);
        let valued = ind.kind.value(&t, &cx).map_err(|e| e.at(&at))?;
        vals.push(valued.value.clone());
        let target = group_target(ind, ds, view, groups, g)?;
        res.push(group_result(plan, ind, t, valued, target, &cx).map_err(|e| e.at(&at))?);
    }
    Ok((res, vals))
}

/// Adds a member (at its position) to a tally, with the evidence cap.
pub(super) type AddMember<'a> = dyn Fn(&MemberCx, &mut Tally, u32, usize) -> Result<(), ScoreError> + Sync + 'a;

/// How [`members_tallied`] adds a member whose kind adds only a value of its own record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Path {
    /// With the member's context, as any member.
    General,
    /// By its value's class (a coded column read value by value: for the tests that
    /// compare the paths).
    #[cfg(test)]
    ByValue,
    /// By its value's code when the value's column is coded; else by its value's class.
    ByCode,
}

/// Members per run of [`members_tallied`]: fixed, so that the runs, and the order in which
/// their tallies are merged, do not depend on the number of threads.
const RUN: usize = 1 << 14;

/// Each group's tally of its own members (overall last: the members with no jurisdiction).
/// The members are counted in runs of [`RUN`], in parallel; the runs' tallies are merged in
/// member order, which gives what counting them one by one gives (counts and sums add, the
/// lists kept by position stay in key order). The error reported is the first member's.
/// `add` adds one member to its group's tally (the kind's [`crate::indicator::Kind::add`]).
/// Unless `path` is [`Path::General`], a member of a population without a filter, whose
/// kind adds only a value its record holds ([`crate::indicator::Kind::member_value`]: a
/// field or measure of its own), is added by that value's class
/// ([`crate::indicator::Kind::class_of`]) as it is read, without a member's context (`add`
/// must then be the kind's own); with [`Path::ByCode`], when the value is a measure whose
/// column is coded, each code's class is found once and the members are counted by code.
#[allow(clippy::too_many_arguments)]
pub(super) fn members_tallied(
    plan: &Plan,
    ds: &Dataset,
    view: &View,
    vars: &[Value],
    groups: &Groups,
    ind: &Indicator,
    add: &AddMember<'_>,
    path: Path,
) -> Result<Vec<Tally>, Failed> {
    let coll = ind.coll;
    let rule = format!("indicator {}", ind.id);
    let cap = plan.evidence_cap;
    let n = ds.colls[coll as usize].len();
    let (direct, codes) = match (path, &ind.filter, ind.kind.member_value()) {
        (Path::General, ..) => (None, None),
        (path, None, Some(e)) if e.is_own_value() => (
            Some(e),
            e.own_measure()
                .filter(|_| path == Path::ByCode)
                .and_then(|m| view.cols.get(m as usize)?.codes()),
        ),
        _ => (None, None),
    };
    // each code's class, when the member's value has codes and the kind classes each
    let coded = codes.and_then(|c| {
        let classes = c.domain.iter().map(|v| ind.kind.class_of(v, ds));
        Some((c, classes.collect::<Option<Vec<Class>>>()?))
    });
    // record i as a member, when it passes the population's filter (its jurisdiction is
    // looked up only then)
    let member = |i: usize| -> Result<Option<MemberCx>, ScoreError> {
        let mut m = MemberCx {
            frame: Frame {
                data: view,
                base: Some((coll, i as u32)),
                vars,
            },
            ds,
            rule: &rule,
            id: &ind.id,
            groups,
            home: groups.count(),
            coll,
            coll_name: &plan.collections[coll as usize].name,
            at: i,
        };
        if let Some(f) = &ind.filter {
            if !m.condition(f)? {
                return Ok(None);
            }
        }
        if let Some(h) = groups.of_member(plan, ds, coll, i as u32) {
            m.home = h as usize;
        }
        Ok(Some(m))
    };
    // set when a script ran out of time: the other runs stop too
    let stopped = std::sync::atomic::AtomicBool::new(false);
    let run = |r: usize| -> Result<Vec<Tally>, ScoreError> {
        if let Some((codes, classes)) = &coded {
            return Ok(counted_by_code(plan, ds, groups, coll, codes, classes, r));
        }
        let mut tallies = vec![Tally::default(); groups.count() + 1];
        let stop = |e: ScoreError| {
            if e.stops_run() {
                stopped.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            e
        };
        for i in r * RUN..((r + 1) * RUN).min(n) {
            if stopped.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(ScoreError::Internal("a run stopped by another's script".into()));
            }
            if let Some(e) = direct {
                let frame = Frame {
                    data: view,
                    base: Some((coll, i as u32)),
                    vars,
                };
                if let Some(class) = e.lent(&frame).and_then(|v| ind.kind.class_of(v, ds)) {
                    let home = groups.of_member(plan, ds, coll, i as u32);
                    let t = &mut tallies[home.map_or(groups.count(), |h| h as usize)];
                    t.add_class(&class, i as u32, cap);
                    continue;
                }
            }
            if let Some(m) = member(i).map_err(stop)? {
                add(&m, &mut tallies[m.home], i as u32, cap).map_err(stop)?;
            }
        }
        Ok(tallies)
    };
    let runs: Vec<Result<Vec<Tally>, ScoreError>> = (0..n.div_ceil(RUN).max(1))
        .into_par_iter()
        .map(|r| crate::stack::with(plan.script_stack, || run(r)))
        .collect();
    // a script out of time stops the run, with its own error (not another run's)
    if let Some(e) = runs.iter().filter_map(|r| r.as_ref().err()).find(|e| e.stops_run()) {
        return Err(Failed::Other(e.clone()));
    }
    if let Some(e) = runs.iter().find_map(|r| r.as_ref().err()) {
        // the members that fail on their own (their filter, or added alone to an empty
        // tally), all of them in key order; none: the error is the tally's, no member's
        let failed = crate::stack::try_map(plan.script_stack, n, |i| {
            let own = member(i).and_then(|m| match m {
                Some(m) => add(&m, &mut Tally::default(), i as u32, cap),
                None => Ok(()),
            });
            Ok::<_, ScoreError>(own.err().map(|e| (i as u32, e)))
        })
        .map(|all| all.into_iter().flatten().collect())
        .unwrap_or_default();
        return Err(Failed::records(coll, failed, e.clone()));
    }
    let mut runs = runs.into_iter();
    let mut all = runs.next().unwrap_or_else(|| Ok(Vec::new()))?;
    for later in runs {
        for (g, (t, l)) in all.iter_mut().zip(later?).enumerate() {
            t.merge(&l, cap)
                .map_err(|e| arith_error(&ind.id, e).at(&groups.label(ds, g)))?;
        }
    }
    Ok(all)
}

/// Run `r`'s tallies of members whose values have `codes`, each code's class being
/// `classes[code]`: each member counted (its evidence taken in key order), each code's
/// category added once per group. When no member has a jurisdiction, the run's codes are
/// counted (a byte read a member) and only the evidence is looked for member by member,
/// until the cap.
fn counted_by_code(
    plan: &Plan,
    ds: &Dataset,
    groups: &Groups,
    coll: CollId,
    codes: &Codes,
    classes: &[Class],
    r: usize,
) -> Vec<Tally> {
    let (cap, k) = (plan.evidence_cap, classes.len());
    let run = &codes.of[r * RUN..((r + 1) * RUN).min(codes.of.len())];
    let mut tallies = vec![Tally::default(); groups.count() + 1];
    let mut counted = vec![0u64; tallies.len() * k];
    if groups.none_of(plan, coll) {
        let home = groups.count();
        for &c in run {
            counted[home * k + usize::from(c)] += 1;
        }
        let t = &mut tallies[home];
        for (class, &m) in classes.iter().zip(&counted[home * k..]) {
            t.members += m;
            t.meets += if class.meets { m } else { 0 };
            t.evidence_count += if class.evidence { m } else { 0 };
        }
        let evidence = run.iter().enumerate().filter(|(_, &c)| classes[usize::from(c)].evidence);
        t.evidence = evidence.take(cap).map(|(i, _)| (r * RUN + i) as u32).collect();
    } else {
        for (i, &c) in (r * RUN..).zip(run) {
            let c = usize::from(c);
            let home = groups
                .of_member(plan, ds, coll, i as u32)
                .map_or(groups.count(), |h| h as usize);
            tallies[home].count(i as u32, classes[c].meets, classes[c].evidence, cap);
            counted[home * k + c] += 1;
        }
    }
    for (t, counted) in tallies.iter_mut().zip(counted.chunks(k)) {
        for (class, &m) in classes.iter().zip(counted) {
            if let (Some(category), true) = (&class.category, m > 0) {
                t.categories.add_ref(category, m);
            }
        }
    }
    tallies
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
    let vars = ds.period_vars().with(Value::Rec(gc, g as u32));
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

/// Met, points, evidence and the outcome's result of one indicator in one group.
fn group_result(
    plan: &Plan,
    ind: &Indicator,
    a: Tally,
    valued: Valued,
    target: Option<Target>,
    g: &GroupCx,
) -> Result<(IndicatorResult, Points), ScoreError> {
    let id = &ind.id;
    let Valued {
        value,
        numerator,
        denominator,
    } = valued;
    let applicable = value.is_some();
    let r = ind.rounding;
    let compared = match &value {
        Some(v) if ind.compare_rounded => Some(arith(id, v.clone().round(r.digits, r.mode))?),
        v => v.clone(),
    };
    let is_each = ind.kind.every_member();
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
    let target = target.map(|t| {
        BTreeMap::from([(t.words().0.to_string(), t.bound().to_exact_string())])
    });
    Ok((
        IndicatorResult {
            title: ind.title.clone(),
            criterion: ind.criterion.clone(),
            kind: ind.kind.name().into(),
            unit: ind.unit.clone(),
            percent: ind.kind.is_percent(),
            every_member: ind.kind.every_member(),
            applicable,
            not_applicable: (!applicable).then_some(ind.not_applicable),
            value: value.map(|v| exact(v, r)),
            numerator,
            denominator,
            current: None,
            baseline: None,
            late: ind.kind.late(&a, g),
            not_yet_due: (a.not_yet_due > 0).then_some(a.not_yet_due),
            target,
            met,
            points: pts.points.clone().map(|p| exact(p, plan.rounding)),
            max_points: pts.full.as_ref().map(|f| f.to_exact_string()),
            breakdown: ind.kind.shows_breakdown().then(|| a.categories.by_name()),
            by: None,
            evidence: Evidence {
                of: ind.kind.evidence_of().into(),
                count: a.evidence_count,
                ids: a
                    .evidence
                    .iter()
                    .map(|i| g.keys.key(ind.coll, *i).to_string())
                    .collect(),
            },
            incomplete: None,
        },
        pts,
    ))
}

#[cfg(test)]
#[path = "indicator_tests.rs"]
mod tests;
