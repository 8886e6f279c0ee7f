//! Tables written as a workbook or as CSV files (feature `spreadsheets`): the outcome's
//! sheets (`outcome::sheets`) and a dataset in a pack's sheets (`data::sheet_export`).
//!
//! Workbooks are deterministic (a fixed creation time), numbers are number cells (a value
//! that a spreadsheet's binary numbers cannot hold exactly is written as text instead),
//! dates are date cells, the header row is bold and frozen, and columns are as wide as
//! their longest text (a Chinese character counts twice).

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

/// One cell to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// A number, as its decimal text (`97.1`): a number cell when a binary number holds it
    /// exactly as written, else text.
    Number(String),
    /// A date.
    Date(chrono::NaiveDate),
    /// Text marked as not met (shaded in a workbook).
    Flagged(String),
}

impl Out {
    /// The cell as text (as CSV writes it).
    pub(crate) fn text(&self) -> String {
        match self {
            Out::Empty => String::new(),
            Out::Text(t) | Out::Number(t) | Out::Flagged(t) => t.clone(),
            Out::Date(d) => d.to_string(),
        }
    }
}

/// One sheet: its name, its header row and its rows.
#[derive(Debug, Clone)]
pub struct Table {
    /// The sheet's name (the CSV file's, without `.csv`).
    pub name: String,
    /// The header row.
    pub headers: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Out>>,
}

/// The width of a text in a spreadsheet's columns: two for a wide (CJK) character.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

/// The number a decimal text stands for, when a binary number holds it exactly as written
/// (its shortest form reads back as the same text): `97.1` yes, `1/3` or 20 digits no.
fn as_f64(text: &str) -> Option<f64> {
    let f: f64 = text.parse().ok()?;
    let back = format!("{f}");
    let norm = |s: &str| -> String {
        let s = s.strip_prefix('+').unwrap_or(s);
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    (f.is_finite() && norm(&back) == norm(text)).then_some(f)
}

/// The tables as one workbook (a sheet each, in order).
pub fn workbook(tables: &[Table]) -> Result<Vec<u8>, String> {
    fn build(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        // a fixed creation time, so that the same outcome gives the same bytes
        let epoch = ExcelDateTime::from_ymd(2000, 1, 1)?;
        book.set_properties(&DocProperties::new().set_creation_datetime(&epoch));
        let head = Format::new().set_bold().set_background_color(0xDDEBF7);
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let flagged = Format::new()
            .set_background_color(0xF8CBAD)
            .set_font_color(0x9C0006);
        for t in tables {
            let ws = book.add_worksheet();
            ws.set_name(&t.name)?;
            let mut widths: Vec<usize> = t.headers.iter().map(|h| width(h)).collect();
            for (c, h) in t.headers.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, h, &head)?;
            }
            for (r, row) in t.rows.iter().enumerate() {
                let r = r as u32 + 1;
                for (c, cell) in row.iter().enumerate() {
                    let col = c as u16;
                    match cell {
                        Out::Empty => {}
                        Out::Text(s) => {
                            ws.write_string(r, col, s)?;
                        }
                        Out::Flagged(s) => match as_f64(s) {
                            Some(f) => {
                                ws.write_number_with_format(r, col, f, &flagged)?;
                            }
                            None => {
                                ws.write_string_with_format(r, col, s, &flagged)?;
                            }
                        },
                        Out::Number(s) => match as_f64(s) {
                            Some(f) => {
                                ws.write_number(r, col, f)?;
                            }
                            None => {
                                ws.write_string(r, col, s)?;
                            }
                        },
                        Out::Date(d) => {
                            use chrono::Datelike;
                            let dt = ExcelDateTime::from_ymd(
                                d.year() as u16,
                                d.month() as u8,
                                d.day() as u8,
                            )?;
                            ws.write_datetime_with_format(r, col, &dt, &date)?;
                        }
                    }
                    if let Some(w) = widths.get_mut(c) {
                        *w = (*w).max(width(&cell.text()));
                    }
                }
            }
            for (c, w) in widths.iter().enumerate() {
                ws.set_column_width(c as u16, (*w as f64 + 2.0).min(60.0))?;
            }
            ws.set_freeze_panes(1, 0)?;
        }
        book.save_to_buffer()
    }
    build(tables).map_err(|e| format!("cannot write the workbook: {e}"))
}

/// What a spreadsheet reads a CSV cell beginning with as a formula (OWASP's "CSV
/// injection" list): `=`, `+`, `-`, `@`, a tab, a carriage return.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell as CSV writes it: one that a spreadsheet would run as a formula
/// (`=HYPERLINK(…)`, `=cmd|' /c calc'!A0`, `+1+1`, `-2`, `@SUM(A1)`) gets a leading `'`,
/// as OWASP recommends, so that it shows as the text it is; the sheets reader takes the
/// `'` off again. Numbers the engine wrote (`-2.5` as a number) are written as they are.
pub(crate) fn neutral(text: &str) -> std::borrow::Cow<'_, str> {
    match text.starts_with(FORMULA_STARTS) {
        true => std::borrow::Cow::Owned(format!("'{text}")),
        false => std::borrow::Cow::Borrowed(text),
    }
}

