//! A workbook measured before it is read (feature `spreadsheets`): what calamine would
//! inflate and lay out, bounded by the limits of [`crate::limits`], so that a hostile
//! file is refused with its reason instead of exhausting memory (a 2 KB workbook whose one
//! cell is at XFD1048576 makes calamine lay out 17 billion cells; a 6 MB zip inflates to
//! 2 GB).
//!
//! - Every workbook that is a zip (xlsx, xlsm, xlsb, ods): its parts are counted, and
//!   each is inflated once into nothing, counting its bytes, to the part and total limits
//!   and a ratio over its compressed size (what a part's header says of its size is not
//!   trusted). XML entities are not expanded by the XML reader calamine uses, so the
//!   bytes inflated are the bytes parsed.
//! - xlsx, xlsm and xlsb sheets are then read cell by cell (`sheet_files`), never laid
//!   out whole, so their size is bounded as they are read.
//! - ods and xls are laid out whole by calamine as the workbook opens: the cells it will
//!   lay out are counted first, an ods's repeated rows and cells multiplied out from its
//!   `content.xml`, an xls's from the places of the cells of each sheet of its BIFF
//!   stream.

use super::DataError;
use crate::limits::{
    MAX_SHEET_CELLS, MAX_SHEET_COLUMNS, MAX_SHEET_ROWS, MAX_WORKBOOK_BYTES,
    MAX_WORKBOOK_INFLATED_BYTES, MAX_WORKBOOK_PARTS, MAX_WORKBOOK_PART_BYTES, MAX_WORKBOOK_RATIO,
};
use std::io::{Cursor, Read};

/// Past this many bytes inflated, a part's ratio over its compressed size is checked.
const RATIO_FROM: u64 = 16 << 20;

fn refuse(what: String) -> DataError {
    DataError::Shape(what)
}

/// Checks a workbook's bytes against the limits; `Ok` when calamine may read it.
pub(super) fn check(bytes: &[u8]) -> Result<(), DataError> {
    if bytes.len() as u64 > MAX_WORKBOOK_BYTES {
        return Err(refuse(format!(
            "has {} bytes, more than {MAX_WORKBOOK_BYTES}, the most of a workbook (limits::MAX_WORKBOOK_BYTES)",
            bytes.len()
        )));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return zip_parts(bytes);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return xls_cells(bytes);
    }
    Ok(())
}

/// The parts of a zip, each inflated into nothing and counted; an ods's content counted
/// as calamine lays it out.
fn zip_parts(bytes: &[u8]) -> Result<(), DataError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| refuse(format!("is not a workbook: {e}")))?;
    if zip.len() > MAX_WORKBOOK_PARTS {
        return Err(refuse(format!(
            "has {} parts, more than the {MAX_WORKBOOK_PARTS} a workbook may have (limits::MAX_WORKBOOK_PARTS)",
            zip.len()
        )));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut part = zip
            .by_index(i)
            .map_err(|e| refuse(format!("is not a workbook: {e}")))?;
        let name = part.name().map(|n| n.to_string()).unwrap_or_default();
        let packed = part.compressed_size();
        let ods_content = name == "content.xml";
        let mut counter = OdsCells::default();
        let inflated = if ods_content {
            // read as XML while it inflates (the same bytes, counted)
            let mut counted = Counted::new(&mut part, packed);
            let r = counter.count(&mut counted);
            // the rest of the part (after the XML's end), counted as well
            let r = r.and_then(|()| {
                std::io::copy(&mut counted, &mut std::io::sink()).map(|_| ()).map_err(LimitOr::Io)
            });
            let n = counted.n;
            r.map_err(|e| with_limit((&name, packed), n, e))?;
            n
        } else {
            let mut counted = Counted::new(&mut part, packed);
            std::io::copy(&mut counted, &mut std::io::sink())
                .map_err(|e| with_limit((&name, packed), counted.n, LimitOr::Io(e)))?;
            counted.n
        };
        total += inflated;
        if inflated > RATIO_FROM && inflated > packed.saturating_mul(MAX_WORKBOOK_RATIO) {
            return Err(refuse(format!(
                "is a zip bomb: its part {name} inflates from {packed} to {inflated} bytes and more, over {MAX_WORKBOOK_RATIO} times (limits::MAX_WORKBOOK_RATIO)"
            )));
        }
        if total > MAX_WORKBOOK_INFLATED_BYTES {
            return Err(refuse(format!(
                "inflates to more than {MAX_WORKBOOK_INFLATED_BYTES} bytes, the most of a workbook's parts together (limits::MAX_WORKBOOK_INFLATED_BYTES)"
            )));
        }
    }
    Ok(())
}

