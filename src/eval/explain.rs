//! Explanations: why a record has the measures it has. For each measure, how it is
//! computed; for an aggregate, which related records it counted and why the others were
//! left out (the window with its dates, or the `where`); for a table, which rows (or
//! which band) fired, with their notes.

use super::measure::View;
use super::related::{Rule, Taken};
use super::table::eval_table;
use super::{value_json, ScoreError};
use crate::data::Dataset;
use crate::expr::eval::Frame;
use crate::plan::{MeasureKind, Plan, TableBody, Window};
use crate::value::{CollId, Value};
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// A related record an aggregate looked at.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RelatedRecord {
    /// Its key.
    pub key: String,
    /// Its date, when its collection has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Whether the aggregate counted it.
    pub counted: bool,
    /// Why not, when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Its value for the aggregate (counted records of sum, mean, min, max, latest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Json>,
}

/// A table row or band that fired.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Fired {
    /// `rows[i]` or `bands[i]`, numbered as in the pack.
    pub at: String,
    /// The row's condition, or the band's bounds.
    pub rule: String,
    /// The row's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Why a measure has its value.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MeasureWhy {
    /// The measure.
    pub name: String,
    /// Its value.
    pub value: Json,
    /// How it is computed.
    pub how: String,
    /// The related records an aggregate looked at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<Vec<RelatedRecord>>,
    /// The rows or band of a table that fired (empty: the default applied).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fired: Option<Vec<Fired>>,
}

/// Why a record has its measures.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Explanation {
    /// The collection.
    pub collection: String,
    /// The record's key.
    pub key: String,
    /// Its fields.
    pub fields: BTreeMap<String, Json>,
    /// Its measures, by name.
    pub measures: Vec<MeasureWhy>,
}

fn window_text(w: Window, ds: &Dataset) -> String {
    let p = &ds.period;
    match w {
        Window::All => "all dates".into(),
        Window::Period => format!("the period {} to {}", p.from, p.to),
        Window::Months(n) => format!("the {n} months up to {}", p.as_of),
        Window::Days(n) => format!("the {n} days up to {}", p.as_of),
    }
}

/// Explains record `idx` of collection `coll`, given the computed measure columns.
pub(crate) fn explain(
    plan: &Plan,
    ds: &Dataset,
    cols: &[super::column::Column],
    coll: CollId,
    idx: u32,
) -> Result<Explanation, ScoreError> {
    let c = &plan.collections[coll as usize];
    let row = ds.colls[coll as usize].row(idx as usize);
    let view = View { ds, cols };
    let vars = ds.period_vars();
    let fields = c
        .fields
        .iter()
        .zip(row.iter())
        .filter(|(f, _)| !matches!(f.kind, crate::plan::FieldKind::List(_)))
        .map(|(f, v)| (f.name.clone(), value_json(ds, v)))
        .collect();
    let mut measures = Vec::new();
    for &m in &c.measures {
        let meas = &plan.measures[m as usize];
        let v = cols[m as usize].get(idx as usize).unwrap_or(&crate::expr::eval::NONE);
        let value = match meas.show() {
            crate::outcome::Show::Plain => value_json(ds, v),
            show => serde_json::to_value(crate::outcome::Shown(v, &show))
                .unwrap_or_else(|_| value_json(ds, v)),
        };
        let frame = Frame {
            data: &view,
            base: Some((coll, idx)),
            vars: vars.record(),
        };
        let why = match &meas.kind {
            MeasureKind::Scan(s) => MeasureWhy {
                name: meas.name.clone(),
                value,
                how: format!(
                    "scan of the {} records with the same {} in date order: the state after this one",
                    c.name, c.fields[s.by as usize].name
                ),
                related: None,
                fired: None,
            },
            MeasureKind::Expr(e) => MeasureWhy {
                name: meas.name.clone(),
                value,
                how: format!("formula `{}`", e.src),
                related: None,
                fired: None,
            },
            MeasureKind::Table { table, .. } => {
                let t = &plan.tables[*table];
                let hit = eval_table(t, &frame).map_err(|(src, e)| {
                    ScoreError::eval(&format!("table {}", t.name), None, &src, e)
                })?;
                let fired = hit
                    .fired
                    .as_slice()
                    .iter()
                    .map(|&i| match &t.body {
                        TableBody::Rows(rows) => Fired {
                            at: format!("rows[{i}]"),
                            rule: rows[i].when.src.to_string(),
                            note: rows[i].note.clone(),
                        },
                        TableBody::Bands { input, bands } => Fired {
                            at: format!("bands[{}]", bands[i].at),
                            rule: bands[i].rule(&input.src),
                            note: None,
                        },
                    })
                    .collect::<Vec<_>>();
                let how = if fired.is_empty() {
                    format!(
                        "table {} ({:?}): nothing matched, so its default",
                        t.name, t.hit
                    )
                } else {
                    format!("table {} ({:?})", t.name, t.hit)
                };
                MeasureWhy {
                    name: meas.name.clone(),
                    value,
                    how,
                    related: None,
                    fired: Some(fired),
                }
            }
            MeasureKind::Aggregate { .. } => {
                let rule = Rule::of(plan, ds, m as usize)
                    .ok_or_else(|| ScoreError::Internal("an aggregate without its rule".into()))?;
                let label = format!("measure {}.{}", c.name, meas.name);
                let record = format!("{} '{}'", c.name, ds.colls[coll as usize].key(idx as usize));
                MeasureWhy {
                    name: meas.name.clone(),
                    value,
                    how: aggregate_how(plan, &rule, ds),
                    related: Some(related(
                        &rule,
                        &view,
                        &vars,
                        (coll, idx),
                        (&label, &record),
                    )?),
                    fired: None,
                }
            }
        };
        measures.push(why);
    }
    Ok(Explanation {
        collection: c.name.clone(),
        key: ds.colls[coll as usize].key(idx as usize).to_string(),
        fields,
        measures,
    })
}

