//! `scorecard score` and `scorecard merge`: an outcome (or a partial result) written as
//! the format asks, to a file or standard output.

use crate::{InputFormat, Lang, OutputArgs, Rejections, ScoreFormat, When};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Inputs at least this large get a progress bar (when standard error is a terminal).
const PROGRESS_FROM_BYTES: u64 = 8 << 20;

/// A progress bar for reading `input`: hidden unless asked for, the input is large, and
/// standard error is a terminal.
fn progress_bar(input: Option<&Path>, when: When) -> ProgressBar {
    let large = input
        .and_then(|p| std::fs::metadata(p).ok())
        .is_some_and(|m| m.len() >= PROGRESS_FROM_BYTES);
    if when == When::Never || !large || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:20} [{bar:40}] {bytes}/{total_bytes} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

/// What `score` is asked.
pub struct Args {
    /// Write the partial result instead of the outcome.
    pub partial: bool,
    /// The pack.
    pub pack: Option<PathBuf>,
    /// The dataset's files.
    pub input: Vec<PathBuf>,
    /// Where and how the outcome is written.
    pub out: OutputArgs,
    /// What records rejected do to the exit code.
    pub rejections: Rejections,
    /// How the input is written.
    pub input_format: InputFormat,
    /// Whether to show a progress bar.
    pub progress: When,
}

