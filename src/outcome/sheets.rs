//! The outcome as tables for a workbook or CSV files (feature `spreadsheets`): the
//! jurisdiction × indicator matrix (value, met, points; all jurisdictions first), the
//! scorecard per jurisdiction, each collection's records with their measures, the rejected
//! and excluded records with their reasons, and the accounting. Headers are the pack's
//! titles and the engine's words in the pack's language; numbers are the displays the pack
//! rounds to (the exact values are in the JSON outcome).

use super::words::Words;
use super::{Outcome, Records, Shown};
use crate::pack::spec::Language;
use crate::sheet_out::{Out, Table};
use serde_json::Value as Json;

/// A value of the outcome's records as a cell: numbers as numbers (as displayed when the
/// measure is rounded), dates as dates, yes/no in the language's words.
fn record_cell(v: Json, yes: &str, no: &str) -> Out {
    match v {
        Json::Null => Out::Empty,
        Json::Bool(b) => Out::Text(if b { yes } else { no }.into()),
        Json::Number(n) => Out::Number(n.to_string()),
        Json::String(s) => match crate::dates::parse_date(&s) {
            Some(d) => Out::Date(d),
            None => Out::Text(s),
        },
        Json::Object(o) if o.contains_key("display") && o.contains_key("exact") => {
            match o.get("display") {
                Some(Json::String(d)) => Out::Number(d.clone()),
                _ => Out::Text(Json::Object(o).to_string()),
            }
        }
        other => Out::Text(other.to_string()),
    }
}

fn records_table(name: &str, r: &Records, w: &Words, yes: &str, no: &str) -> Table {
    let mut headers = vec![w.key.to_string()];
    headers.extend(
        r.measures
            .iter()
            .zip(r.titles.iter().chain(std::iter::repeat(&None)))
            .map(|(m, t)| t.clone().unwrap_or_else(|| m.clone())),
    );
    let rows = r
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let mut row = vec![Out::Text(k.as_str().unwrap_or_default().to_string())];
            row.extend(r.row(i).iter().zip(&r.shows).map(|(v, show)| {
                let json = serde_json::to_value(Shown(v, show)).unwrap_or(Json::Null);
                record_cell(json, yes, no)
            }));
            row
        })
        .collect();
    Table {
        name: name.to_string(),
        headers,
        rows,
    }
}

