//! The scorecard engine from Python (`import scorecard`): load a pack, check it, score a
//! dataset given as a path, JSON text, a dict or NDJSON lines, explain a record. The
//! outcome is the same document the command line writes (`Plan.score_json` gives its
//! bytes); errors are Python exceptions that carry the engine's diagnostics. Scoring
//! releases the GIL, so Python threads score in parallel.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use scorecard::{Dataset, Plan as Engine};
use std::path::{Path, PathBuf};

create_exception!(
    _scorecard,
    ScorecardError,
    PyException,
    "An error of the scorecard engine."
);
create_exception!(
    _scorecard,
    PackError,
    ScorecardError,
    "A pack that does not load: `diagnostics` says where and what."
);
create_exception!(
    _scorecard,
    DataError,
    ScorecardError,
    "A dataset that cannot be read at all (a bad record is rejected in the outcome instead)."
);
create_exception!(
    _scorecard,
    ScoreError,
    ScorecardError,
    "A dataset that cannot be scored."
);

/// A diagnostic of the engine as a dict: file, line, col, path, message, severity.
fn diagnostic(py: Python<'_>, d: &scorecard::Diagnostic) -> PyResult<Py<PyAny>> {
    let json = serde_json::to_string(d).map_err(|e| ScorecardError::new_err(e.to_string()))?;
    let loads = py.import("json")?.getattr("loads")?;
    Ok(loads.call1((json,))?.unbind())
}

/// A pack error as a Python exception whose `diagnostics` lists each problem.
fn pack_error(py: Python<'_>, e: scorecard::PackError) -> PyErr {
    let diags: Vec<scorecard::Diagnostic> = match &e {
        scorecard::PackError::Invalid(d) => d.clone(),
        _ => Vec::new(),
    };
    let err = PackError::new_err(e.to_string());
    let list: PyResult<Vec<Py<PyAny>>> = diags.iter().map(|d| diagnostic(py, d)).collect();
    if let Ok(list) = list {
        let _ = err.value(py).setattr("diagnostics", list);
    }
    err
}

/// What a dataset argument is.
enum Input {
    /// JSON text.
    Json(String),
    /// NDJSON lines.
    Lines(String),
    /// A file (or a folder of CSV files).
    File(PathBuf),
}

/// Reads `data` as a dataset: a path (str or os.PathLike: JSON, NDJSON, a workbook, CSV
/// files or a folder of them), JSON text (a str that starts with `{`), a dict, or a list of
/// NDJSON lines.
fn input(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Input> {
    if let Ok(s) = data.cast::<PyString>() {
        let s: String = s.extract()?;
        if s.trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{')
        {
            return Ok(Input::Json(s));
        }
        return Ok(Input::File(PathBuf::from(s)));
    }
    if data.cast::<PyDict>().is_ok() {
        let dumps = py.import("json")?.getattr("dumps")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("ensure_ascii", false)?;
        let text: String = dumps.call((data,), Some(&kwargs))?.extract()?;
        return Ok(Input::Json(text));
    }
    if let Ok(list) = data.cast::<PyList>() {
        let lines: Vec<String> = list.extract()?;
        return Ok(Input::Lines(lines.join("\n")));
    }
    if let Ok(p) = data.extract::<PathBuf>() {
        return Ok(Input::File(p));
    }
    Err(pyo3::exceptions::PyTypeError::new_err(
        "data is a path, JSON text, a dict, or a list of NDJSON lines",
    ))
}

/// Reads an input against the plan (no GIL needed).
fn read(plan: &Engine, input: Input) -> Result<Dataset, String> {
    let shown = |e: scorecard::DataError| e.to_string();
    match input {
        Input::Json(text) => plan.read_owned(text).map_err(shown),
        Input::Lines(text) => plan.read_ndjson(text.as_bytes()).map_err(shown),
        Input::File(path) => {
            let name = path.display().to_string();
            let ext = path
                .extension()
                .map(|e| e.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            let bytes = |p: &Path| {
                std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
            };
            if path.is_dir() {
                let mut files = Vec::new();
                let mut entries: Vec<PathBuf> = std::fs::read_dir(&path)
                    .map_err(|e| format!("cannot read {name}: {e}"))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.extension().is_some_and(|e| {
                            e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("tsv")
                        })
                    })
                    .collect();
                entries.sort();
                for f in entries {
                    files.push((f.display().to_string(), bytes(&f)?));
                }
                return plan.read_csv_files(&files).map_err(shown);
            }
            match ext.as_str() {
                "ndjson" | "jsonl" => {
                    let file = std::fs::File::open(&path)
                        .map_err(|e| format!("cannot read {name}: {e}"))?;
                    plan.read_ndjson(std::io::BufReader::new(file))
                        .map_err(|e| e.in_input(&name).to_string())
                }
                "csv" | "tsv" => plan
                    .read_csv_files(&[(name.clone(), bytes(&path)?)])
                    .map_err(shown),
                "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => {
                    plan.read_workbook(bytes(&path)?, &name).map_err(shown)
                }
                _ => plan
                    .read_bytes(bytes(&path)?)
                    .map_err(|e| e.in_input(&name).to_string()),
            }
        }
    }
}

