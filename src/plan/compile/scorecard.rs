//! The scorecard: sections of indicators, the grading table and actions.

use super::*;

impl Compiler<'_> {
    pub(super) fn scorecard(
        &self,
        s: ScorecardSpec,
        here: &JsonPath,
        declared: &BTreeMap<String, Json>,
        indicators: &[Indicator],
        rounding: RoundingSpec,
    ) -> Option<Scorecard> {
        let mut sections = Vec::new();
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, sec) in s.sections.iter().enumerate() {
            let scoring_at = here.key("sections").index(i);
            if let Some(w) = &sec.weight {
                if *w <= crate::num::Number::ZERO {
                    self.diag(&scoring_at.key("weight"), "a weight must be above zero".into());
                }
            }
            let mut ids = Vec::new();
            for (j, name) in sec.indicators.iter().enumerate() {
                let import_at = scoring_at.key("indicators").index(j);
                if let Some(prev) = seen.insert(name, i) {
                    self.diag(
                        &import_at,
                        format!("indicator '{name}' is already in section {prev}"),
                    );
                }
                match indicators.iter().position(|x| &x.id == name) {
                    Some(k) if indicators[k].scoring.is_none() => self.diag(
                        &import_at,
                        format!("indicator '{name}' has no scoring, so it cannot earn points"),
                    ),
                    Some(k) => ids.push(k),
                    None if declared.contains_key(name) => {} // broken indicator: reported already
                    None => {
                        let known: Vec<&str> = declared.keys().map(|s| s.as_str()).collect();
                        self.diag(
                            &import_at,
                            format!(
                                "no indicator '{name}'{} (indicators: {})",
                                crate::suggest::hint(name, known.iter().copied()),
                                known.join(", ")
                            ),
                        )
                    }
                }
            }
            if sec.indicators.is_empty() {
                self.diag(
                    &scoring_at.key("indicators"),
                    "a section needs at least one indicator".into(),
                );
            }
            sections.push(Section {
                name: sec.name.clone(),
                weight: sec.weight.clone(),
                indicators: ids,
            });
        }
        // an indicator that earns points counts in the scorecard only through a section
        for ind in indicators.iter().filter(|i| i.scoring.is_some()) {
            if !seen.contains_key(ind.id.as_str()) {
                self.warn(
                    &JsonPath::root().key("indicators").key(&ind.id).key("scoring"),
                    format!(
                        "indicator '{}' earns points but is in no section of the scorecard: its points count nowhere",
                        ind.id
                    ),
                );
            }
        }
        let grade = s.grade.as_ref().and_then(|g| {
            let grade_at = here.key("grade");
            let Some(t) = self.table_slots.iter().position(|t| t.name == g.table) else {
                self.diag(&grade_at.key("table"), format!("no table '{}'", g.table));
                return None;
            };
            let tables = self.tables.borrow();
            let table = tables[t].as_ref()?;
            if table.on != TableOn::Scorecard {
                self.diag(
                    &grade_at.key("table"),
                    format!(
                        "table '{}' must be on \"scorecard\" to grade the total",
                        g.table
                    ),
                );
                return None;
            }
            let out = match &g.output {
                Some(o) => table.outputs.iter().position(|(n, _)| n == o).or_else(|| {
                    self.diag(
                        &grade_at.key("output"),
                        format!("table '{}' has no output '{o}'", g.table),
                    );
                    None
                })?,
                None if table.outputs.len() == 1 => 0,
                None => {
                    self.diag(
                        &grade_at,
                        "the table has several outputs: name one with \"output\"".into(),
                    );
                    return None;
                }
            };
            if !matches!(table.outputs[out].1, Ty::Str | Ty::Any) {
                self.diag(&grade_at, "a grade is a string".into());
            }
            Some((t, out))
        });
        let mut actions = Vec::new();
        for (i, a) in s.actions.iter().enumerate() {
            let ap = here.key("actions").index(i);
            if let Some(when) = self.expr(
                &a.when,
                &ap.key("when"),
                None,
                &Scope::Scorecard.declared(),
                Some(&Ty::Bool),
            ) {
                actions.push(ActionRule {
                    when,
                    action: a.action.clone(),
                    note: a.note.clone(),
                    loc: self.loc(&ap),
                });
            }
        }
        let rounding = s.rounding.unwrap_or(rounding);
        self.check_rounding(&rounding, &here.key("rounding"));
        Some(Scorecard {
            sections,
            grade,
            actions,
            rounding,
        })
    }
}