/// The outcome's tables, in `lang`.
pub fn tables(o: &Outcome, lang: Language) -> Vec<Table> {
    let w = Words::of(lang);
    let (yes, no) = match lang {
        Language::Zh => ("是", "否"),
        Language::En => ("yes", "no"),
    };
    let mut out = Vec::new();
    // first, what the results lack, when records were rejected
    if let Some(note) = super::words::incomplete_note(o, lang) {
        out.push(Table {
            name: w.incomplete.to_string(),
            headers: vec![w.incomplete.to_string()],
            rows: vec![vec![Out::Flagged(note)]],
        });
    }
    let order: Vec<(&String, &super::IndicatorResult)> = o.indicators_in_order().collect();
    // the jurisdiction × indicator matrix
    let mut headers = vec![w.jurisdiction.to_string(), w.name.to_string()];
    for (id, i) in &order {
        let t = i.title.clone().unwrap_or_else(|| id.to_string());
        headers.push(format!("{t} {}", w.value));
        headers.push(format!("{t} {}", w.met));
        headers.push(format!("{t} {}", w.points));
    }
    let cells = |of: &std::collections::BTreeMap<String, super::IndicatorResult>| -> Vec<Out> {
        let mut row = Vec::new();
        for (id, _) in &order {
            match of.get(*id) {
                Some(i) => {
                    let v = i.value.as_ref().map_or(Out::Empty, |v| {
                        if i.met == Some(false) {
                            Out::Flagged(v.display.clone())
                        } else {
                            Out::Number(v.display.clone())
                        }
                    });
                    row.push(v);
                    let mark = |m: &str| match &i.incomplete {
                        Some(_) => format!("{m} ({})", w.incomplete),
                        None => m.to_string(),
                    };
                    row.push(match i.met {
                        Some(true) => Out::Text(mark(w.met)),
                        Some(false) => Out::Flagged(mark(w.not_met)),
                        None => Out::Empty,
                    });
                    row.push(match (&i.points, &i.max_points) {
                        (Some(p), _) => Out::Number(p.display.clone()),
                        (None, Some(_)) => Out::Text(w.excluded.into()),
                        _ => Out::Empty,
                    });
                }
                None => row.extend([Out::Empty, Out::Empty, Out::Empty]),
            }
        }
        row
    };
    let mut rows = Vec::new();
    let mut all = vec![
        Out::Text(w.all.into()),
        Out::Text(o.pack.title.clone().unwrap_or_default()),
    ];
    all.extend(cells(&o.indicators));
    rows.push(all);
    for (key, g) in &o.groups {
        let mut row = vec![
            Out::Text(key.clone()),
            Out::Text(g.name.clone().unwrap_or_default()),
        ];
        row.extend(cells(&g.indicators));
        rows.push(row);
    }
    out.push(Table {
        name: w.matrix.to_string(),
        headers,
        rows,
    });
    // the scorecard per jurisdiction
    if let Some(sc) = &o.scorecard {
        let mut headers = vec![w.jurisdiction.to_string(), w.name.to_string()];
        headers.extend(
            sc.sections
                .iter()
                .map(|s| format!("{} ({} {})", s.name, w.full_marks, s.max)),
        );
        headers.extend([
            format!("{} ({} {})", w.total, w.full_marks, sc.max),
            w.grade.into(),
            w.actions.into(),
        ]);
        let row = |key: &str, name: &str, s: &super::ScorecardResult| {
            let mut r = vec![Out::Text(key.into()), Out::Text(name.into())];
            r.extend(s.sections.iter().map(|x| {
                x.score
                    .as_ref()
                    .map_or(Out::Empty, |v| Out::Number(v.display.clone()))
            }));
            r.push(
                s.total
                    .as_ref()
                    .map_or(Out::Empty, |v| Out::Number(v.display.clone())),
            );
            r.push(Out::Text(s.grade.clone().unwrap_or_default()));
            let actions: Vec<&str> = s.actions.iter().map(|a| a.action.as_str()).collect();
            r.push(if actions.is_empty() {
                Out::Empty
            } else {
                Out::Flagged(actions.join(", "))
            });
            r
        };
        let mut rows = vec![row(w.all, o.pack.title.as_deref().unwrap_or_default(), sc)];
        for (key, g) in &o.groups {
            if let Some(s) = &g.scorecard {
                rows.push(row(key, g.name.as_deref().unwrap_or_default(), s));
            }
        }
        out.push(Table {
            name: w.scorecard.to_string(),
            headers,
            rows,
        });
    }
    for (name, r) in &o.records {
        if !r.measures.is_empty() {
            out.push(records_table(
                r.sheet.as_deref().unwrap_or(name),
                r,
                w,
                yes,
                no,
            ));
        }
    }
    // rejected and excluded records
    let mut rows = Vec::new();
    for (name, a) in &o.accounting {
        for r in &a.rejected {
            rows.push(vec![
                Out::Text(name.clone()),
                Out::Text(w.rejected.into()),
                Out::Text(r.key.clone()),
                Out::Text(r.reason.clone()),
                Out::Number("1".into()),
            ]);
        }
        for (why, n) in &a.excluded_by {
            rows.push(vec![
                Out::Text(name.clone()),
                Out::Text(w.records_excluded.into()),
                Out::Empty,
                Out::Text(why.clone()),
                Out::Number(n.to_string()),
            ]);
        }
    }
    out.push(Table {
        name: w.set_aside.to_string(),
        headers: vec![
            w.collection.into(),
            "".into(),
            w.key.into(),
            w.reason.into(),
            w.count.into(),
        ],
        rows,
    });
    let rows = o
        .accounting
        .iter()
        .map(|(name, a)| {
            vec![
                Out::Text(name.clone()),
                Out::Number(a.read.to_string()),
                Out::Number(a.used.to_string()),
                Out::Number(a.excluded.to_string()),
                Out::Number(a.rejected.len().to_string()),
            ]
        })
        .collect();
    out.push(Table {
        name: w.records.to_string(),
        headers: [w.collection, w.read, w.used, w.records_excluded, w.rejected]
            .map(String::from)
            .to_vec(),
        rows,
    });
    out
}
