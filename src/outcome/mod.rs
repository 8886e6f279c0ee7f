//! The outcome of scoring: one JSON document, deterministic (maps are sorted, records
//! are in key order, numbers are exact text), plus readable renderings ([`render`]).
//!
//! Numbers appear as strings: `exact` is the exact value (`8.95`, or a fraction such as
//! `17300/219` when no finite decimal is exact) and `display` is the value rounded as the
//! pack says (`79.0`). Counts are JSON integers.

#[cfg(feature = "tables")]
pub mod html;
mod json;
#[cfg(feature = "tables")]
pub mod render;
#[cfg(feature = "spreadsheets")]
pub mod sheets;
#[cfg(any(feature = "tables", feature = "spreadsheets"))]
pub(crate) mod words;

use crate::data::Accounting;
use crate::num::Number;
use crate::plan::{NotApplicable, PackMeta, Period};
use crate::value::Value;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// An exact number and its rounded display.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Exact {
    /// The exact value as text: a decimal, or a fraction such as `17300/219`.
    pub exact: String,
    /// Rounded as the pack says.
    pub display: String,
    /// The exact value as a number (the JSON has its text).
    #[serde(skip)]
    number: Number,
}

impl Exact {
    /// `n`, and its display rounded to `digits` in `mode` (a rounding that cannot be done
    /// shows its error instead).
    pub(crate) fn new(n: Number, digits: u32, mode: crate::num::RoundingMode) -> Exact {
        Exact {
            exact: n.to_exact_string(),
            display: n.to_fixed(digits, mode).unwrap_or_else(|e| e.to_string()),
            number: n,
        }
    }

    /// The exact value.
    pub fn number(&self) -> &Number {
        &self.number
    }
}

/// Records that made an indicator what it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Evidence {
    /// What the ids are, e.g. `not meeting the numerator`.
    pub of: String,
    /// How many records there are in all.
    pub count: u64,
    /// Their keys, in key order, at most the pack's evidence cap.
    pub ids: Vec<String>,
}

/// The result of one indicator for one group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IndicatorResult {
    /// The indicator's title in the pack (e.g. 监督覆盖率), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Criterion expressed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criterion: Option<String>,
    /// Kind of indicator.
    pub kind: String,
    /// The unit of the value, as the pack states it (`次/户`); none for a percentage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Whether the value is a percentage (not in the JSON: the kind says so).
    #[serde(skip)]
    pub percent: bool,
    /// Whether it is met only when every member meets its requirement (`each`), so that it
    /// has no target of its own (not in the JSON).
    #[serde(skip)]
    pub every_member: bool,
    /// False when 0 ÷ 0 (or no members, for mean, each and share).
    pub applicable: bool,
    /// The treatment applied when not applicable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<NotApplicable>,
    /// The value (percent for rate, ratio, each and share); absent when not applicable.
    pub value: Option<Exact>,
    /// Numerator (members meeting, or Σ numerator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numerator: Option<String>,
    /// Denominator (members, or Σ denominator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denominator: Option<String>,
    /// change: the current indicator's value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    /// change: the baseline indicator's value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// The target, e.g. `{"min": "100"}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<BTreeMap<String, String>>,
    /// Whether the target is met; absent when there is none or the indicator is excluded.
    /// Not met when the indicator is incomplete, unless it says `"on_incomplete": "score"`.
    pub met: Option<bool>,
    /// Points earned; absent without scoring or when excluded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<Exact>,
    /// Full points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_points: Option<String>,
    /// timeliness: the late members (at most the evidence cap), in key order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub late: Option<Vec<Late>>,
    /// timeliness: how many records were not yet due at the assessment date and not
    /// submitted, so neither on time nor late (left out of the members).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_yet_due: Option<u64>,
    /// Members per category (share).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<BTreeMap<String, u64>>,
    /// The indicator in each category of its `by` dimension, in the categories' order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<Vec<ByCategory>>,
    /// The records that made the value what it is: which ones, how many, the first by key.
    pub evidence: Evidence,
    /// What it was computed without, when its inputs lost records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<Incomplete>,
}

/// What a result was computed without: records rejected (or set aside when scored) from
/// the collections it reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Incomplete {
    /// How many records those collections lost.
    pub rejected: u64,
    /// How many records of other collections refer to keys those collections do not have
    /// (records they may lack: a unit left out shows only through its inspections).
    #[serde(skip_serializing_if = "is_zero")]
    pub missing: u64,
    /// The collections that lost them (or may lack records), by name.
    pub collections: Vec<String>,
    /// What the result is worth: `fail` (not met, no points) or `score` (scored on the
    /// records there are), as the indicator or the pack says.
    pub on_incomplete: crate::pack::spec::OnIncomplete,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What an outcome was computed without, and which of its results that touches: present
