//! A collection's `sheet`: how its records are written as a sheet of a workbook or a CSV
//! file. Every column names a field, no two fields share a header, and every cell text
//! stands for a value the field takes.

use super::Compiler;
use crate::json_locate::JsonPath;
use crate::pack::spec::SheetSpec;
use crate::plan::{FieldKind, Sheet};
use serde_json::Value as Json;
use std::collections::BTreeMap;

impl Compiler<'_> {
    /// The sheet of collection `i`: headers by slot (the field's name unless `columns`
    /// gives one) and the cell texts of its enum and bool fields.
    pub(super) fn sheet(&self, i: usize, spec: Option<&SheetSpec>, here: &JsonPath) -> Sheet {
        let coll = &self.colls[i];
        let names = || coll.fields.iter().map(|f| f.name.as_str());
        let mut headers: Vec<String> = coll.fields.iter().map(|f| f.name.clone()).collect();
        let mut values = vec![BTreeMap::new(); coll.fields.len()];
        let Some(spec) = spec else {
            return Sheet { name: None, headers, values };
        };
        if spec.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            self.diag(&here.key("name"), "a sheet's name cannot be empty".into());
        }
        for (field, header) in &spec.columns {
            let at = here.key("columns").key(field);
            let Some(&slot) = coll.field_index.get(field) else {
                let hint = crate::suggest::hint(field, names());
                self.diag(&at, format!("no field '{field}' in this collection{hint}"));
                continue;
            };
            if header.trim().is_empty() {
                self.diag(&at, "a column header cannot be empty".into());
                continue;
            }
            headers[slot as usize] = header.trim().to_string();
        }
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for (f, h) in coll.fields.iter().zip(&headers) {
            if let Some(other) = seen.insert(h, &f.name) {
                let at = here.key("columns").key(&f.name);
                let at = if spec.columns.contains_key(&f.name) { at } else { here.key("columns") };
                self.diag(&at, format!("fields '{other}' and '{}' are both in the column '{h}'", f.name));
            }
        }
        for (field, texts) in &spec.values {
            let at = here.key("values").key(field);
            let Some(&slot) = coll.field_index.get(field) else {
                let hint = crate::suggest::hint(field, names());
                self.diag(&at, format!("no field '{field}' in this collection{hint}"));
                continue;
            };
            let kind = match &coll.fields[slot as usize].kind {
                FieldKind::Values(k) => k.as_ref(),
                k => k,
            };
            for (text, value) in texts {
                let ok = match (kind, value) {
                    (FieldKind::Enum(allowed), Json::String(s)) => {
                        if allowed.iter().any(|a| **a == *s) {
                            true
                        } else {
                            let hint = crate::suggest::hint(s, allowed.iter().map(|a| &**a));
                            let all: Vec<&str> = allowed.iter().map(|a| &**a).collect();
                            self.diag(&at.key(text), format!("'{s}' is not a value of '{field}' ({}){hint}", all.join(", ")));
                            continue;
                        }
                    }
                    (FieldKind::Bool, Json::Bool(_)) => true,
                    (FieldKind::Enum(_), _) => false,
                    (FieldKind::Bool, _) => false,
                    _ => {
                        self.diag(&at, format!("'{field}' is not an enum or bool field: its cells are read as they are written"));
                        break;
                    }
                };
                if !ok {
                    let want = if matches!(kind, FieldKind::Bool) { "true or false" } else { "one of the field's values, as a string" };
                    self.diag(&at.key(text), format!("the value of a cell text is {want}"));
                    continue;
                }
                values[slot as usize].insert(text.trim().to_string(), value.clone());
            }
        }
        Sheet { name: spec.name.clone(), headers, values }
    }
}
