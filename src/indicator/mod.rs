//! Indicator kinds. Each kind is one file here: the fields it takes in the pack (its
//! `Spec`, read by serde, so that a field it does not take is a located error), how those
//! are checked and compiled ([`KindCx`] lends the compiler), what one member adds to its
//! group's [`Tally`] ([`MemberCx`] lends the evaluator), and the tally's value.
//!
//! What every kind shares lives elsewhere, once: the population, target, scoring and
//! not-applicable treatment (`plan::compile::indicators`), counting each member in its
//! jurisdiction and adding tallies up the jurisdiction tree, the evidence cap, met and
//! points (`eval::indicator`).
//!
//! Adding a kind is a file here and one line in the `kinds!` list below (its name in the
//! pack, its variant, its module); `docs/architecture.md` walks through one.

use crate::eval::ScoreError;
use crate::num::{ArithError, Number};
use crate::value::Value;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::fmt::Debug;

pub(crate) use crate::eval::indicator::{GroupCx, MemberCx};
pub(crate) use crate::plan::compile::KindCx;

/// Declares the kinds: their modules, the tagged spec enum and its dispatch.
macro_rules! kinds {
    ($($name:literal => $variant:ident($module:ident)),* $(,)?) => {
        $(mod $module;)*

        /// An indicator's kind with the fields only that kind takes, as written in the pack
        /// (`"kind": "rate"` selects the variant).
        #[derive(Debug, serde::Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(tag = "kind")]
        pub enum KindSpec {
            $(
                #[doc = concat!("`", $name, "`")]
                #[serde(rename = $name)]
                $variant($module::Spec),
            )*
        }

        impl KindSpec {
            /// Whether the kind compares indicators compiled before it (so it is compiled
            /// after every kind that does not).
            pub(crate) fn compares_others(&self) -> bool {
                match self {
                    $(KindSpec::$variant(_) => <$module::Spec as CompileKind>::COMPARES_OTHERS,)*
                }
            }

            /// Checks and compiles the kind's own fields; problems go to `cx` as diagnostics.
            pub(crate) fn compile(self, cx: &mut KindCx) -> Option<Box<dyn Kind>> {
                match self {
                    $(KindSpec::$variant(s) => s.compile(cx).map(|k| Box::new(k) as Box<dyn Kind>),)*
                }
            }

        }

        /// Every kind's name in the pack, in the order the docs list them.
        pub(crate) const NAMES: &[&str] = &[$($name),*];
    };
}

kinds! {
    "rate" => Rate(rate),
    "ratio" => Ratio(ratio),
    "quotient" => Quotient(quotient),
    "count" => Count(count),
    "sum" => Sum(sum),
    "mean" => Mean(mean),
    "median" => Median(median),
    "each" => Each(each),
    "share" => Share(share),
    "change" => Change(change),
    "formula" => Formula(formula),
    "custom" => Custom(custom),
    "timeliness" => Timeliness(timeliness),
}

/// A kind's spec: checked and compiled into its rule.
pub(crate) trait CompileKind {
    /// The compiled rule.
    type Rule: Kind + 'static;
    /// Whether it compares other indicators (`KindCx::compared`), which must then be
    /// compiled first.
    const COMPARES_OTHERS: bool = false;
    /// Checks the fields and compiles their expressions; `None` after reporting a problem.
    fn compile(self, cx: &mut KindCx) -> Option<Self::Rule>;
}

