//! Reading a dataset as NDJSON, streamed: one JSON object per line, `{"period": {…}}` or
//! `{"<collection>": {record}}`, in any order; blank lines are skipped.
//!
//! The input is read a chunk of whole lines at a time (about a megabyte); each chunk is
//! converted on the thread pool while the next one is read, and each line is parsed once,
//! straight into its record. At most a few chunks wait for a thread, so the text is never
//! all held in memory: only the typed records are. The thread that reads gathers the
//! converted chunks in input order as they come (each collection's records into one
//! vector), so the result depends neither on the threads nor on how the input was cut,
//! and the first error in input order is the one reported.

use super::raws::Raws;
use super::record::{Key, Raw, RecordSeed};
use super::{parse_period, resolve, DataError, Dataset, Input, Period};
use crate::plan::Plan;
use crate::value::CollId;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;
use std::io::{BufRead, Read};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

/// Bytes of text read before a chunk is handed over.
const CHUNK_BYTES: usize = 1 << 20;

/// What one line holds, when it is not a record read the fast way.
enum Item {
    Period(Period),
    Record(CollId, Raw),
    /// `{"<collection>": []}`: the collection is in the input, with no records here.
    Present(CollId),
}

/// What one line holds as read: the period's text, a record, or the name of something
/// that is not a collection of the pack.
enum Parsed<'de> {
    Period(&'de RawValue),
    Record(CollId, Raw),
    Unknown(String),
}

fn one_member() -> &'static str {
    r#"a line must be an object with one member: {"<collection>": {record}} or {"period": {…}}"#
}

/// Reads a line's one member: the record is converted as it is parsed.
struct LineVisitor<'p> {
    plan: &'p Plan,
}

impl<'de> Visitor<'de> for LineVisitor<'_> {
    type Value = Parsed<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(r#"an object with one member: {"<collection>": {record}} or {"period": {…}}"#)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Parsed<'de>, A::Error> {
        let Key(k) = m
            .next_key::<Key>()?
            .ok_or_else(|| de::Error::custom(one_member()))?;
        let parsed = if k == "period" {
            Parsed::Period(m.next_value()?)
        } else if let Some(c) = self.plan.collection(&k) {
            let coll = &self.plan.collections[c as usize];
            let seed = RecordSeed {
                coll,
                plan: self.plan,
            };
            Parsed::Record(c, m.next_value_seed(seed)?)
        } else {
            m.next_value::<de::IgnoredAny>()?;
            Parsed::Unknown(k.into_owned())
        };
        if m.next_key::<Key>()?.is_some() {
            return Err(de::Error::custom(one_member()));
        }
        Ok(parsed)
    }
}

/// A UTF-8 byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Converts one line (1-based `number`) of NDJSON that the fast reader did not read.
fn line(plan: &Plan, text: &str, number: usize) -> Result<Item, DataError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = de
        .deserialize_map(LineVisitor { plan })
        .and_then(|p| de.end().map(|_| p))
        .map_err(|e| {
            if e.is_data() {
                DataError::Shape(format!("line {number}: {e}"))
            } else {
                DataError::NotJson {
                    line: number,
                    col: e.column(),
                    message: crate::data::serde_message(&e),
                }
            }
        })?;
    match parsed {
        Parsed::Record(c, mut raw) => {
            if !raw.ok() {
                // labelled by the record's own text, as in a JSON document (read again:
                // this is rare, and the line was valid JSON)
                let one: Option<std::collections::BTreeMap<&str, &RawValue>> =
                    serde_json::from_str(text).ok();
                let own = one
                    .as_ref()
                    .and_then(|m| m.values().next())
                    .map(|r| r.get());
                if own.is_some_and(is_empty_list) {
                    return Ok(Item::Present(c));
                }
                raw.label_keyless(own.unwrap_or(text));
                raw.place(super::record::Place::Line(number));
            }
            Ok(Item::Record(c, raw))
        }
        Parsed::Period(raw) => parse_period(raw.get())
            .map(Item::Period)
            .map_err(|e| match e {
                DataError::Shape(m) => DataError::Shape(format!("line {number}: {m}")),
                other => other,
            }),
        Parsed::Unknown(k) => {
            let names: Vec<&str> = plan.collections.iter().map(|c| c.name.as_str()).collect();
            Err(DataError::Shape(format!(
                "line {number}: '{k}' is not a collection of this pack (collections: {}; and period)",
                names.join(", ")
            )))
        }
    }
}

/// Whether a JSON value's text is an empty list, `[]` (white space allowed inside).
fn is_empty_list(raw: &str) -> bool {
    raw.strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .is_some_and(|inner| inner.trim().is_empty())
}

/// What a chunk of lines holds: each collection's records in order, the period lines, and
/// the collections an empty list (`{"<collection>": []}`) says are in the input.
struct Chunk {
    raws: Vec<Raws>,
    periods: Vec<Period>,
    present: Vec<CollId>,
}

