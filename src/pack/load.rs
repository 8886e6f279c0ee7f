//! Loading a pack from a folder (`pack.json`, later also scripts) or from a JSON string.

use crate::pack::Diagnostic;
use crate::plan::{compile, Plan};
use std::path::{Path, PathBuf};

/// Why a pack could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The pack has problems; each says where and what.
    #[error("{} problem(s) in the pack:\n{}", .0.len(), .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
    /// A bug: an unexpected panic was caught. Please report it.
    #[error("internal error while loading the pack (please report): {0}")]
    Internal(String),
}

/// Loads and compiles `dir/pack.json`.
pub fn load_dir(dir: &Path) -> Result<Plan, PackError> {
    let path = dir.join("pack.json");
    let bytes = std::fs::read(&path).map_err(|source| PackError::Io {
        path: path.clone(),
        source,
    })?;
    let file = path.display().to_string();
    let text = String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let (line, col) = crate::json_locate::after(good);
        PackError::Invalid(vec![Diagnostic {
            file: file.clone(),
            line,
            col,
            path: "(root)".into(),
            message: format!(
                "not UTF-8 text: byte {} does not begin a valid UTF-8 character",
                good.len()
            ),
        }])
    })?;
    compile(&text, &file, Some(dir)).map_err(PackError::Invalid)
}

/// Compiles a pack from the text of a `pack.json` (named `pack.json` in diagnostics).
/// Such a pack has no folder, so it cannot have script files.
pub fn from_json(text: &str) -> Result<Plan, PackError> {
    compile(text, "pack.json", None).map_err(PackError::Invalid)
}
