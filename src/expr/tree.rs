//! The compiled form of an expression: a tree of typed nodes with names resolved to
//! slots and functions to [`Func`]s, as the checker (`compile`) builds it and the
//! evaluator (`eval`) walks it.

use super::compile::{MeasureId, Ty};
use super::parse::BinOp;
use crate::num::RoundingMode;
use crate::value::Value;
use std::fmt;
use std::sync::Arc;

/// Built-in functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    /// `round(x, digits[, mode])`
    Round(Option<RoundingMode>),
    /// `text(x[, digits[, symbol]])`: a number as shown with `digits` (the pack's, given
    /// here, when left out) in the pack's rounding mode, and `symbol` for a value that is
    /// not 0 but shows as 0; a date as `YYYY-MM-DD`; text as it is; a truth value.
    Text(u32, RoundingMode),
    /// `min(a, b, …)`
    Min,
    /// `max(a, b, …)`
    Max,
    /// `abs(x)`
    Abs,
    /// `days_between(a, b)`: days from a to b.
    DaysBetween,
    /// `months_between(a, b)`: whole months from a to b.
    MonthsBetween,
    /// `add_days(d, n)`
    AddDays,
    /// `add_months(d, n)`, clamped to the month's last day.
    AddMonths,
    /// `year(d)`
    Year,
    /// `month(d)`
    Month,
    /// `quarter(d)`: 1 to 4
    Quarter,
    /// `make_date(year, month, day)`
    MakeDate,
    /// `is_none(x)`
    IsNone,
    /// `coalesce(x, y)`: x unless it has no value, then y.
    Coalesce,
}

/// List methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `.len()`
    Len,
    /// `.filter(|x| cond)`
    Filter,
    /// `.map(|x| expr)`
    Map,
    /// `.some(|x| cond)`
    Some,
    /// `.all(|x| cond)`
    All,
    /// `.sum()`
    Sum,
    /// `.min()`
    Min,
    /// `.max()`
    Max,
    /// `.contains(x)`
    Contains,
}

/// A compiled expression node.
#[derive(Clone, Debug)]
pub struct Node {
    /// Character offset in the source, for runtime errors.
    pub pos: u32,
    /// The node.
    pub kind: NodeKind,
}

/// The kinds of compiled nodes.
#[derive(Clone, Debug)]
pub enum NodeKind {
    /// A constant.
    Const(Value),
    /// A named variable by slot.
    Var(u16),
    /// A closure parameter by depth.
    Local(u16),
    /// A field of the record in scope.
    BaseField(u16),
    /// A measure of the record in scope.
    BaseMeasure(MeasureId),
    /// A field of a record value.
    RecField(Box<Node>, u16),
    /// A measure of a record value.
    RecMeasure(Box<Node>, MeasureId),
    /// A field of a list item.
    ItemField(Box<Node>, u16),
    /// `-x`
    Neg(Box<Node>),
    /// `!x`
    Not(Box<Node>),
    /// Arithmetic, comparison or membership.
    Bin(BinOp, Box<Node>, Box<Node>),
    /// A list literal.
    List(Vec<Node>),
    /// A function call.
    Call(Func, Vec<Node>),
    /// A list method, with its argument or closure body.
    Method(Method, Box<Node>, Option<Box<Node>>),
    /// `if c { a } else { b }`
    If(Box<Node>, Box<Node>, Box<Node>),
    /// A call of a script function the pack declares.
    Script(std::sync::Arc<crate::script::ScriptFn>, Vec<Node>),
    /// A working-day function of the pack's calendar.
    Calendar(CalFn, std::sync::Arc<crate::calendar::Calendar>, Vec<Node>),
}

/// Working-day functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalFn {
    /// `add_working_days(d, n)`
    AddWorkingDays,
    /// `working_days_between(a, b)`
    WorkingDaysBetween,
    /// `is_working_day(d)`
    IsWorkingDay,
    /// `in_calendars(d)`: whether the calendars cover `d`'s year.
    InCalendars,
}

