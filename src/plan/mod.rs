//! The compiled form of a pack: names resolved, expressions type-checked and compiled,
//! tables checked and indexed. A [`Plan`] is immutable, `Send + Sync`, and cheap to share
//! between threads (wrap it in an `Arc`).

pub(crate) mod compile;
pub(crate) mod inputs;
pub mod limits;

pub(crate) use compile::compile;

use crate::expr::compile::{Expr, ItemId, MeasureId, Ty};
use crate::num::Number;
pub use crate::pack::spec::{Agg, CollectAgg, NotApplicable, Target, Window};
use crate::pack::spec::{ExtraFields, RoundingSpec};
use crate::value::{CollId, Value};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// An assessment period (inclusive) and its assessment date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Assessment date (windows end here).
    pub as_of: NaiveDate,
}

impl Period {
    /// What a dataset holds when it has no period (its pack dates nothing, so nothing
    /// reads it; `Dataset::period` is then none).
    pub(crate) const UNDATED: Period = Period {
        from: NaiveDate::MIN,
        to: NaiveDate::MIN,
        as_of: NaiveDate::MIN,
    };
}

/// Identity of a pack in an outcome.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PackMeta {
    /// Pack name.
    pub name: String,
    /// Pack version.
    pub version: String,
    /// Human title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `sha256:` of the pack's files.
    pub digest: String,
    /// The indicators' ids in the order the pack lists them (not in the JSON, whose maps
    /// are sorted): tables and reports show them so.
    #[serde(skip)]
    pub indicator_order: Vec<String>,
    /// The language of the engine's own words in tables and reports (not in the JSON).
    #[serde(skip)]
    pub language: crate::pack::spec::Language,
}

/// The type of an input field.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldKind {
    /// Text.
    Str,
    /// Exact number.
    Num,
    /// Whole number.
    Int,
    /// true / false.
    Bool,
    /// `YYYY-MM-DD`.
    Date,
    /// One of the listed strings.
    Enum(Vec<Arc<str>>),
    /// The key of a record of another (or the same) collection.
    Ref(CollId),
    /// A list of items with the given shape.
    List(ItemId),
    /// A list of plain values of one kind (string, number, integer, bool, date or enum);
    /// the field's limits apply to each.
    Values(Box<FieldKind>),
}

impl FieldKind {
    /// The type expressions see a value of this kind as.
    pub(crate) fn ty(&self) -> Ty {
        match self {
            FieldKind::Str | FieldKind::Enum(_) => Ty::Str,
            FieldKind::Num | FieldKind::Int => Ty::Num,
            FieldKind::Bool => Ty::Bool,
            FieldKind::Date => Ty::Date,
            FieldKind::Ref(c) => Ty::Rec(*c),
            FieldKind::List(i) => Ty::List(Box::new(Ty::Item(*i))),
            FieldKind::Values(k) => Ty::List(Box::new(k.ty())),
        }
    }

    /// Whether values of this kind are numbers, which limits apply to (one by one in a
    /// list of numbers).
    pub(crate) fn is_numeric(&self) -> bool {
        match self {
            FieldKind::Num | FieldKind::Int => true,
            FieldKind::Values(k) => k.is_numeric(),
            _ => false,
        }
    }
}

/// A declared field.
#[derive(Clone, Debug)]
pub struct Field {
    /// Its name in the input records.
    pub name: String,
    /// What values it takes.
    pub kind: FieldKind,
    /// May be missing or null.
    pub optional: bool,
    /// A number field's limits (`min`, `max`, `multiple_of`, `values`), when it has any.
    pub limits: Option<Box<limits::Limits>>,
}

impl Field {
    pub(crate) fn ty(&self) -> Ty {
        self.kind.ty()
    }
}

/// The fields of the elements of a list field.
#[derive(Clone, Debug)]
pub struct ItemShape {
    /// Fields by slot.
    pub fields: Vec<Field>,
}

