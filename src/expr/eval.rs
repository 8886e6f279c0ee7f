//! Evaluating compiled expressions with exact arithmetic.

use super::compile::{CalFn, Expr, Func, MeasureId, Method, Node, NodeKind};
use super::parse::BinOp;
use crate::dates::{add_months, months_between};
use crate::num::{Number, RoundingMode};
use crate::value::{CollId, Value};
use chrono::{Datelike, NaiveDate};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// A failure while evaluating an expression, at a character offset of its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    /// Character offset in the expression (0-based).
    pub pos: usize,
    /// What went wrong.
    pub message: String,
}

impl std::error::Error for EvalError {}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.pos + 1)
    }
}

/// Where expressions read records and measures from. Values are lent, not cloned: an
/// expression that only compares or tests a field never touches a reference count (which
/// threads scoring different records would otherwise fight over for shared strings).
pub trait Data {
    /// A field of a record.
    fn field(&self, coll: CollId, idx: u32, slot: u16) -> &Value;
    /// A measure of a record (already computed); `Value::None` before it is.
    fn measure(&self, m: MeasureId, idx: u32) -> &Value;
}

/// The value of nothing, to lend where there is no value.
pub static NONE: Value = Value::None;

/// What an evaluation sees: the data, the record in scope and the named variables.
pub struct Frame<'a> {
    /// Records and measures.
    pub data: &'a dyn Data,
    /// The record in scope.
    pub base: Option<(CollId, u32)>,
    /// Named variables by slot.
    pub vars: &'a [Value],
}

/// A value lent by the data, the plan or the frame, or computed.
pub type Val<'a> = Cow<'a, Value>;

/// A closure parameter: a value, or an item lent by the list being iterated (so that
/// reading its fields copies nothing).
#[derive(Clone)]
enum Local<'a> {
    Val(Val<'a>),
    Row(&'a Arc<[Value]>, u32, u16),
}

impl<'a> Local<'a> {
    /// The parameter as a value of its own.
    fn value(&self) -> Val<'a> {
        match self {
            Local::Val(Cow::Borrowed(v)) => Cow::Borrowed(*v),
            Local::Val(Cow::Owned(v)) => Cow::Owned(v.clone()),
            Local::Row(all, start, width) => {
                Cow::Owned(Value::Item(Arc::clone(all), *start, *width))
            }
        }
    }

    fn into_value(self) -> Value {
        match self {
            Local::Val(v) => v.into_owned(),
            Local::Row(all, start, width) => Value::Item(Arc::clone(all), start, width),
        }
    }
}

/// The closure parameters in scope, innermost last.
type Locals<'a> = Vec<Local<'a>>;

/// What receives the elements of a list, one by one; it returns false to stop.
type Sink<'s, 'a> = dyn FnMut(Local<'a>, &mut Locals<'a>) -> Result<bool, EvalError> + 's;

/// Expressions up to this height are evaluated on the stack they are given; taller ones
/// make sure of theirs first (every thread has room for this many levels).
const TALL: u16 = 24;

impl Expr {
    /// Evaluates the expression; a field, measure, variable or constant is lent, not copied.
    #[inline]
    pub fn eval<'a>(&'a self, f: &Frame<'a>) -> Result<Val<'a>, EvalError> {
        self.deep_enough(|| operand(&self.root, f, &mut Vec::new()))
    }

    /// Runs `walk`, a walk of this expression's tree, on a stack deep enough for its height.
    #[inline]
    fn deep_enough<T>(&self, walk: impl FnOnce() -> T) -> T {
        if self.height > TALL {
            crate::stack::with(crate::stack::for_height(self.height.into()), walk)
        } else {
            walk()
        }
    }

    /// Evaluates a condition: `true`/`false`; no value is an error.
    #[inline]
    pub fn eval_bool(&self, f: &Frame) -> Result<bool, EvalError> {
        let root = &self.root;
        // the commonest conditions at once: a field equal to a constant (`kind == "routine"`),
        // which cannot fail, then any comparison of two leaves
        if let NodeKind::Bin(op, a, b) = &root.kind {
            if let (
                BinOp::Eq | BinOp::Ne,
                NodeKind::BaseField(slot),
                NodeKind::Const(c),
                Some((coll, i)),
            ) = (op, &a.kind, &b.kind, f.base)
            {
                return Ok((f.data.field(coll, i, *slot) == c) == (*op == BinOp::Eq));
            }
            if is_condition(*op) && !matches!(op, BinOp::And | BinOp::Or) {
                let none = Vec::new();
                if let (Some(l), Some(r)) = (leaf(a, f, &none), leaf(b, f, &none)) {
                    return compared(root, *op, l, r);
                }
            }
        }
        if matches!(&root.kind, NodeKind::Bin(op, ..) if is_condition(*op))
            || matches!(root.kind, NodeKind::Not(_))
        {
            return self.deep_enough(|| truth(root, root, "", f, &mut Vec::new()));
        }
        match *self.eval(f)? {
            Value::Bool(b) => Ok(b),
            ref v => Err(EvalError {
                pos: 0,
                message: format!(
                    "the condition gave {} instead of true or false",
                    v.type_name()
                ),
            }),
        }
    }
}

