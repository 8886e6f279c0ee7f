//! The keys of a collection's records, read where the record store holds them.
//!
//! The outcome's table of records lists every record's key. Copying them out of the store
//! is a second pass over every record's memory after scoring (a million places: about 10
//! ms of a 48 ms evaluation, nearly all of it waiting for memory), so the table shares the
//! store instead and reads each key in place. The store is then freed when both the
//! dataset and the outcome are dropped. Keys that come from elsewhere (an outcome merged
//! from partial results) are held on their own, as a store of one value per record.

use crate::value::Value;
use std::sync::Arc;

/// The keys of records, in order: value `slot` of each `width` values of a shared store.
#[derive(Clone, Debug)]
pub(crate) struct KeyColumn {
    /// The records' values, record after record (see [`super::CollData`]).
    store: Arc<Vec<Value>>,
    /// Values per record (at least one).
    width: usize,
    /// The key's place in a record.
    slot: usize,
    /// Records.
    len: usize,
}

impl KeyColumn {
    /// The keys of `len` records of `width` values each in `store`, at `slot`.
    pub(super) fn shared(store: Arc<Vec<Value>>, width: usize, slot: usize, len: usize) -> KeyColumn {
        debug_assert!(slot < width && len * width <= store.len() || len == 0);
        KeyColumn {
            store,
            width: width.max(1),
            slot,
            len,
        }
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Key `i`, when there is one.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&Value> {
        (i < self.len).then(|| &self.store[i * self.width + self.slot])
    }

    /// The first key.
    pub fn first(&self) -> Option<&Value> {
        self.get(0)
    }

    /// The position of `key` (keys are sorted and unique).
    pub fn find(&self, key: &str) -> Option<usize> {
        sorted_find(self.len, key, |i| self.store[i * self.width + self.slot].as_str().unwrap_or_default())
    }

    /// The keys in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &Value> + '_ {
        (0..self.len).map(|i| &self.store[i * self.width + self.slot])
    }
}

/// The position of `key` among `len` sorted, unique keys, key `i` being `key_at(i)`.
pub(super) fn sorted_find<'k>(len: usize, key: &str, key_at: impl Fn(usize) -> &'k str) -> Option<usize> {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match key_at(mid).cmp(key) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Some(mid),
        }
    }
    None
}

/// Keys held on their own, one value a record.
impl From<Vec<Value>> for KeyColumn {
    fn from(keys: Vec<Value>) -> KeyColumn {
        let len = keys.len();
        KeyColumn::shared(Arc::new(keys), 1, 0, len)
    }
}

impl Default for KeyColumn {
    fn default() -> KeyColumn {
        Vec::new().into()
    }
}

impl std::ops::Index<usize> for KeyColumn {
    type Output = Value;

    /// Key `i` (panics when there is no such key, as indexing does).
    fn index(&self, i: usize) -> &Value {
        assert!(i < self.len, "key {i} of {}", self.len);
        &self.store[i * self.width + self.slot]
    }
}

/// Columns are equal when they hold the same keys in the same order, however stored.
impl PartialEq for KeyColumn {
    fn eq(&self, other: &KeyColumn) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl Eq for KeyColumn {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys read in place from records of three values are the keys held on their own,
    /// and outlive the records' owner.
    #[test]
    fn keys_read_in_place_equal_keys_held_alone() {
        let store: Vec<Value> = ["a", "b", "c"]
            .iter()
            .flat_map(|k| [Value::Bool(true), Value::str(k), Value::None])
            .collect();
        let shared = KeyColumn::shared(Arc::new(store), 3, 1, 3);
        let alone = KeyColumn::from(vec![Value::str("a"), Value::str("b"), Value::str("c")]);
        assert_eq!(shared, alone);
        assert_eq!(shared.get(2), Some(&Value::str("c")));
        assert_eq!(shared.get(3), None);
        assert_eq!(shared.iter().len(), 3);
        assert_eq!((shared.find("b"), shared.find("bb"), alone.find("c")), (Some(1), None, Some(2)));
        assert_ne!(shared, KeyColumn::from(vec![Value::str("a"), Value::str("b")]));
        assert!(KeyColumn::default().is_empty());
    }
}
