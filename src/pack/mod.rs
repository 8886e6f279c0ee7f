//! Rule packs: the JSON format ([`spec`]); loading from a folder or a string ([`load`]):
//! reading `pack.json`, its imports, calendars and scripts, the only stage that does I/O;
//! and the diagnostics a broken pack gets ([`Diagnostic`]).

mod imports;
pub mod load;
pub(crate) mod sources;
pub mod spec;

use std::fmt;

/// One problem found in a pack: where (file, JSON path, line:col) and what.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Diagnostic {
    /// The file, e.g. `rules/x/pack.json`.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub col: usize,
    /// JSON path of the offending value, e.g. `indicators.coverage.numerator`.
    pub path: String,
    /// What is wrong, and what was expected.
    pub message: String,
    /// An error (the pack does not load) or a warning (suspicious but legal).
    pub severity: Severity,
}

/// How serious a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The pack does not load.
    #[default]
    Error,
    /// Suspicious but legal: `check` shows it, the pack loads.
    Warning,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file, self.line, self.col, self.path, self.message
        )
    }
}