/// A collection of input records.
#[derive(Debug)]
pub struct Collection {
    /// Its name in the pack and the data.
    pub name: String,
    /// Fields by slot.
    pub fields: Vec<Field>,
    pub(crate) field_index: HashMap<String, u16>,
    /// Slot of the key field.
    pub key_slot: u16,
    /// Slot of the date field, if any.
    pub date_slot: Option<u16>,
    /// Path of reference slots to the jurisdiction: `(collection, slot)` hops.
    pub jurisdiction: Option<Vec<(CollId, u16)>>,
    /// Records for which this is false are excluded.
    pub include: Option<Expr>,
    /// Treatment of undeclared fields.
    pub extra_fields: ExtraFields,
    /// Validity rules, in order: a record for which a condition holds is rejected with the
    /// reason beside it (`eval::validity`).
    pub invalid_when: Vec<(Expr, String)>,
    /// Measures of this collection in declaration order.
    pub measures: Vec<MeasureId>,
    /// How it is written as a sheet or CSV file (`data::sheets`).
    pub sheet: Sheet,
    /// Whether its records can be read by `data::record::fast`: no list field, at most 64
    /// fields, and every field name written in JSON as it is (no quote, backslash or
    /// control character to escape). Set with the fields.
    pub flat: bool,
    /// Whether an input may leave it out (it then has no records); else that is an error.
    pub optional: bool,
    /// Whether any result reads its records (`plan::inputs::needed`); one that nothing
    /// reads may be left out whether or not it is optional.
    pub needed: bool,
}

/// A collection as a sheet of a workbook or a CSV file.
#[derive(Debug, Default)]
pub struct Sheet {
    /// The sheet's (or file's) name, when it is not the collection's.
    pub name: Option<String>,
    /// The column header of each field, by slot.
    pub headers: Vec<String>,
    /// By slot, the value each cell text stands for (enum and bool fields; empty for
    /// others).
    pub values: Vec<BTreeMap<String, serde_json::Value>>,
}

/// The windows of a per-window aggregation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Per {
    /// Calendar periods of this many months (1, 2, 3, 6, 12), clipped to the run's period.
    Months(u32),
    /// Weeks from Monday to Sunday, clipped to the run's period.
    Weeks,
    /// The records of a collection (e.g. school terms), each from one date field to another.
    Terms {
        /// The collection.
        coll: CollId,
        /// Its first-day field.
        from: u16,
        /// Its last-day field.
        to: u16,
    },
}

/// How a measure is computed.
#[derive(Debug)]
pub enum MeasureKind {
    /// A formula.
    Expr(Expr),
    /// An aggregation over related records.
    Aggregate {
        /// Which aggregation.
        agg: Agg,
        /// The related collection.
        over: CollId,
        /// Its reference (or path of references) pointing at this collection's record (or
        /// at `key`'s target).
        via: Via,
        /// With `match`: this record's reference field whose target the related records share.
        key: Option<u16>,
        /// Condition on the related records.
        filter: Option<Expr>,
        /// Value per related record.
        value: Option<Expr>,
        /// Date window.
        window: Window,
        /// One result per window of the period (a list), when given.
        per: Option<Per>,
    },
    /// A scan over the records that share a field's value, in date then key order: the
    /// state after each record (an item with the state's fields).
    Scan(Scan),
    /// An output of a table.
    Table {
        /// The table.
        table: usize,
        /// The output index.
        output: usize,
    },
}

/// The references from a related record to the record an aggregate counts it for: one
/// field of the related collection (`"via": "unit"`), or a path, each field in the
/// collection the one before refers to (`"via": "inspection.establishment"`: a
/// violation's inspection's establishment). Checked when the pack loads: every step a
/// reference, the last to the aggregate's collection.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Via {
    /// Each step: the collection and the slot of its reference field (the first is the
    /// related collection's).
    pub steps: Vec<(CollId, u16)>,
}

impl Via {

    /// The path as the pack writes it: `unit`, `inspection.establishment`.
    pub fn text(&self, collections: &[Collection]) -> String {
        let names: Vec<&str> = self
            .steps
            .iter()
            .map(|&(c, s)| collections[c as usize].fields[s as usize].name.as_str())
            .collect();
        names.join(".")
    }

    /// The collection the path leads to.
    pub fn to(&self, collections: &[Collection]) -> Option<CollId> {
        let &(c, s) = self.steps.last()?;
        match collections[c as usize].fields[s as usize].kind {
            FieldKind::Ref(t) => Some(t),
            _ => None,
        }
    }
}

/// A scan's rule ([`MeasureKind::Scan`]).
#[derive(Debug)]
pub struct Scan {
    /// The field whose value groups the records (no value: a record on its own).
    pub by: u16,
    /// The collection's date field, which orders them.
    pub date: u16,
    /// The state's fields, by name.
    pub fields: Arc<[String]>,
    /// Each field's value before the first record (the first record in scope).
    pub initial: Vec<Expr>,
    /// Values computed for each record before its step (from `state` and the record),
    /// which the step sees after `state`.
    pub with: Vec<Expr>,
    /// Each field's value after a record, from `state`, `with` and the record; `None`
    /// keeps it.
    pub step: Vec<Option<Expr>>,
}