fn err(n: &Node, message: impl Into<String>) -> EvalError {
    EvalError {
        pos: n.pos as usize,
        message: message.into(),
    }
}

fn missing(n: &Node, what: &str) -> EvalError {
    err(
        n,
        format!("{what} has no value (a missing optional field, or an aggregate over no records); test it with is_none(x) or give a fallback with coalesce(x, …)"),
    )
}

fn wrong(n: &Node, v: &Value, what: &str, want: &str) -> EvalError {
    match v {
        Value::None => missing(n, what),
        v => err(n, format!("{what} needs {want}, found {}", v.type_name())),
    }
}

fn num(n: &Node, v: &Value, what: &str) -> Result<Number, EvalError> {
    v.num().ok_or_else(|| wrong(n, v, what, "a number"))
}

fn date(n: &Node, v: &Value, what: &str) -> Result<NaiveDate, EvalError> {
    match v {
        Value::Date(d) => Ok(*d),
        v => Err(wrong(n, v, what, "a date")),
    }
}

fn boolean(n: &Node, v: &Value, what: &str) -> Result<bool, EvalError> {
    match v {
        Value::Bool(b) => Ok(*b),
        v => Err(wrong(n, v, what, "true or false")),
    }
}

fn arith<'a>(n: &Node, r: Result<Number, crate::num::ArithError>) -> Result<Val<'a>, EvalError> {
    r.map(|x| Cow::Owned(Value::from(x)))
        .map_err(|e| err(n, e.to_string()))
}

fn owned<'a>(v: Value) -> Val<'a> {
    Cow::Owned(v)
}

fn int_arg(n: &Node, x: Number, what: &str) -> Result<i64, EvalError> {
    x.to_i64()
        .ok_or_else(|| err(n, format!("{what} needs a whole number, found {x}")))
}

/// Orders two values of one kind; `None` when they cannot be ordered.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => Some(a.as_str()?.cmp(b.as_str()?)),
    }
}

/// Field `slot` of the item `r` evaluated to: lent when the item was lent.
fn item_field<'a>(r: Val<'a>, slot: u16, n: &Node) -> Result<Val<'a>, EvalError> {
    let bad = |v: &Value| {
        err(
            n,
            format!("field access needs a list item, found {}", v.type_name()),
        )
    };
    match r {
        Cow::Borrowed(v) => v
            .item_fields()
            .and_then(|f| f.get(slot as usize))
            .map(Cow::Borrowed)
            .ok_or_else(|| bad(v)),
        Cow::Owned(v) => v
            .item_fields()
            .and_then(|f| f.get(slot as usize))
            .map(|x| Cow::Owned(x.clone()))
            .ok_or_else(|| bad(&v)),
    }
}