/// The related records of record `idx` that an aggregate looked at, as the measure
/// computation walks them: each counted (with its value) or left out, and why.
fn related(
    rule: &Rule,
    view: &View,
    vars: &crate::expr::vars::PeriodVars,
    (coll, idx): (CollId, u32),
    names: (&str, &str),
) -> Result<Vec<RelatedRecord>, ScoreError> {
    let ds = view.ds;
    let outer_vars = vars.with(Value::Rec(coll, idx));
    let related = &ds.colls[rule.over as usize];
    let walked = rule.walk(view, &outer_vars, (coll, idx), names)?;
    Ok(walked
        .into_iter()
        .map(|(j, date, taken)| {
            let (reason, value) = match taken {
                None if rule.buckets.is_some() => (Some("outside every window".to_string()), None),
                None => (
                    Some(format!("outside {}", window_text(rule.window, ds))),
                    None,
                ),
                Some(Taken::Filtered) => {
                    (rule.filter.map(|f| format!("`{}` is false", f.src)), None)
                }
                Some(Taken::Counted(v)) => (None, v.map(|v| value_json(ds, &v))),
            };
            RelatedRecord {
                key: related.key(j as usize).to_string(),
                date: date.map(|d| d.to_string()),
                counted: reason.is_none(),
                reason,
                value,
            }
        })
        .collect())
}

/// How an aggregate is computed, in words.
fn aggregate_how(plan: &Plan, rule: &Rule, ds: &Dataset) -> String {
    let oc = rule.collection;
    let mut how = format!(
        "{} of {} (by {}) in {}",
        rule.agg.name(),
        oc.name,
        rule.via.text(&plan.collections),
        window_text(rule.window, ds)
    );
    if let Some(f) = rule.filter {
        how.push_str(&format!(" where `{}`", f.src));
    }
    if let Some(b) = &rule.buckets {
        let ws: Vec<String> = b.iter().map(|(a, b)| format!("{a}…{b}")).collect();
        how.push_str(&format!(", one result per window: {}", ws.join(", ")));
    }
    if let Some(e) = rule.value {
        how.push_str(&format!(", of `{}`", e.src));
    }
    how
}

impl Explanation {
    /// The explanation as indented text, as `scorecard explain` prints it.
    pub fn to_text(&self) -> String {
        render(self)
    }
}

/// An explanation as indented text.
fn render(e: &Explanation) -> String {
    let mut s = String::new();
    let fields: Vec<String> = e
        .fields
        .iter()
        .map(|(k, v)| format!("{k}: {}", plain(v)))
        .collect();
    s.push_str(&format!(
        "{} '{}' ({})\n",
        e.collection,
        e.key,
        fields.join(", ")
    ));
    for m in &e.measures {
        s.push_str(&format!(
            "  {} = {}\n      {}\n",
            m.name,
            plain(&m.value),
            m.how
        ));
        for f in m.fired.iter().flatten() {
            let note = f
                .note
                .as_ref()
                .map(|n| format!("  ({n})"))
                .unwrap_or_default();
            s.push_str(&format!("      fired {}: {}{note}\n", f.at, f.rule));
        }
        for r in m.related.iter().flatten() {
            let date = r.date.clone().unwrap_or_default();
            let what = match (&r.reason, &r.value) {
                (Some(why), _) => format!("left out: {why}"),
                (None, Some(v)) => format!("counted, {}", plain(v)),
                (None, None) => "counted".into(),
            };
            s.push_str(&format!("      {} {date}  {what}\n", r.key));
        }
    }
    s
}

fn plain(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        // a rounded number: its display, then the exact value when it differs
        Json::Object(o) if o.contains_key("display") => {
            let (d, e) = (plain(&o["display"]), plain(&o["exact"]));
            if d == e {
                d
            } else {
                format!("{d} (exactly {e})")
            }
        }
        Json::Null => "(no value)".into(),
        other => other.to_string(),
    }
}
