//! Loading: reading `pack.json`, the packs it imports, its calendars and its script files,
//! into a `LoadedPack` that the compiler (`plan`) turns into a plan without any I/O.
//! Every file read is added to the pack's digest; every file that cannot be read, and
//! every problem found while reading, is a located diagnostic.

use super::imports;
use super::sources::Sources;
use crate::calendar::Calendar;
use crate::json_locate::JsonPath;
use crate::pack::Diagnostic;
use crate::plan::Plan;
use serde_json::Value as Json;
use sha2::Digest;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// A script file of the pack, read.
#[derive(Debug)]
pub(crate) struct ScriptSource {
    /// Its place in `scripts.files`.
    pub index: usize,
    /// Its name in `scripts.files`.
    pub name: String,
    /// Its path, as diagnostics give it.
    pub file: String,
    /// Its text.
    pub text: String,
}

/// A pack read from its files, imports merged: what the compiler needs, and nothing it has
/// to read.
#[derive(Debug)]
pub(crate) struct LoadedPack {
    /// The texts it came from, to locate diagnostics.
    pub sources: Sources,
    /// `pack.json` with the imported entries merged in (and `imports` removed).
    pub json: Json,
    /// The working-day calendar of its calendar files, when it has any and all are good.
    pub calendar: Option<Arc<Calendar>>,
    /// Its script files, in `scripts.files` order (those that could be read).
    pub scripts: Vec<ScriptSource>,
    /// Whether every script file could be read.
    pub scripts_all_read: bool,
    /// `sha256:` of the pack's files.
    pub digest: String,
    /// Problems found while loading.
    pub problems: Vec<Diagnostic>,
}

/// Collects what loading finds: located problems, and the digest of what was read.
pub(crate) struct Loader<'s> {
    pub sources: &'s mut Sources,
    pub problems: Vec<Diagnostic>,
    hasher: sha2::Sha256,
}

impl Loader<'_> {
    /// A problem at `path` of the merged pack.
    pub fn problem(&mut self, path: &JsonPath, message: String) {
        let d = self.sources.diagnostic(path, message, None);
        self.problems.push(d);
    }

    /// Reads a file the pack uses (a script, a calendar, an imported pack), which must be
    /// inside `root` ([`crate::files::read_within`]), and adds it to the digest under
    /// `name`; an unreadable file is a problem at `at`.
    pub fn read(
        &mut self,
        at: &JsonPath,
        what: &str,
        name: &str,
        (path, root): (&Path, &Path),
    ) -> Option<String> {
        let text = crate::files::read_within(path, root).and_then(|b| {
            String::from_utf8(b).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
        });
        match text {
            Ok(mut text) => {
                if text.starts_with('\u{feff}') {
                    text.drain(..'\u{feff}'.len_utf8());
                }
                Some(self.digested(name, text))
            }
            Err(e) => {
                self.problem(at, format!("cannot read {what}{}: {e}", path.display()));
                None
            }
        }
    }
}

impl Loader<'_> {
    /// `text`, read as `name`, added to the pack's digest.
    fn digested(&mut self, name: &str, text: String) -> String {
        self.hasher.update(name.as_bytes());
        self.hasher.update([0]);
        self.hasher.update(text.as_bytes());
        text
    }
}

/// The calendars shipped in `rules/calendars/`, built into the binary: a pack names them
/// wherever it is (a `calendars` folder beside the pack folder wins).
const SHIPPED_CALENDARS: [(&str, &str); 3] = [
    ("cn-2024", include_str!("../../rules/calendars/cn-2024.json")),
    ("cn-2025", include_str!("../../rules/calendars/cn-2025.json")),
    ("cn-2026", include_str!("../../rules/calendars/cn-2026.json")),
];

/// Loads and compiles `dir/pack.json`.
pub fn load_dir(dir: &Path) -> Result<Plan, PackError> {
    let path = dir.join("pack.json");
    let bytes = crate::files::read_within(&path, dir).map_err(|source| PackError::Io {
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
            severity: crate::pack::Severity::Error,
        }])
    })?;
    let loaded = load(&text, &file, Some(dir)).map_err(PackError::Invalid)?;
    crate::plan::compile(loaded).map_err(PackError::Invalid)
}

/// Compiles a pack from the text of a `pack.json` (named `pack.json` in diagnostics).
/// Such a pack has no folder, so it cannot have imports, calendars or script files.
pub fn from_json(text: &str) -> Result<Plan, PackError> {
    let loaded = load(text, "pack.json", None).map_err(PackError::Invalid)?;
    crate::plan::compile(loaded).map_err(PackError::Invalid)
}

