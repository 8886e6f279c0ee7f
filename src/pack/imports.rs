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
    let here = JsonPath::root().key("imports");
    let imports =
        match serde_path_to_error::deserialize::<_, Vec<ImportSpec>>(json["imports"].clone()) {
            Ok(imports) => Some(imports),
            Err(e) => {
                loader.problem(&here.join_serde(e.path()), e.inner().to_string());
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
            &here,
            "imports need a pack folder: load the pack with Plan::load(dir)".into(),
        );
        return;
    };
    // what the importing pack defines itself wins; what two imports define must agree
    let own = json.clone();
    let mut from: BTreeMap<String, String> = BTreeMap::new();
    for (i, imp) in imports.iter().enumerate() {
        let at = here.index(i);
        let Some((source, other)) = read(loader, dir, imp, &at) else {
            continue;
        };
        let mut cx = Import {
            loader: &mut *loader,
            own: &own,
            from: &mut from,
            pack: &imp.pack,
            at: &at,
            source,
        };
        for section in ["collections", "tables"] {
            if let Some(Json::Object(m)) = other.get(section) {
                for (name, v) in m {
                    cx.take(json, &[section, name], v);
                }
            }
        }
        if let Some(Json::Object(m)) = other.get("measures") {
            for (coll, ms) in m {
                let Json::Object(ms) = ms else { continue };
                for (name, v) in ms {
                    cx.take(json, &["measures", coll, name], v);
                }
            }
        }
        cx.groups_and_calendars(json, &other);
        cx.indicators(json, &other, &imp.indicators);
    }
    if let Json::Object(m) = json {
        m.remove("imports");
    }
}

/// Reads the imported pack `imp` (its place in the list is `at`): its source index and
/// JSON, once its name, text, import chain and shape are good.
fn read(loader: &mut Loader, dir: &Path, imp: &ImportSpec, at: &JsonPath) -> Option<(usize, Json)> {
        if !is_simple_name(&imp.pack) {
        loader.problem(
            &at.key("pack"),
            format!(
                "'{}' is not a pack name (a folder beside this one)",
                imp.pack
            ),
        );
        return None;
    }
    let other_dir = dir.join("..").join(&imp.pack);
    let other_path = other_dir.join("pack.json");
    let text = loader.read(&at.key("pack"), "", &imp.pack, (&other_path, &other_dir))?;
    // a cycle is found from the files' import lists alone, before anything is
    // compiled, so that it is reported once and never followed
    if let Some(chain) = import_cycle(dir, &imp.pack) {
        loader.problem(
            &at.key("pack"),
            format!("imports form a cycle: {}", chain.join(" → ")),
        );
        return None;
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
                severity: crate::pack::Severity::Error,
            });
            return None;
        }
    };
    super::load::duplicate_keys(loader, source);
    // the imported pack's shape is checked here, as a whole; what this pack takes from
    // it is checked once, when the merged pack is compiled (located in its file)
    if let Err(e) = serde_path_to_error::deserialize::<_, PackSpec>(other.clone()) {
        let inside = JsonPath::root().join_serde(e.path());
        let d = loader
            .sources
            .diagnostic_in(source, &inside, e.inner().to_string());
        loader.problem(
            &at.key("pack"),
            format!(
                "the imported pack {} has problems (run scorecard check on it): {d}",
                imp.pack
            ),
        );
        return None;
    }
    if other.get("scripts").is_some() || other.get("imports").is_some() {
        loader.problem(
            &at.key("pack"),
            format!(
                "{} has scripts or imports of its own, which cannot be imported (yet)",
                imp.pack
            ),
        );
        return None;
    }
    Some((source, other))
}

/// One import being merged: where it is, what it came from, and what was merged so far.
struct Import<'l, 's> {
    loader: &'l mut Loader<'s>,
    /// The importing pack's own JSON (its definitions win).
    own: &'l Json,
    /// Which import each merged entry came from, by `section.name`.
    from: &'l mut BTreeMap<String, String>,
    /// The imported pack's name.
    pack: &'l str,
    /// Its place in the `imports` list.
    at: &'l JsonPath,
    /// Its text among the loaded sources.
    source: usize,
}