/// The value of a leaf (a constant, a variable, a field or measure of the record in scope,
/// a field of the item a closure is at), lent, without going through [`eval`]: most
/// operands are leaves, and this keeps them in registers.
#[inline]
fn leaf<'a>(n: &'a Node, f: &Frame<'a>, locals: &Locals<'a>) -> Option<&'a Value> {
    match &n.kind {
        NodeKind::Const(v) => Some(v),
        NodeKind::Var(i) => f.vars.get(*i as usize),
        NodeKind::BaseField(slot) => {
            let (c, i) = f.base?;
            Some(f.data.field(c, i, *slot))
        }
        NodeKind::BaseMeasure(m) => {
            let (_, i) = f.base?;
            Some(f.data.measure(*m, i))
        }
        NodeKind::ItemField(r, slot) => match (&r.kind, locals) {
            (NodeKind::Local(i), locals) => match locals.get(*i as usize) {
                Some(&Local::Row(all, start, _)) => all.get(start as usize + *slot as usize),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// An operand: a leaf, lent, or else evaluated.
#[inline]
fn operand<'a>(n: &'a Node, f: &Frame<'a>, locals: &mut Locals<'a>) -> Result<Val<'a>, EvalError> {
    match leaf(n, f, locals) {
        Some(v) => Ok(Cow::Borrowed(v)),
        None => eval(n, f, locals),
    }
}

fn eval<'a>(n: &'a Node, f: &Frame<'a>, locals: &mut Locals<'a>) -> Result<Val<'a>, EvalError> {
    Ok(match &n.kind {
        NodeKind::Const(v) => Cow::Borrowed(v),
        NodeKind::Var(i) => Cow::Borrowed(&f.vars[*i as usize]),
        NodeKind::Local(i) => locals
            .get(*i as usize)
            .map(Local::value)
            .ok_or_else(|| err(n, "no such closure parameter"))?,
        NodeKind::BaseField(slot) => {
            let (c, i) = f.base.ok_or_else(|| err(n, "no record in scope"))?;
            Cow::Borrowed(f.data.field(c, i, *slot))
        }
        NodeKind::BaseMeasure(m) => {
            let (_, i) = f.base.ok_or_else(|| err(n, "no record in scope"))?;
            Cow::Borrowed(f.data.measure(*m, i))
        }
        NodeKind::RecField(r, slot) => match *eval(r, f, locals)? {
            Value::Rec(c, i) => Cow::Borrowed(f.data.field(c, i, *slot)),
            Value::None => Cow::Borrowed(&NONE),
            ref v => {
                return Err(err(
                    n,
                    format!("field access needs a record, found {}", v.type_name()),
                ))
            }
        },
        NodeKind::RecMeasure(r, m) => match *eval(r, f, locals)? {
            Value::Rec(_, i) => Cow::Borrowed(f.data.measure(*m, i)),
            Value::None => Cow::Borrowed(&NONE),
            ref v => {
                return Err(err(
                    n,
                    format!("measure access needs a record, found {}", v.type_name()),
                ))
            }
        },
        NodeKind::ItemField(r, slot) => {
            // a field of an item the closure is iterating over is lent by its list
            if let NodeKind::Local(i) = r.kind {
                if let Some(&Local::Row(all, start, _)) = locals.get(i as usize) {
                    let all: &'a [Value] = all;
                    return all
                        .get(start as usize + *slot as usize)
                        .map(Cow::Borrowed)
                        .ok_or_else(|| err(n, "no such item field"));
                }
            }
            item_field(eval(r, f, locals)?, *slot, n)?
        }
        NodeKind::Neg(e) => {
            let x = num(n, &*eval(e, f, locals)?, "'-'")?;
            arith(n, x.neg())?
        }
        NodeKind::Not(e) => owned(Value::Bool(!truth(e, n, "'!'", f, locals)?)),
        NodeKind::Bin(op, a, b) => binary(n, *op, a, b, f, locals)?,
        NodeKind::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for it in items {
                out.push(eval(it, f, locals)?.into_owned());
            }
            owned(Value::List(out.into()))
        }
        NodeKind::Call(func, args) => owned(call(n, *func, args, f, locals)?),
        NodeKind::Method(m, recv, arg) => owned(method(n, *m, recv, arg.as_deref(), f, locals)?),
        NodeKind::Script(sf, args) => {
            let mut vals = Vec::with_capacity(args.len());
            for a in args {
                vals.push(eval(a, f, locals)?.into_owned());
            }
            owned(sf.call(&vals).map_err(|m| err(n, m))?)
        }
        NodeKind::Calendar(cf, cal, args) => {
            let arg = |k: usize, locals: &mut Locals<'a>| match args.get(k) {
                Some(a) => eval(a, f, locals),
                None => Ok(Cow::Borrowed(&NONE)),
            };
            let first = date(n, &*arg(0, locals)?, "a working-day function")?;
            let second = arg(1, locals)?;
            let second: &Value = &second;
            owned(match cf {
                CalFn::IsWorkingDay => {
                    Value::Bool(cal.is_working_day(first).map_err(|m| err(n, m))?)
                }
                CalFn::AddWorkingDays => {
                    let k = int_arg(
                        n,
                        num(n, second, "add_working_days()")?,
                        "add_working_days()",
                    )?;
                    Value::Date(cal.add_working_days(first, k).map_err(|m| err(n, m))?)
                }
                CalFn::WorkingDaysBetween => {
                    let b = date(n, second, "working_days_between()")?;
                    Value::int(cal.working_days_between(first, b).map_err(|m| err(n, m))? as i128)
                }
            })
        }
        NodeKind::If(c, a, b) => {
            if truth(c, n, "an if condition", f, locals)? {
                eval(a, f, locals)?
            } else {
                eval(b, f, locals)?
            }
        }
    })
}

/// Whether an operator gives true or false.
fn is_condition(op: BinOp) -> bool {
    !matches!(
        op,
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem
    )
}

/// The truth of `c`, computed without building a value where it can be (comparisons,
/// `&&`, `||`, `!`): conditions are most of what rules evaluate. When `c` gives something
/// other than true or false, the error names the operator `n` and `what` that needed it,
/// as evaluating it as a value would.
fn truth<'a>(
    c: &'a Node,
    n: &Node,
    what: &str,
    f: &Frame<'a>,
    locals: &mut Locals<'a>,
) -> Result<bool, EvalError> {
    match &c.kind {
        NodeKind::Bin(op, a, b) if is_condition(*op) => condition(c, *op, a, b, f, locals),
        NodeKind::Not(e) => Ok(!truth(e, c, "'!'", f, locals)?),
        _ => boolean(n, &*operand(c, f, locals)?, what),
    }
}

