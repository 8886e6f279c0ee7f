//! Decision tables checked as DMN tools check them, when the pack loads: rows of a
//! `unique` table that overlap, rows of a `first` table that can never fire, and inputs no
//! row covers when the table has no default.
//!
//! Only conditions that compare inputs (fields, measures, the table's variables) with
//! constants are analysed: `score < 60`, `kind == "b"`, `key_failed`, `x in [1, 2]`,
//! joined by `&&`, `||` and `!`. Each such condition is a union of boxes, a box giving each
//! input a set of values (an interval of numbers or dates, or a set of texts or truth
//! values). Anything else (a function, arithmetic) makes a row opaque: it is left out of
//! what is proved, so a finding is always true, and a table may have problems none is
//! found for. Integers, dates and numbers with a `multiple_of` are stepped: `x < 3` and
//! `x >= 3` leave no gap between them, and neither do `x <= 2` and `x >= 3` for integers.

use super::*;
use crate::expr::parse::BinOp;
use crate::expr::compile::{Node, NodeKind};
use crate::num::Number;
use std::collections::BTreeSet;

/// How many boxes a row or a difference may take before the analysis gives up on it.
const MAX_BOXES: usize = 512;

/// An input of a table's conditions, as the tree names it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Input {
    Field(u16),
    Measure(MeasureId),
    Var(u16),
}

/// What values an input takes.
#[derive(Clone, Debug)]
enum Domain {
    /// Numbers (a step when they are multiples of it), within optional limits.
    Num {
        step: Option<Number>,
        min: Option<Number>,
        max: Option<Number>,
    },
    /// Dates, as day numbers.
    Date,
    /// Texts: any (`None`) or the values of an enum.
    Text(Option<BTreeSet<String>>),
    /// true or false.
    Bool,
}

/// An end of an interval: the number and whether it is included; `None` is unbounded.
type End = Option<(Number, bool)>;

/// The values one input takes in a box.
#[derive(Clone, Debug, PartialEq)]
enum Set {
    /// Numbers (or day numbers) from `lo` to `hi`.
    Range(End, End),
    /// These texts or truth values.
    In(BTreeSet<Atom>),
    /// Any text but these.
    Out(BTreeSet<Atom>),
}

/// A text or truth value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Atom {
    Text(String),
    Bool(bool),
}

/// Values for some inputs; an input left out takes any value.
type Box_ = BTreeMap<Input, Set>;

/// The inputs of one table and their domains and names.
struct Inputs {
    list: Vec<(Input, Domain, String)>,
}

/// Analysis gave up (an overflow, or too many boxes).
struct GaveUp;

impl Inputs {
    fn domain(&self, i: Input) -> Option<&Domain> {
        self.list.iter().find(|(k, _, _)| *k == i).map(|(_, d, _)| d)
    }
    fn name(&self, i: Input) -> &str {
        self.list
            .iter()
            .find(|(k, _, _)| *k == i)
            .map_or("?", |(_, _, n)| n)
    }

    /// Every value of input `i`.
    fn universe(&self, i: Input) -> Set {
        match self.domain(i) {
            Some(Domain::Num { min, max, .. }) => Set::Range(
                min.clone().map(|m| (m, true)),
                max.clone().map(|m| (m, true)),
            ),
            Some(Domain::Date) => Set::Range(None, None),
            Some(Domain::Bool) => Set::In([Atom::Bool(false), Atom::Bool(true)].into()),
            Some(Domain::Text(Some(values))) => {
                Set::In(values.iter().map(|v| Atom::Text(v.clone())).collect())
            }
            Some(Domain::Text(None)) | None => Set::Out(BTreeSet::new()),
        }
    }

    /// `s` with stepped bounds (inclusive multiples of the step) and an `Out` over an
    /// enum or truth values turned into an `In`; `None` when it is empty.
    fn normal(&self, i: Input, s: Set) -> Result<Option<Set>, GaveUp> {
        let step = match self.domain(i) {
            Some(Domain::Num { step, .. }) => step.clone(),
            Some(Domain::Date) => Some(Number::from_int(1)),
            _ => None,
        };
        Ok(match s {
            Set::Range(lo, hi) => {
                let (lo, hi) = match &step {
                    Some(st) => (stepped(lo, st, true)?, stepped(hi, st, false)?),
                    None => (lo, hi),
                };
                let empty = match (&lo, &hi) {
                    (Some((a, ai)), Some((b, bi))) => a > b || (a == b && !(*ai && *bi)),
                    _ => false,
                };
                (!empty).then_some(Set::Range(lo, hi))
            }
            Set::In(a) => (!a.is_empty()).then_some(Set::In(a)),
            Set::Out(a) => match self.universe(i) {
                Set::In(all) => {
                    let left: BTreeSet<Atom> = all.difference(&a).cloned().collect();
                    (!left.is_empty()).then_some(Set::In(left))
                }
                _ => Some(Set::Out(a)),
            },
        })
    }

