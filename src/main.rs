//! The `scorecard` command line: score datasets, check packs, run pack fixtures.

use clap::{Parser, Subcommand, ValueEnum};
use scorecard::synth;
use std::path::PathBuf;
use std::process::ExitCode;

/// Score public-health inspection records against declarative rule packs.
/// Prints a line on standard output, as `println!` does, except that a reader that has
/// gone away (`scorecard test | head -1`) ends the program quietly, as it does any Unix
/// filter, instead of a panic.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        if let Err(e) = writeln!(stdout, $($arg)*) {
            $crate::closed_or(e, "cannot write the output");
        }
    }};
}

mod cli;

/// Ends the program after a failed write: quietly (success) when the reader has closed
/// the pipe, with `what` and exit code 2 otherwise.
fn closed_or(e: std::io::Error, what: &str) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("error: {what}: {e}");
    std::process::exit(2);
}

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

/// What `score` writes.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ScoreFormat {
    /// The outcome document (deterministic JSON).
    Json,
    /// Readable tables (text).
    #[value(alias = "text")]
    Table,
    /// A workbook (-o FILE): the jurisdiction × indicator matrix, the scorecard, the
    /// records with their measures, the rejected and excluded records, the accounting.
    Xlsx,
    /// The workbook's sheets as CSV files in a folder (-o DIR).
    Csv,
    /// A self-contained HTML report (-o FILE, or standard output).
    Html,
}