/// A comparison, membership, `&&` or `||`.
fn condition<'a>(
    n: &'a Node,
    op: BinOp,
    a: &'a Node,
    b: &'a Node,
    f: &Frame<'a>,
    locals: &mut Locals<'a>,
) -> Result<bool, EvalError> {
    let what = op.quoted();
    match op {
        BinOp::And => {
            return Ok(truth(a, n, what, f, locals)? && truth(b, n, what, f, locals)?);
        }
        BinOp::Or => {
            return Ok(truth(a, n, what, f, locals)? || truth(b, n, what, f, locals)?);
        }
        _ => {}
    }
    // most comparisons are between leaves (a field and a constant): no values to hold
    if let (Some(l), Some(r)) = (leaf(a, f, locals), leaf(b, f, locals)) {
        return compared(n, op, l, r);
    }
    let l = operand(a, f, locals)?;
    let r = operand(b, f, locals)?;
    compared(n, op, &l, &r)
}

/// `l op r` for a comparison or membership.
fn compared(n: &Node, op: BinOp, l: &Value, r: &Value) -> Result<bool, EvalError> {
    let what = op.quoted();
    Ok(match op {
        BinOp::Eq => l == r,
        BinOp::Ne => l != r,
        BinOp::In => {
            if !matches!(r, Value::List(_) | Value::Items(..)) {
                return Err(wrong(n, r, "'in'", "a list"));
            }
            r.elems().any(|e| e == crate::value::Elem::Value(l))
        }
        _ => {
            if l.is_none() || r.is_none() {
                return Err(missing(n, &format!("an operand of {what}")));
            }
            let o = compare(l, r).ok_or_else(|| {
                err(
                    n,
                    format!(
                        "{what} cannot order {} and {}",
                        l.type_name(),
                        r.type_name()
                    ),
                )
            })?;
            match op {
                BinOp::Lt => o == Ordering::Less,
                BinOp::Le => o != Ordering::Greater,
                BinOp::Gt => o == Ordering::Greater,
                _ => o != Ordering::Less,
            }
        }
    })
}

fn binary<'a>(
    n: &'a Node,
    op: BinOp,
    a: &'a Node,
    b: &'a Node,
    f: &Frame<'a>,
    locals: &mut Locals<'a>,
) -> Result<Val<'a>, EvalError> {
    if is_condition(op) {
        return Ok(owned(Value::Bool(condition(n, op, a, b, f, locals)?)));
    }
    let what = op.quoted();
    let l = operand(a, f, locals)?;
    let r = operand(b, f, locals)?;
    let (l, r) = (l.as_ref(), r.as_ref());
    let nums =
        || -> Result<(Number, Number), EvalError> { Ok((num(n, l, what)?, num(n, r, what)?)) };
    match op {
        BinOp::Add => match (l.as_str(), r.as_str()) {
            (Some(x), Some(y)) => Ok(owned(Value::str(&format!("{x}{y}")))),
            _ => {
                let (x, y) = nums()?;
                arith(n, x.add(y))
            }
        },
        BinOp::Sub => nums().and_then(|(x, y)| arith(n, x.sub(y))),
        BinOp::Mul => nums().and_then(|(x, y)| arith(n, x.mul(y))),
        BinOp::Div => nums().and_then(|(x, y)| arith(n, x.div(y))),
        _ => nums().and_then(|(x, y)| arith(n, x.rem(y))),
    }
}

