//! The common record read in one pass over its bytes, without serde.
//!
//! Most records are flat objects of plain values: `{"id": "P0000001", "key_failed": false,
//! "score": 72.4}`. [`object`] reads such a record straight from its bytes to its row of
//! values: it matches each member to its slot (trying the slot after the last one first),
//! checks the JSON grammar of each token itself, and converts the token by the field's
//! type. It accepts only records that are valid JSON and that the collection accepts as
//! they stand: anything else (an escape in a string, a nested value, an undeclared,
//! repeated or missing field, a value of the wrong type, a number the exact reader
//! refuses) gives `None`, and the record is read by the general reader, which gives the
//! same row for a good record and says exactly what is wrong with a bad one. So this is
//! only a faster way to the same result, never a second set of rules.

use crate::num::{Num, Number};
use crate::plan::{Collection, Field, FieldKind, Plan};
use crate::value::Value;

/// A cursor over the bytes of one JSON text.
struct Bytes<'a> {
    text: &'a str,
    b: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    /// Skips JSON white space.
    #[inline]
    fn space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.at) {
            self.at += 1;
        }
    }

    /// Takes byte `c` after white space.
    #[inline]
    fn eat(&mut self, c: u8) -> Option<()> {
        self.space();
        (self.b.get(self.at) == Some(&c)).then(|| self.at += 1)
    }

    /// The next byte after white space, not taken.
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        self.space();
        self.b.get(self.at).copied()
    }

    /// A string with no escapes and no control characters, without its quotes.
    #[inline]
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let len = self.b[start..]
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
        self.at = start + len;
        if self.b[self.at] != b'"' {
            return None;
        }
        self.at += 1;
        // the quotes are ASCII, so they stand at character boundaries
        self.text.get(start..start + len)
    }

    /// Takes the string `"name"` when it comes next (the member name expected; the
    /// collection is [`Collection::flat`], so the name is written in JSON as it is).
    #[inline]
    fn name(&mut self, name: &str) -> bool {
        self.space();
        let n = name.len();
        let rest = &self.b[self.at..];
        let found = rest.len() > n + 1
            && rest[0] == b'"'
            && rest[n + 1] == b'"'
            && &rest[1..n + 1] == name.as_bytes();
        if found {
            self.at += n + 2;
        }
        found
    }

    /// A token that is not a string: a number, `true`, `false` or `null`, checked
    /// against JSON's grammar.
    #[inline]
    fn token(&mut self) -> Option<&'a str> {
        self.space();
        let start = self.at;
        let rest = &self.b[start..];
        let len = match rest.first()? {
            b't' if rest.starts_with(b"true") => 4,
            b'f' if rest.starts_with(b"false") => 5,
            b'n' if rest.starts_with(b"null") => 4,
            b'-' | b'0'..=b'9' => number_len(rest)?,
            _ => return None,
        };
        // a literal or number runs into the next token only through a separator
        if let Some(c) = rest.get(len) {
            if !matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                return None;
            }
        }
        self.at += len;
        self.text.get(start..start + len)
    }
}

/// The length of the JSON number at the start of `b`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?
/// ([eE][+-]?[0-9]+)?`; `None` when it does not follow that grammar.
fn number_len(b: &[u8]) -> Option<usize> {
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = usize::from(b.first() == Some(&b'-'));
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i += digits(i),
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        let d = digits(i + 1);
        if d == 0 {
            return None;
        }
        i += 1 + d;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        let d = digits(i);
        if d == 0 {
            return None;
        }
        i += d;
    }
    Some(i)
}

/// The value of one member of a record, by its field's type; `None` when the general reader
/// is to read it (and say what is wrong, if anything is).
#[inline]
fn value(f: &Field, at: &mut Bytes) -> Option<Value> {
    let (kind, optional) = (&f.kind, f.optional);
    if at.peek()? == b'"' {
        let s = at.string()?;
        return match kind {
            FieldKind::Str | FieldKind::Ref(_) => Some(Value::str(s)),
            FieldKind::Enum(values) => values.iter().find(|x| x.as_ref() == s).map(Value::text),
            FieldKind::Date => crate::dates::parse_date(s).map(Value::Date),
            _ => None,
        };
    }
    let t = at.token()?;
    match (kind, t) {
        (_, "null") if optional => Some(Value::None),
        (FieldKind::Bool, "true") => Some(Value::Bool(true)),
        (FieldKind::Bool, "false") => Some(Value::Bool(false)),
        (FieldKind::Num | FieldKind::Int, _) if t != "null" && !t.starts_with(['t', 'f']) => {
            let n = match Num::parse_plain(t) {
                Some(n) => n,
                None => Num::from(Number::parse(t).ok()?),
            };
            if *kind == FieldKind::Int && !matches!(n, Num::Small(_, d) if d.get() == 1) {
                return None;
            }
            // a value outside its limits: the general reader says which it breaks
            if f.limits.as_ref().is_some_and(|l| l.check(&n.get()).is_err()) {
                return None;
            }
            Some(Value::Num(n))
        }
        _ => None,
    }
}

