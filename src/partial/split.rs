//! Splitting a JSON dataset into shards whose partial results merge into the whole run's
//! outcome: every record in one shard together with the records it refers to (and those
//! that refer to it), a jurisdiction's records together, and the collections every shard has
//! whole (the jurisdictions, the windows of per-window aggregates) and the period copied
//! into every shard. For trying partial results out, tests and the
//! scale-out measurements; a cluster splits its own data the same way (by jurisdiction).

use crate::plan::{FieldKind, Plan};
use serde_json::{Map, Value as Json};
use std::collections::HashMap;

/// Which shard each jurisdiction's records go to, for `shards` shards: the jurisdictions
/// below the top of the tree (a county's townships, or each root when there are several),
/// with everything under them, dealt out in key order.
pub fn by_branch(plan: &Plan, doc: &Map<String, Json>, shards: usize) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    let Some(g) = &plan.groups else { return out };
    let coll = &plan.collections[g.coll as usize];
    let key_name = &coll.fields[coll.key_slot as usize].name;
    let parent_name = g.parent.map(|p| coll.fields[p as usize].name.clone());
    let records = doc.get(&coll.name).and_then(Json::as_array);
    let parent: HashMap<String, Option<String>> = records
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let k = r.get(key_name)?.as_str()?.to_string();
            let p = parent_name
                .as_ref()
                .and_then(|n| r.get(n))
                .and_then(Json::as_str)
                .map(str::to_string);
            Some((k, p))
        })
        .collect();
    let roots = parent.values().filter(|p| p.is_none()).count();
    // each jurisdiction's branch: its ancestor just below a root (a root is its own)
    let branch = |k: &String| -> String {
        let mut chain = vec![k.clone()];
        while let Some(Some(p)) = parent.get(chain.last().unwrap_or(k)) {
            if chain.contains(p) || chain.len() > parent.len() {
                break;
            }
            chain.push(p.clone());
        }
        match (chain.len(), roots) {
            (n, 1) if n >= 2 => chain[n - 2].clone(),
            (n, _) => chain[n - 1].clone(),
        }
    };
    let branch_of: HashMap<&String, String> = parent.keys().map(|k| (k, branch(k))).collect();
    let mut branches: Vec<&String> = branch_of.values().collect();
    branches.sort();
    branches.dedup();
    let at: HashMap<&String, usize> = branches
        .into_iter()
        .enumerate()
        .map(|(i, b)| (b, i % shards.max(1)))
        .collect();
    for (k, b) in &branch_of {
        out.insert((*k).clone(), at.get(b).copied().unwrap_or(0));
    }
    out
}

/// Splits a JSON dataset into `shards` datasets. `shard_of` gives the shard of a
/// jurisdiction's key; records with no jurisdiction (and those joined to them) go together to one shard.
/// The records are written back as they were read (as JSON values).
pub fn split(
    plan: &Plan,
    doc: &Map<String, Json>,
    shards: usize,
    shard_of: &dyn Fn(&str) -> usize,
) -> Vec<Map<String, Json>> {
    let shards = shards.max(1);
    let gc = plan.groups.as_ref().map(|g| g.coll);
    let shared = super::mergeable::shared(plan);
    // the records, as (collection, key) nodes joined by their references
    let mut node: HashMap<(usize, String), usize> = HashMap::new();
    let mut uf: Vec<usize> = Vec::new();
    fn find(uf: &mut [usize], mut x: usize) -> usize {
        while uf[x] != x {
            uf[x] = uf[uf[x]];
            x = uf[x];
        }
        x
    }
    let mut id = |uf: &mut Vec<usize>, c: usize, k: &str| -> usize {
        *node.entry((c, k.to_string())).or_insert_with(|| {
            uf.push(uf.len());
            uf.len() - 1
        })
    };
    let text = |v: &Json| -> String {
        match v {
            Json::String(s) => s.clone(),
            other => other.to_string(),
        }
    };
    // for each record: its node and the jurisdictions it names
    let mut placed: Vec<Vec<(usize, Vec<String>)>> = vec![Vec::new(); plan.collections.len()];
    for (ci, c) in plan.collections.iter().enumerate() {
        if shared.contains(&(ci as crate::value::CollId)) {
            continue;
        }
        let records = doc.get(&c.name).and_then(Json::as_array);
        for r in records.into_iter().flatten() {
            let key = r
                .get(&c.fields[c.key_slot as usize].name)
                .map(text)
                .unwrap_or_else(|| r.to_string());
            let me = id(&mut uf, ci, &key);
            let mut jurisdictions = Vec::new();
            for f in &c.fields {
                let FieldKind::Ref(t) = f.kind else { continue };
                let Some(v) = r.get(&f.name).filter(|v| !v.is_null()) else {
                    continue;
                };
                if Some(t) == gc {
                    jurisdictions.push(text(v));
                } else if !shared.contains(&t) {
                    let other = id(&mut uf, t as usize, &text(v));
                    let (a, b) = (find(&mut uf, me), find(&mut uf, other));
                    if a != b {
                        uf[a.max(b)] = a.min(b);
                    }
                }
            }
            placed[ci].push((me, jurisdictions));
        }
    }
    // each group of joined records goes where its first-named jurisdiction's shard is (the
    // lowest when they name several)
    let mut shard_of_root: HashMap<usize, usize> = HashMap::new();
    for list in &placed {
        for (me, js) in list {
            let root = find(&mut uf, *me);
            for j in js {
                let s = shard_of(j) % shards;
                let e = shard_of_root.entry(root).or_insert(s);
                *e = (*e).min(s);
            }
        }
    }
    let mut out: Vec<Map<String, Json>> = vec![Map::new(); shards];
    for (name, v) in doc {
        let is_coll = plan.collection(name).is_some_and(|c| !shared.contains(&c));
        if !is_coll {
            for o in &mut out {
                o.insert(name.clone(), v.clone());
            }
        }
    }
    for (ci, c) in plan.collections.iter().enumerate() {
        if shared.contains(&(ci as crate::value::CollId)) {
            continue;
        }
        let Some(records) = doc.get(&c.name).and_then(Json::as_array) else {
            continue;
        };
        let mut parts: Vec<Vec<Json>> = vec![Vec::new(); shards];
        for (r, (me, _)) in records.iter().zip(&placed[ci]) {
            let root = find(&mut uf, *me);
            // joined records with no jurisdiction stay together, wherever they go
            let s = shard_of_root.get(&root).copied().unwrap_or(root % shards);
            parts[s].push(r.clone());
        }
        for (o, p) in out.iter_mut().zip(parts) {
            o.insert(c.name.clone(), Json::Array(p));
        }
    }
    out
}
