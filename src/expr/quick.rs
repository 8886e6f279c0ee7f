//! Conditions compiled to direct tests of the record's fields.
//!
//! Most conditions of decision tables and filters test one field against a constant
//! (`key_failed`, `score < 60`, `kind == "routine"`, `!outbreak`), or join such tests
//! with `&&` and `||`. When an expression is compiled, such a condition is also compiled
//! to a [`Quick`] test: it reads the record's values directly, without walking the tree,
//! looking names up or building values. A test answers only when the field has the type
//! it expects; otherwise (no value, or a value of another type) it gives `None`, and the
//! condition is evaluated as usual, so that its result or its error is exactly the one the
//! tree gives.

use super::parse::BinOp;
use super::tree::{Node, NodeKind};
use crate::num::Num;
use crate::value::Value;
use std::cmp::Ordering;

/// A condition as a direct test of the fields of the record in scope.
#[derive(Clone, Debug)]
pub enum Quick {
    /// A truth-valued field is true (`is`) or false.
    Flag { slot: u16, is: bool },
    /// A field equals (`eq`) or differs from a constant.
    Equal { slot: u16, value: Value, eq: bool },
    /// A field compared with a number or a date: true when the field's order against the
    /// constant is one of `holds` (`score < 60`: `[Less]`).
    Order {
        slot: u16,
        value: Value,
        holds: [Option<Ordering>; 2],
    },
    /// Both hold (`&&`, the second tested only when the first holds).
    And(Box<Quick>, Box<Quick>),
    /// Either holds (`||`, the second tested only when the first does not).
    Or(Box<Quick>, Box<Quick>),
}

/// How many tests a condition may join: deeper conditions are evaluated as usual, so that
/// testing one never needs more stack than evaluating it.
const MAX_DEPTH: usize = 8;

impl Quick {
    /// The test of condition `n`, when it has one.
    pub(super) fn of(n: &Node) -> Option<Quick> {
        Quick::at(n, 0)
    }

    fn at(n: &Node, depth: usize) -> Option<Quick> {
        if depth > MAX_DEPTH {
            return None;
        }
        match &n.kind {
            NodeKind::BaseField(slot) => Some(Quick::Flag {
                slot: *slot,
                is: true,
            }),
            NodeKind::Not(inner) => match &inner.kind {
                NodeKind::BaseField(slot) => Some(Quick::Flag {
                    slot: *slot,
                    is: false,
                }),
                _ => None,
            },
            NodeKind::Bin(BinOp::And, a, b) => Some(Quick::And(
                Box::new(Quick::at(a, depth + 1)?),
                Box::new(Quick::at(b, depth + 1)?),
            )),
            NodeKind::Bin(BinOp::Or, a, b) => Some(Quick::Or(
                Box::new(Quick::at(a, depth + 1)?),
                Box::new(Quick::at(b, depth + 1)?),
            )),
            NodeKind::Bin(op, a, b) => {
                // the field on the left; a constant on the left turns the comparison round
                let (slot, value, op) = match (&a.kind, &b.kind) {
                    (NodeKind::BaseField(s), NodeKind::Const(v)) => (*s, v, *op),
                    (NodeKind::Const(v), NodeKind::BaseField(s)) => (*s, v, op.swapped()?),
                    _ => return None,
                };
                let value = value.clone();
                match op {
                    BinOp::Eq | BinOp::Ne => Some(Quick::Equal {
                        slot,
                        value,
                        eq: op == BinOp::Eq,
                    }),
                    BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
                        if matches!(value, Value::Num(_) | Value::Date(_)) =>
                    {
                        let holds = match op {
                            BinOp::Lt => [Some(Ordering::Less), None],
                            BinOp::Le => [Some(Ordering::Less), Some(Ordering::Equal)],
                            BinOp::Gt => [Some(Ordering::Greater), None],
                            _ => [Some(Ordering::Greater), Some(Ordering::Equal)],
                        };
                        Some(Quick::Order { slot, value, holds })
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Whether the condition holds for the record whose values are `row`; `None` when a
    /// field it reads has no value or not the type it expects (the condition is then
    /// evaluated as usual, which says what is wrong).
    #[inline]
    pub fn test(&self, row: &[Value]) -> Option<bool> {
        match self {
            Quick::And(..) | Quick::Or(..) => self.joined(row),
            _ => self.one(row),
        }
    }

    /// A test of one field (inlined where it is used: most conditions are one test).
    #[inline(always)]
    fn one(&self, row: &[Value]) -> Option<bool> {
        match self {
            Quick::Flag { slot, is } => match row.get(*slot as usize)? {
                Value::Bool(b) => Some(b == is),
                _ => None,
            },
            Quick::Equal { slot, value, eq } => Some((row.get(*slot as usize)? == value) == *eq),
            Quick::Order { slot, value, holds } => {
                let o = match (row.get(*slot as usize)?, value) {
                    // a/b against c/d (positive denominators): a·d against c·b, in 128 bits
                    (Value::Num(Num::Small(a, b)), Value::Num(Num::Small(c, d))) => {
                        (i128::from(*a) * i128::from(d.get()))
                            .cmp(&(i128::from(*c) * i128::from(b.get())))
                    }
                    (Value::Num(x), Value::Num(c)) => x.cmp(c),
                    (Value::Date(x), Value::Date(c)) => x.cmp(c),
                    _ => return None,
                };
                Some(holds.contains(&Some(o)))
            }
            Quick::And(..) | Quick::Or(..) => self.joined(row),
        }
    }

    /// Tests joined by `&&` or `||`, out of line.
    #[inline(never)]
    fn joined(&self, row: &[Value]) -> Option<bool> {
        match self {
            Quick::And(a, b) => match a.test(row)? {
                true => b.test(row),
                false => Some(false),
            },
            Quick::Or(a, b) => match a.test(row)? {
                true => Some(true),
                false => b.test(row),
            },
            _ => self.one(row),
        }
    }
}
