//! Imports: another pack's collections, measures, tables, groups, calendars and chosen
//! indicators merged into this pack's JSON before it is compiled, each imported pack read
//! once. What the importing pack defines itself wins; what two imports define must agree.
//! The merged entries keep their origin, so that a problem in one is located in the
//! imported pack's file (or, for an override, in this pack's `imports` list).

use super::load::{is_simple_name, Loader};
use crate::json_locate::JsonPath;
use crate::pack::spec::{ImportSpec, PackSpec};
use crate::pack::Diagnostic;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Merges the packs this one imports into its JSON (see `ImportSpec`).
pub(crate) fn merge(loader: &mut Loader, json: &mut Json, dir: Option<&Path>) {
    let p = JsonPath::root().key("imports");
    let imports =
        match serde_path_to_error::deserialize::<_, Vec<ImportSpec>>(json["imports"].clone()) {
            Ok(imports) => Some(imports),
            Err(e) => {
                loader.problem(&p.join_serde(e.path()), e.inner().to_string());
                None
            }
        };
    let Some(imports) = imports else {
        // reported once: the pack's own parse no longer sees the broken list
        if let Json::Object(m) = json {
            m.remove("imports");
        }
        return;
    };
    let Some(dir) = dir else {
        loader.problem(
            &p,
            "imports need a pack folder: load the pack with Plan::load(dir)".into(),
        );
        return;
    };
    // what the importing pack defines itself wins; what two imports define must agree
    let own = json.clone();
    let mut from: BTreeMap<String, String> = BTreeMap::new();
    for (i, imp) in imports.iter().enumerate() {
        let ip = p.index(i);
        if !is_simple_name(&imp.pack) {
            loader.problem(
                &ip.key("pack"),
                format!(
                    "'{}' is not a pack name (a folder beside this one)",
                    imp.pack
                ),
            );
            continue;
        }
        let other_dir = dir.join("..").join(&imp.pack);
        let other_path = other_dir.join("pack.json");
        let Some(text) = loader.read(&ip.key("pack"), "", &imp.pack, &other_path) else {
            continue;
        };
        // a cycle is found from the files' import lists alone, before anything is
        // compiled, so that it is reported once and never followed
        if let Some(chain) = import_cycle(dir, &imp.pack) {
            loader.problem(
                &ip.key("pack"),
                format!("imports form a cycle: {}", chain.join(" → ")),
            );
            continue;
        }
        let source = loader
            .sources
            .add(other_path.display().to_string(), Arc::from(text.as_str()));
        let other = match serde_json::from_str::<Json>(&text) {
            Ok(other) => other,
            Err(e) => {
                let message = format!("not valid JSON: {}", crate::data::serde_message(&e));
                loader.problems.push(Diagnostic {
                    file: other_path.display().to_string(),
                    line: e.line(),
                    col: e.column(),
                    path: "(root)".into(),
                    message,
                });
                continue;
            }
        };
        super::load::duplicate_keys(loader, source);
        // the imported pack's shape is checked here, as a whole; what this pack takes from
        // it is checked once, when the merged pack is compiled (located in its file)
        if let Err(e) = serde_path_to_error::deserialize::<_, PackSpec>(other.clone()) {
            let at = JsonPath::root().join_serde(e.path());
            let d = loader
                .sources
                .diagnostic_in(source, &at, e.inner().to_string());
            loader.problem(
                &ip.key("pack"),
                format!(
                    "the imported pack {} has problems (run scorecard check on it): {d}",
                    imp.pack
                ),
            );
            continue;
        }
        if other.get("scripts").is_some() || other.get("imports").is_some() {
            loader.problem(
                &ip.key("pack"),
                format!(
                    "{} has scripts or imports of its own, which cannot be imported (yet)",
                    imp.pack
                ),
            );
            continue;
        }
        let mut merge = |section: &str,
                         name: &str,
                         value: &Json,
                         target: &mut Json,
                         me: &mut Loader| {
            let key = format!("{section}.{name}");
            let mine = own.get(section).and_then(|s| s.get(name)).is_some();
            if mine {
                return; // this pack's own definition wins
            }
            match target.get(name) {
                Some(existing) if existing != value => me.problem(
                    &ip,
                    format!("{key} comes from {} and from {} with different definitions; define it in this pack to choose", from.get(&key).cloned().unwrap_or_default(), imp.pack),
                ),
                Some(_) => {}
                None => {
                    target[name] = value.clone();
                    from.insert(key, imp.pack.clone());
                    let at = JsonPath::root().key(section).key(name);
                    me.sources.merged(at.clone(), source, at);
                }
            }
        };
        for section in ["collections", "tables"] {
            if let Some(Json::Object(m)) = other.get(section) {
                if !json[section].is_object() {
                    json[section] = Json::Object(Default::default());
                }
                let mut target = json[section].take();
                for (name, v) in m {
                    merge(section, name, v, &mut target, loader);
                }
                json[section] = target;
            }
        }
        if let Some(Json::Object(m)) = other.get("measures") {
            if !json["measures"].is_object() {
                json["measures"] = Json::Object(Default::default());
            }
            for (coll, ms) in m {
                let Json::Object(ms) = ms else { continue };
                if !json["measures"][coll].is_object() {
                    json["measures"][coll] = Json::Object(Default::default());
                }
                let mut target = json["measures"][coll].take();
                for (name, v) in ms {
                    let own_m = own
                        .get("measures")
                        .and_then(|x| x.get(coll))
                        .and_then(|x| x.get(name))
                        .is_some();
                    if own_m {
                        continue;
                    }
                    match target.get(name) {
                        Some(existing) if existing != v => loader.problem(&ip, format!("measures.{coll}.{name} comes from two imports with different definitions")),
                        Some(_) => {}
                        None => {
                            target[name] = v.clone();
                            let at = JsonPath::root().key("measures").key(coll).key(name);
                            loader.sources.merged(at.clone(), source, at);
                        }
                    }
                }
                json["measures"][coll] = target;
            }
        }
        if let Some(g) = other.get("groups") {
            match json.get("groups") {
                None => {
                    json["groups"] = g.clone();
                    let at = JsonPath::root().key("groups");
                    loader.sources.merged(at.clone(), source, at);
                }
                Some(mine) if mine != g => loader.problem(
                    &ip,
                    format!("{} groups by {}, this pack by {}", imp.pack, g, mine),
                ),
                _ => {}
            }
        }
        if let Some(Json::Array(cals)) = other.get("calendars") {
            if !json["calendars"].is_array() {
                json["calendars"] = Json::Array(Vec::new());
            }
            if let Json::Array(mine) = &mut json["calendars"] {
                for c in cals {
                    if !mine.contains(c) {
                        mine.push(c.clone());
                    }
                }
            }
        }
        let Some(Json::Object(inds)) = other.get("indicators") else {
            continue;
        };
        if !json["indicators"].is_object() {
            json["indicators"] = Json::Object(Default::default());
        }
        for (id, overrides) in &imp.indicators {
            let op = ip.key("indicators").key(id);
            let Some(Json::Object(ind)) = inds.get(id) else {
                let known: Vec<&str> = inds.keys().map(|s| s.as_str()).collect();
                loader.problem(
                    &op,
                    format!(
                        "{} has no indicator '{id}' (indicators: {})",
                        imp.pack,
                        known.join(", ")
                    ),
                );
                continue;
            };
            if json["indicators"].get(id).is_some() {
                loader.problem(
                    &op,
                    format!("indicator '{id}' is already defined (here or by another import)"),
                );
                continue;
            }
            let at = JsonPath::root().key("indicators").key(id);
            loader.sources.merged(at.clone(), source, at.clone());
            let mut ind = ind.clone();
            if let Json::Object(o) = overrides {
                for (k, v) in o {
                    if !["scoring", "target", "not_applicable", "title", "rounding"]
                        .contains(&k.as_str())
                    {
                        loader.problem(&op.key(k), format!("an import may override scoring, target, not_applicable, title or rounding, not '{k}'"));
                        continue;
                    }
                    ind.insert(k.clone(), v.clone());
                    loader.sources.merged(at.key(k), 0, op.key(k));
                }
            } else if !overrides.is_null() {
                loader.problem(
                    &op,
                    "an imported indicator takes an object of overrides, or null".into(),
                );
            }
            json["indicators"][id] = Json::Object(ind);
        }
    }
    if let Json::Object(m) = json {
        m.remove("imports");
    }
}

