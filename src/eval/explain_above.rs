//! `explain` above the record: why an indicator has its value, met and points in a
//! jurisdiction (its members, numerator and denominator, value and rounding, target and
//! comparison, scoring), and why a scorecard has its total, grade and actions (each
//! section's earned points and applicable maximum, indicators left out as 合理缺项).
//! Each is a list of steps, in the order the engine takes them, from the run's outcome
//! and the pack's rules.

use crate::outcome::{IndicatorResult, Outcome, ScorecardResult};
use crate::pack::spec::NotApplicable;
use crate::plan::{Plan, Scoring, TableBody};
use serde::Serialize;

/// Why something above the records (an indicator, a scorecard) has its result.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Steps {
    /// What is explained: `indicator coverage in T01`, `scorecard of overall`.
    pub what: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// One step: what it is and what it gave.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Step {
    /// The step (`members`, `value`, `target`, `points`, a section's name, …).
    pub step: String,
    /// What it gave, in words and numbers.
    pub detail: String,
}

impl Steps {
    /// As indented text.
    pub fn to_text(&self) -> String {
        let mut s = format!("{}\n", self.what);
        for st in &self.steps {
            s.push_str(&format!("  {}: {}\n", st.step, st.detail));
        }
        s
    }
}

fn step(step: &str, detail: String) -> Step {
    Step { step: step.into(), detail }
}

/// A jurisdiction's results: its indicators, its scorecard, and how it is named.
type Place<'o> = (
    &'o std::collections::BTreeMap<String, IndicatorResult>,
    Option<&'o ScorecardResult>,
    String,
);

/// The results of jurisdiction `group` (none: overall) in `o`.
fn place<'o>(o: &'o Outcome, group: Option<&str>) -> Result<Place<'o>, String> {
    match group {
        None => Ok((&o.indicators, o.scorecard.as_ref(), "overall".into())),
        Some(g) => match o.groups.get(g) {
            Some(r) => {
                let name = r.name.as_ref().map(|n| format!("{g} ({n})")).unwrap_or_else(|| g.to_string());
                Ok((&r.indicators, r.scorecard.as_ref(), name))
            }
            None => Err(format!(
                "no jurisdiction '{g}'{} (jurisdictions: {})",
                crate::suggest::hint(g, o.groups.keys().map(|k| k.as_str())),
                o.groups.keys().take(20).cloned().collect::<Vec<_>>().join(", ")
            )),
        },
    }
}

/// Why indicator `id` has its result in `group` (none: overall).
pub fn indicator(plan: &Plan, o: &Outcome, id: &str, group: Option<&str>) -> Result<Steps, String> {
    let Some(ind) = plan.indicators.iter().find(|i| i.id == id) else {
        let ids: Vec<&str> = plan.indicators.iter().map(|i| i.id.as_str()).collect();
        return Err(format!("no indicator '{id}'{} (indicators: {})", crate::suggest::hint(id, ids.iter().copied()), ids.join(", ")));
    };
    let (results, _, at) = place(o, group)?;
    let r = results.get(id).ok_or_else(|| format!("indicator '{id}' has no result in {at}"))?;
    let mut steps = Vec::new();
    let coll = &plan.collections[ind.coll as usize].name;
    let filter = ind.filter.as_ref().map(|f| format!(" where `{}`", f.src)).unwrap_or_default();
    let below = if group.is_some() { " (its own and those of the jurisdictions below it)" } else { "" };
    steps.push(step("members", format!("the records of {coll}{filter}{below}; kind {}", r.kind)));
    if let (Some(n), Some(d)) = (&r.numerator, &r.denominator) {
        steps.push(step("counted", format!("numerator {n}, denominator {d}")));
    }
    steps.push(step(
        "evidence",
        match r.evidence.count {
            0 => format!("no member is {}", r.evidence.of),
            n => format!(
                "{n} {}: {}{}",
                r.evidence.of,
                r.evidence.ids.join(", "),
                if (n as usize) > r.evidence.ids.len() { ", …" } else { "" }
            ),
        },
    ));
    if let Some(b) = &r.breakdown {
        let parts: Vec<String> = b.iter().map(|(k, v)| format!("{k} {v}")).collect();
        steps.push(step("breakdown", parts.join(", ")));
    }
    let r_ = ind.rounding;
    steps.push(step(
        "value",
        match &r.value {
            Some(v) => format!(
                "{} exactly, shown {} (rounded to {} digit(s), {})",
                v.exact,
                v.display,
                r_.digits,
                r_.mode.name()
            ),
            None if !r.applicable => format!(
                "no value: not applicable ({})",
                match ind.not_applicable {
                    NotApplicable::Excluded => "excluded from the scorecard: 合理缺项",
                    NotApplicable::Met => "counts as met",
                    NotApplicable::NotMet => "counts as not met",
                }
            ),
            None => "no value".into(),
        },
    ));
    if let Some(t) = &ind.target {
        let (word, x) = (t.words().1, t.bound());
        let bound = r.target.as_ref().and_then(|t| t.values().next().cloned()).unwrap_or_else(|| x.to_exact_string());
        let how = if ind.compare_rounded { "the rounded value" } else { "the exact value" };
        let met = match r.met {
            Some(true) => "met",
            Some(false) => "not met",
            None => "not judged",
        };
        steps.push(step("target", format!("{how} {word} {bound}: {met}")));
    } else if let Some(m) = r.met {
        steps.push(step("target", format!("every member meets the requirement: {}", if m { "met" } else { "not met" })));
    }
    if let Some(s) = &ind.scoring {
        let rule = match s {
            Scoring::AllOrNothing(p) => format!("all or nothing: {p} when met"),
            Scoring::Proportional(p) => format!("proportional: {p} × value ÷ target, at most {p}"),
            Scoring::Deduction { points, per, unit, floor } => {
                format!("{points} less {per} per {unit} short of the target, not below {floor}")
            }
        };
        let got = r.points.as_ref().map(|p| format!("{} (exactly {})", p.display, p.exact)).unwrap_or_else(|| "none (left out of the scorecard)".into());
        steps.push(step("points", format!("{rule}: {got}")));
    }
    Ok(Steps { what: format!("indicator {id} in {at}"), steps })
}

