//! `scorecard merge`'s reading of partial results, and `scorecard split`.

use scorecard::partial::Partial;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The partial results in these files (`-`: standard input), each error naming its file.
pub fn read(paths: &[PathBuf]) -> Result<Vec<Partial>, String> {
    paths
        .iter()
        .map(|path| {
            // read whole: at most MAX_DOCUMENT_BYTES
            let max = scorecard::limits::MAX_DOCUMENT_BYTES;
            let mut s = String::new();
            let read = if path.as_os_str() == "-" {
                std::io::stdin().take(max + 1).read_to_string(&mut s)
            } else {
                std::fs::File::open(path).and_then(|f| f.take(max + 1).read_to_string(&mut s))
            };
            let name = match path.as_os_str() == "-" {
                true => "standard input".to_string(),
                false => path.display().to_string(),
            };
            read.map_err(|e| format!("cannot read {name}: {e}"))?;
            if s.len() as u64 > max {
                return Err(format!("{name} is larger than {max} bytes, the most of a partial result (limits::MAX_DOCUMENT_BYTES)"));
            }
            let text = s;
            Partial::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
        })
        .collect()
}

/// Splits a JSON dataset into `shards` files `shard-N.json` in `out`.
pub fn split(
    pack: Option<PathBuf>,
    input: Option<PathBuf>,
    shards: usize,
    out: &Path,
) -> Result<ExitCode, String> {
    if shards == 0 {
        return Err("--shards must be at least 1".into());
    }
    let dir = super::input::pack_dir(pack.as_deref())?;
    let plan = scorecard::Plan::load(&dir).map_err(|e| e.to_string())?;
    let input = input.unwrap_or_else(|| dir.join("data").join("sample.json"));
    let text = scorecard::files::read_to_string(&input)
        .map_err(|e| format!("cannot read {}: {e}", input.display()))?;
    let doc: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| format!("{} is not a JSON dataset: {e}", input.display()))?;
    let at = scorecard::partial::split::by_branch(&plan, &doc, shards);
    let parts =
        scorecard::partial::split::split(&plan, &doc, shards, &|k| at.get(k).copied().unwrap_or(0));
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    for (i, p) in parts.iter().enumerate() {
        let path = out.join(format!("shard-{}.json", i + 1));
        let json = serde_json::to_string(p).map_err(|e| e.to_string())?;
        std::fs::write(&path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let records: usize = p.values().filter_map(|v| v.as_array()).map(Vec::len).sum();
        eprintln!("{}: {records} records", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