    /// The values of input `i` in both sets; `None` when none.
    fn meet(&self, i: Input, a: &Set, b: &Set) -> Result<Option<Set>, GaveUp> {
        let s = match (a, b) {
            (Set::Range(al, ah), Set::Range(bl, bh)) => {
                Set::Range(tighter(al, bl, true), tighter(ah, bh, false))
            }
            (Set::In(x), Set::In(y)) => Set::In(x.intersection(y).cloned().collect()),
            (Set::In(x), Set::Out(y)) | (Set::Out(y), Set::In(x)) => {
                Set::In(x.difference(y).cloned().collect())
            }
            (Set::Out(x), Set::Out(y)) => Set::Out(x.union(y).cloned().collect()),
            // a number against a text: the input has one type, so nothing is in both
            _ => return Ok(None),
        };
        self.normal(i, s)
    }

    /// The values of input `i` in `a` but not in `b`, as disjoint sets.
    fn minus(&self, i: Input, a: &Set, b: &Set) -> Result<Vec<Set>, GaveUp> {
        let parts = match (a, b) {
            (Set::Range(al, ah), Set::Range(bl, bh)) => {
                let mut parts = Vec::new();
                // below b's start, and above b's end
                if let Some((l, inc)) = bl {
                    parts.push(Set::Range(al.clone(), tighter(ah, &Some((l.clone(), !inc)), false)));
                }
                if let Some((h, inc)) = bh {
                    parts.push(Set::Range(tighter(al, &Some((h.clone(), !inc)), true), ah.clone()));
                }
                parts
            }
            (Set::In(x), Set::In(y)) => vec![Set::In(x.difference(y).cloned().collect())],
            (Set::In(x), Set::Out(y)) => vec![Set::In(x.intersection(y).cloned().collect())],
            (Set::Out(x), Set::In(y)) => vec![Set::Out(x.union(y).cloned().collect())],
            (Set::Out(x), Set::Out(y)) => vec![Set::In(y.difference(x).cloned().collect())],
            _ => vec![a.clone()],
        };
        let mut out = Vec::new();
        for p in parts {
            out.extend(self.normal(i, p)?);
        }
        Ok(out)
    }

    /// The box of values in both boxes; `None` when there is none.
    fn meet_boxes(&self, a: &Box_, b: &Box_) -> Result<Option<Box_>, GaveUp> {
        let mut out = a.clone();
        for (i, s) in b {
            let here = match a.get(i) {
                Some(x) => self.meet(*i, x, s)?,
                None => self.normal(*i, s.clone())?,
            };
            match here {
                Some(x) => out.insert(*i, x),
                None => return Ok(None),
            };
        }
        Ok(Some(out))
    }

    /// The values of box `a` not in box `b`, as disjoint boxes.
    fn minus_box(&self, a: &Box_, b: &Box_) -> Result<Vec<Box_>, GaveUp> {
        if self.meet_boxes(a, b)?.is_none() {
            return Ok(vec![a.clone()]);
        }
        let mut out = Vec::new();
        let mut rest = a.clone();
        for (i, s) in b {
            let mine = rest.get(i).cloned().unwrap_or_else(|| self.universe(*i));
            for p in self.minus(*i, &mine, s)? {
                let mut piece = rest.clone();
                piece.insert(*i, p);
                out.push(piece);
            }
            match self.meet(*i, &mine, s)? {
                Some(x) => rest.insert(*i, x),
                None => return Ok(out),
            };
        }
        Ok(out)
    }

    /// What of `boxes` no box of `by` covers.
    fn minus_all(&self, boxes: Vec<Box_>, by: &[Box_]) -> Result<Vec<Box_>, GaveUp> {
        let mut left = boxes;
        for b in by {
            let mut next = Vec::new();
            for a in &left {
                next.extend(self.minus_box(a, b)?);
                if next.len() > MAX_BOXES {
                    return Err(GaveUp);
                }
            }
            left = next;
            if left.is_empty() {
                break;
            }
        }
        Ok(left)
    }