/// Partial results read from their JSON texts; at least one.
fn partials_of(texts: &[String]) -> Result<Vec<scorecard::partial::Partial>, String> {
    if texts.is_empty() {
        return Err("no partial results".into());
    }
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            scorecard::partial::Partial::from_json(t).map_err(|e| format!("partial {}: {e}", i + 1))
        })
        .collect()
}

/// A loaded and checked rule pack.
#[pyclass(frozen, module = "scorecard")]
struct Plan {
    plan: Engine,
}

impl Plan {
    /// Reads `data` and gives `f` the dataset, with the GIL released: its text, or the
    /// error as DataError (reading) or ScoreError (scoring).
    fn scored(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        f: impl FnOnce(&Engine, &Dataset) -> Result<String, scorecard::ScoreError> + Send,
    ) -> PyResult<String> {
        let input = input(py, data)?;
        let plan = &self.plan;
        let scored = py.detach(|| -> Result<String, (bool, String)> {
            let ds = read(plan, input).map_err(|e| (true, e))?;
            f(plan, &ds).map_err(|e| (false, e.to_string()))
        });
        scored.map_err(|(reading, e)| match reading {
            true => DataError::new_err(e),
            false => ScoreError::new_err(e),
        })
    }

    /// Reads and scores `data` with the GIL released; the outcome's JSON text.
    fn outcome_json(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<String> {
        // the command line's bytes: the document and a newline
        self.scored(py, data, |plan, ds| {
            plan.score(ds).map(|o| o.to_json() + "\n")
        })
    }
}

#[pymethods]
impl Plan {
    /// Loads the pack in folder `path` (or a shipped pack by its name, such as
    /// "supervision-coverage"); a pack with problems raises PackError with `diagnostics`.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Plan> {
        let dir = scorecard::files::pack_dir(&path).unwrap_or(path);
        match py.detach(|| Engine::load(&dir)) {
            Ok(plan) => Ok(Plan { plan }),
            Err(e) => Err(pack_error(py, e)),
        }
    }