/// A compiled expression with its source and result type.
#[derive(Clone, Debug)]
pub struct Expr {
    /// The source text.
    pub src: Arc<str>,
    /// The root node.
    pub root: Node,
    /// The result type.
    pub ty: Ty,
    /// The height of its syntax tree (at most `MAX_HEIGHT`): a tall one is evaluated on
    /// a stack known to be deep enough.
    pub height: u16,
    /// The condition as a direct test of the record's fields, when it is one.
    pub quick: Option<super::quick::Quick>,
}

impl Expr {
    /// Whether the expression reads the named variable in `slot` (e.g. `outer`).
    pub fn uses_var(&self, slot: u16) -> bool {
        self.any(&|k| matches!(k, NodeKind::Var(v) if *v == slot))
    }

    /// The slot of the field of the record in scope, when the expression is just that field.
    pub fn base_field(&self) -> Option<u16> {
        match self.root.kind {
            NodeKind::BaseField(slot) => Some(slot),
            _ => None,
        }
    }

    /// Whether the expression is just a field or a measure of the record in scope, which
    /// [`Expr::lent`](crate::expr::compile::Expr) lends as it is.
    pub fn is_own_value(&self) -> bool {
        matches!(self.root.kind, NodeKind::BaseField(_) | NodeKind::BaseMeasure(_))
    }

    /// The measure of the record in scope the expression is, when it is just that.
    pub fn own_measure(&self) -> Option<MeasureId> {
        match self.root.kind {
            NodeKind::BaseMeasure(m) => Some(m),
            _ => None,
        }
    }

    /// The slots of the fields the expression reads through references, when it is just
    /// that: `category` is `[category]`, `unit.category` is `[unit, category]` (the second
    /// a slot of the collection `unit` refers to).
    pub fn field_path(&self) -> Option<Vec<u16>> {
        fn path(n: &Node) -> Option<Vec<u16>> {
            match &n.kind {
                NodeKind::BaseField(slot) => Some(vec![*slot]),
                NodeKind::RecField(r, slot) => {
                    let mut p = path(r)?;
                    p.push(*slot);
                    Some(p)
                }
                _ => None,
            }
        }
        path(&self.root)
    }

    /// Whether the expression reads a measure (of any record).
    pub fn uses_measures(&self) -> bool {
        self.any(&|k| matches!(k, NodeKind::BaseMeasure(_) | NodeKind::RecMeasure(..)))
    }

    /// The measures the expression reads (of any record), in the order met, repeated as
    /// often as they are read.
    pub fn measures_read(&self) -> Vec<MeasureId> {
        let seen = std::cell::RefCell::new(Vec::new());
        self.any(&|k| {
            if let NodeKind::BaseMeasure(m) | NodeKind::RecMeasure(_, m) = k {
                seen.borrow_mut().push(*m);
            }
            false
        });
        seen.into_inner()
    }

    /// Whether any node of the expression is one that `hit` picks.
    fn any(&self, hit: &dyn Fn(&NodeKind) -> bool) -> bool {
        fn walk(n: &Node, hit: &dyn Fn(&NodeKind) -> bool) -> bool {
            hit(&n.kind)
                || match &n.kind {
                    NodeKind::Var(_)
                    | NodeKind::Const(_)
                    | NodeKind::Local(_)
                    | NodeKind::BaseField(_)
                    | NodeKind::BaseMeasure(_) => false,
                    NodeKind::RecField(r, _)
                    | NodeKind::RecMeasure(r, _)
                    | NodeKind::ItemField(r, _)
                    | NodeKind::Neg(r)
                    | NodeKind::Not(r) => walk(r, hit),
                    NodeKind::Bin(_, a, b) => walk(a, hit) || walk(b, hit),
                    NodeKind::If(c, a, b) => walk(c, hit) || walk(a, hit) || walk(b, hit),
                    NodeKind::Method(_, r, arg) => {
                        walk(r, hit) || arg.as_deref().is_some_and(|a| walk(a, hit))
                    }
                    NodeKind::List(xs)
                    | NodeKind::Call(_, xs)
                    | NodeKind::Script(_, xs)
                    | NodeKind::Calendar(_, _, xs) => xs.iter().any(|x| walk(x, hit)),
                }
        }
        walk(&self.root, hit)
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.src)
    }
}
