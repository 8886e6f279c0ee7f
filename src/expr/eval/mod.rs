//! Evaluating compiled expressions with exact arithmetic.

use super::compile::{CalFn, Expr, MeasureId, Node, NodeKind};
use super::parse::BinOp;
use crate::num::Number;
use crate::value::{CollId, Value};
use chrono::NaiveDate;
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
    /// The offset is that of a function's argument or an operator's operand, and the
    /// message says `the argument of f()` or `the operand of '/'`: whoever has the
    /// expression's text names it (`the argument `g` of round()`; [`EvalError::naming`]).
    pub operand: bool,
    /// A script ran past its time limit: the run stops, no record is set aside for it.
    pub stops_run: bool,
}

impl EvalError {
    /// The message, with the argument it is about named by its text in `src` (the
    /// expression the error is from), when it is about one.
    pub fn naming(&self, src: &str) -> String {
        if !self.operand {
            return self.message.clone();
        }
        let text = operand_text(src, self.pos);
        self.message
            .replacen("the argument ", &format!("the argument `{text}` "), 1)
            .replacen("the operand ", &format!("the operand `{text}` "), 1)
    }

    /// As [`fmt::Display`] shows it, with the argument it is about named from `src`.
    pub fn in_src(&self, src: &str) -> String {
        format!("{} (at character {})", self.naming(src), self.pos + 1)
    }
}

/// The text of the argument or operand at character `pos` of `src`: a name (`g`,
/// `unit.score`), or what a bracket there opens, or else up to the `,` or `)` that ends an
/// argument (brackets and strings inside skipped).
fn operand_text(src: &str, pos: usize) -> String {
    let rest: String = src.chars().skip(pos).collect();
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    let opens = rest.starts_with(['(', '[', '{']);
    let mut depth = 0i32;
    let mut quoted = false;
    let mut out = String::new();
    for c in rest.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' | '[' | '{' if !quoted => depth += 1,
            ')' | ']' | '}' if !quoted && depth == 0 => break,
            ')' | ']' | '}' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => break,
            _ => {}
        }
        out.push(c);
        if opens && depth == 0 {
            break;
        }
    }
    // a name followed by a call or an index is the whole of it
    let whole = out.trim();
    if !name.is_empty() && !whole.starts_with(&format!("{name}(")) && !whole.starts_with(&format!("{name}[")) {
        return name;
    }
    whole.to_string()
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
    /// A record's field values, by slot.
    fn record(&self, coll: CollId, idx: u32) -> &[Value];
    /// A field of a record.
    #[inline]
    fn field(&self, coll: CollId, idx: u32, slot: u16) -> &Value {
        self.record(coll, idx).get(slot as usize).unwrap_or(&NONE)
    }
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

    /// The value of an expression that is a leaf (a constant, a variable, a field or a
    /// measure of the record in scope), lent without evaluating anything; `None` for any
    /// other expression. What [`Expr::eval`] gives for it.
    #[inline]
    pub fn lent<'a>(&'a self, f: &Frame<'a>) -> Option<&'a Value> {
        leaf(&self.root, f, &Vec::new())
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
        if let (Some(q), Some((coll, i))) = (&self.quick, f.base) {
            if let Some(b) = q.test(f.data.record(coll, i)) {
                return Ok(b);
            }
        }
        // a field against a constant was tested directly above; any other comparison of
        // two leaves at once
        let root = &self.root;
        if let NodeKind::Bin(op, a, b) = &root.kind {
            if is_condition(*op) && !matches!(op, BinOp::And | BinOp::Or) {
                let none = Vec::new();
                if let (Some(l), Some(r)) = (leaf(a, f, &none), leaf(b, f, &none)) {
                    return compared(root, *op, (a, l), (b, r));
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
                operand: false,
                stops_run: false,
            }),
        }
    }
}

fn err(n: &Node, message: impl Into<String>) -> EvalError {
    EvalError {
        pos: n.pos as usize,
        message: message.into(),
        operand: false,
        stops_run: false,
    }
}

/// An error about argument `a` of a function (`what` says `the argument of f()`): placed
/// at the argument, which the error then names.
fn at_arg(a: &Node, e: EvalError) -> EvalError {
    EvalError {
        pos: a.pos as usize,
        operand: true,
        ..e
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
            owned(sf.call(&vals).map_err(|f| EvalError {
                stops_run: f.stops_run,
                ..err(n, f.message)
            })?)
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
                CalFn::InCalendars => Value::Bool(cal.in_calendars(first)),
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
        return compared(n, op, (a, l), (b, r));
    }
    let l = operand(a, f, locals)?;
    let r = operand(b, f, locals)?;
    compared(n, op, (a, &l), (b, &r))
}

/// `l op r` for a comparison or membership, each operand with its node (an error about
/// one names it).
fn compared(n: &Node, op: BinOp, (a, l): (&Node, &Value), (b, r): (&Node, &Value)) -> Result<bool, EvalError> {
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
                let none = if l.is_none() { a } else { b };
                return Err(at_arg(none, missing(n, &format!("the operand of {what}"))));
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
    // (an error names the operand, and its message is only made when there is one)
    let one = |x: &Node, v: &Value| {
        v.num()
            .ok_or_else(|| at_arg(x, wrong(n, v, &format!("the operand of {what}"), "a number")))
    };
    let nums = || -> Result<(Number, Number), EvalError> { Ok((one(a, l)?, one(b, r)?)) };
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

mod calls;
mod lists;
#[cfg(test)]
mod tests;

use calls::call;
use lists::method;
