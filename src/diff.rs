//! What-if: what changes between two outcomes of the same records (two versions of a pack
//! over one dataset, or one pack over two datasets). Which records change a measure's
//! value (grades from → to, counted, per jurisdiction), which indicators change value,
//! met or points where, and which jurisdictions' totals, grades and actions change.
//!
//! The outcomes are compared as the documents they are (their JSON), so any two outcomes
//! compare, whatever packs made them; a value is compared by its exact text and shown by
//! its display.

use serde::Serialize;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// How many record keys a transition lists (the count is always complete).
const KEYS_SHOWN: usize = 20;

/// The differences between two outcomes.
#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct OutcomeDiff {
    /// Measures whose values changed for some records.
    pub records: Vec<MeasureDiff>,
    /// Indicator results that changed, overall (`jurisdiction` none) and per jurisdiction.
    pub indicators: Vec<IndicatorChange>,
    /// Scorecards that changed (total, grade or actions).
    pub scorecards: Vec<ScorecardChange>,
}

/// One measure's changes across a collection's records.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MeasureDiff {
    /// The collection.
    pub collection: String,
    /// The measure.
    pub measure: String,
    /// Records in both outcomes whose value changed.
    pub changed: u64,
    /// Records in both outcomes.
    pub of: u64,
    /// The changes by value, most frequent first.
    pub transitions: Vec<Transition>,
}

/// Records whose value went from one value to another.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Transition {
    /// The value before (as displayed; `(none)` for no value).
    pub from: String,
    /// The value after.
    pub to: String,
    /// How many records.
    pub count: u64,
    /// How many per jurisdiction (when records have one).
    pub by_jurisdiction: BTreeMap<String, u64>,
    /// The first records, by key.
    pub keys: Vec<String>,
}

/// A change of one indicator in one jurisdiction.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct IndicatorChange {
    /// The jurisdiction's key (none: overall).
    pub jurisdiction: Option<String>,
    /// The indicator.
    pub indicator: String,
    /// What changed: `value`, `met`, `points`, each `[before, after]`.
    pub changes: BTreeMap<String, [String; 2]>,
}

/// A change of one scorecard.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ScorecardChange {
    /// The jurisdiction's key (none: overall).
    pub jurisdiction: Option<String>,
    /// What changed: `total`, `grade`, `actions`, each `[before, after]`.
    pub changes: BTreeMap<String, [String; 2]>,
}

/// A value as shown: the display of a rounded number, the text of any other.
fn shown(v: Option<&Json>) -> String {
    match v {
        None | Some(Json::Null) => "(none)".into(),
        Some(Json::String(s)) => s.clone(),
        Some(Json::Object(o)) if o.contains_key("display") => shown(o.get("display")),
        Some(other) => other.to_string(),
    }
}

/// Whether two values differ: rounded numbers by their exact value.
fn differ(a: Option<&Json>, b: Option<&Json>) -> bool {
    let exact = |v: Option<&Json>| match v {
        Some(Json::Object(o)) if o.contains_key("exact") => o.get("exact").cloned(),
        other => other.cloned(),
    };
    exact(a).unwrap_or(Json::Null) != exact(b).unwrap_or(Json::Null)
}

/// One measure's records changed, records compared, and transitions by (from, to).
type Changes = (u64, u64, BTreeMap<(String, String), Transition>);

/// The members of `v`'s object `k` (none when it has none).
fn members<'a>(v: &'a Json, k: &str) -> impl Iterator<Item = (&'a String, &'a Json)> {
    v.get(k).and_then(Json::as_object).into_iter().flatten()
}

/// The parts of two results that differ, each `[before, after]` as shown.
fn changed(parts: &[&str], a: Option<&Json>, b: Option<&Json>) -> BTreeMap<String, [String; 2]> {
    let mut out = BTreeMap::new();
    for part in parts {
        let (x, y) = (a.and_then(|v| v.get(part)), b.and_then(|v| v.get(part)));
        if differ(x, y) {
            out.insert(part.to_string(), [shown(x), shown(y)]);
        }
    }
    out
}