/// The chain of imports that leads from the pack in `dir`, through `first`, back to a pack
/// already on the chain (`["a", "b", "a"]`), found by reading only the `imports` lists of
/// the packs beside it; `None` when there is no cycle. Iterative, so any depth is safe.
fn import_cycle(dir: &Path, first: &str) -> Option<Vec<String>> {
    let me = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))?;
    let imports_of = |name: &str| -> Vec<String> {
        let path = dir.join("..").join(name).join("pack.json");
        let Ok(text) = std::fs::read_to_string(path) else {
            return Vec::new();
        };
        let Ok(json) = serde_json::from_str::<Json>(text.trim_start_matches('\u{feff}')) else {
            return Vec::new();
        };
        json.get("imports")
            .and_then(Json::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|i| i.get("pack")?.as_str())
                    .filter(|n| is_simple_name(n))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    // depth-first, with an explicit stack of (pack, its imports not yet followed)
    let mut path = vec![me.clone()];
    let mut stack = vec![vec![first.to_string()]];
    let mut done: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    while let Some(next) = stack.last_mut() {
        let Some(name) = next.pop() else {
            stack.pop();
            if let Some(finished) = path.pop() {
                done.insert(finished);
            }
            continue;
        };
        if path.contains(&name) {
            let start = path.iter().position(|p| *p == name).unwrap_or(0);
            let mut chain = path[start..].to_vec();
            chain.push(name);
            if start > 0 {
                // the cycle does not pass through this pack: show how it is reached
                chain = path[..=start]
                    .iter()
                    .cloned()
                    .chain(chain.into_iter().skip(1))
                    .collect();
            }
            return Some(chain);
        }
        if done.contains(&name) {
            continue;
        }
        stack.push(imports_of(&name));
        path.push(name);
    }
    None
}