/// Converts a chunk of whole lines (`count` of them, the last one's end included; the
/// first being line `first`); stops at the first bad line.
fn chunk(plan: &Plan, text: &str, first: usize, count: usize) -> Result<Chunk, DataError> {
    // room for every line in the first collection (most data has one, or one large one):
    // its records are never moved as they are added
    let mut raws: Vec<Raws> = plan.collections.iter().map(|c| Raws::new(c.fields.len())).collect();
    if let Some(most) = raws.first_mut() {
        most.reserve(count + 1);
    }
    let (mut periods, mut present) = (Vec::new(), Vec::new());
    for (i, l) in lines(text).enumerate() {
        if super::record::fast::line(plan, l, &mut raws) || l.trim().is_empty() {
            continue;
        }
        match line(plan, l, first + i)? {
            Item::Record(c, raw) => raws[c as usize].push(raw),
            Item::Period(p) => periods.push(p),
            Item::Present(c) => present.push(c),
        }
    }
    Ok(Chunk {
        raws,
        periods,
        present,
    })
}

/// The lines of `text`, split at each `\n` as `str::split` would (the last one may be
/// empty), found with SIMD.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len()));
    let mut start = 0;
    // `\n` is ASCII, so every cut is at a character boundary
    ends.map(move |end| {
        let l = &text[start..end];
        start = end + 1;
        l
    })
}

/// Reads bytes until `buf` holds `want` or the input ends; true at the end.
fn fill(input: &mut impl BufRead, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    let more = want.saturating_sub(buf.len()) as u64;
    let got = input.by_ref().take(more).read_to_end(buf)?;
    Ok((got as u64) < more)
}

/// The chunks converted so far, by their number (`None`: not yet, or already gathered).
type Done = Mutex<Vec<Option<Result<Chunk, DataError>>>>;

/// The chunks' records gathered in input order, by the thread that reads, as they are
/// converted: each collection's records in one vector that grows as they come (so that
/// the gathering overlaps the conversion instead of following it), the period, and the
/// first error in input order (nothing after it is gathered).
struct Gathered {
    /// The number of the next chunk to gather.
    next: usize,
    raws: Vec<Raws>,
    period: Option<Period>,
    /// The collections an empty list said are in the input.
    present: Vec<bool>,
    error: Option<DataError>,
}

impl Gathered {
    /// Gathers the chunks that come next and are converted; stops at the first that is
    /// not, or at the first error.
    fn take(&mut self, done: &Done) {
        while self.error.is_none() {
            let chunk = {
                let mut d = done.lock().unwrap_or_else(|p| p.into_inner());
                match d.get_mut(self.next) {
                    Some(slot) => slot.take(),
                    None => None,
                }
            };
            let Some(chunk) = chunk else { return };
            self.next += 1;
            match chunk {
                Err(e) => self.error = Some(e),
                Ok(chunk) => {
                    for p in chunk.periods {
                        if self.period.replace(p).is_some() {
                            self.error = Some(DataError::Shape("has more than one period line".into()));
                        }
                    }
                    for (all, mut these) in self.raws.iter_mut().zip(chunk.raws) {
                        all.append(&mut these);
                    }
                    for c in chunk.present {
                        self.present[c as usize] = true;
                    }
                }
            }
        }
    }
}

