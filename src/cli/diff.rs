//! `scorecard diff`: what a revision of a pack does to the same records (two `--pack`,
//! one `--input`), or what changes between two datasets under one pack (one `--pack`,
//! two `--input`).

use crate::Format;
use std::path::PathBuf;
use std::process::ExitCode;

/// Scores both sides and prints what differs.
pub fn run(packs: &[PathBuf], inputs: &[PathBuf], format: Format) -> Result<ExitCode, String> {
    let (old, new) = match (packs, inputs) {
        ([a, b], [d]) => ((a, d), (b, d)),
        ([p], [a, b]) => ((p, a), (p, b)),
        _ => {
            return Err(
                "diff compares two packs over one dataset (--pack OLD --pack NEW --input DATA) or one pack over two datasets (--pack P --input OLD --input NEW)"
                    .into(),
            )
        }
    };
    let side = |(pack, input): (&PathBuf, &PathBuf)| -> Result<(scorecard::Plan, scorecard::Dataset, serde_json::Value), String> {
        let (plan, ds) = super::input::load(
            Some(pack.clone()),
            std::slice::from_ref(input),
            crate::InputFormat::Auto,
            &indicatif::ProgressBar::hidden(),
        )?;
        let outcome = plan.score(&ds).map_err(|e| format!("{}: {e}", pack.display()))?;
        let json = serde_json::from_str(&outcome.to_json()).map_err(|e| e.to_string())?;
        Ok((plan, ds, json))
    };
    let (_, _, before) = side(old)?;
    let (plan, ds, after) = side(new)?;
    // a record's jurisdiction as the new side places it
    let homes: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>> =
        after
            .get("records")
            .and_then(|r| r.as_object())
            .map(|r| {
                r.keys()
                    .map(|c| (c.clone(), plan.jurisdictions(&ds, c)))
                    .collect()
            })
            .unwrap_or_default();
    let home = |c: &str, k: &str| homes.get(c).and_then(|m| m.get(k)).cloned();
    let d = scorecard::diff::diff(&before, &after, &home);
    match format {
        Format::Json => out!(
            "{}",
            serde_json::to_string_pretty(&d).map_err(|e| e.to_string())?
        ),
        Format::Table => out!("{}", d.to_text().trim_end()),
    }
    Ok(ExitCode::SUCCESS)
}
