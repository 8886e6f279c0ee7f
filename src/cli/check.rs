//! `scorecard check`: every problem of each pack, with its file, line:col and JSON path,
//! the line of the pack with a caret under it, and the warnings of packs that load; or all
//! of it as JSON (`--format json`: the array the C ABI's check gives, per pack).

use crate::Format;
use annotate_snippets::{Level, Renderer, Snippet};
use scorecard::{Diagnostic, PackError, Plan, Severity};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Checks `packs`; failure when any has an error.
pub fn run(packs: &[PathBuf], format: Format) -> ExitCode {
    let mut bad = 0;
    let mut json = Vec::new();
    let mut files = Files::default();
    for p in packs {
        let p = &scorecard::files::pack_dir(p).unwrap_or_else(|| p.clone());
        let (diags, summary) = match load(p) {
            Ok(plan) => {
                let n = plan.warnings().len();
                let warned = if n == 0 {
                    String::new()
                } else {
                    format!(", {n} warning(s)")
                };
                let mut summary = format!(
                    "{}: ok ({} {}, {} indicators{warned})",
                    p.display(),
                    plan.name(),
                    plan.version(),
                    plan.indicator_ids().count()
                );
                // said only when it is so: most packs merge, and most users never split
                if let Err(why) = plan.mergeable() {
                    summary.push_str(&format!("\n  note: its partial results (score --partial) cannot be merged exactly: {why}"));
                }
                (plan.warnings().to_vec(), summary)
            }
            Err(Loaded::Invalid(diags)) => {
                bad += 1;
                let n = diags
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .count();
                let summary = format!("{}: {n} problem(s)", p.display());
                (diags, summary)
            }
            Err(Loaded::Other(message)) => {
                bad += 1;
                json.push(serde_json::json!({ "pack": p, "ok": false, "error": message }));
                if matches!(format, Format::Table) {
                    out!("{}: {message}", p.display());
                }
                continue;
            }
        };
        match format {
            Format::Json => {
                let ok = diags.iter().all(|d| d.severity != Severity::Error);
                json.push(serde_json::json!({ "pack": p, "ok": ok, "diagnostics": diags }));
            }
            Format::Table => {
                for d in &diags {
                    out!("{}", files.show(d));
                }
                out!("{summary}");
            }
        }
    }
    if matches!(format, Format::Json) {
        out!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
    }
    if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// What loading a folder gave, when it is not a plan.
enum Loaded {
    Invalid(Vec<Diagnostic>),
    Other(String),
}

/// Loads the pack in `dir`; a folder with no `pack.json` is said to be one (a folder of
/// calendars, say), not reported as a broken pack.
fn load(dir: &Path) -> Result<Plan, Loaded> {
    if let Some(why) = super::not_a_pack(dir) {
        return Err(Loaded::Other(why));
    }
    Plan::load(dir).map_err(|e| match e {
        PackError::Invalid(d) => Loaded::Invalid(d),
        other => Loaded::Other(other.to_string()),
    })
}

/// The packs' files, read once each, to show the line a problem is on.
#[derive(Default)]
struct Files(HashMap<String, Option<String>>);

impl Files {
    /// A diagnostic as a line of text, then the line of the file with a caret under the
    /// problem's column (when the file can be read and has that line).
    fn show(&mut self, d: &Diagnostic) -> String {
        let head = match d.severity {
            Severity::Error => d.to_string(),
            Severity::Warning => format!("warning: {d}"),
        };
        let text = self.0.entry(d.file.clone()).or_insert_with(|| {
            scorecard::files::read_to_string(std::path::Path::new(&d.file)).ok()
        });
        let Some(line) = text
            .as_deref()
            .and_then(|t| t.lines().nth(d.line.saturating_sub(1)))
        else {
            return head;
        };
        // the column counts characters; the span is in bytes
        let at: usize = line
            .chars()
            .take(d.col.saturating_sub(1))
            .map(char::len_utf8)
            .sum();
        let end = line[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        let level = match d.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
        };
        let snippet = Snippet::source(line)
            .line_start(d.line)
            .origin(&d.file)
            .annotation(level.span(at..end.max(at)).label(&d.path));
        let renderer = Renderer::plain();
        let rendered = renderer
            .render(level.title("").snippet(snippet))
            .to_string();
        // the title line repeats what the head line says: only the snippet is kept
        let body: Vec<&str> = rendered.lines().skip(1).collect();
        format!("{head}\n{}", body.join("\n"))
    }
}
