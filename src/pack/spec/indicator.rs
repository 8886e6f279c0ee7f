//! What every indicator has, whatever its kind: its title, target, scoring and treatment
//! when not applicable. (A kind's own fields are in its file of `crate::indicator`.)

use super::RoundingSpec;
use crate::num::Number;
use serde::{Deserialize, Serialize};

/// What every indicator has, whatever its kind; the kind and the fields only it takes are
/// a `crate::indicator::KindSpec`, read from the same object.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct IndicatorSpec {
    /// Human title, e.g. 监督覆盖率.
    #[serde(default)]
    pub title: Option<String>,
    /// The criterion it expresses, e.g. `C1`.
    #[serde(default)]
    pub criterion: Option<String>,
    /// The unit its value is in, shown after it (`次/户`, `天`); a percentage's is `%`.
    #[serde(default)]
    pub unit: Option<String>,
    /// A dimension to break it down by besides the jurisdictions: a text (or enum) over
    /// the member, e.g. `category`.
    #[serde(default)]
    pub by: Option<String>,
    /// The target.
    #[serde(default)]
    pub target: Option<Target>,
    /// A target that varies by jurisdiction: an expression that sees `group` (the
    /// jurisdiction record) and gives the bound of `target` there; the overall result and
    /// a jurisdiction where it gives no value keep `target`.
    #[serde(default)]
    pub target_by_group: Option<String>,
    /// Treatment when not applicable (0 ÷ 0): `excluded` (default), `met`, `not_met`.
    #[serde(default)]
    pub not_applicable: Option<NotApplicable>,
    /// Compare the target with the `exact` value (default) or the `rounded` one.
    #[serde(default)]
    pub compare: Option<Compare>,
    /// Display rounding (the pack's when not given).
    #[serde(default)]
    pub rounding: Option<RoundingSpec>,
    /// How the indicator earns points.
    #[serde(default)]
    pub scoring: Option<ScoringSpec>,
    /// What it is worth when its inputs lost records (the pack's `on_incomplete` when not
    /// given): `fail` (not met, no points) or `score`.
    #[serde(default)]
    pub on_incomplete: Option<super::OnIncomplete>,
}

/// Treatment of an indicator that is not applicable (0 ÷ 0, no members).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotApplicable {
    /// Left out: its points leave the section's maximum.
    Excluded,
    /// Counted as met (full points).
    Met,
    /// Counted as not met (no points).
    NotMet,
}

/// What an indicator's target is compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Compare {
    /// The exact value (the default).
    Exact,
    /// The value rounded as the indicator shows it.
    Rounded,
}

/// The members of an indicator.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PopulationSpec {
    /// The collection.
    pub collection: String,
    /// Only members meeting this condition.
    #[serde(rename = "where", default)]
    pub filter: Option<String>,
}

/// A target: at least, at most, exactly, strictly above or strictly below a bound
/// (`{"min": 90}`: exactly one of them).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "TargetFields")]
pub enum Target {
    /// At least.
    Min(Number),
    /// At most.
    Max(Number),
    /// Exactly.
    Exactly(Number),
    /// Strictly above (a `change` above 0: it rises).
    Above(Number),
    /// Strictly below (a `change` below 0: it falls).
    Below(Number),
}

impl Target {
    /// The same kind of target with another bound.
    pub fn with(&self, x: Number) -> Target {
        match self {
            Target::Min(_) => Target::Min(x),
            Target::Max(_) => Target::Max(x),
            Target::Exactly(_) => Target::Exactly(x),
            Target::Above(_) => Target::Above(x),
            Target::Below(_) => Target::Below(x),
        }
    }

    /// Its key in the pack (`min`, …) and its comparison as a reader writes it (`≥`, …).
    pub fn words(&self) -> (&'static str, &'static str) {
        match self {
            Target::Min(_) => ("min", "≥"),
            Target::Max(_) => ("max", "≤"),
            Target::Exactly(_) => ("exactly", "="),
            Target::Above(_) => ("above", ">"),
            Target::Below(_) => ("below", "<"),
        }
    }

    /// The bound.
    pub fn bound(&self) -> &Number {
        match self {
            Target::Min(x) | Target::Max(x) | Target::Exactly(x) | Target::Above(x) | Target::Below(x) => x,
        }
    }
}

/// A target as written: its possible keys, of which exactly one is given.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct TargetFields {
    #[serde(default)]
    min: Option<Number>,
    #[serde(default)]
    max: Option<Number>,
    #[serde(default)]
    exactly: Option<Number>,
    #[serde(default)]
    above: Option<Number>,
    #[serde(default)]
    below: Option<Number>,
}

impl TryFrom<TargetFields> for Target {
    type Error = String;
    fn try_from(t: TargetFields) -> Result<Target, String> {
        match (t.min, t.max, t.exactly, t.above, t.below) {
            (Some(x), None, None, None, None) => Ok(Target::Min(x)),
            (None, Some(x), None, None, None) => Ok(Target::Max(x)),
            (None, None, Some(x), None, None) => Ok(Target::Exactly(x)),
            (None, None, None, Some(x), None) => Ok(Target::Above(x)),
            (None, None, None, None, Some(x)) => Ok(Target::Below(x)),
            _ => Err("a target is exactly one of min, max, exactly, above or below".into()),
        }
    }
}

/// How an indicator earns points: exactly one rule.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "ScoringFields")]
pub enum ScoringSpec {
    /// Full points when met, otherwise none.
    AllOrNothing(Number),
    /// Points in proportion to the value against the target, capped at full.
    Proportional(Number),
    /// Full points less a deduction per shortfall, not below a floor.
    Deduction(DeductionSpec),
}

/// A scoring rule as written: its possible keys, of which exactly one is given.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct ScoringFields {
    #[serde(default)]
    all_or_nothing: Option<Number>,
    #[serde(default)]
    proportional: Option<Number>,
    #[serde(default)]
    deduction: Option<DeductionSpec>,
}

impl TryFrom<ScoringFields> for ScoringSpec {
    type Error = String;
    fn try_from(s: ScoringFields) -> Result<ScoringSpec, String> {
        match (s.all_or_nothing, s.proportional, s.deduction) {
            (Some(x), None, None) => Ok(ScoringSpec::AllOrNothing(x)),
            (None, Some(x), None) => Ok(ScoringSpec::Proportional(x)),
            (None, None, Some(d)) => Ok(ScoringSpec::Deduction(d)),
            _ => Err("scoring is exactly one of all_or_nothing, proportional or deduction".into()),
        }
    }
}

/// Deduction per shortfall.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DeductionSpec {
    /// Full points.
    pub points: Number,
    /// Points deducted per shortfall.
    pub per: Number,
    /// Size of one shortfall for numeric indicators (e.g. 1 percentage point); for
    /// `each` a shortfall is one failing member. Default 1.
    #[serde(default)]
    pub unit: Option<Number>,
    /// The least the indicator can score (default 0).
    #[serde(default)]
    pub floor: Option<Number>,
}
