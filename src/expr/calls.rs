//! Calls: the built-in functions (`round`, the date and calendar functions, …), the
//! pack's script functions, and the list methods (`filter`, `map`, `sum`, …), each checked
//! for the number and types of its arguments.

use super::compile::{Compiler, Ty, BUILTINS};
use super::parse::{Ast, AstKind, ExprError};
use super::tree::*;
use crate::num::{RoundingMode, MAX_DIGITS};
use crate::value::Value;
use chrono::NaiveDate;

/// The built-in functions whose parameters and result have fixed types: name, parameter
/// types, function, result type. (`round`, `min`, `max`, `is_none`, `coalesce`, `date`
/// and the working-day functions are checked on their own.)
const FIXED: [(&str, &[Ty], Func, Ty); 9] = [
    ("abs", &[Ty::Num], Func::Abs, Ty::Num),
    ("days_between", &[Ty::Date, Ty::Date], Func::DaysBetween, Ty::Num),
    ("months_between", &[Ty::Date, Ty::Date], Func::MonthsBetween, Ty::Num),
    ("add_days", &[Ty::Date, Ty::Num], Func::AddDays, Ty::Date),
    ("add_months", &[Ty::Date, Ty::Num], Func::AddMonths, Ty::Date),
    ("year", &[Ty::Date], Func::Year, Ty::Num),
    ("month", &[Ty::Date], Func::Month, Ty::Num),
    ("quarter", &[Ty::Date], Func::Quarter, Ty::Num),
    ("make_date", &[Ty::Num, Ty::Num, Ty::Num], Func::MakeDate, Ty::Date),
];