/// Why the scorecard of `group` (none: overall) has its total, grade and actions.
pub fn scorecard(plan: &Plan, o: &Outcome, group: Option<&str>) -> Result<Steps, String> {
    let card = plan.scorecard.as_ref().ok_or("the pack has no scorecard")?;
    let (results, sc, at) = place(o, group)?;
    let sc = sc.ok_or_else(|| format!("no scorecard result in {at}"))?;
    let mut steps = Vec::new();
    for (sec, res) in card.sections.iter().zip(&sc.sections) {
        let mut parts = Vec::new();
        for &k in &sec.indicators {
            let id = &plan.indicators[k].id;
            match results.get(id) {
                Some(r) if r.points.is_some() => parts.push(format!(
                    "{id} {} of {}",
                    r.points.as_ref().map(|p| p.display.as_str()).unwrap_or("?"),
                    r.max_points.as_deref().unwrap_or("?")
                )),
                _ => parts.push(format!("{id} left out (not applicable: 合理缺项)")),
            }
        }
        let scaled = match (&sec.weight, &res.score) {
            (Some(w), Some(s)) => format!(", scaled to the weight {w}: {}", s.display),
            _ => String::new(),
        };
        steps.push(step(
            &format!("section {}", sec.name),
            format!(
                "{}; earned {} of the applicable {} (full {}){scaled}",
                parts.join(", "),
                res.earned.display,
                res.applicable_max,
                res.max
            ),
        ));
    }
    steps.push(step(
        "total",
        match &sc.total {
            Some(t) => format!("{} of {} (exactly {})", t.display, sc.max, t.exact),
            None => "none: no indicator applies".into(),
        },
    ));
    if let (Some((t, _)), Some(total)) = (card.grade, sc.total.as_ref()) {
        let table = &plan.tables[t];
        let how = match &table.body {
            TableBody::Bands { bands, .. } => super::table::band_of(bands, total.number())
                .map(|k| format!(" (table {}, bands[{}]: {})", table.name, bands[k].at, bands[k].rule("total")))
                .unwrap_or_default(),
            TableBody::Rows(_) => format!(" (table {})", table.name),
        };
        steps.push(step("grade", format!("{}{how}", sc.grade.as_deref().unwrap_or("(none)"))));
    }
    for a in &card.actions {
        let fired = sc.actions.iter().any(|x| x.action == a.action);
        steps.push(step(
            &format!("action {}", a.action),
            format!("`{}`: {}", a.when.src, if fired { "taken" } else { "not taken" }),
        ));
    }
    Ok(Steps { what: format!("scorecard of {at}"), steps })
}
