//! The rule pack format: serde types that are exactly the JSON of `pack.json`.
//!
//! Unknown fields are rejected everywhere. Sections that hold many named entries
//! (collections, measures, tables, indicators) are read entry by entry, so that a broken
//! entry is reported with its location and the others are still checked.

use crate::num::{Number, RoundingMode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

mod indicator;
pub use indicator::*;

/// The top level of `pack.json`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PackSpec {
    /// The JSON Schema editors check the file against (`schema/pack.schema.json`).
    #[serde(rename = "$schema", default)]
    #[allow(dead_code)] // for editors: checked, never read
    pub schema: Option<String>,
    /// Short machine name, e.g. `supervision-coverage`.
    pub name: String,
    /// Version of the pack, e.g. `1.0.0`.
    pub version: String,
    /// A title for readers of the pack and its outcome.
    #[serde(default)]
    pub title: Option<String>,
    /// Longer description.
    #[serde(default)]
    #[allow(dead_code)] // for readers of the pack: checked, never read
    pub description: Option<String>,
    /// The language of the engine's own words in tables and reports (`zh` or `en`, the
    /// default); the pack's titles are shown as written.
    #[serde(default)]
    pub language: Option<Language>,
    /// Default assessment period (data may give its own).
    #[serde(default)]
    pub period: Option<PeriodSpec>,
    /// Default display rounding of indicator values, points and totals.
    #[serde(default)]
    pub rounding: Option<RoundingSpec>,
    /// How many evidence ids an indicator lists at most (the count is always complete).
    #[serde(default)]
    pub evidence_cap: Option<usize>,
    /// What a record whose evaluation fails does to the run: `set_aside` (default: the
    /// record is rejected with the error, the rest scored) or `stop` (the run fails).
    #[serde(default)]
    pub evaluation_errors: Option<EvaluationErrors>,
    /// What an indicator whose inputs lost records (rejected, or set aside when scored)
    /// is worth, unless it says itself: `fail` (the default: not met, no points) or
    /// `score` (scored on the records there are). Either way the outcome marks it
    /// incomplete and the scorecard's grade provisional.
    #[serde(default)]
    pub on_incomplete: Option<OnIncomplete>,
    /// Sheets of a workbook that hold no collection (notes, totals): passed over. Any
    /// other sheet that is no collection's is an error, as it may be one misnamed.
    #[serde(default)]
    pub other_sheets: Vec<String>,
    /// The jurisdiction hierarchy indicators are grouped by.
    #[serde(default)]
    pub groups: Option<GroupsSpec>,
    /// The input collections, by name.
    #[cfg_attr(feature = "schema", schemars(with = "BTreeMap<String, CollectionSpec>"))]
    pub collections: BTreeMap<String, Value>,
    /// Measures, by collection then by name.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "BTreeMap<String, BTreeMap<String, MeasureSpec>>"))]
    pub measures: BTreeMap<String, BTreeMap<String, Value>>,
    /// Decision and band tables, by name.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "BTreeMap<String, TableSpec>"))]
    pub tables: BTreeMap<String, Value>,
    /// Indicators, by id.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "BTreeMap<String, crate::schema::IndicatorEntry>"))]
    pub indicators: BTreeMap<String, Value>,
    /// The points scorecard.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "Option<ScorecardSpec>"))]
    pub scorecard: Option<Value>,
    /// rhai scripts: files, limits, and the functions expressions may call.
    #[serde(default)]
    pub scripts: Option<ScriptsSpec>,
    /// Packs whose rules this one imports (merged before it is checked).
    #[serde(default)]
    #[allow(dead_code)] // read by loading from the JSON, before the spec
    pub imports: Vec<ImportSpec>,
    /// Working-day calendars, one per year: a name such as `cn-2025` (the file
    /// `calendars/cn-2025.json` beside the pack folder, or else the shipped calendar of
    /// that name) or a path inside the pack ending in `.json`.
    #[serde(default)]
    #[allow(dead_code)] // read by loading from the JSON, before the spec
    pub calendars: Vec<String>,
}