/// Reads a dataset from NDJSON, streamed from `input`.
///
/// Records are converted on the current rayon thread pool; the result does not depend on how
/// many threads it has, nor on the order of the lines.
pub fn read_ndjson(plan: &Plan, mut input: impl BufRead) -> Result<Dataset, DataError> {
    let done: Done = Mutex::new(Vec::new());
    let mut gathered = Gathered {
        next: 0,
        raws: plan.collections.iter().map(|c| Raws::new(c.fields.len())).collect(),
        period: None,
        present: vec![false; plan.collections.len()],
        error: None,
    };
    let waiting = AtomicUsize::new(0);
    // signalled as each chunk is converted, for a reader with nothing else to do
    let converted = (Mutex::new(()), Condvar::new());
    // a chunk failed: what follows it cannot change the outcome (the first error is reported)
    let failed = std::sync::atomic::AtomicBool::new(false);
    let limit = 2 * rayon::current_num_threads().max(1);
    let slot = |r: Option<Result<Chunk, DataError>>| -> usize {
        let mut d = done.lock().unwrap_or_else(|p| p.into_inner());
        d.push(r);
        d.len() - 1
    };
    rayon::in_place_scope(|scope| {
        let mut carry: Vec<u8> = Vec::new();
        let mut number = 1;
        // bytes of the input before the current chunk
        let mut offset: u64 = 0;
        loop {
            let mut buf = std::mem::take(&mut carry);
            // a chunk, or twice what is held when that is a line without its end yet (but
            // no more than one byte past the longest line allowed)
            let want = if buf.len() < CHUNK_BYTES {
                CHUNK_BYTES
            } else {
                (2 * buf.len()).min(crate::limits::MAX_NDJSON_LINE_BYTES + 2)
            };
            let end = match fill(&mut input, &mut buf, want) {
                Ok(end) => end,
                Err(e) => {
                    slot(Some(Err(DataError::NotJson {
                        line: number,
                        col: 1,
                        message: format!("cannot read the input: {e}"),
                    })));
                    return;
                }
            };
            // whole lines only: the rest waits for the next chunk (a line longer than a
            // chunk makes the chunk grow)
            let cut = match memchr::memrchr(b'\n', &buf) {
                _ if end => buf.len(),
                Some(i) => i + 1,
                // a line longer than a record may be: refused before more of it is read
                None if buf.len() > crate::limits::MAX_NDJSON_LINE_BYTES => {
                    slot(Some(Err(DataError::Shape(format!(
                        "line {number} is longer than {} bytes, the most a line (one record) may have (limits::MAX_NDJSON_LINE_BYTES)",
                        crate::limits::MAX_NDJSON_LINE_BYTES
                    )))));
                    return;
                }
                None => {
                    carry = buf;
                    continue;
                }
            };
            if end && buf.len() - memchr::memrchr(b'\n', &buf).map_or(0, |i| i + 1) > crate::limits::MAX_NDJSON_LINE_BYTES {
                slot(Some(Err(DataError::Shape(format!(
                    "its last line is longer than {} bytes, the most a line (one record) may have (limits::MAX_NDJSON_LINE_BYTES)",
                    crate::limits::MAX_NDJSON_LINE_BYTES
                )))));
                return;
            }
            carry = buf.split_off(cut);
            let lines = memchr::memchr_iter(b'\n', &buf).count();
            if number == 1 && buf.starts_with(BOM) {
                // a byte-order mark (Windows Notepad, Excel) before the first line
                buf.drain(..BOM.len());
                offset += BOM.len() as u64;
            }
            let (size, at) = (buf.len() as u64, offset);
            offset += size;
            let k = slot(None);
            waiting.fetch_add(1, Ordering::SeqCst);
            let (done, waiting, failed, first) = (&done, &waiting, &failed, number);
            let converted = &converted;
            scope.spawn(move |_| {
                // checked here, on the pool, rather than by the thread that reads
                let items = match String::from_utf8(buf) {
                    Ok(text) => chunk(plan, &text, first, lines),
                    Err(e) => Err(DataError::not_utf8(e.as_bytes(), e.utf8_error(), first, at)),
                };
                if items.is_err() {
                    failed.store(true, Ordering::SeqCst);
                }
                done.lock().unwrap_or_else(|p| p.into_inner())[k] = Some(items);
                let _signalled = converted.0.lock().unwrap_or_else(|p| p.into_inner());
                waiting.fetch_sub(1, Ordering::SeqCst);
                converted.1.notify_one();
            });
            gathered.take(done);
            // enough text is waiting: help convert it before reading more, or, with nothing
            // to help with (all of it taken, or this thread is not the pool's), gather what
            // is converted, or wait for a chunk to be converted rather than spin
            while waiting.load(Ordering::SeqCst) > limit {
                if rayon::yield_now() == Some(rayon::Yield::Executed) {
                    continue;
                }
                let before = gathered.next;
                gathered.take(done);
                if gathered.next > before {
                    continue;
                }
                let guard = converted.0.lock().unwrap_or_else(|p| p.into_inner());
                if waiting.load(Ordering::SeqCst) > limit {
                    let wait = converted.1.wait_timeout(guard, std::time::Duration::from_millis(1));
                    drop(wait.unwrap_or_else(|p| p.into_inner()));
                }
            }
            number += lines;
            if end || failed.load(Ordering::SeqCst) || gathered.error.is_some() {
                return;
            }
        }
    });

    // every chunk is converted when the scope ends: the rest are gathered (never dropping
    // records silently), unless one before them failed
    gathered.take(&done);
    let Gathered {
        next,
        raws,
        period,
        mut present,
        error,
    } = gathered;
    if let Some(e) = error {
        return Err(e);
    }
    if next != done.lock().unwrap_or_else(|p| p.into_inner()).len() {
        return Err(DataError::Internal("a chunk of lines was lost".into()));
    }
    for (p, r) in present.iter_mut().zip(&raws) {
        *p |= r.len() > 0;
    }
    super::missing::check(plan, &present, super::missing::Form::Lines)?;
    resolve(plan, Input { period, raws })
}

#[cfg(test)]
mod tests {
    use super::lines;
    use proptest::prelude::*;

    proptest! {
        /// The SIMD split gives exactly the lines `str::split('\n')` gives, empty ones and
        /// a last one without its end included.
        #[test]
        fn lines_as_split(text in "[a\\n\\r é{}\"]{0,40}") {
            let ours: Vec<&str> = lines(&text).collect();
            let split: Vec<&str> = text.split('\n').collect();
            prop_assert_eq!(ours, split);
        }
    }
}
