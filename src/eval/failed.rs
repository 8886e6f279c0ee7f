//! Why a round of scoring stopped: records whose evaluation failed, or an error that is no
//! one record's. Records that fail are set aside and the rest scored again
//! ([`super::score`]); anything else stops the run.

use super::ScoreError;
use crate::value::CollId;

/// A failure of one round of scoring.
#[derive(Debug)]
pub(crate) enum Failed {
    /// Records of one collection whose evaluation failed, in key order, each with its
    /// error: every record that failed on the first rule (in evaluation order) that failed
    /// for any record. They failed on what the records before them in that order gave,
    /// never on each other's failure.
    Records(CollId, Vec<(u32, ScoreError)>),
    /// An error that is no record's own (a group's sum that overflows, say).
    Other(ScoreError),
}

impl From<ScoreError> for Failed {
    fn from(e: ScoreError) -> Failed {
        Failed::Other(e)
    }
}

impl Failed {
    /// The records that failed, as positions in `coll` in key order with their errors; an
    /// empty list is no failure of records but `other`, and so is an error that stops the
    /// run (a script out of time).
    pub fn records(coll: CollId, mut failed: Vec<(u32, ScoreError)>, other: ScoreError) -> Failed {
        if other.stops_run() {
            return Failed::Other(other);
        }
        if let Some(k) = failed.iter().position(|(_, e)| e.stops_run()) {
            return Failed::Other(failed.swap_remove(k).1);
        }
        if failed.is_empty() {
            return Failed::Other(other);
        }
        failed.sort_by_key(|f| f.0);
        Failed::Records(coll, failed)
    }

    /// The error a run that stops at the first failure reports: the first record's.
    pub fn first(self) -> ScoreError {
        match self {
            Failed::Records(_, failed) => failed
                .into_iter()
                .next()
                .map(|f| f.1)
                .unwrap_or_else(|| ScoreError::Internal("no record failed".into())),
            Failed::Other(e) => e,
        }
    }
}