/// The scripts of a pack.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ScriptsSpec {
    /// Script files, relative to the pack folder (e.g. `scripts/staffing.rhai`).
    pub files: Vec<String>,
    /// Limits of every call (safe defaults; each at most a hard cap).
    #[serde(default)]
    pub limits: Option<crate::script::Limits>,
    /// The functions expressions may call, with their types.
    pub functions: BTreeMap<String, FunctionSpec>,
}

/// A script function as expressions see it.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FunctionSpec {
    /// What it is for.
    #[serde(default)]
    #[allow(dead_code)] // for readers of the pack: checked, never read
    pub title: Option<String>,
    /// Parameter types: `number`, `string`, `bool`, `date`, `list` (of scalars).
    #[serde(default)]
    pub params: Vec<String>,
    /// Result type: `number`, `string`, `bool` or `date` (a script may also return `()`: no value).
    pub returns: String,
}

/// A pack imported by another: its collections, measures, tables, groups and calendars
/// (those the importing pack does not define itself) and the indicators listed, each with
/// overrides of its `scoring`, `target`, `not_applicable`, `title` or `rounding`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportSpec {
    /// The pack: a folder beside this one, e.g. `supervision-coverage`.
    pub pack: String,
    /// The indicators to import, by id, with overrides (`{}` or `null` for none).
    pub indicators: BTreeMap<String, Value>,
}

/// An assessment period: inclusive dates.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PeriodSpec {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`.
    pub to: String,
    /// Assessment date for windows such as "the 12 months before"; defaults to `to`.
    #[serde(default)]
    pub as_of: Option<String>,
}

/// Rounding for display (or for comparison where an indicator says so).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RoundingSpec {
    /// Decimal digits kept.
    pub digits: u32,
    /// Rounding mode; `half_up` (四舍五入) when not given.
    #[serde(default)]
    pub mode: RoundingMode,
}

/// The jurisdiction hierarchy.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupsSpec {
    /// The collection of jurisdictions.
    pub collection: String,
    /// Its field that references the parent jurisdiction (optional field).
    #[serde(default)]
    pub parent: Option<String>,
    /// Its field with the display name.
    #[serde(default)]
    pub name: Option<String>,
}

/// A collection of input records.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CollectionSpec {
    /// A title for readers of the pack and its outcome.
    #[serde(default)]
    #[allow(dead_code)] // for readers of the pack: checked, never read
    pub title: Option<String>,
    /// The key field (unique per record); `id` when not given.
    #[serde(default)]
    pub key: Option<String>,
    /// Whether an input may leave the collection out (no array, no line, no sheet, no CSV
    /// file), which then has no records. Without it an input that lacks the collection is
    /// an error, so that records missing by mistake never score as records that are none.
    #[serde(default)]
    pub optional: bool,
    /// The fields and their types.
    pub fields: BTreeMap<String, FieldSpec>,
    /// The date field that windows and periods apply to.
    #[serde(default)]
    pub date: Option<String>,
    /// Where a record's jurisdiction is: a reference field to the groups collection,
    /// or a path through references such as `unit.township`.
    #[serde(default)]
    pub jurisdiction: Option<String>,
    /// A condition; records for which it is false are excluded (and counted as such).
    #[serde(default)]
    pub include: Option<String>,
    /// What to do with fields the pack does not declare: `reject` (default) or `ignore`.
    #[serde(default)]
    pub extra_fields: Option<ExtraFields>,
    /// Validity rules: a record for which a rule's condition holds is rejected with its
    /// reason (the first rule that holds, in this order).
    #[serde(default)]
    pub invalid_when: Vec<InvalidRule>,
    /// How the collection is written as a sheet of a workbook or a CSV file: the sheet's
    /// name, its column headers and the cell texts of enum and bool values.
    #[serde(default)]
    pub sheet: Option<SheetSpec>,
}

