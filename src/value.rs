//! Runtime values shared by the dataset, expressions and the outcome.

use crate::num::Number;
use chrono::NaiveDate;
use std::sync::Arc;

/// Index of a collection in a plan.
pub type CollId = u16;

/// A value a field, a measure or an expression can have.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// No value: an optional field left out, an aggregate over nothing.
    None,
    /// A truth value.
    Bool(bool),
    /// An exact number.
    Num(Number),
    /// Text (also enum values).
    Str(Arc<str>),
    /// A calendar date.
    Date(NaiveDate),
    /// A record of a collection, by position in the dataset (a resolved reference).
    Rec(CollId, u32),
    /// One element of a list field (a checklist item), its fields by slot.
    Item(Arc<[Value]>),
    /// A list.
    List(Arc<[Value]>),
}

impl Value {
    /// A text value.
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }

    /// The name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "none",
            Value::Bool(_) => "bool",
            Value::Num(_) => "number",
            Value::Str(_) => "string",
            Value::Date(_) => "date",
            Value::Rec(..) => "record",
            Value::Item(_) => "item",
            Value::List(_) => "list",
        }
    }

    /// True for `Value::None`.
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }
}