/// The differences from `old` to `new` (outcome documents); `home` gives a record's
/// jurisdiction by collection and key, for the counts per jurisdiction.
pub fn diff(old: &Json, new: &Json, home: &dyn Fn(&str, &str) -> Option<String>) -> OutcomeDiff {
    let mut out = OutcomeDiff::default();
    for (coll, recs) in members(new, "records") {
        let Some(before) = old
            .get("records")
            .and_then(|r| r.get(coll))
            .and_then(Json::as_object)
        else {
            continue;
        };
        let Some(after) = recs.as_object() else {
            continue;
        };
        let mut measures: BTreeMap<String, Changes> = BTreeMap::new();
        for (key, a) in after {
            let Some(b) = before.get(key) else { continue };
            let names: std::collections::BTreeSet<&String> = a
                .as_object()
                .into_iter()
                .flat_map(|m| m.keys())
                .chain(b.as_object().into_iter().flat_map(|m| m.keys()))
                .collect();
            for m in names {
                let e = measures.entry(m.clone()).or_default();
                e.1 += 1;
                let (x, y) = (b.get(m), a.get(m));
                if !differ(x, y) {
                    continue;
                }
                e.0 += 1;
                let (from, to) = (shown(x), shown(y));
                let t =
                    e.2.entry((from.clone(), to.clone()))
                        .or_insert_with(|| Transition {
                            from,
                            to,
                            count: 0,
                            by_jurisdiction: BTreeMap::new(),
                            keys: Vec::new(),
                        });
                t.count += 1;
                if let Some(j) = home(coll, key) {
                    *t.by_jurisdiction.entry(j).or_default() += 1;
                }
                if t.keys.len() < KEYS_SHOWN {
                    t.keys.push(key.clone());
                }
            }
        }
        for (measure, (changed, of, ts)) in measures {
            if changed == 0 {
                continue;
            }
            let mut transitions: Vec<Transition> = ts.into_values().collect();
            transitions.sort_by(|a, b| {
                b.count
                    .cmp(&a.count)
                    .then_with(|| (&a.from, &a.to).cmp(&(&b.from, &b.to)))
            });
            out.records.push(MeasureDiff {
                collection: coll.clone(),
                measure,
                changed,
                of,
                transitions,
            });
        }
    }
    // overall, then each jurisdiction of the new outcome
    let places = std::iter::once((None, Some(old), new)).chain(
        members(new, "groups")
            .map(|(g, n)| (Some(g.clone()), old.get("groups").and_then(|o| o.get(g)), n)),
    );
    for (jurisdiction, o, n) in places {
        let (io, inew) = (o.and_then(|o| o.get("indicators")), n.get("indicators"));
        let ids: std::collections::BTreeSet<&String> = io
            .and_then(Json::as_object)
            .into_iter()
            .flat_map(|m| m.keys())
            .chain(members(n, "indicators").map(|(k, _)| k))
            .collect();
        for id in ids {
            let changes = changed(
                &["value", "met", "points"],
                io.and_then(|m| m.get(id)),
                inew.and_then(|m| m.get(id)),
            );
            if !changes.is_empty() {
                out.indicators.push(IndicatorChange {
                    jurisdiction: jurisdiction.clone(),
                    indicator: id.clone(),
                    changes,
                });
            }
        }
        let (so, sn) = (o.and_then(|o| o.get("scorecard")), n.get("scorecard"));
        let mut changes = changed(&["total", "grade"], so, sn);
        let actions = |s: Option<&Json>| {
            s.and_then(|v| v.get("actions"))
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .map(|x| shown(x.get("action")))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default()
        };
        let (ax, ay) = (actions(so), actions(sn));
        if ax != ay {
            changes.insert("actions".into(), [ax, ay]);
        }
        if !changes.is_empty() {
            out.scorecards.push(ScorecardChange {
                jurisdiction,
                changes,
            });
        }
    }
    out
}

impl OutcomeDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty() && self.indicators.is_empty() && self.scorecards.is_empty()
    }

    /// The differences as text, a line per change.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        if self.is_empty() {
            return "no differences\n".into();
        }
        for m in &self.records {
            let _ = writeln!(
                s,
                "{}.{}: changed for {} of {} records",
                m.collection, m.measure, m.changed, m.of
            );
            for t in &m.transitions {
                let _ = writeln!(s, "  {} → {}: {}", t.from, t.to, t.count);
                let per: Vec<String> = t
                    .by_jurisdiction
                    .iter()
                    .map(|(j, n)| format!("{j} {n}"))
                    .collect();
                for line in per.chunks(8) {
                    let _ = writeln!(s, "      {}", line.join(", "));
                }
            }
        }
        let place = |j: &Option<String>| j.clone().unwrap_or_else(|| "overall".into());
        let parts = |changes: &BTreeMap<String, [String; 2]>| {
            let all: Vec<String> = changes
                .iter()
                .map(|(k, [a, b])| format!("{k} {a} → {b}"))
                .collect();
            all.join(", ")
        };
        for i in &self.indicators {
            let _ = writeln!(
                s,
                "indicator {} in {}: {}",
                i.indicator,
                place(&i.jurisdiction),
                parts(&i.changes)
            );
        }
        for c in &self.scorecards {
            let _ = writeln!(
                s,
                "scorecard of {}: {}",
                place(&c.jurisdiction),
                parts(&c.changes)
            );
        }
        s
    }
}
