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

/// A record being read: its values (references still as key strings; none when they
/// could not be read), and why it is rejected, once it is.
#[derive(Clone)]
pub(super) struct Raw {
    pub row: Box<[Value]>,
    pub rejected: Option<Box<Rejected>>,
}

/// Why a record is rejected.
#[derive(Clone)]
pub(super) struct Rejected {
    /// The key of a record whose values could not be read (else it is in the values).
    pub key: Value,
    pub reason: String,
    /// The label of a record with no usable key: `#` and a digest of its text, so that
    /// it names the record whatever the order of the input (see [`Raw::label_keyless`]).
    pub label: Option<Box<str>>,
    /// Its values could not be read (its key, if any, is `key`).
    pub unread: bool,
    /// Where a record without a usable key stands in its input, to find it by.
    pub at: Option<Place>,
}

/// Where a record stands in its input: a byte offset in a document (its line once the
/// whole text is read), a line of NDJSON, a row of a sheet or CSV file. It depends on the
/// input's layout, so it is never in the outcome; the dataset gives it
/// ([`super::Dataset::keyless`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Place {
    /// Bytes from the start of the document.
    Offset(usize),
    /// A line of the input (1-based).
    Line(usize),
    /// As a sheet or CSV file names its rows (`监督单位 row 17`).
    Row(String),
}

impl Raw {
    /// Not rejected (yet).
    pub fn ok(&self) -> bool {
        self.rejected.is_none()
    }

    /// Rejects the record.
    pub fn reject(&mut self, reason: String) {
        self.rejected = Some(Box::new(Rejected {
            key: Value::None,
            reason,
            label: None,
            unread: self.row.is_empty(),
            at: None,
        }));
    }

    /// Labels a record rejected without a usable key by its `text` (the record's JSON):
    /// `#` and the first 12 hex digits of the SHA-256 of its canonical form ([`canonical`]:
    /// keys sorted, numbers as their exact value, no white space). The same record gets the
    /// same label wherever it stands and however it is laid out, so the outcome depends on
    /// neither.
    pub fn label_keyless(&mut self, text: &str) {
        use sha2::Digest;
        if let Some(r) = &mut self.rejected {
            if r.key.as_str().is_none() && self.row.is_empty() {
                let form = canonical(text).unwrap_or_else(|| text.trim().to_string());
                let digest = sha2::Sha256::digest(form.as_bytes());
                let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
                r.label = Some(format!("#{hex}").into());
            }
        }
    }

    /// Where a record labelled for want of a key stands (nothing for any other).
    pub fn place(&mut self, at: Place) {
        if let Some(r) = &mut self.rejected {
            if r.label.is_some() {
                r.at = Some(at);
            }
        }
    }
}

/// A JSON value's canonical text: object members sorted by name, numbers written as their
/// exact value (`1.0`, `1e0` and `1` are all `1`), strings as serde writes them, no white
/// space. `None` when the text is not JSON.
pub(super) fn canonical(text: &str) -> Option<String> {
    fn write(v: &serde_json::Value, out: &mut String) {
        use serde_json::Value as J;
        match v {
            J::Null | J::Bool(_) | J::String(_) => out.push_str(&v.to_string()),
            J::Number(n) => {
                let text = n.to_string();
                match Number::parse(&text) {
                    Ok(x) => out.push_str(&x.to_exact_string()),
                    Err(_) => out.push_str(&text),
                }
            }
            J::Array(items) => {
                out.push('[');
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            J::Object(m) => {
                let mut members: Vec<(&String, &J)> = m.iter().collect();
                members.sort_by(|a, b| a.0.cmp(b.0));
                out.push('{');
                for (i, (k, x)) in members.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&J::String(k.clone()).to_string());
                    out.push(':');
                    write(x, out);
                }
                out.push('}');
            }
        }
    }
    // serde_json stops at 128 levels, which bounds the recursion above
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let mut out = String::with_capacity(text.len());
    write(&v, &mut out);
    Some(out)
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

