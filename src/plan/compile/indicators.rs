//! Indicators: what every kind shares (the population, target, scoring, not-applicable
//! treatment, comparison and rounding), and [`KindCx`], through which a kind's own file
//! (`crate::indicator`) checks and compiles its fields.

use super::*;
use crate::indicator::{Kind, KindSpec, NAMES};
use crate::json_locate::Seg;

/// An indicator's members: a collection, and the condition they meet.
pub(super) struct Members {
    coll: CollId,
    filter: Option<Expr>,
}

/// What a kind's compilation sees: its place in the pack, the expressions it may compile
/// over its members, and the indicators compiled before it.
pub(crate) struct KindCx<'c, 'a> {
    compiler: &'c Compiler<'a>,
    path: &'c JsonPath,
    others: &'c [Indicator],
    members: Option<Members>,
    /// What the kind's expressions read, recorded as they are compiled (what the
    /// indicator's value depends on: see [`crate::plan::inputs`]).
    reads: std::cell::RefCell<Reads>,
}

/// The measures and earlier indicators an indicator's expressions read.
#[derive(Default)]
struct Reads {
    measures: Vec<MeasureId>,
    indicators: Vec<usize>,
}

impl KindCx<'_, '_> {
    /// The path of the indicator's field `key`.
    pub fn path(&self, key: &str) -> JsonPath {
        self.path.key(key)
    }

    /// Reports a problem at field `key`.
    pub fn diag(&self, key: &str, message: String) {
        self.compiler.diag(&self.path(key), message);
    }

    /// Reports a problem at `path`.
    pub fn diag_at(&self, path: &JsonPath, message: String) {
        self.compiler.diag(path, message);
    }

    /// Takes the members: the population's collection and condition.
    pub fn population(&mut self, population: &PopulationSpec) -> Option<CollId> {
        let compiler = self.compiler;
        let Some(coll) = compiler.coll_id(&population.collection) else {
            let message = format!(
                "no collection '{}' (collections: {})",
                population.collection,
                compiler.coll_names()
            );
            compiler.diag(&self.path("population").key("collection"), message);
            return None;
        };
        let filter = match &population.filter {
            Some(f) => {
                let at = self.path("population").key("where");
                Some(compiler.expr(
                    f,
                    &at,
                    Some(coll),
                    &Scope::Record.declared(),
                    Some(&Ty::Bool),
                )?)
            }
            None => None,
        };
        self.members = Some(Members { coll, filter });
        Some(coll)
    }

    /// Takes the members of indicator `i` compiled before this one (with no condition).
    pub fn members_of_indicator(&mut self, i: usize) {
        self.reads.borrow_mut().indicators.push(i);
        self.members = Some(Members {
            coll: self.others[i].coll,
            filter: None,
        });
    }

    /// Compiles field `key` (`src`) over a member, wanting a `want` (any type: `None`).
    fn member_expr(&self, src: &str, key: &str, want: Option<&Ty>) -> Option<Expr> {
        let coll = self.members.as_ref()?.coll;
        let e = self.compiler.expr(
            src,
            &self.path(key),
            Some(coll),
            &Scope::Record.declared(),
            want,
        )?;
        self.reads.borrow_mut().measures.extend(e.measures_read());
        Some(e)
    }

    /// A condition over a member.
    pub fn condition(&self, src: &str, key: &str) -> Option<Expr> {
        self.member_expr(src, key, Some(&Ty::Bool))
    }

    /// A number over a member.
    pub fn number(&self, src: &str, key: &str) -> Option<Expr> {
        self.member_expr(src, key, Some(&Ty::Num))
    }

    /// A date over a member.
    pub fn date(&self, src: &str, key: &str) -> Option<Expr> {
        self.member_expr(src, key, Some(&Ty::Date))
    }

    /// An expression of any type over a member.
    pub fn expression(&self, src: &str, key: &str) -> Option<Expr> {
        self.member_expr(src, key, None)
    }

    /// A literal value of the pack, with its type.
    pub fn literal(&self, v: &Json, at: &JsonPath) -> Option<(Value, Ty)> {
        self.compiler.literal(v, at)
    }

    /// A type's name in messages.
    pub fn ty_name(&self, ty: &Ty) -> String {
        self.compiler.ty_name(ty)
    }

    /// The declared script function `name` (field `key`).
    pub fn script(&self, name: &str, key: &str) -> Option<Arc<crate::script::ScriptFn>> {
        let found = self.compiler.scripts.get(name).cloned();
        if found.is_none() {
            self.diag(
                key,
                format!("no script function '{name}' (declare it in scripts.functions)"),
            );
        }
        found
    }

