//! The outcome as one self-contained HTML page an officer can open, print or mail: no
//! scripts, no fonts, no images or styles from anywhere else (charts are inline SVG).
//!
//! It holds the headline scorecard, the jurisdiction × indicator matrix with the cells
//! that are not met marked, a bar chart per indicator across jurisdictions against its
//! target, the grade distribution of graded records, the evidence lists and the accounting
//! of records. Figures carry `data-` attributes (`data-indicator`, `data-jurisdiction`,
//! `data-value`, `data-met`) so that a program (or a test in a browser) can read them.
//! Bar lengths are computed in whole hundredths, never in floating point.

use super::render::{of_text, points_text, target_text, value_text};
use super::words::Words;
use super::{IndicatorResult, Outcome, Records};
use crate::pack::spec::Language;
use crate::value::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Text with HTML's special characters escaped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A displayed decimal (`97.1`, `-3`) in whole hundredths (9710), for drawing.
fn hundredths(display: &str) -> Option<i128> {
    let (neg, t) = match display.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, display),
    };
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let mut n: i128 = whole.parse().ok()?;
    let mut digits = frac.chars();
    for _ in 0..2 {
        let d = digits
            .next()
            .map_or(Some(0), |c| c.to_digit(10).map(i128::from))?;
        n = n.checked_mul(10)?.checked_add(d)?;
    }
    Some(if neg { -n } else { n })
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;color:#1a1a1a;max-width:1200px}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc;padding-bottom:.2em}
.meta{color:#555}table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #bbb;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#ddebf7}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.not-met{background:#f8cbad;color:#9c0006;font-weight:600}.headline{font-size:1.3em;margin:.6em 0}
.headline b{font-size:1.4em}.actions{color:#9c0006;font-weight:600}.chart{margin:.4em 0 1.2em}
.chart text{font-size:12px}.bar{fill:#5b9bd5}.bar.not-met{fill:#e46c5a}.target{stroke:#1a1a1a;stroke-dasharray:4 3}
.ids{font-family:ui-monospace,monospace;font-size:.9em;color:#333}
.incomplete{border:2px solid #9c0006;background:#fff2cc;padding:.6em .9em;font-weight:600}.mark{color:#9c0006;font-size:.85em}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}table,.chart{page-break-inside:avoid}}
";

/// The page for outcome `o`, in `lang`.
pub fn page(o: &Outcome, lang: Language) -> String {
    let w = Words::of(lang);
    let mut s = String::new();
    let title = o.pack.title.clone().unwrap_or_else(|| o.pack.name.clone());
    let html_lang = match lang {
        Language::Zh => "zh-CN",
        Language::En => "en",
    };
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"meta\">{} {} · ",
        esc(&title),
        esc(&title),
        esc(&o.pack.name),
        esc(&o.pack.version)
    );
    match &o.period {
        Some(p) => {
            let _ = write!(
                s,
                "{} {} {} {} ({} {})",
                w.period, p.from, w.period_to, p.to, w.as_of, p.as_of
            );
        }
        None => s.push_str(w.no_period),
    }
    let _ = writeln!(s, " · {}</p>", esc(&o.engine));
    if let Some(note) = super::words::incomplete_note(o, lang) {
        let _ = writeln!(
            s,
            "<p class=\"incomplete\" id=\"incomplete\">{}</p>",
            esc(&note)
        );
    }
    headline(&mut s, o, w);
    let order: Vec<(&String, &IndicatorResult)> = o.indicators_in_order().collect();
    if !order.is_empty() {
        indicators(&mut s, &order, w);
        if !o.groups.is_empty() {
            matrix(&mut s, o, &order, w);
            charts(&mut s, o, &order, w);
        }
    }
    grades(&mut s, o, w);
    evidence(&mut s, &order, w);
    accounting(&mut s, o, w);
    s.push_str("</body>\n</html>\n");
    s
}

fn headline(s: &mut String, o: &Outcome, w: &Words) {
    let Some(sc) = &o.scorecard else { return };
    let total = sc
        .total
        .as_ref()
        .map_or("n/a".to_string(), |t| t.display.clone());
    let actions: Vec<&str> = sc.actions.iter().map(|a| a.action.as_str()).collect();
    let _ = writeln!(
        s,
        "<h2>{}</h2>\n<p class=\"headline\" id=\"headline\" data-total=\"{}\" data-grade=\"{}\">{} <b>{}</b> / {} &nbsp; {} <b>{}</b> &nbsp; {}: <span class=\"actions\">{}</span></p>",
        w.scorecard,
        esc(&total),
        esc(sc.grade.as_deref().unwrap_or("")),
        w.total,
        esc(&total),
        esc(&sc.max),
        w.grade,
        esc(&match sc.provisional {
            true => format!("{} ({})", sc.grade.as_deref().unwrap_or("—"), w.provisional),
            false => sc.grade.as_deref().unwrap_or("—").to_string(),
        }),
        w.actions,
        esc(&if actions.is_empty() { w.none.to_string() } else { actions.join(", ") })
    );
    s.push_str("<table id=\"sections\"><tr>");
    let _ = writeln!(
        s,
        "<th>{}</th><th>{}</th><th>{}</th></tr>",
        w.section, w.score, w.full_marks
    );
    for sec in &sc.sections {
        let score = sec
            .score
            .as_ref()
            .map_or("n/a".to_string(), |x| x.display.clone());
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&sec.name),
            esc(&score),
            esc(&sec.max)
        );
    }
    s.push_str("</table>\n");
}

fn indicators(s: &mut String, order: &[(&String, &IndicatorResult)], w: &Words) {
    let _ = writeln!(
        s,
        "<h2>{}</h2>\n<table id=\"indicators\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        w.indicators_overall, w.indicator, w.value, w.of, w.target, w.met, w.points
    );
    for (id, i) in order {
        let name = i.title.clone().unwrap_or_else(|| id.to_string());
        let class = if i.met == Some(false) { " not-met" } else { "" };
        let met = match i.met {
            Some(true) => w.met,
            Some(false) => w.not_met,
            None => "—",
        };
        let met = match &i.incomplete {
            Some(_) => format!("{met} <span class=\"mark\">({})</span>", w.incomplete),
            None => met.to_string(),
        };
        let _ = writeln!(
            s,
            "<tr data-indicator=\"{}\"><td>{}<br><small>{}</small></td><td class=\"num{class}\" data-value=\"{}\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"{}\">{}</td><td class=\"num\">{}</td></tr>",
            esc(id),
            esc(&name),
            esc(id),
            esc(i.value.as_ref().map_or("", |v| v.display.as_str())),
            esc(&value_text(i, w)),
            esc(&of_text(i, w)),
            esc(&target_text(i, w)),
            class.trim(),
            met,
            esc(&points_text(i, w))
        );
    }
    s.push_str("</table>\n");
}

/// One cell of the matrix.
fn matrix_cell(s: &mut String, id: &str, group: &str, i: Option<&IndicatorResult>) {
    match i {
        Some(i) => {
            let value = i.value.as_ref().map_or("n/a", |v| v.display.as_str());
            let met = i.met.map_or("".to_string(), |m| m.to_string());
            let class = if i.met == Some(false) {
                "num not-met"
            } else {
                "num"
            };
            let mark = if i.met == Some(false) { " ✗" } else { "" };
            let _ = write!(
                s,
                "<td class=\"{class}\" data-indicator=\"{}\" data-jurisdiction=\"{}\" data-value=\"{}\" data-met=\"{met}\">{}{mark}</td>",
                esc(id),
                esc(group),
                esc(value),
                esc(value)
            );
        }
        None => s.push_str("<td>—</td>"),
    }
}

fn matrix(s: &mut String, o: &Outcome, order: &[(&String, &IndicatorResult)], w: &Words) {
    let _ = write!(
        s,
        "<h2>{}</h2>\n<p class=\"meta\">{}</p>\n<table id=\"matrix\"><tr><th>{}</th>",
        w.matrix, w.matrix_note, w.jurisdiction
    );
    for (id, i) in order {
        let _ = write!(
            s,
            "<th title=\"{}\">{}</th>",
            esc(id),
            esc(i.title.as_deref().unwrap_or(id))
        );
    }
    let _ = write!(s, "</tr>\n<tr data-jurisdiction=\"\"><th>{}</th>", w.all);
    for (id, i) in order {
        matrix_cell(s, id, "", Some(i));
    }
    s.push_str("</tr>\n");
    for (key, g) in &o.groups {
        let _ = write!(
            s,
            "<tr data-jurisdiction=\"{}\"><th>{}</th>",
            esc(key),
            esc(g.name.as_deref().unwrap_or(key))
        );
        for (id, _) in order {
            matrix_cell(s, id, key, g.indicators.get(*id));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
}

/// The target a chart draws a line at: the `min` (or `max`, `above`, `below`) of the
/// indicator's target.
fn target_line(i: &IndicatorResult) -> Option<i128> {
    let t = i.target.as_ref()?;
    ["min", "above", "max", "below"]
        .iter()
        .find_map(|k| t.get(*k))
        .and_then(|v| hundredths(v))
}

fn charts(s: &mut String, o: &Outcome, order: &[(&String, &IndicatorResult)], w: &Words) {
    const LABEL: i128 = 140;
    const WIDTH: i128 = 480;
    const ROW: i128 = 20;
    for (id, i) in order {
        let bars: Vec<(String, Option<&IndicatorResult>)> = o
            .groups
            .iter()
            .map(|(k, g)| {
                (
                    g.name.clone().unwrap_or_else(|| k.clone()),
                    g.indicators.get(*id),
                )
            })
            .collect();
        let values: Vec<Option<i128>> = bars
            .iter()
            .map(|(_, r)| {
                r.and_then(|r| r.value.as_ref())
                    .and_then(|v| hundredths(&v.display))
            })
            .collect();
        if values.iter().all(Option::is_none) {
            continue;
        }
        let target = target_line(i);
        let scale = values
            .iter()
            .flatten()
            .copied()
            .chain(target)
            .map(|v| v.max(0))
            .max()
            .unwrap_or(0)
            .max(1);
        let height = ROW * bars.len() as i128 + 10;
        let _ = writeln!(
            s,
            "<h2>{} <small>({})</small></h2>\n<svg class=\"chart\" data-indicator=\"{}\" width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
            esc(i.title.as_deref().unwrap_or(id)),
            esc(&target_text(i, w)),
            esc(id),
            LABEL + WIDTH + 70,
            esc(i.title.as_deref().unwrap_or(id))
        );
        for (n, ((name, r), v)) in bars.iter().zip(&values).enumerate() {
            let y = ROW * n as i128 + 4;
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                LABEL - 6,
                y + 13,
                esc(name)
            );
            if let (Some(v), Some(r)) = (v, r) {
                let len = (*v).clamp(0, scale).saturating_mul(WIDTH) / scale;
                let class = if r.met == Some(false) {
                    "bar not-met"
                } else {
                    "bar"
                };
                let shown = r.value.as_ref().map_or("", |x| x.display.as_str());
                let _ = write!(
                    s,
                    "<rect class=\"{class}\" x=\"{LABEL}\" y=\"{y}\" width=\"{len}\" height=\"{}\"></rect><text x=\"{}\" y=\"{}\">{}</text>",
                    ROW - 6,
                    LABEL + len + 4,
                    y + 13,
                    esc(shown)
                );
            }
            s.push('\n');
        }
        if let Some(t) = target {
            let x = LABEL + t.clamp(0, scale).saturating_mul(WIDTH) / scale;
            let _ = writeln!(
                s,
                "<line class=\"target\" x1=\"{x}\" y1=\"0\" x2=\"{x}\" y2=\"{height}\"></line>"
            );
        }
        s.push_str("</svg>\n");
    }
}

/// The distribution of a records measure whose values are a few texts (a grade): per
/// collection and measure, each value with its count and share.
fn grades(s: &mut String, o: &Outcome, w: &Words) {
    let mut any = false;
    for (coll, r) in &o.records {
        for (m, name) in r.measures.iter().enumerate() {
            let Some(counts) = distribution(r, m) else {
                continue;
            };
            if !any {
                let _ = writeln!(s, "<h2>{}</h2>", w.grades);
                any = true;
            }
            let total: u64 = counts.values().sum();
            let _ = writeln!(
                s,
                "<table class=\"grades\" data-collection=\"{}\" data-measure=\"{}\"><tr><th>{}.{}</th><th>{}</th><th>{}</th></tr>",
                esc(coll),
                esc(name),
                esc(coll),
                esc(name),
                w.count,
                w.share
            );
            for (v, n) in &counts {
                // the share in tenths of a percent, rounded half up, in whole numbers
                let tenths = (n * 2000 + total) / (2 * total);
                let _ = writeln!(
                    s,
                    "<tr data-value=\"{}\" data-count=\"{n}\"><td>{}</td><td class=\"num\">{n}</td><td class=\"num\">{}.{}%</td></tr>",
                    esc(v),
                    esc(v),
                    tenths / 10,
                    tenths % 10
                );
            }
            s.push_str("</table>\n");
        }
    }
}

/// The counts of a measure's values, when they are all texts, at most 12 different ones,
/// and some record has one.
fn distribution(r: &Records, m: usize) -> Option<BTreeMap<String, u64>> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for row in 0..r.keys.len() {
        match r.row(row).get(m)? {
            Value::None => {}
            v @ (Value::Str(_) | Value::Short(_)) => {
                *counts
                    .entry(v.as_str().unwrap_or_default().to_string())
                    .or_default() += 1;
                if counts.len() > 12 {
                    return None;
                }
            }
            _ => return None,
        }
    }
    (!counts.is_empty()).then_some(counts)
}

fn evidence(s: &mut String, order: &[(&String, &IndicatorResult)], w: &Words) {
    if order.iter().all(|(_, i)| i.evidence.count == 0) {
        return;
    }
    let _ = writeln!(s, "<h2>{}</h2>\n<table id=\"evidence\">", w.evidence);
    for (id, i) in order {
        if i.evidence.count == 0 {
            continue;
        }
        let more = if i.evidence.count as usize > i.evidence.ids.len() {
            ", …"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "<tr data-indicator=\"{}\" data-count=\"{}\"><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"ids\">{}{more}</td></tr>",
            esc(id),
            i.evidence.count,
            esc(i.title.as_deref().unwrap_or(id)),
            i.evidence.count,
            esc(&i.evidence.of),
            esc(&i.evidence.ids.join(", "))
        );
    }
    s.push_str("</table>\n");
}

fn accounting(s: &mut String, o: &Outcome, w: &Words) {
    let _ = writeln!(
        s,
        "<h2>{}</h2>\n<table id=\"accounting\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        w.records, w.collection, w.read, w.used, w.records_excluded, w.rejected
    );
    for (name, a) in &o.accounting {
        let _ = writeln!(
            s,
            "<tr data-collection=\"{}\" data-read=\"{}\" data-used=\"{}\"><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(name),
            a.read,
            a.used,
            esc(name),
            a.read,
            a.used,
            a.excluded,
            a.rejected.len()
        );
    }
    s.push_str("</table>\n");
    let rejected: Vec<_> = o
        .accounting
        .iter()
        .flat_map(|(n, a)| a.rejected.iter().map(move |r| (n, r)))
        .collect();
    if !rejected.is_empty() {
        let _ = writeln!(
            s,
            "<table id=\"rejected\"><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
            w.collection, w.key, w.reason
        );
        for (n, r) in rejected {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(n),
                esc(&r.key),
                esc(&r.reason)
            );
        }
        s.push_str("</table>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_in_hundredths() {
        assert_eq!(hundredths("97.1"), Some(9710));
        assert_eq!(hundredths("100"), Some(10000));
        assert_eq!(hundredths("-3.25"), Some(-325));
        assert_eq!(hundredths("0.125"), Some(12));
        assert_eq!(hundredths("x"), None);
        assert_eq!(hundredths(&"9".repeat(38)), None);
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
