//! The expression language of conditions and formulas.
//!
//! Its syntax is a subset of rhai's expression syntax, so that a rule author learns one
//! language for `pack.json` and for scripts:
//!
//! - literals: `12`, `8.95`, `"A"`, `true`, `false`, `()` (no value), lists `["A", "B"]`;
//! - names: fields and measures of the record in scope, `unit.category` through a
//!   reference, `item.points` inside a closure;
//! - operators, loosest first: `||`, `&&`, `== !=`, `< <= > >= in`, `+ -`, `* / %`, `! -`;
//! - `if c { a } else { b }`, with `else if` chains;
//! - functions: `round(x, digits)` / `round(x, digits, "half_even")`, `min(a, b, …)`,
//!   `max(…)`, `abs(x)`, `date("2025-01-01")`, `days_between(a, b)`,
//!   `months_between(a, b)`, `add_days(d, n)`, `add_months(d, n)`, `year(d)`, `month(d)`,
//!   `quarter(d)`, `make_date(y, m, d)`, `is_none(x)`, `coalesce(x, fallback)`; with the
//!   pack's calendars, `add_working_days(d, n)`, `working_days_between(a, b)`,
//!   `is_working_day(d)`; and the pack's script functions;
//! - list methods: `items.len()`, `items.filter(|i| i.key && !i.passed)`,
//!   `items.map(|i| i.points)`, `.sum()`, `.min()`, `.max()`, `.some(|i| …)`,
//!   `.all(|i| …)`, `.contains(x)`.
//!
//! Limits checked when it loads bound the stack it needs: at most
//! [`parse::MAX_EXPR_CHARS`] characters, [`parse::MAX_DEPTH`] levels of nesting, and a
//! syntax tree at most [`parse::MAX_HEIGHT`] levels tall.
//!
//! An expression is parsed once and type-checked against the pack when it loads
//! ([`compile`]), then evaluated many times ([`eval`]) with exact [`crate::num::Number`]s.

mod calls;
pub mod compile;
pub mod eval;
pub mod parse;
pub mod quick;
mod tree;
pub(crate) mod vars;
