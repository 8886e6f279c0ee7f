//! The subcommands that are more than a call into the library, one file each.

pub mod check;
pub mod convert;
pub mod diff;
pub mod input;
pub mod partial;
pub mod schema;
pub mod score;
pub mod test;

use std::path::{Path, PathBuf};

/// The folder of the pack named on the command line: a folder on disk when there is one,
/// else the shipped pack of that name, else an error that lists the shipped packs.
pub fn pack_dir(given: &Path) -> Result<PathBuf, String> {
    scorecard::files::pack_dir(given).ok_or_else(|| {
        format!(
            "no pack folder {} here, and no shipped pack of that name (shipped: {})",
            given.display(),
            scorecard::files::shipped_packs().join(", ")
        )
    })
}

/// Why `dir` is not a pack folder, when it is not: it cannot be read, or it has no
/// `pack.json` (a folder of calendars, say), which is said as such, not as a broken pack.
pub fn not_a_pack(dir: &Path) -> Option<String> {
    if !scorecard::files::is_dir(dir) {
        return Some(format!("cannot read {}: no such folder", dir.display()));
    }
    if scorecard::files::is_file(&dir.join("pack.json")) {
        return None;
    }
    let hint = if dir.ends_with("calendars") {
        " (it holds calendars, which packs name in \"calendars\")"
    } else {
        ""
    };
    Some(format!(
        "not a pack: there is no pack.json in this folder{hint}"
    ))
}
