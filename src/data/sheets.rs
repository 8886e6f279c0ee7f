//! Reading a dataset from sheets: one grid of cells per collection, as a workbook's sheet
//! or a CSV file holds it (`data::sheet_files` reads those). Each collection's `sheet` in
//! the pack says which grid is its (by name), which column holds each field (by header)
//! and which value each cell text of an enum or bool field stands for.
//!
//! A row becomes the JSON object its cells stand for and is then read exactly as a JSON
//! record is (the same checks, the same accounting), so the same records give the same
//! outcome bytes from JSON, NDJSON, CSV or a workbook. A bad cell rejects its record with
//! the cell's place (`units.csv row 17 column 营业状态: …`, `监督单位!E17: …`); a grid
//! that cannot be read at all (no header row, a required column missing) is an error.

use super::record::{read_record, Raw};
use super::{parse_period, resolve, DataError, Dataset, Input};
use crate::plan::{Collection, Field, FieldKind, Plan};
use chrono::NaiveDate;
use serde_json::{Map, Value as Json};

/// One cell as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing: the field is missing.
    Empty,
    /// Text, as written (CSV cells are all text).
    Text(String),
    /// A number cell of a workbook, as the shortest decimal text that its stored binary
    /// value reads back as (what the spreadsheet shows at full precision: `72.4`).
    Number(String),
    /// A true/false cell of a workbook.
    Bool(bool),
    /// A date cell of a workbook (its time of day, if any, left out).
    Date(NaiveDate),
}

impl Cell {
    fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text: what it shows.
    fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) | Cell::Number(t) => t.trim().to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Date(d) => d.to_string(),
        }
    }
}

/// Whether a grid is a CSV file or a workbook's sheet: how its cells are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridKind {
    /// `units.csv row 17 column 营业状态`.
    Csv,
    /// `监督单位!E17` (A1 notation).
    Sheet,
}

/// The cells of one sheet or CSV file, row by row.
#[derive(Debug, Clone)]
pub struct Grid {
    /// The name it is matched by: the sheet's name, or the file's name without `.csv`.
    pub name: String,
    /// How it is named in messages: the sheet's name, or the file's name.
    pub label: String,
    /// CSV file or sheet.
    pub kind: GridKind,
    /// The rows from the first (row 1), each with its cells from column A.
    pub rows: Vec<Vec<Cell>>,
}

/// Header rows are looked for among the first this many rows (a title above the headers
/// is common in exports).
const HEADER_SEARCH_ROWS: usize = 20;

/// The name of the grid that gives the period (`from`, `to`, `as_of` columns).
pub const PERIOD_SHEET: &str = "period";

