//! Calls of built-in functions, working-day functions and the pack's script functions.

use crate::expr::compile::{Func, Node};
use crate::dates::{add_months, months_between};
use crate::num::RoundingMode;
use crate::value::Value;
use chrono::{Datelike, NaiveDate};
use super::*;

pub(super) fn call<'a>(
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
    // an argument's value of the type the function takes; an error names the argument
    let at = |k: usize, e: EvalError| match args.get(k) {
        Some(a) => at_arg(a, e),
        None => e,
    };
    // (the message is only made when there is an error: these run once per call)
    let number = |k: usize, f: &str| {
        arg(k)
            .num()
            .ok_or_else(|| at(k, wrong(n, arg(k), &format!("the argument of {f}"), "a number")))
    };
    let day = |k: usize, f: &str| match arg(k) {
        Value::Date(d) => Ok(*d),
        v => Err(at(k, wrong(n, v, &format!("the argument of {f}"), "a date"))),
    };
    let int = |k: usize, f: &str| {
        number(k, f).and_then(|x| {
            x.to_i64().ok_or_else(|| {
                at(k, err(n, format!("the argument of {f} needs a whole number, found {x}")))
            })
        })
    };
    Ok(match func {
        Func::Round(mode) => {
            let x = number(0, "round()")?;
            let d = int(1, "round()")?;
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
            let mut best = number(0, "min/max")?;
            for k in 1..args.len() {
                let x = number(k, "min/max")?;
                if (func == Func::Min && x < best) || (func == Func::Max && x > best) {
                    best = x;
                }
            }
            Value::from(best)
        }
        Func::Abs => Value::from(
            number(0, "abs()")?
                .abs()
                .map_err(|e| err(n, e.to_string()))?,
        ),
        Func::DaysBetween => {
            let a = day(0, "days_between()")?;
            let b = day(1, "days_between()")?;
            Value::int((b - a).num_days() as i128)
        }
        Func::MonthsBetween => {
            let a = day(0, "months_between()")?;
            let b = day(1, "months_between()")?;
            Value::int(months_between(a, b) as i128)
        }
        Func::AddDays => {
            let d = day(0, "add_days()")?;
            let k = int(1, "add_days()")?;
            Value::Date(
                chrono::Duration::try_days(k)
                    .and_then(|dur| d.checked_add_signed(dur))
                    .ok_or_else(|| err(n, "add_days() leaves the calendar"))?,
            )
        }
        Func::AddMonths => {
            let d = day(0, "add_months()")?;
            let k = int(1, "add_months()")?;
            Value::Date(add_months(d, k).ok_or_else(|| err(n, "add_months() leaves the calendar"))?)
        }
        Func::Year => Value::int(day(0, "year()")?.year() as i128),
        Func::Month => Value::int(day(0, "month()")?.month() as i128),
        Func::Quarter => Value::int(day(0, "quarter()")?.month0() as i128 / 3 + 1),
        Func::MakeDate => {
            let y = int(0, "make_date()")?;
            let m = int(1, "make_date()")?;
            let d = int(2, "make_date()")?;
            let date = i32::try_from(y)
                .ok()
                .zip(u32::try_from(m).ok())
                .zip(u32::try_from(d).ok())
                .and_then(|((y, m), d)| NaiveDate::from_ymd_opt(y, m, d));
            Value::Date(
                date.ok_or_else(|| err(n, format!("make_date({y}, {m}, {d}) is not a date")))?,
            )
        }
        Func::Text(pack_digits, mode) => match arg(0) {
            Value::Num(x) => {
                let x = x.get();
                let digits = match args.len() > 1 {
                    true => int(1, "text()")?,
                    false => i64::from(pack_digits),
                };
                if !(0..=crate::num::MAX_DIGITS as i64).contains(&digits) {
                    return Err(at(1, err(n, format!("text() digits must be 0 to {}, found {digits}", crate::num::MAX_DIGITS))));
                }
                let shown = x.to_fixed(digits as u32, mode).map_err(|e| err(n, e.to_string()))?;
                // a value that is not 0 but shows as one: the symbol, when one is given
                let shows_zero = || x.clone().round(digits as u32, mode).is_ok_and(|r| r.is_zero());
                match (args.len() > 2 && !x.is_zero() && shows_zero(), arg(2).as_str()) {
                    (true, Some(symbol)) => Value::str(symbol),
                    _ => Value::str(&shown),
                }
            }
            Value::Date(d) => Value::str(&d.to_string()),
            Value::Bool(b) => Value::str(&b.to_string()),
            v if v.as_str().is_some() => v.clone(),
            v => return Err(at(0, wrong(n, v, "the argument of text()", "a number, a date, text or a truth value"))),
        },
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

