//! The subcommands that are more than a call into the library, one file each.

pub mod check;
pub mod diff;
pub mod schema;
pub mod test;

use std::path::Path;

/// Why `dir` is not a pack folder, when it is not: it cannot be read, or it has no
/// `pack.json` (a folder of calendars, say), which is said as such, not as a broken pack.
pub fn not_a_pack(dir: &Path) -> Option<String> {
    if !dir.is_dir() {
        return Some(format!("cannot read {}: no such folder", dir.display()));
    }
    if dir.join("pack.json").is_file() {
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