/// A compiled indicator kind: what one member adds to its group's tally, and the tally's
/// value. Everything else about an indicator is the same for every kind.
pub(crate) trait Kind: Debug + Send + Sync {
    /// The kind's name in the pack (and in the outcome).
    fn name(&self) -> &'static str;
    /// Whether its value is a percentage (a target outside 0–100 can never be met; the
    /// value is shown with `%`).
    fn is_percent(&self) -> bool {
        false
    }
    /// Whether it reads the assessment date (`timeliness`: days late up to it), so that a
    /// dataset needs a period.
    fn reads_period(&self) -> bool {
        false
    }
    /// What its tallies hold (a partial result read back is checked against it).
    fn tally_shape(&self) -> TallyShape {
        TallyShape::default()
    }
    /// Whether its value is always a whole number (`count`): shown with no decimals unless
    /// the indicator states a `rounding`.
    fn is_whole(&self) -> bool {
        false
    }
    /// Which members the evidence lists, in words (`not meeting the numerator`).
    fn evidence_of(&self) -> &'static str {
        "members"
    }
    /// Met only when every member meets the requirement, whatever the value; such a kind
    /// takes no target, and deduction counts failing members.
    fn every_member(&self) -> bool {
        false
    }
    /// Whether the kind has no members of its own (`change`, `formula`): its value in
    /// each group comes from the results of indicators compiled before it there
    /// ([`Kind::value_of_others`]), never through [`Kind::member`].
    fn of_others(&self) -> bool {
        false
    }
    /// The value in one group of a kind [`Kind::of_others`], from the others' results
    /// there; `Err` says what failed (the engine names the indicator and the group).
    fn value_of_others(&self, _: &Others) -> Result<FromOthers, String> {
        Ok(FromOthers::default())
    }
    /// Whether the outcome shows the members per category.
    fn shows_breakdown(&self) -> bool {
        false
    }
    /// What one member adds to its group's tally.
    fn member(&self, m: &MemberCx) -> Result<Contribution, ScoreError>;
    /// Adds member `at` to tally `t`: what [`Kind::member`] gives, added. A kind overrides
    /// it only to add the same without building a [`Contribution`] (the members' loop is
    /// the engine's hottest; `share` does); `tests::added_as_contributed` holds the two
    /// to the same tally.
    #[inline]
    fn add(&self, m: &MemberCx, t: &mut Tally, at: u32, cap: usize) -> Result<(), ScoreError> {
        let c = self.member(m)?;
        t.add(at, c, cap).map_err(|e| m.arith(e))
    }
    /// When what a member adds is only what one value of its own record gives — a field
    /// or measure of the member, read as it is (`share`'s `of`) — that value's
    /// expression: the engine then adds members of a population without a filter by
    /// their value's [`Kind::class_of`], without a member's context.
    fn member_value(&self) -> Option<&crate::expr::compile::Expr> {
        None
    }
    /// What a member whose value ([`Kind::member_value`]) is `v` adds, known from `v`
    /// alone; [`Tally::add_class`] adds it. The engine finds it as it reads each value, or
    /// once per value for a measure whose records have codes (a table's grades), so it
    /// must be what [`Kind::add`] adds for such a member
    /// (`eval::indicator::tests::added_as_contributed` holds them to the same tallies).
    fn class_of<'v>(&self, _v: &'v Value, _ds: &crate::data::Dataset) -> Option<Class<'v>> {
        None
    }
    /// The value in one group from its tally (all its members, those of the jurisdictions
    /// below it included).
    fn value(&self, t: &Tally, g: &GroupCx) -> Result<Valued, ScoreError>;
    /// The late members of a group, for the outcome (`timeliness`).
    fn late(&self, _t: &Tally, _g: &GroupCx) -> Option<Vec<crate::outcome::Late>> {
        None
    }
}

/// What a kind's tallies hold: which members are evidence, and which lists it keeps (each
/// as long as the members it describes). A partial result's tallies must have this shape
/// (`partial::check`): a count no dataset could give is refused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TallyShape {
    /// Every member meets and is evidence (`count`, `sum`, …); else the evidence is the
    /// members that do not meet (`rate`, `share`, …).
    pub every_member_listed: bool,
    /// Every member has a category (`share`).
    pub categories: bool,
    /// Every member's value is kept (`custom`, `median`).
    pub values: bool,
    /// The evidence members' dates are listed, as the evidence is (`timeliness`).
    pub late: bool,
}

/// The results, in one group, of the indicators compiled before one that is computed from
/// them ([`Kind::of_others`]), by their index in the plan.
pub(crate) struct Others<'a> {
    /// Each indicator's exact value there (none: not applicable).
    pub values: Vec<Option<Number>>,
    /// Each one's met (none: no target, or excluded).
    pub met: Vec<Option<bool>>,
    /// Each one's points (none: no scoring, or excluded).
    pub points: Vec<Option<Number>>,
    /// The period's variables.
    pub period: &'a [Value],
}

impl<'a> Others<'a> {
    /// The results in group `g` of the indicators evaluated so far (`values` and `results`
    /// by indicator, then by group).
    pub fn at(
        period: &'a [Value],
        values: &[Vec<Option<Number>>],
        results: &[Vec<(crate::outcome::IndicatorResult, crate::eval::points::Points)>],
        g: usize,
    ) -> Others<'a> {
        Others {
            values: values.iter().map(|v| v[g].clone()).collect(),
            met: results.iter().map(|r| r[g].0.met).collect(),
            points: results.iter().map(|r| r[g].1.points.clone()).collect(),
            period,
        }
    }

    /// The variables an expression over these results sees, by slot: the period's, then
    /// each indicator's value, met and points (none where it has none); as the pack's
    /// compiler declares them.
    pub fn vars(&self) -> Vec<Value> {
        let mut vars: Vec<Value> = self.period.to_vec();
        for i in 0..self.values.len() {
            vars.push(self.values[i].clone().map_or(Value::None, Value::from));
            vars.push(self.met[i].map_or(Value::None, Value::Bool));
            vars.push(self.points[i].clone().map_or(Value::None, Value::from));
        }
        vars
    }
}

