//! A dataset without some of its used records: those whose evaluation failed, set aside
//! with their reasons (`eval::score`). Records that reference a record set aside are
//! rejected with it, as records that reference a rejected record always are; the others
//! keep their order, their references renumbered. The accounting moves each record set
//! aside from used to rejected, so `read = used + excluded + rejected` still holds.

use super::{CollData, Dataset, Rejection};
use crate::plan::Plan;
use crate::value::{CollId, Value};
use rayon::prelude::*;

impl Dataset {
    /// This dataset without the used records `failed` of collection `coll` (positions in
    /// key order, each with the reason the accounting gives), nor the records that
    /// reference them.
    pub(crate) fn without(&self, plan: &Plan, coll: CollId, failed: &[(u32, String)]) -> Dataset {
        let colls = &plan.collections;
        let mut gone: Vec<Vec<Option<String>>> =
            self.colls.iter().map(|c| vec![None; c.len()]).collect();
        for (i, why) in failed {
            gone[coll as usize][*i as usize] = Some(why.clone());
        }
        let refs = super::resolve::reference_slots(colls);
        // through references, until nothing changes (each pass looks at the last one's)
        loop {
            let changes: Vec<Vec<(usize, String)>> = self
                .colls
                .iter()
                .enumerate()
                .map(|(ci, c)| {
                    if refs[ci].is_empty() {
                        return Vec::new();
                    }
                    c.par_rows()
                        .enumerate()
                        .filter(|(i, _)| gone[ci][*i].is_none())
                        .filter_map(|(i, row)| {
                            refs[ci].iter().find_map(|&(slot, t)| match row[slot as usize] {
                                Value::Rec(_, ti) if gone[t as usize][ti as usize].is_some() => {
                                    let key = self.colls[t as usize].key(ti as usize);
                                    Some((i, super::resolve::rejected_target(colls, ci, slot, t, key)))
                                }
                                _ => None,
                            })
                        })
                        .collect()
                })
                .collect();
            if changes.iter().all(Vec::is_empty) {
                break;
            }
            for (ci, list) in changes.into_iter().enumerate() {
                for (i, why) in list {
                    gone[ci][i] = Some(why);
                }
            }
        }
        // the kept records' new positions
        let renumber: Vec<Vec<u32>> = gone
            .iter()
            .map(|g| {
                let mut n = 0;
                g.iter()
                    .map(|x| match x {
                        Some(_) => u32::MAX,
                        None => {
                            n += 1;
                            n - 1
                        }
                    })
                    .collect()
            })
            .collect();
        let mut accounting = self.accounting.clone();
        let mut out = Vec::with_capacity(self.colls.len());
        for (ci, c) in self.colls.iter().enumerate() {
            let a = &mut accounting[ci];
            for (i, why) in gone[ci].iter().enumerate() {
                if let Some(why) = why {
                    a.used -= 1;
                    a.rejected.push(Rejection {
                        key: c.key(i).to_string(),
                        reason: why.clone(),
                    });
                }
            }
            a.rejected.sort();
            let width = colls[ci].fields.len();
            let mut values: Vec<Value> = c
                .par_rows()
                .enumerate()
                .filter(|(i, _)| gone[ci][*i].is_none())
                .flat_map_iter(|(_, row)| row.iter().cloned())
                .collect();
            if !refs[ci].is_empty() {
                values
                    .par_chunks_mut(width.max(1))
                    .for_each(|row| super::resolve::renumber_references(row, &refs[ci], &renumber));
            }
            out.push(CollData::from_values(values, width, c.key_slot));
        }
        Dataset {
            period: self.period,
            dated: self.dated,
            colls: out,
            accounting,
            sheets_not_read: self.sheets_not_read.clone(),
            keyless: self.keyless.clone(),
        }
    }
}