fn call<'a>(
    n: &'a Node,
    func: Func,
    args: &'a [Node],
    f: &Frame<'a>,
    locals: &mut Locals<'a>,
) -> Result<Value, EvalError> {
    let mut vals: Vec<Val<'a>> = Vec::with_capacity(args.len());
    for a in args {
        vals.push(eval(a, f, locals)?);
    }
    let arg = |k: usize| -> &Value { vals.get(k).map(|v| v.as_ref()).unwrap_or(&NONE) };
    let int = |k: usize, what: &str| int_arg(n, num(n, arg(k), what)?, what);
    Ok(match func {
        Func::Round(mode) => {
            let x = num(n, arg(0), "round()")?;
            let d = int(1, "round() digits")?;
            if !(0..=crate::num::MAX_DIGITS as i64).contains(&d) {
                return Err(err(
                    n,
                    format!(
                        "round() digits must be 0 to {}, found {d}",
                        crate::num::MAX_DIGITS
                    ),
                ));
            }
            Value::from(
                x.round(d as u32, mode.unwrap_or(RoundingMode::HalfUp))
                    .map_err(|e| err(n, e.to_string()))?,
            )
        }
        Func::Min | Func::Max => {
            let mut best = num(n, arg(0), "min/max")?;
            for k in 1..args.len() {
                let x = num(n, arg(k), "min/max")?;
                if (func == Func::Min && x < best) || (func == Func::Max && x > best) {
                    best = x;
                }
            }
            Value::from(best)
        }
        Func::Abs => Value::from(
            num(n, arg(0), "abs()")?
                .abs()
                .map_err(|e| err(n, e.to_string()))?,
        ),
        Func::DaysBetween => {
            let a = date(n, arg(0), "days_between()")?;
            let b = date(n, arg(1), "days_between()")?;
            Value::int((b - a).num_days() as i128)
        }
        Func::MonthsBetween => {
            let a = date(n, arg(0), "months_between()")?;
            let b = date(n, arg(1), "months_between()")?;
            Value::int(months_between(a, b) as i128)
        }
        Func::AddDays => {
            let d = date(n, arg(0), "add_days()")?;
            let k = int(1, "add_days()")?;
            Value::Date(
                chrono::Duration::try_days(k)
                    .and_then(|dur| d.checked_add_signed(dur))
                    .ok_or_else(|| err(n, "add_days() leaves the calendar"))?,
            )
        }
        Func::AddMonths => {
            let d = date(n, arg(0), "add_months()")?;
            let k = int(1, "add_months()")?;
            Value::Date(add_months(d, k).ok_or_else(|| err(n, "add_months() leaves the calendar"))?)
        }
        Func::Year => Value::int(date(n, arg(0), "year()")?.year() as i128),
        Func::Month => Value::int(date(n, arg(0), "month()")?.month() as i128),
        Func::Quarter => Value::int(date(n, arg(0), "quarter()")?.month0() as i128 / 3 + 1),
        Func::MakeDate => {
            let y = int(0, "make_date() year")?;
            let m = int(1, "make_date() month")?;
            let d = int(2, "make_date() day")?;
            let date = i32::try_from(y)
                .ok()
                .zip(u32::try_from(m).ok())
                .zip(u32::try_from(d).ok())
                .and_then(|((y, m), d)| NaiveDate::from_ymd_opt(y, m, d));
            Value::Date(
                date.ok_or_else(|| err(n, format!("make_date({y}, {m}, {d}) is not a date")))?,
            )
        }
        Func::IsNone => Value::Bool(arg(0).is_none()),
        Func::Coalesce => {
            if arg(0).is_none() {
                arg(1).clone()
            } else {
                arg(0).clone()
            }
        }
    })
}

/// Whether a node is a filter or a map, whose elements [`each`] streams without building
/// the list.
fn streams(n: &Node) -> bool {
    matches!(
        n.kind,
        NodeKind::Method(Method::Filter | Method::Map, _, Some(_))
    )
}

/// Gives `sink` every element of the list `n` evaluates to. A chain of filters and maps
/// is streamed: `items.filter(…).map(…).sum()` builds no list. Returns false when the sink
/// stopped early.
fn each<'a>(
    n: &'a Node,
    f: &Frame<'a>,
    locals: &mut Locals<'a>,
    sink: &mut Sink<'_, 'a>,
) -> Result<bool, EvalError> {
    match &n.kind {
        NodeKind::Method(Method::Filter, recv, Some(body)) => {
            each(recv, f, locals, &mut |x, locals| {
                locals.push(x);
                let keep = truth(body, n, ".filter()", f, locals);
                match locals.pop() {
                    Some(x) if keep? => sink(x, locals),
                    _ => Ok(true),
                }
            })
        }
        NodeKind::Method(Method::Map, recv, Some(body)) => {
            each(recv, f, locals, &mut |x, locals| {
                locals.push(x);
                let v = eval(body, f, locals);
                locals.pop();
                sink(Local::Val(v?), locals)
            })
        }
        _ => {
            let list = eval(n, f, locals)?;
            each_of(n, &list, locals, sink)
        }
    }
}

/// Gives `sink` every element of a list value: lent (an item as its row) when the list is
/// lent, else copied.
fn each_of<'a>(
    n: &Node,
    list: &Val<'a>,
    locals: &mut Locals<'a>,
    sink: &mut Sink<'_, 'a>,
) -> Result<bool, EvalError> {
    match list {
        Cow::Borrowed(v) => {
            let v: &'a Value = v;
            match v {
                Value::List(l) => {
                    for x in l.iter() {
                        if !sink(Local::Val(Cow::Borrowed(x)), locals)? {
                            return Ok(false);
                        }
                    }
                }
                Value::Items(all, w) => {
                    for i in 0..v.list_len() {
                        if !sink(Local::Row(all, (i * *w as usize) as u32, *w), locals)? {
                            return Ok(false);
                        }
                    }
                }
                other => return Err(wrong(n, other, "a list method", "a list")),
            }
        }
        Cow::Owned(v) => match v {
            Value::List(l) => {
                for x in l.iter() {
                    if !sink(Local::Val(Cow::Owned(x.clone())), locals)? {
                        return Ok(false);
                    }
                }
            }
            Value::Items(all, w) => {
                for i in 0..v.list_len() {
                    let item = Value::Item(all.clone(), (i * *w as usize) as u32, *w);
                    if !sink(Local::Val(Cow::Owned(item)), locals)? {
                        return Ok(false);
                    }
                }
            }
            other => return Err(wrong(n, other, "a list method", "a list")),
        },
    }
    Ok(true)
}

