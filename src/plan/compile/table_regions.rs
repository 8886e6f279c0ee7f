//! The values a table's conditions let through, as unions of boxes: a box gives each
//! input a set of values (an interval of numbers or dates, stepped for integers, dates and
//! multiples; a set of texts or truth values). [`Inputs::boxes`] reads a condition made of
//! comparisons of inputs with constants; the rest is intersection and difference, each
//! bounded ([`MAX_BOXES`]) so that no table makes the check slow.

use super::*;
use crate::expr::parse::BinOp;
use crate::expr::compile::{Node, NodeKind};
use crate::num::Number;
use std::collections::BTreeSet;

/// How many boxes a row or a difference may take before the analysis gives up on it.
pub(super) const MAX_BOXES: usize = 512;

/// An input of a table's conditions, as the tree names it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(super) enum Input {
    Field(u16),
    Measure(MeasureId),
    Var(u16),
}

/// What values an input takes.
#[derive(Clone, Debug)]
pub(super) enum Domain {
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
pub(super) type End = Option<(Number, bool)>;

/// The values one input takes in a box.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Set {
    /// Numbers (or day numbers) from `lo` to `hi`.
    Range(End, End),
    /// These texts or truth values.
    In(BTreeSet<Atom>),
    /// Any text but these.
    Out(BTreeSet<Atom>),
}

/// A text or truth value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Atom {
    Text(String),
    Bool(bool),
}

/// Values for some inputs; an input left out takes any value.
pub(super) type Box_ = BTreeMap<Input, Set>;

/// The inputs of one table and their domains and names.
pub(super) struct Inputs {
    pub(super) list: Vec<(Input, Domain, String)>,
}

/// Analysis gave up (an overflow, or too many boxes).
pub(super) struct GaveUp;

impl Inputs {
    pub(super) fn domain(&self, i: Input) -> Option<&Domain> {
        self.list.iter().find(|(k, _, _)| *k == i).map(|(_, d, _)| d)
    }
    pub(super) fn name(&self, i: Input) -> &str {
        self.list
            .iter()
            .find(|(k, _, _)| *k == i)
            .map_or("?", |(_, _, n)| n)
    }

    /// Every value of input `i`.
    pub(super) fn universe(&self, i: Input) -> Set {
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
    pub(super) fn normal(&self, i: Input, s: Set) -> Result<Option<Set>, GaveUp> {
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
    pub(super) fn meet(&self, i: Input, a: &Set, b: &Set) -> Result<Option<Set>, GaveUp> {
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
    pub(super) fn minus(&self, i: Input, a: &Set, b: &Set) -> Result<Vec<Set>, GaveUp> {
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
    pub(super) fn meet_boxes(&self, a: &Box_, b: &Box_) -> Result<Option<Box_>, GaveUp> {
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
    pub(super) fn minus_box(&self, a: &Box_, b: &Box_) -> Result<Vec<Box_>, GaveUp> {
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
    pub(super) fn minus_all(&self, boxes: Vec<Box_>, by: &[Box_]) -> Result<Vec<Box_>, GaveUp> {
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
    pub(super) fn boxes(&self, n: &Node, neg: bool, depth: usize) -> Option<Result<Vec<Box_>, GaveUp>> {
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
    pub(super) fn atom(&self, n: &Node) -> Option<(Input, Vec<Set>)> {
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

    pub(super) fn input(&self, n: &Node) -> Option<Input> {
        let i = match n.kind {
            NodeKind::BaseField(s) => Input::Field(s),
            NodeKind::BaseMeasure(m) => Input::Measure(m),
            NodeKind::Var(s) => Input::Var(s),
            _ => return None,
        };
        self.domain(i).is_some().then_some(i)
    }

    /// A box as a reader would write it: `60 ≤ score < 70, kind = "b"`.
    pub(super) fn describe(&self, b: &Box_) -> String {
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