/// Reads the text of a `pack.json` (named `file` in diagnostics) and everything it names
/// from `dir`. Fails only when the text is not JSON; every other problem is carried in
/// [`LoadedPack::problems`] so that the compiler can add its own.
pub(crate) fn load(
    text: &str,
    file: &str,
    dir: Option<&Path>,
) -> Result<LoadedPack, Vec<Diagnostic>> {
    // a byte-order mark (Windows Notepad, Excel) is not part of the pack
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut json: Json = serde_json::from_str(text).map_err(|e| {
        vec![Diagnostic {
            file: file.to_string(),
            line: e.line(),
            col: e.column(),
            path: "(root)".into(),
            message: format!("not valid JSON: {}", crate::data::serde_message(&e)),
            severity: crate::pack::Severity::Error,
        }]
    })?;
    let mut sources = Sources::new(file, Arc::from(text));
    let mut hasher = sha2::Sha256::new();
    hasher.update(text.as_bytes());
    let mut loader = Loader {
        sources: &mut sources,
        problems: Vec::new(),
        hasher,
    };
    duplicate_keys(&mut loader, 0);
    if json.get("imports").is_some() {
        imports::merge(&mut loader, &mut json, dir);
    }
    let calendar = match json.get("calendars").and_then(Json::as_array) {
        Some(names) if !names.is_empty() => calendars(&mut loader, names, dir),
        _ => None,
    };
    let (scripts, scripts_all_read) = match json.get("scripts") {
        Some(s) => scripts(&mut loader, s, dir),
        None => (Vec::new(), true),
    };
    let Loader {
        problems, hasher, ..
    } = loader;
    let digest = format!(
        "sha256:{}",
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    Ok(LoadedPack {
        sources,
        json,
        calendar,
        scripts,
        scripts_all_read,
        digest,
        problems,
    })
}

/// Reports each key that appears twice in one object of source `source` (serde would
/// silently keep the last).
pub(crate) fn duplicate_keys(loader: &mut Loader, source: usize) {
    let found = crate::json_locate::duplicate_keys(loader.sources.text_of(source));
    for (path, at) in found {
        let d = loader.sources.diagnostic_at(
            source,
            &path,
            at,
            "this key appears a second time in its object; the first would be silently lost".into(),
        );
        loader.problems.push(d);
    }
}

/// A name that stands for a file beside or inside the pack: letters, digits, `-`, `_`.
pub(crate) fn is_simple_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A relative path that stays inside the pack folder.
fn is_inside_pack(path: &str) -> bool {
    let rel = Path::new(path);
    !rel.is_absolute()
        && !rel
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
}

/// Reads and checks the working-day calendars (`calendars`: names or paths); the calendar
/// (what was read of it, when a problem was found).
fn calendars(loader: &mut Loader, names: &[Json], dir: Option<&Path>) -> Option<Arc<Calendar>> {
    let here = JsonPath::root().key("calendars");
    let Some(dir) = dir else {
        loader.problem(
            &here,
            "calendars need a pack folder: load the pack with Plan::load(dir)".into(),
        );
        return None;
    };
    let mut cal = Calendar::default();
    for (i, name) in names.iter().enumerate() {
        let Some(name) = name.as_str() else {
            return None; // not a list of names: the compiler's reading of the pack says so
        };
        let calendar_at = here.index(i);
        // the calendar's text, and how problems in it name it
        let (text, shown) = if name.ends_with(".json") {
            if !is_inside_pack(name) {
                loader.problem(&calendar_at, format!("'{name}' must be a path inside the pack folder, or a calendar name such as cn-2025"));
                continue;
            }
            let path = dir.join(name);
            let Some(text) = loader.read(&calendar_at, "calendar ", name, (&path, dir)) else {
                continue;
            };
            (text, path.display().to_string())
        } else if is_simple_name(name) {
            let beside = dir.join("..").join("calendars").join(format!("{name}.json"));
            let shipped = SHIPPED_CALENDARS.iter().find(|(n, _)| *n == name);
            match shipped {
                _ if crate::files::is_file(&beside) => {
                    let folder = dir.join("..").join("calendars");
                    let Some(text) = loader.read(&calendar_at, "calendar ", name, (&beside, &folder)) else {
                        continue;
                    };
                    (text, beside.display().to_string())
                }
                Some((_, text)) => (loader.digested(name, text.to_string()), name.to_string()),
                None => {
                    let all: Vec<&str> = SHIPPED_CALENDARS.iter().map(|(n, _)| *n).collect();
                    loader.problem(
                        &calendar_at,
                        format!(
                            "no calendar '{name}': {} does not exist, and the shipped calendars are {}",
                            beside.display(),
                            all.join(", ")
                        ),
                    );
                    continue;
                }
            }
        } else {
            loader.problem(
                &calendar_at,
                format!(
                    "'{name}' is neither a calendar name (letters, digits, -) nor a .json path"
                ),
            );
            continue;
        };
        if let Err(problems) = cal.add_file(&text) {
            for m in problems {
                loader.problem(&calendar_at, format!("calendar {shown}: {m}"));
            }
        }
    }
    // after a problem the pack fails with it; the calendar still stands, so that the
    // expressions that use it do not add that the pack has none
    Some(Arc::new(cal))
}

/// Reads the script files (`scripts.files`), each a path inside the pack folder.
fn scripts(loader: &mut Loader, spec: &Json, dir: Option<&Path>) -> (Vec<ScriptSource>, bool) {
    let here = JsonPath::root().key("scripts");
    let Some(dir) = dir else {
        loader.problem(
            &here,
            "scripts need a pack folder: load the pack with Plan::load(dir)".into(),
        );
        return (Vec::new(), false);
    };
    let Some(files) = spec.get("files").and_then(Json::as_array) else {
        return (Vec::new(), false); // the compiler's reading of the pack says what is wrong
    };
    let mut out = Vec::new();
    let mut all_read = true;
    for (index, f) in files.iter().enumerate() {
        let Some(name) = f.as_str() else {
            return (out, false);
        };
        let file_at = here.key("files").index(index);
        if !is_inside_pack(name) {
            loader.problem(
                &file_at,
                format!("'{name}' must be a path inside the pack folder"),
            );
            continue;
        }
        let path = dir.join(name);
        match loader.read(&file_at, "", name, (&path, dir)) {
            Some(text) => out.push(ScriptSource {
                index,
                name: name.to_string(),
                file: path.display().to_string(),
                text,
            }),
            None => all_read = false,
        }
    }
    (out, all_read)
}