/// Builds the list a filter or a map gives. Items that a filter keeps stay flat (one
/// allocation for the list).
fn collect<'a>(n: &'a Node, f: &Frame<'a>, locals: &mut Locals<'a>) -> Result<Value, EvalError> {
    let mut vals: Vec<Value> = Vec::new();
    let mut rows: Option<(Vec<Value>, u16)> = None;
    each(n, f, locals, &mut |x, _| {
        match x {
            Local::Row(all, start, w)
                if vals.is_empty() && rows.as_ref().is_none_or(|(_, rw)| *rw == w) =>
            {
                let (fields, _) = rows.get_or_insert_with(|| (Vec::new(), w));
                let start = start as usize;
                fields.extend_from_slice(all.get(start..start + w as usize).unwrap_or(&[]));
            }
            other => {
                // a value after items: the items so far become values too
                if let Some((fields, w)) = rows.take() {
                    let all: Arc<[Value]> = fields.into();
                    let count = all.len().checked_div(w as usize).unwrap_or(0);
                    vals.extend(
                        (0..count).map(|i| Value::Item(all.clone(), (i * w as usize) as u32, w)),
                    );
                }
                vals.push(other.into_value());
            }
        }
        Ok(true)
    })?;
    Ok(match rows {
        Some((fields, w)) => Value::Items(fields.into(), w),
        None => Value::List(vals.into()),
    })
}

