//! Scans: a state carried across the records that share a field's value, in date order
//! (then key order), for schemes where a record's result depends on the same unit's
//! earlier records (demerit points, repeat offences).

use super::*;
use crate::expr::vars::OUTER;

impl Compiler<'_> {
    /// A measure `{"scan": by, "state": {...}, "step": {...}}` of collection `coll`.
    pub(super) fn scan_measure(
        &self,
        by: &str,
        spec: &MeasureSpec,
        here: &JsonPath,
        coll: CollId,
    ) -> Option<(MeasureKind, Ty)> {
        let c = &self.colls[coll as usize];
        let by_slot = match self.field(coll, by) {
            Some((s, Ty::Rec(_) | Ty::Str)) => Some(s),
            Some((_, t)) => {
                self.diag(
                    &here.key("scan"),
                    format!(
                        "a scan takes together the records that share a reference or a text field; '{by}' is {}",
                        self.ty_name(&t)
                    ),
                );
                None
            }
            None => {
                self.diag(
                    &here.key("scan"),
                    format!("'{by}' is not a field of {}", c.name),
                );
                None
            }
        };
        let date = c.date_slot;
        if date.is_none() {
            self.diag(
                &here.key("scan"),
                format!(
                    "a scan goes through the records in date order: collection {} needs a \"date\"",
                    c.name
                ),
            );
        }
        let Some(state) = &spec.state else {
            self.diag(
                here,
                "a scan needs \"state\": its fields and their values before the first record"
                    .into(),
            );
            return None;
        };
        if state.is_empty() {
            self.diag(&here.key("state"), "a scan's state needs at least one field".into());
            return None;
        }
        let record_vars = Scope::Record.declared();
        let mut fields = Vec::new();
        let mut initial = Vec::new();
        for (name, src) in state {
            let at = here.key("state").key(name);
            let e = self.expr(src, &at, Some(coll), &record_vars, None)?;
            let kind = match &e.ty {
                Ty::Num => FieldKind::Num,
                Ty::Str => FieldKind::Str,
                Ty::Bool => FieldKind::Bool,
                Ty::Date => FieldKind::Date,
                other => {
                    self.diag(
                        &at,
                        format!(
                            "a state field is a number, text, truth value or date; '{name}' is {}",
                            self.ty_name(other)
                        ),
                    );
                    return None;
                }
            };
            fields.push(Field {
                name: name.clone(),
                kind,
                optional: true,
                limits: None,
            });
            initial.push(e);
        }
        let shape = {
            let mut scans = self.scan_states.borrow_mut();
            scans.push(ItemShape {
                fields: fields.clone(),
            });
            (self.items.len() + scans.len() - 1) as ItemId
        };
        let mut vars = record_vars.clone();
        debug_assert_eq!(vars.len(), OUTER as usize);
        vars.push(("state", Ty::Item(shape)));
        let mut with = Vec::new();
        let mut with_vars = Vec::new();
        let mut ok = true;
        for (name, src) in spec.with.iter().flatten() {
            let at = here.key("with").key(name);
            if name == "state" || vars.iter().any(|(n, _)| n == name) || self.field(coll, name).is_some() {
                self.diag(&at, format!("'{name}' is already a name the step sees (a variable or a field)"));
                ok = false;
                continue;
            }
            match self.expr(src, &at, Some(coll), &vars, None) {
                Some(e) => {
                    with_vars.push((name.clone(), e.ty.clone()));
                    with.push(e);
                }
                None => ok = false,
            }
        }
        vars.extend(with_vars.iter().map(|(n, t)| (n.as_str(), t.clone())));
        let no_steps = BTreeMap::new();
        let steps = spec.step.as_ref().unwrap_or(&no_steps);
        for name in steps.keys() {
            if !state.contains_key(name) {
                self.diag(
                    &here.key("step").key(name),
                    format!(
                        "'{name}' is not a field of the state ({})",
                        state.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        }
        let mut step = Vec::new();
        for f in &fields {
            step.push(match steps.get(&f.name) {
                Some(src) => {
                    let at = here.key("step").key(&f.name);
                    let e = self.expr(src, &at, Some(coll), &vars, Some(&f.ty()));
                    ok &= e.is_some();
                    e
                }
                None => None,
            });
        }
        let (by, date) = (by_slot?, date?);
        ok.then(|| {
            (
                MeasureKind::Scan(Scan {
                    by,
                    date,
                    fields: fields.iter().map(|f| f.name.clone()).collect(),
                    initial,
                    with,
                    step,
                }),
                Ty::Item(shape),
            )
        })
    }
}