/// `scorecard score`.
pub fn score(a: Args) -> Result<ExitCode, String> {
    needs_a_place(a.out.format, a.out.output.as_deref())?;
    let bar = progress_bar(a.input.first().map(PathBuf::as_path), a.progress);
    let (plan, ds) = super::input::load(a.pack, &a.input, a.input_format, &bar)?;
    bar.set_message("scoring");
    if a.partial {
        let part = plan.score_partial(&ds).map_err(|e| e.to_string())?;
        bar.finish_and_clear();
        write_bytes(
            a.out.output.as_deref(),
            part.to_json().as_bytes(),
            "the partial result",
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let outcome = plan.score(&ds).map_err(|e| e.to_string())?;
    bar.set_message("writing");
    write_outcome(
        &outcome,
        a.out.format,
        a.out.output.as_deref(),
        a.out.lang,
        Some(ds),
    )?;
    bar.finish_and_clear();
    let code = exit_code(&plan, &outcome, a.rejections);
    // the process ends here and its memory goes back whole: freeing the outcome (with the
    // records it shares with the dataset, a value at a time) would only delay the exit
    std::mem::forget(outcome);
    Ok(code)
}

/// Writes bytes to a file, or to standard output.
fn write_bytes(output: Option<&Path>, bytes: &[u8], what: &str) -> Result<(), String> {
    match output {
        Some(path) => {
            std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            if let Err(e) = out
                .write_all(bytes)
                .and_then(|()| out.write_all(b"\n"))
                .and_then(|()| out.flush())
            {
                crate::closed_or(e, &format!("cannot write {what}"));
            }
            Ok(())
        }
    }
}

/// Exit code 3 (with what was rejected on standard error) when records were rejected,
/// unless `--allow-rejected` accepts it, or the pack scores incomplete results and
/// `--strict` does not overrule it.
fn exit_code(plan: &scorecard::Plan, outcome: &scorecard::Outcome, r: Rejections) -> ExitCode {
    let Some(lacks) = &outcome.incomplete else {
        return ExitCode::SUCCESS;
    };
    let accepted =
        r.allow_rejected || (!r.strict && plan.on_incomplete() == scorecard::OnIncomplete::Score);
    if accepted {
        return ExitCode::SUCCESS;
    }
    let by: Vec<String> = lacks
        .collections
        .iter()
        .map(|c| {
            format!(
                "{c} {}",
                outcome.accounting.get(c).map_or(0, |a| a.rejected.len())
            )
        })
        .collect();
    let why = match r.strict {
        true => "--strict".to_string(),
        false => "--allow-rejected accepts it".to_string(),
    };
    eprintln!(
        "error: {} record(s) rejected ({}): the outcome is incomplete, and was written all the same ({why})",
        lacks.rejected,
        by.join(", ")
    );
    ExitCode::from(3)
}

/// Writes an outcome as `format` asks; `ds`, the records it is of, is freed on one thread
/// while the outcome is written on another (all but the records the outcome shares).
fn write_outcome(
    outcome: &scorecard::Outcome,
    format: ScoreFormat,
    output: Option<&Path>,
    lang: Option<Lang>,
    ds: Option<scorecard::Dataset>,
) -> Result<(), String> {
    let lang = match lang {
        Some(Lang::En) => scorecard::Language::En,
        Some(Lang::Zh) => scorecard::Language::Zh,
        None => outcome.pack.language,
    };
    if let ScoreFormat::Xlsx | ScoreFormat::Csv = format {
        drop(ds);
        let tables = scorecard::outcome::sheets::tables(outcome, lang);
        let to = match format {
            ScoreFormat::Xlsx => super::convert::To::Xlsx,
            _ => super::convert::To::Csv,
        };
        let out = output.unwrap_or(Path::new("."));
        return super::convert::write(&tables, to, super::convert::Encoding::Utf8, out);
    }
    let ((), written) = rayon::join(
        move || drop(ds),
        || -> std::io::Result<()> {
            let sink: Box<dyn Write> = match output {
                Some(path) => Box::new(std::fs::File::create(path)?),
                None => Box::new(std::io::stdout().lock()),
            };
            let mut out = std::io::BufWriter::with_capacity(1 << 16, sink);
            match format {
                ScoreFormat::Json => outcome.write_json(&mut out),
                ScoreFormat::Html => {
                    out.write_all(scorecard::outcome::html::page(outcome, lang).as_bytes())
                }
                _ => out.write_all(scorecard::outcome::render::table(outcome, lang).as_bytes()),
            }?;
            out.flush()
        },
    );
    match (written, output) {
        (Ok(()), _) => Ok(()),
        (Err(e), Some(path)) => Err(format!("cannot write {}: {e}", path.display())),
        (Err(e), None) => crate::closed_or(e, "cannot write the outcome"),
    }
}

/// `scorecard merge`: the partials merged, then finished into the outcome (or, with
/// `--partial`, the merged partial).
pub fn merge(
    partials: &[PathBuf],
    pack: Option<PathBuf>,
    out: OutputArgs,
    rejections: Rejections,
    partial: bool,
) -> Result<ExitCode, String> {
    let OutputArgs {
        format,
        output,
        lang,
    } = out;
    needs_a_place(format, output.as_deref())?;
    let parts = super::partial::read(partials)?;
    // each partial checked against the pack first, so that an error names its file
    let plan = match partial {
        true => None,
        false => Some(super::input::plan(pack)?),
    };
    if let Some(plan) = &plan {
        for (p, path) in parts.iter().zip(partials) {
            plan.check_partial(p)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    // merged here rather than by `Plan::finish`, so that an error names the file
    let mut all = parts[0].clone();
    for (p, path) in parts.iter().zip(partials).skip(1) {
        all.merge(p)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if partial {
        write_bytes(
            output.as_deref(),
            all.to_json().as_bytes(),
            "the partial result",
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(plan) = plan else {
        return Err("internal error: no pack to finish with".into());
    };
    let outcome = plan.finish(&[all]).map_err(|e| e.to_string())?;
    write_outcome(&outcome, format, output.as_deref(), lang, None)?;
    Ok(exit_code(&plan, &outcome, rejections))
}

/// A workbook or CSV files are written to a file or folder, never to standard output.
fn needs_a_place(format: ScoreFormat, output: Option<&Path>) -> Result<(), String> {
    match (format, output) {
        (ScoreFormat::Xlsx | ScoreFormat::Csv, None) => {
            Err("a workbook or CSV files need a place: give -o FILE (for csv, -o FOLDER)".into())
        }
        _ => Ok(()),
    }
}