    /// Condition `n` as a union of boxes (negated when `neg`); `None` when it is not made of
    /// comparisons of inputs with constants.
    fn boxes(&self, n: &Node, neg: bool, depth: usize) -> Option<Result<Vec<Box_>, GaveUp>> {
        if depth > 32 {
            return None;
        }
        let and = |a: Vec<Box_>, b: Vec<Box_>| -> Result<Vec<Box_>, GaveUp> {
            let mut out = Vec::new();
            for x in &a {
                for y in &b {
                    out.extend(self.meet_boxes(x, y)?);
                    if out.len() > MAX_BOXES {
                        return Err(GaveUp);
                    }
                }
            }
            Ok(out)
        };
        Some(match &n.kind {
            NodeKind::Not(x) => return self.boxes(x, !neg, depth + 1),
            NodeKind::Bin(op @ (BinOp::And | BinOp::Or), a, b) => {
                let a = self.boxes(a, neg, depth + 1)?;
                let b = self.boxes(b, neg, depth + 1)?;
                let (Ok(a), Ok(b)) = (a, b) else {
                    return Some(Err(GaveUp));
                };
                // !(a && b) is !a || !b
                if (*op == BinOp::And) != neg {
                    and(a, b)
                } else {
                    Ok(a.into_iter().chain(b).collect())
                }
            }
            NodeKind::Const(Value::Bool(b)) => Ok(if b != &neg { vec![Box_::new()] } else { vec![] }),
            _ => {
                let (input, sets) = self.atom(n)?;
                let sets = if neg {
                    let all = self.universe(input);
                    let mut left = vec![all];
                    for s in &sets {
                        let mut next = Vec::new();
                        for a in &left {
                            match self.minus(input, a, s) {
                                Ok(p) => next.extend(p),
                                Err(e) => return Some(Err(e)),
                            }
                        }
                        left = next;
                    }
                    left
                } else {
                    sets
                };
                let mut out = Vec::new();
                for s in sets {
                    match self.normal(input, s) {
                        Ok(Some(s)) => out.push(Box_::from([(input, s)])),
                        Ok(None) => {}
                        Err(e) => return Some(Err(e)),
                    }
                }
                Ok(out)
            }
        })
    }

    /// A comparison of an input with constants: the input and the sets that make it true.
    fn atom(&self, n: &Node) -> Option<(Input, Vec<Set>)> {
        if let Some(i) = self.input(n) {
            return matches!(self.domain(i)?, Domain::Bool)
                .then(|| (i, vec![Set::In([Atom::Bool(true)].into())]));
        }
        let NodeKind::Bin(op, a, b) = &n.kind else {
            return None;
        };
        if *op == BinOp::In {
            let i = self.input(a)?;
            let NodeKind::List(items) = &b.kind else {
                return None;
            };
            let mut sets = Vec::new();
            for x in items {
                let NodeKind::Const(v) = &x.kind else {
                    return None;
                };
                sets.push(point(v)?);
            }
            return Some((i, sets));
        }
        let (i, v, op) = match (self.input(a), &b.kind, self.input(b), &a.kind) {
            (Some(i), NodeKind::Const(v), _, _) => (i, v, *op),
            (_, _, Some(i), NodeKind::Const(v)) => (i, v, op.swapped()?),
            _ => return None,
        };
        let key = number_of(v);
        Some((
            i,
            match op {
                BinOp::Eq => vec![point(v)?],
                BinOp::Ne => {
                    let p = point(v)?;
                    let all = self.universe(i);
                    self.minus(i, &all, &p).ok()?
                }
                BinOp::Lt => vec![Set::Range(None, Some((key?, false)))],
                BinOp::Le => vec![Set::Range(None, Some((key?, true)))],
                BinOp::Gt => vec![Set::Range(Some((key?, false)), None)],
                BinOp::Ge => vec![Set::Range(Some((key?, true)), None)],
                _ => return None,
            },
        ))
    }

    fn input(&self, n: &Node) -> Option<Input> {
        let i = match n.kind {
            NodeKind::BaseField(s) => Input::Field(s),
            NodeKind::BaseMeasure(m) => Input::Measure(m),
            NodeKind::Var(s) => Input::Var(s),
            _ => return None,
        };
        self.domain(i).is_some().then_some(i)
    }

