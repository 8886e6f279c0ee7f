//! The records of one collection as they are read, before keys and references are checked:
//! their values in one vector, record after record, and why any of them is rejected. A
//! record read the fast way is written straight into the vector, so reading a million
//! records makes no allocation per record, and the used records of data that comes in key
//! order become the dataset's without being moved.

use super::record::{Raw, Rejected};
use crate::value::Value;
use rayon::prelude::*;

/// The records of one collection as read, in input order.
#[derive(Clone, Default)]
pub(super) struct Raws {
    /// Values per record (the collection's fields; at least the key).
    width: usize,
    /// Field values, record by record; a record whose values could not be read holds
    /// `None`s.
    values: Vec<Value>,
    /// Why each record is rejected, once it is.
    rejected: Vec<Option<Box<Rejected>>>,
}

/// One record as read: its values (none when they could not be read), and why it is
/// rejected, once it is.
#[derive(Clone, Copy)]
pub(super) struct RawRef<'a> {
    pub row: &'a [Value],
    pub rejected: Option<&'a Rejected>,
}

impl<'a> RawRef<'a> {
    /// Not rejected (yet).
    pub fn ok(&self) -> bool {
        self.rejected.is_none()
    }

    /// The record's key (the key field is in slot `slot`), when it has one.
    pub fn key(&self, slot: u16) -> Option<&'a str> {
        self.key_value(slot)?.as_str()
    }

    /// The record's key as bytes, to compare and hash.
    pub fn key_bytes(&self, slot: u16) -> Option<&'a [u8]> {
        self.key_value(slot)?.text_bytes()
    }

    fn key_value(&self, slot: u16) -> Option<&'a Value> {
        match self.row.get(slot as usize) {
            Some(v) => Some(v),
            None => self.rejected.map(|r| &r.key),
        }
    }
}

impl Raws {
    /// No records of `width` fields.
    pub fn new(width: usize) -> Raws {
        Raws {
            width: width.max(1),
            values: Vec::new(),
            rejected: Vec::new(),
        }
    }

    /// How many records there are.
    pub fn len(&self) -> usize {
        self.rejected.len()
    }

    /// Makes room for `more` records.
    pub fn reserve(&mut self, more: usize) {
        self.values.reserve(more * self.width);
        self.rejected.reserve(more);
    }

    /// Adds a record read through serde (or given whole): its values are moved in, or, for
    /// a record whose values could not be read, `None`s stand for them.
    pub fn push(&mut self, raw: Raw) {
        let Raw { row, mut rejected } = raw;
        if row.len() == self.width {
            self.values.extend(row.into_vec());
        } else {
            self.values.extend(std::iter::repeat_with(|| Value::None).take(self.width));
            match &mut rejected {
                Some(r) => r.unread = true,
                // never lose a record: one without its values is rejected, saying so
                None => {
                    rejected = Some(Box::new(Rejected {
                        key: Value::None,
                        reason: format!(
                            "its values could not be read (internal error, please report: {} values for {} fields)",
                            row.len(),
                            self.width
                        ),
                        label: None,
                        unread: true,
                        at: None,
                    }))
                }
            }
        }
        self.rejected.push(rejected);
    }

    /// Adds a record that `read` writes straight into the values (exactly `width` of
    /// them); when it cannot (it returns false), nothing is added and false is returned.
    pub fn read_with(&mut self, read: impl FnOnce(&mut Vec<Value>) -> bool) -> bool {
        let before = self.values.len();
        if read(&mut self.values) && self.values.len() == before + self.width {
            self.rejected.push(None);
            true
        } else {
            self.values.truncate(before);
            false
        }
    }

    /// Moves `other`'s records after these.
    pub fn append(&mut self, other: &mut Raws) {
        debug_assert_eq!(self.width, other.width);
        self.values.append(&mut other.values);
        self.rejected.append(&mut other.rejected);
    }

    /// The records of `parts`, one after another, in room made for all of them. (Moving
    /// the parts into their regions on every thread was measured slower on two threads:
    /// 0.51–0.52 s against 0.49 s for 1M coverage inspections end to end.)
    pub fn concat(width: usize, parts: Vec<Raws>) -> Raws {
        let mut all = Raws::new(width);
        all.reserve(parts.iter().map(Raws::len).sum());
        for mut p in parts {
            all.append(&mut p);
        }
        all
    }