/// A description of a raw JSON value for messages (`string "x"`, `number 5`, `object`).
pub(super) fn describe_raw(raw: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(v) => describe(&v),
        Err(e) => match super::serde_message(&e) {
            deep if deep.starts_with("nested") => {
                let kind = if raw.starts_with('[') {
                    "a list"
                } else {
                    "an object"
                };
                format!("{kind} {deep}")
            }
            _ => "invalid JSON".into(),
        },
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
                Some(x) => Value::text(x),
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
            if let Some(limits) = &f.limits {
                limits
                    .check(&n)
                    .map_err(|why| format!("field '{}': {why}", path()))?;
            }
            Value::from(n)
        }
        FieldKind::Bool => match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(bad("true or false")),
        },
        FieldKind::Date => match string().and_then(|s| crate::dates::parse_date(&s)) {
            Some(d) => Value::Date(d),
            None => return Err(bad("a date YYYY-MM-DD")),
        },
        // read in the same pass as their record, by `ItemsSeed`
        FieldKind::List(_) => return Err(format!("field '{}': a list read out of turn", path())),
        FieldKind::Values(kind) => {
            if first != b'[' {
                return Err(bad("a list"));
            }
            let elems: Vec<&RawValue> = serde_json::from_str(raw)
                .map_err(|_| bad("a list of plain values"))?;
            let each = Field {
                name: f.name.clone(),
                kind: (**kind).clone(),
                optional: false,
                limits: f.limits.clone(),
            };
            let mut out = Vec::with_capacity(elems.len());
            for (i, e) in elems.iter().enumerate() {
                out.push(convert(&each, e.get(), plan, &|| format!("{}[{i}]", path()))?);
            }
            Value::List(out.into())
        }
    })
}

/// The declared fields of an object: a record of a collection, or an item of a list.
struct Shape<'a> {
    fields: &'a [Field],
    extra: ExtraFields,
    /// The slot of the record's key (records only).
    key_slot: Option<usize>,
    /// What an undeclared field is not declared for: the collection, or "these items".
    owner: &'a str,
}

/// An object read against its shape: the key (records) and the first problem, if any.
/// Its values were appended to the caller's vector.
struct Read {
    key: Option<Value>,
    problem: Option<String>,
}

/// Which slots an object gave, as bits: inline for up to 128 fields, else on the heap.
struct Seen {
    small: [u64; 2],
    big: Vec<u64>,
}

impl Seen {
    fn new(n: usize) -> Seen {
        Seen {
            small: [0; 2],
            big: if n > 128 {
                vec![0; n.div_ceil(64)]
            } else {
                Vec::new()
            },
        }
    }
    fn words(&mut self) -> &mut [u64] {
        if self.big.is_empty() {
            &mut self.small
        } else {
            &mut self.big
        }
    }
    /// Marks a slot; false when it was already marked.
    fn mark(&mut self, s: usize) -> bool {
        let (w, b) = (s / 64, 1u64 << (s % 64));
        let words = self.words();
        let fresh = words[w] & b == 0;
        words[w] |= b;
        fresh
    }
    fn has(&self, s: usize) -> bool {
        let words = if self.big.is_empty() {
            &self.small[..]
        } else {
            &self.big
        };
        words[s / 64] & (1 << (s % 64)) != 0
    }
}

/// Reads one JSON object in a single pass: each member is matched to its slot by name and
/// converted from its raw text by the field's type. Every member is visited, so the key is
/// known even when the record is bad; the problem reported is the same whatever the order
/// of the members: an undeclared or repeated field first (the first in the input), else
/// the first slot, in declaration order, that is missing or does not convert.
struct ObjectVisitor<'a> {
    shape: &'a Shape<'a>,
    plan: &'a Plan,
    prefix: &'a dyn Fn() -> String,
    /// Where the values go, by slot, after what is there.
    out: &'a mut Vec<Value>,
    /// For a value that may be anything (a list's item): what to say when it turns out to
    /// be a number (which serde_json presents as a map with one special key).
    number: Option<&'a dyn Fn(String) -> String>,
}

/// A field's name in messages: `points`, or `items[2].points` inside a list.
fn name_in(prefix: &dyn Fn() -> String, f: &str) -> String {
    let p = prefix();
    if p.is_empty() {
        f.to_string()
    } else {
        format!("{p}.{f}")
    }
}