/// Why a part could not be measured: a limit it passed, or a read that failed.
enum LimitOr {
    Limit(String),
    Io(std::io::Error),
}

/// The error of part `(name, compressed size)` that stopped after `n` bytes.
fn with_limit((part, packed): (&str, u64), n: u64, e: LimitOr) -> DataError {
    match e {
        LimitOr::Limit(why) => refuse(format!("its part {part} {why}")),
        LimitOr::Io(_) if n > MAX_WORKBOOK_PART_BYTES => refuse(format!(
            "is a zip bomb: its part {part} inflates past {MAX_WORKBOOK_PART_BYTES} bytes, the most of one part (limits::MAX_WORKBOOK_PART_BYTES)"
        )),
        LimitOr::Io(_) if n > RATIO_FROM && n > packed.saturating_mul(MAX_WORKBOOK_RATIO) => refuse(format!(
            "is a zip bomb: its part {part} inflates from {packed} to {n} bytes and more, over {MAX_WORKBOOK_RATIO} times (limits::MAX_WORKBOOK_RATIO)"
        )),
        LimitOr::Io(e) => refuse(format!("is not a workbook: its part {part} cannot be read: {e}")),
    }
}

/// A reader that counts what it gives, and fails past the part limit or, past
/// [`RATIO_FROM`] bytes, past the ratio over `packed` (its compressed size): a bomb is
/// stopped as soon as it shows, not once inflated.
struct Counted<R> {
    inner: R,
    n: u64,
    packed: u64,
}

impl<R> Counted<R> {
    fn new(inner: R, packed: u64) -> Counted<R> {
        Counted { inner, n: 0, packed }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        if self.n > MAX_WORKBOOK_PART_BYTES {
            return Err(std::io::Error::other("past the part limit"));
        }
        if self.n > RATIO_FROM && self.n > self.packed.saturating_mul(MAX_WORKBOOK_RATIO) {
            return Err(std::io::Error::other("past the ratio"));
        }
        Ok(k)
    }
}

/// The cells calamine lays out for an ods: in each row, the cells up to its last one
/// with a value (a run of repeated cells counted as its repeats), times the row's
/// repeats; rows without a value are not laid out.
#[derive(Default)]
struct OdsCells {
    total: u64,
}

impl OdsCells {
    fn count<R: Read>(&mut self, xml: R) -> Result<(), LimitOr> {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(xml));
        let mut buf = Vec::new();
        // the row being read: its repeats, cells so far, cells up to its last value
        let (mut row_repeats, mut cells, mut valued) = (1u64, 0u64, 0u64);
        let (mut in_cell, mut cell_repeats, mut cell_valued) = (false, 1u64, false);
        let number = |e: &quick_xml::events::BytesStart, attr: &str| -> u64 {
            e.attributes()
                .flatten()
                .find(|a| a.key.as_ref() == attr)
                .and_then(|a| a.value.trim().parse().ok())
                .unwrap_or(1)
        };
        loop {
            let event = reader.read_event_into(&mut buf).map_err(|e| {
                LimitOr::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))
            })?;
            match event {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(event, Event::Empty(_));
                    match e.name().as_ref() {
                        "table:table-row" => {
                            row_repeats = number(e, "table:number-rows-repeated").min(MAX_SHEET_ROWS as u64);
                            (cells, valued) = (0, 0);
                        }
                        "table:table-cell" | "table:covered-table-cell" => {
                            cell_repeats = number(e, "table:number-columns-repeated").min(MAX_SHEET_COLUMNS as u64);
                            cell_valued = e.attributes().flatten().any(|a| a.key.as_ref() == "office:value-type");
                            in_cell = !empty;
                            if empty {
                                self.cell_done(&mut cells, &mut valued, cell_repeats, cell_valued);
                            }
                        }
                        "text:p" if in_cell => cell_valued = true,
                        _ => {}
                    }
                }
                Event::End(ref e) => match e.name().as_ref() {
                    "table:table-cell" | "table:covered-table-cell" => {
                        in_cell = false;
                        self.cell_done(&mut cells, &mut valued, cell_repeats, cell_valued);
                    }
                    "table:table-row" => {
                        self.total += valued.saturating_mul(row_repeats);
                        if self.total > MAX_SHEET_CELLS as u64 {
                            return Err(LimitOr::Limit(format!(
                                "lays out more than {MAX_SHEET_CELLS} cells, the most a dataset's sheets may hold (limits::MAX_SHEET_CELLS)"
                            )));
                        }
                    }
                    _ => {}
                },
                Event::Eof => return Ok(()),
                _ => {}
            }
            buf.clear();
        }
    }

    fn cell_done(&self, cells: &mut u64, valued: &mut u64, repeats: u64, has_value: bool) {
        *cells = cells.saturating_add(repeats).min(MAX_SHEET_COLUMNS as u64);
        if has_value {
            *valued = *cells;
        }
    }
}