/// A measure of a collection.
#[derive(Debug)]
pub struct Measure {
    /// Collection it is computed for.
    pub coll: CollId,
    /// Its name among its collection's measures.
    pub name: String,
    /// How it is computed.
    pub kind: MeasureKind,
    /// The type of its values (what a partial result's values of it must be).
    pub ty: Ty,
    /// Shown in the outcome.
    pub report: bool,
    /// Display rounding: a number is shown as `{exact, display}`.
    pub rounding: Option<crate::pack::spec::RoundingSpec>,
    /// Its title in the pack, when it has one.
    pub title: Option<String>,
}

impl Measure {
    /// How the outcome shows its values.
    pub(crate) fn show(&self) -> crate::outcome::Show {
        use crate::outcome::Show;
        match (&self.kind, self.rounding) {
            (MeasureKind::Scan(s), _) => Show::Fields(s.fields.clone()),
            (_, Some(r)) => Show::Rounded(r),
            _ => Show::Plain,
        }
    }
}

/// Hit policy of a decision table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hit {
    /// The first matching row.
    First,
    /// At most one row may match; more is an error.
    Unique,
    /// The matching row with the highest priority (first among equals).
    Priority,
    /// All matching rows, aggregated.
    Collect(CollectAgg),
}

/// A decision table row.
#[derive(Debug)]
pub struct Row {
    /// When the row fires.
    pub when: Expr,
    /// Its outputs, in the table's output order.
    pub then: Vec<Value>,
    /// Priority (priority hit policy).
    pub priority: i64,
    /// Why the row is there (shown in explanations).
    pub note: Option<String>,
    /// Where it is: `file:line:col`.
    pub loc: String,
}

/// A band: `[min, below)`.
#[derive(Debug)]
pub struct Band {
    /// Inclusive lower bound.
    pub min: Option<Number>,
    /// Exclusive upper bound.
    pub below: Option<Number>,
    /// Its outputs, in the table's output order.
    pub then: Vec<Value>,
    /// Its index in the pack's `bands` list (the compiled bands are sorted).
    pub at: usize,
    /// Where it is: `file:line:col`.
    pub loc: String,
}

impl Band {
    /// Its bounds around the number it bands, as a reader writes them: `60 ≤ total < 90`.
    pub fn rule(&self, input: &str) -> String {
        let lo = self.min.as_ref().map(|x| format!("{x} ≤ ")).unwrap_or_default();
        let hi = self.below.as_ref().map(|x| format!(" < {x}")).unwrap_or_default();
        format!("{lo}{input}{hi}")
    }
}

/// The body of a table.
#[derive(Debug)]
pub enum TableBody {
    /// Rows with conditions.
    Rows(Vec<Row>),
    /// Bands over one number, sorted, without gaps or overlaps (binary-searched).
    Bands {
        /// The number.
        input: Expr,
        /// The bands in ascending order.
        bands: Vec<Band>,
    },
}

/// A decision or band table.
#[derive(Debug)]
pub struct Table {
    /// Its name in the pack.
    pub name: String,
    /// What it is evaluated for.
    pub on: TableOn,
    /// Output names and types.
    pub outputs: Vec<(String, Ty)>,
    /// Which rows give the outputs when several match (bands: always `Unique`).
    pub hit: Hit,
    /// Its rows, or its sorted bands.
    pub body: TableBody,
    /// Outputs when nothing matches (`None`: each output has no value).
    pub default: Option<Vec<Value>>,
    /// How which row fires is decided from the record's values alone, when it can be
    /// (see [`crate::eval::table::decide_direct`]).
    pub direct: Option<Direct>,
}

/// A table's decision from the record's values alone.
#[derive(Debug)]
pub enum Direct {
    /// First hit, every row's condition a direct test of fields: the tests, in row order
    /// (held together, so that deciding reads nothing else).
    Rows(Box<[crate::expr::quick::Quick]>),
    /// Bands over the field in this slot.
    Band(u16),
}

