//! One record from its JSON text to typed field values, without building a JSON tree:
//! the record's fields are split as raw JSON slices of the input (borrowed, validated by
//! `serde_json`), and each slice is converted straight to a [`Value`] by the field's type.
//! A record that is not what its collection declares is rejected with the reason.

use crate::json_locate::describe;
use crate::num::Number;
use crate::pack::spec::ExtraFields;
use crate::plan::{Collection, Field, FieldKind, Plan};
use crate::value::Value;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// A record being read: key, values (references still as key strings), status.
pub(super) struct Raw {
    pub key: Option<Arc<str>>,
    pub pos: usize,
    pub row: Box<[Value]>,
    pub status: Status,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Status {
    Ok,
    Rejected(String),
}

/// An object key, borrowed from the input when it has no escapes.
pub(super) struct Key<'de>(pub Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

/// The fields of one JSON object as raw slices, in input order.
struct Fields<'de>(Vec<(Key<'de>, &'de RawValue)>);

impl<'de> de::Deserialize<'de> for Fields<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Fields<'de>, A::Error> {
                let mut out = Vec::with_capacity(m.size_hint().unwrap_or(8));
                while let Some(k) = m.next_key::<Key>()? {
                    out.push((k, m.next_value::<&RawValue>()?));
                }
                Ok(Fields(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// The elements of one JSON array as raw slices.
pub(super) struct Elements<'de>(pub Vec<&'de RawValue>);

struct ElementsVisitor<'a>(&'a str);

impl<'de> Visitor<'de> for ElementsVisitor<'_> {
    type Value = Elements<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an array of {}", self.0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Elements<'de>, A::Error> {
        let mut out = Vec::with_capacity(s.size_hint().unwrap_or(0));
        while let Some(e) = s.next_element::<&RawValue>()? {
            out.push(e);
        }
        Ok(Elements(out))
    }
}

impl<'de> de::Deserialize<'de> for Elements<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(ElementsVisitor("items"))
    }
}

/// Reads the records of the named collection as an array of raw slices.
pub(super) struct ElementsSeed<'a>(pub &'a str);

impl<'de> DeserializeSeed<'de> for ElementsSeed<'_> {
    type Value = Elements<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Elements<'de>, D::Error> {
        d.deserialize_seq(ElementsVisitor(&format!("{} records", self.0)))
    }
}

/// A description of a raw JSON value for messages (`string "x"`, `number 5`, `object`).
pub(super) fn describe_raw(raw: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(v) => describe(&v),
        Err(_) => "invalid JSON".into(),
    }
}

/// The text of a JSON string slice (with its quotes), unescaped only when it must be.
fn string_of(raw: &str) -> Option<Cow<'_, str>> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        return Some(Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(raw).ok().map(Cow::Owned)
}

/// Converts one raw JSON value to a field value; `Err` says what is wrong.
fn convert(f: &Field, raw: &str, plan: &Plan, path: &dyn Fn() -> String) -> Result<Value, String> {
    let first = raw.as_bytes().first().copied().unwrap_or(b' ');
    let bad = |want: &str| {
        format!(
            "field '{}': expected {want}, found {}",
            path(),
            describe_raw(raw)
        )
    };
    if first == b'n' {
        return if f.optional {
            Ok(Value::None)
        } else {
            Err(format!("field '{}' is required but null", path()))
        };
    }
    let string = || if first == b'"' { string_of(raw) } else { None };
    Ok(match &f.kind {
        FieldKind::Str => match string() {
            Some(s) => Value::str(&s),
            None => return Err(bad("a string")),
        },
        FieldKind::Ref(c) => match string() {
            Some(s) => Value::str(&s),
            None => {
                return Err(bad(&format!(
                    "the key (a string) of a {} record",
                    plan.collections[*c as usize].name
                )))
            }
        },
        FieldKind::Enum(values) => match string() {
            Some(s) => match values.iter().find(|x| x.as_ref() == s.as_ref()) {
                Some(x) => Value::Str(x.clone()),
                None => {
                    let all: Vec<&str> = values.iter().map(|s| s.as_ref()).collect();
                    return Err(format!(
                        "field '{}': '{s}' is not one of {}",
                        path(),
                        all.join(", ")
                    ));
                }
            },
            None => return Err(bad("a string")),
        },
        FieldKind::Num | FieldKind::Int => {
            if first != b'-' && !first.is_ascii_digit() {
                return Err(bad("a number"));
            }
            let n = Number::parse(raw).map_err(|e| format!("field '{}': {e}", path()))?;
            if f.kind == FieldKind::Int && !n.is_integer() {
                return Err(bad("a whole number"));
            }
            Value::Num(n)
        }
        FieldKind::Bool => match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(bad("true or false")),
        },
        FieldKind::Date => match string().and_then(|s| crate::plan::parse_date_pub(&s)) {
            Some(d) => Value::Date(d),
            None => return Err(bad("a date YYYY-MM-DD")),
        },
        FieldKind::List(item) => {
            if first != b'[' {
                return Err(bad("a list"));
            }
            let elems = serde_json::from_str::<Elements>(raw)
                .map_err(|e| format!("field '{}': {e}", path()))?
                .0;
            let shape = &plan.items[*item as usize];
            let mut out = Vec::with_capacity(elems.len());
            for (i, e) in elems.iter().enumerate() {
                let ipath = || format!("{}[{i}]", path());
                let what =
                    |found| format!("field '{}': expected an object, found {found}", ipath());
                let parsed = split(e.get(), &what)?;
                let vals = object(
                    &shape.fields,
                    None,
                    ExtraFields::Reject,
                    &parsed,
                    plan,
                    &ipath,
                    "these items",
                )?;
                out.push(Value::Item(vals.into()));
            }
            Value::List(out.into())
        }
    })
}