/// The language of the engine's own words.
#[derive(Clone, Copy, ValueEnum)]
enum Lang {
    /// English.
    En,
    /// Chinese.
    Zh,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum When {
    /// For inputs of 8 MB or more, when standard error is a terminal.
    Auto,
    /// Never.
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum InputFormat {
    /// By the file name: NDJSON for .ndjson and .jsonl, CSV for .csv and .tsv (and a
    /// folder of them), a workbook for .xlsx, .xlsm, .xls, .xlsb and .ods, otherwise JSON.
    Auto,
    /// One JSON document.
    Json,
    /// One JSON object per line, streamed.
    Ndjson,
    /// CSV files, one per collection (or a folder of them).
    Csv,
    /// A workbook, one sheet per collection.
    Xlsx,
}

#[derive(Clone, Copy, ValueEnum)]
enum Shape {
    /// The supervision-coverage pack.
    Coverage,
    /// The catering-grading pack (inspections with checklists).
    Catering,
    /// The county-assessment pack.
    County,
    /// The place-grading pack (small records, one decision each; `--inspections` is the
    /// number of places).
    Places,
}

#[derive(Clone, Copy, ValueEnum)]
enum DataFormat {
    /// One JSON document.
    Json,
    /// One JSON object per line.
    Ndjson,
}

/// What records rejected do to the exit code (`score`, `merge`): by default, 3 (the
/// outcome written all the same, marked incomplete) unless the pack scores incomplete
/// results (`"on_incomplete": "score"`).
#[derive(clap::Args, Clone, Copy)]
struct Rejections {
    /// Exit 0 although records were rejected (the outcome says what it lacks).
    #[arg(long, conflicts_with = "strict")]
    allow_rejected: bool,
    /// Exit 3 when any record was rejected, even when the pack scores incomplete results.
    #[arg(long)]
    strict: bool,
}

/// Where and how an outcome is written (`score`, `merge`).
#[derive(clap::Args)]
struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: ScoreFormat,
    /// Write here instead of standard output (a file; for csv, a folder).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// The language of the engine's words in tables and reports (default: the pack's
    /// `language`, else English).
    #[arg(long, value_enum)]
    lang: Option<Lang>,
}

#[derive(Subcommand)]
enum Command {
    /// Score a dataset (defaults: the bundled supervision-coverage pack and its sample data).
    Score {
        /// The pack: a folder, or a shipped pack's name.
        #[arg(long)]
        pack: Option<PathBuf>,
        /// The dataset: a JSON or NDJSON file (- for standard input), a workbook, or CSV
        /// files (give --input once per file, or a folder of them).
        #[arg(long)]
        input: Vec<PathBuf>,
        #[command(flatten)]
        out: OutputArgs,
        #[command(flatten)]
        rejections: Rejections,
        /// Threads to use, the input's reading included (default: one per core). The
        /// output does not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// How the input is written (auto: NDJSON for .ndjson and .jsonl files, else JSON).
        #[arg(long, value_enum, default_value = "auto")]
        input_format: InputFormat,
        /// A progress bar on standard error: auto shows it for inputs of 8 MB or more when
        /// standard error is a terminal.
        #[arg(long, value_enum, default_value = "auto")]
        progress: When,
        /// Write the partial result of this shard (JSON) instead of the outcome, for
        /// `scorecard merge` with the other shards' (docs/partials.md).
        #[arg(long, conflicts_with_all = ["format", "lang"])]
        partial: bool,
    },
    /// Merge the partial results of shards (`score --partial`) into the outcome of all
    /// their records, byte for byte what scoring them at once gives.
    Merge {
        /// The partial results (JSON files; - for standard input).
        #[arg(required = true)]
        partials: Vec<PathBuf>,
        /// The pack they are of: a folder, or a shipped pack's name.
        #[arg(long)]
        pack: Option<PathBuf>,
        #[command(flatten)]
        out: OutputArgs,
        #[command(flatten)]
        rejections: Rejections,
        /// Write the merged partial result instead of the outcome (to merge again, in a
        /// tree).
        #[arg(long, conflicts_with_all = ["format", "lang"])]
        partial: bool,
    },
    /// Split a JSON dataset into shards along the jurisdiction tree, each record with
    /// those it refers to and the jurisdictions whole in every shard (for `score --partial`).
    Split {
        /// The pack: a folder, or a shipped pack's name.
        #[arg(long)]
        pack: Option<PathBuf>,
        /// The JSON dataset (default: the pack's sample).
        #[arg(long)]
        input: Option<PathBuf>,
        /// How many shards.
        #[arg(long, default_value_t = 2)]
        shards: usize,
        /// The folder to write shard-1.json, shard-2.json, … in.
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Write a synthetic dataset: deterministic from a seed and a size, shaped for a
    /// shipped pack (for benchmarks, tests and trying things out).
    Generate {
        /// Which pack's collections.
        #[arg(long, value_enum, default_value = "coverage")]
        shape: Shape,
        /// Number of inspections; every other collection is sized from it.
        #[arg(long, default_value_t = 10_000)]
        inspections: usize,
        /// The seed: same seed and size, same bytes.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// One JSON document, or NDJSON (one record per line).
        #[arg(long, value_enum, default_value = "json")]
        format: DataFormat,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Write a JSON dataset in a pack's sheets (names, headers and cell texts as its
    /// collections' `sheet` says): a workbook, or a folder of CSV files.
    Convert {
        /// The pack: a folder, or a shipped pack's name.
        #[arg(long)]
        pack: Option<PathBuf>,
        /// The JSON dataset (default: the pack's sample).
        #[arg(long)]
        input: Option<PathBuf>,
        /// A workbook, or CSV files.
        #[arg(long, value_enum, default_value = "xlsx")]
        to: cli::convert::To,
        /// The encoding of CSV files.
        #[arg(long, value_enum, default_value = "utf8")]
        encoding: cli::convert::Encoding,
        /// The workbook to write, or the folder for the CSV files.
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Check packs: every problem with its file, JSON path and line:col (and the line with
    /// a caret under it), then the warnings of packs that load.
    Check {
        /// Pack folders.
        #[arg(required = true)]
        packs: Vec<PathBuf>,
        /// Text, or JSON (per pack, the diagnostics the C ABI's check gives).
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Explain why a record has its measures: the related records counted or left out,
    /// the windows, the table rows that fired (then the same for the related records); or,
    /// with --indicator or --scorecard, why an indicator or a scorecard has its result in
    /// a jurisdiction (--in, default overall).
    Explain {
        /// The collection, e.g. units.
        #[arg(required_unless_present_any = ["indicator", "scorecard"])]
        collection: Option<String>,
        /// The record's key.
        #[arg(required_unless_present_any = ["indicator", "scorecard"])]
        key: Option<String>,
        /// Explain this indicator instead of a record.
        #[arg(long, conflicts_with_all = ["collection", "scorecard"])]
        indicator: Option<String>,
        /// Explain the scorecard instead of a record.
        #[arg(long, conflicts_with = "collection")]
        scorecard: bool,
        /// The jurisdiction of --indicator or --scorecard (its key; default overall).
        #[arg(long = "in")]
        within: Option<String>,
        /// The pack: a folder, or a shipped pack's name.
        #[arg(long)]
        pack: Option<PathBuf>,
        /// The dataset (as for score).
        #[arg(long)]
        input: Vec<PathBuf>,
        /// How many levels of related records to explain too.
        #[arg(long, default_value_t = 1)]
        depth: usize,
        /// Output format: text, or json.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// What changes between two outcomes: two versions of a pack over one dataset
    /// (which units change grade, per jurisdiction; which indicators, totals, grades and
    /// actions change), or one pack over two datasets.
    Diff {
        /// The pack folder; twice: the old and the new version.
        #[arg(long, required = true, num_args = 1)]
        pack: Vec<PathBuf>,
        /// The dataset; twice (with one pack): the old and the new data.
        #[arg(long, required = true, num_args = 1)]
        input: Vec<PathBuf>,
        /// Text, or JSON.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Print the JSON Schema of pack.json, of a fixture file or of the outcome (as in
    /// schema/: editors complete and check a file that names it in "$schema").
    Schema {
        /// Which document.
        #[arg(value_enum)]
        document: cli::schema::Document,
    },
    /// Run packs' fixtures (default: every pack under rules/).
    Test {
        /// Pack folders.
        packs: Vec<PathBuf>,
        /// Say which table rows and bands, indicator outcomes, actions and script
        /// functions the fixtures exercised, and which they never did.
        #[arg(long)]
        coverage: bool,
        /// With --coverage: text, or JSON.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Also write the results as JUnit XML to this file (for CI systems).
        #[arg(long)]
        junit: Option<PathBuf>,
        /// Write the actual outcome of these fixture files as their `expect`, after you
        /// have reviewed it (a fixture with no `expect` shows it when it is run).
        #[arg(long, num_args = 1.., conflicts_with_all = ["packs", "coverage", "junit"])]
        accept: Vec<PathBuf>,
    },
}

fn generate(
    shape: Shape,
    inspections: usize,
    seed: u64,
    format: DataFormat,
    output: Option<PathBuf>,
) -> Result<ExitCode, String> {
    let shape = match shape {
        Shape::Coverage => synth::Shape::Coverage,
        Shape::Catering => synth::Shape::Catering,
        Shape::County => synth::Shape::County,
        Shape::Places => synth::Shape::Places,
    };
    let format = match format {
        DataFormat::Json => synth::Format::Json,
        DataFormat::Ndjson => synth::Format::Ndjson,
    };
    let spec = synth::Spec::new(shape, seed, inspections);
    let result = match &output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            synth::write(&spec, format, &mut std::io::BufWriter::new(file))
        }
        None => synth::write(
            &spec,
            format,
            &mut std::io::BufWriter::new(std::io::stdout().lock()),
        ),
    };
    if let Err(e) = result {
        closed_or(e, "cannot write the dataset");
    }
    Ok(ExitCode::SUCCESS)
}

/// What `explain` is asked about.
enum Explained {
    Record {
        collection: String,
        key: String,
        depth: usize,
    },
    Indicator {
        id: String,
        within: Option<String>,
    },
    Scorecard {
        within: Option<String>,
    },
}

fn explain(
    what: Explained,
    pack: Option<PathBuf>,
    input: Vec<PathBuf>,
    format: Format,
) -> Result<ExitCode, String> {
    let (plan, ds) = cli::input::load(
        pack,
        &input,
        InputFormat::Auto,
        &indicatif::ProgressBar::hidden(),
    )?;
    let steps = match what {
        Explained::Record {
            collection,
            key,
            depth,
        } => {
            let all = plan
                .explain(&ds, &collection, &key, depth)
                .map_err(|e| e.to_string())?;
            match format {
                Format::Json => out!(
                    "{}",
                    serde_json::to_string_pretty(&all).map_err(|e| e.to_string())?
                ),
                Format::Table => {
                    for e in &all {
                        out!("{}", e.to_text());
                    }
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        Explained::Indicator { id, within } => {
            let outcome = plan.score(&ds).map_err(|e| e.to_string())?;
            plan.explain_indicator(&outcome, &id, within.as_deref())?
        }
        Explained::Scorecard { within } => {
            let outcome = plan.score(&ds).map_err(|e| e.to_string())?;
            plan.explain_scorecard(&outcome, within.as_deref())?
        }
    };
    match format {
        Format::Json => out!(
            "{}",
            serde_json::to_string_pretty(&steps).map_err(|e| e.to_string())?
        ),
        Format::Table => out!("{}", steps.to_text().trim_end()),
    }
    Ok(ExitCode::SUCCESS)
}

/// The exit code of a command, or its error on standard error and exit code 2.
fn or_exit(r: Result<ExitCode, String>) -> ExitCode {
    r.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Score {
            pack,
            input,
            out,
            rejections,
            threads,
            input_format,
            progress,
            partial,
        } => {
            // all the work runs on the pool, so that N threads means N threads: no more
            // cores busy than that, even while one of them splits the input
            let pool = match rayon::ThreadPoolBuilder::new()
                .num_threads(threads.unwrap_or(0))
                .stack_size(scorecard::WORKER_STACK)
                .build()
            {
                Ok(pool) => pool,
                Err(e) => {
                    eprintln!("error: cannot start the threads: {e}");
                    return ExitCode::from(2);
                }
            };
            let args = cli::score::Args {
                partial,
                pack,
                input,
                out,
                rejections,
                input_format,
                progress,
            };
            or_exit(pool.install(|| cli::score::score(args)))
        }
        Command::Merge {
            partials,
            pack,
            out,
            rejections,
            partial,
        } => or_exit(cli::score::merge(&partials, pack, out, rejections, partial)),
        Command::Split {
            pack,
            input,
            shards,
            output,
        } => or_exit(cli::partial::split(pack, input, shards, &output)),
        Command::Generate {
            shape,
            inspections,
            seed,
            format,
            output,
        } => or_exit(generate(shape, inspections, seed, format, output)),
        Command::Explain {
            collection,
            key,
            indicator,
            scorecard,
            within,
            pack,
            input,
            depth,
            format,
        } => {
            let what = match (indicator, scorecard, collection, key) {
                (Some(id), _, _, _) => Explained::Indicator { id, within },
                (None, true, _, _) => Explained::Scorecard { within },
                (None, false, Some(collection), Some(key)) => Explained::Record {
                    collection,
                    key,
                    depth,
                },
                // clap requires both unless --indicator or --scorecard is given
                _ => Explained::Scorecard { within },
            };
            or_exit(explain(what, pack, input, format))
        }
        Command::Diff {
            pack,
            input,
            format,
        } => or_exit(cli::diff::run(&pack, &input, format)),
        Command::Convert {
            pack,
            input,
            to,
            encoding,
            output,
        } => or_exit(cli::convert::run(pack, input, to, encoding, &output)),
        Command::Schema { document } => cli::schema::run(document),
        Command::Check { packs, format } => cli::check::run(&packs, format),
        Command::Test {
            packs,
            coverage,
            format,
            junit,
            accept,
        } => {
            if accept.is_empty() {
                cli::test::run(cli::test::Args {
                    packs,
                    coverage,
                    format,
                    junit,
                })
            } else {
                cli::test::accept(&accept)
            }
        }
    }
}
