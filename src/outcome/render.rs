//! Readable renderings of an outcome: terminal tables (CJK-aware column widths), with the
//! indicators in the pack's order and the engine's words in the pack's language.

use super::words::Words;
use super::{IndicatorResult, Outcome, ScorecardResult};
use crate::pack::spec::Language;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, ContentArrangement, Table};
use std::fmt::Write;

/// The text of an indicator's target (`≥ 100`).
pub(crate) fn target_text(i: &IndicatorResult, w: &Words) -> String {
    match &i.target {
        Some(t) => t
            .iter()
            .map(|(k, v)| match k.as_str() {
                "min" => format!("≥ {v}"),
                "max" => format!("≤ {v}"),
                "above" => format!("> {v}"),
                "below" => format!("< {v}"),
                _ => format!("= {v}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        None if i.every_member => w.all.into(),
        None => "—".into(),
    }
}

/// An indicator's value as shown, with its unit (or why there is none).
pub(crate) fn value_text(i: &IndicatorResult, w: &Words) -> String {
    match &i.value {
        Some(v) => shown(v, i),
        None => w.not_applicable.into(),
    }
}

/// A value of indicator `i` as shown, with its unit.
fn shown(v: &super::Exact, i: &IndicatorResult) -> String {
    match &i.unit {
        _ if i.percent => format!("{}%", v.display),
        Some(u) if u == "%" => format!("{}%", v.display),
        Some(u) => format!("{} {u}", v.display),
        None => v.display.clone(),
    }
}

/// The indicators broken down by a dimension (`by`), each as a matrix: the jurisdictions
/// (all of them first) by the categories, then all categories.
fn by_matrices(o: &Outcome, w: &Words) -> String {
    let mut s = String::new();
    for (id, i) in o.indicators_in_order() {
        let Some(cats) = &i.by else { continue };
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
        let mut header = vec![w.jurisdiction.to_string()];
        header.extend(cats.iter().map(|c| c.category.clone()));
        header.push(w.all.into());
        t.set_header(header);
        let cell = |r: &IndicatorResult| -> Vec<String> {
            let mut row: Vec<String> =
                r.by.iter()
                    .flatten()
                    .map(|c| c.value.as_ref().map_or("n/a".into(), |v| shown(v, r)))
                    .collect();
            row.push(r.value.as_ref().map_or("n/a".into(), |v| shown(v, r)));
            row
        };
        let mut all = vec![w.all.to_string()];
        all.extend(cell(i));
        t.add_row(all);
        for (key, g) in &o.groups {
            if let Some(r) = g.indicators.get(id) {
                let mut row = vec![g.name.clone().unwrap_or_else(|| key.clone())];
                row.extend(cell(r));
                t.add_row(row);
            }
        }
        let name = i.title.as_deref().unwrap_or(id);
        let _ = writeln!(s, "\n{name} ({id}) {}:\n{t}", w.by_category);
    }
    s
}

fn met_text(m: Option<bool>, w: &Words) -> &'static str {
    match m {
        Some(true) => w.met,
        Some(false) => w.not_met,
        None => "—",
    }
}

/// An indicator's name for a table: its title and id (and criterion).
fn indicator_name(id: &str, i: &IndicatorResult) -> String {
    match &i.title {
        Some(title) => format!(
            "{title}\n{id}{}",
            i.criterion
                .as_ref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default()
        ),
        None => id.to_string(),
    }
}

/// An indicator's points as shown: `12.0 / 15`.
pub(crate) fn points_text(i: &IndicatorResult, w: &Words) -> String {
    match (&i.points, &i.max_points) {
        (Some(p), Some(m)) => format!("{} / {m}", p.display),
        (None, Some(m)) => format!("{} / {m}", w.excluded),
        _ => "—".into(),
    }
}

/// What an indicator's value is of: `82 / 84`, `5 vs 3`, `84 members`.
pub(crate) fn of_text(i: &IndicatorResult, w: &Words) -> String {
    match (&i.numerator, &i.denominator, &i.current, &i.baseline) {
        (_, _, Some(c), Some(b)) => format!("{c} vs {b}"),
        (Some(n), Some(d), _, _) => format!("{n} / {d}"),
        (None, Some(d), _, _) => format!("{d} {}", w.members),
        _ => String::new(),
    }
}

fn indicator_table(o: &Outcome, w: &Words) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    t.set_header(vec![
        w.indicator,
        w.value,
        w.of,
        w.target,
        w.met,
        w.points,
        w.evidence,
    ]);
    for (id, i) in o.indicators_in_order() {
        let ev = if i.evidence.count == 0 {
            String::new()
        } else {
            let shown: Vec<&str> = i.evidence.ids.iter().take(3).map(|s| s.as_str()).collect();
            let more = if i.evidence.count as usize > shown.len() {
                ", …"
            } else {
                ""
            };
            format!(
                "{} {}: {}{more}",
                i.evidence.count,
                i.evidence.of,
                shown.join(", ")
            )
        };
        t.add_row(vec![
            Cell::new(indicator_name(id, i)),
            Cell::new(value_text(i, w)),
            Cell::new(of_text(i, w)),
            Cell::new(target_text(i, w)),
            Cell::new(match &i.incomplete {
                Some(_) => format!("{} ({})", met_text(i.met, w), w.incomplete),
                None => met_text(i.met, w).to_string(),
            }),
            Cell::new(points_text(i, w)),
            Cell::new(ev),
        ]);
    }
    t
}

/// The value of an indicator in one cell of the jurisdiction × indicator matrix, with ✗
/// when it is not met.
fn matrix_cell(i: &IndicatorResult) -> String {
    let v = match &i.value {
        Some(v) => shown(v, i),
        None => "n/a".into(),
    };
    if i.met == Some(false) {
        format!("{v} ✗")
    } else {
        v
    }
}

/// The jurisdiction × indicator matrix: all jurisdictions first, then each; the pack's
/// indicators in its order, by title.
fn matrix(o: &Outcome, w: &Words) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    let order: Vec<(&String, &IndicatorResult)> = o.indicators_in_order().collect();
    let mut header = vec![w.jurisdiction.to_string()];
    header.extend(
        order
            .iter()
            .map(|(id, i)| i.title.clone().unwrap_or_else(|| id.to_string())),
    );
    t.set_header(header);
    let mut all = vec![w.all.to_string()];
    all.extend(order.iter().map(|(_, i)| matrix_cell(i)));
    t.add_row(all);
    for (key, g) in &o.groups {
        let mut row = vec![g.name.clone().unwrap_or_else(|| key.clone())];
        row.extend(order.iter().map(|(id, _)| match g.indicators.get(*id) {
            Some(i) => matrix_cell(i),
            None => "—".into(),
        }));
        t.add_row(row);
    }
    t
}

