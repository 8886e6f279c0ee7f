//! `scorecard convert`: a JSON dataset written in a pack's sheets, as a workbook or as CSV
//! files (UTF-8 or GBK): what an export from a supervision system should look like for the
//! pack, and how the shipped sample's workbook and CSV files are made.

use scorecard::sheet_out;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// How the tables are written.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum To {
    /// One workbook, a sheet per collection.
    Xlsx,
    /// A folder with a CSV file per collection.
    Csv,
}

/// The text encoding of CSV files.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    /// UTF-8 with a byte-order mark (Excel reads it as UTF-8).
    Utf8,
    /// GBK, as Excel saves CSV on a Chinese Windows.
    Gbk,
}

/// Writes `tables` as a workbook at `out`, or as CSV files in the folder `out`.
pub fn write(
    tables: &[sheet_out::Table],
    to: To,
    encoding: Encoding,
    out: &Path,
) -> Result<(), String> {
    match to {
        To::Xlsx => {
            let bytes = sheet_out::workbook(tables)?;
            std::fs::write(out, bytes).map_err(|e| format!("cannot write {}: {e}", out.display()))
        }
        To::Csv => {
            std::fs::create_dir_all(out)
                .map_err(|e| format!("cannot make {}: {e}", out.display()))?;
            for t in tables {
                let bytes = sheet_out::csv(t, encoding == Encoding::Gbk)?;
                let path = out.join(format!("{}.csv", t.name));
                std::fs::write(&path, bytes)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            Ok(())
        }
    }
}

/// Converts the JSON dataset `input` (default: the pack's sample) to the pack's sheets.
pub fn run(
    pack: Option<PathBuf>,
    input: Option<PathBuf>,
    to: To,
    encoding: Encoding,
    out: &Path,
) -> Result<ExitCode, String> {
    let dir = super::input::pack_dir(pack.as_deref())?;
    let plan = scorecard::Plan::load(&dir).map_err(|e| e.to_string())?;
    let input = input.unwrap_or_else(|| dir.join("data").join("sample.json"));
    let text = scorecard::files::read_to_string(&input)
        .map_err(|e| format!("cannot read {}: {e}", input.display()))?;
    let tables = plan.dataset_sheets(&text)?;
    write(&tables, to, encoding, out)?;
    let records: usize = tables.iter().map(|t| t.rows.len()).sum();
    eprintln!(
        "{}: {} sheet(s), {records} row(s)",
        out.display(),
        tables.len()
    );
    Ok(ExitCode::SUCCESS)
}