/// What a table is evaluated for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableOn {
    /// Each record of a collection (its fields and measures in scope).
    Coll(CollId),
    /// The scorecard's total, in each group (`total`).
    Scorecard,
    /// Each jurisdiction and the overall group, over its indicators' results (`x`, `x_met`,
    /// `x_points`) and the jurisdiction (`group`): its outputs are shown per group.
    Groups,
}

impl TableOn {
    /// The collection, for a table on one.
    pub fn coll(self) -> Option<CollId> {
        match self {
            TableOn::Coll(c) => Some(c),
            _ => None,
        }
    }
}

/// Scoring of an indicator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scoring {
    /// Full points when met.
    AllOrNothing(Number),
    /// Points × value ÷ target, capped at the points.
    Proportional(Number),
    /// Points less `per` per shortfall of `unit`, not below `floor`.
    Deduction {
        /// Full points.
        points: Number,
        /// Deducted per shortfall.
        per: Number,
        /// Size of a shortfall.
        unit: Number,
        /// Least score.
        floor: Number,
    },
}

impl Scoring {
    /// The most points the indicator can earn.
    pub fn full(&self) -> Number {
        match self {
            Scoring::AllOrNothing(p) | Scoring::Proportional(p) => p.clone(),
            Scoring::Deduction { points, .. } => points.clone(),
        }
    }
}

/// An indicator.
#[derive(Debug)]
pub struct Indicator {
    /// Id.
    pub id: String,
    /// Human title.
    pub title: Option<String>,
    /// Criterion expressed.
    pub criterion: Option<String>,
    /// The unit of its value, shown after it (none for a percentage, shown with `%`).
    pub unit: Option<String>,
    /// The dimension it is broken down by, besides the jurisdictions.
    pub by: Option<By>,
    /// What it computes: its kind (`crate::indicator`), which sees the members.
    pub(crate) kind: Box<dyn crate::indicator::Kind>,
    /// Member collection (for a change, the current indicator's).
    pub coll: CollId,
    /// Member condition.
    pub filter: Option<Expr>,
    /// Target.
    pub target: Option<Target>,
    /// The target's bound per jurisdiction (sees `group`).
    pub target_by_group: Option<Expr>,
    /// Treatment when not applicable.
    pub not_applicable: NotApplicable,
    /// Compare the rounded value with the target.
    pub compare_rounded: bool,
    /// Display rounding.
    pub rounding: RoundingSpec,
    /// Scoring.
    pub scoring: Option<Scoring>,
    /// What it is worth when its inputs lost records.
    pub on_incomplete: crate::pack::spec::OnIncomplete,
    /// What its expressions read, as compiled.
    pub(crate) reads: Reads,
    /// The collections whose records its value depends on (its members', and those its
    /// measures aggregate, through every measure they read, and those of the indicators it
    /// is computed from), sorted: when one lost records, the indicator is incomplete.
    pub(crate) inputs: Vec<CollId>,
}

/// The measures and earlier indicators (by index) an indicator's expressions read.
#[derive(Debug, Default)]
pub(crate) struct Reads {
    pub measures: Vec<MeasureId>,
    pub indicators: Vec<usize>,
}

/// A dimension an indicator is broken down by (`"by": "category"`).
#[derive(Debug)]
pub struct By {
    /// The member's category: a text.
    pub expr: Expr,
    /// Every category, in order, when they are known (an enum field's values): each is
    /// shown, with members or not. Otherwise the categories seen, in text order.
    pub categories: Option<Vec<String>>,
}

/// A scorecard section.
#[derive(Debug)]
pub struct Section {
    /// Name.
    pub name: String,
    /// Weight (full points of the section after scaling).
    pub weight: Option<Number>,
    /// Indicator indices.
    pub indicators: Vec<usize>,
}

/// An action rule.
#[derive(Debug)]
pub struct ActionRule {
    /// Condition on `total` and `grade`.
    pub when: Expr,
    /// The action.
    pub action: String,
    /// Detail.
    pub note: Option<String>,
    /// Where it is: `file:line:col`.
    pub loc: String,
}

/// The scorecard.
#[derive(Debug)]
pub struct Scorecard {
    /// Sections.
    pub sections: Vec<Section>,
    /// Grading table and output.
    pub grade: Option<(usize, usize)>,
    /// Actions.
    pub actions: Vec<ActionRule>,
    /// Display rounding of totals.
    pub rounding: RoundingSpec,
}