    /// Record `i` (panics when there is no such record, as indexing does).
    pub fn get(&self, i: usize) -> RawRef<'_> {
        let rejected = self.rejected[i].as_deref();
        let row = match rejected {
            Some(r) if r.unread => &[],
            _ => &self.values[i * self.width..(i + 1) * self.width],
        };
        RawRef { row, rejected }
    }

    /// The records, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = RawRef<'_>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The records, in order, on every thread.
    pub fn par_iter(&self) -> impl IndexedParallelIterator<Item = RawRef<'_>> + '_ {
        (0..self.len()).into_par_iter().map(|i| self.get(i))
    }

    /// Rejects record `i` (its values stay, for its key).
    pub fn reject(&mut self, i: usize, reason: String) {
        self.rejected[i] = Some(Box::new(Rejected {
            key: Value::None,
            reason,
            label: None,
            unread: false,
            at: None,
        }));
    }

    /// The places of the records labelled for want of a key, to rewrite (a document's
    /// offsets into lines).
    pub fn places_mut(&mut self) -> impl Iterator<Item = &mut super::record::Place> {
        self.rejected
            .iter_mut()
            .flatten()
            .filter_map(|r| r.at.as_mut())
    }

    /// Calls `change` with the position and values of every record not rejected, on every
    /// thread.
    pub fn par_change_ok(&mut self, change: impl Fn(usize, &mut [Value]) + Sync) {
        self.values
            .par_chunks_mut(self.width)
            .zip(self.rejected.par_iter())
            .enumerate()
            .for_each(|(i, (row, rejected))| {
                if rejected.is_none() {
                    change(i, row)
                }
            });
    }

    /// The values of the records `keep` names, in that order, one after another; the
    /// values of records that are not kept are dropped with `self`.
    pub fn into_values(mut self, keep: &[u32]) -> Vec<Value> {
        let w = self.width;
        // in input order (the input was in key order): each kept record moved down into
        // place, in the vector that holds them, and the rest cut off
        if keep.windows(2).all(|p| p[0] < p[1]) {
            for (k, &i) in keep.iter().enumerate() {
                let i = i as usize;
                if i != k {
                    // i > k: the values moved up in exchange are dropped when cut off
                    let (low, high) = self.values.split_at_mut(i * w);
                    low[k * w..(k + 1) * w].swap_with_slice(&mut high[..w]);
                }
            }
            self.values.truncate(keep.len() * w);
            return self.values;
        }
        let mut out: Vec<Value> = std::iter::repeat_with(|| Value::None).take(keep.len() * w).collect();
        out.par_chunks_mut(w)
            .zip(keep.par_iter())
            .for_each(|(o, &i)| o.clone_from_slice(&self.values[i as usize * w..(i as usize + 1) * w]));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(row: Vec<Value>, rejected: Option<(&str, &str)>) -> Raw {
        Raw {
            row: row.into_boxed_slice(),
            rejected: rejected.map(|(key, reason)| {
                Box::new(Rejected {
                    key: Value::str(key),
                    reason: reason.into(),
                    label: None,
                    unread: false,
                    at: None,
                })
            }),
        }
    }

    /// Records of two fields, key first: `("A", 1)`, `("B", 2)`, …
    fn records(keys: &[&str]) -> Raws {
        let mut raws = Raws::new(2);
        for (i, k) in keys.iter().enumerate() {
            raws.push(raw(vec![Value::str(k), Value::int(i as i128 + 1)], None));
        }
        raws
    }

    #[test]
    fn a_record_read_in_place_is_added_whole_or_not_at_all() {
        let mut raws = records(&["A"]);
        assert!(raws.read_with(|out| {
            out.extend([Value::str("B"), Value::Bool(true)]);
            true
        }));
        // a reader that gives up part way, or writes the wrong number of values, adds nothing
        assert!(!raws.read_with(|out| {
            out.push(Value::str("C"));
            false
        }));
        assert!(!raws.read_with(|out| {
            out.extend([Value::str("D"), Value::None, Value::None]);
            true
        }));
        assert_eq!(raws.len(), 2);
        assert_eq!(raws.values.len(), 4);
        assert_eq!(raws.get(1).row, &[Value::str("B"), Value::Bool(true)]);
        assert_eq!(raws.get(1).key(0), Some("B"));
    }

    #[test]
    fn a_record_without_its_values_keeps_its_place_and_its_key() {
        let mut raws = records(&["A"]);
        raws.push(raw(Vec::new(), Some(("K", "field 'n': not a number"))));
        // a record without values and without a reason is rejected, saying so: never lost
        raws.push(raw(vec![Value::str("X")], None));
        raws.push(raw(vec![Value::str("C"), Value::int(3)], None));
        assert_eq!(raws.len(), 4);
        let unread = raws.get(1);
        assert!(unread.row.is_empty() && !unread.ok());
        assert_eq!(unread.key(0), Some("K"));
        let odd = raws.get(2);
        assert!(odd.row.is_empty());
        assert!(odd.rejected.is_some_and(|r| r.reason.contains("internal error")));
        assert_eq!(raws.get(3).key(0), Some("C"));
    }

    #[test]
    fn a_rejected_record_still_has_its_key() {
        let mut raws = records(&["A", "B"]);
        raws.reject(1, "duplicate".into());
        assert!(raws.get(0).ok());
        assert!(!raws.get(1).ok());
        assert_eq!(raws.get(1).key(0), Some("B"));
        raws.par_change_ok(|i, row| {
            row[1] = Value::int(10 * i as i128);
            assert_eq!(i, 0, "only records not rejected are changed");
        });
        let seen: Vec<Value> = raws.iter().map(|r| r.row[1].clone()).collect();
        assert_eq!(seen, vec![Value::int(0), Value::int(2)]);
    }

    #[test]
    fn kept_records_are_taken_in_the_order_given() {
        let mut raws = records(&["A", "B"]);
        raws.append(&mut records(&["C", "D"]));
        assert_eq!(raws.len(), 4);
        let keys = |v: &[Value]| v.chunks(2).map(|r| r[0].as_str().unwrap().to_string()).collect::<Vec<_>>();
        assert_eq!(keys(&raws.clone().into_values(&[3, 0, 2])), ["D", "A", "C"]);
        assert_eq!(keys(&raws.clone().into_values(&[])), Vec::<String>::new());
        // in input order, some left out: moved down in the same vector
        let at = raws.values.as_ptr();
        let some = raws.clone();
        let at_some = some.values.as_ptr();
        let kept = some.into_values(&[1, 3]);
        assert_eq!((kept.as_ptr(), keys(&kept)), (at_some, vec!["B".to_string(), "D".into()]));
        // all of them, in input order: the values themselves, not a copy
        let all = raws.into_values(&[0, 1, 2, 3]);
        assert_eq!(all.as_ptr(), at);
        assert_eq!(keys(&all), ["A", "B", "C", "D"]);
    }
}
