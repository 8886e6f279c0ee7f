//! The limits the engine checks, named in the errors that enforce them. Packs are checked
//! against them when they load; numbers when they are computed.

/// The most characters an expression may have.
pub const MAX_EXPR_CHARS: usize = crate::expr::parse::MAX_EXPR_CHARS;
/// The most levels of brackets, calls and closures an expression may nest.
pub const MAX_EXPR_DEPTH: usize = crate::expr::parse::MAX_DEPTH;
/// The most levels an expression's syntax tree may be tall (each operator of a chain is
/// one): what bounds the stack its evaluation needs.
pub const MAX_EXPR_HEIGHT: usize = crate::expr::parse::MAX_HEIGHT;
/// The most bits of an exact number's numerator or denominator.
pub const MAX_NUMBER_BITS: u64 = crate::num::MAX_BITS;

/// The most bytes of a file a pack is read from (`pack.json`, an imported pack, a script,
/// a calendar): 16 MiB. A pack's files are also read only when they are regular files
/// inside the folder they are named in (a link that leads out of it is refused).
pub const MAX_PACK_FILE_BYTES: u64 = 16 << 20;
/// The most bytes of a JSON document the command line reads whole: 4 GiB (larger data
/// is NDJSON, which streams).
pub const MAX_DOCUMENT_BYTES: u64 = 4 << 30;
/// The most bytes of one NDJSON line (one record): 16 MiB.
pub const MAX_NDJSON_LINE_BYTES: usize = 16 << 20;
/// The most bytes of CSV files read for one dataset, all together: 1 GiB (larger data is
/// NDJSON, which streams).
pub const MAX_CSV_BYTES: u64 = 1 << 30;
/// The most characters of one cell of a CSV file: 32 767, as in Excel.
pub const MAX_CELL_CHARS: usize = 32_767;
/// The most rows of one sheet or CSV file: 1 048 576, as in Excel.
pub const MAX_SHEET_ROWS: usize = 1 << 20;
/// The most columns of one sheet or CSV file: 16 384 (XFD), as in Excel.
pub const MAX_SHEET_COLUMNS: usize = 1 << 14;
/// The most cells the sheets of one dataset hold, all together, counting the empty ones
/// before the last of each row: 16 777 216 (half a gigabyte of cells; larger data is
/// NDJSON).
pub const MAX_SHEET_CELLS: usize = 1 << 24;
/// The most bytes of a workbook file: 256 MiB.
pub const MAX_WORKBOOK_BYTES: u64 = 256 << 20;
/// The most parts (files) in a workbook's zip: 10 000.
pub const MAX_WORKBOOK_PARTS: usize = 10_000;
/// The most bytes one part of a workbook inflates to: 256 MiB.
pub const MAX_WORKBOOK_PART_BYTES: u64 = 256 << 20;
/// The most bytes all the parts of a workbook inflate to: 1 GiB.
pub const MAX_WORKBOOK_INFLATED_BYTES: u64 = 1 << 30;
/// The most a part of a workbook that inflates past 16 MiB may grow over its compressed
/// size: 200 times (sheets compress 10 to 30 times; a zip bomb, thousands).
pub const MAX_WORKBOOK_RATIO: u64 = 200;
