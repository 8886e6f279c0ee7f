//! A JSON dataset written in a pack's sheets (feature `spreadsheets`): a sheet (or CSV
//! file) per collection, named and headed as the pack's `sheet` says, enum and bool values
//! written as their cell texts, so that reading it back gives the same records. What a
//! system exporting to the pack should produce, and the shipped sample's workbook.

use crate::plan::{FieldKind, Plan};
use crate::sheet_out::{Out, Table};
use serde_json::Value as Json;

/// The cell text a value of the field in `slot` is written as: the first text the pack
/// maps to it, else the value itself (bools as 是/否).
fn cell(plan: &Plan, c: usize, slot: usize, v: &Json) -> Result<Out, String> {
    let coll = &plan.collections[c];
    let f = &coll.fields[slot];
    let texts = &coll.sheet.values[slot];
    let label = |v: &Json| texts.iter().find(|(_, to)| *to == v).map(|(t, _)| t.clone());
    let kind = match &f.kind {
        FieldKind::Values(k) => k.as_ref(),
        k => k,
    };
    let one = |v: &Json| -> Result<Out, String> {
        Ok(match (kind, v) {
            (_, Json::Null) => Out::Empty,
            (FieldKind::Date, Json::String(s)) => match crate::dates::parse_date(s) {
                Some(d) => Out::Date(d),
                None => Out::Text(s.clone()),
            },
            (_, Json::Bool(b)) => Out::Text(label(v).unwrap_or_else(|| if *b { "是" } else { "否" }.into())),
            (_, Json::String(s)) => Out::Text(label(v).unwrap_or_else(|| s.clone())),
            (_, Json::Number(n)) => Out::Number(n.to_string()),
            _ => return Err(format!("{}.{}: {v} cannot be a cell", coll.name, f.name)),
        })
    };
    match (&f.kind, v) {
        (FieldKind::List(_), _) => Err(format!(
            "{}.{} is a list of records, which a sheet cannot hold",
            coll.name, f.name
        )),
        (FieldKind::Values(_), Json::Array(items)) => {
            let parts: Vec<String> = items
                .iter()
                .map(|i| one(i).map(|o| o.text()))
                .collect::<Result<_, _>>()?;
            Ok(Out::Text(parts.join("; ")))
        }
        _ => one(v),
    }
}

/// The records of a JSON dataset (`{"period": …, "<collection>": [...]}`) as the pack's
/// sheets, the key column first; the period, when given, as a `period` sheet.
pub fn dataset_tables(plan: &Plan, json: &str) -> Result<Vec<Table>, String> {
    let doc: Json = serde_json::from_str(json.trim_start_matches('\u{feff}'))
        .map_err(|e| format!("the dataset is not JSON: {e}"))?;
    let doc = doc.as_object().ok_or("the dataset is not a JSON object")?;
    let mut tables = Vec::new();
    if let Some(p) = doc.get("period").and_then(Json::as_object) {
        let keys: Vec<&str> = ["from", "to", "as_of"].into_iter().filter(|k| p.contains_key(*k)).collect();
        let row = keys
            .iter()
            .map(|k| match p.get(*k).and_then(Json::as_str).and_then(crate::dates::parse_date) {
                Some(d) => Out::Date(d),
                None => Out::Text(p[*k].to_string()),
            })
            .collect();
        tables.push(Table {
            name: crate::data::sheets::PERIOD_SHEET.into(),
            headers: keys.iter().map(|k| k.to_string()).collect(),
            rows: vec![row],
        });
    }
    for (c, coll) in plan.collections.iter().enumerate() {
        let Some(records) = doc.get(&coll.name) else { continue };
        let records = records
            .as_array()
            .ok_or_else(|| format!("{} is not an array of records", coll.name))?;
        let key = coll.key_slot as usize;
        let order: Vec<usize> = std::iter::once(key)
            .chain((0..coll.fields.len()).filter(|s| *s != key))
            .filter(|s| !matches!(coll.fields[*s].kind, FieldKind::List(_)))
            .collect();
        let mut rows = Vec::with_capacity(records.len());
        for r in records {
            let obj = r.as_object().ok_or_else(|| format!("a record of {} is not an object", coll.name))?;
            let mut row = Vec::with_capacity(order.len());
            for &s in &order {
                row.push(match obj.get(&coll.fields[s].name) {
                    Some(v) => cell(plan, c, s, v)?,
                    None => Out::Empty,
                });
            }
            rows.push(row);
        }
        tables.push(Table {
            name: coll.sheet.name.clone().unwrap_or_else(|| coll.name.clone()),
            headers: order.iter().map(|s| coll.sheet.headers[*s].clone()).collect(),
            rows,
        });
    }
    Ok(tables)
}