fn method<'a>(
    n: &'a Node,
    m: Method,
    recv: &'a Node,
    arg: Option<&'a Node>,
    f: &Frame<'a>,
    locals: &mut Locals<'a>,
) -> Result<Value, EvalError> {
    // the closure's value for an element
    let apply = |x: Local<'a>, locals: &mut Locals<'a>| -> Result<Val<'a>, EvalError> {
        let body = arg.ok_or_else(|| err(n, "missing closure"))?;
        locals.push(x);
        let r = eval(body, f, locals);
        locals.pop();
        r
    };
    let number = |x: &Local<'a>, what: &str| num(n, &x.value(), what);
    Ok(match m {
        // a filter of a list (not of another filter or map) that keeps every element gives
        // the list itself: nothing is copied
        Method::Filter if !streams(recv) => {
            let list = eval(recv, f, locals)?;
            let mut keep = Vec::with_capacity(list.list_len());
            each_of(recv, &list, locals, &mut |x, locals| {
                keep.push(boolean(n, &*apply(x, locals)?, ".filter()")?);
                Ok(true)
            })?;
            if keep.iter().all(|k| *k) {
                return Ok(list.into_owned());
            }
            let mut at = 0;
            let mut kept = Vec::new();
            let mut rows: Option<(Vec<Value>, u16)> = None;
            each_of(recv, &list, locals, &mut |x, _| {
                if keep[at] {
                    match x {
                        Local::Row(all, start, w) => {
                            let (fields, _) = rows.get_or_insert_with(|| (Vec::new(), w));
                            let start = start as usize;
                            fields.extend_from_slice(
                                all.get(start..start + w as usize).unwrap_or(&[]),
                            );
                        }
                        other => kept.push(other.into_value()),
                    }
                }
                at += 1;
                Ok(true)
            })?;
            match rows {
                Some((fields, w)) => Value::Items(fields.into(), w),
                None => Value::List(kept.into()),
            }
        }
        Method::Filter | Method::Map => collect(n, f, locals)?,
        Method::Len if !streams(recv) => {
            let l = eval(recv, f, locals)?;
            if !matches!(*l, Value::List(_) | Value::Items(..)) {
                return Err(wrong(n, &l, "a list method", "a list"));
            }
            Value::int(l.list_len() as i128)
        }
        Method::Len => {
            let mut k = 0i128;
            each(recv, f, locals, &mut |_, _| {
                k += 1;
                Ok(true)
            })?;
            Value::int(k)
        }
        Method::Some | Method::All => {
            let want = m == Method::Some;
            let what = if want { ".some()" } else { ".all()" };
            let mut found = !want;
            each(recv, f, locals, &mut |x, locals| {
                if boolean(n, &*apply(x, locals)?, what)? == want {
                    found = want;
                    return Ok(false);
                }
                Ok(true)
            })?;
            Value::Bool(found)
        }
        Method::Sum => {
            let mut s = Number::ZERO;
            each(recv, f, locals, &mut |x, _| {
                s = std::mem::take(&mut s)
                    .add(number(&x, ".sum()")?)
                    .map_err(|e| err(n, e.to_string()))?;
                Ok(true)
            })?;
            Value::from(s)
        }
        Method::Min | Method::Max => {
            let mut best: Option<Number> = None;
            each(recv, f, locals, &mut |x, _| {
                let v = number(&x, ".min()/.max()")?;
                best = Some(match best.take() {
                    Some(b) if (m == Method::Min) != (v < b) => b,
                    _ => v,
                });
                Ok(true)
            })?;
            best.map(Value::from).unwrap_or(Value::None)
        }
        Method::Contains => {
            let body = arg.ok_or_else(|| err(n, "missing argument"))?;
            let x = eval(body, f, locals)?.into_owned();
            let mut found = false;
            each(recv, f, locals, &mut |e, _| {
                found = *e.value() == x;
                Ok(!found)
            })?;
            Value::Bool(found)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::compile::{compile, Env, ItemId, Names, Ty};

    /// One collection "c" with fields score (num), when (date), grade (str), items (list).
    struct T;
    impl Names for T {
        fn coll_name(&self, _: CollId) -> String {
            "c".into()
        }
        fn field(&self, _: CollId, name: &str) -> Option<(u16, Ty)> {
            match name {
                "score" => Some((0, Ty::Num)),
                "when" => Some((1, Ty::Date)),
                "grade" => Some((2, Ty::Str)),
                "items" => Some((3, Ty::List(Box::new(Ty::Item(0))))),
                "opt" => Some((4, Ty::Num)),
                _ => None,
            }
        }
        fn measure(&self, _: CollId, _: &str) -> Option<Result<(MeasureId, Ty), String>> {
            None
        }
        fn item_field(&self, _: ItemId, name: &str) -> Option<(u16, Ty)> {
            match name {
                "key" => Some((0, Ty::Bool)),
                "passed" => Some((1, Ty::Bool)),
                "points" => Some((2, Ty::Num)),
                _ => None,
            }
        }
    }
    /// The record: score 8.95, a date, grade "B", three checklist items, `opt` missing.
    struct D(Vec<Value>);
    fn items(rows: &[(bool, bool, &str)]) -> Value {
        let fields: Vec<Value> = rows
            .iter()
            .flat_map(|(key, passed, points)| {
                [
                    Value::Bool(*key),
                    Value::Bool(*passed),
                    Value::from(Number::parse(points).unwrap()),
                ]
            })
            .collect();
        Value::Items(fields.into(), 3)
    }
    fn record() -> D {
        D(vec![
            Value::from(Number::parse("8.95").unwrap()),
            Value::Date(NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()),
            Value::str("B"),
            items(&[(true, false, "0"), (true, true, "4.5"), (false, false, "2")]),
            Value::None,
        ])
    }
    impl Data for D {
        fn field(&self, _: CollId, _: u32, slot: u16) -> &Value {
            self.0.get(slot as usize).unwrap_or(&NONE)
        }
        fn measure(&self, _: MeasureId, _: u32) -> &Value {
            &NONE
        }
    }

    fn run(src: &str) -> Result<Value, String> {
        let env = Env {
            names: &T,
            base: Some(0),
            vars: &[],
        };
        let e = compile(src, &env, None).map_err(|e| format!("compile: {e}"))?;
        e.eval(&Frame {
            data: &record(),
            base: Some((0, 0)),
            vars: &[],
        })
        .map(Cow::into_owned)
        .map_err(|e| format!("eval: {e}"))
    }

    fn numv(s: &str) -> Value {
        Value::from(Number::parse(s).unwrap())
    }

    #[test]
    fn evaluates_exactly() {
        assert_eq!(run("round(score, 1)").unwrap(), numv("9.0"));
        assert_eq!(run("round(score, 1, \"half_down\")").unwrap(), numv("8.9"));
        assert_eq!(
            run("score >= 8.95 && score < 9").unwrap(),
            Value::Bool(true)
        );
        assert_eq!(run("1 / 3 * 3 == 1").unwrap(), Value::Bool(true));
        assert_eq!(run("0.1 + 0.2 == 0.3").unwrap(), Value::Bool(true));
        assert_eq!(run("min(3, score, 10)").unwrap(), numv("3"));
        assert_eq!(run("grade in [\"A\", \"B\"]").unwrap(), Value::Bool(true));
        assert_eq!(run("-abs(-2) % 3").unwrap(), numv("-2"));
        assert_eq!(
            run("if score > 9 { \"A\" } else if score > 8 { \"B\" } else { \"C\" }").unwrap(),
            Value::str("B")
        );
        assert_eq!(
            run("if is_none(opt) { () } else { opt / 0 }").unwrap(),
            Value::None,
            "the other branch is not evaluated"
        );
    }

    #[test]
    fn lists_of_items() {
        assert_eq!(
            run("items.filter(|i| i.key && !i.passed).len()").unwrap(),
            numv("1")
        );
        assert_eq!(run("items.map(|i| i.points).sum()").unwrap(), numv("6.5"));
        assert_eq!(run("items.map(|i| i.points).max()").unwrap(), numv("4.5"));
        assert_eq!(run("items.some(|i| i.passed)").unwrap(), Value::Bool(true));
        assert_eq!(run("items.all(|i| i.key)").unwrap(), Value::Bool(false));
        assert_eq!(run("[].map(|i| i).max()").unwrap(), Value::None);
        assert_eq!(run("[1, 2].contains(2)").unwrap(), Value::Bool(true));
    }

    #[test]
    fn chains_stream_and_lists_of_items_stay_items() {
        // filter then map then sum: streamed, same answer as step by step
        assert_eq!(
            run("items.filter(|i| i.key).map(|i| i.points * 2).sum()").unwrap(),
            numv("9")
        );
        assert_eq!(run("items.filter(|i| !i.passed).len()").unwrap(), numv("2"));
        assert_eq!(
            run("items.map(|i| i.points).filter(|p| p > 1).map(|p| p + 1).max()").unwrap(),
            numv("5.5")
        );
        // a filtered list of items is a list of items, equal however it is stored
        assert_eq!(
            run("items.filter(|i| i.key)").unwrap(),
            items(&[(true, false, "0"), (true, true, "4.5")])
        );
        assert_eq!(
            run("items.filter(|i| i.key).filter(|i| i.passed).map(|i| i.points)").unwrap(),
            Value::List(vec![numv("4.5")].into())
        );
        assert_eq!(run("items.filter(|i| false)").unwrap().list_len(), 0);
        // nested closures see their own item and the outer one
        assert_eq!(
            run("items.map(|i| items.filter(|j| j.points < i.points).len()).sum()").unwrap(),
            numv("3")
        );
        assert_eq!(
            run("items.filter(|i| i.key).map(|i| i.points).contains(4.5)").unwrap(),
            Value::Bool(true)
        );
        // some/all stop at the first answer: the failing element after it is never reached
        assert_eq!(
            run("[1, 0].some(|x| 1 / x > 0)").unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            run("[0, 1].all(|x| x > 0 && 1 / x > 0)").unwrap(),
            Value::Bool(false)
        );
        assert!(run("[1, 0].all(|x| 1 / x > 0)")
            .unwrap_err()
            .contains("division by zero"));
    }

    #[test]
    fn dates() {
        assert_eq!(
            run("add_months(when, 1)").unwrap(),
            Value::Date(NaiveDate::from_ymd_opt(2025, 4, 30).unwrap())
        );
        assert_eq!(
            run("months_between(date(\"2024-12-31\"), when)").unwrap(),
            numv("3")
        );
        assert_eq!(
            run("months_between(date(\"2025-01-01\"), when)").unwrap(),
            numv("2")
        );
        assert_eq!(
            run("days_between(date(\"2025-03-01\"), when)").unwrap(),
            numv("30")
        );
        assert_eq!(
            run("year(when) * 100 + month(when)").unwrap(),
            numv("202503")
        );
        assert_eq!(run("quarter(when)").unwrap(), numv("1"));
        assert_eq!(
            run("make_date(year(when), 11, 10)").unwrap(),
            Value::Date(NaiveDate::from_ymd_opt(2025, 11, 10).unwrap())
        );
        assert!(run("make_date(2025, 2, 29)")
            .unwrap_err()
            .contains("is not a date"));
        assert_eq!(run("quarter(add_days(when, 1))").unwrap(), numv("2"));
    }

    #[test]
    fn none_is_explicit() {
        assert_eq!(run("is_none(opt)").unwrap(), Value::Bool(true));
        assert_eq!(run("coalesce(opt, 0) + 1").unwrap(), numv("1"));
        let e = run("opt > 1").unwrap_err();
        assert!(e.contains("has no value"), "{e}");
        assert_eq!(run("opt == ()").unwrap(), Value::Bool(true));
    }

    #[test]
    fn type_errors_at_load() {
        for (src, needle) in [
            ("score + grade", "'+' needs string"),
            ("grade > 1", "orders numbers"),
            ("nope > 1", "unknown name 'nope'"),
            ("items.len() && true", "'&&' needs bool"),
            ("round(score)", "2 or 3 arguments"),
            ("round(score, 1, \"sideways\")", "unknown rounding mode"),
            ("foo(1)", "unknown function 'foo'"),
            ("items.filter(|i| i.points)", "needs bool"),
            ("items.map(|i| i.nope)", "no field 'nope'"),
            ("date(\"2025-02-30\")", "not a date"),
            ("if score { 1 } else { 2 }", "if condition needs bool"),
            ("if true { 1 } else { \"x\" }", "both branches"),
        ] {
            let e = run(src).unwrap_err();
            assert!(e.contains(needle), "{src}: {e}");
        }
    }

    #[test]
    fn runtime_errors() {
        assert!(run("score / 0").unwrap_err().contains("division by zero"));
        assert!(run("add_days(when, 1e30)")
            .unwrap_err()
            .contains("whole number"));
    }
}
