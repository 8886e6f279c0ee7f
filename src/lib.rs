//! # scorecard
//!
//! An embeddable rules engine that scores public-health inspection records against
//! declarative assessment criteria and returns graded, explained results.
//!
//! The pipeline (`docs/architecture.md` says where each part lives):
//!
//! ```text
//!  pack folder ──load──▶ loaded pack ──check + compile──▶ Plan
//!  dataset ──read──▶ Dataset: typed records, references resolved, every record accounted
//!  Plan × Dataset ──score──▶ Outcome: records, indicators, groups, scorecard
//!  Outcome ──▶ JSON (deterministic) · tables
//! ```
//!
//! Numbers are exact rationals ([`Number`]) from input to grade. Expressions are
//! type-checked when the pack loads, within the [`limits`]. No panic escapes the public
//! API: every entry point catches one and returns an error that says it is internal.
//!
//! Loading a pack and scoring a dataset:
//!
//! ```
//! # let root = env!("CARGO_MANIFEST_DIR");
//! let plan = scorecard::Plan::load(format!("{root}/rules/supervision-coverage"))?;
//! let data = std::fs::read_to_string(format!("{root}/rules/supervision-coverage/data/sample.json"))?;
//! let outcome = plan.score_json(&data)?;
//! println!("{}", outcome.to_json());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Reading a grade and a total without parsing text:
//!
//! ```
//! # let root = env!("CARGO_MANIFEST_DIR");
//! let plan = scorecard::Plan::load(format!("{root}/rules/catering-grading"))?;
//! let data = std::fs::read_to_string(format!("{root}/rules/catering-grading/data/sample.json"))?;
//! let outcome = plan.score_json(&data)?;
//! let grade = outcome.measure("units", "U0001", "annual_grade");
//! assert_eq!(grade.as_ref().and_then(|g| g.text()), Some("A"));
//! let share = outcome.indicator("a_share").and_then(|i| i.exact_value());
//! assert_eq!(share, Some(&scorecard::Number::parse("52.5")?));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Explaining a record: its measures, the related records counted or left out, the
//! table rows that fired:
//!
//! ```
//! # let root = env!("CARGO_MANIFEST_DIR");
//! let plan = scorecard::Plan::load(format!("{root}/rules/supervision-coverage"))?;
//! let data = std::fs::read_to_string(format!("{root}/rules/supervision-coverage/data/sample.json"))?;
//! let dataset = plan.read(&data)?;
//! for explanation in plan.explain(&dataset, "units", "U0001", 1)? {
//!     print!("{}", explanation.to_text());
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A broken pack is an error listing every problem with its file, line and column:
//!
//! ```
//! let err = scorecard::Plan::from_json(r#"{"name": "x", "version": "1", "collections": {},
//!     "indicators": {"c": {"kind": "rate", "population": {"collection": "units"}, "numerator": "ok"}}}"#)
//!     .unwrap_err();
//! assert!(err.to_string().contains("no collection 'units'"));
//! ```

#![deny(missing_docs)]

/// Declares a module of the engine's pipeline: private, or public with the `internals`
/// feature (for benchmarks and tools that look inside; not a stable API).
macro_rules! internal {
    ($($(#[$doc:meta])* $name:ident;)*) => {
        $(
            $(#[$doc])*
            #[cfg(feature = "internals")]
            #[allow(missing_docs)]
            pub mod $name;
            $(#[$doc])*
            #[cfg(not(feature = "internals"))]
            mod $name;
        )*
    };
}

internal! {
    calendar;
    data;
    dates;
    eval;
    expr;
    json_locate;
    num;
    pack;
    plan;
    script;
    value;
}
pub mod coverage;
pub mod diff;
mod ffi;
pub mod files;
pub mod fixtures;
mod indicator;
pub mod limits;
pub mod outcome;
pub mod partial;
pub(crate) mod pool;
#[cfg(feature = "schema")]
pub mod schema;
#[cfg(feature = "spreadsheets")]
pub mod sheet_out;
mod stack;
mod suggest;
#[cfg(feature = "synth")]
pub mod synth;

pub use data::sheets::{Cell, Grid, GridKind};
pub use data::{Accounting, DataError, Dataset};
pub use eval::explain::{Explanation, Fired, MeasureWhy, RelatedRecord};
pub use eval::explain_above::{Step, Steps};
pub use eval::ScoreError;
pub use num::{ArithError, Number, ParseNumberError, RoundingMode};
pub use outcome::{Measured, Outcome};
pub use pack::load::PackError;
pub use pack::spec::{Language, OnIncomplete};
pub use pack::{Diagnostic, Severity};
pub use plan::{NotApplicable, Period, Plan};

use std::panic::{catch_unwind, AssertUnwindSafe};

/// The stack size the CLI and the C library give their worker threads (16 MB, reserved,
/// not used until touched). Any thread works, however small its stack (the engine grows
/// one that is short); threads with this much never need to, at the default script
/// limits. A program that builds its own rayon pool for scoring may use it too.
pub const WORKER_STACK: usize = 16 << 20;
use std::path::Path;

/// Runs `f` with the stack the engine may need (see `stack`), turning a panic into its
/// message: every public entry point goes through here.
pub(crate) fn guard<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    stack::with(stack::ENTRY, || catch_unwind(AssertUnwindSafe(f))).map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into())
    })
}