/// The cells calamine lays out for an xls: each sheet's (each BIFF substream's) cells
/// span a rectangle from the first row and column that hold one to the last; the
/// rectangles' cells together are counted.
fn xls_cells(bytes: &[u8]) -> Result<(), DataError> {
    let mut book = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| refuse(format!("is not a workbook: {e}")))?;
    let stream = ["/Workbook", "/Book"]
        .into_iter()
        .find(|s| book.is_stream(s))
        .ok_or_else(|| refuse("is not a workbook: no Workbook stream".into()))?;
    let mut data = Vec::new();
    book.open_stream(stream)
        .and_then(|s| s.take(MAX_WORKBOOK_BYTES + 1).read_to_end(&mut data))
        .map_err(|e| refuse(format!("is not a workbook: {e}")))?;
    let mut total: u64 = 0;
    // the current substream's rectangle: (first row, last row, first col, last col)
    let mut span: Option<(u32, u32, u32, u32)> = None;
    let mut close = |span: &mut Option<(u32, u32, u32, u32)>| -> Result<(), DataError> {
        if let Some((r0, r1, c0, c1)) = span.take() {
            total += u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1);
            if total > MAX_SHEET_CELLS as u64 {
                return Err(refuse(format!(
                    "lays out more than {MAX_SHEET_CELLS} cells in its sheets, the most a dataset's sheets may hold (limits::MAX_SHEET_CELLS)"
                )));
            }
        }
        Ok(())
    };
    let mut at = 0;
    while at + 4 <= data.len() {
        let typ = u16::from_le_bytes([data[at], data[at + 1]]);
        let len = u16::from_le_bytes([data[at + 2], data[at + 3]]) as usize;
        let body = &data[at + 4..(at + 4 + len).min(data.len())];
        at += 4 + len;
        let u16_at = |k: usize| body.get(k..k + 2).map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])));
        let place = match typ {
            // BOF: a new substream (a sheet)
            0x0809 => {
                close(&mut span)?;
                continue;
            }
            // NUMBER, LABEL, BOOLERR, RK, LABELSST, FORMULA, BLANK, RSTRING: row, column
            0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00FD | 0x0006 | 0x0201 | 0x00D6 => {
                u16_at(0).zip(u16_at(2)).map(|(r, c)| (r, c, c))
            }
            // MULRK, MULBLANK: row, first column, …, last column (the last two bytes)
            0x00BD | 0x00BE if len >= 6 => {
                let last = u16_at(len - 2);
                u16_at(0).zip(u16_at(2)).zip(last).map(|((r, c0), c1)| (r, c0, c1.max(c0)))
            }
            _ => None,
        };
        if let Some((r, c0, c1)) = place {
            span = Some(match span {
                None => (r, r, c0, c1),
                Some((r0, r1, a, b)) => (r0.min(r), r1.max(r), a.min(c0), b.max(c1)),
            });
        }
    }
    close(&mut span)
}