/// The value of a kind computed from other indicators, with what the outcome shows beside
/// it (`change`: the current and baseline values).
#[derive(Default)]
pub(crate) struct FromOthers {
    /// The value (none: not applicable).
    pub value: Option<Number>,
    /// The current indicator's value, as shown.
    pub current: Option<String>,
    /// The baseline's value, as shown.
    pub baseline: Option<String>,
}

/// What one member adds to its group's tally. Every member counts; the rest is what its
/// kind fills in.
#[derive(Default)]
pub(crate) struct Contribution {
    /// It meets the kind's condition (counted in `meets`).
    pub meets: bool,
    /// It is listed as evidence (up to the cap; always counted).
    pub evidence: bool,
    /// Its numerator and denominator (`ratio`).
    pub ratio: Option<(Number, Number)>,
    /// Its number, summed (`sum`, `mean`).
    pub number: Option<Number>,
    /// Its category (`share`): a value that names itself (no record reference).
    pub category: Option<Value>,
    /// Its value, kept in key order (`custom`).
    pub kept: Option<Value>,
    /// Its due and submission dates, when late (`timeliness`; capped like evidence).
    pub late: Option<(NaiveDate, Option<NaiveDate>)>,
    /// It is not yet due at the assessment date and not submitted (`timeliness`): not a
    /// member yet, counted apart.
    pub not_yet_due: bool,
}

impl Contribution {
    /// A member that counts and meets, or is evidence when it does not.
    pub fn meeting(meets: bool) -> Contribution {
        Contribution {
            meets,
            evidence: !meets,
            ..Contribution::default()
        }
    }

    /// A member that counts and is listed as evidence (kinds whose evidence is every member).
    pub fn listed() -> Contribution {
        Contribution {
            meets: true,
            evidence: true,
            ..Contribution::default()
        }
    }
}

/// A group's tally: what its members added. Tallies of groups with no member in common
/// merge into the tally of their union ([`Tally::merge`]).
#[derive(Clone, Default)]
pub(crate) struct Tally {
    /// Members.
    pub members: u64,
    /// Members meeting the kind's condition.
    pub meets: u64,
    /// Σ numerator (`ratio`).
    pub num: Number,
    /// Σ denominator (`ratio`).
    pub den: Number,
    /// Σ number (`sum`, `mean`).
    pub sum: Number,
    /// Evidence members, all of them.
    pub evidence_count: u64,
    /// The first evidence members (positions, in key order), at most the cap.
    pub evidence: Vec<u32>,
    /// Members per category (`share`).
    pub categories: Categories,
    /// The members' values with their positions, in key order (`custom`).
    pub values: Vec<(u32, Value)>,
    /// The first late members with their due and submission dates (`timeliness`).
    pub late: Vec<(u32, NaiveDate, Option<NaiveDate>)>,
    /// Records not yet due and not submitted, left out of the members (`timeliness`).
    pub not_yet_due: u64,
}

/// What a member adds that its value alone decides ([`Kind::class_of`]).
#[derive(Debug)]
pub(crate) struct Class<'v> {
    /// Whether it meets the kind's condition.
    pub meets: bool,
    /// Whether it is evidence.
    pub evidence: bool,
    /// Its category, when the kind counts members by category.
    pub category: Option<std::borrow::Cow<'v, Value>>,
}

impl Tally {
    /// Adds the member at position `at`, of class `c`.
    #[inline]
    pub fn add_class(&mut self, c: &Class, at: u32, cap: usize) {
        self.count(at, c.meets, c.evidence, cap);
        if let Some(category) = &c.category {
            self.categories.add_ref(category, 1);
        }
    }

    /// Adds the member at position `at` (members come in key order).
    #[inline]
    pub fn add(&mut self, at: u32, c: Contribution, cap: usize) -> Result<(), ArithError> {
        if c.not_yet_due {
            self.not_yet_due += 1;
            return Ok(());
        }
        self.count(at, c.meets, c.evidence, cap);
        if let Some((n, d)) = c.ratio {
            self.num = std::mem::take(&mut self.num).add(n)?;
            self.den = std::mem::take(&mut self.den).add(d)?;
        }
        if let Some(x) = c.number {
            self.sum = std::mem::take(&mut self.sum).add(x)?;
        }
        if let Some(category) = c.category {
            self.categories.add(category, 1);
        }
        if let Some(v) = c.kept {
            self.values.push((at, v));
        }
        if let Some((due, submitted)) = c.late {
            if self.late.len() < cap {
                self.late.push((at, due, submitted));
            }
        }
        Ok(())
    }

