//! CSV files and workbooks as grids of cells (feature `spreadsheets`).
//!
//! CSV text may be UTF-8 (with or without the byte-order mark Excel writes), UTF-16 with
//! its mark, or GBK/GB18030 (what Excel and Notepad save on a Chinese Windows): UTF-8 is
//! tried first, as text that is not UTF-8 almost never decodes as it by chance. Workbooks
//! are read by `calamine` (xlsx, xlsm, xls, ods); a number cell is its stored binary value
//! written as the shortest decimal that reads back as it, which is what Excel shows.

use super::sheets::{excel_serial, Cell, Grid, GridKind};
use super::DataError;
use calamine::{Data, Reader};

/// The text of a CSV file's bytes, in whichever of the encodings above it is.
pub fn decode(bytes: &[u8], label: &str) -> Result<String, DataError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(str::to_owned)
            .map_err(|e| DataError::not_utf8(rest, e, 1, 3).in_input(label));
    }
    if let Some((enc, _)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _, bad) = enc.decode(bytes);
        if bad {
            return Err(DataError::Shape(format!("is not {} text", enc.name())).in_input(label));
        }
        return Ok(text.into_owned());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    let (text, bad) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if bad {
        let e = std::str::from_utf8(bytes).err();
        let at = e.map(|e| e.valid_up_to()).unwrap_or(0);
        let (line, col) = crate::json_locate::after(&bytes[..at]);
        return Err(DataError::Shape(format!(
            "is neither UTF-8 nor GBK/GB18030 text (byte {at}, line {line}, column {col}, is not a character of either)"
        ))
        .in_input(label));
    }
    Ok(text.into_owned())
}

/// How many cells a CSV text holds, once it is shown to keep within the sheet limits
/// (a cell of at most [`MAX_CELL_CHARS`](crate::limits::MAX_CELL_CHARS) characters, rows
/// of at most [`MAX_SHEET_COLUMNS`](crate::limits::MAX_SHEET_COLUMNS) cells, at most
/// [`MAX_SHEET_ROWS`](crate::limits::MAX_SHEET_ROWS) rows): one pass over the text, as
/// the CSV reader splits it (a quote opens a quoted cell only at the cell's start, and
/// `""` inside one is a quote), before the reader holds any of it.
pub(crate) fn csv_cells(text: &str, delimiter: u8, label: &str) -> Result<usize, DataError> {
    use crate::limits::{MAX_CELL_CHARS, MAX_SHEET_COLUMNS, MAX_SHEET_ROWS};
    let (mut row, mut col, mut chars, mut cells) = (1usize, 1usize, 0usize, 0usize);
    let (mut quoted, mut at_start) = (false, true);
    let bytes = text.as_bytes();
    let mut i = 0;
    let too = |what: String| DataError::Shape(what).in_input(label);
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if quoted {
            if b == b'"' {
                if bytes.get(i) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                    continue;
                }
            }
        } else if b == b'"' && at_start {
            quoted = true;
            at_start = false;
            continue;
        } else if b == delimiter || b == b'\n' || b == b'\r' {
            // a row ends at \n, \r or \r\n, as the reader's does
            if b == b'\r' && bytes.get(i) == Some(&b'\n') {
                i += 1;
            }
            cells += 1;
            (chars, at_start) = (0, true);
            if b != delimiter {
                (row, col) = (row + 1, 1);
                if row > MAX_SHEET_ROWS {
                    return Err(too(format!("has more than {MAX_SHEET_ROWS} rows, the most a sheet or CSV file may have (limits::MAX_SHEET_ROWS); give larger data as NDJSON")));
                }
            } else {
                col += 1;
                if col > MAX_SHEET_COLUMNS {
                    return Err(too(format!("row {row} has more than {MAX_SHEET_COLUMNS} columns, the most a sheet or CSV file may have (limits::MAX_SHEET_COLUMNS)")));
                }
            }
            continue;
        }
        at_start = false;
        // a character begins at every byte that is not a UTF-8 continuation
        if b & 0xC0 != 0x80 {
            chars += 1;
            if chars > MAX_CELL_CHARS {
                return Err(too(format!("row {row} column {col} holds more than {MAX_CELL_CHARS} characters, the most a cell may (limits::MAX_CELL_CHARS)")));
            }
        }
    }
    Ok(cells + usize::from(!at_start || col > 1))
}

