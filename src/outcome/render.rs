//! Readable renderings of an outcome: a terminal table (CJK-aware column widths).

use super::{IndicatorResult, Outcome, ScorecardResult};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, ContentArrangement, Table};
use std::fmt::Write;

fn target_text(i: &IndicatorResult) -> String {
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
        None if i.every_member => "all".into(),
        None => "—".into(),
    }
}

fn value_text(i: &IndicatorResult) -> String {
    match &i.value {
        Some(v) => shown(v, i),
        None => "n/a (0 ÷ 0)".into(),
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
fn by_matrices(o: &Outcome) -> String {
    let mut s = String::new();
    for (id, i) in &o.indicators {
        let Some(cats) = &i.by else { continue };
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
        let mut header = vec!["jurisdiction".to_string()];
        header.extend(cats.iter().map(|c| c.category.clone()));
        header.push("all".into());
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
        let mut all = vec!["all".to_string()];
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
        let _ = writeln!(s, "\n{name} ({id}) by category:\n{t}");
    }
    s
}

fn met_text(m: Option<bool>) -> &'static str {
    match m {
        Some(true) => "met",
        Some(false) => "NOT MET",
        None => "—",
    }
}

fn indicator_table(inds: &std::collections::BTreeMap<String, IndicatorResult>) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    t.set_header(vec![
        "indicator",
        "value",
        "of",
        "target",
        "met",
        "points",
        "evidence",
    ]);
    for (id, i) in inds {
        let name = match &i.title {
            Some(title) => format!(
                "{title}\n{id}{}",
                i.criterion
                    .as_ref()
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default()
            ),
            None => id.clone(),
        };
        let of = match (&i.numerator, &i.denominator, &i.current, &i.baseline) {
            (_, _, Some(c), Some(b)) => format!("{c} vs {b}"),
            (n, d, _, _) => match (n, d) {
                (Some(n), Some(d)) => format!("{n} / {d}"),
                (None, Some(d)) => format!("{d} members"),
                _ => String::new(),
            },
        };
        let points = match (&i.points, &i.max_points) {
            (Some(p), Some(m)) => format!("{} / {m}", p.display),
            (None, Some(m)) => format!("excluded / {m}"),
            _ => "—".into(),
        };
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
            Cell::new(name),
            Cell::new(value_text(i)),
            Cell::new(of),
            Cell::new(target_text(i)),
            Cell::new(met_text(i.met)),
            Cell::new(points),
            Cell::new(ev),
        ]);
    }
    t
}

fn scorecard_line(s: &ScorecardResult) -> String {
    let total = s
        .total
        .as_ref()
        .map(|t| t.display.clone())
        .unwrap_or_else(|| "n/a".into());
    let grade = s.grade.as_deref().unwrap_or("—");
    let actions: Vec<&str> = s.actions.iter().map(|a| a.action.as_str()).collect();
    let actions = if actions.is_empty() {
        "none".to_string()
    } else {
        actions.join(", ")
    };
    format!(
        "total {total} / {}   grade {grade}   actions: {actions}",
        s.max
    )
}

/// The outcome as text tables: overall indicators, scorecard, groups, accounting.
pub fn table(o: &Outcome) -> String {
    let mut s = String::new();
    let title = o.pack.title.as_deref().unwrap_or(&o.pack.name);
    let _ = writeln!(s, "{title}  ({} {})", o.pack.name, o.pack.version);
    match &o.period {
        Some(p) => {
            let _ = writeln!(
                s,
                "period {} to {} (assessed as of {})\n",
                p.from, p.to, p.as_of
            );
        }
        None => {
            let _ = writeln!(s, "no period (nothing in the pack is dated)\n");
        }
    }
    let _ = writeln!(
        s,
        "Indicators, all jurisdictions:\n{}",
        indicator_table(&o.indicators)
    );
    s.push_str(&by_matrices(o));
    if let Some(sc) = &o.scorecard {
        let _ = writeln!(s, "\nScorecard: {}", scorecard_line(sc));
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED);
        t.set_header(vec!["section", "score", "of"]);
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
        let _ = writeln!(s, "\nGraded, all jurisdictions: {}", all.join(", "));
    }
    if !o.groups.is_empty() {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
        let mut header: Vec<String> = [
            "jurisdiction",
            "name",
            "parent",
            "indicators met",
            "total",
            "grade",
            "actions",
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
        let _ = writeln!(s, "\nJurisdictions:\n{t}");
    }
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec!["collection", "read", "used", "excluded", "rejected"]);
    for (name, a) in &o.accounting {
        t.add_row(vec![
            name.clone(),
            a.read.to_string(),
            a.used.to_string(),
            a.excluded.to_string(),
            a.rejected.len().to_string(),
        ]);
    }
    let _ = writeln!(s, "\nRecords:\n{t}");
    for (name, a) in &o.accounting {
        for r in &a.rejected {
            let _ = writeln!(s, "  rejected {name} '{}': {}", r.key, r.reason);
        }
    }
    s
}