/// A column's name in A1 notation: 0 → A, 25 → Z, 26 → AA.
fn column_letters(mut col: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

impl Grid {
    /// Where a cell is: `units.csv row 17 column 营业状态` or `监督单位!E17` (0-based
    /// row and column).
    fn cell_at(&self, row: usize, col: usize, header: &str) -> String {
        match self.kind {
            GridKind::Csv => format!("{} row {} column {header}", self.label, row + 1),
            GridKind::Sheet => format!("{}!{}{}", self.label, column_letters(col), row + 1),
        }
    }

    /// Where a row is: `units.csv row 17`, `监督单位 row 17`.
    fn row_at(&self, row: usize) -> String {
        format!("{} row {}", self.label, row + 1)
    }

    /// A whole-grid error.
    fn error(&self, what: String) -> DataError {
        DataError::Shape(what).in_input(&self.label)
    }
}

/// Which column holds each field of a collection, found in the header row.
struct Columns {
    /// The header row (0-based).
    header_row: usize,
    /// By slot, the column holding the field and its header (none: no such column).
    at: Vec<Option<(usize, String)>>,
}

/// The header of a grid's cell, as matched against the pack: trimmed, and a byte-order
/// mark some exporters leave on the first header taken off.
fn header_text(c: &Cell) -> String {
    c.text().trim_start_matches('\u{feff}').trim().to_string()
}

/// Finds the header row (the first of the first rows to hold the key field's header) and
/// each field's column, by the header the pack gives it or by its own name.
fn columns(grid: &Grid, coll: &Collection) -> Result<Columns, DataError> {
    let headers = &coll.sheet.headers;
    let wanted = |slot: usize| {
        let f = &coll.fields[slot];
        move |h: &str| h == headers[slot] || h == f.name
    };
    let key = coll.key_slot as usize;
    let header_row = grid
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|r| r.iter().any(|c| wanted(key)(&header_text(c))))
        .ok_or_else(|| {
            grid.error(format!(
                "no header row: none of the first {HEADER_SEARCH_ROWS} rows has the column '{}' (the key field '{}' of {})",
                headers[key], coll.fields[key].name, coll.name
            ))
        })?;
    let row: Vec<String> = grid.rows[header_row].iter().map(header_text).collect();
    let mut at = Vec::with_capacity(coll.fields.len());
    for (slot, f) in coll.fields.iter().enumerate() {
        let found: Vec<usize> = (0..row.len()).filter(|&i| wanted(slot)(&row[i])).collect();
        match found.as_slice() {
            [] if f.optional => at.push(None),
            [] => {
                let present: Vec<&str> = row.iter().map(String::as_str).filter(|h| !h.is_empty()).collect();
                let hint = crate::suggest::hint(&headers[slot], present.iter().copied());
                return Err(grid.error(format!(
                    "no column '{}' for the required field '{}'{hint}; its columns: {}",
                    headers[slot],
                    f.name,
                    present.join(", ")
                )));
            }
            [one] => {
                if let FieldKind::List(_) = f.kind {
                    return Err(grid.error(format!(
                        "the column '{}' would hold '{}', a list of records, which a sheet cannot: give {} as JSON or NDJSON",
                        row[*one], f.name, coll.name
                    )));
                }
                at.push(Some((*one, row[*one].clone())))
            }
            [a, b, ..] => {
                return Err(grid.error(format!(
                    "the columns {} and {} both hold the field '{}' ('{}')",
                    column_letters(*a),
                    column_letters(*b),
                    f.name,
                    row[*a]
                )))
            }
        }
    }
    if let Some(f) = coll.fields.iter().find(|f| !f.optional && matches!(f.kind, FieldKind::List(_))) {
        return Err(grid.error(format!(
            "{} has a list of records, '{}', which a sheet cannot hold: give it as JSON or NDJSON",
            coll.name, f.name
        )));
    }
    Ok(Columns { header_row, at })
}

