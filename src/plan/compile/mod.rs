//! Checking a loaded pack as a whole and compiling it into a [`Plan`], without any I/O
//! (loading read every file: `crate::pack::load`).
//!
//! Every problem is collected as a [`Diagnostic`] with file, JSON path and line:col; the
//! plan is returned only when there are none. Measures and tables are compiled on demand
//! (a measure that uses another compiles it first), which both orders them for evaluation
//! and finds cycles. One file per rule family: [`collections`] (fields, groups, periods),
//! [`measures`], [`tables`], [`indicators`] (what every kind shares; each kind is a file of
//! `crate::indicator`), [`scorecard`], [`scripts`], and [`build`], which puts them together.

mod build;
mod collections;
mod indicators;
mod measures;
mod scan;
mod sheet;
mod scorecard;
mod scripts;
mod table_checks;
mod table_regions;
mod tables;

pub(crate) use indicators::KindCx;

use super::*;
use crate::dates::parse_date;
use crate::expr::compile::{compile as compile_expr, Env, Names};
use crate::expr::parse::ExprError;
use crate::expr::vars::{Scope, RESERVED as RESERVED_NAMES};
use crate::json_locate::{describe, JsonPath};
use crate::num::RoundingMode;
use crate::pack::load::LoadedPack;
use crate::pack::sources::Sources;
use crate::pack::spec::*;
use crate::pack::Diagnostic;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug)]
/// How far a measure or table has been compiled (`InProgress` when met again: a cycle).
enum State {
    Pending,
    InProgress,
    Done(Ty),
    Failed,
}

/// A measure or table on the compiler's stack.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Compiling {
    Measure(usize),
    Table(usize),
}

/// A declared measure, compiled on demand.
struct MeasureSlot {
    coll: CollId,
    name: String,
    path: JsonPath,
    spec: Option<MeasureSpec>,
}

/// A declared table, compiled on demand.
struct TableSlot {
    name: String,
    path: JsonPath,
    spec: Option<TableSpec>,
}

/// The compiler's state while it checks one pack: what is compiled so far, and the
/// problems found.
struct Compiler<'a> {
    /// The texts the pack came from, to locate problems.
    sources: &'a Sources,
    diags: RefCell<Vec<Diagnostic>>,
    /// Suspicious but legal things, for `check` to show.
    warns: RefCell<Vec<Diagnostic>>,
    colls: Vec<Collection>,
    items: Vec<ItemShape>,
    measure_slots: Vec<MeasureSlot>,
    measure_state: RefCell<Vec<State>>,
    measure_kinds: RefCell<Vec<Option<MeasureKind>>>,
    measure_order: RefCell<Vec<MeasureId>>,
    table_slots: Vec<TableSlot>,
    table_state: RefCell<Vec<State>>,
    tables: RefCell<Vec<Option<Table>>>,
    /// What a table on groups sees, once the indicators are compiled
    /// ([`Compiler::indicator_vars`] and `group`).
    group_vars: RefCell<Option<Vec<(String, Ty)>>>,
    /// The measures an expression named (`report: false` and never named: a warning).
    used_measures: RefCell<BTreeSet<usize>>,
    /// The shapes of scans' states, item shapes after the fields' (`items`).
    scan_states: RefCell<Vec<ItemShape>>,
    /// The measures and tables being compiled, outermost first: the path a cycle takes.
    compiling: RefCell<Vec<Compiling>>,
    /// Script functions by name.
    scripts: HashMap<String, Arc<crate::script::ScriptFn>>,
    /// The jurisdiction collection, once known.
    groups_coll: Option<CollId>,
    /// The working-day calendar, when the pack has one.
    calendar: Option<Arc<crate::calendar::Calendar>>,
    /// The pack's display rounding (`text(x)` shows numbers with it).
    rounding: RoundingSpec,
    /// Whether an expression compiled so far reads `period_start`, `period_end` or `as_of`.
    reads_period: std::cell::Cell<bool>,
    /// The pack's `on_incomplete`: what an indicator that does not say is worth when its
    /// inputs lost records.
    on_incomplete: crate::pack::spec::OnIncomplete,
}

