//! The pack and the dataset a command works on: the pack named (a folder, or a shipped
//! pack's name; by default the shipped supervision-coverage), and its data from JSON,
//! NDJSON, CSV files (or a folder of them) or a workbook, or else the pack's own sample.

use crate::InputFormat;
use indicatif::ProgressBar;
use scorecard::{files, Dataset, Plan};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The pack scored when none is named.
pub const DEFAULT_PACK: &str = "rules/supervision-coverage";

/// How a dataset is written.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Json,
    Ndjson,
    Csv,
    Workbook,
}

const WORKBOOK_EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xls", "xlsb", "ods"];

/// The kind of `path` by its name (a folder holds CSV files).
fn kind_of(path: &Path, format: InputFormat) -> Kind {
    match format {
        InputFormat::Json => return Kind::Json,
        InputFormat::Ndjson => return Kind::Ndjson,
        InputFormat::Csv => return Kind::Csv,
        InputFormat::Xlsx => return Kind::Workbook,
        InputFormat::Auto => {}
    }
    if path.is_dir() {
        return Kind::Csv;
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "ndjson" | "jsonl" => Kind::Ndjson,
        "csv" | "tsv" => Kind::Csv,
        e if WORKBOOK_EXTENSIONS.contains(&e) => Kind::Workbook,
        _ => Kind::Json,
    }
}

/// The pack folder to load: the one named, or the default.
pub fn pack_dir(pack: Option<&Path>) -> Result<PathBuf, String> {
    super::pack_dir(pack.unwrap_or(Path::new(DEFAULT_PACK)))
}

/// The inputs to read: those given, or the pack's own sample data (never another pack's).
fn inputs_or_sample(inputs: &[PathBuf], pack: &Path) -> Result<Vec<PathBuf>, String> {
    if !inputs.is_empty() {
        return Ok(inputs.to_vec());
    }
    let sample = pack.join("data").join("sample.json");
    if files::is_file(&sample) {
        return Ok(vec![sample]);
    }
    Err(format!(
        "{} has no sample data ({}): give the dataset with --input",
        pack.display(),
        sample.display()
    ))
}

/// The CSV files to read for `inputs`: the files named, and the `.csv`/`.tsv` files of
/// the folders named, sorted.
fn csv_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for i in inputs {
        if i.is_dir() {
            let mut found: Vec<PathBuf> = files::list(i)
                .map_err(|e| format!("cannot read {}: {e}", i.display()))?
                .into_iter()
                .filter(|p| {
                    p.extension().is_some_and(|e| {
                        e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("tsv")
                    })
                })
                .collect();
            if found.is_empty() {
                return Err(format!("{} holds no .csv files", i.display()));
            }
            out.append(&mut found);
        } else {
            out.push(i.clone());
        }
    }
    Ok(out)
}

/// Loads the pack named (or the default).
pub fn plan(pack: Option<PathBuf>) -> Result<Plan, String> {
    let pack = pack_dir(pack.as_deref())?;
    Plan::load(&pack).map_err(|e| e.to_string())
}