/// Runs a dataset reader, turning a panic into an error that says so.
fn reading(f: impl FnOnce() -> Result<Dataset, DataError>) -> Result<Dataset, DataError> {
    guard(f).unwrap_or_else(|p| Err(DataError::Internal(p)))
}

impl Plan {
    /// Runs `f` on threads of the call's own when the pack has scripts (see `pool`):
    /// scoring and explaining here, and reading in `data::resolve` (the only part of
    /// reading that evaluates: filters and validity rules).
    fn on_threads<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        pool::for_scripts(!self.scripts.is_empty(), f)
    }
}

impl Plan {
    /// Loads, checks and compiles the pack in `dir` (its `pack.json`).
    pub fn load(dir: impl AsRef<Path>) -> Result<Plan, PackError> {
        guard(|| pack::load::load_dir(dir.as_ref())).unwrap_or_else(|p| Err(PackError::Internal(p)))
    }

    /// Checks and compiles a pack from the text of a `pack.json`.
    pub fn from_json(text: &str) -> Result<Plan, PackError> {
        guard(|| pack::load::from_json(text)).unwrap_or_else(|p| Err(PackError::Internal(p)))
    }

    /// Reads a JSON dataset against this plan.
    pub fn read(&self, json: &str) -> Result<Dataset, DataError> {
        reading(|| data::read_str(self, json))
    }

    /// Reads a JSON dataset that the caller hands over, as [`Plan::read`] does, freeing the
    /// text as soon as its records are converted: the least memory for a document read
    /// whole (the CLI reads files this way). For still less, stream NDJSON with
    /// [`Plan::read_ndjson`].
    pub fn read_owned(&self, json: String) -> Result<Dataset, DataError> {
        reading(|| data::read_string(self, json))
    }

    /// Reads a JSON dataset from bytes that the caller hands over (a file's contents, say):
    /// bytes that are not UTF-8 are an error that gives the offset, line and column of the
    /// first bad one, and a leading byte-order mark is skipped. Then as [`Plan::read_owned`].
    pub fn read_bytes(&self, bytes: Vec<u8>) -> Result<Dataset, DataError> {
        reading(|| data::read_string(self, data::utf8_text(bytes)?))
    }

    /// Reads an NDJSON dataset, streamed from `input`: one JSON object per line,
    /// `{"period": {…}}` or `{"<collection>": {record}}` (see `docs/pack-format.md`).
    /// Only the typed records are held in memory, never the whole text.
    pub fn read_ndjson(&self, input: impl std::io::BufRead) -> Result<Dataset, DataError> {
        reading(|| data::read_ndjson(self, input))
    }

    /// Reads a dataset from grids of cells (sheets of a workbook, CSV files): each
    /// collection's grid is the one named as its `sheet` says (or as the collection), its
    /// columns are found by their headers, and each row is read as the JSON record its
    /// cells stand for. A bad cell rejects its record with the cell's place. See "Sheets
    /// and CSV files" in `docs/pack-format.md`.
    pub fn read_grids(&self, grids: &[Grid]) -> Result<Dataset, DataError> {
        reading(|| data::sheets::read_grids(self, grids))
    }

    /// Reads a dataset from CSV files, given as (file name, bytes): the name without
    /// `.csv` says the collection (see [`Plan::read_grids`]); UTF-8 with or without a
    /// byte-order mark, UTF-16, and GBK/GB18030 are all read.
    #[cfg(feature = "spreadsheets")]
    pub fn read_csv_files(&self, files: &[(String, Vec<u8>)]) -> Result<Dataset, DataError> {
        reading(|| {
            let mut cells = 0;
            let grids = files
                .iter()
                .map(|(name, bytes)| data::sheet_files::csv_grid(name, bytes, &mut cells))
                .collect::<Result<Vec<_>, _>>()?;
            data::sheets::read_grids(self, &grids)
        })
    }

    /// A JSON dataset as this pack's sheets (one per collection, named, headed and with
    /// cell texts as the pack's `sheet` says), to write with [`sheet_out::workbook`] or
    /// [`sheet_out::csv`]: what an export should look like, read back as the same records.
    #[cfg(feature = "spreadsheets")]
    pub fn dataset_sheets(&self, json: &str) -> Result<Vec<sheet_out::Table>, String> {
        guard(|| data::sheet_export::dataset_tables(self, json)).unwrap_or_else(Err)
    }

    /// Reads a dataset from a workbook's bytes (xlsx, xlsm, xls, xlsb, ods), one sheet per
    /// collection (see [`Plan::read_grids`]); sheets that are no collection's are not read.
    #[cfg(feature = "spreadsheets")]
    pub fn read_workbook(&self, bytes: Vec<u8>, name: &str) -> Result<Dataset, DataError> {
        reading(|| {
            let grids = data::sheet_files::workbook_grids(bytes, name)?;
            data::sheets::read_grids(self, &grids).map_err(|e| match e {
                DataError::In { .. } => e,
                other => other.in_input(name),
            })
        })
    }

