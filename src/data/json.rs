//! Reading a dataset document: one pass over the text splits it into raw records (slices of
//! the input, validated by `serde_json`), then the records are converted in parallel.

use super::record::{read_record, ElementsSeed, Key};
use super::{finish, parse_period, DataError, Dataset, Input};
use crate::plan::Plan;
use rayon::prelude::*;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;

/// The top level of a dataset: the period's text and each collection's raw records.
struct Root<'de> {
    period: Option<&'de RawValue>,
    colls: Vec<Option<Vec<&'de RawValue>>>,
}

struct RootVisitor<'p> {
    plan: &'p Plan,
}

impl<'de> Visitor<'de> for RootVisitor<'_> {
    type Value = Root<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with a period and one array per collection")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Root<'de>, A::Error> {
        let plan = self.plan;
        let mut root = Root {
            period: None,
            colls: vec![None; plan.collections.len()],
        };
        while let Some(Key(k)) = m.next_key::<Key>()? {
            let twice = || de::Error::custom(format!("'{k}' appears twice"));
            if k == "period" {
                if root.period.is_some() {
                    return Err(twice());
                }
                root.period = Some(m.next_value::<&RawValue>()?);
            } else if let Some(c) = plan.collection(&k) {
                if root.colls[c as usize].is_some() {
                    return Err(twice());
                }
                let elems = m.next_value_seed(ElementsSeed(&plan.collections[c as usize].name))?;
                root.colls[c as usize] = Some(elems.0);
            } else {
                let names: Vec<&str> = plan.collections.iter().map(|c| c.name.as_str()).collect();
                return Err(de::Error::custom(format!(
                    "'{k}' is not a collection of this pack (collections: {}; and period)",
                    names.join(", ")
                )));
            }
        }
        Ok(root)
    }
}

/// Reads a dataset from JSON text: `{"period": {…}, "<collection>": [records…], …}`.
///
/// Records are converted on the current rayon thread pool; the result does not depend on
/// how many threads it has.
pub fn read_str(plan: &Plan, text: &str) -> Result<Dataset, DataError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let root = de
        .deserialize_map(RootVisitor { plan })
        .and_then(|r| de.end().map(|_| r))
        .map_err(|e| {
            // text that is not JSON at all says so, even where its shape is wrong first
            match serde_json::from_str::<de::IgnoredAny>(text) {
                Err(syntax) if !syntax.is_data() => DataError::from_json(syntax),
                _ => DataError::from_json(e),
            }
        })?;
    let period = root.period.map(|p| parse_period(p.get())).transpose()?;
    let raws = plan
        .collections
        .iter()
        .zip(root.colls)
        .map(|(c, elems)| {
            elems
                .unwrap_or_default()
                .par_iter()
                .map(|raw| read_record(c, raw.get(), plan))
                .collect()
        })
        .collect();
    finish(plan, Input { period, raws })
}
