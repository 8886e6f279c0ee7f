//! Checking a pack as a whole and compiling it into a [`Plan`].
//!
//! Every problem is collected as a [`Diagnostic`] with file, JSON path and line:col; the
//! plan is returned only when there are none. Measures and tables are compiled on demand
//! (a measure that uses another compiles it first), which both orders them for evaluation
//! and finds cycles.

use super::*;
use crate::dates::parse_date;
use crate::expr::compile::{compile as compile_expr, Env, Names};
use crate::expr::parse::ExprError;
use crate::json_locate::{describe, line_col, locate, JsonPath};
use crate::num::RoundingMode;
use crate::pack::spec::*;
use crate::pack::Diagnostic;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug)]
enum State {
    Pending,
    InProgress,
    Done(Ty),
    Failed,
}

struct MeasureSlot {
    coll: CollId,
    name: String,
    path: JsonPath,
    spec: Option<MeasureSpec>,
}

struct TableSlot {
    name: String,
    path: JsonPath,
    spec: Option<TableSpec>,
}

struct Compiler<'a> {
    src: &'a str,
    file: &'a str,
    diags: RefCell<Vec<Diagnostic>>,
    colls: Vec<Collection>,
    items: Vec<ItemShape>,
    measure_slots: Vec<MeasureSlot>,
    measure_state: RefCell<Vec<State>>,
    measure_kinds: RefCell<Vec<Option<MeasureKind>>>,
    measure_order: RefCell<Vec<MeasureId>>,
    table_slots: Vec<TableSlot>,
    table_state: RefCell<Vec<State>>,
    tables: RefCell<Vec<Option<Table>>>,
    /// While false, expressions may not use measures (collection filters run before them).
    measures_visible: std::cell::Cell<bool>,
    /// Script functions by name.
    scripts: HashMap<String, Arc<crate::script::ScriptFn>>,
    /// The jurisdiction collection, once known.
    groups_coll: Option<CollId>,
    /// The working-day calendar, when the pack has one.
    calendar: Option<Arc<crate::calendar::Calendar>>,
}

fn record_vars() -> Vec<(&'static str, Ty)> {
    RECORD_VARS.iter().map(|n| (*n, Ty::Date)).collect()
}

/// Variables of an aggregate's `where` and `value`: the record variables and `outer`, the
/// record the measure is computed for.
fn aggregate_vars(coll: CollId) -> Vec<(&'static str, Ty)> {
    let mut v = record_vars();
    v.push(("outer", Ty::Rec(coll)));
    v
}

fn scorecard_vars() -> Vec<(&'static str, Ty)> {
    vec![
        ("period_start", Ty::Date),
        ("period_end", Ty::Date),
        ("as_of", Ty::Date),
        ("total", Ty::Num),
        ("grade", Ty::Str),
    ]
}

/// Checks and compiles the text of a `pack.json` (named `file` in diagnostics).
pub fn compile(
    src: &str,
    file: &str,
    dir: Option<&std::path::Path>,
) -> Result<Plan, Vec<Diagnostic>> {
    use sha2::Digest;
    // a byte-order mark (Windows Notepad, Excel) is not part of the pack
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut hasher = sha2::Sha256::new();
    hasher.update(src.as_bytes());
    let mut c = Compiler {
        src,
        file,
        diags: RefCell::new(Vec::new()),
        colls: Vec::new(),
        items: Vec::new(),
        measure_slots: Vec::new(),
        measure_state: RefCell::new(Vec::new()),
        measure_kinds: RefCell::new(Vec::new()),
        measure_order: RefCell::new(Vec::new()),
        table_slots: Vec::new(),
        table_state: RefCell::new(Vec::new()),
        tables: RefCell::new(Vec::new()),
        measures_visible: std::cell::Cell::new(true),
        scripts: HashMap::new(),
        groups_coll: None,
        calendar: None,
    };
    let mut json: Json = match serde_json::from_str(src) {
        Ok(j) => j,
        Err(e) => {
            return Err(vec![Diagnostic {
                file: file.to_string(),
                line: e.line(),
                col: e.column(),
                path: "(root)".into(),
                message: format!("not valid JSON: {}", crate::data::serde_message(&e)),
            }])
        }
    };
    for (path, at) in crate::json_locate::duplicate_keys(src) {
        let (line, col) = line_col(src, at);
        c.diags.borrow_mut().push(Diagnostic {
            file: file.to_string(),
            line,
            col,
            path: path.to_string(),
            message:
                "this key appears a second time in its object; the first would be silently lost"
                    .into(),
        });
    }
    let root = JsonPath::root();
    if json.get("imports").is_some() {
        c.import(&mut json, dir, &mut hasher);
    }
    let Some(spec) = c.entry::<PackSpec>(&json, &root) else {
        return Err(c.diags.into_inner());
    };
    if !spec.calendars.is_empty() {
        c.load_calendars(&spec.calendars, &root.key("calendars"), dir, &mut hasher);
    }
    if let Some(s) = &spec.scripts {
        c.load_scripts(s, &root.key("scripts"), dir, &mut hasher);
    }
    let plan = c.build(spec);
    let digest = format!(
        "sha256:{}",
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let mut diags = c.diags.into_inner();
    if diags.is_empty() {
        plan.ok_or_else(|| {
            vec![Diagnostic {
                file: file.to_string(),
                line: 1,
                col: 1,
                path: "(root)".into(),
                message: "the pack could not be compiled".into(),
            }]
        })
        .map(|mut p| {
            p.meta.digest = digest;
            p
        })
    } else {
        // causes before what they cause (a script that does not compile before the calls
        // of its functions that are then unknown), each kind in file and line order
        diags.sort_by_key(|d| (!is_root_cause(&d.message), d.clone()));
        diags.dedup();
        Err(diags)
    }
}

impl Names for Compiler<'_> {
    fn coll_name(&self, coll: CollId) -> String {
        self.colls
            .get(coll as usize)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }

    fn field(&self, coll: CollId, name: &str) -> Option<(u16, Ty)> {
        let c = self.colls.get(coll as usize)?;
        let slot = *c.field_index.get(name)?;
        Some((slot, c.fields[slot as usize].ty()))
    }

    fn measure(&self, coll: CollId, name: &str) -> Option<Result<(MeasureId, Ty), String>> {
        let id = self
            .measure_slots
            .iter()
            .position(|m| m.coll == coll && m.name == name)?;
        if !self.measures_visible.get() {
            return Some(Err(format!(
                "'{name}' is a measure; a collection's include filter runs before measures and can use fields only"
            )));
        }
        let state = self.measure_state.borrow()[id].clone();
        Some(match state {
            State::Done(ty) => Ok((id as MeasureId, ty)),
            State::Failed => Ok((id as MeasureId, Ty::Any)),
            State::InProgress => Err(format!(
                "measure '{name}' depends on itself (a cycle of measures or tables)"
            )),
            State::Pending => {
                self.compile_measure(id);
                match self.measure_state.borrow()[id].clone() {
                    State::Done(ty) => Ok((id as MeasureId, ty)),
                    _ => Ok((id as MeasureId, Ty::Any)),
                }
            }
        })
    }

    fn item_field(&self, item: ItemId, name: &str) -> Option<(u16, Ty)> {
        let shape = self.items.get(item as usize)?;
        let slot = shape.fields.iter().position(|f| f.name == name)?;
        Some((slot as u16, shape.fields[slot].ty()))
    }

    fn script_fn(&self, name: &str) -> Option<Arc<crate::script::ScriptFn>> {
        self.scripts.get(name).cloned()
    }

    fn calendar(&self) -> Option<Arc<crate::calendar::Calendar>> {
        self.calendar.clone()
    }
}

/// Names of variables that expressions with a record in scope see, which fields and
/// measures may not take (they would be hidden). `group`, `total` and `grade` are seen
/// only where no record is in scope, so they are free.
const RESERVED_NAMES: [&str; 4] = ["period_start", "period_end", "as_of", "outer"];

fn script_ty(name: &str, param: bool) -> Option<Ty> {
    Some(match name {
        "number" => Ty::Num,
        "string" => Ty::Str,
        "bool" => Ty::Bool,
        "date" => Ty::Date,
        "list" if param => Ty::List(Box::new(Ty::Any)),
        _ => return None,
    })
}

/// Whether a problem is one that others follow from: a file that cannot be read, a script
/// that does not compile, imports that go round in a cycle.
fn is_root_cause(message: &str) -> bool {
    [
        "cannot read",
        "script does not compile",
        "imports form a cycle",
    ]
    .iter()
    .any(|p| message.starts_with(p))
}

/// A name that stands for a file beside or inside the pack: letters, digits, `-`, `_`.
fn is_simple_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A relative path that stays inside the pack folder.
fn is_inside_pack(path: &str) -> bool {
    let rel = std::path::Path::new(path);
    !rel.is_absolute()
        && !rel
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
}