/// Checks and compiles a loaded pack; the problems found, loading's first, when there are any.
pub(crate) fn compile(loaded: LoadedPack) -> Result<Plan, Vec<Diagnostic>> {
    let LoadedPack {
        sources,
        json,
        calendar,
        scripts,
        scripts_all_read,
        digest,
        problems,
    } = loaded;
    let mut compiler = Compiler {
        sources: &sources,
        diags: RefCell::new(problems),
        warns: RefCell::new(Vec::new()),
        colls: Vec::new(),
        items: Vec::new(),
        measure_slots: Vec::new(),
        measure_state: RefCell::new(Vec::new()),
        measure_kinds: RefCell::new(Vec::new()),
        measure_order: RefCell::new(Vec::new()),
        table_slots: Vec::new(),
        table_state: RefCell::new(Vec::new()),
        tables: RefCell::new(Vec::new()),
        group_vars: RefCell::new(None),
        compiling: RefCell::new(Vec::new()),
        scan_states: RefCell::new(Vec::new()),
        used_measures: RefCell::new(BTreeSet::new()),
        scripts: HashMap::new(),
        groups_coll: None,
        calendar,
        rounding: RoundingSpec {
            digits: 1,
            mode: RoundingMode::HalfUp,
        },
        reads_period: std::cell::Cell::new(false),
        on_incomplete: Default::default(),
    };
    let root = JsonPath::root();
    let Some(spec) = compiler.entry::<PackSpec>(&json, &root) else {
        return Err(sorted(compiler.diags.into_inner()));
    };
    if let Some(s) = &spec.scripts {
        compiler.bind_scripts(s, &scripts, scripts_all_read, &root.key("scripts"));
    }
    let plan = compiler.build(spec);
    let diags = compiler.diags.into_inner();
    if !diags.is_empty() {
        return Err(sorted(diags));
    }
    plan.ok_or_else(|| {
        vec![Diagnostic {
            file: sources.file().to_string(),
            line: 1,
            col: 1,
            path: "(root)".into(),
            message: "the pack could not be compiled".into(),
            severity: crate::pack::Severity::Error,
        }]
    })
    .map(|mut plan| {
        plan.meta.digest = digest;
        plan.warnings = sorted(compiler.warns.into_inner());
        plan
    })
}

/// Causes before what they cause (a script that does not compile before the calls of its
/// functions that are then unknown), each kind in file and line order, once each.
fn sorted(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort_by_key(|d| (!is_root_cause(&d.message), d.clone()));
    diags.dedup();
    diags
}

