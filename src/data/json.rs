//! Reading a dataset document. One pass over the text splits it into raw records (slices
//! of the input, validated by `serde_json`); as the records of a collection are split, they
//! are handed over in chunks to the thread pool and converted while the split goes on.
//! The chunks are put back in input order, so the result does not depend on the threads.

use super::raws::Raws;
use super::record::{read_record_into, Key};
use super::{parse_period, resolve, DataError, Dataset, Input};
use crate::plan::{Period, Plan};
use crate::value::CollId;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;
use std::sync::Mutex;

/// Records per chunk handed to the pool.
const CHUNK: usize = 2048;

/// The converted chunks, by their number.
type Chunks = Mutex<Vec<Option<Chunk>>>;

/// A chunk of converted records, held while the text is.
type Chunk = Raws;

/// Hands chunks of raw records to the pool for conversion.
struct Converter<'s, 'de> {
    scope: &'s rayon::Scope<'de>,
    plan: &'de Plan,
    /// Where the document's text starts (records' places are offsets from it).
    start: usize,
    done: &'de Chunks,
    /// The collection of each chunk, in input order.
    order: Vec<CollId>,
}

impl<'de> Converter<'_, 'de> {
    fn submit(&mut self, c: CollId, recs: Vec<&'de RawValue>) {
        let k = self.order.len();
        self.order.push(c);
        if let Ok(mut done) = self.done.lock() {
            done.push(None);
        }
        let (plan, done, start) = (self.plan, self.done, self.start);
        self.scope.spawn(move |_| {
            let coll = &plan.collections[c as usize];
            let mut chunk = Raws::new(coll.fields.len());
            chunk.reserve(recs.len());
            for r in &recs {
                let offset = (r.get().as_ptr() as usize).saturating_sub(start);
                read_record_into(coll, r.get(), plan, &mut chunk, offset);
            }
            if let Ok(mut done) = done.lock() {
                done[k] = Some(chunk);
            }
        });
    }
}

struct RootVisitor<'c, 's, 'de> {
    conv: &'c mut Converter<'s, 'de>,
}

impl<'de> Visitor<'de> for RootVisitor<'_, '_, 'de> {
    /// The period's text, if there is one, and which collections the document has.
    type Value = (Option<&'de RawValue>, Vec<bool>);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with a period and one array per collection")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let plan = self.conv.plan;
        let mut period = None;
        let mut seen = vec![false; plan.collections.len()];
        while let Some(Key(k)) = m.next_key::<Key>()? {
            let twice = || de::Error::custom(format!("'{k}' appears twice"));
            if k == "period" {
                if period.is_some() {
                    return Err(twice());
                }
                period = Some(m.next_value::<&RawValue>()?);
            } else if let Some(c) = plan.collection(&k) {
                if std::mem::replace(&mut seen[c as usize], true) {
                    return Err(twice());
                }
                m.next_value_seed(Records {
                    conv: &mut *self.conv,
                    coll: c,
                })?;
            } else {
                let names: Vec<&str> = plan.collections.iter().map(|c| c.name.as_str()).collect();
                return Err(de::Error::custom(format!(
                    "'{k}' is not a collection of this pack (collections: {}; and period)",
                    names.join(", ")
                )));
            }
        }
        Ok((period, seen))
    }
}

/// The array of one collection's records, split into chunks as it is read.
struct Records<'c, 's, 'de> {
    conv: &'c mut Converter<'s, 'de>,
    coll: CollId,
}

impl<'de> DeserializeSeed<'de> for Records<'_, '_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Records<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let name = &self.conv.plan.collections[self.coll as usize].name;
        write!(f, "an array of {name} records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        let mut chunk = Vec::with_capacity(CHUNK);
        while let Some(e) = s.next_element::<&RawValue>()? {
            chunk.push(e);
            if chunk.len() == CHUNK {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                self.conv.submit(self.coll, full);
            }
        }
        if !chunk.is_empty() {
            self.conv.submit(self.coll, chunk);
        }
        Ok(())
    }
}

