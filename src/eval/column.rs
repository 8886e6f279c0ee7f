//! A measure's values for every record of its collection, by position: each record's
//! value, or, when a table gave every record one of its few output values, a byte per
//! record naming which ([`Codes`]). The coded form is built, read and dropped without a
//! 24-byte value per record, and what counts by those values (a `share` of grades) counts
//! per value rather than per record.

use crate::value::Value;
use rayon::prelude::*;

/// Which of a table's output values each record has: `of[i]` indexes `domain`, the
/// output's value in each row (or band) in order, then the default's.
#[derive(Clone, Debug)]
pub(crate) struct Codes {
    /// The values, by code.
    pub domain: Vec<Value>,
    /// Each record's code, by position.
    pub of: Vec<u8>,
}

/// A column of values by record position (see the module's doc).
#[derive(Clone, Debug)]
pub(crate) enum Column {
    /// Each record's value.
    Values(Vec<Value>),
    /// Each record's code into a few values.
    Coded(Codes),
}

impl Default for Column {
    fn default() -> Column {
        Column::Values(Vec::new())
    }
}

impl From<Vec<Value>> for Column {
    fn from(values: Vec<Value>) -> Column {
        Column::Values(values)
    }
}

impl Column {
    /// The value at position `i`, if there is one.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&Value> {
        match self {
            Column::Values(v) => v.get(i),
            Column::Coded(c) => c.domain.get(usize::from(*c.of.get(i)?)),
        }
    }

    /// How many positions the column has.
    pub fn len(&self) -> usize {
        match self {
            Column::Values(v) => v.len(),
            Column::Coded(c) => c.of.len(),
        }
    }

    /// The codes, when the column is coded.
    pub fn codes(&self) -> Option<&Codes> {
        match self {
            Column::Coded(c) => Some(c),
            Column::Values(_) => None,
        }
    }

    /// Positions `i * width .. (i + 1) * width`, as a slice (of one value when coded);
    /// empty when out of range or when a coded column is read wider than one.
    pub fn row(&self, i: usize, width: usize) -> &[Value] {
        match self {
            Column::Values(v) => v.get(i * width..(i + 1) * width).unwrap_or_default(),
            Column::Coded(_) if width != 1 => &[],
            Column::Coded(_) => self.get(i).map(std::slice::from_ref).unwrap_or_default(),
        }
    }

    /// Whether every value the column holds satisfies `f` (for a coded column, every value
    /// of its domain a record has), checked on the pool.
    pub fn all(&self, f: impl Fn(&Value) -> bool + Sync + Send) -> bool {
        match self {
            Column::Values(v) => v.par_iter().all(f),
            Column::Coded(c) => {
                let mut used = vec![false; c.domain.len()];
                for &k in &c.of {
                    used[usize::from(k)] = true;
                }
                c.domain.iter().zip(used).all(|(v, u)| !u || f(v))
            }
        }
    }

    /// The values in order.
    pub fn iter(&self) -> impl Iterator<Item = &Value> {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// Columns are equal when they hold the same values at the same positions, however held.
impl PartialEq for Column {
    fn eq(&self, other: &Column) -> bool {
        match (self, other) {
            (Column::Values(a), Column::Values(b)) => a == b,
            _ => self.len() == other.len() && self.iter().eq(other.iter()),
        }
    }
}

impl Eq for Column {}

#[cfg(test)]
mod tests {
    use super::*;

    fn coded() -> Column {
        Column::Coded(Codes {
            domain: vec![Value::str("A"), Value::str("B"), Value::None],
            of: vec![1, 0, 2, 1],
        })
    }

    #[test]
    fn coded_reads_as_its_values() {
        let values = Column::Values(vec![Value::str("B"), Value::str("A"), Value::None, Value::str("B")]);
        let c = coded();
        assert_eq!(c, values);
        assert_eq!(values, c);
        assert_eq!(c.len(), 4);
        assert_eq!(c.get(3), Some(&Value::str("B")));
        assert_eq!(c.get(4), None);
        assert_eq!(c.row(1, 1), &[Value::str("A")]);
        assert_eq!(c.row(1, 2), &[] as &[Value]);
        assert_eq!(values.row(1, 2), &[Value::None, Value::str("B")]);
        assert_ne!(c, Column::Values(vec![Value::str("B")]));
    }

    #[test]
    fn all_sees_only_the_values_records_have() {
        let c = Column::Coded(Codes {
            domain: vec![Value::str("A"), Value::List(vec![].into())],
            of: vec![0, 0],
        });
        assert!(c.all(|v| !matches!(v, Value::List(_))));
        assert!(!coded().all(|v| !v.is_none()));
    }
}
