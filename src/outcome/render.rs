//! Readable renderings of an outcome.