/// Reads a dataset from JSON text: `{"period": {…}, "<collection>": [records…], …}`.
///
/// Records are converted on the current rayon thread pool; the result does not depend on
/// how many threads it has.
pub fn read_str(plan: &Plan, text: &str) -> Result<Dataset, DataError> {
    convert(plan, text.strip_prefix('\u{feff}').unwrap_or(text))?.into_dataset(plan)
}

/// Reads a dataset from JSON text it owns, as [`read_str`] does, and frees the text as soon
/// as its records are converted, before they are gathered, checked and indexed.
pub fn read_string(plan: &Plan, text: String) -> Result<Dataset, DataError> {
    let converted = convert(plan, text.strip_prefix('\u{feff}').unwrap_or(&text))?;
    drop(text);
    converted.into_dataset(plan)
}

/// The records of a document, converted, in chunks: none of them borrows the text.
struct Converted {
    period: Option<Period>,
    /// Which collections the document has (an array, empty or not).
    present: Vec<bool>,
    /// Each chunk's collection, in input order.
    order: Vec<CollId>,
    /// The chunks, in input order.
    done: Vec<Option<Chunk>>,
}

/// Splits the document and converts its records.
fn convert(plan: &Plan, text: &str) -> Result<Converted, DataError> {
    let done: Chunks = Mutex::new(Vec::new());
    let mut order = Vec::new();
    let split = rayon::in_place_scope(|scope| {
        let mut conv = Converter {
            scope,
            plan,
            start: text.as_ptr() as usize,
            done: &done,
            order: Vec::new(),
        };
        let mut de = serde_json::Deserializer::from_str(text);
        let split = de
            .deserialize_map(RootVisitor { conv: &mut conv })
            .and_then(|p| de.end().map(|_| p));
        order = conv.order;
        split
    });
    let (period, present) = split.map_err(|e| {
        // text that is not JSON at all says so, even where its shape is wrong first
        match serde_json::from_str::<de::IgnoredAny>(text) {
            Err(syntax) if !syntax.is_data() => DataError::from_json(syntax),
            _ => DataError::from_json(e),
        }
    })?;
    let period = period.map(|p| parse_period(p.get())).transpose()?;
    let mut done = done
        .into_inner()
        .map_err(|_| DataError::Internal("a conversion thread failed".into()))?;
    lines_of_places(text, &mut done);
    Ok(Converted {
        period,
        present,
        order,
        done,
    })
}

/// The offsets of records without a usable key made their lines, while the text is
/// there: one pass over it, counting line ends up to each (only such records have one).
fn lines_of_places(text: &str, done: &mut [Option<Chunk>]) {
    use super::record::Place;
    let mut places: Vec<&mut Place> = done.iter_mut().flatten().flat_map(Raws::places_mut).collect();
    if places.is_empty() {
        return;
    }
    places.sort_by_key(|p| match p {
        Place::Offset(o) => *o,
        _ => usize::MAX,
    });
    let (mut line, mut at) = (1, 0);
    for p in places {
        if let Place::Offset(o) = *p {
            let o = o.min(text.len());
            line += memchr::memchr_iter(b'\n', &text.as_bytes()[at..o]).count();
            at = o;
            *p = Place::Line(line);
        }
    }
}

impl Converted {
    /// Gathers each collection's chunks in input order, then checks and indexes them.
    fn into_dataset(self, plan: &Plan) -> Result<Dataset, DataError> {
        let mut parts: Vec<Vec<Raws>> = plan.collections.iter().map(|_| Vec::new()).collect();
        for (c, chunk) in self.order.into_iter().zip(self.done) {
            // every chunk is converted when the scope ends; never drop records silently
            let chunk =
                chunk.ok_or_else(|| DataError::Internal("a chunk of records was lost".into()))?;
            parts[c as usize].push(chunk);
        }
        let raws = parts
            .into_iter()
            .zip(&plan.collections)
            .map(|(parts, c)| Raws::concat(c.fields.len(), parts))
            .collect();
        super::missing::check(plan, &self.present, super::missing::Form::Document)?;
        resolve(
            plan,
            Input {
                period: self.period,
                raws,
            },
        )
    }
}
