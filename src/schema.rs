//! JSON Schemas of the documents a user writes or reads: `pack.json`, a fixture file,
//! the outcome, and a shard's partial result. They are derived from the Rust types that read and write them
//! (schemars), so they say what the engine accepts; `scorecard schema pack|fixture|outcome|partial`
//! writes them, `schema/` holds them (a test fails when they are stale), and a pack or a
//! fixture may name its schema in `"$schema"` for an editor to complete and check it.
//!
//! Where a type reads itself by hand (a field given as a type name or an object, a number
//! given as a JSON number or as text, a window, an indicator whose kind decides its
//! fields), its schema is written here.

use crate::fixtures::Fixture;
use crate::outcome::Outcome;
use crate::pack::spec::{IndicatorSpec, PackSpec};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use std::borrow::Cow;

/// The schema of `pack.json`.
pub fn pack() -> serde_json::Value {
    document::<PackSpec>("A scorecard rule pack (pack.json)", false)
}

/// The schema of a fixture file (`rules/<pack>/tests/*.json`).
pub fn fixture() -> serde_json::Value {
    document::<Fixture>(
        "A scorecard pack fixture: an input and the expected outcome or error",
        false,
    )
}

/// The schema of the outcome document (`scorecard score --format json`).
pub fn outcome() -> serde_json::Value {
    document::<Outcome>(
        "The outcome of scoring a dataset with a scorecard rule pack",
        true,
    )
}

/// The schema of a partial result (`scorecard score --partial`, docs/partials.md).
pub fn partial() -> serde_json::Value {
    document::<crate::partial::Partial>(
        "A partial result of scoring one shard of a dataset, to be merged with the others'",
        false,
    )
}

/// The schema of `T` as a document: of what it reads (a pack, a fixture), or of what it
/// writes (`written`: the outcome, whose absent members are left out).
fn document<T: JsonSchema>(title: &str, written: bool) -> serde_json::Value {
    let settings = schemars::generate::SchemaSettings::default();
    let settings = if written {
        settings.for_serialize()
    } else {
        settings.for_deserialize()
    };
    let mut s = settings.into_generator().into_root_schema_for::<T>();
    s.insert("title".into(), title.into());
    s.to_value()
}

/// Implements `JsonSchema` with a schema written out.
macro_rules! by_hand {
    ($t:ty, $name:literal, |$g:ident| $body:expr) => {
        impl JsonSchema for $t {
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }
            fn json_schema($g: &mut SchemaGenerator) -> Schema {
                $body
            }
        }
    };
}

by_hand!(crate::num::Number, "Number", |_g| json_schema!({
    "description": "An exact number: a JSON number (read from its text, never as a float) or text such as \"8.95\" or \"1/3\"",
    "type": ["number", "string"]
}));

by_hand!(crate::pack::spec::FieldSpec, "Field", |g| json_schema!({
    "description": "A field: a type name, or an object with its type and details",
    "oneOf": [
        { "type": "string", "enum": ["string", "number", "integer", "bool", "date", "enum", "list"] },
        g.subschema_for::<crate::pack::spec::FieldDetail>()
    ]
}));

by_hand!(crate::pack::spec::ItemsSpec, "Items", |g| json_schema!({
    "description": "The elements of a list: the type of its plain values, or the fields of its items",
    "oneOf": [
        { "type": "string", "enum": ["string", "number", "integer", "bool", "date", "enum"] },
        { "type": "object", "additionalProperties": g.subschema_for::<crate::pack::spec::FieldSpec>() }
    ]
}));

by_hand!(crate::pack::spec::Window, "Window", |_g| json_schema!({
    "description": "Which related records by date: all, those in the period, or those in the N months or days up to the assessment date",
    "oneOf": [
        { "type": "string", "enum": ["all", "period"] },
        { "type": "object", "properties": { "months": { "type": "integer", "minimum": 1, "maximum": 1200 } }, "required": ["months"], "additionalProperties": false },
        { "type": "object", "properties": { "days": { "type": "integer", "minimum": 1, "maximum": 36600 } }, "required": ["days"], "additionalProperties": false }
    ]
}));

by_hand!(crate::pack::spec::PerSpec, "Per", |_g| json_schema!({
    "description": "One result per window of the period: calendar periods, or the records of a collection of terms",
    "oneOf": [
        { "type": "string", "enum": ["week", "month", "two_months", "quarter", "half", "year"] },
        { "type": "object", "properties": {
            "collection": { "type": "string" }, "from": { "type": "string" }, "to": { "type": "string" } },
          "required": ["collection", "from", "to"], "additionalProperties": false }
    ]
}));

by_hand!(crate::outcome::Records, "Records", |_g| json_schema!({
    "description": "A collection's reported measures: by record key, by measure name; a number is exact text, a measure with rounding is {exact, display}, a scan's state an object",
    "type": "object",
    "additionalProperties": { "type": "object" }
}));

/// An indicator as `pack.json` writes it: what every indicator has, and the kind with the
/// fields only it takes, in one object (for the schema only).
pub struct IndicatorEntry;

by_hand!(IndicatorEntry, "Indicator", |g| {
    // each kind's variant (its `kind` and own fields) with the fields every kind has
    let shared = g.root_schema_for::<IndicatorSpec>().to_value();
    let shared_props = shared.get("properties").cloned().unwrap_or_default();
    let kinds = g.root_schema_for::<crate::indicator::KindSpec>().to_value();
    let defs = kinds.get("$defs").cloned().unwrap_or_default();
    let variants = kinds
        .get("oneOf")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for mut v in variants {
        if let (Some(props), Some(add)) = (
            v.get_mut("properties").and_then(|p| p.as_object_mut()),
            shared_props.as_object(),
        ) {
            for (k, s) in add {
                props.entry(k.clone()).or_insert_with(|| s.clone());
            }
        }
        out.push(v);
    }
    for (name, d) in defs.as_object().into_iter().flatten().chain(
        shared
            .get("$defs")
            .and_then(|d| d.as_object())
            .into_iter()
            .flatten(),
    ) {
        g.definitions_mut()
            .entry(name.clone())
            .or_insert_with(|| d.clone());
    }
    json_schema!({ "description": "An indicator: its kind decides the fields it takes, besides those every indicator has", "oneOf": out })
});