impl<'de> Visitor<'de> for ObjectVisitor<'_> {
    type Value = Read;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Read, A::Error> {
        let ObjectVisitor {
            shape,
            plan,
            prefix,
            out,
            number,
        } = self;
        let name = |f: &str| name_in(prefix, f);
        let fields = shape.fields;
        let base = out.len();
        out.resize(base + fields.len(), Value::None);
        let row = &mut out[base..];
        let mut seen = Seen::new(fields.len());
        let mut key = None;
        let mut key_problem: Option<String> = None;
        let mut bad_slot: Option<(usize, String)> = None;
        let mut first = true;
        // the slot after the last member's is tried first: records from one source
        // usually list their fields in one order
        let mut next = 0;
        while let Some(k) = m.next_key::<Key>()? {
            let k = k.0.as_ref();
            if std::mem::take(&mut first) && k == NUMBER_TOKEN {
                if let Some(found) = number {
                    return Ok(Read {
                        key: None,
                        problem: Some(found(describe_map(k, m)?)),
                    });
                }
            }
            let guess = fields.get(next).filter(|f| f.name == k).map(|_| next);
            let Some(s) = guess.or_else(|| fields.iter().position(|f| f.name == k)) else {
                m.next_value::<de::IgnoredAny>()?;
                if shape.extra == ExtraFields::Reject && key_problem.is_none() {
                    key_problem = Some(format!(
                        "field '{}' is not declared for {}",
                        name(k),
                        shape.owner
                    ));
                }
                continue;
            };
            next = s + 1;
            let f = &fields[s];
            let fresh = seen.mark(s);
            if !fresh && key_problem.is_none() {
                key_problem = Some(format!("field '{}' appears more than once", name(k)));
            }
            // its conversion could not be the problem reported
            let moot =
                !fresh || key_problem.is_some() || bad_slot.as_ref().is_some_and(|(b, _)| *b < s);
            if let FieldKind::List(item) = f.kind {
                if moot {
                    m.next_value::<de::IgnoredAny>()?;
                    continue;
                }
                let items = ItemsSeed {
                    field: f,
                    shape: &plan.items[item as usize],
                    plan,
                    path: &|| name(&f.name),
                };
                match m.next_value_seed(items)? {
                    Ok(v) => row[s] = v,
                    Err(e) => bad_slot = Some((s, e)),
                }
                continue;
            }
            let raw = m.next_value::<&RawValue>()?;
            if !fresh {
                continue;
            }
            if shape.key_slot == Some(s) {
                key = string_of(raw.get()).map(|s| Value::str(&s));
                if let (Some(k), FieldKind::Str) = (&key, &f.kind) {
                    row[s] = k.clone();
                    continue;
                }
            }
            if moot {
                continue;
            }
            match convert(f, raw.get(), plan, &|| name(&f.name)) {
                Ok(v) => row[s] = v,
                Err(e) => bad_slot = Some((s, e)),
            }
        }
        let problem = key_problem.or_else(|| {
            fields
                .iter()
                .enumerate()
                .find_map(|(s, f)| match &bad_slot {
                    Some((b, e)) if *b == s => Some(e.clone()),
                    _ if !seen.has(s) && !f.optional => {
                        Some(format!("field '{}' is required but missing", name(&f.name)))
                    }
                    _ => None,
                })
        });
        Ok(Read { key, problem })
    }
}

/// Reads one JSON object's text against a shape; `what` says what was found instead of an
/// object.
/// Its values are appended to `out` (one per field; when there is a problem, what was
/// appended is taken off again).
fn read_object(
    shape: &Shape,
    raw: &str,
    plan: &Plan,
    prefix: &dyn Fn() -> String,
    what: &dyn Fn(String) -> String,
    out: &mut Vec<Value>,
) -> Read {
    let base = out.len();
    let failed = |problem: String| Read {
        key: None,
        problem: Some(problem),
    };
    let read = if !raw.starts_with('{') {
        failed(what(describe_raw(raw)))
    } else {
        let visitor = ObjectVisitor {
            shape,
            plan,
            prefix,
            out,
            number: None,
        };
        serde_json::Deserializer::from_str(raw)
            .deserialize_map(visitor)
            .unwrap_or_else(|e| failed(e.to_string()))
    };
    if read.problem.is_some() {
        out.truncate(base);
    }
    read
}

/// How serde_json (with `arbitrary_precision`) hands a number to a visitor that takes any
/// value: as a map with this one key, whose value is the number's text.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// What a value that is not the kind wanted is, for messages (as [`describe`] says it),
/// reading the rest of it. `first` is the map's first key, already read.
fn describe_map<'de, A: MapAccess<'de>>(first: &str, mut m: A) -> Result<String, A::Error> {
    if first == NUMBER_TOKEN {
        let text: String = m.next_value()?;
        return Ok(format!("number {text}"));
    }
    m.next_value::<de::IgnoredAny>()?;
    while m.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
    Ok("object".into())
}