impl Names for Compiler<'_> {
    fn known(&self, coll: Option<CollId>, item: Option<ItemId>) -> Vec<String> {
        match (coll, item) {
            (Some(c), _) => {
                let fields = self.colls.get(c as usize).map(|c| &c.fields[..]).unwrap_or(&[]);
                fields
                    .iter()
                    .map(|f| f.name.clone())
                    .chain(self.measure_slots.iter().filter(|m| m.coll == c).map(|m| m.name.clone()))
                    .collect()
            }
            (None, Some(i)) => self
                .with_shape(i, |s| s.fields.iter().map(|f| f.name.clone()).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

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
        self.used_measures.borrow_mut().insert(id);
        let state = self.measure_state.borrow()[id].clone();
        Some(match state {
            State::Done(ty) => Ok((id as MeasureId, ty)),
            State::Failed => Ok((id as MeasureId, Ty::Any)),
            State::InProgress => Err(self.cycle_through(Compiling::Measure(id))),
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
        self.with_shape(item, |shape| {
            let slot = shape.fields.iter().position(|f| f.name == name)?;
            Some((slot as u16, shape.fields[slot].ty()))
        })?
    }

    fn script_fn(&self, name: &str) -> Option<Arc<crate::script::ScriptFn>> {
        self.scripts.get(name).cloned()
    }

    fn calendar(&self) -> Option<Arc<crate::calendar::Calendar>> {
        self.calendar.clone()
    }

    fn rounding(&self) -> (u32, RoundingMode) {
        (self.rounding.digits, self.rounding.mode)
    }
}

/// The pack's names as a collection's include filter sees them: fields only, since the
/// filter decides which records are used before any measure is computed.
struct FieldsOnly<'c, 'a>(&'c Compiler<'a>);

impl Names for FieldsOnly<'_, '_> {
    fn coll_name(&self, coll: CollId) -> String {
        self.0.coll_name(coll)
    }

    fn field(&self, coll: CollId, name: &str) -> Option<(u16, Ty)> {
        self.0.field(coll, name)
    }

    fn measure(&self, coll: CollId, name: &str) -> Option<Result<(MeasureId, Ty), String>> {
        self.0.measure_slots.iter().any(|m| m.coll == coll && m.name == name).then(|| {
            Err(format!(
                "'{name}' is a measure; a collection's include filter runs before measures and can use fields only (a rule in invalid_when may use measures)"
            ))
        })
    }

    fn item_field(&self, item: ItemId, name: &str) -> Option<(u16, Ty)> {
        self.0.item_field(item, name)
    }

    fn script_fn(&self, name: &str) -> Option<Arc<crate::script::ScriptFn>> {
        self.0.script_fn(name)
    }

    fn calendar(&self) -> Option<Arc<crate::calendar::Calendar>> {
        self.0.calendar()
    }

    fn rounding(&self) -> (u32, RoundingMode) {
        self.0.rounding()
    }
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
    .any(|cause| message.starts_with(cause))
}

impl Compiler<'_> {
    /// Reports a problem at `path` of the pack.
    fn diag(&self, path: &JsonPath, message: String) {
        let d = self.sources.diagnostic(path, message, None);
        self.diags.borrow_mut().push(d);
    }

    /// `f` of item shape `item`: a list field's items, or (after them) a scan's state.
    fn with_shape<R>(&self, item: ItemId, f: impl FnOnce(&ItemShape) -> R) -> Option<R> {
        match self.items.get(item as usize) {
            Some(s) => Some(f(s)),
            None => self.scan_states.borrow().get(item as usize - self.items.len()).map(f),
        }
    }

    /// Where `path` is in the pack's files: `file:line:col`.
    fn loc(&self, path: &JsonPath) -> String {
        let d = self.sources.diagnostic(path, String::new(), None);
        format!("{}:{}:{}", d.file, d.line, d.col)
    }

    /// Notes something suspicious but legal where it is (`check` shows it; a run goes on).
    fn warn(&self, path: &JsonPath, message: String) {
        let mut d = self.sources.diagnostic(path, message, None);
        d.severity = crate::pack::Severity::Warning;
        self.warns.borrow_mut().push(d);
    }

    /// Reports an expression's error at the character of the expression it names.
    fn expr_diag(&self, path: &JsonPath, e: &ExprError) {
        let d = self
            .sources
            .diagnostic(path, e.message.clone(), Some(e.pos));
        self.diags.borrow_mut().push(d);
    }

    /// Reads one entry of the pack as `T`; a structural problem is reported where it is.
    fn entry<T: DeserializeOwned>(&self, v: &Json, path: &JsonPath) -> Option<T> {
        match serde_path_to_error::deserialize::<_, T>(v.clone()) {
            Ok(t) => Some(t),
            Err(e) => {
                let here = path.join_serde(e.path());
                self.diag(&here, crate::suggest::unknown_field(&e.inner().to_string()));
                None
            }
        }
    }

    /// Compiles the expression `src` at `path`, with `base`'s fields and measures and
    /// `vars` in scope, wanting a `want`; a problem is reported where it is.
    fn expr(
        &self,
        src: &str,
        path: &JsonPath,
        base: Option<CollId>,
        vars: &[(&str, Ty)],
        want: Option<&Ty>,
    ) -> Option<Expr> {
        self.expr_over(self, src, path, (base, vars), want)
    }

    /// As [`Compiler::expr`], resolving names through `names`.
    fn expr_over(
        &self,
        names: &dyn Names,
        src: &str,
        path: &JsonPath,
        (base, vars): (Option<CollId>, &[(&str, Ty)]),
        want: Option<&Ty>,
    ) -> Option<Expr> {
        let env = Env { names, base, vars };
        match compile_expr(src, &env, want) {
            Ok(e) => {
                // every scope declares the period's variables first
                let period = vars.len() >= 3 && vars[0].0 == "period_start";
                if period && (0..3).any(|s| e.uses_var(s)) {
                    self.reads_period.set(true);
                }
                Some(e)
            }
            Err(e) => {
                self.expr_diag(path, &e);
                None
            }
        }
    }

    /// A collection by name.
    fn coll_id(&self, name: &str) -> Option<CollId> {
        self.colls
            .iter()
            .position(|c| c.name == name)
            .map(|i| i as CollId)
    }

    /// The collections' names, for messages.
    fn coll_names(&self) -> String {
        let v: Vec<&str> = self.colls.iter().map(|c| c.name.as_str()).collect();
        v.join(", ")
    }
}
