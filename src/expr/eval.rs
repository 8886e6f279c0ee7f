//! Evaluating compiled expressions with exact arithmetic.

use super::compile::{CalFn, Expr, Func, MeasureId, Method, Node, NodeKind};
use super::parse::BinOp;
use crate::num::{Number, RoundingMode};
use crate::value::{CollId, Value};
use chrono::{Datelike, Months, NaiveDate};
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

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.pos + 1)
    }
}

/// Where expressions read records and measures from.
pub trait Data {
    /// A field of a record.
    fn field(&self, coll: CollId, idx: u32, slot: u16) -> Value;
    /// A measure of a record (already computed).
    fn measure(&self, m: MeasureId, idx: u32) -> Value;
}

/// What an evaluation sees: the data, the record in scope and the named variables.
pub struct Frame<'a> {
    /// Records and measures.
    pub data: &'a dyn Data,
    /// The record in scope.
    pub base: Option<(CollId, u32)>,
    /// Named variables by slot.
    pub vars: &'a [Value],
}

impl Expr {
    /// Evaluates the expression.
    pub fn eval(&self, f: &Frame) -> Result<Value, EvalError> {
        let mut locals = Vec::new();
        eval(&self.root, f, &mut locals)
    }

    /// Evaluates a condition: `true`/`false`; no value is an error.
    pub fn eval_bool(&self, f: &Frame) -> Result<bool, EvalError> {
        match self.eval(f)? {
            Value::Bool(b) => Ok(b),
            v => Err(EvalError {
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

fn num(n: &Node, v: Value, what: &str) -> Result<Number, EvalError> {
    match v {
        Value::Num(x) => Ok(x),
        Value::None => Err(missing(n, what)),
        v => Err(err(
            n,
            format!("{what} needs a number, found {}", v.type_name()),
        )),
    }
}

fn date(n: &Node, v: Value, what: &str) -> Result<NaiveDate, EvalError> {
    match v {
        Value::Date(d) => Ok(d),
        Value::None => Err(missing(n, what)),
        v => Err(err(
            n,
            format!("{what} needs a date, found {}", v.type_name()),
        )),
    }
}

fn boolean(n: &Node, v: Value, what: &str) -> Result<bool, EvalError> {
    match v {
        Value::Bool(b) => Ok(b),
        Value::None => Err(missing(n, what)),
        v => Err(err(
            n,
            format!("{what} needs true or false, found {}", v.type_name()),
        )),
    }
}

fn list(n: &Node, v: Value, what: &str) -> Result<Arc<[Value]>, EvalError> {
    match v {
        Value::List(l) => Ok(l),
        Value::None => Err(missing(n, what)),
        v => Err(err(
            n,
            format!("{what} needs a list, found {}", v.type_name()),
        )),
    }
}

fn arith(n: &Node, r: Result<Number, crate::num::ArithError>) -> Result<Value, EvalError> {
    r.map(Value::Num).map_err(|e| err(n, e.to_string()))
}

fn int_arg(n: &Node, x: Number, what: &str) -> Result<i64, EvalError> {
    if !x.is_integer() || x.numer() > i64::MAX as i128 || x.numer() < i64::MIN as i128 {
        return Err(err(n, format!("{what} needs a whole number, found {x}")));
    }
    Ok(x.numer() as i64)
}

/// Orders two values of one kind; `None` when they cannot be ordered.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => Some(x.cmp(y)),
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Whole months from `a` to `b` (negative when b is before a).
pub fn months_between(a: NaiveDate, b: NaiveDate) -> i64 {
    if b < a {
        return -months_between(b, a);
    }
    let mut m = (b.year() as i64 - a.year() as i64) * 12 + b.month() as i64 - a.month() as i64;
    if b.day() < a.day() {
        // not a whole month yet, unless `a`'s day does not exist in b's month and b is its last day
        let last_of_b = b
            .checked_add_months(Months::new(1))
            .and_then(|x| x.with_day(1))
            .and_then(|x| x.pred_opt())
            .map(|x| x.day())
            .unwrap_or(31);
        if !(b.day() == last_of_b && a.day() > last_of_b) {
            m -= 1;
        }
    }
    m
}

/// `d` plus `n` months, clamped to the last day of the month.
pub fn add_months(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    let m = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
    if n >= 0 {
        d.checked_add_months(m)
    } else {
        d.checked_sub_months(m)
    }
}

fn eval(n: &Node, f: &Frame, locals: &mut Vec<Value>) -> Result<Value, EvalError> {
    Ok(match &n.kind {
        NodeKind::Const(v) => v.clone(),
        NodeKind::Var(i) => f.vars[*i as usize].clone(),
        NodeKind::Local(i) => locals[*i as usize].clone(),
        NodeKind::BaseField(slot) => {
            let (c, i) = f.base.ok_or_else(|| err(n, "no record in scope"))?;
            f.data.field(c, i, *slot)
        }
        NodeKind::BaseMeasure(m) => {
            let (_, i) = f.base.ok_or_else(|| err(n, "no record in scope"))?;
            f.data.measure(*m, i)
        }
        NodeKind::RecField(r, slot) => match eval(r, f, locals)? {
            Value::Rec(c, i) => f.data.field(c, i, *slot),
            Value::None => Value::None,
            v => {
                return Err(err(
                    n,
                    format!("field access needs a record, found {}", v.type_name()),
                ))
            }
        },
        NodeKind::RecMeasure(r, m) => match eval(r, f, locals)? {
            Value::Rec(_, i) => f.data.measure(*m, i),
            Value::None => Value::None,
            v => {
                return Err(err(
                    n,
                    format!("measure access needs a record, found {}", v.type_name()),
                ))
            }
        },
        NodeKind::ItemField(r, slot) => match eval(r, f, locals)? {
            Value::Item(fields) => fields[*slot as usize].clone(),
            v => {
                return Err(err(
                    n,
                    format!("field access needs a list item, found {}", v.type_name()),
                ))
            }
        },
        NodeKind::Neg(e) => {
            let x = num(n, eval(e, f, locals)?, "'-'")?;
            arith(n, x.neg())?
        }
        NodeKind::Not(e) => Value::Bool(!boolean(n, eval(e, f, locals)?, "'!'")?),
        NodeKind::Bin(op, a, b) => binary(n, *op, a, b, f, locals)?,
        NodeKind::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for it in items {
                out.push(eval(it, f, locals)?);
            }
            Value::List(out.into())
        }
        NodeKind::Call(func, args) => call(n, *func, args, f, locals)?,
        NodeKind::Method(m, recv, arg) => method(n, *m, recv, arg.as_deref(), f, locals)?,
        NodeKind::Script(sf, args) => {
            let mut vals = Vec::with_capacity(args.len());
            for a in args {
                vals.push(eval(a, f, locals)?);
            }
            sf.call(&vals).map_err(|m| err(n, m))?
        }
        NodeKind::Calendar(cf, cal, args) => {
            let mut vals = Vec::with_capacity(args.len());
            for a in args {
                vals.push(eval(a, f, locals)?);
            }
            let mut it = vals.into_iter();
            let first = date(
                n,
                it.next().unwrap_or(Value::None),
                "a working-day function",
            )?;
            let second = it.next().unwrap_or(Value::None);
            match cf {
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
                    Value::Num(Number::from_int(
                        cal.working_days_between(first, b).map_err(|m| err(n, m))? as i128,
                    ))
                }
            }
        }
        NodeKind::If(c, a, b) => {
            if boolean(n, eval(c, f, locals)?, "an if condition")? {
                eval(a, f, locals)?
            } else {
                eval(b, f, locals)?
            }
        }
    })
}

fn binary(
    n: &Node,
    op: BinOp,
    a: &Node,
    b: &Node,
    f: &Frame,
    locals: &mut Vec<Value>,
) -> Result<Value, EvalError> {
    let what = op.quoted();
    match op {
        BinOp::And => {
            if !boolean(n, eval(a, f, locals)?, what)? {
                return Ok(Value::Bool(false));
            }
            return Ok(Value::Bool(boolean(n, eval(b, f, locals)?, what)?));
        }
        BinOp::Or => {
            if boolean(n, eval(a, f, locals)?, what)? {
                return Ok(Value::Bool(true));
            }
            return Ok(Value::Bool(boolean(n, eval(b, f, locals)?, what)?));
        }
        _ => {}
    }
    let l = eval(a, f, locals)?;
    let r = eval(b, f, locals)?;
    Ok(match op {
        BinOp::Add => match (l, r) {
            (Value::Str(x), Value::Str(y)) => Value::Str(format!("{x}{y}").into()),
            (l, r) => arith(n, num(n, l, what)?.add(num(n, r, what)?))?,
        },
        BinOp::Sub => arith(n, num(n, l, what)?.sub(num(n, r, what)?))?,
        BinOp::Mul => arith(n, num(n, l, what)?.mul(num(n, r, what)?))?,
        BinOp::Div => arith(n, num(n, l, what)?.div(num(n, r, what)?))?,
        BinOp::Rem => arith(n, num(n, l, what)?.rem(num(n, r, what)?))?,
        BinOp::Eq => Value::Bool(l == r),
        BinOp::Ne => Value::Bool(l != r),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            if l.is_none() || r.is_none() {
                return Err(missing(n, &format!("an operand of {what}")));
            }
            let o = compare(&l, &r).ok_or_else(|| {
                err(
                    n,
                    format!(
                        "{what} cannot order {} and {}",
                        l.type_name(),
                        r.type_name()
                    ),
                )
            })?;
            Value::Bool(match op {
                BinOp::Lt => o == Ordering::Less,
                BinOp::Le => o != Ordering::Greater,
                BinOp::Gt => o == Ordering::Greater,
                _ => o != Ordering::Less,
            })
        }
        BinOp::In => {
            let items = list(n, r, "'in'")?;
            Value::Bool(items.contains(&l))
        }
        // short-circuited above; kept total without a panic path
        BinOp::And => Value::Bool(boolean(n, l, what)? && boolean(n, r, what)?),
        BinOp::Or => Value::Bool(boolean(n, l, what)? || boolean(n, r, what)?),
    })
}

fn call(
    n: &Node,
    func: Func,
    args: &[Node],
    f: &Frame,
    locals: &mut Vec<Value>,
) -> Result<Value, EvalError> {
    let mut vals = Vec::with_capacity(args.len());
    for a in args {
        vals.push(eval(a, f, locals)?);
    }
    let mut it = vals.into_iter();
    let mut next = || it.next().unwrap_or(Value::None);
    Ok(match func {
        Func::Round(mode) => {
            let x = num(n, next(), "round()")?;
            let d = int_arg(n, num(n, next(), "round()")?, "round() digits")?;
            if !(0..=crate::num::MAX_DIGITS as i64).contains(&d) {
                return Err(err(
                    n,
                    format!(
                        "round() digits must be 0 to {}, found {d}",
                        crate::num::MAX_DIGITS
                    ),
                ));
            }
            arith(n, x.round(d as u32, mode.unwrap_or(RoundingMode::HalfUp)))?
        }
        Func::Min | Func::Max => {
            let mut best = num(n, next(), "min/max")?;
            for _ in 1..args.len() {
                let x = num(n, next(), "min/max")?;
                if (func == Func::Min && x < best) || (func == Func::Max && x > best) {
                    best = x;
                }
            }
            Value::Num(best)
        }
        Func::Abs => arith(n, num(n, next(), "abs()")?.abs())?,
        Func::DaysBetween => {
            let a = date(n, next(), "days_between()")?;
            let b = date(n, next(), "days_between()")?;
            Value::Num(Number::from_int((b - a).num_days() as i128))
        }
        Func::MonthsBetween => {
            let a = date(n, next(), "months_between()")?;
            let b = date(n, next(), "months_between()")?;
            Value::Num(Number::from_int(months_between(a, b) as i128))
        }
        Func::AddDays => {
            let d = date(n, next(), "add_days()")?;
            let k = int_arg(n, num(n, next(), "add_days()")?, "add_days()")?;
            Value::Date(
                chrono::Duration::try_days(k)
                    .and_then(|dur| d.checked_add_signed(dur))
                    .ok_or_else(|| err(n, "add_days() leaves the calendar"))?,
            )
        }
        Func::AddMonths => {
            let d = date(n, next(), "add_months()")?;
            let k = int_arg(n, num(n, next(), "add_months()")?, "add_months()")?;
            Value::Date(add_months(d, k).ok_or_else(|| err(n, "add_months() leaves the calendar"))?)
        }
        Func::Year => Value::Num(Number::from_int(date(n, next(), "year()")?.year() as i128)),
        Func::Month => Value::Num(Number::from_int(date(n, next(), "month()")?.month() as i128)),
        Func::Quarter => Value::Num(Number::from_int(
            date(n, next(), "quarter()")?.month0() as i128 / 3 + 1,
        )),
        Func::MakeDate => {
            let y = int_arg(n, num(n, next(), "make_date()")?, "make_date() year")?;
            let m = int_arg(n, num(n, next(), "make_date()")?, "make_date() month")?;
            let d = int_arg(n, num(n, next(), "make_date()")?, "make_date() day")?;
            let date = i32::try_from(y)
                .ok()
                .zip(u32::try_from(m).ok())
                .zip(u32::try_from(d).ok())
                .and_then(|((y, m), d)| NaiveDate::from_ymd_opt(y, m, d));
            Value::Date(
                date.ok_or_else(|| err(n, format!("make_date({y}, {m}, {d}) is not a date")))?,
            )
        }
        Func::IsNone => Value::Bool(next().is_none()),
        Func::Coalesce => {
            let a = next();
            let b = next();
            if a.is_none() {
                b
            } else {
                a
            }
        }
    })
}

fn method(
    n: &Node,
    m: Method,
    recv: &Node,
    arg: Option<&Node>,
    f: &Frame,
    locals: &mut Vec<Value>,
) -> Result<Value, EvalError> {
    let items = list(n, eval(recv, f, locals)?, "a list method")?;
    let with_each = |locals: &mut Vec<Value>, x: &Value| -> Result<Value, EvalError> {
        let body = arg.ok_or_else(|| err(n, "missing closure"))?;
        locals.push(x.clone());
        let r = eval(body, f, locals);
        locals.pop();
        r
    };
    Ok(match m {
        Method::Len => Value::Num(Number::from_int(items.len() as i128)),
        Method::Filter => {
            let mut out = Vec::new();
            for x in items.iter() {
                if boolean(n, with_each(locals, x)?, ".filter()")? {
                    out.push(x.clone());
                }
            }
            Value::List(out.into())
        }
        Method::Map => {
            let mut out = Vec::with_capacity(items.len());
            for x in items.iter() {
                out.push(with_each(locals, x)?);
            }
            Value::List(out.into())
        }
        Method::Some => {
            for x in items.iter() {
                if boolean(n, with_each(locals, x)?, ".some()")? {
                    return Ok(Value::Bool(true));
                }
            }
            Value::Bool(false)
        }
        Method::All => {
            for x in items.iter() {
                if !boolean(n, with_each(locals, x)?, ".all()")? {
                    return Ok(Value::Bool(false));
                }
            }
            Value::Bool(true)
        }
        Method::Sum => {
            let mut s = Number::ZERO;
            for x in items.iter() {
                s = arith(n, s.add(num(n, x.clone(), ".sum()")?)).map(|v| match v {
                    Value::Num(x) => x,
                    _ => Number::ZERO,
                })?;
            }
            Value::Num(s)
        }
        Method::Min | Method::Max => {
            let mut best: Option<Number> = None;
            for x in items.iter() {
                let v = num(n, x.clone(), ".min()/.max()")?;
                best = Some(match best {
                    None => v,
                    Some(b) if (m == Method::Min) == (v < b) => v,
                    Some(b) => b,
                });
            }
            best.map(Value::Num).unwrap_or(Value::None)
        }
        Method::Contains => {
            let body = arg.ok_or_else(|| err(n, "missing argument"))?;
            let x = eval(body, f, locals)?;
            Value::Bool(items.contains(&x))
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
    struct D;
    fn item(key: bool, passed: bool, points: &str) -> Value {
        Value::Item(
            vec![
                Value::Bool(key),
                Value::Bool(passed),
                Value::Num(Number::parse(points).unwrap()),
            ]
            .into(),
        )
    }
    impl Data for D {
        fn field(&self, _: CollId, _: u32, slot: u16) -> Value {
            match slot {
                0 => Value::Num(Number::parse("8.95").unwrap()),
                1 => Value::Date(NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()),
                2 => Value::str("B"),
                3 => Value::List(
                    vec![
                        item(true, false, "0"),
                        item(true, true, "4.5"),
                        item(false, false, "2"),
                    ]
                    .into(),
                ),
                _ => Value::None,
            }
        }
        fn measure(&self, _: MeasureId, _: u32) -> Value {
            Value::None
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
            data: &D,
            base: Some((0, 0)),
            vars: &[],
        })
        .map_err(|e| format!("eval: {e}"))
    }

    fn numv(s: &str) -> Value {
        Value::Num(Number::parse(s).unwrap())
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