fn scorecard_line(s: &ScorecardResult, w: &Words) -> String {
    let total = s
        .total
        .as_ref()
        .map(|t| t.display.clone())
        .unwrap_or_else(|| "n/a".into());
    let grade = s.grade.as_deref().unwrap_or("—");
    let grade = match s.provisional {
        true => format!("{grade} ({})", w.provisional),
        false => grade.to_string(),
    };
    let actions: Vec<&str> = s.actions.iter().map(|a| a.action.as_str()).collect();
    let actions = if actions.is_empty() {
        w.none.to_string()
    } else {
        actions.join(", ")
    };
    format!(
        "{} {total} / {}   {} {grade}   {}: {actions}",
        w.total, s.max, w.grade, w.actions
    )
}

/// The outcome as text tables in `lang` (the pack's, unless asked otherwise): overall
/// indicators, the jurisdiction × indicator matrix, scorecard, jurisdictions, accounting.
pub fn table(o: &Outcome, lang: Language) -> String {
    let w = Words::of(lang);
    let mut s = String::new();
    let title = o.pack.title.as_deref().unwrap_or(&o.pack.name);
    let _ = writeln!(s, "{title}  ({} {})", o.pack.name, o.pack.version);
    match &o.period {
        Some(p) => {
            let _ = writeln!(
                s,
                "{} {} {} {} ({} {})\n",
                w.period, p.from, w.period_to, p.to, w.as_of, p.as_of
            );
        }
        None => {
            let _ = writeln!(s, "{}\n", w.no_period);
        }
    }
    if let Some(note) = super::words::incomplete_note(o, lang) {
        let _ = writeln!(s, "{note}\n");
    }
    let _ = writeln!(s, "{}:\n{}", w.indicators_overall, indicator_table(o, w));
    if !o.groups.is_empty() && !o.indicators.is_empty() {
        let _ = writeln!(s, "\n{} ({}):\n{}", w.matrix, w.matrix_note, matrix(o, w));
    }
    s.push_str(&by_matrices(o, w));
    if let Some(sc) = &o.scorecard {
        let _ = writeln!(s, "\n{}: {}", w.scorecard, scorecard_line(sc, w));
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED);
        t.set_header(vec![w.section, w.score, w.full_marks]);
        for sec in &sc.sections {
            let score = sec
                .score
                .as_ref()
                .map(|x| x.display.clone())
                .unwrap_or_else(|| "n/a".into());
            t.add_row(vec![sec.name.clone(), score, sec.max.clone()]);
        }
        let _ = writeln!(s, "{t}");
    }
    // the outputs of tables on groups: a column each
    let graded: std::collections::BTreeSet<&String> = o
        .grades
        .keys()
        .chain(o.groups.values().flat_map(|g| g.grades.keys()))
        .collect();
    let grade_text = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => "—".into(),
        Some(other) => other.to_string(),
    };
    if !o.grades.is_empty() {
        let all: Vec<String> = graded
            .iter()
            .map(|k| format!("{k} {}", grade_text(o.grades.get(*k))))
            .collect();
        let _ = writeln!(s, "\n{}: {}", w.graded_overall, all.join(", "));
    }
    if !o.groups.is_empty() {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
        let mut header: Vec<String> = [
            w.jurisdiction,
            w.name,
            w.parent,
            w.indicators_met,
            w.total,
            w.grade,
            w.actions,
        ]
        .map(String::from)
        .to_vec();
        header.extend(graded.iter().map(|k| k.to_string()));
        t.set_header(header);
        for (key, g) in &o.groups {
            let met = g
                .indicators
                .values()
                .filter(|i| i.met == Some(true))
                .count();
            let judged = g.indicators.values().filter(|i| i.met.is_some()).count();
            let (total, grade, actions) = match &g.scorecard {
                Some(sc) => (
                    sc.total
                        .as_ref()
                        .map(|t| t.display.clone())
                        .unwrap_or_else(|| "n/a".into()),
                    sc.grade.clone().unwrap_or_default(),
                    sc.actions
                        .iter()
                        .map(|a| a.action.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                None => Default::default(),
            };
            let mut row = vec![
                key.clone(),
                g.name.clone().unwrap_or_default(),
                g.parent.clone().unwrap_or_default(),
                format!("{met} / {judged}"),
                total,
                grade,
                actions,
            ];
            row.extend(graded.iter().map(|k| grade_text(g.grades.get(*k))));
            t.add_row(row);
        }
        let _ = writeln!(s, "\n{}:\n{t}", w.jurisdictions);
    }
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec![
        w.collection,
        w.read,
        w.used,
        w.records_excluded,
        w.rejected,
    ]);
    for (name, a) in &o.accounting {
        t.add_row(vec![
            name.clone(),
            a.read.to_string(),
            a.used.to_string(),
            a.excluded.to_string(),
            a.rejected.len().to_string(),
        ]);
    }
    let _ = writeln!(s, "\n{}:\n{t}", w.records);
    for (name, a) in &o.accounting {
        for r in &a.rejected {
            let _ = writeln!(s, "  {} {name} '{}': {}", w.rejected, r.key, r.reason);
        }
    }
    s
}
