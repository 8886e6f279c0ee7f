//! Lists: methods (`filter`, `map`, `sum`, `all`, …), evaluated as streams over a
//! list's elements where they can be, without building the lists in between.

use crate::expr::compile::{Method, Node, NodeKind};
use crate::num::Number;
use crate::value::Value;
use std::borrow::Cow;
use std::sync::Arc;
use super::*;

/// Whether a node is a filter or a map, whose elements [`each`] streams without building
/// the list.
pub(super) fn streams(n: &Node) -> bool {
    matches!(
        n.kind,
        NodeKind::Method(Method::Filter | Method::Map, _, Some(_))
    )
}

/// Gives `sink` every element of the list `n` evaluates to. A chain of filters and maps
/// is streamed: `items.filter(…).map(…).sum()` builds no list. Returns false when the sink
/// stopped early.
pub(super) fn each<'a>(
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
pub(super) fn each_of<'a>(
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
pub(super) fn collect<'a>(n: &'a Node, f: &Frame<'a>, locals: &mut Locals<'a>) -> Result<Value, EvalError> {
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

pub(super) fn method<'a>(
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