/// A CSV file as a grid: `path`'s file name labels it, its name without `.csv` is the
/// sheet name it is matched by. A `.tsv` file is split at tabs. `cells` counts the cells
/// read so far for the dataset, which may not pass
/// [`MAX_SHEET_CELLS`](crate::limits::MAX_SHEET_CELLS).
pub fn csv_grid(file_name: &str, bytes: &[u8], cells: &mut usize) -> Result<Grid, DataError> {
    let text = decode(bytes, file_name)?;
    let path = std::path::Path::new(file_name);
    let tabs = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
    *cells += csv_cells(&text, if tabs { b'\t' } else { b',' }, file_name)?;
    if *cells > crate::limits::MAX_SHEET_CELLS {
        return Err(too_many_cells().in_input(file_name));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(if tabs { b'\t' } else { b',' })
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| {
            DataError::Shape(format!("row {} is not CSV: {e}", i + 1)).in_input(file_name)
        })?;
        rows.push(
            rec.iter()
                // a cell neutralised against formulas when written has its `'` taken off
                .map(|c| match c.is_empty() {
                    true => Cell::Empty,
                    false => Cell::Text(crate::sheet_out::unneutral(c).to_string()),
                })
                .collect(),
        );
    }
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let label = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file_name.to_string());
    Ok(Grid {
        name,
        label,
        kind: GridKind::Csv,
        rows,
    })
}

/// The error of sheets with more cells than a dataset's may have.
pub(crate) fn too_many_cells() -> DataError {
    DataError::Shape(format!(
        "has more than {} cells in its sheets, the most a dataset's sheets or CSV files may hold (limits::MAX_SHEET_CELLS); give larger data as NDJSON, which is streamed",
        crate::limits::MAX_SHEET_CELLS
    ))
}

/// One workbook cell as a cell of a grid.
fn cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(i.to_string()),
        Data::Float(f) => Cell::Number(format!("{f}")),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => match excel_serial(&format!("{}", dt.as_f64())) {
            Some(day) if dt.is_datetime() => Cell::Date(day),
            _ => Cell::Text(format!("{}", dt.as_f64())),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Text(format!("{e}")),
    }
}

/// A workbook opened by the reader its name says (so that a damaged one says what is wrong
/// with it), or by whichever reads it when the name says nothing.
fn open(bytes: Vec<u8>, label: &str) -> Result<calamine::Sheets<Cursor>, calamine::Error> {
    use calamine::{open_workbook_from_rs as from, Sheets};
    let ext = std::path::Path::new(label)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let rs = std::io::Cursor::new(bytes);
    Ok(match ext.as_str() {
        "xlsx" | "xlsm" => Sheets::Xlsx(from(rs).map_err(calamine::Error::Xlsx)?),
        "xlsb" => Sheets::Xlsb(from(rs).map_err(calamine::Error::Xlsb)?),
        "xls" => Sheets::Xls(from(rs).map_err(calamine::Error::Xls)?),
        "ods" => Sheets::Ods(from(rs).map_err(calamine::Error::Ods)?),
        _ => calamine::open_workbook_auto_from_rs(rs)?,
    })
}

/// The bytes a workbook is read from.
type Cursor = std::io::Cursor<Vec<u8>>;

/// A sheet's grid as its cells come, within the limits: rows and columns as Excel has
/// them, and cells (the empty ones before the last of each row included) for the whole
/// dataset (`cells`). Cells may come in any order.
struct Builder<'c> {
    rows: Vec<Vec<Cell>>,
    cells: &'c mut usize,
    sheet: String,
}

impl Builder<'_> {
    /// Places a cell at `(row, col)` (0-based).
    fn put(&mut self, row: u32, col: u32, cell: Cell) -> Result<(), DataError> {
        use crate::limits::{MAX_SHEET_COLUMNS, MAX_SHEET_ROWS};
        let (r, c) = (row as usize, col as usize);
        if r >= MAX_SHEET_ROWS || c >= MAX_SHEET_COLUMNS {
            return Err(DataError::Shape(format!(
                "sheet {}: a cell at row {} column {} is past the {MAX_SHEET_ROWS} rows and {MAX_SHEET_COLUMNS} columns a sheet may have (limits::MAX_SHEET_ROWS, MAX_SHEET_COLUMNS)",
                self.sheet,
                r + 1,
                c + 1
            )));
        }
        if self.rows.len() <= r {
            self.rows.resize_with(r + 1, Vec::new);
        }
        let line = &mut self.rows[r];
        if line.len() <= c {
            *self.cells += c + 1 - line.len();
            if *self.cells > crate::limits::MAX_SHEET_CELLS {
                return Err(too_many_cells());
            }
            line.resize(c + 1, Cell::Empty);
        }
        line[c] = cell;
        Ok(())
    }

    fn grid(self, name: String) -> Grid {
        Grid {
            label: name.clone(),
            name,
            kind: GridKind::Sheet,
            rows: self.rows,
        }
    }
}

