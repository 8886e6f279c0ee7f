//! Where packs, their fixtures and their sample data are read from: the disk, or (with the
//! feature `shipped`) the packs of `rules/` built into the binary.
//!
//! A shipped pack has a path under [`SHIPPED`] (`<shipped>/supervision-coverage`), so that
//! everything that names a file (diagnostics, fixture paths, `../calendars/…` from a pack)
//! works the same for both, and says which one it read: `<shipped>/catering-grading/
//! pack.json:12:5`. A folder on disk always wins: [`pack_dir`] looks there first.

use std::io;
use std::path::{Component, Path, PathBuf};

/// The root of the shipped packs' paths.
pub const SHIPPED: &str = "<shipped>";

#[cfg(feature = "shipped")]
static RULES: include_dir::Dir<'static> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/rules");

/// The path inside the shipped `rules/` of a path under [`SHIPPED`] (`..` and `.`
/// resolved), or `None` for a path on disk.
fn shipped_rel(path: &Path) -> Option<PathBuf> {
    let mut parts = path.components();
    match parts.next() {
        Some(Component::Normal(first)) if first == SHIPPED => {}
        _ => return None,
    }
    let mut rel = PathBuf::new();
    for c in parts {
        match c {
            Component::Normal(p) => rel.push(p),
            Component::ParentDir => {
                rel.pop();
            }
            _ => {}
        }
    }
    Some(rel)
}

fn not_shipped(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("{} is not among the shipped files", path.display()),
    )
}

/// The bytes of a file.
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    match shipped_rel(path) {
        None => std::fs::read(path),
        #[cfg(feature = "shipped")]
        Some(rel) => RULES
            .get_file(&rel)
            .map(|f| f.contents().to_vec())
            .ok_or_else(|| not_shipped(path)),
        #[cfg(not(feature = "shipped"))]
        Some(_) => Err(not_shipped(path)),
    }
}

/// The bytes of one of a pack's files, read only when, its links followed, it is a regular
/// file inside `root` (the folder it is named in), of at most
/// [`crate::limits::MAX_PACK_FILE_BYTES`]: a script linked to a system file, or a calendar
/// linked to a device that never ends, is refused before a byte of it is read.
pub fn read_within(path: &Path, root: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read;
    if shipped_rel(path).is_some() {
        return read(path);
    }
    let max = crate::limits::MAX_PACK_FILE_BYTES;
    let refuse = |kind, why: String| Err(io::Error::new(kind, why));
    let real = std::fs::canonicalize(path)?;
    let base = std::fs::canonicalize(root)?;
    if !real.starts_with(&base) {
        return refuse(
            io::ErrorKind::PermissionDenied,
            format!(
                "it leads out of {} (to {}): a pack's files are read only inside its folder",
                root.display(),
                real.display()
            ),
        );
    }
    let meta = std::fs::metadata(&real)?;
    if !meta.is_file() {
        return refuse(
            io::ErrorKind::InvalidInput,
            "it is not a regular file".into(),
        );
    }
    let too_big = |n: u64| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("it has {n} bytes or more, past the {max} a pack's file may have (limits::MAX_PACK_FILE_BYTES)"),
        )
    };
    if meta.len() > max {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(&real)?
        .take(max + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// The text of a file (UTF-8).
pub fn read_to_string(path: &Path) -> io::Result<String> {
    String::from_utf8(read(path)?).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Whether `path` is a file.
pub fn is_file(path: &Path) -> bool {
    match shipped_rel(path) {
        None => path.is_file(),
        #[cfg(feature = "shipped")]
        Some(rel) => RULES.get_file(&rel).is_some(),
        #[cfg(not(feature = "shipped"))]
        Some(_) => false,
    }
}

/// Whether `path` is a folder.
pub fn is_dir(path: &Path) -> bool {
    match shipped_rel(path) {
        None => path.is_dir(),
        #[cfg(feature = "shipped")]
        Some(rel) => rel.as_os_str().is_empty() || RULES.get_dir(&rel).is_some(),
        #[cfg(not(feature = "shipped"))]
        Some(_) => false,
    }
}

/// The entries of a folder, sorted.
pub fn list(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = match shipped_rel(dir) {
        None => std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect(),
        #[cfg(feature = "shipped")]
        Some(rel) => {
            let found = if rel.as_os_str().is_empty() {
                Some(&RULES)
            } else {
                RULES.get_dir(&rel)
            };
            let found = found.ok_or_else(|| not_shipped(dir))?;
            found
                .entries()
                .iter()
                .filter_map(|e| e.path().file_name().map(|n| dir.join(n)))
                .collect()
        }
        #[cfg(not(feature = "shipped"))]
        Some(_) => return Err(not_shipped(dir)),
    };
    out.sort();
    Ok(out)
}

/// The names of the shipped packs (the folders of `rules/` with a `pack.json`), sorted;
/// none without the feature `shipped`.
pub fn shipped_packs() -> Vec<String> {
    list(Path::new(SHIPPED))
        .unwrap_or_default()
        .into_iter()
        .filter(|p| is_file(&p.join("pack.json")))
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect()
}

/// The folder of the pack `given`: the folder on disk when there is one, else the shipped
/// pack of that name (`supervision-coverage`, or `rules/supervision-coverage` as written
/// in the repository); `None` when neither exists.
pub fn pack_dir(given: &Path) -> Option<PathBuf> {
    if given.is_dir() || shipped_rel(given).is_some() {
        return is_dir(given).then(|| given.to_path_buf());
    }
    let name = match given.strip_prefix("rules") {
        Ok(rest) if rest.components().count() == 1 => rest,
        _ if given.components().count() == 1 => given,
        _ => return None,
    };
    let shipped = Path::new(SHIPPED).join(name);
    is_file(&shipped.join("pack.json")).then_some(shipped)
}

/// The folder holding every shipped pack (`<shipped>`), or `rules/` here when it has packs
/// of its own (a checkout of the repository: what is being edited wins).
pub fn rules_dir() -> PathBuf {
    let here = Path::new("rules");
    if here.is_dir() {
        here.to_path_buf()
    } else {
        PathBuf::from(SHIPPED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_paths_resolve_parent_folders() {
        let p = Path::new("<shipped>/reporting-deadlines/../calendars/cn-2025.json");
        assert_eq!(
            shipped_rel(p),
            Some(PathBuf::from("calendars/cn-2025.json"))
        );
        assert_eq!(shipped_rel(Path::new("rules/x")), None);
    }

    #[cfg(feature = "shipped")]
    #[test]
    fn shipped_packs_are_readable_by_name() {
        let names = shipped_packs();
        assert!(
            names.iter().any(|n| n == "supervision-coverage"),
            "{names:?}"
        );
        assert!(!names.iter().any(|n| n == "calendars"), "{names:?}");
        let dir = Path::new(SHIPPED).join("catering-grading");
        let text = read_to_string(&dir.join("pack.json")).unwrap();
        assert!(text.contains("\"collections\""));
        let fixtures = list(&dir.join("tests")).unwrap();
        assert!(!fixtures.is_empty());
        assert!(fixtures.iter().all(|f| is_file(f)));
        assert!(!is_file(&dir.join("nothing.json")));
        // a folder on disk of that name would win; there is none here named so
        assert_eq!(
            pack_dir(Path::new("demerit-points")),
            Some(Path::new(SHIPPED).join("demerit-points"))
        );
        assert_eq!(pack_dir(Path::new("no-such-pack")), None);
    }
}