/// Loads the pack and reads the dataset, with a progress bar over the input's bytes for
/// long runs (JSON and NDJSON).
pub fn load(
    pack: Option<PathBuf>,
    inputs: &[PathBuf],
    format: InputFormat,
    bar: &ProgressBar,
) -> Result<(Plan, Dataset), String> {
    let pack = pack_dir(pack.as_deref())?;
    let plan = Plan::load(&pack).map_err(|e| e.to_string())?;
    let inputs = inputs_or_sample(inputs, &pack)?;
    let kinds: Vec<Kind> = inputs.iter().map(|i| kind_of(i, format)).collect();
    let kind = kinds[0];
    if kinds.iter().any(|k| *k != kind) || (inputs.len() > 1 && kind != Kind::Csv) {
        return Err(
            "give one dataset: a JSON, NDJSON or workbook file, or CSV files (or folders of them)"
                .into(),
        );
    }
    let ds = match kind {
        Kind::Csv => {
            let mut named = Vec::new();
            let all = csv_files(&inputs)?;
            let total: u64 = all
                .iter()
                .filter_map(|f| std::fs::metadata(f).ok())
                .map(|m| m.len())
                .sum();
            let max = scorecard::limits::MAX_CSV_BYTES;
            if total > max {
                return Err(format!(
                    "the CSV files have {total} bytes: more than the {max} read for a dataset (limits::MAX_CSV_BYTES); give larger data as NDJSON, which is streamed"
                ));
            }
            for f in all {
                let bytes =
                    files::read(&f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
                named.push((f.display().to_string(), bytes));
            }
            plan.read_csv_files(&named).map_err(|e| e.to_string())?
        }
        Kind::Workbook => {
            let f = &inputs[0];
            let max = scorecard::limits::MAX_WORKBOOK_BYTES;
            size_of_at_most(f, max, "a workbook", "limits::MAX_WORKBOOK_BYTES")?;
            let bytes = files::read(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
            plan.read_workbook(bytes, &f.display().to_string())
                .map_err(|e| e.to_string())?
        }
        Kind::Json | Kind::Ndjson => read_json(&plan, &inputs[0], kind, bar)?,
    };
    say_where_keyless_records_are(&ds, &inputs);
    Ok((plan, ds))
}

/// The size of file `f` (0 for a shipped one), when it is at most `max`: else an error
/// that names the limit, before the file is read.
fn size_of_at_most(f: &Path, max: u64, what: &str, limit: &str) -> Result<u64, String> {
    let Ok(m) = std::fs::metadata(f) else {
        return Ok(0);
    };
    match m.len() > max {
        true => Err(format!(
            "{} has {} bytes: more than the {max} of {what} read for a dataset ({limit}); give larger data as NDJSON, which is streamed",
            f.display(),
            m.len()
        )),
        false => Ok(m.len()),
    }
}

/// How many records without a usable key are placed on standard error, at most.
const KEYLESS_SHOWN: usize = 20;

/// Where each record rejected without a usable key stands, on standard error: the
/// outcome lists it by a digest, which says nothing of where to find it.
fn say_where_keyless_records_are(ds: &Dataset, inputs: &[PathBuf]) {
    let all = ds.keyless();
    let file = match inputs {
        [one] if !one.is_dir() => format!("{} ", one.display()),
        _ => String::new(),
    };
    for k in all.iter().take(KEYLESS_SHOWN) {
        eprintln!(
            "note: {file}{}: a record of {} without a usable key, rejected as {}: {}",
            k.at, k.collection, k.label, k.reason
        );
    }
    if all.len() > KEYLESS_SHOWN {
        eprintln!(
            "note: and {} more records without a usable key",
            all.len() - KEYLESS_SHOWN
        );
    }
}

/// A JSON or NDJSON dataset from a file (or standard input, `-`).
fn read_json(plan: &Plan, input: &Path, kind: Kind, bar: &ProgressBar) -> Result<Dataset, String> {
    let (reader, name): (Box<dyn Read>, String) = if input.as_os_str() == "-" {
        (Box::new(std::io::stdin().lock()), "standard input".into())
    } else if !input.exists() {
        // a shipped pack's sample
        let bytes =
            files::read(input).map_err(|e| format!("cannot read {}: {e}", input.display()))?;
        (
            Box::new(std::io::Cursor::new(bytes)),
            input.display().to_string(),
        )
    } else {
        let file = std::fs::File::open(input)
            .map_err(|e| format!("cannot read {}: {e}", input.display()))?;
        if let Ok(m) = file.metadata() {
            let max = scorecard::limits::MAX_DOCUMENT_BYTES;
            if kind == Kind::Json && m.len() > max {
                return Err(format!(
                    "{} has {} bytes, more than {max}, the most of a JSON document read whole (limits::MAX_DOCUMENT_BYTES): give it as NDJSON (.ndjson), which is streamed",
                    input.display(),
                    m.len()
                ));
            }
            bar.set_length(m.len());
        }
        (Box::new(file), input.display().to_string())
    };
    bar.set_message("reading");
    let reader = bar.wrap_read(reader);
    if kind == Kind::Ndjson {
        return plan
            .read_ndjson(std::io::BufReader::with_capacity(1 << 20, reader))
            .map_err(|e| e.in_input(&name).to_string());
    }
    // a document is read whole: at most MAX_DOCUMENT_BYTES of it
    let max = scorecard::limits::MAX_DOCUMENT_BYTES;
    let mut bytes = Vec::new();
    reader
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "{name} is larger than {max} bytes, the most of a JSON document read whole (limits::MAX_DOCUMENT_BYTES): give it as NDJSON (.ndjson), which is streamed"
        ));
    }
    bar.set_message("converting records");
    plan.read_bytes(bytes)
        .map_err(|e| e.in_input(&name).to_string())
}