/// What an indicator whose inputs lost records is worth.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OnIncomplete {
    /// Not met, and no points (the value is still shown): data that went missing never
    /// earns a result.
    #[default]
    Fail,
    /// Met and points as the records there are give them (for rejections the pack
    /// expects, such as duplicate uploads its validity rules set aside).
    Score,
}

/// The language of the engine's own words in tables and reports.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// English.
    #[default]
    En,
    /// Chinese (简体中文).
    Zh,
}

/// A collection as a sheet (or CSV file), as exported by the system the records come from.
#[derive(Debug, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SheetSpec {
    /// The sheet's name in a workbook, and the CSV file's name without `.csv`; the
    /// collection's name when not given (either is accepted).
    #[serde(default)]
    pub name: Option<String>,
    /// The column header of each field (`{"id": "单位编号"}`); a field not named here is
    /// in the column headed by its own name.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// For enum and bool fields (and lists of them), the value each cell text stands for
    /// (`{"category": {"餐饮": "catering"}}`, `{"archived": {"已建档": true}}`); the
    /// values themselves are accepted too.
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
}

/// A validity rule of a collection.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InvalidRule {
    /// The condition that makes a record invalid; it may use fields and measures.
    pub when: String,
    /// Why, as the accounting shows it (`an item's points above its maximum`).
    pub reason: String,
}

/// What a record whose evaluation fails does to the run.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EvaluationErrors {
    /// The record is rejected with the error, and the others are scored without it.
    #[default]
    SetAside,
    /// The run fails with the first record's error.
    Stop,
}

/// Treatment of undeclared fields in input records.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExtraFields {
    /// The record is rejected, naming the field.
    #[default]
    Reject,
    /// The field is ignored.
    Ignore,
}

/// A field: a type name (`"string"`) or an object with details.
#[derive(Debug, Clone)]
pub struct FieldSpec(pub FieldDetail);

/// The details of a field.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FieldDetail {
    /// `string`, `number`, `integer`, `bool`, `date`, `enum` (with `values`),
    /// `list` (with `items`); may be left out when `ref` is given.
    #[serde(rename = "type", default)]
    pub ty: Option<String>,
    /// The collection whose key this field holds.
    #[serde(rename = "ref", default)]
    pub reference: Option<String>,
    /// The field may be missing or null.
    #[serde(default)]
    pub optional: bool,
    /// Allowed values: the strings of an enum, or the numbers a number field may hold.
    #[serde(default)]
    pub values: Option<Vec<serde_json::Value>>,
    /// The least value of a number field (inclusive).
    #[serde(default)]
    pub min: Option<crate::num::Number>,
    /// The greatest value of a number field (inclusive).
    #[serde(default)]
    pub max: Option<crate::num::Number>,
    /// A number field's values are whole multiples of this (`0.5`: half points).
    #[serde(default)]
    pub multiple_of: Option<crate::num::Number>,
    /// The elements of a list: the fields of its items (an object), or the type of its
    /// plain values (`"number"`, `"string"`, `"integer"`, `"bool"`, `"date"`, `"enum"`).
    #[serde(default)]
    pub items: Option<ItemsSpec>,
    /// A title for readers of the pack and its outcome.
    #[serde(default)]
    #[allow(dead_code)] // for readers of the pack: checked, never read
    pub title: Option<String>,
}

impl<'de> Deserialize<'de> for FieldSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = FieldSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a type name such as \"string\" or an object with \"type\"")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<FieldSpec, E> {
                Ok(FieldSpec(FieldDetail {
                    ty: Some(s.to_string()),
                    reference: None,
                    optional: false,
                    values: None,
                    min: None,
                    max: None,
                    multiple_of: None,
                    items: None,
                    title: None,
                }))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, m: A) -> Result<FieldSpec, A::Error> {
                FieldDetail::deserialize(serde::de::value::MapAccessDeserializer::new(m))
                    .map(FieldSpec)
            }
        }
        d.deserialize_any(V)
    }
}

