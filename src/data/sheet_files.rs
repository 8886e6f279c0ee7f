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

/// A CSV file as a grid: `path`'s file name labels it, its name without `.csv` is the
/// sheet name it is matched by. A `.tsv` file is split at tabs.
pub fn csv_grid(file_name: &str, bytes: &[u8]) -> Result<Grid, DataError> {
    let text = decode(bytes, file_name)?;
    let path = std::path::Path::new(file_name);
    let tabs = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
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

/// Every sheet of a workbook (xlsx, xlsm, xls, xlsb or ods) as a grid, in the workbook's
/// order; cells keep their place (a sheet whose used range starts at C3 has empty rows and
/// columns before it), so that messages name them as the spreadsheet does.
pub fn workbook_grids(bytes: Vec<u8>, label: &str) -> Result<Vec<Grid>, DataError> {
    let mut book = open(bytes, label)
        .map_err(|e| DataError::Shape(format!("is not a workbook: {e}")).in_input(label))?;
    let mut grids = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| DataError::Shape(format!("sheet {name}: {e}")).in_input(label))?;
        let (top, left) = range.start().map_or((0, 0), |(r, c)| (r as usize, c as usize));
        let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); top];
        for r in range.rows() {
            let mut row = vec![Cell::Empty; left];
            row.extend(r.iter().map(cell));
            rows.push(row);
        }
        grids.push(Grid {
            label: name.clone(),
            name,
            kind: GridKind::Sheet,
            rows,
        });
    }
    Ok(grids)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let g = csv_grid("dir/units.csv", "id,n\n\"a,b\",\n".as_bytes()).unwrap();
        assert_eq!((g.name.as_str(), g.label.as_str()), ("units", "units.csv"));
        assert_eq!(g.rows[1], vec![Cell::Text("a,b".into()), Cell::Empty]);
    }
}
