//! The `scorecard` command line: score datasets, check packs, run pack fixtures.

use clap::{Parser, Subcommand, ValueEnum};
use scorecard::{fixtures, Plan};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Score public-health inspection records against declarative rule packs.
#[derive(Parser)]
#[command(name = "scorecard", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// The outcome document (deterministic JSON).
    Json,
    /// Readable tables (text).
    #[value(alias = "text")]
    Table,
}

#[derive(Subcommand)]
enum Command {
    /// Score a dataset (defaults: the bundled supervision-coverage pack and its sample data).
    Score {
        /// The pack folder.
        #[arg(long)]
        pack: Option<PathBuf>,
        /// The dataset (JSON file, or - for standard input).
        #[arg(long)]
        input: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Fail (exit 3) when any record is rejected.
        #[arg(long)]
        strict: bool,
    },
    /// Check packs: every problem with its file, JSON path and line:col.
    Check {
        /// Pack folders.
        #[arg(required = true)]
        packs: Vec<PathBuf>,
    },
    /// Explain why a record has its measures: the related records counted or left out,
    /// the windows, the table rows that fired (then the same for the related records).
    Explain {
        /// The collection, e.g. units.
        collection: String,
        /// The record's key.
        key: String,
        /// The pack folder.
        #[arg(long)]
        pack: Option<PathBuf>,
        /// The dataset (JSON file, or - for standard input).
        #[arg(long)]
        input: Option<PathBuf>,
        /// How many levels of related records to explain too.
        #[arg(long, default_value_t = 1)]
        depth: usize,
        /// Output format: text, or json.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Run packs' fixtures (default: every pack under rules/).
    Test {
        /// Pack folders.
        packs: Vec<PathBuf>,
    },
}

const DEFAULT_PACK: &str = "rules/supervision-coverage";
const DEFAULT_INPUT: &str = "rules/supervision-coverage/data/sample.json";

/// A bundled path: as given when it exists here, otherwise inside the source tree.
fn bundled(rel: &str) -> PathBuf {
    let here = PathBuf::from(rel);
    if here.exists() {
        here
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
    }
}

fn load(pack: Option<PathBuf>, input: Option<PathBuf>) -> Result<(Plan, String), String> {
    let pack = pack.unwrap_or_else(|| bundled(DEFAULT_PACK));
    let plan = Plan::load(&pack).map_err(|e| e.to_string())?;
    let input = input.unwrap_or_else(|| bundled(DEFAULT_INPUT));
    let text = if input.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        s
    } else {
        std::fs::read_to_string(&input)
            .map_err(|e| format!("cannot read {}: {e}", input.display()))?
    };
    Ok((plan, text))
}

fn explain(
    collection: &str,
    key: &str,
    pack: Option<PathBuf>,
    input: Option<PathBuf>,
    depth: usize,
    format: Format,
) -> Result<ExitCode, String> {
    let (plan, text) = load(pack, input)?;
    let ds = plan.read(&text).map_err(|e| e.to_string())?;
    let all = plan
        .explain(&ds, collection, key, depth)
        .map_err(|e| e.to_string())?;
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&all).map_err(|e| e.to_string())?
        ),
        Format::Table => {
            for e in &all {
                println!("{}", scorecard::eval::explain::render(e));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn score(
    pack: Option<PathBuf>,
    input: Option<PathBuf>,
    format: Format,
    strict: bool,
) -> Result<ExitCode, String> {
    let (plan, text) = load(pack, input)?;
    let outcome = plan.score_json(&text).map_err(|e| e.to_string())?;
    match format {
        Format::Json => println!("{}", outcome.to_json()),
        Format::Table => print!("{}", scorecard::outcome::render::table(&outcome)),
    }
    let rejected: usize = outcome.accounting.values().map(|a| a.rejected.len()).sum();
    if strict && rejected > 0 {
        eprintln!("error: {rejected} record(s) rejected (--strict)");
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}

fn check(packs: &[PathBuf]) -> ExitCode {
    let mut bad = 0;
    for p in packs {
        match Plan::load(p) {
            Ok(plan) => println!(
                "{}: ok ({} {}, {} indicators)",
                p.display(),
                plan.meta.name,
                plan.meta.version,
                plan.indicators.len()
            ),
            Err(scorecard::PackError::Invalid(diags)) => {
                bad += 1;
                for d in &diags {
                    println!("{d}");
                }
                println!("{}: {} problem(s)", p.display(), diags.len());
            }
            Err(e) => {
                bad += 1;
                println!("{}: {e}", p.display());
            }
        }
    }
    if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn test(packs: Vec<PathBuf>) -> ExitCode {
    let packs = if packs.is_empty() {
        fixtures::packs(&bundled("rules"))
    } else {
        packs
    };
    let (mut passed, mut failed) = (0, 0);
    for dir in &packs {
        let plan = match Plan::load(dir) {
            Ok(p) => p,
            Err(e) => {
                println!("FAIL {}: the pack does not load:\n{e}", dir.display());
                failed += 1;
                continue;
            }
        };
        let found = fixtures::discover(dir);
        if found.is_empty() {
            println!("FAIL {}: no fixtures in tests/", dir.display());
            failed += 1;
        }
        for f in found {
            match fixtures::run(&plan, &f) {
                Ok(()) => {
                    passed += 1;
                    println!("ok   {}", f.display());
                }
                Err(diffs) => {
                    failed += 1;
                    println!("FAIL {}", f.display());
                    for d in diffs {
                        println!("     {d}");
                    }
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Score {
            pack,
            input,
            format,
            strict,
        } => match score(pack, input, format, strict) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        Command::Explain {
            collection,
            key,
            pack,
            input,
            depth,
            format,
        } => match explain(&collection, &key, pack, input, depth, format) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        Command::Check { packs } => check(&packs),
        Command::Test { packs } => test(packs),
    }
}
