//! Type-checking and resolving an expression against the pack: names become slots,
//! functions become [`Func`]s, and every operator is checked for the types it gets.

use super::parse::{parse, Ast, AstKind, BinOp, ExprError};
use crate::num::{Number, RoundingMode, MAX_DIGITS};
use crate::value::{CollId, Value};
use chrono::NaiveDate;
use std::fmt;
use std::sync::Arc;

/// Index of a measure in a plan.
pub type MeasureId = u32;
/// Index of a list-item shape (the fields of a list field's elements) in a plan.
pub type ItemId = u16;

/// Static types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    /// Unknown element type (empty list) or `()`: fits anything.
    Any,
    /// A number.
    Num,
    /// A truth value.
    Bool,
    /// Text.
    Str,
    /// A date.
    Date,
    /// A record of a collection.
    Rec(CollId),
    /// An element of a list field.
    Item(ItemId),
    /// A list.
    List(Box<Ty>),
}

impl Ty {
    fn fits(&self, other: &Ty) -> bool {
        match (self, other) {
            (Ty::Any, _) | (_, Ty::Any) => true,
            (Ty::List(a), Ty::List(b)) => a.fits(b),
            (a, b) => a == b,
        }
    }
}

/// Names a pack defines, as the type checker needs to see them.
pub trait Names {
    /// Name of a collection.
    fn coll_name(&self, coll: CollId) -> String;
    /// A field of a collection: its slot and type.
    fn field(&self, coll: CollId, name: &str) -> Option<(u16, Ty)>;
    /// A measure of a collection: its id and type (compiling it first if need be);
    /// `Some(Err)` when it exists but cannot be compiled (a cycle, or an error in it).
    fn measure(&self, coll: CollId, name: &str) -> Option<Result<(MeasureId, Ty), String>>;
    /// A field of a list-item shape.
    fn item_field(&self, item: ItemId, name: &str) -> Option<(u16, Ty)>;
    /// A script function the pack declares.
    fn script_fn(&self, _name: &str) -> Option<std::sync::Arc<crate::script::ScriptFn>> {
        None
    }
    /// The pack's working-day calendar, when it has one.
    fn calendar(&self) -> Option<std::sync::Arc<crate::calendar::Calendar>> {
        None
    }
    /// Display of a type (collection and item names).
    fn ty_name(&self, ty: &Ty) -> String {
        match ty {
            Ty::Any => "any".into(),
            Ty::Num => "number".into(),
            Ty::Bool => "bool".into(),
            Ty::Str => "string".into(),
            Ty::Date => "date".into(),
            Ty::Rec(c) => format!("record of {}", self.coll_name(*c)),
            Ty::Item(_) => "list item".into(),
            Ty::List(t) => format!("list of {}", self.ty_name(t)),
        }
    }
}

/// What bare names resolve against.
pub struct Env<'a> {
    /// The pack's names.
    pub names: &'a dyn Names,
    /// The record in scope: bare names are its fields and measures.
    pub base: Option<CollId>,
    /// Named variables (`period_start`, `total`, …), by slot.
    pub vars: &'a [(&'a str, Ty)],
}

/// Built-in functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    /// `round(x, digits[, mode])`
    Round(Option<RoundingMode>),
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
}

impl Expr {
    /// Whether the expression reads the named variable in `slot` (e.g. `outer`).
    pub fn uses_var(&self, slot: u16) -> bool {
        self.any(&|k| matches!(k, NodeKind::Var(v) if *v == slot))
    }