/// The text a CSV cell written by [`neutral`] stood for: a leading `'` before one of the
/// characters it guards is taken off.
pub(crate) fn unneutral(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => text,
    }
}

impl Out {
    /// The cell as CSV writes it: text neutralised ([`neutral`]), a number the engine
    /// wrote (also when flagged) as it is.
    fn csv_text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Out::Text(t) => neutral(t),
            Out::Flagged(t) if as_f64(t).is_none() => neutral(t),
            other => std::borrow::Cow::Owned(other.text()),
        }
    }
}

/// A table as CSV text (UTF-8 with the byte-order mark Excel needs to see UTF-8, or GBK
/// without one); text that a spreadsheet would run as a formula is neutralised
/// (with a leading `'`, as OWASP recommends), in the header row too.
pub fn csv(table: &Table, gbk: bool) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| format!("cannot write {}.csv: {e}", table.name);
    w.write_record(table.headers.iter().map(|h| neutral(h).into_owned()))
        .map_err(fail)?;
    for row in &table.rows {
        w.write_record(row.iter().map(|c| c.csv_text().into_owned()))
            .map_err(fail)?;
    }
    let text = w
        .into_inner()
        .map_err(|e| format!("cannot write {}.csv: {e}", table.name))?;
    if !gbk {
        let mut out = b"\xEF\xBB\xBF".to_vec();
        out.extend(text);
        return Ok(out);
    }
    let text = String::from_utf8(text).map_err(|e| e.to_string())?;
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
    if unmappable {
        let c = text.chars().find(|c| {
            let (_, _, bad) = encoding_rs::GBK.encode(&c.to_string());
            bad
        });
        return Err(format!(
            "{}.csv cannot be written in GBK: it holds '{}', which GBK has no code for (write UTF-8 instead)",
            table.name,
            c.unwrap_or('?')
        ));
    }
    Ok(bytes.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_numbers_a_binary_number_holds_exactly_are_number_cells() {
        assert_eq!(as_f64("97.1"), Some(97.1));
        assert_eq!(as_f64("97.10"), Some(97.1));
        assert_eq!(as_f64("-3"), Some(-3.0));
        assert_eq!(as_f64("0.30000000000000004"), Some(0.1 + 0.2));
        assert_eq!(as_f64("12345678901234567890"), None);
        assert_eq!(as_f64("1/3"), None);
    }

    #[test]
    fn csv_cells_a_spreadsheet_would_run_are_neutralised() {
        let payloads = [
            "=HYPERLINK(\"http://x\",\"y\")",
            "=cmd|'/c calc'!A0",
            "+1+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ];
        let t = Table {
            name: "t".into(),
            headers: vec!["=h".into(), "n".into(), "flag".into()],
            rows: payloads
                .iter()
                .map(|p| {
                    vec![
                        Out::Text(p.to_string()),
                        Out::Number("-2.5".into()),
                        Out::Flagged("-1".into()),
                    ]
                })
                .chain([vec![
                    Out::Text("安全".into()),
                    Out::Flagged("=1".into()),
                    Out::Empty,
                ]])
                .collect(),
        };
        let text = String::from_utf8(csv(&t, false).unwrap()[3..].to_vec()).unwrap();
        let mut rows = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let rows: Vec<Vec<String>> = rows
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        assert_eq!(rows[0][0], "'=h");
        for (row, p) in rows[1..].iter().zip(payloads) {
            assert_eq!(row[0], format!("'{p}"), "{p:?}");
            // the engine's numbers are numbers
            assert_eq!((row[1].as_str(), row[2].as_str()), ("-2.5", "-1"));
            assert_eq!(unneutral(&row[0]), p);
        }
        assert_eq!(rows[8], ["安全", "'=1", ""]);
        assert_eq!(
            unneutral("'ok"),
            "'ok",
            "a ' before anything else is the text's own"
        );
    }

    #[test]
    fn the_same_tables_give_the_same_workbook_bytes() {
        let t = Table {
            name: "指标".into(),
            headers: vec!["辖区".into(), "覆盖率".into()],
            rows: vec![vec![
                Out::Text("灵溪镇".into()),
                Out::Flagged("97.1".into()),
            ]],
        };
        let a = workbook(std::slice::from_ref(&t)).unwrap();
        assert_eq!(a, workbook(std::slice::from_ref(&t)).unwrap());
        assert!(a.starts_with(b"PK"));
        let gbk = csv(&t, true).unwrap();
        let (back, _, bad) = encoding_rs::GBK.decode(&gbk);
        assert!(!bad);
        assert_eq!(back, "辖区,覆盖率\n灵溪镇,97.1\n");
        let euro = Table {
            rows: vec![vec![Out::Text("😀".into()), Out::Empty]],
            ..t
        };
        let e = csv(&euro, true).unwrap_err();
        assert!(e.contains("which GBK has no code for"), "{e}");
    }
}
