//! Decision tables checked as DMN tools check them, when the pack loads: rows of a
//! `unique` table that overlap, rows of a `first` table that can never fire, and inputs no
//! row covers when the table has no default.
//!
//! Only conditions that compare inputs (fields, measures, the table's variables) with
//! constants are analysed: `score < 60`, `kind == "b"`, `key_failed`, `x in [1, 2]`,
//! joined by `&&`, `||` and `!`. Each such condition is a union of boxes, a box giving each
//! input a set of values (an interval of numbers or dates, or a set of texts or truth
//! values). Anything else (a function, arithmetic) makes a row opaque: it is left out of
//! what is proved, so a finding is always true, and a table may have problems none is
//! found for. Integers, dates and numbers with a `multiple_of` are stepped: `x < 3` and
//! `x >= 3` leave no gap between them, and neither do `x <= 2` and `x >= 3` for integers.

use super::table_regions::{Box_, Domain, Input, Inputs};
use super::*;
use crate::num::Number;

impl Compiler<'_> {
    /// The domains of what a table's conditions read: the fields and measures of its
    /// collection, or the variables it sees.
    fn table_inputs(&self, on: &TableOn, vars: &[(&str, Ty)]) -> Inputs {
        let of_ty = |t: &Ty| match t {
            Ty::Num => Some(Domain::Num { step: None, min: None, max: None }),
            Ty::Date => Some(Domain::Date),
            Ty::Str => Some(Domain::Text(None)),
            Ty::Bool => Some(Domain::Bool),
            _ => None,
        };
        let mut list = Vec::new();
        if let TableOn::Coll(c) = on {
            for (s, f) in self.colls[*c as usize].fields.iter().enumerate() {
                let d = match &f.kind {
                    FieldKind::Num | FieldKind::Int => {
                        let lim = f.limits.as_deref();
                        let step = lim.and_then(|l| l.multiple_of.clone()).or_else(|| {
                            (f.kind == FieldKind::Int).then(|| Number::from_int(1))
                        });
                        Some(Domain::Num {
                            step,
                            min: lim.and_then(|l| l.min.clone()),
                            max: lim.and_then(|l| l.max.clone()),
                        })
                    }
                    FieldKind::Enum(v) => Some(Domain::Text(Some(v.iter().map(|x| x.to_string()).collect()))),
                    other => of_ty(&other.ty()),
                };
                if let Some(d) = d {
                    list.push((Input::Field(s as u16), d, f.name.clone()));
                }
            }
            let states = self.measure_state.borrow();
            let kinds = self.measure_kinds.borrow();
            for (m, slot) in self.measure_slots.iter().enumerate() {
                if slot.coll != *c {
                    continue;
                }
                // a count is a whole number, never below 0
                let count = matches!(
                    kinds.get(m),
                    Some(Some(MeasureKind::Aggregate { agg: Agg::Count, per: None, .. }))
                );
                if let Some(d) = states.get(m).and_then(|s| match s {
                    State::Done(_) if count => Some(Domain::Num {
                        step: Some(Number::from_int(1)),
                        min: Some(Number::ZERO),
                        max: None,
                    }),
                    State::Done(t) => of_ty(t),
                    _ => None,
                }) {
                    list.push((Input::Measure(m as MeasureId), d, slot.name.clone()));
                }
            }
        }
        for (s, (name, t)) in vars.iter().enumerate() {
            if let Some(d) = of_ty(t) {
                list.push((Input::Var(s as u16), d, name.to_string()));
            }
        }
        Inputs { list }
    }

    /// Checks the rows of a decision table: overlapping rows of a `unique` table and rows
    /// of a `first` table that never fire are errors; inputs no row covers, when there is
    /// no default, a warning.
    pub(super) fn check_rows(
        &self,
        rows: &[Row],
        hit: Hit,
        has_default: bool,
        on: &TableOn,
        vars: &[(&str, Ty)],
        here: &JsonPath,
    ) -> bool {
        // a collect table that no row matches aggregates nothing: not a gap
        if !matches!(hit, Hit::First | Hit::Unique | Hit::Priority) {
            return true;
        }
        let inputs = self.table_inputs(on, vars);
        let mut boxes: Vec<Option<Vec<Box_>>> = Vec::new();
        for r in rows {
            boxes.push(match inputs.boxes(&r.when.root, false, 0) {
                Some(Ok(b)) => Some(b),
                _ => None,
            });
        }
        let at = |j: usize| here.key("rows").index(j).key("when");
        let mut ok = true;
        for j in 0..rows.len() {
            let Some(bj) = &boxes[j] else { continue };
            match hit {
                Hit::Priority => {}
                Hit::Unique => {
                    for (i, bi) in boxes[..j].iter().enumerate() {
                        let Some(bi) = bi else { continue };
                        let both = bi.iter().find_map(|x| {
                            bj.iter().find_map(|y| inputs.meet_boxes(x, y).ok().flatten())
                        });
                        if let Some(b) = both {
                            self.diag(
                                &at(j),
                                format!(
                                    "hit policy unique, but rows[{i}] and rows[{j}] both match {}: make them exclusive, or use hit policy first or priority",
                                    inputs.describe(&b)
                                ),
                            );
                            ok = false;
                        }
                    }
                }
                _ => {
                    let earlier: Vec<Box_> = boxes[..j].iter().flatten().flatten().cloned().collect();
                    if let Ok(left) = inputs.minus_all(bj.clone(), &earlier) {
                        if left.is_empty() {
                            // the earlier rows that match some of its inputs
                            let meets = |bi: &[Box_]| {
                                bi.iter().any(|x| {
                                    bj.iter().any(|y| matches!(inputs.meet_boxes(x, y), Ok(Some(_))))
                                })
                            };
                            let by: Vec<String> = (0..j)
                                .filter(|i| boxes[*i].as_deref().is_some_and(meets))
                                .map(|i| format!("rows[{i}]"))
                                .collect();
                            let why = if bj.is_empty() {
                                "its condition never holds".to_string()
                            } else {
                                format!("every input it matches is matched first by {}", by.join(", "))
                            };
                            self.diag(&at(j), format!("rows[{j}] can never fire (hit policy first): {why}"));
                            ok = false;
                        }
                    }
                }
            }
        }
        if !has_default {
            self.uncovered_rows(&inputs, &boxes, on, here);
        }
        ok
    }

    /// Warns of the inputs no row of a table without a default may match: those no row
    /// matches, when every row is analysed, else those no analysed row matches (the others
    /// may). A record no row matches is set aside when scored (`eval::table`); a group,
    /// or the scorecard, gets no value.
    fn uncovered_rows(&self, inputs: &Inputs, boxes: &[Option<Vec<Box_>>], on: &TableOn, here: &JsonPath) {
        let known: Vec<Box_> = boxes.iter().flatten().flatten().cloned().collect();
        let Ok(left) = inputs.minus_all(vec![Box_::new()], &known) else {
            return;
        };
        let Some(b) = left.first() else { return };
        let then = match on {
            TableOn::Coll(_) => "a record no row matches is set aside (rejected with the reason) when scored",
            TableOn::Groups => "a jurisdiction no row matches gets no value",
            TableOn::Scorecard => "a total no row matches gets no grade",
        };
        let opaque: Vec<String> = (0..boxes.len())
            .filter(|i| boxes[*i].is_none())
            .map(|i| format!("rows[{i}]"))
            .collect();
        let message = match opaque.is_empty() {
            true => format!("no row matches {} and the table has no default: {then}; give it a \"default\", or a last row \"when\": \"true\"", inputs.describe(b)),
            false => format!(
                "no row can be shown to match {} ({} {} not a comparison with constants, so it may or may not) and the table has no default: {then}; give it a \"default\", or a last row \"when\": \"true\"",
                inputs.describe(b),
                opaque.join(", "),
                if opaque.len() == 1 { "is" } else { "are" }
            ),
        };
        self.warn(&here.key("rows"), message);
    }

    /// Warns of the numbers no band of a band table without a default covers (below its
    /// lowest band, or from its highest band's end), unless the input is a field whose
    /// limits keep it inside the bands.
    pub(super) fn uncovered_bands(&self, input: &Expr, bands: &[Band], on: &TableOn, here: &JsonPath) {
        let (Some(first), Some(last)) = (bands.first(), bands.last()) else {
            return;
        };
        let limits = match (on, input.base_field()) {
            (TableOn::Coll(c), Some(slot)) => self.colls[*c as usize].fields[slot as usize].limits.as_deref(),
            _ => None,
        };
        let low = match (&first.min, limits.and_then(|l| l.min.as_ref())) {
            (Some(m), Some(floor)) if floor >= m => None,
            (Some(m), _) => Some(format!("{} below {m}", input.src)),
            (None, _) => None,
        };
        let high = match (&last.below, limits.and_then(|l| l.max.as_ref())) {
            (Some(b), Some(ceil)) if ceil < b => None,
            (Some(b), _) => Some(format!("{} from {b}", input.src)),
            (None, _) => None,
        };
        let gaps: Vec<String> = low.into_iter().chain(high).collect();
        if gaps.is_empty() {
            return;
        }
        let then = match on {
            TableOn::Coll(_) => "a record there is set aside (rejected with the reason) when scored",
            _ => "such a value gets none",
        };
        self.warn(
            &here.key("bands"),
            format!(
                "no band covers {} and the table has no default: {then}; give it a \"default\", or open the outer bands",
                gaps.join(" or ")
            ),
        );
    }
}