/// What a list holds: items with fields, or plain values of one type.
#[derive(Debug, Clone)]
pub enum ItemsSpec {
    /// Plain values of this type (`"number"`): the list field's `min`, `max`,
    /// `multiple_of` and `values` apply to each.
    Values(String),
    /// Items with these fields.
    Fields(BTreeMap<String, FieldSpec>),
}

impl<'de> Deserialize<'de> for ItemsSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ItemsSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("the type of the list's values (\"number\") or an object with the fields of its items")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<ItemsSpec, E> {
                Ok(ItemsSpec::Values(s.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, m: A) -> Result<ItemsSpec, A::Error> {
                BTreeMap::deserialize(serde::de::value::MapAccessDeserializer::new(m))
                    .map(ItemsSpec::Fields)
            }
        }
        d.deserialize_any(V)
    }
}

/// A measure: a value computed per record of a collection.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MeasureSpec {
    /// A title for readers of the pack and its outcome (workbooks head its column so).
    #[serde(default)]
    pub title: Option<String>,
    /// A formula over the record's fields and measures.
    #[serde(default)]
    pub expr: Option<String>,
    /// An aggregation over related records.
    #[serde(default)]
    pub aggregate: Option<Agg>,
    /// The related collection aggregated over.
    #[serde(default)]
    pub over: Option<String>,
    /// Its reference field that points at this collection.
    #[serde(default)]
    pub via: Option<String>,
    /// Condition on the related records.
    #[serde(rename = "where", default)]
    pub filter: Option<String>,
    /// A reference field of this collection: aggregate over the related records that
    /// reference the same record it does (e.g. an inspection's unit's incidents).
    #[serde(rename = "match", default)]
    pub matching: Option<String>,
    /// Value of each related record (sum, mean, min, max, latest, list).
    #[serde(default)]
    pub value: Option<String>,
    /// Which related records by date: `"period"`, `"all"`, or `{"months": 12}` /
    /// `{"days": 90}` up to the assessment date.
    #[serde(default)]
    pub window: Option<Window>,
    /// One result per window of the period, as a list: `"week"`, `"month"`, `"two_months"`,
    /// `"quarter"`, `"half"`, `"year"`, or the records of a collection of terms
    /// (`{"collection": "terms", "from": "start", "to": "end"}`).
    #[serde(default)]
    pub per: Option<PerSpec>,
    /// A scan: a field of this collection (a reference, or text) whose records are taken
    /// together, in date order (then key order), carrying `state` from one to the next.
    #[serde(default)]
    pub scan: Option<String>,
    /// With `scan`: the state's fields and their values before the first record.
    #[serde(default)]
    pub state: Option<BTreeMap<String, String>>,
    /// With `scan`: values computed for each record before its step, from `state` and the
    /// record, that the step's expressions see by name (none sees another).
    #[serde(default)]
    pub with: Option<BTreeMap<String, String>>,
    /// With `scan`: each state field's value after a record, from `state` (the state
    /// before it) and the record; a field not given keeps its value.
    #[serde(default)]
    pub step: Option<BTreeMap<String, String>>,
    /// A table whose output this measure is.
    #[serde(default)]
    pub table: Option<String>,
    /// The table output (needed when the table has several).
    #[serde(default)]
    pub output: Option<String>,
    /// Show the measure in the outcome's records (default true).
    #[serde(default)]
    pub report: Option<bool>,
    /// Display rounding of a number measure: its records then show `{exact, display}`, as
    /// indicators do (the value used downstream stays exact).
    #[serde(default)]
    pub rounding: Option<RoundingSpec>,
}

