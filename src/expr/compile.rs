//! Type-checking and resolving an expression against the pack: names become slots,
//! functions become [`Func`]s, and every operator is checked for the types it gets.

pub use super::tree::*;
use super::parse::{parse, Ast, AstKind, BinOp, ExprError};
use crate::num::Number;
use crate::value::{CollId, Value};
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
    /// Whether a value of this type may stand where `other` is wanted.
    pub(super) fn fits(&self, other: &Ty) -> bool {
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
    /// The names of a collection's fields and measures (`None`: of a list-item shape's
    /// fields), for suggestions when a name is not there.
    fn known(&self, _coll: Option<CollId>, _item: Option<ItemId>) -> Vec<String> {
        Vec::new()
    }
    /// A script function the pack declares.
    fn script_fn(&self, _name: &str) -> Option<std::sync::Arc<crate::script::ScriptFn>> {
        None
    }
    /// The pack's working-day calendar, when it has one.
    fn calendar(&self) -> Option<std::sync::Arc<crate::calendar::Calendar>> {
        None
    }
    /// The pack's display rounding (digits, mode): what `text(x)` rounds a number with.
    fn rounding(&self) -> (u32, crate::num::RoundingMode) {
        (1, crate::num::RoundingMode::HalfUp)
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
        quick: super::quick::Quick::of(&root),
        root,
        ty,
        height,
    })
}

/// The state of type-checking one expression: its environment, and the closure
/// parameters in scope.
pub(super) struct Compiler<'a, 'b> {

    pub(super) env: &'a Env<'b>,
    pub(super) locals: Vec<(String, Ty)>,
}

/// The built-in functions of expressions, the one list: the checker names them when a
/// function is unknown, and script functions may not take their names.
pub const BUILTINS: [&str; 20] = [
    "round",
    "text",
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
    "in_calendars",
];

impl Compiler<'_, '_> {
    /// A type's name in messages.
    pub(super) fn tn(&self, t: &Ty) -> String {
        self.env.names.ty_name(t)
    }

    /// Checks one node of the syntax tree: its compiled node and type.
    pub(super) fn node(&mut self, a: &Ast) -> Result<(Node, Ty), ExprError> {
        let pos = a.pos;
        let mk = |kind| Node {
            pos: pos as u32,
            kind,
        };
        Ok(match &a.kind {
            AstKind::Num(n) => {
                let v = Number::parse(n).map_err(|e| ExprError::new(pos, e.to_string()))?;
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

    /// An error at `pos` unless `got` fits `want`.
    pub(super) fn want(&self, pos: usize, got: &Ty, want: &Ty, what: &str) -> Result<(), ExprError> {
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
                    "unknown name '{name}': not a field or measure of {}{}{}",
                    self.env.names.coll_name(base),
                    self.var_hint(),
                    self.name_hint(name, Some(base))
                ),
            ));
        }
        Err(ExprError::new(
            pos,
            format!("unknown name '{name}'{}{}", self.var_hint(), self.name_hint(name, None)),
        ))
    }

    /// A suggestion for an unknown name among those in scope: closure parameters,
    /// variables, and the fields and measures of `base`.
    fn name_hint(&self, name: &str, base: Option<CollId>) -> String {
        let known = base.map(|b| self.env.names.known(Some(b), None)).unwrap_or_default();
        let all = self
            .locals
            .iter()
            .map(|(n, _)| n.as_str())
            .chain(self.env.vars.iter().map(|(n, _)| *n))
            .chain(known.iter().map(|s| s.as_str()));
        crate::suggest::hint(name, all)
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
                            "{} has no field or measure '{name}'{}",
                            self.env.names.coll_name(*c),
                            crate::suggest::hint(
                                name,
                                self.env.names.known(Some(*c), None).iter().map(|s| s.as_str())
                            )
                        ),
                    )),
                }
            }
            Ty::Item(i) => match self.env.names.item_field(*i, name) {
                Some((slot, ty)) => Ok((mk(NodeKind::ItemField(Box::new(n), slot)), ty)),
                None => Err(ExprError::new(
                    pos,
                    format!(
                        "list item has no field '{name}'{}",
                        crate::suggest::hint(
                            name,
                            self.env.names.known(None, Some(*i)).iter().map(|s| s.as_str())
                        )
                    ),
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

}