/// Implements the visitor methods for values of any other kind than the one wanted: each
/// reads the value and gives `Ok(Err(found))`, where found describes it.
macro_rules! found_instead {
    ($t:ty) => {
        fn visit_bool<E: de::Error>(self, b: bool) -> Result<$t, E> {
            Ok(Err(self.found(format!("boolean {b}"))))
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<$t, E> {
            Ok(Err(
                self.found(describe(&serde_json::Value::String(s.into())))
            ))
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<$t, E> {
            Ok(Err(self.found(format!("number {n}"))))
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<$t, E> {
            Ok(Err(self.found(format!("number {n}"))))
        }
    };
}

pub(super) mod fast;
// after the macro, which it uses
mod items;
use items::ItemsSeed;

fn record_shape(c: &Collection) -> Shape<'_> {
    Shape {
        fields: &c.fields,
        extra: c.extra_fields,
        key_slot: Some(c.key_slot as usize),
        owner: &c.name,
    }
}

/// The record from what was read into `row`.
fn finished(read: Read, row: Vec<Value>) -> Raw {
    match read.problem {
        None => Raw {
            row: row.into_boxed_slice(),
            rejected: None,
        },
        Some(reason) => Raw {
            row: Box::default(),
            rejected: Some(Box::new(Rejected {
                key: read.key.unwrap_or(Value::None),
                reason,
                label: None,
                unread: true,
                at: None,
            })),
        },
    }
}

fn not_an_object(found: String) -> String {
    format!("a record is an object, found {found}")
}

/// Reads one record of collection `c` from its raw JSON text.
pub(super) fn read_record(c: &Collection, raw: &str, plan: &Plan) -> Raw {
    let mut row = Vec::with_capacity(c.fields.len());
    if fast::object(c, raw, &mut row) {
        return Raw {
            row: row.into_boxed_slice(),
            rejected: None,
        };
    }
    read_record_in_full(c, raw, plan)
}

/// Reads one record of collection `c` from its raw JSON text into `raws`: straight into
/// their values when it is plain enough, else through serde.
/// `offset` is where the record's text starts in its document (for a record without a
/// usable key: see [`Place`]).
pub(super) fn read_record_into(
    c: &Collection,
    raw: &str,
    plan: &Plan,
    raws: &mut super::raws::Raws,
    offset: usize,
) {
    if !raws.read_with(|out| fast::object(c, raw, out)) {
        let mut record = read_record_in_full(c, raw, plan);
        record.place(Place::Offset(offset));
        raws.push(record);
    }
}

/// Reads one record of collection `c` from its raw JSON text through serde: any record,
/// good or bad (a bad one with the reason).
fn read_record_in_full(c: &Collection, raw: &str, plan: &Plan) -> Raw {
    let mut row = Vec::with_capacity(c.fields.len());
    let read = read_object(
        &record_shape(c),
        raw,
        plan,
        &String::new,
        &not_an_object,
        &mut row,
    );
    let mut record = finished(read, row);
    record.label_keyless(raw);
    record
}

/// Reads one record of collection `c` where it stands in a larger text (a line of NDJSON),
/// in the same pass; a value that is not an object is a rejected record.
pub(super) struct RecordSeed<'a> {
    pub coll: &'a Collection,
    pub plan: &'a Plan,
}

impl RecordSeed<'_> {
    fn found(&self, found: String) -> Raw {
        Raw {
            row: Box::default(),
            rejected: Some(Box::new(Rejected {
                key: Value::None,
                reason: not_an_object(found),
                label: None,
                unread: true,
                at: None,
            })),
        }
    }
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = Raw;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Raw, E> {
        Ok(self.found(format!("boolean {b}")))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Raw, E> {
        Ok(self.found(describe(&serde_json::Value::String(s.into()))))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Raw, E> {
        Ok(self.found(format!("number {n}")))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Raw, E> {
        Ok(self.found(format!("number {n}")))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
        Ok(self.found("null".into()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(self.found("array".into()))
    }

    fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Raw, A::Error> {
        let mut row = Vec::with_capacity(self.coll.fields.len());
        let shape = record_shape(self.coll);
        let read = ObjectVisitor {
            shape: &shape,
            plan: self.plan,
            prefix: &String::new,
            out: &mut row,
            number: Some(&not_an_object),
        }
        .visit_map(m)?;
        if read.problem.is_some() {
            row.clear();
        }
        Ok(finished(read, row))
    }
}