    /// Scores a dataset read with [`Plan::read`] or [`Plan::read_ndjson`].
    ///
    /// The outcome's table of records reads the records' keys where the dataset holds
    /// them, so the dataset's records stay in memory until both it and the outcome are
    /// dropped (scoring copies no key; a million places would otherwise take 24 MB and a
    /// pass over every record's memory).
    pub fn score(&self, ds: &Dataset) -> Result<Outcome, ScoreError> {
        guard(|| self.on_threads(|| eval::score(self, ds)))
            .unwrap_or_else(|p| Err(ScoreError::Internal(p)))
    }

    /// Explains why a record has its measures, then the related records its aggregates
    /// counted, to `depth` levels (e.g. a unit's grade, then each inspection's rating).
    pub fn explain(
        &self,
        ds: &Dataset,
        collection: &str,
        key: &str,
        depth: usize,
    ) -> Result<Vec<Explanation>, ScoreError> {
        guard(|| self.on_threads(|| eval::explain_record(self, ds, collection, key, depth)))
            .unwrap_or_else(|p| Err(ScoreError::Internal(p)))
    }

    /// Scores a dataset that is one shard of a larger one into its partial result, to be
    /// merged with the other shards' ([`partial::Partial::merge`]) and finished
    /// ([`Plan::finish`]) into the outcome that scoring all of them at once gives. Every
    /// record belongs in exactly one shard with the records it refers to, and the
    /// jurisdictions' collection whole in every shard. A pack whose partials cannot be
    /// merged exactly ([`Plan::mergeable`]) is an error that says why.
    pub fn score_partial(&self, ds: &Dataset) -> Result<partial::Partial, ScoreError> {
        guard(|| self.on_threads(|| partial::score_partial(self, ds)))
            .unwrap_or_else(|p| Err(ScoreError::Internal(p)))
    }

    /// The outcome of partial results: merged in the order given (any order gives the
    /// same), then finished as a whole run is. They must be of this pack.
    pub fn finish(&self, partials: &[partial::Partial]) -> Result<Outcome, ScoreError> {
        guard(|| match partials {
            // one partial (already merged, say) is finished as it is, not copied first
            [one] => partial::finish(self, one),
            _ => partial::finish(self, &partial::Partial::merged(partials)?),
        })
        .unwrap_or_else(|p| Err(ScoreError::Internal(p)))
    }

    /// Checks a partial result against this pack (its collections, measures and their
    /// types, indicators and the shape of their tallies, the period it needs): what
    /// [`Plan::finish`] does first, to name which of many partials is wrong. What every
    /// partial must hold whatever its pack is checked as it is read
    /// ([`partial::Partial::from_json`]).
    pub fn check_partial(&self, p: &partial::Partial) -> Result<(), ScoreError> {
        partial::check(self, p)
    }

    /// Whether partial results of this pack merge exactly into a whole run's outcome;
    /// `Err` says why not (its jurisdictions' own measures count records that shards
    /// split, say). `check` reports it.
    pub fn mergeable(&self) -> Result<(), String> {
        partial::mergeable::check(self)
    }

    /// Reads and scores a JSON dataset.
    pub fn score_json(&self, json: &str) -> Result<Outcome, ScoreError> {
        let ds = self.read(json)?;
        self.score(&ds)
    }

    /// Why indicator `id` has its value, met and points in jurisdiction `group` (none:
    /// overall) of outcome `o` (a run of this plan): its members, numerator and
    /// denominator, the evidence, value and rounding, target and comparison, scoring.
    pub fn explain_indicator(
        &self,
        o: &Outcome,
        id: &str,
        group: Option<&str>,
    ) -> Result<eval::explain_above::Steps, String> {
        eval::explain_above::indicator(self, o, id, group)
    }

    /// Why the scorecard of jurisdiction `group` (none: overall) of outcome `o` has its
    /// total, grade and actions, section by section.
    pub fn explain_scorecard(
        &self,
        o: &Outcome,
        group: Option<&str>,
    ) -> Result<eval::explain_above::Steps, String> {
        eval::explain_above::scorecard(self, o, group)
    }

    /// The jurisdiction (its key) of each record of `collection` that has one, by the
    /// record's key: where the record counts in the pack's groups.
    pub fn jurisdictions(
        &self,
        ds: &Dataset,
        collection: &str,
    ) -> std::collections::BTreeMap<String, String> {
        let Some(c) = self.collection(collection) else {
            return Default::default();
        };
        let groups = eval::groups::Groups::new(self, ds);
        (0..ds.colls[c as usize].len())
            .filter_map(|i| {
                let g = groups.of_member(self, ds, c, i as u32)?;
                Some((
                    ds.colls[c as usize].key(i).to_string(),
                    groups.key(ds, g as usize),
                ))
            })
            .collect()
    }
}
