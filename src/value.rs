//! Runtime values shared by the dataset, expressions and the outcome.

use crate::num::{Num, Number};
use chrono::NaiveDate;
use std::sync::Arc;

/// Index of a collection in a plan.
pub type CollId = u16;

/// A value a field, a measure or an expression can have (24 bytes: a dataset is mostly
/// these).
///
/// A checklist (a list field of items) is stored flat: the fields of all its items in one
/// allocation, item after item ([`Value::Items`]); an item on its own points into such a
/// list ([`Value::Item`]). Equality compares what the values say, not how they are stored.
#[derive(Clone, Debug)]
pub enum Value {
    /// No value: an optional field left out, an aggregate over nothing.
    None,
    /// A truth value.
    Bool(bool),
    /// An exact number, held compactly (see [`Num`]); [`Value::num`] reads it.
    Num(Num),
    /// Text longer than [`Short::MAX`] bytes (also enum values). Shorter text is always
    /// [`Value::Short`]; [`Value::str`] picks, and [`Value::as_str`] reads either.
    Str(Arc<str>),
    /// Text of up to [`Short::MAX`] bytes, held in the value itself: no allocation and no
    /// reference count for the keys, codes, dates and names that most text fields hold.
    Short(Short),
    /// A calendar date.
    Date(NaiveDate),
    /// A record of a collection, by position in the dataset (a resolved reference).
    Rec(CollId, u32),
    /// One item of a list of items: its fields are `width` values from `start`.
    Item(Arc<[Value]>, u32, u16),
    /// A list of values.
    List(Arc<[Value]>),
    /// A list of items of one shape: the fields of item `i` are `width` values from
    /// `i × width`.
    Items(Arc<[Value]>, u16),
}

/// Text of up to [`Short::MAX`] bytes, inline (the unused bytes are zero, so equal text
/// has equal bytes).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Short {
    len: u8,
    bytes: [u8; Short::MAX],
}

impl Short {
    /// The longest text held inline, in bytes.
    pub const MAX: usize = 22;

    /// The text, when it is short enough.
    pub fn new(s: &str) -> Option<Short> {
        let len = s.len();
        if len > Short::MAX {
            return None;
        }
        let mut bytes = [0; Short::MAX];
        bytes[..len].copy_from_slice(s.as_bytes());
        Some(Short {
            len: len as u8,
            bytes,
        })
    }

    /// The text.
    #[inline]
    pub fn as_str(&self) -> &str {
        let bytes = &self.bytes[..self.len as usize];
        debug_assert!(std::str::from_utf8(bytes).is_ok());
        // SAFETY: a Short is only made by `new`, from the whole of a `&str` (its fields are
        // private, and nothing changes them after), so its first `len` bytes are UTF-8.
        // Checking them again on every read cost a tenth of writing an outcome's keys.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }
}

impl std::fmt::Debug for Short {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// One element of a list, without copying it: a value, or the fields of an item.
#[derive(Clone, Copy, Debug)]
pub enum Elem<'v> {
    /// An element of a list of values.
    Value(&'v Value),
    /// The fields of an item of a list of items.
    Fields(&'v [Value]),
}

impl PartialEq for Elem<'_> {
    fn eq(&self, o: &Elem) -> bool {
        match (self.fields(), o.fields()) {
            (Some(a), Some(b)) => a == b,
            (None, None) => match (self, o) {
                (Elem::Value(a), Elem::Value(b)) => a == b,
                _ => false,
            },
            _ => false,
        }
    }
}

impl<'v> Elem<'v> {
    /// The fields, when the element is an item.
    pub fn fields(&self) -> Option<&'v [Value]> {
        match *self {
            Elem::Fields(f) => Some(f),
            Elem::Value(v) => v.item_fields(),
        }
    }
}

impl PartialEq for Value {
    /// Short text (most codes and categories) and truth values are compared in place; the
    /// other kinds in full, out of line.
    #[inline]
    fn eq(&self, o: &Value) -> bool {
        match (self, o) {
            (Value::Short(a), Value::Short(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            _ => self.same(o),
        }
    }
}

impl Value {
    /// Whether two values say the same thing, whatever their kinds.
    fn same(&self, o: &Value) -> bool {
        use Value::*;
        match (self, o) {
            (None, None) => true,
            (Bool(a), Bool(b)) => a == b,
            (Num(a), Num(b)) => a == b,
            (Str(a), Str(b)) => a == b,
            (Short(a), Short(b)) => a == b,
            (Date(a), Date(b)) => a == b,
            (Rec(c, i), Rec(d, j)) => c == d && i == j,
            (Item(..), Item(..)) => self.item_fields() == o.item_fields(),
            (List(_) | Items(..), List(_) | Items(..)) => {
                self.list_len() == o.list_len() && self.elems().zip(o.elems()).all(|(a, b)| a == b)
            }
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Value {
    /// A text value: inline when short, else shared.
    pub fn str(s: &str) -> Value {
        match Short::new(s) {
            Some(x) => Value::Short(x),
            None => Value::Str(Arc::from(s)),
        }
    }

    /// A text value from shared text (kept shared only when it is long).
    pub fn text(s: &Arc<str>) -> Value {
        match Short::new(s) {
            Some(x) => Value::Short(x),
            None => Value::Str(s.clone()),
        }
    }

    /// The bytes of the text, when the value is text: for comparing and hashing text
    /// without checking again that it is UTF-8 (byte order is the order of the text).
    pub fn text_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Str(s) => Some(s.as_bytes()),
            Value::Short(s) => Some(&s.bytes[..s.len as usize]),
            _ => None,
        }
    }

    /// The text, when the value is text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            Value::Short(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "none",
            Value::Bool(_) => "bool",
            Value::Num(_) => "number",
            Value::Str(_) | Value::Short(_) => "string",
            Value::Date(_) => "date",
            Value::Rec(..) => "record",
            Value::Item(..) => "item",
            Value::List(_) | Value::Items(..) => "list",
        }
    }

    /// The fields of an item.
    pub fn item_fields(&self) -> Option<&[Value]> {
        match self {
            Value::Item(all, start, width) => {
                all.get(*start as usize..*start as usize + *width as usize)
            }
            _ => None,
        }
    }

    /// The number of elements of a list (0 for anything else).
    pub fn list_len(&self) -> usize {
        match self {
            Value::List(l) => l.len(),
            Value::Items(all, width) => all.len().checked_div(*width as usize).unwrap_or(0),
            _ => 0,
        }
    }

    /// The elements of a list, lent (nothing for anything else).
    pub fn elems(&self) -> impl Iterator<Item = Elem<'_>> {
        let (values, rows, width) = match self {
            Value::List(l) => (&l[..], &[][..], 1),
            Value::Items(all, w) if *w > 0 => (&[][..], &all[..], *w as usize),
            _ => (&[][..], &[][..], 1),
        };
        values
            .iter()
            .map(Elem::Value)
            .chain(rows.chunks_exact(width).map(Elem::Fields))
    }