    /// Whether the expression reads a measure (of any record).
    pub fn uses_measures(&self) -> bool {
        self.any(&|k| matches!(k, NodeKind::BaseMeasure(_) | NodeKind::RecMeasure(..)))
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

/// Parses and type-checks `src` in `env`; when `want` is given the result must have it.
pub fn compile(src: &str, env: &Env, want: Option<&Ty>) -> Result<Expr, ExprError> {
    let ast = parse(src)?;
    let height = super::parse::height(&ast) as u16;
    let mut c = Compiler {
        env,
        locals: Vec::new(),
    };
    let (root, ty) = c.node(&ast)?;
    if let Some(w) = want {
        if !ty.fits(w) {
            return Err(ExprError::new(
                0,
                format!(
                    "expected {}, but the expression gives {}",
                    env.names.ty_name(w),
                    env.names.ty_name(&ty)
                ),
            ));
        }
    }
    Ok(Expr {
        src: Arc::from(src),
        root,
        ty,
        height,
    })
}

struct Compiler<'a, 'b> {
    env: &'a Env<'b>,
    locals: Vec<(String, Ty)>,
}

/// The built-in functions of expressions, the one list: the checker names them when a
/// function is unknown, and script functions may not take their names.
pub const BUILTINS: [&str; 18] = [
    "round",
    "min",
    "max",
    "abs",
    "date",
    "days_between",
    "months_between",
    "add_days",
    "add_months",
    "year",
    "month",
    "quarter",
    "make_date",
    "is_none",
    "coalesce",
    "add_working_days",
    "working_days_between",
    "is_working_day",
];

impl Compiler<'_, '_> {
    fn tn(&self, t: &Ty) -> String {
        self.env.names.ty_name(t)
    }

    fn node(&mut self, a: &Ast) -> Result<(Node, Ty), ExprError> {
        let pos = a.pos;
        let mk = |kind| Node {
            pos: pos as u32,
            kind,
        };
        Ok(match &a.kind {
            AstKind::Num(n) => {
                let v = Number::parse(n).map_err(|e| ExprError::new(pos, e))?;
                (mk(NodeKind::Const(Value::from(v))), Ty::Num)
            }
            AstKind::Str(s) => (mk(NodeKind::Const(Value::str(s))), Ty::Str),
            AstKind::Bool(b) => (mk(NodeKind::Const(Value::Bool(*b))), Ty::Bool),
            AstKind::Unit => (mk(NodeKind::Const(Value::None)), Ty::Any),
            AstKind::Ident(name) => self.ident(pos, name)?,
            AstKind::List(items) => {
                let mut nodes = Vec::new();
                let mut ty = Ty::Any;
                for it in items {
                    let (n, t) = self.node(it)?;
                    if !t.fits(&ty) {
                        return Err(ExprError::new(
                            it.pos,
                            format!(
                                "list elements must have one type: {} after {}",
                                self.tn(&t),
                                self.tn(&ty)
                            ),
                        ));
                    }
                    if ty == Ty::Any {
                        ty = t;
                    }
                    nodes.push(n);
                }
                (mk(NodeKind::List(nodes)), Ty::List(Box::new(ty)))
            }
            AstKind::Not(e) => {
                let (n, t) = self.node(e)?;
                self.want(e.pos, &t, &Ty::Bool, "'!'")?;
                (mk(NodeKind::Not(Box::new(n))), Ty::Bool)
            }
            AstKind::Neg(e) => {
                let (n, t) = self.node(e)?;
                self.want(e.pos, &t, &Ty::Num, "'-'")?;
                (mk(NodeKind::Neg(Box::new(n))), Ty::Num)
            }
            AstKind::Bin(op, l, r) => self.binary(pos, *op, l, r)?,
            AstKind::Call(f, args) => self.call(pos, f, args)?,
            AstKind::Field(e, name) => {
                let (n, t) = self.node(e)?;
                self.access(pos, n, &t, name)?
            }
            AstKind::Method(e, name, args) => self.method(pos, e, name, args)?,
            AstKind::If(c, a, b) => {
                let (cn, ct) = self.node(c)?;
                self.want(c.pos, &ct, &Ty::Bool, "an if condition")?;
                let (an, at) = self.node(a)?;
                let (bn, bt) = self.node(b)?;
                if !at.fits(&bt) {
                    return Err(ExprError::new(
                        b.pos,
                        format!(
                            "both branches of an if give one type: {} and {}",
                            self.tn(&at),
                            self.tn(&bt)
                        ),
                    ));
                }
                let ty = if at == Ty::Any { bt } else { at };
                (
                    mk(NodeKind::If(Box::new(cn), Box::new(an), Box::new(bn))),
                    ty,
                )
            }
            AstKind::Closure(..) => {
                return Err(ExprError::new(
                    pos,
                    "a closure can only be the argument of filter, map, some or all",
                ))
            }
        })
    }

    fn want(&self, pos: usize, got: &Ty, want: &Ty, what: &str) -> Result<(), ExprError> {
        if got.fits(want) {
            Ok(())
        } else {
            Err(ExprError::new(
                pos,
                format!("{what} needs {}, found {}", self.tn(want), self.tn(got)),
            ))
        }
    }

    fn ident(&mut self, pos: usize, name: &str) -> Result<(Node, Ty), ExprError> {
        let mk = |kind| Node {
            pos: pos as u32,
            kind,
        };
        if let Some(i) = self.locals.iter().rposition(|(n, _)| n == name) {
            return Ok((mk(NodeKind::Local(i as u16)), self.locals[i].1.clone()));
        }
        if let Some(i) = self.env.vars.iter().position(|(n, _)| *n == name) {
            return Ok((mk(NodeKind::Var(i as u16)), self.env.vars[i].1.clone()));
        }
        if let Some(base) = self.env.base {
            if let Some((slot, ty)) = self.env.names.field(base, name) {
                return Ok((mk(NodeKind::BaseField(slot)), ty));
            }
            match self.env.names.measure(base, name) {
                Some(Ok((m, ty))) => return Ok((mk(NodeKind::BaseMeasure(m)), ty)),
                Some(Err(e)) => return Err(ExprError::new(pos, e)),
                None => {}
            }
            return Err(ExprError::new(
                pos,
                format!(
                    "unknown name '{name}': not a field or measure of {}{}",
                    self.env.names.coll_name(base),
                    self.var_hint()
                ),
            ));
        }
        Err(ExprError::new(
            pos,
            format!("unknown name '{name}'{}", self.var_hint()),
        ))
    }

    fn var_hint(&self) -> String {
        if self.env.vars.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = self.env.vars.iter().map(|(n, _)| *n).collect();
            format!(", nor one of {}", names.join(", "))
        }
    }

    fn access(&mut self, pos: usize, n: Node, t: &Ty, name: &str) -> Result<(Node, Ty), ExprError> {
        let mk = |kind| Node {
            pos: pos as u32,
            kind,
        };
        match t {
            Ty::Rec(c) => {
                if let Some((slot, ty)) = self.env.names.field(*c, name) {
                    return Ok((mk(NodeKind::RecField(Box::new(n), slot)), ty));
                }
                match self.env.names.measure(*c, name) {
                    Some(Ok((m, ty))) => Ok((mk(NodeKind::RecMeasure(Box::new(n), m)), ty)),
                    Some(Err(e)) => Err(ExprError::new(pos, e)),
                    None => Err(ExprError::new(
                        pos,
                        format!(
                            "{} has no field or measure '{name}'",
                            self.env.names.coll_name(*c)
                        ),
                    )),
                }
            }
            Ty::Item(i) => match self.env.names.item_field(*i, name) {
                Some((slot, ty)) => Ok((mk(NodeKind::ItemField(Box::new(n), slot)), ty)),
                None => Err(ExprError::new(
                    pos,
                    format!("list item has no field '{name}'"),
                )),
            },
            other => Err(ExprError::new(
                pos,
                format!(
                    "'.{name}' needs a record or list item, found {}",
                    self.tn(other)
                ),
            )),
        }
    }

    fn binary(&mut self, pos: usize, op: BinOp, l: &Ast, r: &Ast) -> Result<(Node, Ty), ExprError> {
        let (ln, lt) = self.node(l)?;
        let (rn, rt) = self.node(r)?;
        let what = format!("'{}'", op.symbol());
        let ty = match op {
            BinOp::And | BinOp::Or => {
                self.want(l.pos, &lt, &Ty::Bool, &what)?;
                self.want(r.pos, &rt, &Ty::Bool, &what)?;
                Ty::Bool
            }
            BinOp::Add if lt == Ty::Str || rt == Ty::Str => {
                self.want(l.pos, &lt, &Ty::Str, &what)?;
                self.want(r.pos, &rt, &Ty::Str, &what)?;
                Ty::Str
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                self.want(l.pos, &lt, &Ty::Num, &what)?;
                self.want(r.pos, &rt, &Ty::Num, &what)?;
                Ty::Num
            }
            BinOp::Eq | BinOp::Ne => {
                if !lt.fits(&rt) {
                    return Err(ExprError::new(
                        pos,
                        format!("{what} compares {} with {}", self.tn(&lt), self.tn(&rt)),
                    ));
                }
                Ty::Bool
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let ok = matches!(lt, Ty::Num | Ty::Str | Ty::Date | Ty::Any) && lt.fits(&rt);
                if !ok {
                    return Err(ExprError::new(
                        pos,
                        format!(
                            "{what} orders numbers, dates or strings of one kind, found {} and {}",
                            self.tn(&lt),
                            self.tn(&rt)
                        ),
                    ));
                }
                Ty::Bool
            }
            BinOp::In => {
                match &rt {
                    Ty::List(e) if lt.fits(e) => {}
                    Ty::Any => {}
                    _ => {
                        return Err(ExprError::new(
                            pos,
                            format!(
                                "'in' needs a list of {} on its right, found {}",
                                self.tn(&lt),
                                self.tn(&rt)
                            ),
                        ))
                    }
                }
                Ty::Bool
            }
        };
        Ok((
            Node {
                pos: pos as u32,
                kind: NodeKind::Bin(op, Box::new(ln), Box::new(rn)),
            },
            ty,
        ))
    }

    fn call(&mut self, pos: usize, f: &str, args: &[Ast]) -> Result<(Node, Ty), ExprError> {
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
            return Ok((mk(NodeKind::Script(sf, nodes)), ty));
        }
        if let Some((cf, params, ret)) = match f {
            "add_working_days" => Some((CalFn::AddWorkingDays, vec![Ty::Date, Ty::Num], Ty::Date)),
            "working_days_between" => {
                Some((CalFn::WorkingDaysBetween, vec![Ty::Date, Ty::Date], Ty::Num))
            }
            "is_working_day" => Some((CalFn::IsWorkingDay, vec![Ty::Date], Ty::Bool)),
            _ => None,
        } {
            let Some(cal) = self.env.names.calendar() else {
                return Err(ExprError::new(pos, format!("{f}() needs the pack's working-day calendars (\"calendars\": [\"cn-2025\", …])")));
            };
            arity(params.len())?;
            for (i, p) in params.iter().enumerate() {
                self.want(args[i].pos, &tys[i], p, &format!("{f}()"))?;
            }
            return Ok((mk(NodeKind::Calendar(cf, cal, nodes)), ret));
        }
        let check = |i: usize, t: &Ty| self.want(args[i].pos, &tys[i], t, &format!("{f}()"));
        let (func, ty) = match f {
            "round" => {
                if args.len() != 2 && args.len() != 3 {
                    return Err(ExprError::new(
                        pos,
                        format!(
                            "round() takes 2 or 3 arguments (x, digits, mode), found {}",
                            args.len()
                        ),
                    ));
                }
                check(0, &Ty::Num)?;
                check(1, &Ty::Num)?;
                if let AstKind::Num(d) = &args[1].kind {
                    let ok = d.parse::<u32>().map(|d| d <= MAX_DIGITS).unwrap_or(false);
                    if !ok {
                        return Err(ExprError::new(
                            args[1].pos,
                            format!("digits must be a whole number from 0 to {MAX_DIGITS}"),
                        ));
                    }
                }
                let mode = if args.len() == 3 {
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
                };
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
            "abs" => {
                arity(1)?;
                check(0, &Ty::Num)?;
                (Func::Abs, Ty::Num)
            }
            "days_between" | "months_between" => {
                arity(2)?;
                check(0, &Ty::Date)?;
                check(1, &Ty::Date)?;
                (
                    if f == "days_between" {
                        Func::DaysBetween
                    } else {
                        Func::MonthsBetween
                    },
                    Ty::Num,
                )
            }
            "add_days" | "add_months" => {
                arity(2)?;
                check(0, &Ty::Date)?;
                check(1, &Ty::Num)?;
                (
                    if f == "add_days" {
                        Func::AddDays
                    } else {
                        Func::AddMonths
                    },
                    Ty::Date,
                )
            }
            "year" | "month" | "quarter" => {
                arity(1)?;
                check(0, &Ty::Date)?;
                let func = match f {
                    "year" => Func::Year,
                    "month" => Func::Month,
                    _ => Func::Quarter,
                };
                (func, Ty::Num)
            }
            "make_date" => {
                arity(3)?;
                for i in 0..3 {
                    check(i, &Ty::Num)?;
                }
                (Func::MakeDate, Ty::Date)
            }
            "is_none" => {
                arity(1)?;
                (Func::IsNone, Ty::Bool)
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
                        "unknown function '{f}' (functions: {})",
                        BUILTINS.join(", ")
                    ),
                ))
            }
        };
        Ok((mk(NodeKind::Call(func, nodes)), ty))
    }

    fn method(
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
}