/// Every sheet of a workbook (xlsx, xlsm, xls, xlsb or ods) as a grid, in the workbook's
/// order; cells keep their place (a sheet whose used range starts at C3 has empty rows and
/// columns before it), so that messages name them as the spreadsheet does. The workbook
/// is measured first (`workbook_bounds`); xlsx, xlsm and xlsb sheets are read cell by
/// cell, never laid out whole.
pub fn workbook_grids(bytes: Vec<u8>, label: &str) -> Result<Vec<Grid>, DataError> {
    super::workbook_bounds::check(&bytes).map_err(|e| e.in_input(label))?;
    let mut book = open(bytes, label)
        .map_err(|e| DataError::Shape(format!("is not a workbook: {e}")).in_input(label))?;
    let sheet_error = |name: &str, e: &dyn std::fmt::Display| {
        DataError::Shape(format!("sheet {name}: {e}")).in_input(label)
    };
    let mut cells = 0;
    let mut grids = Vec::new();
    for name in book.sheet_names() {
        let mut b = Builder {
            rows: Vec::new(),
            cells: &mut cells,
            sheet: name.clone(),
        };
        // xlsx and xlsb sheets cell by cell (their readers differ in type, not in use)
        macro_rules! cell_by_cell {
            ($book:expr) => {
                (|| {
                    let mut r = $book.worksheet_cells_reader(&name).map_err(|e| sheet_error(&name, &e))?;
                    while let Some(c) = r.next_cell().map_err(|e| sheet_error(&name, &e))? {
                        let (row, col) = c.get_position();
                        b.put(row, col, cell(&Data::from(c.get_value().clone())))?;
                    }
                    Ok(())
                })()
            };
        }
        let placed: Result<(), DataError> = match &mut book {
            calamine::Sheets::Xlsx(x) => cell_by_cell!(x),
            calamine::Sheets::Xlsb(x) => cell_by_cell!(x),
            // laid out whole by calamine, once measured
            other => match other.worksheet_range(&name) {
                Ok(range) => {
                    let (top, left) = range.start().unwrap_or((0, 0));
                    range
                        .used_cells()
                        .try_for_each(|(r, c, d)| b.put(top + r as u32, left + c as u32, cell(d)))
                }
                Err(e) => Err(sheet_error(&name, &e)),
            },
        };
        placed.map_err(|e| match e {
            DataError::In { .. } => e,
            other => other.in_input(label),
        })?;
        grids.push(b.grid(name));
    }
    Ok(grids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The count of cells the bounds check makes is never below what the CSV reader
        /// then reads (so the limit on cells holds for what is read).
        #[test]
        fn the_bounds_check_splits_as_the_reader_does(text in "[ab,\"\n\r长]{0,60}") {
            let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
            let mut theirs = 0;
            for rec in r.records() {
                let Ok(rec) = rec else { return Ok(()) };
                theirs += rec.len();
            }
            let ours = csv_cells(&text, b',', "t.csv").unwrap();
            prop_assert!(ours >= theirs, "{ours} < {theirs}");
        }
    }

    #[test]
    fn csv_past_the_sheet_limits_is_refused_before_it_is_read() {
        let long = format!("id,name\nU1,\"{}\"\n", "长".repeat(crate::limits::MAX_CELL_CHARS + 1));
        let e = csv_cells(&long, b',', "u.csv").unwrap_err().to_string();
        assert!(e.contains("u.csv: row 2 column 2 holds more than 32767 characters"), "{e}");
        let ok = format!("id,name\nU1,\"{}\"\n", "长".repeat(crate::limits::MAX_CELL_CHARS));
        assert_eq!(csv_cells(&ok, b',', "u.csv").unwrap(), 4);
        let wide = format!("{}\n", ",".repeat(crate::limits::MAX_SHEET_COLUMNS));
        let e = csv_cells(&wide, b',', "w.csv").unwrap_err().to_string();
        assert!(e.contains("row 1 has more than 16384 columns"), "{e}");
        // a quote inside an unquoted cell is the cell's own, as the reader reads it
        assert_eq!(csv_cells("a\"b,c\nd,e\n", b',', "q.csv").unwrap(), 4);
    }

    #[test]
    fn csv_text_in_each_encoding() {
        let text = "编号,名称\nU1,叶记宾馆\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(text.as_bytes());
        for bytes in [text.as_bytes().to_vec(), bom, gbk.into_owned()] {
            assert_eq!(decode(&bytes, "x.csv").unwrap(), text);
        }
        let bad = decode(b"a,b\n\xff\xff\xff\n", "x.csv").unwrap_err().to_string();
        assert!(bad.contains("x.csv is neither UTF-8 nor GBK/GB18030"), "{bad}");
        let g = csv_grid("dir/units.csv", "id,n\n\"a,b\",\n".as_bytes(), &mut 0).unwrap();
        assert_eq!((g.name.as_str(), g.label.as_str()), ("units", "units.csv"));
        assert_eq!(g.rows[1], vec![Cell::Text("a,b".into()), Cell::Empty]);
    }
}
