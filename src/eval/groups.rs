//! The jurisdictions of a dataset: each one's chain of ancestors, and where a member
//! belongs.

use crate::data::Dataset;
use crate::plan::Plan;
use crate::value::{CollId, Value};

/// The jurisdictions of a dataset: each one's chain of ancestors.
pub struct Groups {
    pub(crate) coll: Option<CollId>,
    parent: Option<u16>,
    name: Option<u16>,
    pub(crate) chains: Vec<Vec<u32>>,
}

impl Groups {
    /// Builds the chains (the dataset reader has ruled out cycles).
    pub fn new(plan: &Plan, ds: &Dataset) -> Groups {
        let Some(g) = &plan.groups else {
            return Groups {
                coll: None,
                parent: None,
                name: None,
                chains: Vec::new(),
            };
        };
        let rows = &ds.colls[g.coll as usize];
        let chains = (0..rows.len())
            .map(|j| {
                let mut chain = vec![j as u32];
                let mut cur = j;
                while let Some(Value::Rec(_, p)) = g.parent.map(|s| &rows.row(cur)[s as usize]) {
                    if chain.len() > rows.len() {
                        break;
                    }
                    cur = *p as usize;
                    chain.push(*p);
                }
                chain
            })
            .collect();
        Groups {
            coll: Some(g.coll),
            parent: g.parent,
            name: g.name,
            chains,
        }
    }

    /// Number of jurisdictions; the overall group has this index.
    pub fn count(&self) -> usize {
        self.chains.len()
    }

    /// Key of a jurisdiction.
    pub fn key(&self, ds: &Dataset, g: usize) -> String {
        match self.coll {
            Some(c) if g < self.count() => ds.colls[c as usize].key(g).to_string(),
            _ => "(all)".into(),
        }
    }

    /// How errors name a group: `group 'T01'`, or `overall` for all jurisdictions.
    pub fn label(&self, ds: &Dataset, g: usize) -> String {
        if g < self.count() && self.coll.is_some() {
            format!("group '{}'", self.key(ds, g))
        } else {
            "overall".into()
        }
    }

    fn field(&self, ds: &Dataset, g: usize, slot: Option<u16>) -> Option<String> {
        let c = self.coll?;
        match &ds.colls[c as usize].get(g)?[slot? as usize] {
            Value::Rec(c, i) => Some(ds.colls[*c as usize].key(*i as usize).to_string()),
            v => v.as_str().map(str::to_string),
        }
    }

    /// Display name of a jurisdiction.
    pub fn name(&self, ds: &Dataset, g: usize) -> Option<String> {
        self.field(ds, g, self.name)
    }

    /// Parent key of a jurisdiction.
    pub fn parent(&self, ds: &Dataset, g: usize) -> Option<String> {
        self.field(ds, g, self.parent)
    }

    /// Whether no member of `coll` has a jurisdiction (the collection neither is the
    /// jurisdictions nor reaches them): [`Groups::of_member`] gives none for every one.
    pub(crate) fn none_of(&self, plan: &Plan, coll: CollId) -> bool {
        plan.collections[coll as usize].jurisdiction.is_none() && Some(coll) != self.coll
    }

    /// The jurisdiction of a member, if it has one.
    pub(crate) fn of_member(
        &self,
        plan: &Plan,
        ds: &Dataset,
        coll: CollId,
        idx: u32,
    ) -> Option<u32> {
        let c = &plan.collections[coll as usize];
        match &c.jurisdiction {
            None if Some(coll) == self.coll => Some(idx),
            None => None,
            Some(hops) => {
                let mut cur = idx;
                for &(hc, slot) in hops {
                    match ds.colls[hc as usize].row(cur as usize)[slot as usize] {
                        Value::Rec(_, t) => cur = t,
                        _ => return None,
                    }
                }
                Some(cur)
            }
        }
    }
}
