//! The texts a loaded pack came from, and where a JSON path of the merged pack is in
//! them: an entry merged in from an imported pack is located in that pack's file, an
//! override of it in the importing pack's `imports` list, everything else in `pack.json`.

use crate::json_locate::{line_col, locate, JsonPath};
use crate::pack::Diagnostic;
use std::sync::Arc;

/// One source text.
#[derive(Debug)]
struct Source {
    file: String,
    text: Arc<str>,
}

/// A part of the merged pack that comes from elsewhere: what is at `prefix` in the merged
/// pack is at `at` in source `source`.
#[derive(Debug)]
struct Origin {
    prefix: JsonPath,
    source: usize,
    at: JsonPath,
}

/// The pack's source texts and the origins of merged entries.
#[derive(Debug)]
pub(crate) struct Sources {
    /// `pack.json` first, then each imported pack.
    texts: Vec<Source>,
    origins: Vec<Origin>,
}

/// Where a path is: its file, its source text, and its path within that text.
pub(crate) struct Place<'a> {
    /// The file's name as diagnostics give it.
    pub file: &'a str,
    /// The file's text.
    pub text: &'a str,
    /// The path within that text.
    pub path: JsonPath,
}

impl Sources {
    /// A pack whose text is `text`, named `file` in diagnostics.
    pub fn new(file: &str, text: Arc<str>) -> Sources {
        Sources {
            texts: vec![Source {
                file: file.to_string(),
                text,
            }],
            origins: Vec::new(),
        }
    }

    /// The pack's own file name.
    pub fn file(&self) -> &str {
        &self.texts[0].file
    }

    /// Adds an imported pack's text; the index it returns names it in [`Sources::merged`].
    pub fn add(&mut self, file: String, text: Arc<str>) -> usize {
        self.texts.push(Source { file, text });
        self.texts.len() - 1
    }

    /// Records that what is at `prefix` in the merged pack is at `at` in source `source`
    /// (0: the pack's own text). The longest recorded prefix of a path decides.
    pub fn merged(&mut self, prefix: JsonPath, source: usize, at: JsonPath) {
        self.origins.push(Origin { prefix, source, at });
    }

    /// The text of source `source` (0: the pack's own).
    pub fn text_of(&self, source: usize) -> &str {
        &self.texts[source].text
    }

    /// A diagnostic at `path` of source `source` (not of the merged pack).
    pub fn diagnostic_in(&self, source: usize, path: &JsonPath, message: String) -> Diagnostic {
        let at = locate(&self.texts[source].text, path);
        self.diagnostic_at(source, path, at, message)
    }

    /// A diagnostic at byte `at` of source `source`, which is at `path` there.
    pub fn diagnostic_at(
        &self,
        source: usize,
        path: &JsonPath,
        at: usize,
        message: String,
    ) -> Diagnostic {
        let s = &self.texts[source];
        let (line, col) = line_col(&s.text, at);
        Diagnostic {
            file: s.file.clone(),
            line,
            col,
            path: path.to_string(),
            message,
            severity: crate::pack::Severity::Error,
        }
    }

    /// Where `path` of the merged pack is.
    pub fn place(&self, path: &JsonPath) -> Place<'_> {
        let origin = self
            .origins
            .iter()
            .filter(|o| path.0.starts_with(&o.prefix.0))
            .max_by_key(|o| o.prefix.0.len());
        match origin {
            None => Place {
                file: &self.texts[0].file,
                text: &self.texts[0].text,
                path: path.clone(),
            },
            Some(o) => {
                let mut at = o.at.clone();
                at.0.extend(path.0[o.prefix.0.len()..].iter().cloned());
                Place {
                    file: &self.texts[o.source].file,
                    text: &self.texts[o.source].text,
                    path: at,
                }
            }
        }
    }

    /// A diagnostic at `path`, `extra` characters into the value there when it is a string
    /// (an expression's error names a character of it).
    pub fn diagnostic(&self, path: &JsonPath, message: String, extra: Option<usize>) -> Diagnostic {
        let place = self.place(path);
        let off = locate(place.text, &place.path);
        let (line, mut col) = line_col(place.text, off);
        if let Some(pos) = extra {
            if place.text.as_bytes().get(off) == Some(&b'"') {
                col += 1 + pos;
            }
        }
        Diagnostic {
            file: place.file.to_string(),
            line,
            col,
            path: path.to_string(),
            message,
            severity: crate::pack::Severity::Error,
        }
    }
}