/// Which related records an aggregate sees, by their date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "Value")]
pub enum Window {
    /// All of them (`"all"`).
    All,
    /// Those dated within the assessment period (`"period"`).
    Period,
    /// Those dated in the N months up to the assessment date: `(as_of - N months, as_of]`.
    Months(u32),
    /// Those dated in the N days up to the assessment date: `(as_of - N days, as_of]`.
    Days(u32),
}

impl TryFrom<Value> for Window {
    type Error = String;
    fn try_from(v: Value) -> Result<Window, String> {
        let number = |n: &Value| {
            n.as_number()
                .and_then(|n| n.as_str().parse::<u32>().ok())
                .filter(|n| *n > 0 && *n <= 1200)
        };
        let found = match &v {
            Value::String(s) if s == "all" => return Ok(Window::All),
            Value::String(s) if s == "period" => return Ok(Window::Period),
            Value::Object(m) if m.len() == 1 => match m.iter().next() {
                Some((k, n)) if k == "months" => number(n).map(Window::Months),
                Some((k, n)) if k == "days" => {
                    number(n).filter(|n| *n <= 36600).map(Window::Days)
                }
                _ => None,
            },
            _ => None,
        };
        found.ok_or_else(|| {
            format!(
                "a window is \"all\", \"period\", {{\"months\": N}} or {{\"days\": N}}, found {}",
                crate::json_locate::describe(&v)
            )
        })
    }
}

/// The windows of a per-window aggregate, as the pack names them.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "Value")]
pub enum PerSpec {
    /// Calendar periods of this many months: `"month"` (1), `"two_months"`, `"quarter"`,
    /// `"half"`, `"year"` (12).
    Months(u32),
    /// Weeks from Monday to Sunday (`"week"`).
    Weeks,
    /// The records of a collection, each from one date field to another:
    /// `{"collection": "terms", "from": "start", "to": "end"}`.
    Terms {
        /// The collection.
        collection: String,
        /// Its first-day field.
        from: String,
        /// Its last-day field.
        to: String,
    },
}

impl TryFrom<Value> for PerSpec {
    type Error = String;
    fn try_from(v: Value) -> Result<PerSpec, String> {
        match &v {
            Value::String(s) => match s.as_str() {
                "month" => return Ok(PerSpec::Months(1)),
                "two_months" => return Ok(PerSpec::Months(2)),
                "quarter" => return Ok(PerSpec::Months(3)),
                "half" => return Ok(PerSpec::Months(6)),
                "year" => return Ok(PerSpec::Months(12)),
                "week" => return Ok(PerSpec::Weeks),
                _ => {}
            },
            Value::Object(o) if o.len() == 3 => {
                let get = |k: &str| o.get(k).and_then(|x| x.as_str()).map(str::to_string);
                if let (Some(collection), Some(from), Some(to)) =
                    (get("collection"), get("from"), get("to"))
                {
                    return Ok(PerSpec::Terms { collection, from, to });
                }
            }
            _ => {}
        }
        Err(format!(
            "per is \"week\", \"month\", \"two_months\", \"quarter\", \"half\", \"year\" or {{\"collection\", \"from\", \"to\"}} (e.g. school terms), found {}",
            crate::json_locate::describe(&v)
        ))
    }
}

/// Aggregations over related records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Agg {
    /// Number of records.
    Count,
    /// Sum of a number (0 over none).
    Sum,
    /// Mean of a number (no value over none).
    Mean,
    /// Least value (no value over none).
    Min,
    /// Greatest value (no value over none).
    Max,
    /// Value of the latest record by date, ties by key (no value over none).
    Latest,
    /// The values of the records, in date order when they have dates (then key order),
    /// otherwise in key order; an empty list over none.
    List,
}

impl Agg {
    /// The aggregation's name in the pack.
    pub fn name(self) -> &'static str {
        match self {
            Agg::Count => "count",
            Agg::Sum => "sum",
            Agg::Mean => "mean",
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::Latest => "latest",
            Agg::List => "list",
        }
    }
}