    /// The number, when the value is one.
    pub fn num(&self) -> Option<Number> {
        match self {
            Value::Num(n) => Some(n.get()),
            _ => None,
        }
    }

    /// A whole number.
    pub fn int(n: i128) -> Value {
        Value::from(Number::from_int(n))
    }

    /// True for `Value::None`.
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }
}

/// A value as the outcome writes it: numbers as exact text (`"8.95"`, `"17300/219"`),
/// dates as `YYYY-MM-DD`, lists as arrays. A record reference has no text of its own (its
/// key is in the dataset), so it is an error here: the outcome writes the key instead.
impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::None => s.serialize_none(),
            Value::Bool(b) => s.serialize_bool(*b),
            // whole numbers (most counts) are written without building their text first
            Value::Num(Num::Small(n, d)) if d.get() == 1 => s.collect_str(n),
            Value::Num(n) => s.serialize_str(&n.get().to_exact_string()),
            Value::Str(x) => s.serialize_str(x),
            Value::Short(x) => s.serialize_str(x.as_str()),
            Value::Date(d) => s.collect_str(d),
            Value::Item(..) => s.serialize_str("(item)"),
            Value::List(l) => s.collect_seq(l.iter()),
            Value::Items(..) => s.collect_seq(self.elems().map(|_| "(item)")),
            Value::Rec(..) => Err(serde::ser::Error::custom(
                "a record reference is written as its key",
            )),
        }
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Num(Num::from(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_small() {
        // every field of every record is a Value: its size is the dataset's memory
        assert_eq!(std::mem::size_of::<Num>(), 16);
        assert_eq!(std::mem::size_of::<Value>(), 24);
    }

    #[test]
    fn items_compare_by_their_fields() {
        let all: Arc<[Value]> = vec![
            Value::Bool(true),
            Value::int(1),
            Value::Bool(false),
            Value::int(2),
        ]
        .into();
        let other: Arc<[Value]> = vec![Value::Bool(false), Value::int(2)].into();
        let (a, b) = (Value::Items(all.clone(), 2), Value::Items(other.clone(), 2));
        assert_eq!(a.list_len(), 2);
        assert_eq!(
            Value::Item(all.clone(), 2, 2),
            Value::Item(other, 0, 2),
            "the same fields in different lists"
        );
        assert_ne!(a, b);
        let as_list =
            Value::List(vec![Value::Item(all.clone(), 0, 2), Value::Item(all, 2, 2)].into());
        assert_eq!(a, as_list, "a list of items however it is stored");
    }

    #[test]
    fn short_text_is_inline_and_one_form() {
        let short = "许可管理I0000001"; // 12 + 8 bytes
        assert!(matches!(Value::str(short), Value::Short(_)));
        assert_eq!(Value::str(short).as_str(), Some(short));
        let long = "第1县第1镇第1村卫生室";
        assert!(long.len() > Short::MAX);
        assert!(matches!(Value::str(long), Value::Str(_)));
        assert_eq!(Value::text(&Arc::from(short)), Value::str(short));
        assert_eq!(Value::str(""), Value::str(""));
        assert_ne!(Value::str("a"), Value::str("a\0"));
    }

    #[test]
    fn numbers_keep_one_form() {
        let big = Number::ratio((1i128 << 70) + 1, 3).unwrap();
        for x in [Number::ZERO, Number::ratio(-895, 100).unwrap(), big.clone()] {
            assert_eq!(Value::from(x.clone()).num(), Some(x));
        }
        assert!(matches!(Value::from(big.clone()), Value::Num(Num::Big(_))));
        // a computed number that fits again is inline again, so it equals one read as such
        let back = big.clone().sub(big).unwrap().add(Number::ONE).unwrap();
        assert_eq!(Value::from(back), Value::int(1));
    }
}