    /// Counts member `at`: whether it meets the kind's condition and whether it is evidence.
    /// What [`Tally::add`] does with a contribution's `meets` and `evidence`.
    #[inline]
    pub fn count(&mut self, at: u32, meets: bool, evidence: bool, cap: usize) {
        self.members += 1;
        self.meets += u64::from(meets);
        if evidence {
            self.evidence_count += 1;
            if self.evidence.len() < cap {
                self.evidence.push(at);
            }
        }
    }

    /// Adds another group's members (none of them this group's own), as if they had been
    /// added one by one: counts and sums add, lists stay in key order within their caps.
    pub fn merge(&mut self, o: &Tally, cap: usize) -> Result<(), ArithError> {
        self.members += o.members;
        self.meets += o.meets;
        self.not_yet_due += o.not_yet_due;
        self.num = std::mem::take(&mut self.num).add(o.num.clone())?;
        self.den = std::mem::take(&mut self.den).add(o.den.clone())?;
        self.sum = std::mem::take(&mut self.sum).add(o.sum.clone())?;
        self.evidence_count += o.evidence_count;
        self.evidence = merged(&self.evidence, &o.evidence, cap, |i| *i);
        self.late = merged(&self.late, &o.late, cap, |l| l.0);
        self.values = merged(&self.values, &o.values, usize::MAX, |v| v.0);
        self.categories.merge(&o.categories);
        Ok(())
    }

    /// `meets ÷ members × 100`; no value without members.
    pub fn share_meeting(&self, g: &GroupCx) -> Result<Option<Number>, ScoreError> {
        if self.members == 0 {
            return Ok(None);
        }
        g.arith(
            Number::from_int(self.meets as i128)
                .mul(Number::from_int(100))
                .and_then(|x| x.div(Number::from_int(self.members as i128))),
        )
        .map(Some)
    }
}

/// Members per category. The first few categories are counted by value, compared as
/// values (no text built per member); past [`Categories::FEW`] of them, the others are
/// counted by name. The names are the categories as the outcome shows them.
#[derive(Clone, Default)]
pub(crate) struct Categories {
    few: Vec<(Value, u64)>,
    many: BTreeMap<String, u64>,
}

impl Categories {
    /// How many categories are counted by value.
    const FEW: usize = 32;

    /// Counts `n` members of category `v`.
    #[inline]
    pub fn add(&mut self, v: Value, n: u64) {
        self.add_ref(&v, n);
    }

    /// Counts `n` members of category `v`, cloning it only when it is a new category.
    #[inline]
    pub fn add_ref(&mut self, v: &Value, n: u64) {
        if let Some(slot) = self.few.iter_mut().find(|(c, _)| c == v) {
            slot.1 += n;
        } else if self.few.len() < Categories::FEW {
            self.few.push((v.clone(), n));
        } else {
            *self.many.entry(category_name(v)).or_default() += n;
        }
    }

    /// Adds another tally's counts.
    pub fn merge(&mut self, o: &Categories) {
        for (v, n) in &o.few {
            self.add(v.clone(), *n);
        }
        for (k, n) in &o.many {
            *self.many.entry(k.clone()).or_default() += n;
        }
    }

    /// Counts by category name (as [`Categories::by_name`] gives them).
    pub fn named(names: BTreeMap<String, u64>) -> Categories {
        Categories {
            few: Vec::new(),
            many: names,
        }
    }

    /// Members per category name, in name order.
    pub fn by_name(&self) -> BTreeMap<String, u64> {
        let mut all = self.many.clone();
        for (v, n) in &self.few {
            *all.entry(category_name(v)).or_default() += n;
        }
        all
    }
}

/// A category's name: the text of a string, the JSON of anything else (a category holds
/// no record reference: it is named by the record's key before it is counted).
pub(crate) fn category_name(v: &Value) -> String {
    match v {
        Value::Str(_) | Value::Short(_) => v.as_str().unwrap_or_default().to_string(),
        Value::Num(n) => n.get().to_exact_string(),
        Value::Date(d) => d.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::None => "null".into(),
        Value::Item(..) => "(item)".into(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
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

/// An indicator's value in one group (none: not applicable), with the numerator and
/// denominator the outcome shows beside it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Valued {
    /// The exact value.
    pub value: Option<Number>,
    /// As shown: members meeting, or Σ numerator.
    pub numerator: Option<String>,
    /// As shown: members, or Σ denominator.
    pub denominator: Option<String>,
}

impl Valued {
    /// A value with the members meeting and the members as its numerator and denominator.
    pub fn of_members_meeting(value: Option<Number>, t: &Tally) -> Valued {
        Valued {
            value,
            numerator: Some(t.meets.to_string()),
            denominator: Some(t.members.to_string()),
        }
    }

    /// A value with the number of members as its denominator.
    pub fn over_members(value: Option<Number>, t: &Tally) -> Valued {
        Valued {
            value,
            numerator: None,
            denominator: Some(t.members.to_string()),
        }
    }
}