    /// Loads a pack from the text of a pack.json (no imports, calendars or script files).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Plan> {
        match Engine::from_json(text) {
            Ok(plan) => Ok(Plan { plan }),
            Err(e) => Err(pack_error(py, e)),
        }
    }

    /// The pack's warnings (suspicious but legal things), as dicts like the diagnostics.
    fn check(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        self.plan
            .warnings()
            .iter()
            .map(|d| diagnostic(py, d))
            .collect()
    }

    /// The pack's name.
    #[getter]
    fn name(&self) -> String {
        self.plan.name().to_string()
    }

    /// The pack's version.
    #[getter]
    fn version(&self) -> String {
        self.plan.version().to_string()
    }

    /// The `sha256:` digest of the pack's files.
    #[getter]
    fn digest(&self) -> String {
        self.plan.digest().to_string()
    }

    /// Scores `data` (a path, JSON text, a dict, or a list of NDJSON lines) and gives the
    /// outcome as a dict.
    fn score(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let text = self.outcome_json(py, data)?;
        Ok(py
            .import("json")?
            .getattr("loads")?
            .call1((text,))?
            .unbind())
    }

    /// As `score`, the outcome as the JSON text `scorecard score --format json` writes
    /// (the same bytes, with its final newline).
    fn score_json(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<String> {
        self.outcome_json(py, data)
    }

    /// Scores `data`, one shard of a larger dataset (every record with those it refers to,
    /// the jurisdictions whole), into its partial result: JSON text, to be merged with the
    /// other shards' (`merge`) and finished (`finish`) into the outcome of all of them.
    fn score_partial(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<String> {
        self.scored(py, data, |plan, ds| {
            plan.score_partial(ds).map(|p| p.to_json())
        })
    }

    /// Merges partial results (JSON texts) into one partial, as if their shards had been
    /// scored together: for reducing in a tree.
    fn merge(&self, py: Python<'_>, partials: Vec<String>) -> PyResult<String> {
        let merged = py.detach(|| -> Result<String, String> {
            let all = partials_of(&partials)?;
            let merged = scorecard::partial::Partial::merged(&all).map_err(|e| e.to_string())?;
            Ok(merged.to_json())
        });
        merged.map_err(ScoreError::new_err)
    }

    /// The outcome (a dict) of partial results (JSON texts): byte for byte the outcome of
    /// scoring all their shards' records at once.
    fn finish(&self, py: Python<'_>, partials: Vec<String>) -> PyResult<Py<PyAny>> {
        let text = self.finish_json(py, partials)?;
        Ok(py
            .import("json")?
            .getattr("loads")?
            .call1((text,))?
            .unbind())
    }

    /// As `finish`, the outcome as the JSON text `scorecard merge --format json` writes.
    fn finish_json(&self, py: Python<'_>, partials: Vec<String>) -> PyResult<String> {
        let plan = &self.plan;
        let done = py.detach(|| -> Result<String, String> {
            let all = partials_of(&partials)?;
            plan.finish(&all)
                .map(|o| o.to_json() + "\n")
                .map_err(|e| e.to_string())
        });
        done.map_err(ScoreError::new_err)
    }

    /// Why partial results of this pack cannot be merged exactly, or None when they can.
    fn not_mergeable(&self) -> Option<String> {
        self.plan.mergeable().err()
    }

    /// Why record `key` of `collection` has its measures, `depth` levels of related
    /// records deep: a list of explanations as dicts.
    #[pyo3(signature = (data, collection, key, depth = 1))]
    fn explain(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        collection: &str,
        key: &str,
        depth: usize,
    ) -> PyResult<Py<PyAny>> {
        let input = input(py, data)?;
        let plan = &self.plan;
        let text = py.detach(|| -> Result<String, String> {
            let ds = read(plan, input)?;
            let all = plan
                .explain(&ds, collection, key, depth)
                .map_err(|e| e.to_string())?;
            serde_json::to_string(&all).map_err(|e| e.to_string())
        });
        let text = text.map_err(ScoreError::new_err)?;
        Ok(py
            .import("json")?
            .getattr("loads")?
            .call1((text,))?
            .unbind())
    }

    fn __repr__(&self) -> String {
        format!(
            "<scorecard.Plan {} {}>",
            self.plan.name(),
            self.plan.version()
        )
    }
}

/// The module.
#[pymodule]
fn _scorecard(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Plan>()?;
    let py = m.py();
    m.add("ScorecardError", py.get_type::<ScorecardError>())?;
    m.add("PackError", py.get_type::<PackError>())?;
    m.add("DataError", py.get_type::<DataError>())?;
    m.add("ScoreError", py.get_type::<ScoreError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
