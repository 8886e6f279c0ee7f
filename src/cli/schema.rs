//! `scorecard schema pack|fixture|outcome|partial`: the JSON Schema of a document, for editors
//! and validators (the same as `schema/*.schema.json`).

use std::process::ExitCode;

/// Which document's schema.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Document {
    /// `pack.json`.
    Pack,
    /// A fixture file.
    Fixture,
    /// The outcome (`score --format json`).
    Outcome,
    /// A shard's partial result (`score --partial`).
    Partial,
}

/// Prints the schema.
pub fn run(doc: Document) -> ExitCode {
    let s = match doc {
        Document::Pack => scorecard::schema::pack(),
        Document::Fixture => scorecard::schema::fixture(),
        Document::Outcome => scorecard::schema::outcome(),
        Document::Partial => scorecard::schema::partial(),
    };
    out!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
    ExitCode::SUCCESS
}
