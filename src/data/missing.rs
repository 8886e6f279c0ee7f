//! Collections an input leaves out. A collection the pack declares is in the input when it
//! has an array in a document (`"events": []` when there are none), a line in NDJSON
//! (`{"events": []}` when there are none), or a sheet or CSV file (its header row alone
//! when there are none). One left out is an error unless the pack marks it `optional`: a
//! forgotten array or a misnamed sheet would otherwise score as a county with no such
//! records, which can only flatter it.

use super::DataError;
use crate::plan::{Collection, Plan};

/// How the input is written, for the words of the error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Form {
    /// One JSON document.
    Document,
    /// NDJSON lines.
    Lines,
}

/// The collections the input leaves out that the pack does not mark optional and that a
/// result reads, in the pack's order.
pub(super) fn absent<'p>(plan: &'p Plan, present: &[bool]) -> Vec<&'p Collection> {
    plan.collections
        .iter()
        .zip(present)
        .filter(|(c, here)| !**here && !c.optional && c.needed)
        .map(|(c, _)| c)
        .collect()
}

/// An error naming every collection the input leaves out that it may not.
pub(super) fn check(plan: &Plan, present: &[bool], form: Form) -> Result<(), DataError> {
    let absent = absent(plan, present);
    if absent.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = absent.iter().map(|c| format!("'{}'", c.name)).collect();
    let example = match form {
        Form::Document => format!(r#""{}": []"#, absent[0].name),
        Form::Lines => format!(r#"a line {{"{}": []}}"#, absent[0].name),
    };
    let what = match absent.len() {
        1 => "the collection",
        _ => "the collections",
    };
    Err(DataError::Shape(format!(
        "lacks {what} {}: give {example} where there are no records (a collection left out is an error, so that records missing by mistake are never taken for none), or mark it \"optional\" in the pack",
        names.join(", ")
    )))
}