/// only when records were rejected (or set aside).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IncompleteOutcome {
    /// How many records were rejected in all.
    pub rejected: u64,
    /// The collections that lost them, by name.
    pub collections: Vec<String>,
    /// The indicators that read any of them, by id: each says so itself (`incomplete`),
    /// and unless it says `"on_incomplete": "score"` it is not met and earns no points.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<String>,
    /// By collection, the reported measures that read any of them (a unit's inspection
    /// count, when inspections were rejected).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub measures: BTreeMap<String, Vec<String>>,
    /// Whether the scorecard reads an incomplete indicator: its total and grade are then
    /// provisional.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub scorecard: bool,
}

/// An indicator in one category of its `by` dimension (within one group).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ByCategory {
    /// The category (`—` for members with none).
    pub category: String,
    /// False when not applicable there (no members, 0 ÷ 0).
    pub applicable: bool,
    /// The value there, exact and as shown.
    pub value: Option<Exact>,
    /// Numerator there (members meeting, or Σ numerator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numerator: Option<String>,
    /// Denominator there (members, or Σ denominator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denominator: Option<String>,
    /// Whether the indicator's target is met there.
    pub met: Option<bool>,
}

/// A late submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Late {
    /// The member's key.
    pub key: String,
    /// Its due date.
    pub due: String,
    /// When it was submitted (none: not yet).
    pub submitted: Option<String>,
    /// Calendar days late (to the assessment date when not submitted), as every number
    /// of the outcome is: text.
    pub days_late: String,
    /// Working days late, when the pack has calendars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_days_late: Option<String>,
}

/// One scorecard section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SectionResult {
    /// The section's name in the pack.
    pub name: String,
    /// Points earned by its applicable indicators.
    pub earned: Exact,
    /// Full points of its applicable indicators.
    pub applicable_max: String,
    /// The section's score, scaled to its weight (or full points).
    pub score: Option<Exact>,
    /// Its weight (or full points).
    pub max: String,
}

/// An action triggered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ActionResult {
    /// The action, e.g. 限期整改.
    pub action: String,
    /// The condition that triggered it.
    pub because: String,
    /// The action's note in the pack, for the reader.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The reported measures of one collection's records: a table with a row per record (in
/// key order) and a column per measure (in name order). It is written to JSON as
/// `{"<key>": {"<measure>": value, …}, …}`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Records {
    /// Measure names, sorted.
    pub measures: Vec<String>,
    /// Record keys, sorted (text values, read where the dataset holds them: scoring a
    /// million records copies no key, and the dataset's records are freed when both it and
    /// this outcome are dropped); [`Records::keys`] reads them.
    pub(crate) keys: crate::data::KeyColumn,
    /// Values, row by row (`keys.len() × measures.len()`); a record a measure refers to
    /// appears as its key. A table of one measure a decision table gave every record is
    /// that measure's coded column as scoring left it.
    pub(crate) values: crate::eval::column::Column,
    /// How each measure's values are shown (in the order of `measures`).
    pub(crate) shows: Vec<Show>,
    /// The collection's sheet name in the pack, when it gives one (not in the JSON):
    /// workbooks name the records' sheet so.
    pub(crate) sheet: Option<String>,
    /// Each measure's title in the pack, when it has one (not in the JSON).
    pub(crate) titles: Vec<Option<String>>,
}

/// How a measure's values are shown in the outcome.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) enum Show {
    /// As they are.
    #[default]
    Plain,
    /// A number as `{exact, display}`, rounded so.
    Rounded(crate::pack::spec::RoundingSpec),
    /// A scan's state: an object with these fields.
    Fields(std::sync::Arc<[String]>),
}

/// A record's value as the outcome shows it: a number of a measure with display rounding
/// as `{exact, display}`, a scan's state as an object, anything else as it is.
pub(crate) struct Shown<'a>(pub &'a Value, pub &'a Show);

impl Shown<'_> {
    /// The exact number and its display, when the value is shown so.
    pub(crate) fn rounded(&self) -> Option<Exact> {
        match (self.0, self.1) {
            (Value::Num(n), Show::Rounded(r)) => Some(Exact::new(n.get(), r.digits, r.mode)),
            _ => None,
        }
    }

    /// The fields of a state with their values, when the value is shown so.
    pub(crate) fn fields(&self) -> Option<impl Iterator<Item = (&str, &Value)>> {
        match (self.0, self.1) {
            (Value::Item(all, start, w), Show::Fields(names)) => {
                let start = *start as usize;
                let values = all.get(start..start + *w as usize)?;
                Some(names.iter().map(|n| n.as_str()).zip(values))
            }
            _ => None,
        }
    }
}