/// Reads the object at the cursor as a record of `c`, its values added to `out`, when the
/// record is valid and plain enough to read here (else `out` may hold part of them, for the
/// caller to cut off).
fn record(c: &Collection, at: &mut Bytes, out: &mut Vec<Value>) -> Option<()> {
    // a checklist, say, is read by the general reader: not worth starting here
    if !c.flat {
        return None;
    }
    let fields = &c.fields;
    at.eat(b'{')?;
    let base = out.len();
    // each field's place, made without cloning a value (`resize` clones one per field)
    out.extend(std::iter::repeat_with(|| Value::None).take(fields.len()));
    let row = &mut out[base..];
    let mut seen = 0u64;
    let mut next = 0;
    if at.peek()? == b'}' {
        at.at += 1;
    } else {
        loop {
            let slot = match fields.get(next) {
                Some(f) if at.name(&f.name) => next,
                _ => {
                    let name = at.string()?;
                    fields.iter().position(|f| f.name == name)?
                }
            };
            let bit = 1u64 << slot;
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            next = slot + 1;
            at.eat(b':')?;
            let f = &fields[slot];
            row[slot] = value(f, at)?;
            match at.peek()? {
                b',' => at.at += 1,
                b'}' => {
                    at.at += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    // every field that must be there is
    let all = fields
        .iter()
        .enumerate()
        .all(|(s, f)| f.optional || seen & (1 << s) != 0);
    all.then_some(())
}

/// A record's JSON text (an element of a collection's array) read as a record of `c`, its
/// values added to `out`; false (and `out` to be cut back) when it is not read here.
pub(super) fn object(c: &Collection, text: &str, out: &mut Vec<Value>) -> bool {
    let mut at = Bytes {
        text,
        b: text.as_bytes(),
        at: 0,
    };
    record(c, &mut at, out).is_some() && {
        at.space();
        at.at == text.len()
    }
}

/// A line of NDJSON, `{"<collection>": {record}}`, read as a record added to its
/// collection's records; false (and nothing added) when it is not read here.
pub(crate) fn line(plan: &Plan, text: &str, raws: &mut [super::super::raws::Raws]) -> bool {
    let mut at = Bytes {
        text,
        b: text.as_bytes(),
        at: 0,
    };
    let Some(c) = at
        .eat(b'{')
        .and_then(|_| plan.collection(at.string()?))
        .filter(|_| at.eat(b':').is_some())
    else {
        return false;
    };
    let coll = &plan.collections[c as usize];
    raws[c as usize].read_with(|out| {
        record(coll, &mut at, out).is_some() && at.eat(b'}').is_some() && {
            at.space();
            at.at == text.len()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn plan() -> Plan {
        let pack = r#"{
            "name": "t", "version": "1",
            "period": {"from": "2025-01-01", "to": "2025-12-31"},
            "collections": {"things": {"fields": {
                "id": "string",
                "flag": "bool",
                "score": {"type": "number", "optional": true},
                "count": {"type": "integer", "min": 0, "max": 20},
                "half": {"type": "number", "optional": true, "multiple_of": 0.5, "values": [0, 0.5, 2.5, 5]},
                "day": "date",
                "kind": {"type": "enum", "values": ["a", "b"]},
                "note": {"type": "string", "optional": true}
            }}},
            "indicators": {"n": {"kind": "count", "population": {"collection": "things"}}}
        }"#;
        Plan::from_json(pack).unwrap()
    }

    /// A record's values as the fast reader reads them, when it does.
    fn object(c: &Collection, text: &str) -> Option<Vec<Value>> {
        let mut raws = crate::data::raws::Raws::new(c.fields.len());
        raws.read_with(|out| super::object(c, text, out))
            .then(|| raws.get(0).row.to_vec())
    }

    /// A line's values as the fast reader reads them, when it does.
    fn line(plan: &Plan, text: &str) -> Option<Vec<Value>> {
        let mut raws: Vec<_> =
            plan.collections.iter().map(|c| crate::data::raws::Raws::new(c.fields.len())).collect();
        let read = super::line(plan, text, &mut raws);
        let found = raws.iter().find(|r| r.len() == 1).map(|r| r.get(0).row.to_vec());
        assert_eq!(read, found.is_some(), "a line read adds one record, else none");
        found
    }

    /// A member's text: mostly good values, and the kinds of bad or unusual ones the
    /// general reader has to deal with.
    fn member() -> impl Strategy<Value = (String, String)> {
        let value = |v: &[&str]| {
            let v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
            proptest::sample::select(v)
        };
        prop_oneof![
            value(&[r#""P1""#, r#""P\u0031""#, r#""é""#, "7", "null"]).prop_map(|v| ("id".into(), v)),
            value(&["true", "false", "1", "null", r#""true""#, "truex"])
                .prop_map(|v| ("flag".into(), v)),
            value(&["72.4", "-3", "0.125", "1e2", "01", "1.", "-0", "null", "123456789012345678901", r#""5""#])
                .prop_map(|v| ("score".into(), v)),
            value(&["3", "3.0", "3.5", "-0", "null", "2e1", "20", "21", "-1"]).prop_map(|v| ("count".into(), v)),
            value(&["0", "0.5", "2.5", "2.50", "1.5", "5", "5.5", "-0.5", "null"]).prop_map(|v| ("half".into(), v)),
            value(&[r#""2025-03-02""#, r#""2025-02-30""#, r#""2025-3-2""#, "20250302"])
                .prop_map(|v| ("day".into(), v)),
            value(&[r#""a""#, r#""b""#, r#""c""#, r#""\u0061""#]).prop_map(|v| ("kind".into(), v)),
            value(&[r#""x""#, "null", r#""tab\there""#, "[1]", "{}"]).prop_map(|v| ("note".into(), v)),
            value(&["1", "null"]).prop_map(|v| ("other".into(), v)),
        ]
    }

    /// A record: a good one in some order, with up to three members more (another value
    /// for a field, so a repeated one, or an undeclared one), or any members at all.
    fn record() -> impl Strategy<Value = String> {
        let good = vec![
            ("id".to_string(), r#""P1""#.to_string()),
            ("flag".into(), "true".into()),
            ("score".into(), "72.4".into()),
            ("count".into(), "3".into()),
            ("day".into(), r#""2025-03-02""#.into()),
            ("kind".into(), r#""a""#.into()),
        ];
        let members = prop_oneof![
            (Just(good).prop_shuffle(), proptest::collection::vec(member(), 0..3)).prop_map(
                |(mut good, more)| {
                    good.extend(more);
                    good
                }
            ),
            proptest::collection::vec(member(), 0..10),
        ];
        (members, proptest::sample::select(vec!["", " ", "\n\t"]))
            .prop_map(|(members, ws)| {
                let body: Vec<String> = members
                    .iter()
                    .map(|(k, v)| format!("{ws}\"{k}\"{ws}:{ws}{v}{ws}"))
                    .collect();
                format!("{{{}}}", body.join(","))
            })
    }

    proptest! {
        /// Whatever the fast reader accepts, the general reader accepts too, with the same
        /// values; as a record of an array and as a line of NDJSON.
        #[test]
        fn the_fast_reader_gives_what_the_general_reader_gives(text in record()) {
            let plan = plan();
            let c = &plan.collections[0];
            let full = super::super::read_record_in_full(c, &text, &plan);
            if let Some(row) = object(c, &text) {
                prop_assert!(full.ok(), "fast accepted what the general reader rejects: {text}");
                prop_assert_eq!(&row[..], &full.row[..], "{}", text);
            }
            let line_text = format!("{{\"things\": {text}}}");
            if let Some(row) = line(&plan, &line_text) {
                prop_assert!(full.ok());
                prop_assert_eq!(&row[..], &full.row[..]);
            }
        }
    }

    #[test]
    fn plain_records_are_read_fast_and_the_rest_are_not() {
        let plan = plan();
        let c = &plan.collections[0];
        let good = r#"{"id": "P1", "flag": false, "score": 72.4, "count": 3, "day": "2025-03-02", "kind": "a"}"#;
        let row = object(c, good).expect("a plain record is read fast");
        let slot = |name: &str| c.fields.iter().position(|f| f.name == name).unwrap();
        assert_eq!(row[slot("score")], Value::from(Number::parse("72.4").unwrap()));
        assert_eq!(row[slot("note")], Value::None);
        assert_eq!(row[slot("id")], Value::str("P1"));
        // members in another order, white space, an optional null
        let reordered = "{ \"kind\" : \"b\",\"count\":3,\"day\":\"2025-03-02\",\"flag\":true,\n\"id\":\"P2\",\"note\":null }";
        assert!(object(c, reordered).is_some());
        for bad in [
            r#"{"id": "P\u0031", "flag": false, "count": 3, "day": "2025-03-02", "kind": "a"}"#,
            r#"{"id": "P1", "flag": false, "count": 3, "day": "2025-03-02"}"#,
            r#"{"id": "P1", "id": "P1", "flag": false, "count": 3, "day": "2025-03-02", "kind": "a"}"#,
            r#"{"id": "P1", "flag": false, "count": 3.5, "day": "2025-03-02", "kind": "a"}"#,
            r#"{"id": "P1", "flag": false, "count": 3, "day": "2025-03-02", "kind": "a"} x"#,
            r#"{"id": "P1", "flag": false, "count": 03, "day": "2025-03-02", "kind": "a"}"#,
        ] {
            assert!(object(c, bad).is_none(), "{bad}");
        }
        assert!(line(&plan, &format!("{{\"things\": {good}}}")).is_some());
        assert!(line(&plan, &format!("{{\"things\": {good}, \"x\": 1}}")).is_none());
        assert!(line(&plan, &format!("{{\"period\": {good}}}")).is_none());
    }
}
