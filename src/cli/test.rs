//! `scorecard test`: runs packs' fixtures; `--coverage` says which rules they exercised,
//! `--junit FILE` writes the results for CI systems, `--accept FILE…` writes a reviewed
//! fixture's actual outcome as its expectation.

use crate::Format;
use scorecard::coverage::Coverage;
use scorecard::{fixtures, Plan};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `scorecard test` was asked for.
pub struct Args {
    pub packs: Vec<PathBuf>,
    pub coverage: bool,
    pub format: Format,
    pub junit: Option<PathBuf>,
}

/// One fixture's result: its file, and what differs (nothing: it passed).
struct Ran {
    file: PathBuf,
    problems: Vec<String>,
}

/// Runs the fixtures of `packs` (default: every pack under `rules/`).
pub fn run(a: Args) -> ExitCode {
    let packs = if a.packs.is_empty() {
        fixtures::packs(&scorecard::files::rules_dir())
    } else {
        let named = |p: PathBuf| scorecard::files::pack_dir(&p).unwrap_or(p);
        a.packs.into_iter().map(named).collect()
    };
    let (mut passed, mut failed) = (0, 0);
    let mut suites: Vec<(String, Vec<Ran>)> = Vec::new();
    let mut coverages: Vec<Coverage> = Vec::new();
    let quiet = a.coverage && matches!(a.format, Format::Json);
    for dir in &packs {
        let mut ran = Vec::new();
        let plan = match load(dir) {
            Ok(p) => p,
            Err(e) => {
                if !quiet {
                    out!("FAIL {}: {e}", dir.display());
                }
                failed += 1;
                suites.push((
                    dir.display().to_string(),
                    vec![Ran {
                        file: dir.clone(),
                        problems: vec![e],
                    }],
                ));
                continue;
            }
        };
        let found = fixtures::discover(dir);
        if found.is_empty() {
            if !quiet {
                out!("FAIL {}: no fixtures in tests/", dir.display());
            }
            failed += 1;
            ran.push(Ran {
                file: dir.join("tests"),
                problems: vec!["no fixtures in tests/".into()],
            });
        }
        let mut cov = Coverage::new(&plan);
        for f in found {
            let problems = match fixtures::read(&f) {
                Err(p) => p,
                Ok((fx, input)) => {
                    let result = match plan.read(&input) {
                        Ok(ds) if a.coverage => cov.add(&plan, &ds),
                        Ok(ds) => plan.score(&ds),
                        Err(e) => Err(e.into()),
                    };
                    fixtures::check(&fx, result).err().unwrap_or_default()
                }
            };
            if problems.is_empty() {
                passed += 1;
                if !quiet {
                    out!("ok   {}", f.display());
                }
            } else {
                failed += 1;
                if !quiet {
                    out!("FAIL {}", f.display());
                    for d in &problems {
                        out!("     {d}");
                    }
                }
            }
            ran.push(Ran { file: f, problems });
        }
        suites.push((dir.display().to_string(), ran));
        if a.coverage {
            coverages.push(cov);
        }
    }
    if a.coverage {
        match a.format {
            Format::Json => out!(
                "{}",
                serde_json::to_string_pretty(&coverages).unwrap_or_default()
            ),
            Format::Table => {
                for c in &coverages {
                    out!("{}", coverage_text(c));
                }
            }
        }
    }
    if let Some(path) = &a.junit {
        if let Err(e) = std::fs::write(path, junit(&suites)) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    if !quiet {
        out!("{passed} passed, {failed} failed");
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The pack in `dir`, or why not (a folder with no `pack.json` is said not to be a pack).
fn load(dir: &Path) -> Result<Plan, String> {
    if let Some(why) = super::not_a_pack(dir) {
        return Err(why);
    }
    Plan::load(dir).map_err(|e| format!("the pack does not load:\n{e}"))
}

/// A pack's coverage as text: the share of rows and bands that fired, each table's rows
/// with their counts, the indicators' outcomes, and what was never exercised.
fn coverage_text(c: &Coverage) -> String {
    let mut s = String::new();
    let (fired, all) = c.fired();
    let _ = writeln!(
        s,
        "coverage of {} over {} fixture(s): {fired}/{all} table rows and bands fired",
        c.pack, c.runs
    );
    for t in &c.tables {
        let note = if t.followed {
            String::new()
        } else {
            " (not followed: on the scorecard or on groups)".into()
        };
        let _ = writeln!(s, "  table {}{note}", t.table);
        for h in &t.entries {
            let hits = if t.followed {
                h.hits.to_string()
            } else {
                "-".into()
            };
            let _ = writeln!(s, "    {:>6}  {:<10} {}", hits, h.what, h.at);
        }
        if t.followed && t.defaulted > 0 {
            let _ = writeln!(s, "    {:>6}  no row matched", t.defaulted);
        }
    }
    for i in &c.indicators {
        let _ = writeln!(
            s,
            "  indicator {}: met {}, not met {}, not applicable {}, no target {}",
            i.id, i.met, i.not_met, i.not_applicable, i.no_target
        );
    }
    for h in &c.actions {
        let _ = writeln!(s, "  action {}: {} ({})", h.what, h.hits, h.at);
    }
    for h in &c.scripts {
        let _ = writeln!(
            s,
            "  script function {}: {} call(s) ({})",
            h.what, h.hits, h.at
        );
    }
    let missed = c.missed();
    if missed.is_empty() {
        let _ = writeln!(
            s,
            "  every row, band, action and script function was exercised"
        );
    } else {
        for m in missed {
            let _ = writeln!(s, "  never: {m}");
        }
    }
    s
}

/// The results as JUnit XML (one test suite per pack, one test case per fixture).
fn junit(suites: &[(String, Vec<Ran>)]) -> String {
    let esc = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let total: usize = suites.iter().map(|s| s.1.len()).sum();
    let failures: usize = suites
        .iter()
        .flat_map(|s| &s.1)
        .filter(|r| !r.problems.is_empty())
        .count();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"scorecard\" tests=\"{total}\" failures=\"{failures}\">"
    );
    for (pack, ran) in suites {
        let failed = ran.iter().filter(|r| !r.problems.is_empty()).count();
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\">",
            esc(pack),
            ran.len()
        );
        for r in ran {
            let name = r
                .file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let _ = write!(
                x,
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\"",
                esc(&name),
                esc(pack),
                esc(&r.file.display().to_string())
            );
            if r.problems.is_empty() {
                x.push_str("/>\n");
            } else {
                let first = r.problems[0].lines().next().unwrap_or_default();
                let _ = writeln!(
                    x,
                    ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                    esc(first),
                    esc(&r.problems.join("\n"))
                );
            }
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

/// Writes the actual outcome of each fixture as its `expect` (after a review of what
/// `scorecard test` showed), saying what it wrote; the pack is the folder above `tests/`.
pub fn accept(files: &[PathBuf]) -> ExitCode {
    let mut bad = 0;
    for f in files {
        match accept_one(f) {
            Ok(what) => out!("accepted {}: {what}", f.display()),
            Err(e) => {
                bad += 1;
                eprintln!("error: {}: {e}", f.display());
            }
        }
    }
    if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn accept_one(f: &Path) -> Result<String, String> {
    let pack = f
        .parent()
        .and_then(Path::parent)
        .filter(|p| p.join("pack.json").is_file())
        .ok_or("a fixture is in a pack's tests/ folder; no pack.json above it")?;
    let plan = Plan::load(pack).map_err(|e| e.to_string())?;
    let (_, input) = fixtures::read(f).map_err(|e| e.join("; "))?;
    let text = std::fs::read_to_string(f).map_err(|e| e.to_string())?;
    let mut fx: serde_json::Value =
        serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| e.to_string())?;
    let outcome = plan
        .score_json(&input)
        .map_err(|e| format!("scoring fails, so there is no outcome to accept: {e}"))?;
    let mut expect: serde_json::Value =
        serde_json::from_str(&outcome.to_json()).map_err(|e| e.to_string())?;
    // the pack's identity changes with every edit of the pack, the engine's with every
    // release: not expectations
    if let Some(o) = expect.as_object_mut() {
        o.remove("pack");
        o.remove("engine");
    }
    let had = fx.get("expect").is_some();
    let obj = fx.as_object_mut().ok_or("a fixture is a JSON object")?;
    obj.remove("expect_error");
    obj.insert("expect".into(), expect);
    let mut out = serde_json::to_string_pretty(&fx).map_err(|e| e.to_string())?;
    out.push('\n');
    std::fs::write(f, out).map_err(|e| e.to_string())?;
    let records: usize = outcome.records.values().map(|r| r.keys().len()).sum();
    Ok(format!(
        "expect {} with the whole outcome ({} indicator(s), {} jurisdiction(s), {records} record(s))",
        if had { "replaced" } else { "written" },
        outcome.indicators.len(),
        outcome.groups.len()
    ))
}