/// The date a cell's text or number stands for: `2025-03-02`, `2025/3/2`, `2025.3.2`,
/// `2025年3月2日` (a time of day after it is left out), or an Excel serial day number.
fn date_of(cell: &Cell) -> Option<NaiveDate> {
    match cell {
        Cell::Date(d) => Some(*d),
        Cell::Number(n) => excel_serial(n),
        Cell::Text(t) => {
            let t = t.trim();
            let day = t.split([' ', 'T']).next().unwrap_or(t);
            let day = day.strip_suffix('日').unwrap_or(day);
            let parts: Vec<&str> = day.split(['-', '/', '.', '年', '月']).collect();
            match parts.as_slice() {
                [y, m, d] if y.len() == 4 && (1..=2).contains(&m.len()) && (1..=2).contains(&d.len()) => {
                    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
                }
                _ if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && t.len() <= 6 => excel_serial(t),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The day of an Excel serial number (1900 date system: day 1 is 1900-01-01, and day 60 is
/// the 29 February 1900 that Excel counts but that never was); a fraction is a time of
/// day, left out.
pub(crate) fn excel_serial(n: &str) -> Option<NaiveDate> {
    let whole: i64 = n.split('.').next()?.parse().ok()?;
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    match whole {
        1..=59 => base.checked_add_signed(chrono::Duration::days(whole + 1)),
        61..=2_958_465 => base.checked_add_signed(chrono::Duration::days(whole)),
        _ => None,
    }
}

/// A number written as text (`72.4`, ` 1,234 `, `+3`), as the exact decimal JSON number.
fn number_of(text: &str) -> Option<serde_json::Number> {
    let t: String = text.trim().chars().filter(|c| *c != ',' && *c != '，').collect();
    let t = t.strip_prefix('+').unwrap_or(&t);
    let digits = t.strip_prefix('-').unwrap_or(t);
    let plain = !digits.is_empty()
        && digits.split('.').count() <= 2
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !digits.starts_with('.')
        && !digits.ends_with('.');
    if !plain {
        return None;
    }
    serde_json::from_str(t).ok()
}

/// The bool a cell stands for: the pack's cell texts first, then true/false, 是/否, 1/0.
fn bool_of(cell: &Cell, texts: &std::collections::BTreeMap<String, Json>) -> Option<bool> {
    if let Cell::Bool(b) = cell {
        return Some(*b);
    }
    let t = cell.text();
    if let Some(Json::Bool(b)) = texts.get(&t) {
        return Some(*b);
    }
    match t.to_lowercase().as_str() {
        "true" | "是" | "1" | "y" | "yes" => Some(true),
        "false" | "否" | "0" | "n" | "no" => Some(false),
        _ => None,
    }
}

/// One cell as the JSON value of a field of kind `kind`, or why it is not one.
fn cell_value(cell: &Cell, kind: &FieldKind, texts: &std::collections::BTreeMap<String, Json>) -> Result<Json, String> {
    let shown = || match cell {
        Cell::Text(t) => format!("'{}'", t.trim()),
        other => other.text(),
    };
    match kind {
        FieldKind::Str | FieldKind::Ref(_) => Ok(Json::String(cell.text())),
        FieldKind::Num | FieldKind::Int => match cell {
            Cell::Number(n) | Cell::Text(n) => number_of(n)
                .map(Json::Number)
                .ok_or_else(|| format!("{} is not a number", shown())),
            _ => Err(format!("{} is not a number", shown())),
        },
        FieldKind::Bool => bool_of(cell, texts)
            .map(Json::Bool)
            .ok_or_else(|| {
                let mut known: Vec<&str> = texts.keys().map(String::as_str).collect();
                known.extend(["是", "否", "true", "false", "1", "0"]);
                format!("{} is not a yes or no ({})", shown(), known.join(", "))
            }),
        FieldKind::Date => date_of(cell)
            .map(|d| Json::String(d.to_string()))
            .ok_or_else(|| format!("{} is not a date (2025-03-02, 2025/3/2, 2025年3月2日, or a spreadsheet date)", shown())),
        FieldKind::Enum(allowed) => {
            let t = cell.text();
            match texts.get(&t) {
                Some(v) => Ok(v.clone()),
                None if allowed.iter().any(|a| **a == *t) => Ok(Json::String(t)),
                None => {
                    let mut known: Vec<&str> = texts.keys().map(String::as_str).collect();
                    if known.is_empty() {
                        known = allowed.iter().map(|a| &**a).collect();
                    }
                    Err(format!("{} is not one of {}", shown(), known.join(", ")))
                }
            }
        }
        FieldKind::Values(each) => {
            let items: Vec<Json> = match cell {
                Cell::Text(t) => t
                    .split([';', '；', '、'])
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| cell_value(&Cell::Text(p.to_string()), each, texts))
                    .collect::<Result<_, _>>()?,
                other => vec![cell_value(other, each, texts)?],
            };
            Ok(Json::Array(items))
        }
        FieldKind::List(_) => Err("a list of records cannot be a cell".into()),
    }
}

/// A rejection's reason with the place of the row, and of the cell when it names a field
/// (`field 'score': …` → `units.csv row 9 column 得分: field 'score': …`).
fn located(grid: &Grid, row: usize, cols: &Columns, fields: &[Field], reason: &str) -> String {
    let named = reason
        .strip_prefix("field '")
        .and_then(|r| r.split(['\'', '[', '.']).next());
    let cell = named
        .and_then(|n| fields.iter().position(|f| f.name == n))
        .and_then(|slot| cols.at[slot].as_ref());
    match cell {
        Some((col, header)) => format!("{}: {reason}", grid.cell_at(row, *col, header)),
        None => format!("{}: {reason}", grid.row_at(row)),
    }
}

/// The records of one collection's grid.
/// The records of one collection's grid, converted on the thread pool, in row order.
fn read_grid(plan: &Plan, coll: &Collection, grid: &Grid) -> Result<Vec<Raw>, DataError> {
    use rayon::prelude::*;
    let cols = columns(grid, coll)?;
    let rows: Vec<usize> = (cols.header_row + 1..grid.rows.len())
        .filter(|&r| !grid.rows[r].iter().all(Cell::is_empty))
        .collect();
    Ok(rows
        .into_par_iter()
        .map(|r| read_row(plan, coll, grid, &cols, r))
        .collect())
}

/// The record of row `r` (0-based) of a grid.
fn read_row(plan: &Plan, coll: &Collection, grid: &Grid, cols: &Columns, r: usize) -> Raw {
    let row = &grid.rows[r];
    let mut obj = Map::new();
    let mut bad: Option<String> = None;
    for (slot, f) in coll.fields.iter().enumerate() {
        let Some((col, header)) = &cols.at[slot] else { continue };
        let cell = row.get(*col).unwrap_or(&Cell::Empty);
        if cell.is_empty() {
            continue;
        }
        match cell_value(cell, &f.kind, &coll.sheet.values[slot]) {
            Ok(v) => {
                obj.insert(f.name.clone(), v);
            }
            Err(why) if bad.is_none() => {
                bad = Some(format!("{}: field '{}': {why}", grid.cell_at(r, *col, header), f.name));
            }
            Err(_) => {}
        }
    }
    let text = Json::Object(obj).to_string();
    let mut raw = read_record(coll, &text, plan);
    match (&mut raw.rejected, bad) {
        (_, Some(why)) => {
            // the record's key stays where it was read; the cell is the reason
            let key = raw.rejected.take().map(|r| r.key);
            raw.reject(why);
            if let (Some(r), Some(k)) = (&mut raw.rejected, key) {
                r.key = k;
            }
        }
        (Some(why), None) => why.reason = located(grid, r, cols, &coll.fields, &why.reason),
        (None, None) => {}
    }
    raw.label_keyless(&text);
    raw.place(super::record::Place::Row(grid.row_at(r)));
    raw
}

/// The period of a `period` grid: headers `from`, `to` and optionally `as_of`, one row.
fn read_period(grid: &Grid) -> Result<crate::plan::Period, DataError> {
    let mut rows = grid.rows.iter().filter(|r| !r.iter().all(Cell::is_empty));
    let (Some(head), Some(values)) = (rows.next(), rows.next()) else {
        return Err(grid.error("the period needs a header row (from, to, as_of) and one row of dates".into()));
    };
    let mut obj = Map::new();
    for (h, v) in head.iter().zip(values) {
        let h = header_text(h);
        if !matches!(h.as_str(), "from" | "to" | "as_of") || v.is_empty() {
            continue;
        }
        let d = date_of(v).ok_or_else(|| grid.error(format!("{h}: {} is not a date", v.text())))?;
        obj.insert(h, Json::String(d.to_string()));
    }
    parse_period(&Json::Object(obj).to_string()).map_err(|e| e.in_input(&grid.label))
}

/// Reads a dataset from grids: each matched to the collection whose sheet has its name
/// (the pack's `sheet.name`, or the collection's own), or to the period. A CSV file that
/// matches nothing is an error (it was named to be read); a workbook's other sheets (notes,
/// totals) are not read. Two grids for one collection are an error.
pub fn read_grids(plan: &Plan, grids: &[Grid]) -> Result<Dataset, DataError> {
    let mut raws: Vec<Vec<Raw>> = plan.collections.iter().map(|_| Vec::new()).collect();
    let mut seen: Vec<Option<&str>> = vec![None; plan.collections.len()];
    let mut period = None;
    let (mut passed_over, mut unmatched) = (Vec::new(), Vec::new());
    for grid in grids {
        let name = grid.name.trim();
        if name == PERIOD_SHEET {
            period = Some(read_period(grid)?);
            continue;
        }
        let found = plan
            .collections
            .iter()
            .position(|c| c.sheet.name.as_deref() == Some(name) || c.name == name);
        let Some(c) = found else {
            match plan.other_sheets.iter().any(|o| o.trim() == name) {
                true => passed_over.push(grid.label.clone()),
                false => unmatched.push(grid),
            }
            continue;
        };
        if let Some(before) = seen[c].replace(&grid.label) {
            return Err(grid.error(format!(
                "{} and {} both hold the records of {}",
                before, grid.label, plan.collections[c].name
            )));
        }
        raws[c] = read_grid(plan, &plan.collections[c], grid)?;
    }
    let present: Vec<bool> = seen.iter().map(Option::is_some).collect();
    let absent = super::missing::absent(plan, &present);
    if !absent.is_empty() || !unmatched.is_empty() {
        let csv = grids.first().is_some_and(|g| g.kind == GridKind::Csv);
        return Err(unmatched_grids(plan, &absent, &unmatched, csv));
    }
    let raws = raws
        .into_iter()
        .zip(&plan.collections)
        .map(|(read, c)| {
            let mut all = super::raws::Raws::new(c.fields.len());
            all.reserve(read.len());
            read.into_iter().for_each(|r| all.push(r));
            all
        })
        .collect();
    let mut ds = resolve(plan, Input { period, raws })?;
    ds.sheets_not_read = passed_over;
    Ok(ds)
}

/// The name a collection's sheet or CSV file is matched by.
fn sheet_name(c: &Collection) -> &str {
    c.sheet.name.as_deref().unwrap_or(&c.name)
}

/// The error of an input whose sheets (or CSV files) leave out collections that are not
/// optional, or hold one that is no collection's: each collection left out with its
/// sheet's name and the sheet that may be it (a close name, one that contains the other,
/// or the only one left over), then the sheets that are no collection's and the ones the
/// pack names (`csv`: the grids are CSV files).
fn unmatched_grids(plan: &Plan, absent: &[&Collection], unmatched: &[&Grid], csv: bool) -> DataError {
    let shown = |name: &str| match csv {
        true => format!("{name}.csv"),
        false => format!("'{name}'"),
    };
    let names: Vec<&str> = unmatched.iter().map(|g| g.name.trim()).collect();
    let mut parts = Vec::new();
    for c in absent {
        let want = sheet_name(c);
        let like = crate::suggest::closest(want, names.iter().copied())
            .or_else(|| {
                names
                    .iter()
                    .copied()
                    .find(|n| !n.is_empty() && (want.contains(n) || n.contains(want)))
            })
            .or(match (absent.len(), names.as_slice()) {
                (1, [only]) => Some(*only),
                _ => None,
            });
        let hint = like
            .map(|n| format!(" (is {} it?)", shown(n)))
            .unwrap_or_default();
        let kind = if csv { "file" } else { "sheet" };
        parts.push(format!("no {kind} {} for the records of {}{hint}", shown(want), c.name));
    }
    if !unmatched.is_empty() {
        let labels: Vec<&str> = unmatched.iter().map(|g| g.label.as_str()).collect();
        let what = match (csv, unmatched.len()) {
            (true, 1) => "the file {}, which holds",
            (true, _) => "the files {}, which hold",
            (false, 1) => "the sheet {}, which holds",
            (false, _) => "the sheets {}, which hold",
        };
        let what = what.replace("{}", &labels.join(", "));
        parts.push(format!("{what} no collection of this pack"));
    }
    let expected: Vec<String> = plan
        .collections
        .iter()
        .map(|c| match &c.sheet.name {
            Some(n) => format!("{} ({})", shown(n), c.name),
            None => shown(&c.name),
        })
        .collect();
    let other = match csv {
        true => String::new(),
        false => "; a sheet of notes or totals goes in the pack's \"other_sheets\"".into(),
    };
    DataError::Shape(format!(
        "has {}: the pack's {} are {} (and {}){other}",
        parts.join("; "),
        if csv { "files" } else { "sheets" },
        expected.join(", "),
        shown(PERIOD_SHEET)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_ways_exports_write_them() {
        let d = |s: &str| date_of(&Cell::Text(s.into())).map(|d| d.to_string());
        for s in ["2025-03-02", "2025/3/2", "2025.03.02", "2025年3月2日", "2025/3/2 14:30:00", "45718"] {
            assert_eq!(d(s).as_deref(), Some("2025-03-02"), "{s}");
        }
        assert_eq!(date_of(&Cell::Number("45718.75".into())).map(|d| d.to_string()).as_deref(), Some("2025-03-02"));
        assert_eq!(date_of(&Cell::Number("1".into())).map(|d| d.to_string()).as_deref(), Some("1900-01-01"));
        assert_eq!(date_of(&Cell::Number("61".into())).map(|d| d.to_string()).as_deref(), Some("1900-03-01"));
        for s in ["2025-13-01", "2025/2/30", "三月二日", "25/3/2", "", "60"] {
            assert_eq!(d(s), None, "{s}");
        }
    }

    #[test]
    fn numbers_written_as_text_stay_exact() {
        let n = |s: &str| number_of(s).map(|n| n.to_string());
        assert_eq!(n(" 72.4 ").as_deref(), Some("72.4"));
        assert_eq!(n("1,234.50").as_deref(), Some("1234.50"));
        assert_eq!(n("+3").as_deref(), Some("3"));
        assert_eq!(n("-0.1").as_deref(), Some("-0.1"));
        for s in ["", "abc", "1e5", ".5", "5.", "1.2.3", "--1", "NaN"] {
            assert_eq!(n(s), None, "{s}");
        }
    }

    #[test]
    fn columns_are_lettered_as_spreadsheets_do() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(4), "E");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}