    /// The pack's working-day calendar, if it has one.
    pub fn calendar(&self) -> Option<Arc<crate::calendar::Calendar>> {
        self.compiler.calendar.clone()
    }

    /// An indicator compiled before this one that this one compares (field `key`).
    /// Compiles field `key` (`src`) over the results, in one group, of the indicators
    /// compiled before this one: each indicator `x` is a variable `x` (its value),
    /// `x_met` and `x_points`, after the period's (slot `3 + 3 × index + part`). With the
    /// slots it reads.
    pub fn over_indicators(&self, src: &str, key: &str, want: &Ty) -> Option<(Expr, Vec<u16>)> {
        let vars = self.compiler.indicator_vars(self.others, &self.path(key))?;
        let named: Vec<(&str, Ty)> = vars.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
        let e = self.compiler.expr(src, &self.path(key), None, &named, Some(want))?;
        let read: Vec<u16> = (3..named.len() as u16).filter(|s| e.uses_var(*s)).collect();
        let mut reads = self.reads.borrow_mut();
        reads.indicators.extend(read.iter().map(|s| (*s as usize - 3) / 3));
        Some((e, read))
    }

    pub fn compared(&self, key: &str, name: &str) -> Option<usize> {
        let found = self.others.iter().position(|i| i.id == name);
        self.reads.borrow_mut().indicators.extend(found);
        if found.is_none() {
            self.diag(key, format!("no indicator '{name}' to compare (a change compares two indicators that are not changes)"));
        }
        found
    }
}

/// The fields every kind shares; the rest of an indicator's object is its kind's.
const SHARED_FIELDS: [&str; 11] = [
    "title",
    "criterion",
    "unit",
    "by",
    "target",
    "target_by_group",
    "not_applicable",
    "compare",
    "rounding",
    "scoring",
    "on_incomplete",
];

/// An indicator's object split into what every kind shares and what is its kind's.
fn split(v: &Json) -> (Json, Json) {
    let Json::Object(m) = v else {
        return (v.clone(), Json::Object(Default::default()));
    };
    let (shared, own): (serde_json::Map<_, _>, serde_json::Map<_, _>) = m
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .partition(|(k, _)| SHARED_FIELDS.contains(&k.as_str()));
    (Json::Object(shared), Json::Object(own))
}

/// A serde message about a kind's fields in the words of the pack.
fn kind_problem(kind: Option<&str>, message: &str, here: &JsonPath) -> (JsonPath, String) {
    let quoted = |s: &str| s.split('`').nth(1).unwrap_or_default().to_string();
    let kinds = NAMES.join(", ");
    if message.starts_with("unknown variant") {
        let k = quoted(message);
        return (
            here.key("kind"),
            format!(
                "unknown indicator kind '{k}'{} ({kinds})",
                crate::suggest::hint(&k, NAMES.iter().copied())
            ),
        );
    }
    if message == "missing field `kind`" {
        return (
            here.clone(),
            format!("an indicator needs a \"kind\" ({kinds})"),
        );
    }
    let kind = kind.unwrap_or("this");
    if let Some(field) = message.strip_prefix("missing field `") {
        let field = field.trim_end_matches('`');
        return (here.clone(), format!("a {kind} indicator needs \"{field}\""));
    }
    if message.starts_with("unknown field") {
        let field = quoted(message);
        let takes = message
            .split_once("expected ")
            .map(|(_, e)| e.trim_start_matches("one of ").replace('`', ""))
            .unwrap_or_default();
        let takes = takes.replace(" or ", ", ");
        let shared = SHARED_FIELDS.join(", ");
        let all = takes.split(", ").chain(SHARED_FIELDS.iter().copied());
        let hint = crate::suggest::hint(&field, all);
        let message = format!("unknown field `{field}`{hint}: '{field}' does not apply to a {kind} indicator, which takes {takes} (and what every indicator takes: {shared})");
        return (here.key(&field), message);
    }
    (here.clone(), message.to_string())
}