impl Import<'_, '_> {
    /// Takes the entry at `path` (`["collections", "units"]`, `["measures", "units",
    /// "covered"]`) unless this pack defines it; two imports must define it alike.
    fn take(&mut self, json: &mut Json, path: &[&str], value: &Json) {
        let mine = path.iter().try_fold(self.own, |j, k| j.get(k)).is_some();
        if mine {
            return; // this pack's own definition wins
        }
        let key = path.join(".");
        let (last, parents) = path.split_last().expect("a path has a name");
        let mut target = &mut *json;
        for k in parents {
            if !target[*k].is_object() {
                target[*k] = Json::Object(Default::default());
            }
            target = &mut target[*k];
        }
        match target.get(*last) {
            Some(existing) if existing != value => {
                let first = self.from.get(&key).cloned().unwrap_or_default();
                self.loader.problem(self.at, format!("{key} comes from {first} and from {} with different definitions; define it in this pack to choose", self.pack));
            }
            Some(_) => {}
            None => {
                target[*last] = value.clone();
                self.from.insert(key, self.pack.to_string());
                let at = path.iter().fold(JsonPath::root(), |here, k| here.key(k));
                self.loader.sources.merged(at.clone(), self.source, at);
            }
        }
    }

    /// Takes the imported pack's groups (which must be this pack's, if it has any) and
    /// adds its calendars.
    fn groups_and_calendars(&mut self, json: &mut Json, other: &Json) {
        if let Some(g) = other.get("groups") {
            match json.get("groups") {
                None => {
                    json["groups"] = g.clone();
                    let at = JsonPath::root().key("groups");
                    self.loader.sources.merged(at.clone(), self.source, at);
                }
                Some(mine) if mine != g => self.loader.problem(
                    self.at,
                    format!("{} groups by {}, this pack by {}", self.pack, g, mine),
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
    }

    /// Takes the indicators listed, each with its overrides.
    fn indicators(&mut self, json: &mut Json, other: &Json, listed: &BTreeMap<String, Json>) {
        let Some(Json::Object(inds)) = other.get("indicators") else {
            return;
        };
        if !json["indicators"].is_object() {
            json["indicators"] = Json::Object(Default::default());
        }
        for (id, overrides) in listed {
            let listed_at = self.at.key("indicators").key(id);
            let Some(Json::Object(ind)) = inds.get(id) else {
                let known: Vec<&str> = inds.keys().map(|s| s.as_str()).collect();
                self.loader.problem(
                    &listed_at,
                    format!(
                        "{} has no indicator '{id}' (indicators: {})",
                        self.pack,
                        known.join(", ")
                    ),
                );
                continue;
            };
            if json["indicators"].get(id).is_some() {
                self.loader.problem(
                    &listed_at,
                    format!("indicator '{id}' is already defined (here or by another import)"),
                );
                continue;
            }
            let at = JsonPath::root().key("indicators").key(id);
            self.loader.sources.merged(at.clone(), self.source, at.clone());
            let mut ind = ind.clone();
            if let Json::Object(o) = overrides {
                for (k, v) in o {
                    if !OVERRIDABLE.contains(&k.as_str()) {
                        self.loader.problem(&listed_at.key(k), format!("an import may override scoring, target, not_applicable, title or rounding, not '{k}'"));
                        continue;
                    }
                    ind.insert(k.clone(), v.clone());
                    self.loader.sources.merged(at.key(k), 0, listed_at.key(k));
                }
            } else if !overrides.is_null() {
                self.loader.problem(
                    &listed_at,
                    "an imported indicator takes an object of overrides, or null".into(),
                );
            }
            json["indicators"][id] = Json::Object(ind);
        }
    }
}

/// What an importing pack may override of an imported indicator.
const OVERRIDABLE: [&str; 5] = ["scoring", "target", "not_applicable", "title", "rounding"];

/// The chain of imports that leads from the pack in `dir`, through `first`, back to a pack
/// already on the chain (`["a", "b", "a"]`), found by reading only the `imports` lists of
/// the packs beside it; `None` when there is no cycle. Iterative, so any depth is safe.
fn import_cycle(dir: &Path, first: &str) -> Option<Vec<String>> {
    let me = dir
        .canonicalize()
        .unwrap_or_else(|_| dir.to_path_buf())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())?;
    let imports_of = |name: &str| -> Vec<String> {
        let folder = dir.join("..").join(name);
        let bytes = crate::files::read_within(&folder.join("pack.json"), &folder);
        let Some(text) = bytes.ok().and_then(|b| String::from_utf8(b).ok()) else {
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
            let start = path.iter().position(|pack| *pack == name).unwrap_or(0);
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