impl Serialize for Shown<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        if let Some(e) = self.rounded() {
            return e.serialize(s);
        }
        if let Some(fields) = self.fields() {
            let mut m = s.serialize_map(None)?;
            for (k, v) in fields {
                m.serialize_entry(k, v)?;
            }
            return m.end();
        }
        self.0.serialize(s)
    }
}

/// The outcome document's format version (the outcome's `format`).
pub const FORMAT: u32 = 1;

/// The value of a record's measure in an outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Measured {
    /// No value.
    None,
    /// A truth value.
    Bool(bool),
    /// An exact number.
    Number(Number),
    /// Text (an enum value, or the key of a record the measure refers to).
    Text(String),
    /// A date.
    Date(NaiveDate),
    /// A list.
    List(Vec<Measured>),
    /// An item of a checklist (shown as `(item)`).
    Item,
}

impl From<&Value> for Measured {
    fn from(v: &Value) -> Measured {
        match v {
            Value::None => Measured::None,
            Value::Bool(b) => Measured::Bool(*b),
            Value::Num(n) => Measured::Number(n.get()),
            Value::Str(_) | Value::Short(_) => {
                Measured::Text(v.as_str().unwrap_or_default().to_string())
            }
            Value::Date(d) => Measured::Date(*d),
            Value::List(l) => Measured::List(l.iter().map(Measured::from).collect()),
            Value::Items(..) => Measured::List(v.elems().map(|_| Measured::Item).collect()),
            Value::Item(..) | Value::Rec(..) => Measured::Item,
        }
    }
}

/// As in the outcome's JSON: numbers as exact text, dates as `YYYY-MM-DD`.
impl Serialize for Measured {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Measured::None => s.serialize_none(),
            Measured::Bool(b) => s.serialize_bool(*b),
            Measured::Number(n) => s.serialize_str(&n.to_exact_string()),
            Measured::Text(t) => s.serialize_str(t),
            Measured::Date(d) => s.collect_str(d),
            Measured::List(l) => s.collect_seq(l),
            Measured::Item => s.serialize_str("(item)"),
        }
    }
}

impl Measured {
    /// The number, when it is one.
    pub fn number(&self) -> Option<&Number> {
        match self {
            Measured::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The text, when it is text (a grade, say).
    pub fn text(&self) -> Option<&str> {
        match self {
            Measured::Text(s) => Some(s),
            _ => None,
        }
    }
}

impl Records {
    /// Record `i`'s values, one per measure (none when there is no such record).
    pub(crate) fn row(&self, i: usize) -> &[Value] {
        self.values.row(i, self.measures.len())
    }

    /// The records' keys, in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.keys.iter().map(|k| k.as_str().unwrap_or_default())
    }

    /// The value of a record's measure: `None` when there is no such record or reported
    /// measure.
    pub fn get(&self, key: &str, measure: &str) -> Option<Measured> {
        let row = self.keys.find(key)?;
        let col = self
            .measures
            .binary_search_by(|m| m.as_str().cmp(measure))
            .ok()?;
        self.row(row).get(col).map(Measured::from)
    }
}

impl Serialize for Records {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Row<'a>(&'a Records, &'a [Value]);
        impl Serialize for Row<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let r = self.0;
                let mut m = s.serialize_map(Some(r.measures.len()))?;
                for ((k, v), show) in r.measures.iter().zip(self.1).zip(&r.shows) {
                    m.serialize_entry(k, &Shown(v, show))?;
                }
                m.end()
            }
        }
        let mut m = s.serialize_map(Some(self.keys.len()))?;
        for (i, k) in self.keys().enumerate() {
            m.serialize_entry(k, &Row(self, self.row(i)))?;
        }
        m.end()
    }
}

/// The scorecard of one group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ScorecardResult {
    /// Total score; absent when no indicator is applicable.
    pub total: Option<Exact>,
    /// Full score.
    pub max: String,
    /// Grade of the total.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// Whether an indicator it reads is incomplete, so that the total and grade may change
    /// once the data are whole.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub provisional: bool,
    /// Actions triggered.
    pub actions: Vec<ActionResult>,
    /// Each section's score, in the pack's order.
    pub sections: Vec<SectionResult>,
}

