//! The variables of expressions and their slots: one layout, for the compiler that
//! resolves a name to a slot and for the evaluator that fills the slots.
//!
//! Every scope sees the period's dates in slots 0–2; an aggregate's `where` and `value`
//! also see `outer` (the record the aggregate is for), a target by jurisdiction `group`,
//! and the scorecard's grade and actions `total` and `grade`.

use super::compile::Ty;
use crate::value::{CollId, Value};
use crate::plan::Period;

/// Where an expression is evaluated, which decides the variables it sees.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Scope {
    /// A record's formula, condition or table, an indicator's expressions: the period.
    Record,
    /// An aggregate's `where` and `value`: the period and `outer`, a record of this
    /// collection.
    Aggregate(CollId),
    /// A target by jurisdiction: the period and `group`, a record of this collection.
    Group(CollId),
    /// The scorecard's grading table and actions: the period, `total` and `grade`.
    Scorecard,
}

/// The names of the period's variables, in slots 0, 1, 2.
const PERIOD: [&str; 3] = ["period_start", "period_end", "as_of"];
/// The slot after the period's: `outer` in an aggregate (`group` in a target by
/// jurisdiction and `total` in the scorecard take the same slot).
pub(crate) const OUTER: u16 = 3;
/// The slot of `grade` in the scorecard's actions.
pub(crate) const GRADE: u16 = 4;

/// Names that fields and measures may not take, since expressions with a record in scope
/// see them as variables (`group`, `total` and `grade` are seen only where no record is in
/// scope, so they are free).
pub(crate) const RESERVED: [&str; 4] = ["period_start", "period_end", "as_of", "outer"];

impl Scope {
    /// The variables of the scope with their types, by slot.
    pub fn declared(self) -> Vec<(&'static str, Ty)> {
        let mut v: Vec<(&'static str, Ty)> = PERIOD.iter().map(|n| (*n, Ty::Date)).collect();
        match self {
            Scope::Record => {}
            Scope::Aggregate(c) => v.push(("outer", Ty::Rec(c))),
            Scope::Group(c) => v.push(("group", Ty::Rec(c))),
            Scope::Scorecard => {
                v.push(("total", Ty::Num));
                v.push(("grade", Ty::Str));
            }
        }
        v
    }
}

/// The values of the period's variables of a run, by slot.
#[derive(Clone, Debug)]
pub(crate) struct PeriodVars([Value; 3]);

impl PeriodVars {
    /// The variables of a run over `period`.
    pub fn of(period: Option<&Period>) -> PeriodVars {
        match period {
            Some(p) => PeriodVars([
                Value::Date(p.from),
                Value::Date(p.to),
                Value::Date(p.as_of),
            ]),
            None => PeriodVars([Value::None, Value::None, Value::None]),
        }
    }

    /// The values of scope [`Scope::Record`].
    pub fn record(&self) -> &[Value] {
        &self.0
    }

    /// The values with `v` in slot [`OUTER`] (`outer`, or `group`: the same slot).
    pub fn with(&self, v: Value) -> [Value; 4] {
        let [a, b, c] = self.0.clone();
        [a, b, c, v]
    }

    /// The values of scope [`Scope::Scorecard`].
    pub fn scorecard(&self, total: Value, grade: Value) -> Vec<Value> {
        let mut v = self.0.to_vec();
        v.push(total);
        v.push(grade);
        v
    }
}