/// Hit policy of a decision table, as the pack names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum HitPolicy {
    /// The first matching row.
    First,
    /// At most one row may match; more is an error.
    Unique,
    /// The matching row with the highest priority (first among equals).
    Priority,
    /// All matching rows, their outputs combined by the table's `aggregate`.
    Collect,
}

/// How the `collect` hit policy combines the matching rows' outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CollectAgg {
    /// Sum of each numeric output.
    Sum,
    /// Least of each numeric output.
    Min,
    /// Greatest of each numeric output.
    Max,
    /// Every output is the number of matching rows.
    Count,
}

/// A decision table or a band table.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    /// A title for readers of the pack and its outcome.
    #[serde(default)]
    #[allow(dead_code)] // for readers of the pack: checked, never read
    pub title: Option<String>,
    /// The collection whose records the table is evaluated for, or `scorecard`.
    pub on: String,
    /// Hit policy of a decision table (`first` when not given).
    #[serde(default)]
    pub hit: Option<HitPolicy>,
    /// With `collect`: how the matching rows' outputs are combined.
    #[serde(default)]
    pub aggregate: Option<CollectAgg>,
    /// Rows of a decision table.
    #[serde(default)]
    pub rows: Option<Vec<RowSpec>>,
    /// The number a band table is over.
    #[serde(default)]
    pub input: Option<String>,
    /// Bands of a band table.
    #[serde(default)]
    pub bands: Option<Vec<BandSpec>>,
    /// Outputs when no row or band matches.
    #[serde(default)]
    pub default: Option<BTreeMap<String, Value>>,
}

/// A row of a decision table.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RowSpec {
    /// The condition, over the record (or the scorecard's total).
    pub when: String,
    /// The outputs by name, when the row fires.
    pub then: BTreeMap<String, Value>,
    /// With the `priority` hit policy: the highest matching priority wins.
    #[serde(default)]
    pub priority: Option<i64>,
    /// Why the row is there (shown in traces).
    #[serde(default)]
    pub note: Option<String>,
}

/// A band: `min` inclusive, `below` exclusive; an end band may leave one out.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BandSpec {
    /// Lower bound, inclusive.
    #[serde(default)]
    pub min: Option<Number>,
    /// Upper bound, exclusive.
    #[serde(default)]
    pub below: Option<Number>,
    /// The outputs by name, for a number in the band.
    pub then: BTreeMap<String, Value>,
}

/// The points scorecard.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ScorecardSpec {
    /// A title for readers of the pack and its outcome.
    #[serde(default)]
    #[allow(dead_code)] // for readers of the pack: checked, never read
    pub title: Option<String>,
    /// Sections in order.
    pub sections: Vec<SectionSpec>,
    /// A table on `scorecard` that grades the total.
    #[serde(default)]
    pub grade: Option<GradeSpec>,
    /// Actions triggered by conditions on `total` and `grade`.
    #[serde(default)]
    pub actions: Vec<ActionSpec>,
    /// Display rounding of the total (the pack's when not given).
    #[serde(default)]
    pub rounding: Option<RoundingSpec>,
}

/// A section of weighted indicators.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SectionSpec {
    /// Name of the section.
    pub name: String,
    /// When given, the section's points are scaled so that its full points equal the weight.
    #[serde(default)]
    pub weight: Option<Number>,
    /// Indicator ids.
    pub indicators: Vec<String>,
}

/// Grading of the total by a table.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GradeSpec {
    /// The table (with `on: "scorecard"`).
    pub table: String,
    /// Its output (needed when it has several).
    #[serde(default)]
    pub output: Option<String>,
}

/// An action triggered by a condition.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ActionSpec {
    /// Condition on `total` and `grade`.
    pub when: String,
    /// The action, e.g. 限期整改.
    pub action: String,
    /// More detail for the reader.
    #[serde(default)]
    pub note: Option<String>,
}