/// Results of one jurisdiction (its own members and those of the jurisdictions below it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GroupResult {
    /// The jurisdiction's name (the groups' `name` field), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Parent jurisdiction key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Indicators by id.
    pub indicators: BTreeMap<String, IndicatorResult>,
    /// The jurisdiction's scorecard, when the pack has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scorecard: Option<ScorecardResult>,
    /// The outputs of the pack's tables on groups for the jurisdiction, by output name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub grades: BTreeMap<String, serde_json::Value>,
}

/// The outcome of scoring a dataset with a plan. Its JSON form is [`Outcome::to_json`]'s
/// (one list of its fields, in the document's order, serves both).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Outcome {
    /// The version of this document's format ([`FORMAT`]): it changes when a member
    /// changes meaning or is taken away (members are added without a change).
    pub format: u32,
    /// The engine that wrote it: `scorecard` and its version.
    pub engine: String,
    /// The pack.
    pub pack: PackMeta,
    /// The period assessed; none when neither the data nor the pack gives one (the pack
    /// dates nothing).
    #[cfg_attr(feature = "schema", serde(skip_serializing_if = "Option::is_none"))]
    pub period: Option<Period>,
    /// Records read, used, excluded and rejected, by collection.
    pub accounting: BTreeMap<String, Accounting>,
    /// What the results were computed without, when records were rejected.
    #[cfg_attr(feature = "schema", serde(skip_serializing_if = "Option::is_none"))]
    pub incomplete: Option<IncompleteOutcome>,
    /// Measures of each record, by collection (then key, then measure).
    pub records: BTreeMap<String, Records>,
    /// Indicators over all members.
    pub indicators: BTreeMap<String, IndicatorResult>,
    /// Scorecard over all members.
    #[cfg_attr(feature = "schema", serde(skip_serializing_if = "Option::is_none"))]
    pub scorecard: Option<ScorecardResult>,
    /// The outputs of the pack's tables on groups over all members, by output name.
    #[cfg_attr(feature = "schema", serde(skip_serializing_if = "BTreeMap::is_empty"))]
    pub grades: BTreeMap<String, serde_json::Value>,
    /// Results per jurisdiction, by key.
    pub groups: BTreeMap<String, GroupResult>,
}

impl IndicatorResult {
    /// The exact value; `None` when the indicator is not applicable.
    pub fn exact_value(&self) -> Option<&Number> {
        self.value.as_ref().map(Exact::number)
    }

    /// The points earned; `None` without scoring, or when excluded.
    pub fn exact_points(&self) -> Option<&Number> {
        self.points.as_ref().map(Exact::number)
    }
}

impl ScorecardResult {
    /// The exact total; `None` when no indicator is applicable.
    pub fn exact_total(&self) -> Option<&Number> {
        self.total.as_ref().map(Exact::number)
    }
}

impl Outcome {
    /// The indicators in the order the pack lists them (the JSON's map is sorted by id);
    /// any the pack's order does not name come after, by id.
    pub fn indicators_in_order(&self) -> impl Iterator<Item = (&String, &IndicatorResult)> {
        let order = &self.pack.indicator_order;
        let listed = order
            .iter()
            .filter_map(|id| self.indicators.get_key_value(id));
        let rest = self.indicators.iter().filter(|(id, _)| !order.contains(id));
        listed.chain(rest)
    }

    /// An indicator's result over all members.
    ///
    /// ```
    /// # let plan = scorecard::Plan::load(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/supervision-coverage"))?;
    /// # let data = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/supervision-coverage/data/sample.json"))?;
    /// let outcome = plan.score_json(&data)?;
    /// let coverage = outcome.indicator("coverage").expect("the pack has it");
    /// println!("coverage {:?}, met: {:?}", coverage.exact_value(), coverage.met);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn indicator(&self, id: &str) -> Option<&IndicatorResult> {
        self.indicators.get(id)
    }

    /// The results of one jurisdiction, by key.
    pub fn group(&self, key: &str) -> Option<&GroupResult> {
        self.groups.get(key)
    }

    /// The value of a record's reported measure, e.g. a unit's grade:
    /// `outcome.measure("units", "U001", "grade")`.
    pub fn measure(&self, collection: &str, key: &str, measure: &str) -> Option<Measured> {
        self.records.get(collection)?.get(key, measure)
    }

    /// The overall scorecard's exact total.
    pub fn total(&self) -> Option<&Number> {
        self.scorecard.as_ref()?.exact_total()
    }

    /// The overall scorecard's grade.
    pub fn grade(&self) -> Option<&str> {
        self.scorecard.as_ref()?.grade.as_deref()
    }
}