/// The jurisdiction hierarchy.
#[derive(Debug)]
pub struct Groups {
    /// Collection of jurisdictions.
    pub coll: CollId,
    /// Parent reference slot.
    pub parent: Option<u16>,
    /// Name slot.
    pub name: Option<u16>,
}

/// A compiled pack.
#[derive(Debug)]
pub struct Plan {
    /// Identity.
    pub(crate) meta: PackMeta,
    /// What `check` warns of: suspicious but legal things, located.
    pub(crate) warnings: Vec<crate::pack::Diagnostic>,
    /// Default period.
    pub(crate) period: Option<Period>,
    /// Collections by id.
    pub(crate) collections: Vec<Collection>,
    /// List item shapes by id.
    pub(crate) items: Vec<ItemShape>,
    /// Measures by id.
    pub(crate) measures: Vec<Measure>,
    /// Measure ids in an order where every measure follows those it uses.
    pub(crate) measure_order: Vec<MeasureId>,
    /// Tables.
    pub(crate) tables: Vec<Table>,
    /// Indicators, sorted by id.
    pub(crate) indicators: Vec<Indicator>,
    /// Scorecard.
    pub(crate) scorecard: Option<Scorecard>,
    /// Jurisdictions.
    pub(crate) groups: Option<Groups>,
    /// Evidence cap.
    pub(crate) evidence_cap: usize,
    /// Sheets of a workbook that hold no collection, passed over when reading.
    pub(crate) other_sheets: Vec<String>,
    /// The pack's `on_incomplete` (each indicator's own, when it says, is in it).
    pub(crate) on_incomplete: crate::pack::spec::OnIncomplete,
    /// Whether a record whose evaluation fails is set aside (else the run fails).
    pub(crate) set_aside: bool,
    /// Default display rounding.
    pub(crate) rounding: RoundingSpec,
    /// Whether a dataset needs a period (its own or the pack's): something is dated.
    pub(crate) needs_period: bool,
    /// The stack a call of the pack's scripts may need at their limits; 0 without scripts.
    /// Evaluation makes sure of it once for a run of records, not once a call.
    pub(crate) script_stack: usize,
    /// The script functions expressions may call, by name (for rule coverage).
    pub(crate) scripts: Vec<Arc<crate::script::ScriptFn>>,
}

impl Plan {
    /// What `check` warns of: suspicious but legal things in the pack (a table that leaves
    /// inputs without a row and has no default, a percentage target that looks like a
    /// fraction), each located like an error.
    pub fn warnings(&self) -> &[crate::pack::Diagnostic] {
        &self.warnings
    }

    /// What the pack's indicators whose inputs lost records are worth unless they say
    /// (`on_incomplete`): the CLI exits 3 on rejected records unless it is `Score`.
    pub fn on_incomplete(&self) -> crate::pack::spec::OnIncomplete {
        self.on_incomplete
    }

    /// The pack's name.
    pub fn name(&self) -> &str {
        &self.meta.name
    }

    /// The pack's version.
    pub fn version(&self) -> &str {
        &self.meta.version
    }

    /// The pack's digest: `sha256:` of its files (`pack.json`, imported packs, calendars
    /// and scripts), as outcomes carry it.
    pub fn digest(&self) -> &str {
        &self.meta.digest
    }

    /// The ids of the pack's indicators, in id order.
    pub fn indicator_ids(&self) -> impl Iterator<Item = &str> {
        let mut ids: Vec<&str> = self.indicators.iter().map(|i| i.id.as_str()).collect();
        ids.sort_unstable();
        ids.into_iter()
    }

    /// The names of the pack's collections, in name order.
    pub fn collection_names(&self) -> impl Iterator<Item = &str> {
        let mut names: Vec<&str> = self.collections.iter().map(|c| c.name.as_str()).collect();
        names.sort_unstable();
        names.into_iter()
    }

    /// The accounting of a collection of a dataset read against this plan: records read,
    /// used, excluded and rejected (with reasons); `None` for a name that is not one of
    /// its collections.
    pub fn accounting<'d>(
        &self,
        ds: &'d crate::Dataset,
        collection: &str,
    ) -> Option<&'d crate::Accounting> {
        ds.accounting.get(self.collection(collection)? as usize)
    }

    /// Looks a collection up by name.
    pub(crate) fn collection(&self, name: &str) -> Option<CollId> {
        self.collections
            .iter()
            .position(|c| c.name == name)
            .map(|i| i as CollId)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn plan_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<super::Plan>();
    }
}