    /// A box as a reader would write it: `60 ≤ score < 70, kind = "b"`.
    fn describe(&self, b: &Box_) -> String {
        let mut parts = Vec::new();
        for (i, s) in b {
            let name = self.name(*i);
            let date = matches!(self.domain(*i), Some(Domain::Date));
            let show = |n: &Number| match (date, n.to_i64()) {
                (true, Some(d)) => i32::try_from(d)
                    .ok()
                    .and_then(chrono::NaiveDate::from_num_days_from_ce_opt)
                    .map_or_else(|| n.to_string(), |d| d.to_string()),
                _ => n.to_string(),
            };
            let atoms = |a: &BTreeSet<Atom>| {
                a.iter()
                    .map(|x| match x {
                        Atom::Text(t) => format!("\"{t}\""),
                        Atom::Bool(b) => b.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(" or ")
            };
            let text = match s {
                Set::Range(Some((a, true)), Some((b, true))) if a == b => format!("{name} = {}", show(a)),
                Set::Range(lo, hi) => {
                    let lo = lo.as_ref().map(|(x, inc)| format!("{} {} ", show(x), if *inc { "≤" } else { "<" }));
                    let hi = hi.as_ref().map(|(x, inc)| format!(" {} {}", if *inc { "≤" } else { "<" }, show(x)));
                    if lo.is_none() && hi.is_none() {
                        continue;
                    }
                    format!("{}{name}{}", lo.unwrap_or_default(), hi.unwrap_or_default())
                }
                Set::In(a) => format!("{name} = {}", atoms(a)),
                Set::Out(a) if a.is_empty() => continue,
                Set::Out(a) => format!("{name} ≠ {}", atoms(a).replace(" or ", " and ≠ ")),
            };
            parts.push(text);
        }
        if parts.is_empty() {
            "any input".into()
        } else {
            parts.join(", ")
        }
    }
}

/// A bound moved onto the step: the least multiple at or above a lower bound (`lower`), the
/// greatest at or below an upper one; always inclusive.
fn stepped(e: End, step: &Number, lower: bool) -> Result<End, GaveUp> {
    let Some((x, inc)) = e else { return Ok(None) };
    let q = x.clone().div(step.clone()).map_err(|_| GaveUp)?;
    let k = if lower {
        let c = q.ceil();
        if !inc && c == q {
            c.add(Number::from_int(1)).map_err(|_| GaveUp)?
        } else {
            c
        }
    } else {
        // floor(q) = -ceil(-q)
        let f = q.clone().neg().map_err(|_| GaveUp)?.ceil().neg().map_err(|_| GaveUp)?;
        if !inc && f == q {
            f.sub(Number::from_int(1)).map_err(|_| GaveUp)?
        } else {
            f
        }
    };
    Ok(Some((k.mul(step.clone()).map_err(|_| GaveUp)?, true)))
}

/// The tighter of two ends: the greater lower bound (`lower`) or the lesser upper one.
fn tighter(a: &End, b: &End, lower: bool) -> End {
    match (a, b) {
        (None, x) | (x, None) => x.clone(),
        (Some((x, xi)), Some((y, yi))) => Some(if x == y {
            (x.clone(), *xi && *yi)
        } else if (x > y) == lower {
            (x.clone(), *xi)
        } else {
            (y.clone(), *yi)
        }),
    }
}

/// A constant as a number on the line (dates as day numbers).
fn number_of(v: &Value) -> Option<Number> {
    match v {
        Value::Num(n) => Some(n.get()),
        Value::Date(d) => Some(Number::from_int(i128::from(chrono::Datelike::num_days_from_ce(d)))),
        _ => None,
    }
}

/// The set of one constant.
fn point(v: &Value) -> Option<Set> {
    if let Some(n) = number_of(v) {
        return Some(Set::Range(Some((n.clone(), true)), Some((n, true))));
    }
    match v {
        Value::Bool(b) => Some(Set::In([Atom::Bool(*b)].into())),
        Value::Str(_) | Value::Short(_) => Some(Set::In([Atom::Text(v.as_str()?.to_string())].into())),
        _ => None,
    }
}

impl Compiler<'_> {
    /// The domains of what a table's conditions read: the fields and measures of its
    /// collection, or the variables it sees.
    fn table_inputs(&self, on: &TableOn, vars: &[(&str, Ty)]) -> Inputs {
        let of_ty = |t: &Ty| match t {
            Ty::Num => Some(Domain::Num { step: None, min: None, max: None }),
            Ty::Date => Some(Domain::Date),
            Ty::Str => Some(Domain::Text(None)),
            Ty::Bool => Some(Domain::Bool),
            _ => None,
        };
        let mut list = Vec::new();
        if let TableOn::Coll(c) = on {
            for (s, f) in self.colls[*c as usize].fields.iter().enumerate() {
                let d = match &f.kind {
                    FieldKind::Num | FieldKind::Int => {
                        let lim = f.limits.as_deref();
                        let step = lim.and_then(|l| l.multiple_of.clone()).or_else(|| {
                            (f.kind == FieldKind::Int).then(|| Number::from_int(1))
                        });
                        Some(Domain::Num {
                            step,
                            min: lim.and_then(|l| l.min.clone()),
                            max: lim.and_then(|l| l.max.clone()),
                        })
                    }
                    FieldKind::Enum(v) => Some(Domain::Text(Some(v.iter().map(|x| x.to_string()).collect()))),
                    other => of_ty(&other.ty()),
                };
                if let Some(d) = d {
                    list.push((Input::Field(s as u16), d, f.name.clone()));
                }
            }
            let states = self.measure_state.borrow();
            let kinds = self.measure_kinds.borrow();
            for (m, slot) in self.measure_slots.iter().enumerate() {
                if slot.coll != *c {
                    continue;
                }
                // a count is a whole number, never below 0
                let count = matches!(
                    kinds.get(m),
                    Some(Some(MeasureKind::Aggregate { agg: Agg::Count, per: None, .. }))
                );
                if let Some(d) = states.get(m).and_then(|s| match s {
                    State::Done(_) if count => Some(Domain::Num {
                        step: Some(Number::from_int(1)),
                        min: Some(Number::ZERO),
                        max: None,
                    }),
                    State::Done(t) => of_ty(t),
                    _ => None,
                }) {
                    list.push((Input::Measure(m as MeasureId), d, slot.name.clone()));
                }
            }
        }
        for (s, (name, t)) in vars.iter().enumerate() {
            if let Some(d) = of_ty(t) {
                list.push((Input::Var(s as u16), d, name.to_string()));
            }
        }
        Inputs { list }
    }

    /// Checks the rows of a decision table: overlapping rows of a `unique` table and rows
    /// of a `first` table that never fire are errors; inputs no row covers, when there is
    /// no default, a warning.
    pub(super) fn check_rows(
        &self,
        rows: &[Row],
        hit: Hit,
        has_default: bool,
        on: &TableOn,
        vars: &[(&str, Ty)],
        here: &JsonPath,
    ) -> bool {
        if !matches!(hit, Hit::First | Hit::Unique) {
            return true;
        }
        let inputs = self.table_inputs(on, vars);
        let mut boxes: Vec<Option<Vec<Box_>>> = Vec::new();
        for r in rows {
            boxes.push(match inputs.boxes(&r.when.root, false, 0) {
                Some(Ok(b)) => Some(b),
                _ => None,
            });
        }
        let at = |j: usize| here.key("rows").index(j).key("when");
        let mut ok = true;
        for j in 0..rows.len() {
            let Some(bj) = &boxes[j] else { continue };
            match hit {
                Hit::Unique => {
                    for (i, bi) in boxes[..j].iter().enumerate() {
                        let Some(bi) = bi else { continue };
                        let both = bi.iter().find_map(|x| {
                            bj.iter().find_map(|y| inputs.meet_boxes(x, y).ok().flatten())
                        });
                        if let Some(b) = both {
                            self.diag(
                                &at(j),
                                format!(
                                    "hit policy unique, but rows[{i}] and rows[{j}] both match {}: make them exclusive, or use hit policy first or priority",
                                    inputs.describe(&b)
                                ),
                            );
                            ok = false;
                        }
                    }
                }
                _ => {
                    let earlier: Vec<&Box_> = boxes[..j].iter().flatten().flatten().collect();
                    let earlier: Vec<Box_> = earlier.into_iter().cloned().collect();
                    if let Ok(left) = inputs.minus_all(bj.clone(), &earlier) {
                        if left.is_empty() {
                            // the earlier rows that match some of its inputs
                            let meets = |bi: &[Box_]| {
                                bi.iter().any(|x| {
                                    bj.iter().any(|y| matches!(inputs.meet_boxes(x, y), Ok(Some(_))))
                                })
                            };
                            let by: Vec<String> = (0..j)
                                .filter(|i| boxes[*i].as_deref().is_some_and(meets))
                                .map(|i| format!("rows[{i}]"))
                                .collect();
                            let why = if bj.is_empty() {
                                "its condition never holds".to_string()
                            } else {
                                format!("every input it matches is matched first by {}", by.join(", "))
                            };
                            self.diag(&at(j), format!("rows[{j}] can never fire (hit policy first): {why}"));
                            ok = false;
                        }
                    }
                }
            }
        }
        if !has_default && boxes.iter().all(Option::is_some) {
            let all: Vec<Box_> = boxes.into_iter().flatten().flatten().collect();
            if let Ok(left) = inputs.minus_all(vec![Box_::new()], &all) {
                if let Some(b) = left.first() {
                    self.warn(
                        &here.key("rows"),
                        format!(
                            "no row matches {} and the table has no default: such a record gets no value",
                            inputs.describe(b)
                        ),
                    );
                }
            }
        }
        ok
    }
}
