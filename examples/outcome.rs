//! Scores a dataset with the Rust API and prints the outcome document, as `scorecard score
//! --format json` does: the Rust API's part of the binding conformance run
//! (`tools/conformance.py`).
//!
//! ```sh
//! cargo run --release --example outcome -- rules/catering-grading rules/catering-grading/data/sample.json
//! ```
//!
//! The dataset is a JSON file, a workbook (`.xlsx`, `.xls`, `.ods`…) or a folder of CSV
//! files, read by the API's own readers. Exit 0 with the outcome on standard output; 2
//! with the error on standard error.

use scorecard::Plan;
use std::path::Path;
use std::process::ExitCode;

fn outcome(pack: &Path, data: &Path) -> Result<String, String> {
    let plan = Plan::load(pack).map_err(|e| e.to_string())?;
    let named = data.display().to_string();
    let ext = data
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let ds = if data.is_dir() {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(data).map_err(|e| e.to_string())? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.extension().is_some_and(|e| e == "csv") {
                let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
                files.push((path.display().to_string(), bytes));
            }
        }
        files.sort();
        plan.read_csv_files(&files)
    } else if ["xlsx", "xlsm", "xls", "xlsb", "ods"].contains(&ext.as_str()) {
        let bytes = std::fs::read(data).map_err(|e| e.to_string())?;
        plan.read_workbook(bytes, &named)
    } else {
        let bytes = std::fs::read(data).map_err(|e| e.to_string())?;
        plan.read_bytes(bytes).map_err(|e| e.in_input(&named))
    }
    .map_err(|e| e.to_string())?;
    let o = plan.score(&ds).map_err(|e| e.to_string())?;
    Ok(o.to_json())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [pack, data] = &args[..] else {
        eprintln!("usage: outcome PACK_DIR DATA");
        return ExitCode::from(2);
    };
    match outcome(Path::new(pack), Path::new(data)) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