/// The chain of imports that leads from the pack in `dir`, through `first`, back to a pack
/// already on the chain (`["a", "b", "a"]`), found by reading only the `imports` lists of
/// the packs beside it; `None` when there is no cycle. Iterative, so any depth is safe.
fn import_cycle(dir: &std::path::Path, first: &str) -> Option<Vec<String>> {
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

impl<'a> Compiler<'a> {
    /// Reads a file the pack uses (a script, a calendar, an imported pack) and adds it to
    /// the pack's digest under `name`; an unreadable file is reported at `at`.
    fn read_into_digest(
        &self,
        at: &JsonPath,
        what: &str,
        name: &str,
        path: &std::path::Path,
        hasher: &mut sha2::Sha256,
    ) -> Option<String> {
        use sha2::Digest;
        match std::fs::read_to_string(path) {
            Ok(mut text) => {
                if text.starts_with('\u{feff}') {
                    text.drain(..'\u{feff}'.len_utf8());
                }
                hasher.update(name.as_bytes());
                hasher.update([0]);
                hasher.update(text.as_bytes());
                Some(text)
            }
            Err(e) => {
                self.diag(at, format!("cannot read {what}{}: {e}", path.display()));
                None
            }
        }
    }

    /// Merges the packs this one imports into its JSON (see `ImportSpec`).
    fn import(
        &mut self,
        json: &mut Json,
        dir: Option<&std::path::Path>,
        hasher: &mut sha2::Sha256,
    ) {
        let p = JsonPath::root().key("imports");
        let Some(imports) = self.entry::<Vec<ImportSpec>>(&json["imports"], &p) else {
            // reported once: the pack's own parse no longer sees the broken list
            if let Json::Object(m) = json {
                m.remove("imports");
            }
            return;
        };
        let Some(dir) = dir else {
            self.diag(
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
                self.diag(
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
            let Some(text) =
                self.read_into_digest(&ip.key("pack"), "", &imp.pack, &other_path, hasher)
            else {
                continue;
            };
            // a cycle is found from the files' import lists alone, before anything is
            // compiled, so that it is reported once and never followed
            if let Some(chain) = import_cycle(dir, &imp.pack) {
                self.diag(
                    &ip.key("pack"),
                    format!("imports form a cycle: {}", chain.join(" → ")),
                );
                continue;
            }
            let other = serde_json::from_str::<Json>(text.trim_start_matches('\u{feff}'));
            let nested = other
                .as_ref()
                .is_ok_and(|o| o.get("scripts").is_some() || o.get("imports").is_some());
            if !nested {
                if let Err(e) = crate::pack::load::load_dir(&other_dir) {
                    self.diag(
                        &ip.key("pack"),
                        format!(
                            "the imported pack {} has problems (run scorecard check on it): {e}",
                            imp.pack
                        ),
                    );
                    continue;
                }
            }
            let Ok(other) = other else {
                continue;
            };
            if nested {
                self.diag(
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
                             me: &mut Self| {
                let key = format!("{section}.{name}");
                let mine = own.get(section).and_then(|s| s.get(name)).is_some();
                if mine {
                    return; // this pack's own definition wins
                }
                match target.get(name) {
                    Some(existing) if existing != value => me.diag(
                        &ip,
                        format!("{key} comes from {} and from {} with different definitions; define it in this pack to choose", from.get(&key).cloned().unwrap_or_default(), imp.pack),
                    ),
                    Some(_) => {}
                    None => {
                        target[name] = value.clone();
                        from.insert(key, imp.pack.clone());
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
                        merge(section, name, v, &mut target, self);
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
                            Some(existing) if existing != v => self.diag(&ip, format!("measures.{coll}.{name} comes from two imports with different definitions")),
                            Some(_) => {}
                            None => target[name] = v.clone(),
                        }
                    }
                    json["measures"][coll] = target;
                }
            }
            if let Some(g) = other.get("groups") {
                match json.get("groups") {
                    None => json["groups"] = g.clone(),
                    Some(mine) if mine != g => self.diag(
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
                    self.diag(
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
                    self.diag(
                        &op,
                        format!("indicator '{id}' is already defined (here or by another import)"),
                    );
                    continue;
                }
                let mut ind = ind.clone();
                if let Json::Object(o) = overrides {
                    for (k, v) in o {
                        if !["scoring", "target", "not_applicable", "title", "rounding"]
                            .contains(&k.as_str())
                        {
                            self.diag(&op.key(k), format!("an import may override scoring, target, not_applicable, title or rounding, not '{k}'"));
                            continue;
                        }
                        ind.insert(k.clone(), v.clone());
                    }
                } else if !overrides.is_null() {
                    self.diag(
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

    /// Loads and checks the working-day calendars.
    fn load_calendars(
        &mut self,
        names: &[String],
        p: &JsonPath,
        dir: Option<&std::path::Path>,
        hasher: &mut sha2::Sha256,
    ) {
        let Some(dir) = dir else {
            self.diag(
                p,
                "calendars need a pack folder: load the pack with Plan::load(dir)".into(),
            );
            return;
        };
        let mut cal = crate::calendar::Calendar::default();
        let mut ok = true;
        for (i, name) in names.iter().enumerate() {
            let cp = p.index(i);
            let path = if name.ends_with(".json") {
                if !is_inside_pack(name) {
                    self.diag(&cp, format!("'{name}' must be a path inside the pack folder, or a calendar name such as cn-2025"));
                    ok = false;
                    continue;
                }
                dir.join(name)
            } else if is_simple_name(name) {
                dir.join("..")
                    .join("calendars")
                    .join(format!("{name}.json"))
            } else {
                self.diag(
                    &cp,
                    format!(
                        "'{name}' is neither a calendar name (letters, digits, -) nor a .json path"
                    ),
                );
                ok = false;
                continue;
            };
            let Some(text) = self.read_into_digest(&cp, "calendar ", name, &path, hasher) else {
                ok = false;
                continue;
            };
            if let Err(problems) = cal.add_file(&text) {
                ok = false;
                for m in problems {
                    self.diag(&cp, format!("calendar {}: {m}", path.display()));
                }
            }
        }
        if ok {
            self.calendar = Some(Arc::new(cal));
        }
    }

    /// Compiles the script files and binds the declared functions.
    fn load_scripts(
        &mut self,
        s: &ScriptsSpec,
        p: &JsonPath,
        dir: Option<&std::path::Path>,
        hasher: &mut sha2::Sha256,
    ) {
        let limits = s.limits.unwrap_or_default();
        for (name, cap) in limits.over_caps() {
            self.diag(
                &p.key("limits").key(name),
                format!("scripts.limits.{name} must be from 1 to {cap}"),
            );
        }
        let engine = Arc::new(crate::script::engine(&limits, self.calendar.clone()));
        let Some(dir) = dir else {
            self.diag(
                p,
                "scripts need a pack folder: load the pack with Plan::load(dir)".into(),
            );
            return;
        };
        let mut merged: Option<rhai::AST> = None;
        let mut all_read = true;
        let mut defined: HashMap<(String, usize), String> = HashMap::new();
        for (i, f) in s.files.iter().enumerate() {
            let fp = p.key("files").index(i);
            if !is_inside_pack(f) {
                self.diag(&fp, format!("'{f}' must be a path inside the pack folder"));
                continue;
            }
            let path = dir.join(f);
            let Some(text) = self.read_into_digest(&fp, "", f, &path, hasher) else {
                all_read = false;
                continue;
            };
            match crate::script::compile_file(&engine, &text) {
                Ok(ast) => {
                    for meta in ast.iter_functions() {
                        let key = (meta.name.to_string(), meta.params.len());
                        if let Some(other) = defined.insert(key.clone(), f.clone()) {
                            self.diag(
                                &fp,
                                format!(
                                    "function {}({} parameters) is defined in {other} and in {f}",
                                    key.0, key.1
                                ),
                            );
                        }
                    }
                    merged = Some(match merged {
                        None => ast,
                        Some(m) => m.merge(&ast),
                    });
                }
                Err((line, col, message)) => {
                    all_read = false;
                    self.diags.borrow_mut().push(Diagnostic {
                        file: path.display().to_string(),
                        line,
                        col,
                        path: fp.to_string(),
                        message: format!(
                            "script does not compile: {}",
                            crate::script::script_limit_named(
                                &message,
                                &s.limits.unwrap_or_default()
                            )
                        ),
                    })
                }
            }
        }
        let ast = Arc::new(merged.unwrap_or_default());
        for (name, fs) in &s.functions {
            let fp = p.key("functions").key(name);
            if crate::expr::compile::BUILTINS.contains(&name.as_str()) {
                self.diag(
                    &fp,
                    format!(
                        "'{name}' is a built-in function; give the script function another name"
                    ),
                );
                continue;
            }
            let mut params = Vec::new();
            for (i, t) in fs.params.iter().enumerate() {
                match script_ty(t, true) {
                    Some(ty) => params.push(ty),
                    None => self.diag(
                        &fp.key("params").index(i),
                        format!("unknown parameter type '{t}' (number, string, bool, date, list)"),
                    ),
                }
            }
            let Some(returns) = script_ty(&fs.returns, false) else {
                self.diag(
                    &fp.key("returns"),
                    format!(
                        "unknown result type '{}' (number, string, bool, date)",
                        fs.returns
                    ),
                );
                continue;
            };
            let Some(file) = defined.get(&(name.clone(), fs.params.len())) else {
                if !all_read {
                    continue; // the file that would define it is reported already
                }
                let files = s.files.join(", ");
                self.diag(
                    &fp,
                    format!(
                        "no function {name} with {} parameter(s) in {files}",
                        fs.params.len()
                    ),
                );
                continue;
            };
            let f = crate::script::bind(
                engine.clone(),
                limits,
                self.calendar.clone(),
                ast.clone(),
                name,
                file,
                params,
                returns,
            );
            self.scripts.insert(name.clone(), Arc::new(f));
        }
    }

    fn diag(&self, path: &JsonPath, message: String) {
        let (line, col) = line_col(self.src, locate(self.src, path));
        self.diags.borrow_mut().push(Diagnostic {
            file: self.file.to_string(),
            line,
            col,
            path: path.to_string(),
            message,
        });
    }

    fn expr_diag(&self, path: &JsonPath, e: &ExprError) {
        let off = locate(self.src, path);
        let (line, mut col) = line_col(self.src, off);
        if self.src.as_bytes().get(off) == Some(&b'"') {
            col += 1 + e.pos;
        }
        self.diags.borrow_mut().push(Diagnostic {
            file: self.file.to_string(),
            line,
            col,
            path: path.to_string(),
            message: e.message.clone(),
        });
    }

    fn entry<T: DeserializeOwned>(&self, v: &Json, path: &JsonPath) -> Option<T> {
        match serde_path_to_error::deserialize::<_, T>(v.clone()) {
            Ok(t) => Some(t),
            Err(e) => {
                let p = path.join_serde(e.path());
                self.diag(&p, e.inner().to_string());
                None
            }
        }
    }

    fn expr(
        &self,
        src: &str,
        path: &JsonPath,
        base: Option<CollId>,
        vars: &[(&str, Ty)],
        want: Option<&Ty>,
    ) -> Option<Expr> {
        let env = Env {
            names: self,
            base,
            vars,
        };
        match compile_expr(src, &env, want) {
            Ok(e) => Some(e),
            Err(e) => {
                self.expr_diag(path, &e);
                None
            }
        }
    }

    fn coll_id(&self, name: &str) -> Option<CollId> {
        self.colls
            .iter()
            .position(|c| c.name == name)
            .map(|i| i as CollId)
    }

    fn coll_names(&self) -> String {
        let v: Vec<&str> = self.colls.iter().map(|c| c.name.as_str()).collect();
        v.join(", ")
    }

    fn build(&mut self, spec: PackSpec) -> Option<Plan> {
        let root = JsonPath::root();
        let period = spec
            .period
            .as_ref()
            .and_then(|p| self.period(p, &root.key("period")));
        let rounding = spec.rounding.unwrap_or(RoundingSpec {
            digits: 1,
            mode: RoundingMode::HalfUp,
        });
        self.check_rounding(&rounding, &root.key("rounding"));

        // Collections: names first (fields may reference any collection), then fields.
        let cpath = root.key("collections");
        if spec.collections.is_empty() {
            self.diag(&cpath, "a pack needs at least one collection".into());
        }
        for name in spec.collections.keys() {
            self.colls.push(Collection {
                name: name.clone(),
                fields: Vec::new(),
                field_index: HashMap::new(),
                key_slot: 0,
                date_slot: None,
                jurisdiction: None,
                include: None,
                extra_fields: ExtraFields::Reject,
                measures: Vec::new(),
            });
        }
        let mut coll_specs = Vec::new();
        for (i, (name, v)) in spec.collections.iter().enumerate() {
            let p = cpath.key(name);
            let cs = self.entry::<CollectionSpec>(v, &p);
            if let Some(cs) = &cs {
                self.collection_fields(i, cs, &p);
            }
            coll_specs.push(cs);
        }

        let groups = spec
            .groups
            .as_ref()
            .and_then(|g| self.groups(g, &root.key("groups")));
        self.groups_coll = groups.as_ref().map(|g| g.coll);

        // Jurisdiction paths and date fields; include filters (fields only).
        for (i, cs) in coll_specs.iter().enumerate() {
            let Some(cs) = cs else { continue };
            let p = cpath.key(&self.colls[i].name.clone());
            if let Some(d) = &cs.date {
                match self.colls[i].field_index.get(d) {
                    Some(&s) if self.colls[i].fields[s as usize].kind == FieldKind::Date => {
                        self.colls[i].date_slot = Some(s)
                    }
                    Some(_) => self.diag(&p.key("date"), format!("field '{d}' is not a date")),
                    None => self.diag(&p.key("date"), format!("no field '{d}' in this collection")),
                }
            }
            if let Some(j) = &cs.jurisdiction {
                self.colls[i].jurisdiction =
                    self.jurisdiction_path(i as CollId, j, &groups, &p.key("jurisdiction"));
            }
            self.colls[i].extra_fields = cs.extra_fields.unwrap_or_default();
        }
        self.measures_visible.set(false);
        for (i, cs) in coll_specs.iter().enumerate() {
            let Some(Some(inc)) = cs.as_ref().map(|c| c.include.as_ref()) else {
                continue;
            };
            let p = cpath.key(&self.colls[i].name.clone()).key("include");
            self.colls[i].include =
                self.expr(inc, &p, Some(i as CollId), &record_vars(), Some(&Ty::Bool));
        }
        self.measures_visible.set(true);

        // Measures: register every name, then compile (on demand, so in dependency order).
        let mpath = root.key("measures");
        for (cname, ms) in &spec.measures {
            let Some(cid) = self.coll_id(cname) else {
                self.diag(
                    &mpath.key(cname),
                    format!(
                        "no collection '{cname}' (collections: {})",
                        self.coll_names()
                    ),
                );
                continue;
            };
            for (mname, v) in ms {
                let p = mpath.key(cname).key(mname);
                if self.colls[cid as usize].field_index.contains_key(mname) {
                    self.diag(
                        &p,
                        format!("measure '{mname}' has the name of a field of {cname}"),
                    );
                }
                if RESERVED_NAMES.contains(&mname.as_str()) {
                    self.diag(&p, format!("'{mname}' is a reserved variable name"));
                }
                let spec = self.entry::<MeasureSpec>(v, &p);
                self.colls[cid as usize]
                    .measures
                    .push(self.measure_slots.len() as MeasureId);
                self.measure_slots.push(MeasureSlot {
                    coll: cid,
                    name: mname.clone(),
                    path: p,
                    spec,
                });
            }
        }
        *self.measure_state.borrow_mut() = vec![State::Pending; self.measure_slots.len()];
        *self.measure_kinds.borrow_mut() = (0..self.measure_slots.len()).map(|_| None).collect();

        let tpath = root.key("tables");
        for (name, v) in &spec.tables {
            let p = tpath.key(name);
            let spec = self.entry::<TableSpec>(v, &p);
            self.table_slots.push(TableSlot {
                name: name.clone(),
                path: p,
                spec,
            });
        }
        *self.table_state.borrow_mut() = vec![State::Pending; self.table_slots.len()];
        *self.tables.borrow_mut() = (0..self.table_slots.len()).map(|_| None).collect();

        for id in 0..self.measure_slots.len() {
            if matches!(self.measure_state.borrow()[id], State::Pending) {
                self.compile_measure(id);
            }
        }
        for t in 0..self.table_slots.len() {
            self.ensure_table(t);
        }

        let ipath = root.key("indicators");
        let mut indicators = Vec::new();
        // changes compare other indicators, so they come after them
        let mut changes = Vec::new();
        for (id, v) in &spec.indicators {
            let p = ipath.key(id);
            if let Some(is) = self.entry::<IndicatorSpec>(v, &p) {
                if is.kind == "change" {
                    changes.push((id, is, p));
                } else if let Some(ind) = self.indicator(id, is, &p, rounding, &[]) {
                    indicators.push(ind);
                }
            }
        }
        for (id, is, p) in changes {
            if let Some(ind) = self.indicator(id, is, &p, rounding, &indicators) {
                indicators.push(ind);
            }
        }

        let scorecard = spec.scorecard.as_ref().and_then(|v| {
            let p = root.key("scorecard");
            let s = self.entry::<ScorecardSpec>(v, &p)?;
            self.scorecard(s, &p, &spec.indicators, &indicators, rounding)
        });

        if !self.diags.borrow().is_empty() {
            return None;
        }
        let kinds = std::mem::take(&mut *self.measure_kinds.borrow_mut());
        let states = std::mem::take(&mut *self.measure_state.borrow_mut());
        let mut measures = Vec::new();
        for ((slot, kind), state) in self.measure_slots.iter().zip(kinds).zip(states) {
            let (Some(kind), State::Done(ty)) = (kind, state) else {
                return None;
            };
            measures.push(Measure {
                coll: slot.coll,
                name: slot.name.clone(),
                ty,
                kind,
                report: slot.spec.as_ref().and_then(|s| s.report).unwrap_or(true),
            });
        }
        let tables: Option<Vec<Table>> = std::mem::take(&mut *self.tables.borrow_mut())
            .into_iter()
            .collect();
        let script_stack = spec
            .scripts
            .as_ref()
            .map_or(0, |s| s.limits.unwrap_or_default().stack_need());
        Some(Plan {
            meta: PackMeta {
                name: spec.name,
                version: spec.version,
                title: spec.title,
                digest: String::new(),
            },
            period,
            collections: std::mem::take(&mut self.colls),
            items: std::mem::take(&mut self.items),
            measures,
            measure_order: std::mem::take(&mut *self.measure_order.borrow_mut()),
            tables: tables?,
            indicators,
            scorecard,
            groups,
            evidence_cap: spec.evidence_cap.unwrap_or(20),
            rounding,
            script_stack,
        })
    }

    fn check_rounding(&self, r: &RoundingSpec, path: &JsonPath) {
        if r.digits > crate::num::MAX_DIGITS {
            self.diag(
                &path.key("digits"),
                format!(
                    "rounding.digits must be 0–{}, found {}",
                    crate::num::MAX_DIGITS,
                    r.digits
                ),
            );
        }
    }

    fn period(&self, p: &PeriodSpec, path: &JsonPath) -> Option<Period> {
        let d = |s: &str, k: &str| {
            let r = parse_date(s);
            if r.is_none() {
                self.diag(&path.key(k), format!("'{s}' is not a date YYYY-MM-DD"));
            }
            r
        };
        let from = d(&p.from, "from");
        let to = d(&p.to, "to");
        let as_of = match &p.as_of {
            Some(s) => d(s, "as_of"),
            None => to,
        };
        let (from, to, as_of) = (from?, to?, as_of?);
        if from > to {
            self.diag(
                path,
                format!("the period ends ({to}) before it starts ({from})"),
            );
            return None;
        }
        Some(Period { from, to, as_of })
    }

    fn field_kind(&mut self, f: &FieldDetail, path: &JsonPath, in_item: bool) -> Option<FieldKind> {
        if let Some(r) = &f.reference {
            if in_item {
                self.diag(path, "list items cannot hold references".into());
                return None;
            }
            if f.ty.as_deref().is_some_and(|t| t != "string") {
                self.diag(
                    &path.key("type"),
                    "a reference holds a key: its type is string (or leave type out)".into(),
                );
            }
            return match self.coll_id(r) {
                Some(c) => Some(FieldKind::Ref(c)),
                None => {
                    self.diag(
                        &path.key("ref"),
                        format!("no collection '{r}' (collections: {})", self.coll_names()),
                    );
                    None
                }
            };
        }
        let Some(ty) = &f.ty else {
            self.diag(path, "a field needs a type (or a ref)".into());
            return None;
        };
        if ty != "enum" && f.values.is_some() {
            self.diag(&path.key("values"), "values are for type enum".into());
        }
        if ty != "list" && f.items.is_some() {
            self.diag(&path.key("items"), "items are for type list".into());
        }
        Some(match ty.as_str() {
            "string" => FieldKind::Str,
            "number" => FieldKind::Num,
            "integer" => FieldKind::Int,
            "bool" => FieldKind::Bool,
            "date" => FieldKind::Date,
            "enum" => match &f.values {
                Some(v) if !v.is_empty() => {
                    FieldKind::Enum(v.iter().map(|s| Arc::from(s.as_str())).collect())
                }
                _ => {
                    self.diag(path, "an enum needs a non-empty list of values".into());
                    return None;
                }
            },
            "list" => {
                let Some(items) = &f.items else {
                    self.diag(
                        path,
                        "a list needs items: the fields of its elements".into(),
                    );
                    return None;
                };
                let mut fields = Vec::new();
                for (n, fs) in items {
                    let p = path.key("items").key(n);
                    if let Some(kind) = self.field_kind(&fs.0, &p, true) {
                        fields.push(Field {
                            name: n.clone(),
                            kind,
                            optional: fs.0.optional,
                        });
                    }
                }
                self.items.push(ItemShape { fields });
                FieldKind::List((self.items.len() - 1) as ItemId)
            }
            other => {
                self.diag(
                    &path.key("type"),
                    format!(
                        "unknown type '{other}' (string, number, integer, bool, date, enum, list)"
                    ),
                );
                return None;
            }
        })
    }

    fn collection_fields(&mut self, i: usize, cs: &CollectionSpec, p: &JsonPath) {
        let mut fields = Vec::new();
        for (n, fs) in &cs.fields {
            let fp = p.key("fields").key(n);
            if RESERVED_NAMES.contains(&n.as_str()) {
                self.diag(&fp, format!("'{n}' is the name of a variable expressions see; the field would be hidden by it: rename the field"));
            }
            if let Some(kind) = self.field_kind(&fs.0, &fp, false) {
                fields.push(Field {
                    name: n.clone(),
                    kind,
                    optional: fs.0.optional,
                });
            }
        }
        let key = cs.key.clone().unwrap_or_else(|| "id".into());
        match fields.iter().position(|f| f.name == key) {
            Some(k) => {
                if fields[k].kind != FieldKind::Str || fields[k].optional {
                    self.diag(
                        &p.key("fields").key(&key),
                        "the key field must be a required string".into(),
                    );
                }
            }
            None => fields.push(Field {
                name: key.clone(),
                kind: FieldKind::Str,
                optional: false,
            }),
        }
        let c = &mut self.colls[i];
        c.key_slot = fields.iter().position(|f| f.name == key).unwrap_or(0) as u16;
        c.field_index = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.clone(), i as u16))
            .collect();
        c.fields = fields;
    }

    fn groups(&self, g: &GroupsSpec, p: &JsonPath) -> Option<Groups> {
        let Some(coll) = self.coll_id(&g.collection) else {
            self.diag(
                &p.key("collection"),
                format!(
                    "no collection '{}' (collections: {})",
                    g.collection,
                    self.coll_names()
                ),
            );
            return None;
        };
        let c = &self.colls[coll as usize];
        let parent = g.parent.as_ref().and_then(|f| match c.field_index.get(f) {
            Some(&s)
                if c.fields[s as usize].kind == FieldKind::Ref(coll)
                    && c.fields[s as usize].optional =>
            {
                Some(s)
            }
            Some(_) => {
                self.diag(
                    &p.key("parent"),
                    format!("field '{f}' must be an optional reference to {}", c.name),
                );
                None
            }
            None => {
                self.diag(&p.key("parent"), format!("no field '{f}' in {}", c.name));
                None
            }
        });
        let name = g.name.as_ref().and_then(|f| match c.field_index.get(f) {
            Some(&s)
                if matches!(
                    c.fields[s as usize].kind,
                    FieldKind::Str | FieldKind::Enum(_)
                ) =>
            {
                Some(s)
            }
            Some(_) => {
                self.diag(&p.key("name"), format!("field '{f}' must be a string"));
                None
            }
            None => {
                self.diag(&p.key("name"), format!("no field '{f}' in {}", c.name));
                None
            }
        });
        Some(Groups { coll, parent, name })
    }

    fn jurisdiction_path(
        &self,
        coll: CollId,
        path: &str,
        groups: &Option<Groups>,
        p: &JsonPath,
    ) -> Option<Vec<(CollId, u16)>> {
        let Some(g) = groups else {
            self.diag(
                p,
                "a jurisdiction needs the pack's groups (the jurisdiction collection)".into(),
            );
            return None;
        };
        let mut hops = Vec::new();
        let mut cur = coll;
        for seg in path.split('.') {
            let c = &self.colls[cur as usize];
            match c
                .field_index
                .get(seg)
                .map(|s| (*s, &c.fields[*s as usize].kind))
            {
                Some((s, FieldKind::Ref(t))) => {
                    hops.push((cur, s));
                    cur = *t;
                }
                Some(_) => {
                    self.diag(p, format!("'{seg}' in {} is not a reference", c.name));
                    return None;
                }
                None => {
                    self.diag(p, format!("no field '{seg}' in {}", c.name));
                    return None;
                }
            }
        }
        if cur != g.coll {
            self.diag(
                p,
                format!(
                    "'{path}' leads to {}, not to the groups collection {}",
                    self.colls[cur as usize].name, self.colls[g.coll as usize].name
                ),
            );
            return None;
        }
        Some(hops)
    }

    fn window(&self, v: &Json, p: &JsonPath) -> Option<Window> {
        let bad = || {
            self.diag(p, format!("a window is \"all\", \"period\", {{\"months\": N}} or {{\"days\": N}}, found {}", describe(v)));
            None
        };
        match v {
            Json::String(s) if s == "all" => Some(Window::All),
            Json::String(s) if s == "period" => Some(Window::Period),
            Json::Object(m) if m.len() == 1 => {
                let (k, n) = m.iter().next()?;
                let n = n
                    .as_number()
                    .and_then(|n| n.as_str().parse::<u32>().ok())
                    .filter(|n| *n > 0 && *n <= 1200);
                match (k.as_str(), n) {
                    ("months", Some(n)) => Some(Window::Months(n)),
                    ("days", Some(n)) if n <= 36600 => Some(Window::Days(n)),
                    _ => bad(),
                }
            }
            _ => bad(),
        }
    }

    fn compile_measure(&self, id: usize) {
        self.measure_state.borrow_mut()[id] = State::InProgress;
        let result = self.measure_body(id);
        let mut st = self.measure_state.borrow_mut();
        match result {
            Some((kind, ty)) => {
                st[id] = State::Done(ty);
                self.measure_kinds.borrow_mut()[id] = Some(kind);
                self.measure_order.borrow_mut().push(id as MeasureId);
            }
            None => st[id] = State::Failed,
        }
    }

    fn measure_body(&self, id: usize) -> Option<(MeasureKind, Ty)> {
        let slot = &self.measure_slots[id];
        let spec = slot.spec.as_ref()?;
        let p = &slot.path;
        let coll = slot.coll;
        let given = [
            spec.expr.is_some(),
            spec.aggregate.is_some(),
            spec.table.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            self.diag(
                p,
                "a measure needs exactly one of expr, aggregate or table".into(),
            );
            return None;
        }
        let kind = if spec.expr.is_some() {
            "expr"
        } else if spec.table.is_some() {
            "table"
        } else {
            "aggregate"
        };
        for (present, name, applies) in [
            (spec.over.is_some(), "over", "aggregate"),
            (spec.via.is_some(), "via", "aggregate"),
            (spec.filter.is_some(), "where", "aggregate"),
            (spec.value.is_some(), "value", "aggregate"),
            (spec.window.is_some(), "window", "aggregate"),
            (spec.matching.is_some(), "match", "aggregate"),
            (spec.per.is_some(), "per", "aggregate"),
            (spec.output.is_some(), "output", "table"),
        ] {
            if present && kind != applies {
                self.diag(
                    &p.key(name),
                    format!("'{name}' applies to {applies} measures, not to {kind} measures"),
                );
            }
        }
        if let Some(src) = &spec.expr {
            let e = self.expr(src, &p.key("expr"), Some(coll), &record_vars(), None)?;
            let ty = e.ty.clone();
            return Some((MeasureKind::Expr(e), ty));
        }
        if let Some(tname) = &spec.table {
            let Some(t) = self.table_slots.iter().position(|t| &t.name == tname) else {
                self.diag(&p.key("table"), format!("no table '{tname}'"));
                return None;
            };
            if matches!(self.table_state.borrow()[t], State::InProgress) {
                self.diag(
                    &p.key("table"),
                    format!("table '{tname}' depends on this measure (a cycle)"),
                );
                return None;
            }
            self.ensure_table(t);
            let tables = self.tables.borrow();
            let table = tables[t].as_ref()?;
            if table.on != Some(coll) {
                self.diag(
                    &p.key("table"),
                    format!(
                        "table '{tname}' is on {}, not on {}",
                        table
                            .on
                            .map(|c| self.coll_name(c))
                            .unwrap_or("scorecard".into()),
                        self.coll_name(coll)
                    ),
                );
                return None;
            }
            let out = match &spec.output {
                Some(o) => table.outputs.iter().position(|(n, _)| n == o).or_else(|| {
                    self.diag(
                        &p.key("output"),
                        format!("table '{tname}' has no output '{o}'"),
                    );
                    None
                })?,
                None if table.outputs.len() == 1 => 0,
                None => {
                    self.diag(
                        p,
                        format!("table '{tname}' has several outputs: name one with \"output\""),
                    );
                    return None;
                }
            };
            let ty = table.outputs[out].1.clone();
            return Some((
                MeasureKind::Table {
                    table: t,
                    output: out,
                },
                ty,
            ));
        }
        // aggregate
        let agg_name = spec.aggregate.as_deref().unwrap_or_default();
        let agg = match agg_name {
            "count" => Agg::Count,
            "sum" => Agg::Sum,
            "mean" => Agg::Mean,
            "min" => Agg::Min,
            "max" => Agg::Max,
            "latest" => Agg::Latest,
            "list" => Agg::List,
            other => {
                self.diag(
                    &p.key("aggregate"),
                    format!(
                        "unknown aggregate '{other}' (count, sum, mean, min, max, latest, list)"
                    ),
                );
                return None;
            }
        };
        let Some(over_name) = &spec.over else {
            self.diag(
                p,
                "an aggregate needs \"over\": the related collection".into(),
            );
            return None;
        };
        let Some(over) = self.coll_id(over_name) else {
            self.diag(
                &p.key("over"),
                format!(
                    "no collection '{over_name}' (collections: {})",
                    self.coll_names()
                ),
            );
            return None;
        };
        // related records point at this record, or (with "match") at what this record's
        // reference field points at
        let (target, key) = match &spec.matching {
            None => (coll, None),
            Some(m) => {
                let c = &self.colls[coll as usize];
                match c
                    .field_index
                    .get(m)
                    .map(|s| (*s, &c.fields[*s as usize].kind))
                {
                    Some((s, FieldKind::Ref(t))) => (*t, Some(s)),
                    _ => {
                        self.diag(
                            &p.key("match"),
                            format!("'{m}' is not a reference field of {}", c.name),
                        );
                        return None;
                    }
                }
            }
        };
        let oc = &self.colls[over as usize];
        let refs: Vec<&str> = oc
            .fields
            .iter()
            .filter(|f| f.kind == FieldKind::Ref(target))
            .map(|f| f.name.as_str())
            .collect();
        let via = match &spec.via {
            Some(v) => match oc.field_index.get(v) {
                Some(&s) if oc.fields[s as usize].kind == FieldKind::Ref(target) => s,
                _ => {
                    self.diag(&p.key("via"), format!("'{v}' is not a field of {over_name} that references {} (such fields: {})", self.coll_name(target), refs.join(", ")));
                    return None;
                }
            },
            None if refs.len() == 1 => oc.field_index[refs[0]],
            None => {
                self.diag(p, format!("name the field of {over_name} that references {} with \"via\" (candidates: {})", self.coll_name(target), refs.join(", ")));
                return None;
            }
        };
        let window = match &spec.window {
            Some(w) => self.window(w, &p.key("window"))?,
            None => Window::All,
        };
        let per = match &spec.per {
            None => None,
            Some(v) => {
                if spec.window.is_some() {
                    self.diag(
                        &p.key("window"),
                        "per divides the period into windows; it takes no other window".into(),
                    );
                }
                Some(self.per(v, &p.key("per"))?)
            }
        };
        if (window != Window::All || agg == Agg::Latest || per.is_some()) && oc.date_slot.is_none()
        {
            self.diag(p, format!("{over_name} has no date field (\"date\" in its collection), which this window or latest needs"));
            return None;
        }
        let filter = match &spec.filter {
            Some(w) => Some(self.expr(
                w,
                &p.key("where"),
                Some(over),
                &aggregate_vars(coll),
                Some(&Ty::Bool),
            )?),
            None => None,
        };
        let value = match (&spec.value, agg) {
            (Some(_), Agg::Count) => {
                self.diag(&p.key("value"), "count takes no value".into());
                return None;
            }
            (None, Agg::Count) => None,
            (None, _) => {
                self.diag(
                    p,
                    format!("{agg_name} needs a \"value\" for each related record"),
                );
                return None;
            }
            (Some(v), _) => {
                Some(self.expr(v, &p.key("value"), Some(over), &aggregate_vars(coll), None)?)
            }
        };
        let ty = match (agg, &value) {
            (Agg::Count, _) => Ty::Num,
            (Agg::List, Some(v)) => Ty::List(Box::new(v.ty.clone())),
            (_, Some(v)) => {
                let ok = match agg {
                    Agg::Sum | Agg::Mean => v.ty == Ty::Num || v.ty == Ty::Any,
                    Agg::Min | Agg::Max => matches!(v.ty, Ty::Num | Ty::Date | Ty::Str | Ty::Any),
                    _ => true,
                };
                if !ok {
                    self.diag(
                        &p.key("value"),
                        format!(
                            "{agg_name} needs a number (min and max: also dates), found {}",
                            self.ty_name(&v.ty)
                        ),
                    );
                    return None;
                }
                v.ty.clone()
            }
            _ => return None,
        };
        let ty = if per.is_some() {
            Ty::List(Box::new(ty))
        } else {
            ty
        };
        Some((
            MeasureKind::Aggregate {
                agg,
                over,
                via,
                key,
                filter,
                value,
                window,
                per,
            },
            ty,
        ))
    }

    /// Parses `per`: a calendar period name, or a collection of terms.
    fn per(&self, v: &Json, p: &JsonPath) -> Option<Per> {
        let months = match v {
            Json::String(s) => match s.as_str() {
                "month" => Some(1),
                "two_months" => Some(2),
                "quarter" => Some(3),
                "half" => Some(6),
                "year" => Some(12),
                _ => None,
            },
            _ => None,
        };
        if let Some(m) = months {
            return Some(Per::Months(m));
        }
        if v.as_str() == Some("week") {
            return Some(Per::Weeks);
        }
        if let Json::Object(o) = v {
            let get = |k: &str| o.get(k).and_then(|x| x.as_str());
            if let (Some(c), Some(from), Some(to), 3) =
                (get("collection"), get("from"), get("to"), o.len())
            {
                let Some(coll) = self.coll_id(c) else {
                    self.diag(
                        &p.key("collection"),
                        format!("no collection '{c}' (collections: {})", self.coll_names()),
                    );
                    return None;
                };
                let cs = &self.colls[coll as usize];
                let date_field = |f: &str, k: &str| match cs.field_index.get(f) {
                    Some(&s) if cs.fields[s as usize].kind == FieldKind::Date => Some(s),
                    _ => {
                        self.diag(&p.key(k), format!("'{f}' is not a date field of {c}"));
                        None
                    }
                };
                let (a, b) = (date_field(from, "from"), date_field(to, "to"));
                return Some(Per::Terms {
                    coll,
                    from: a?,
                    to: b?,
                });
            }
        }
        self.diag(
            p,
            format!("per is \"week\", \"month\", \"two_months\", \"quarter\", \"half\", \"year\" or {{\"collection\", \"from\", \"to\"}} (e.g. school terms), found {}", describe(v)),
        );
        None
    }

    fn ensure_table(&self, t: usize) {
        if !matches!(self.table_state.borrow()[t], State::Pending) {
            return;
        }
        self.table_state.borrow_mut()[t] = State::InProgress;
        let table = self.table_body(t);
        let ok = table.is_some();
        self.tables.borrow_mut()[t] = table;
        self.table_state.borrow_mut()[t] = if ok {
            State::Done(Ty::Any)
        } else {
            State::Failed
        };
    }

    fn literal(&self, v: &Json, p: &JsonPath) -> Option<(Value, Ty)> {
        Some(match v {
            Json::String(s) => (Value::str(s), Ty::Str),
            Json::Bool(b) => (Value::Bool(*b), Ty::Bool),
            Json::Number(n) => match crate::num::Number::parse(n.as_str()) {
                Ok(x) => (Value::from(x), Ty::Num),
                Err(e) => {
                    self.diag(p, e);
                    return None;
                }
            },
            Json::Null => (Value::None, Ty::Any),
            other => {
                self.diag(
                    p,
                    format!(
                        "an output is a string, number, bool or null, found {}",
                        describe(other)
                    ),
                );
                return None;
            }
        })
    }

    /// Output values in the order of `outputs`, checking names and types.
    fn outputs(
        &self,
        then: &BTreeMap<String, Json>,
        p: &JsonPath,
        outputs: &mut Vec<(String, Ty)>,
    ) -> Option<Vec<Value>> {
        if outputs.is_empty() {
            if then.is_empty() {
                self.diag(p, "a table needs at least one output".into());
                return None;
            }
            for k in then.keys() {
                outputs.push((k.clone(), Ty::Any));
            }
        }
        let names: BTreeSet<&String> = outputs.iter().map(|(n, _)| n).collect();
        let have: BTreeSet<&String> = then.keys().collect();
        if names != have {
            let want: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
            self.diag(
                p,
                format!("every row gives the same outputs: {}", want.join(", ")),
            );
            return None;
        }
        let mut vals = Vec::new();
        for (name, ty) in outputs.iter_mut() {
            let (v, t) = self.literal(&then[name.as_str()], &p.key(name))?;
            if !matches!(t, Ty::Any) {
                if *ty == Ty::Any {
                    *ty = t;
                } else if *ty != t {
                    self.diag(
                        &p.key(name),
                        format!(
                            "output '{name}' is {} elsewhere, here {}",
                            self.ty_name(ty),
                            self.ty_name(&t)
                        ),
                    );
                    return None;
                }
            }
            vals.push(v);
        }
        Some(vals)
    }

    fn table_body(&self, t: usize) -> Option<Table> {
        let slot = &self.table_slots[t];
        let spec = slot.spec.as_ref()?;
        let p = &slot.path;
        let on = if spec.on == "scorecard" {
            None
        } else {
            match self.coll_id(&spec.on) {
                Some(c) => Some(c),
                None => {
                    self.diag(
                        &p.key("on"),
                        format!(
                            "no collection '{}' (collections: {}, or scorecard)",
                            spec.on,
                            self.coll_names()
                        ),
                    );
                    return None;
                }
            }
        };
        let vars = if on.is_some() {
            record_vars()
        } else {
            scorecard_vars()
        };
        let mut outputs: Vec<(String, Ty)> = Vec::new();
        let mut ok = true;
        let body = match (&spec.rows, &spec.bands) {
            (Some(rows), None) => {
                if spec.input.is_some() {
                    self.diag(&p.key("input"), "input is for band tables".into());
                }
                let mut out = Vec::new();
                for (i, r) in rows.iter().enumerate() {
                    let rp = p.key("rows").index(i);
                    let when = self.expr(&r.when, &rp.key("when"), on, &vars, Some(&Ty::Bool));
                    let then = self.outputs(&r.then, &rp.key("then"), &mut outputs);
                    match (when, then) {
                        (Some(when), Some(then)) => out.push(Row {
                            when,
                            then,
                            priority: r.priority.unwrap_or(0),
                            note: r.note.clone(),
                        }),
                        _ => ok = false,
                    }
                }
                if rows.is_empty() {
                    self.diag(
                        &p.key("rows"),
                        "a decision table needs at least one row".into(),
                    );
                    ok = false;
                }
                TableBody::Rows(out)
            }
            (None, Some(bands)) => {
                let Some(input_src) = &spec.input else {
                    self.diag(
                        p,
                        "a band table needs an \"input\": the number it bands".into(),
                    );
                    return None;
                };
                let input = self.expr(input_src, &p.key("input"), on, &vars, Some(&Ty::Num));
                let mut out: Vec<(usize, Band)> = Vec::new();
                for (i, b) in bands.iter().enumerate() {
                    let bp = p.key("bands").index(i);
                    let then = self.outputs(&b.then, &bp.key("then"), &mut outputs);
                    if let (Some(lo), Some(hi)) = (&b.min, &b.below) {
                        if lo >= hi {
                            self.diag(
                                &bp,
                                format!("the band is empty: min {lo} is not below {hi}"),
                            );
                            ok = false;
                        }
                    }
                    match then {
                        Some(then) => out.push((
                            i,
                            Band {
                                min: b.min.clone(),
                                below: b.below.clone(),
                                then,
                            },
                        )),
                        None => ok = false,
                    }
                }
                if bands.is_empty() {
                    self.diag(
                        &p.key("bands"),
                        "a band table needs at least one band".into(),
                    );
                    ok = false;
                }
                out.sort_by(|a, b| match (&a.1.min, &b.1.min) {
                    (None, None) => std::cmp::Ordering::Equal,
                    (None, _) => std::cmp::Ordering::Less,
                    (_, None) => std::cmp::Ordering::Greater,
                    (Some(x), Some(y)) => x.cmp(y),
                });
                for w in out.windows(2) {
                    let ((_, a), (j, b)) = (&w[0], &w[1]);
                    let bp = p.key("bands").index(*j);
                    match (&a.below, &b.min) {
                        (None, _) => {
                            self.diag(&bp, format!("bands overlap: this band starts at {} inside a band with no upper bound", b.min.as_ref().map(|x| x.to_string()).unwrap_or("-∞".into())));
                            ok = false;
                        }
                        (_, None) => {
                            self.diag(&bp, "bands overlap: two bands have no lower bound".into());
                            ok = false;
                        }
                        (Some(hi), Some(lo)) if hi < lo => {
                            self.diag(
                                &bp,
                                format!("gap between bands: nothing covers {hi} up to {lo}"),
                            );
                            ok = false;
                        }
                        (Some(hi), Some(lo)) if hi > lo => {
                            self.diag(
                                &bp,
                                format!("bands overlap: {lo} up to {hi} is in two bands"),
                            );
                            ok = false;
                        }
                        _ => {}
                    }
                }
                if let Some(h) = &spec.hit {
                    if h != "unique" {
                        self.diag(&p.key("hit"), "a band table has exactly one band for every number: its hit policy is unique".into());
                        ok = false;
                    }
                }
                match input {
                    Some(input) => TableBody::Bands {
                        input,
                        bands: out.into_iter().map(|(_, b)| b).collect(),
                    },
                    None => return None,
                }
            }
            _ => {
                self.diag(
                    p,
                    "a table needs either rows (a decision table) or bands (a band table)".into(),
                );
                return None;
            }
        };
        let hit = match (spec.hit.as_deref(), &spec.aggregate) {
            (None | Some("first"), None) => Hit::First,
            (Some("unique"), None) => Hit::Unique,
            (Some("priority"), None) => Hit::Priority,
            (Some("collect"), Some(a)) => match a.as_str() {
                "sum" | "min" | "max" => {
                    for (n, ty) in &outputs {
                        if !matches!(ty, Ty::Num | Ty::Any) {
                            self.diag(
                                &p.key("aggregate"),
                                format!(
                                    "collect {a} needs numeric outputs; '{n}' is {}",
                                    self.ty_name(ty)
                                ),
                            );
                            ok = false;
                        }
                    }
                    Hit::Collect(match a.as_str() {
                        "sum" => CollectAgg::Sum,
                        "min" => CollectAgg::Min,
                        _ => CollectAgg::Max,
                    })
                }
                "count" => Hit::Collect(CollectAgg::Count),
                other => {
                    self.diag(
                        &p.key("aggregate"),
                        format!("unknown collect aggregate '{other}' (sum, min, max, count)"),
                    );
                    return None;
                }
            },
            (Some("collect"), None) => {
                self.diag(
                    p,
                    "hit policy collect needs an \"aggregate\": sum, min, max or count".into(),
                );
                return None;
            }
            (Some(_), Some(_)) | (None, Some(_)) => {
                self.diag(
                    &p.key("aggregate"),
                    "aggregate is for the collect hit policy".into(),
                );
                return None;
            }
            (Some(other), None) => {
                self.diag(
                    &p.key("hit"),
                    format!("unknown hit policy '{other}' (first, unique, priority, collect)"),
                );
                return None;
            }
        };
        let hit = if matches!(body, TableBody::Bands { .. }) {
            Hit::Unique
        } else {
            hit
        };
        let default = match &spec.default {
            Some(d) => Some(self.outputs(d, &p.key("default"), &mut outputs)?),
            None => None,
        };
        if hit == Hit::Collect(CollectAgg::Count) {
            for o in outputs.iter_mut() {
                o.1 = Ty::Num;
            }
        }
        ok.then(|| Table {
            name: slot.name.clone(),
            on,
            outputs,
            hit,
            body,
            default,
        })
    }

    fn indicator(
        &self,
        id: &str,
        s: IndicatorSpec,
        p: &JsonPath,
        rounding: RoundingSpec,
        others: &[Indicator],
    ) -> Option<Indicator> {
        let (coll, filter, kind) = if s.kind == "change" {
            self.change_indicator(&s, p, others)?
        } else {
            self.member_indicator(&s, p)?
        };
        self.indicator_rest(id, s, p, rounding, coll, filter, kind)
    }

    /// A change: the value of one indicator less that of another, per group.
    fn change_indicator(
        &self,
        s: &IndicatorSpec,
        p: &JsonPath,
        others: &[Indicator],
    ) -> Option<(CollId, Option<Expr>, IndicatorKind)> {
        for (present, key) in [
            (s.population.is_some(), "population"),
            (s.numerator.is_some(), "numerator"),
            (s.denominator.is_some(), "denominator"),
            (s.value.is_some(), "value"),
            (s.require.is_some(), "require"),
            (s.of.is_some(), "of"),
            (s.among.is_some(), "in"),
        ] {
            if present {
                self.diag(
                    &p.key(key),
                    format!("'{key}' does not apply to a change indicator"),
                );
            }
        }
        let find = |key: &str, v: &Option<String>| -> Option<usize> {
            let Some(name) = v else {
                self.diag(
                    p,
                    format!("a change indicator needs \"{key}\": an indicator id"),
                );
                return None;
            };
            let found = others.iter().position(|i| &i.id == name);
            if found.is_none() {
                self.diag(&p.key(key), format!("no indicator '{name}' to compare (a change compares two indicators that are not changes)"));
            }
            found
        };
        let (current, baseline) = (find("current", &s.current), find("baseline", &s.baseline));
        let (current, baseline) = (current?, baseline?);
        Some((
            others[current].coll,
            None,
            IndicatorKind::Change { current, baseline },
        ))
    }

    /// An indicator over the members of a population.
    fn member_indicator(
        &self,
        s: &IndicatorSpec,
        p: &JsonPath,
    ) -> Option<(CollId, Option<Expr>, IndicatorKind)> {
        for (present, key) in [
            (s.current.is_some(), "current"),
            (s.baseline.is_some(), "baseline"),
        ] {
            if present {
                self.diag(&p.key(key), format!("'{key}' is for change indicators"));
            }
        }
        let Some(population) = &s.population else {
            self.diag(p, format!("a {} indicator needs a \"population\"", s.kind));
            return None;
        };
        let Some(coll) = self.coll_id(&population.collection) else {
            self.diag(
                &p.key("population").key("collection"),
                format!(
                    "no collection '{}' (collections: {})",
                    population.collection,
                    self.coll_names()
                ),
            );
            return None;
        };
        let vars = record_vars();
        let cond =
            |src: &str, key: &str| self.expr(src, &p.key(key), Some(coll), &vars, Some(&Ty::Bool));
        let number =
            |src: &str, key: &str| self.expr(src, &p.key(key), Some(coll), &vars, Some(&Ty::Num));
        let filter = match &population.filter {
            Some(f) => Some(self.expr(
                f,
                &p.key("population").key("where"),
                Some(coll),
                &vars,
                Some(&Ty::Bool),
            )?),
            None => None,
        };
        let need = |v: &Option<String>, key: &str| -> Option<String> {
            if v.is_none() {
                self.diag(p, format!("a {} indicator needs \"{key}\"", s.kind));
            }
            v.clone()
        };
        let uses: &[&str] = match s.kind.as_str() {
            "rate" => &["numerator"],
            "ratio" => &["numerator", "denominator"],
            "count" => &[],
            "sum" | "mean" => &["value"],
            "each" => &["require"],
            "share" => &["of", "in"],
            "custom" => &["value", "script"],
            "timeliness" => &["due", "submitted"],
            _ => &[],
        };
        for (present, key) in [
            (s.numerator.is_some(), "numerator"),
            (s.denominator.is_some(), "denominator"),
            (s.value.is_some(), "value"),
            (s.require.is_some(), "require"),
            (s.of.is_some(), "of"),
            (s.among.is_some(), "in"),
            (s.script.is_some(), "script"),
            (s.due.is_some(), "due"),
            (s.submitted.is_some(), "submitted"),
        ] {
            if present && !uses.contains(&key) {
                self.diag(
                    &p.key(key),
                    format!("'{key}' does not apply to a {} indicator", s.kind),
                );
            }
        }
        let kind = match s.kind.as_str() {
            "rate" => IndicatorKind::Rate {
                numerator: cond(&need(&s.numerator, "numerator")?, "numerator")?,
            },
            "ratio" => IndicatorKind::Ratio {
                numerator: number(&need(&s.numerator, "numerator")?, "numerator")?,
                denominator: number(&need(&s.denominator, "denominator")?, "denominator")?,
            },
            "count" => IndicatorKind::Count,
            "sum" => IndicatorKind::Sum {
                value: number(&need(&s.value, "value")?, "value")?,
            },
            "mean" => IndicatorKind::Mean {
                value: number(&need(&s.value, "value")?, "value")?,
            },
            "each" => IndicatorKind::Each {
                require: cond(&need(&s.require, "require")?, "require")?,
            },
            "timeliness" => {
                let date = |key: &str, src: &Option<String>| -> Option<Expr> {
                    self.expr(
                        &need(src, key)?,
                        &p.key(key),
                        Some(coll),
                        &vars,
                        Some(&Ty::Date),
                    )
                };
                let (due, submitted) = (date("due", &s.due), date("submitted", &s.submitted));
                IndicatorKind::Timeliness {
                    due: due?,
                    submitted: submitted?,
                    calendar: self.calendar.clone(),
                }
            }
            "custom" => {
                let value = self.expr(
                    &need(&s.value, "value")?,
                    &p.key("value"),
                    Some(coll),
                    &vars,
                    None,
                )?;
                let name = need(&s.script, "script")?;
                let Some(script) = self.scripts.get(&name).cloned() else {
                    self.diag(
                        &p.key("script"),
                        format!("no script function '{name}' (declare it in scripts.functions)"),
                    );
                    return None;
                };
                if script.params.len() != 1
                    || !matches!(script.params[0], Ty::List(_))
                    || script.returns != Ty::Num
                {
                    self.diag(
                        &p.key("script"),
                        format!("'{name}' must take one list and return a number"),
                    );
                    return None;
                }
                IndicatorKind::Custom { value, script }
            }
            "share" => {
                let of = self.expr(&need(&s.of, "of")?, &p.key("of"), Some(coll), &vars, None)?;
                let Some(among) = &s.among else {
                    self.diag(
                        p,
                        "a share indicator needs \"in\": the categories counted".into(),
                    );
                    return None;
                };
                let mut vals = Vec::new();
                for (i, v) in among.iter().enumerate() {
                    let (val, ty) = self.literal(v, &p.key("in").index(i))?;
                    if !ty.clone().eq(&of.ty) && of.ty != Ty::Any {
                        self.diag(
                            &p.key("in").index(i),
                            format!(
                                "'of' gives {}, this is {}",
                                self.ty_name(&of.ty),
                                self.ty_name(&ty)
                            ),
                        );
                        return None;
                    }
                    vals.push(val);
                }
                IndicatorKind::Share { of, among: vals }
            }
            other => {
                self.diag(&p.key("kind"), format!("unknown indicator kind '{other}' (rate, ratio, count, sum, mean, each, share, change, custom, timeliness)"));
                return None;
            }
        };
        Some((coll, filter, kind))
    }

    #[allow(clippy::too_many_arguments)]
    fn indicator_rest(
        &self,
        id: &str,
        s: IndicatorSpec,
        p: &JsonPath,
        rounding: RoundingSpec,
        coll: CollId,
        filter: Option<Expr>,
        kind: IndicatorKind,
    ) -> Option<Indicator> {
        let target = match &s.target {
            None => None,
            Some(t) => match (
                t.min.clone(),
                t.max.clone(),
                t.exactly.clone(),
                t.above.clone(),
                t.below.clone(),
            ) {
                (Some(x), None, None, None, None) => Some(Target::Min(x)),
                (None, Some(x), None, None, None) => Some(Target::Max(x)),
                (None, None, Some(x), None, None) => Some(Target::Exactly(x)),
                (None, None, None, Some(x), None) => Some(Target::Above(x)),
                (None, None, None, None, Some(x)) => Some(Target::Below(x)),
                _ => {
                    self.diag(
                        &p.key("target"),
                        "a target is exactly one of min, max, exactly, above or below".into(),
                    );
                    return None;
                }
            },
        };
        if matches!(kind, IndicatorKind::Each { .. }) && target.is_some() {
            self.diag(&p.key("target"), "an each indicator's target is that every member meets the requirement; it takes no other".into());
        }
        if let (
            true,
            Some(
                Target::Min(x)
                | Target::Max(x)
                | Target::Exactly(x)
                | Target::Above(x)
                | Target::Below(x),
            ),
        ) = (kind.is_percent(), &target)
        {
            if x.is_negative() || *x > crate::num::Number::from_int(100) {
                self.diag(
                    &p.key("target"),
                    format!(
                        "a {} is a percentage: a target of {x} can never be met",
                        kind.name()
                    ),
                );
            }
        }
        let not_applicable = match s.not_applicable.as_deref() {
            None | Some("excluded") => NotApplicable::Excluded,
            Some("met") => NotApplicable::Met,
            Some("not_met") => NotApplicable::NotMet,
            Some(o) => {
                self.diag(
                    &p.key("not_applicable"),
                    format!("unknown treatment '{o}' (excluded, met, not_met)"),
                );
                return None;
            }
        };
        let compare_rounded = match s.compare.as_deref() {
            None | Some("exact") => false,
            Some("rounded") => true,
            Some(o) => {
                self.diag(
                    &p.key("compare"),
                    format!("unknown comparison '{o}' (exact, rounded)"),
                );
                return None;
            }
        };
        let rounding = s.rounding.unwrap_or(rounding);
        self.check_rounding(&rounding, &p.key("rounding"));
        let scoring = match &s.scoring {
            None => None,
            Some(sc) => {
                let sp = p.key("scoring");
                let r = match (
                    sc.all_or_nothing.clone(),
                    sc.proportional.clone(),
                    &sc.deduction,
                ) {
                    (Some(x), None, None) => Scoring::AllOrNothing(x),
                    (None, Some(x), None) => {
                        if !matches!(target, Some(Target::Min(_) | Target::Max(_))) {
                            self.diag(&sp, "proportional scoring needs a min or max target".into());
                        }
                        Scoring::Proportional(x)
                    }
                    (None, None, Some(d)) => {
                        let zero = crate::num::Number::ZERO;
                        let unit = d.unit.clone().unwrap_or(crate::num::Number::ONE);
                        let floor = d.floor.clone().unwrap_or(zero.clone());
                        if d.per <= zero || unit <= zero {
                            self.diag(
                                &sp.key("deduction"),
                                "per and unit must be above zero".into(),
                            );
                        }
                        if floor > d.points {
                            self.diag(&sp.key("deduction"), "the floor is above the points".into());
                        }
                        Scoring::Deduction {
                            points: d.points.clone(),
                            per: d.per.clone(),
                            unit,
                            floor,
                        }
                    }
                    _ => {
                        self.diag(
                            &sp,
                            "scoring is exactly one of all_or_nothing, proportional or deduction"
                                .into(),
                        );
                        return None;
                    }
                };
                if r.full().is_negative() {
                    self.diag(&sp, "points cannot be negative".into());
                }
                if target.is_none() && !matches!(kind, IndicatorKind::Each { .. }) {
                    self.diag(&sp, "scoring needs a target".into());
                }
                Some(r)
            }
        };
        let target_by_group = match (&s.target_by_group, self.groups_coll, &target) {
            (None, _, _) => None,
            (Some(_), None, _) => {
                self.diag(
                    &p.key("target_by_group"),
                    "a target by jurisdiction needs the pack's groups".into(),
                );
                None
            }
            (Some(_), _, None) => {
                self.diag(
                    &p.key("target_by_group"),
                    "a target by jurisdiction needs a \"target\" (its kind, and the overall bound)"
                        .into(),
                );
                None
            }
            (Some(src), Some(g), Some(_)) => {
                let mut vars = record_vars();
                vars.push(("group", Ty::Rec(g)));
                self.expr(src, &p.key("target_by_group"), None, &vars, Some(&Ty::Num))
            }
        };
        Some(Indicator {
            id: id.to_string(),
            title: s.title,
            criterion: s.criterion,
            kind,
            coll,
            filter,
            target,
            target_by_group,
            not_applicable,
            compare_rounded,
            rounding,
            scoring,
        })
    }

    fn scorecard(
        &self,
        s: ScorecardSpec,
        p: &JsonPath,
        declared: &BTreeMap<String, Json>,
        indicators: &[Indicator],
        rounding: RoundingSpec,
    ) -> Option<Scorecard> {
        let mut sections = Vec::new();
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, sec) in s.sections.iter().enumerate() {
            let sp = p.key("sections").index(i);
            if let Some(w) = &sec.weight {
                if *w <= crate::num::Number::ZERO {
                    self.diag(&sp.key("weight"), "a weight must be above zero".into());
                }
            }
            let mut ids = Vec::new();
            for (j, name) in sec.indicators.iter().enumerate() {
                let ip = sp.key("indicators").index(j);
                if let Some(prev) = seen.insert(name, i) {
                    self.diag(
                        &ip,
                        format!("indicator '{name}' is already in section {prev}"),
                    );
                }
                match indicators.iter().position(|x| &x.id == name) {
                    Some(k) if indicators[k].scoring.is_none() => self.diag(
                        &ip,
                        format!("indicator '{name}' has no scoring, so it cannot earn points"),
                    ),
                    Some(k) => ids.push(k),
                    None if declared.contains_key(name) => {} // broken indicator: reported already
                    None => {
                        let known: Vec<&str> = declared.keys().map(|s| s.as_str()).collect();
                        self.diag(
                            &ip,
                            format!("no indicator '{name}' (indicators: {})", known.join(", ")),
                        )
                    }
                }
            }
            if sec.indicators.is_empty() {
                self.diag(
                    &sp.key("indicators"),
                    "a section needs at least one indicator".into(),
                );
            }
            sections.push(Section {
                name: sec.name.clone(),
                weight: sec.weight.clone(),
                indicators: ids,
            });
        }
        let grade = s.grade.as_ref().and_then(|g| {
            let gp = p.key("grade");
            let Some(t) = self.table_slots.iter().position(|t| t.name == g.table) else {
                self.diag(&gp.key("table"), format!("no table '{}'", g.table));
                return None;
            };
            let tables = self.tables.borrow();
            let table = tables[t].as_ref()?;
            if table.on.is_some() {
                self.diag(
                    &gp.key("table"),
                    format!(
                        "table '{}' must be on \"scorecard\" to grade the total",
                        g.table
                    ),
                );
                return None;
            }
            let out = match &g.output {
                Some(o) => table.outputs.iter().position(|(n, _)| n == o).or_else(|| {
                    self.diag(
                        &gp.key("output"),
                        format!("table '{}' has no output '{o}'", g.table),
                    );
                    None
                })?,
                None if table.outputs.len() == 1 => 0,
                None => {
                    self.diag(
                        &gp,
                        "the table has several outputs: name one with \"output\"".into(),
                    );
                    return None;
                }
            };
            if !matches!(table.outputs[out].1, Ty::Str | Ty::Any) {
                self.diag(&gp, "a grade is a string".into());
            }
            Some((t, out))
        });
        let mut actions = Vec::new();
        for (i, a) in s.actions.iter().enumerate() {
            let ap = p.key("actions").index(i);
            if let Some(when) = self.expr(
                &a.when,
                &ap.key("when"),
                None,
                &scorecard_vars(),
                Some(&Ty::Bool),
            ) {
                actions.push(ActionRule {
                    when,
                    action: a.action.clone(),
                    note: a.note.clone(),
                });
            }
        }
        let rounding = s.rounding.unwrap_or(rounding);
        self.check_rounding(&rounding, &p.key("rounding"));
        Some(Scorecard {
            sections,
            grade,
            actions,
            rounding,
        })
    }
}