impl Compiler<'_, '_> {
    /// A call of function `f`.
    pub(super) fn call(&mut self, pos: usize, f: &str, args: &[Ast]) -> Result<(Node, Ty), ExprError> {
        let arity = |n: usize| -> Result<(), ExprError> {
            if args.len() == n {
                Ok(())
            } else {
                Err(ExprError::new(
                    pos,
                    format!("{f}() takes {n} argument(s), found {}", args.len()),
                ))
            }
        };
        let mk = |kind| Node {
            pos: pos as u32,
            kind,
        };
        if f == "date" {
            arity(1)?;
            return match &args[0].kind {
                AstKind::Str(s) => {
                    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                        ExprError::new(args[0].pos, format!("'{s}' is not a date YYYY-MM-DD"))
                    })?;
                    Ok((mk(NodeKind::Const(Value::Date(d))), Ty::Date))
                }
                _ => Err(ExprError::new(
                    args[0].pos,
                    "date() takes a string literal such as \"2025-01-01\"",
                )),
            };
        }
        let mut nodes = Vec::new();
        let mut tys = Vec::new();
        for a in args {
            let (n, t) = self.node(a)?;
            nodes.push(n);
            tys.push(t);
        }
        if let Some(sf) = self.env.names.script_fn(f) {
            return self.script_call(pos, f, sf, args, (nodes, tys));
        }
        if let Some(found) = self.calendar_call(pos, f, args, (&nodes, &tys)) {
            let (cf, cal, ret) = found?;
            return Ok((mk(NodeKind::Calendar(cf, cal, nodes)), ret));
        }
        let check = |i: usize, t: &Ty| self.want(args[i].pos, &tys[i], t, &format!("{f}()"));
        if let Some((_, params, func, ty)) = FIXED.iter().find(|(name, ..)| *name == f) {
            arity(params.len())?;
            for (i, p) in params.iter().enumerate() {
                check(i, p)?;
            }
            return Ok((mk(NodeKind::Call(*func, nodes)), ty.clone()));
        }
        let (func, ty) = match f {
            "round" => {
                let mode = self.round_args(pos, args, &tys)?;
                nodes.truncate(2);
                (Func::Round(mode), Ty::Num)
            }
            "min" | "max" => {
                if args.is_empty() {
                    return Err(ExprError::new(
                        pos,
                        format!("{f}() needs at least one argument"),
                    ));
                }
                for i in 0..args.len() {
                    check(i, &Ty::Num)?;
                }
                (if f == "min" { Func::Min } else { Func::Max }, Ty::Num)
            }
            "is_none" => {
                arity(1)?;
                (Func::IsNone, Ty::Bool)
            }
            "text" => {
                if args.is_empty() || args.len() > 3 {
                    return Err(ExprError::new(
                        pos,
                        format!("text() takes 1 to 3 arguments (x, digits, symbol), found {}", args.len()),
                    ));
                }
                if !matches!(tys[0], Ty::Num | Ty::Date | Ty::Str | Ty::Bool | Ty::Any) {
                    return Err(ExprError::new(
                        args[0].pos,
                        format!("text() shows a number, a date, text or a truth value, not {}", self.tn(&tys[0])),
                    ));
                }
                if args.len() > 1 {
                    check(1, &Ty::Num)?;
                }
                if args.len() > 2 {
                    check(2, &Ty::Str)?;
                }
                let (digits, mode) = self.env.names.rounding();
                (Func::Text(digits, mode), Ty::Str)
            }
            "coalesce" => {
                arity(2)?;
                if !tys[0].fits(&tys[1]) {
                    return Err(ExprError::new(
                        args[1].pos,
                        format!(
                            "coalesce() needs a fallback of the same type: {} and {}",
                            self.tn(&tys[0]),
                            self.tn(&tys[1])
                        ),
                    ));
                }
                let ty = if tys[0] == Ty::Any {
                    tys[1].clone()
                } else {
                    tys[0].clone()
                };
                (Func::Coalesce, ty)
            }
            _ => {
                return Err(ExprError::new(
                    pos,
                    format!(
                        "unknown function '{f}'{} (functions: {})",
                        crate::suggest::hint(f, BUILTINS),
                        BUILTINS.join(", ")
                    ),
                ))
            }
        };
        Ok((mk(NodeKind::Call(func, nodes)), ty))
    }

    /// A call of method `name` on `recv`.
    pub(super) fn method(
        &mut self,
        pos: usize,
        recv: &Ast,
        name: &str,
        args: &[Ast],
    ) -> Result<(Node, Ty), ExprError> {
        let (rn, rt) = self.node(recv)?;
        let elem = match &rt {
            Ty::List(e) => (**e).clone(),
            other => {
                return Err(ExprError::new(
                    pos,
                    format!("'.{name}()' needs a list, found {}", self.tn(other)),
                ))
            }
        };
        let mk = |m, arg: Option<Node>| Node {
            pos: pos as u32,
            kind: NodeKind::Method(m, Box::new(rn), arg.map(Box::new)),
        };
        let no_args = |m: Method, ty: Ty| -> Result<(Method, Ty), ExprError> {
            if args.is_empty() {
                Ok((m, ty))
            } else {
                Err(ExprError::new(pos, format!(".{name}() takes no arguments")))
            }
        };
        match name {
            "len" => {
                let (m, t) = no_args(Method::Len, Ty::Num)?;
                Ok((mk(m, None), t))
            }
            "sum" | "min" | "max" => {
                if !elem.fits(&Ty::Num) {
                    return Err(ExprError::new(
                        pos,
                        format!(".{name}() needs a list of numbers, found list of {}", self.tn(&elem)),
                    ));
                }
                let m = match name {
                    "sum" => Method::Sum,
                    "min" => Method::Min,
                    _ => Method::Max,
                };
                let (m, t) = no_args(m, Ty::Num)?;
                Ok((mk(m, None), t))
            }
            "contains" => {
                if args.len() != 1 {
                    return Err(ExprError::new(pos, ".contains() takes one argument"));
                }
                let (an, at) = self.node(&args[0])?;
                self.want(args[0].pos, &at, &elem, ".contains()")?;
                Ok((mk(Method::Contains, Some(an)), Ty::Bool))
            }
            "filter" | "map" | "some" | "all" => {
                let (param, body) = match args {
                    [Ast {
                        kind: AstKind::Closure(p, b),
                        ..
                    }] => (p, b),
                    _ => {
                        return Err(ExprError::new(
                            pos,
                            format!(".{name}() takes one closure such as |i| i.passed"),
                        ))
                    }
                };
                self.locals.push((param.clone(), elem.clone()));
                let r = self.node(body);
                self.locals.pop();
                let (bn, bt) = r?;
                let (m, ty) = match name {
                    "map" => (Method::Map, Ty::List(Box::new(bt))),
                    _ => {
                        self.want(body.pos, &bt, &Ty::Bool, &format!(".{name}()"))?;
                        match name {
                            "filter" => (Method::Filter, rt.clone()),
                            "some" => (Method::Some, Ty::Bool),
                            _ => (Method::All, Ty::Bool),
                        }
                    }
                };
                Ok((mk(m, Some(bn)), ty))
            }
            _ => Err(ExprError::new(
                pos,
                format!("unknown list method '{name}' (len, filter, map, some, all, sum, min, max, contains)"),
            )),
        }
    }

    /// A call of the pack's script function `sf`, its arguments compiled.
    fn script_call(
        &mut self,
        pos: usize,
        f: &str,
        sf: std::sync::Arc<crate::script::ScriptFn>,
        args: &[Ast],
        (nodes, tys): (Vec<Node>, Vec<Ty>),
    ) -> Result<(Node, Ty), ExprError> {
        let mk = |kind| Node {
            pos: pos as u32,
            kind,
        };
        if args.len() != sf.params.len() {
            return Err(ExprError::new(
                pos,
                format!(
                    "script function {f}() takes {} argument(s), found {}",
                    sf.params.len(),
                    args.len()
                ),
            ));
        }
        for (i, p) in sf.params.iter().enumerate() {
            self.want(args[i].pos, &tys[i], p, &format!("{f}()"))?;
        }
        let ty = sf.returns.clone();
        Ok((mk(NodeKind::Script(sf, nodes)), ty))
    }

    /// A call of a working-day function, with the pack's calendar and the result type;
    /// `None` when `f` is not one.
    #[allow(clippy::type_complexity)]
    fn calendar_call(
        &mut self,
        pos: usize,
        f: &str,
        args: &[Ast],
        (_, tys): (&[Node], &[Ty]),
    ) -> Option<Result<(CalFn, std::sync::Arc<crate::calendar::Calendar>, Ty), ExprError>> {
        let (cf, params, ret) = match f {
            "add_working_days" => (CalFn::AddWorkingDays, vec![Ty::Date, Ty::Num], Ty::Date),
            "working_days_between" => {
                (CalFn::WorkingDaysBetween, vec![Ty::Date, Ty::Date], Ty::Num)
            }
            "is_working_day" => (CalFn::IsWorkingDay, vec![Ty::Date], Ty::Bool),
            "in_calendars" => (CalFn::InCalendars, vec![Ty::Date], Ty::Bool),
            _ => return None,
        };
        let checked = (|| {
            let Some(cal) = self.env.names.calendar() else {
                return Err(ExprError::new(pos, format!("{f}() needs the pack's working-day calendars (\"calendars\": [\"cn-2025\", …])")));
            };
            if args.len() != params.len() {
                return Err(ExprError::new(
                    pos,
                    format!("{f}() takes {} argument(s), found {}", params.len(), args.len()),
                ));
            }
            for (i, p) in params.iter().enumerate() {
                self.want(args[i].pos, &tys[i], p, &format!("{f}()"))?;
            }
            Ok((cf, cal, ret))
        })();
        Some(checked)
    }

    /// Checks the arguments of `round(x, digits[, mode])`: the mode, when given.
    fn round_args(
        &self,
        pos: usize,
        args: &[Ast],
        tys: &[Ty],
    ) -> Result<Option<RoundingMode>, ExprError> {
        if args.len() != 2 && args.len() != 3 {
            return Err(ExprError::new(
                pos,
                format!(
                    "round() takes 2 or 3 arguments (x, digits, mode), found {}",
                    args.len()
                ),
            ));
        }
        for i in 0..2 {
            self.want(args[i].pos, &tys[i], &Ty::Num, "round()")?;
        }
        if let AstKind::Num(d) = &args[1].kind {
            let ok = d.parse::<u32>().map(|d| d <= MAX_DIGITS).unwrap_or(false);
            if !ok {
                return Err(ExprError::new(
                    args[1].pos,
                    format!("digits must be a whole number from 0 to {MAX_DIGITS}"),
                ));
            }
        }
        Ok(if args.len() == 3 {
            match &args[2].kind {
                AstKind::Str(m) => Some(RoundingMode::from_name(m).ok_or_else(|| {
                    ExprError::new(
                        args[2].pos,
                        format!(
                            "unknown rounding mode '{m}' (one of: {})",
                            RoundingMode::ALL.map(|(n, _)| n).join(", ")
                        ),
                    )
                })?),
                _ => {
                    return Err(ExprError::new(
                        args[2].pos,
                        "the rounding mode must be a string literal such as \"half_up\"",
                    ))
                }
            }
        } else {
            None
        })
    }
}