impl Compiler<'_> {
    /// The variables an expression over indicators' results sees: the period's, then for
    /// each indicator `x` (in order) `x` (its value), `x_met` and `x_points`; `None` after
    /// reporting two that have one name.
    pub(super) fn indicator_vars(&self, indicators: &[Indicator], at: &JsonPath) -> Option<Vec<(String, Ty)>> {
        let mut vars: Vec<(String, Ty)> = Scope::Record
            .declared()
            .into_iter()
            .map(|(n, t)| (n.to_string(), t))
            .collect();
        for i in indicators {
            vars.push((i.id.clone(), Ty::Num));
            vars.push((format!("{}_met", i.id), Ty::Bool));
            vars.push((format!("{}_points", i.id), Ty::Num));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (n, _) in &vars {
            if !seen.insert(n.as_str()) {
                self.diag(at, format!("'{n}' names two things an expression over indicators sees (an indicator, and another's value, met or points): rename one"));
                return None;
            }
        }
        Some(vars)
    }

    /// Reads an indicator's object: what every kind shares, and its kind with its fields.
    pub(super) fn indicator_spec(
        &self,
        v: &Json,
        here: &JsonPath,
    ) -> Option<(IndicatorSpec, KindSpec)> {
        let (shared, mut own) = split(v);
        let kind = own.get("kind").and_then(Json::as_str).map(str::to_string);
        // each field the kind does not take is reported, and the rest is still checked
        let spec = loop {
            match serde_path_to_error::deserialize::<_, KindSpec>(own.clone()) {
                Ok(k) => break Some(k),
                Err(e) => {
                    let message = e.inner().to_string();
                    let (at, message) = kind_problem(kind.as_deref(), &message, here);
                    self.diag(&at, message);
                    let unknown = match (at.0.last(), &mut own) {
                        (Some(Seg::Key(field)), Json::Object(m)) if at.0.len() > here.0.len() => {
                            m.remove(field)
                        }
                        _ => None,
                    };
                    if unknown.is_none() {
                        break None;
                    }
                }
            }
        };
        let shared = self.entry::<IndicatorSpec>(&shared, here);
        Some((shared?, spec?))
    }

    /// Compiles an indicator; `others` are those compiled before it (that it may compare).
    pub(super) fn indicator(
        &self,
        id: &str,
        (s, kind): (IndicatorSpec, KindSpec),
        here: &JsonPath,
        rounding: RoundingSpec,
        others: &[Indicator],
    ) -> Option<Indicator> {
        let mut cx = KindCx {
            compiler: self,
            path: here,
            others,
            members: None,
            reads: Default::default(),
        };
        let compiled = kind.compile(&mut cx);
        let (compiled, members) = (compiled?, cx.members?);
        let Reads { measures, indicators } = cx.reads.into_inner();
        let mut ind = self.indicator_rest(id, s, here, rounding, members, compiled)?;
        ind.reads.measures.extend(measures);
        ind.reads.indicators = indicators;
        Some(ind)
    }

    /// What every kind shares: the target, scoring, not-applicable treatment, comparison
    /// and rounding, checked against the compiled kind.
    fn indicator_rest(
        &self,
        id: &str,
        s: IndicatorSpec,
        here: &JsonPath,
        rounding: RoundingSpec,
        members: Members,
        kind: Box<dyn Kind>,
    ) -> Option<Indicator> {
        let Members { coll, filter } = members;
        let target = s.target.clone();
        if kind.every_member() && target.is_some() {
            self.diag(&here.key("target"), "an each indicator's target is that every member meets the requirement; it takes no other".into());
        }
        if let (true, Some(t)) = (kind.is_percent(), &target) {
            let x = t.bound();
            if x.is_negative() || *x > crate::num::Number::from_int(100) {
                self.diag(
                    &here.key("target"),
                    format!(
                        "a {} is a percentage: a target of {x} can never be met",
                        kind.name()
                    ),
                );
            } else if !x.is_zero() && *x < crate::num::Number::from_int(1) {
                let percent = x.clone().mul(crate::num::Number::from_int(100));
                self.warn(
                    &here.key("target"),
                    format!(
                        "a {} is a percentage from 0 to 100: a target of {x} is {x}%; for {}%, write {}",
                        kind.name(),
                        percent.as_ref().map_or_else(|_| "?".into(), |p| p.to_string()),
                        percent.as_ref().map_or_else(|_| "?".into(), |p| p.to_string())
                    ),
                );
            }
        }
        if let (true, Some(_)) = (kind.is_percent(), &s.unit) {
            self.diag(
                &here.key("unit"),
                format!("a {} is a percentage: its unit is %", kind.name()),
            );
        }
        let by = self.by(&s, here, coll, kind.as_ref());
        let not_applicable = s.not_applicable.unwrap_or(NotApplicable::Excluded);
        let compare_rounded = s.compare == Some(Compare::Rounded);
        // a whole number is shown as one ("12", not "12.0") unless the indicator says
        let rounding = s.rounding.unwrap_or(match kind.is_whole() {
            true => RoundingSpec { digits: 0, ..rounding },
            false => rounding,
        });
        self.check_rounding(&rounding, &here.key("rounding"));
        let scoring = self.scoring(&s, here, &target, kind.as_ref())?;
        let target_by_group = self.target_by_group(&s, here, &target);
        let exprs = filter.iter().chain(&target_by_group).chain(by.as_ref().map(|b| &b.expr));
        let reads = crate::plan::Reads {
            measures: exprs.flat_map(Expr::measures_read).collect(),
            ..Default::default()
        };
        Some(Indicator {
            id: id.to_string(),
            title: s.title,
            criterion: s.criterion,
            unit: s.unit,
            by,
            kind,
            coll,
            filter,
            target,
            target_by_group,
            not_applicable,
            compare_rounded,
            rounding,
            scoring,
            on_incomplete: s.on_incomplete.unwrap_or(self.on_incomplete),
            reads,
            inputs: Vec::new(),
        })
    }

    /// The dimension an indicator is broken down by: a text over its members; an enum
    /// field's values are its categories, all of them, in the pack's order.
    fn by(&self, s: &IndicatorSpec, here: &JsonPath, coll: CollId, kind: &dyn Kind) -> Option<By> {
        let src = s.by.as_ref()?;
        let at = here.key("by");
        if kind.of_others() {
            self.diag(&at, format!("a {} has no members of its own to break down: give its indicators a \"by\"", kind.name()));
            return None;
        }
        let expr = self.expr(src, &at, Some(coll), &Scope::Record.declared(), Some(&Ty::Str))?;
        // a field, or a path through references to one (`unit.category`): an enum's values
        let mut c = coll;
        let mut kind = None;
        for slot in expr.field_path().unwrap_or_default() {
            let k = &self.colls[c as usize].fields[slot as usize].kind;
            if let FieldKind::Ref(t) = k {
                c = *t;
            }
            kind = Some(k);
        }
        let categories = match kind {
            Some(FieldKind::Enum(values)) => Some(values.iter().map(|v| v.to_string()).collect()),
            _ => None,
        };
        Some(By { expr, categories })
    }

    /// The scoring rule, checked against the target and the kind.
    fn scoring(
        &self,
        s: &IndicatorSpec,
        here: &JsonPath,
        target: &Option<Target>,
        kind: &dyn Kind,
    ) -> Option<Option<Scoring>> {
        Some(match &s.scoring {
            None => None,
            Some(sc) => {
                let scoring_at = here.key("scoring");
                let r = match sc {
                    ScoringSpec::AllOrNothing(x) => Scoring::AllOrNothing(x.clone()),
                    ScoringSpec::Proportional(x) => {
                        if !matches!(target, Some(Target::Min(_) | Target::Max(_))) {
                            self.diag(&scoring_at, "proportional scoring needs a min or max target".into());
                        }
                        Scoring::Proportional(x.clone())
                    }
                    ScoringSpec::Deduction(d) => {
                        let zero = crate::num::Number::ZERO;
                        let unit = d.unit.clone().unwrap_or(crate::num::Number::ONE);
                        let floor = d.floor.clone().unwrap_or(zero.clone());
                        if d.per <= zero || unit <= zero {
                            self.diag(
                                &scoring_at.key("deduction"),
                                "per and unit must be above zero".into(),
                            );
                        }
                        if floor > d.points {
                            self.diag(&scoring_at.key("deduction"), "the floor is above the points".into());
                        }
                        Scoring::Deduction {
                            points: d.points.clone(),
                            per: d.per.clone(),
                            unit,
                            floor,
                        }
                    }
                };
                if r.full().is_negative() {
                    self.diag(&scoring_at, "points cannot be negative".into());
                }
                if target.is_none() && !kind.every_member() {
                    self.diag(&scoring_at, "scoring needs a target".into());
                }
                Some(r)
            }
        })
    }

    /// The target's bound by jurisdiction: an expression that sees `group`.
    fn target_by_group(&self, s: &IndicatorSpec, here: &JsonPath, target: &Option<Target>) -> Option<Expr> {
        match (&s.target_by_group, self.groups_coll, &target) {
            (None, _, _) => None,
            (Some(_), None, _) => {
                self.diag(
                    &here.key("target_by_group"),
                    "a target by jurisdiction needs the pack's groups".into(),
                );
                None
            }
            (Some(_), _, None) => {
                self.diag(
                    &here.key("target_by_group"),
                    "a target by jurisdiction needs a \"target\" (its kind, and the overall bound)"
                        .into(),
                );
                None
            }
            (Some(src), Some(g), Some(_)) => {
                let vars = Scope::Group(g).declared();
                self.expr(src, &here.key("target_by_group"), None, &vars, Some(&Ty::Num))
            }
        }
    }
}