/// Splits one JSON object into its fields as raw slices; `Err` describes what it is instead.
fn split<'a>(raw: &'a str, what: &dyn Fn(String) -> String) -> Result<Fields<'a>, String> {
    if !raw.starts_with('{') {
        return Err(what(describe_raw(raw)));
    }
    serde_json::from_str::<Fields>(raw).map_err(|e| e.to_string())
}

/// Converts one JSON object's fields to the values of `fields` by slot. `index` finds a
/// field's slot by name (a linear search when `None`). `prefix` names the object in
/// messages (empty for a record, `items[2]` for a list element); `owner` ends the message
/// for an undeclared field.
#[allow(clippy::too_many_arguments)]
fn object(
    fields: &[Field],
    index: Option<&std::collections::HashMap<String, u16>>,
    extra: ExtraFields,
    parsed: &Fields,
    plan: &Plan,
    prefix: &dyn Fn() -> String,
    owner: &str,
) -> Result<Vec<Value>, String> {
    let name = |f: &str| {
        let p = prefix();
        if p.is_empty() {
            f.to_string()
        } else {
            format!("{p}.{f}")
        }
    };
    let mut slots: Vec<Option<&RawValue>> = vec![None; fields.len()];
    for (k, v) in &parsed.0 {
        let slot = match index {
            Some(ix) => ix.get(k.0.as_ref()).map(|s| *s as usize),
            None => fields.iter().position(|f| f.name == k.0),
        };
        match slot {
            Some(s) if slots[s].is_some() => {
                return Err(format!("field '{}' appears more than once", name(&k.0)))
            }
            Some(s) => slots[s] = Some(v),
            None if extra == ExtraFields::Ignore => {}
            None => {
                return Err(format!(
                    "field '{}' is not declared for {owner}",
                    name(&k.0)
                ))
            }
        }
    }
    let mut row = Vec::with_capacity(fields.len());
    for (f, v) in fields.iter().zip(&slots) {
        row.push(match v {
            Some(v) => convert(f, v.get(), plan, &|| name(&f.name))?,
            None if f.optional => Value::None,
            None => return Err(format!("field '{}' is required but missing", name(&f.name))),
        });
    }
    Ok(row)
}

/// Reads one record of collection `c` from its raw JSON text; `pos` is its position in
/// the collection's input.
pub(super) fn read_record(c: &Collection, raw: &str, plan: &Plan, pos: usize) -> Raw {
    let mut out = Raw {
        key: None,
        pos,
        row: Box::default(),
        status: Status::Ok,
    };
    let parsed = match split(raw, &|found| {
        format!("a record is an object, found {found}")
    }) {
        Ok(p) => p,
        Err(e) => {
            out.status = Status::Rejected(e);
            return out;
        }
    };
    // the key, when there is one, even if the record is otherwise bad
    let kname = &c.fields[c.key_slot as usize].name;
    out.key = parsed
        .0
        .iter()
        .find(|(k, _)| k.0 == kname.as_str())
        .and_then(|(_, v)| string_of(v.get()))
        .map(|s| Arc::from(s.as_ref()));
    match object(
        &c.fields,
        Some(&c.field_index),
        c.extra_fields,
        &parsed,
        plan,
        &String::new,
        &c.name,
    ) {
        Ok(mut row) => {
            // the key and its field share one string
            if let (Some(k), Some(v)) = (&out.key, row.get_mut(c.key_slot as usize)) {
                *v = Value::Str(k.clone());
            }
            out.row = row.into_boxed_slice()
        }
        Err(e) => out.status = Status::Rejected(e),
    }
    out
}
