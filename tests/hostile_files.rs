//! Hostile input files are refused with a clear error, in bounded memory, never an abort:
//! each file is built here, small (or as large as the case needs), and the command line
//! reads it with its address space limited (`ulimit -v`), so that an allocation sized by
//! the file's word (a sheet's dimension, a zip part's size) would kill it instead of
//! being refused.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scorecard-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The address space the command line is given: enough for its threads' reserved stacks
/// and the largest case's file, far too little for what a hostile file asks.
const ADDRESS_SPACE_KB: u64 = 1_500_000;

/// Runs the command line with `args` under the memory limit: (exit code, what it wrote on
/// standard error, then on standard output).
fn run_limited(args: &[&str]) -> (i32, String) {
    let exe = env!("CARGO_BIN_EXE_scorecard");
    let quoted: Vec<String> = args
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_SPACE_KB}; exec '{exe}' {}",
            quoted.join(" ")
        ))
        .current_dir(root())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// Scores `input` with the place-grading pack (one collection, `places`).
fn score(input: &Path) -> (i32, String) {
    run_limited(&[
        "score",
        "--pack",
        "rules/place-grading",
        "--input",
        input.to_str().unwrap(),
        "--threads",
        "2",
    ])
}

fn refused(input: &Path, wanted: &str) {
    let (code, err) = score(input);
    assert!(
        code == 2 && err.contains(wanted),
        "{}: exit {code}: {err}",
        input.display()
    );
}

const CT: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WB: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="places" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WB_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;
/// The header row of a places sheet, and one place.
const PLACES: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>key_failed</t></is></c><c r="C1" t="inlineStr"><is><t>outbreak</t></is></c><c r="D1" t="inlineStr"><is><t>score</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>P1</t></is></c><c r="B2" t="b"><v>0</v></c><c r="C2" t="b"><v>0</v></c><c r="D2"><v>91</v></c></row>"#;

/// An xlsx of one sheet, `places`, whose XML `sheet` writes, and `extra` parts,
/// compressed at `level` (1 fast, 9 small).
fn xlsx_at(
    level: i64,
    path: &Path,
    sheet: &mut dyn FnMut(&mut dyn Write),
    extra: &[(&str, &[u8])],
) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(level));
    for (name, text) in [
        ("[Content_Types].xml", CT),
        ("_rels/.rels", RELS),
        ("xl/workbook.xml", WB),
        ("xl/_rels/workbook.xml.rels", WB_RELS),
    ] {
        z.start_file(name, opts).unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    sheet(&mut z);
    for (name, bytes) in extra {
        z.start_file(*name, opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

fn xlsx(path: &Path, sheet: &mut dyn FnMut(&mut dyn Write), extra: &[(&str, &[u8])]) {
    xlsx_at(9, path, sheet, extra)
}

fn sheet_of(body: &str) -> impl FnMut(&mut dyn Write) + '_ {
    move |w: &mut dyn Write| {
        w.write_all(format!("{SHEET_HEAD}{body}</worksheet>").as_bytes())
            .unwrap();
    }
}

#[test]
fn a_workbook_whose_cell_or_dimension_is_far_away_is_read_in_bounded_memory() {
    let dir = tmp("far");
    // the 1.8 KB file that made the reader ask for 512 GB: one cell at XFD1048576 and a
    // dimension to match; read cell by cell, it is one place and an empty far corner
    let far = dir.join("far.xlsx");
    let body = format!(
        r#"<dimension ref="A1:XFD1048576"/><sheetData>{PLACES}<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>"#
    );
    xlsx(&far, &mut sheet_of(&body), &[]);
    assert!(std::fs::metadata(&far).unwrap().len() < 4096);
    let (code, err) = score(&far);
    // the far row holds no id: a record rejected, with its cell
    assert!(
        code == 3 && err.contains("places!A1048576: field 'id' is required but missing"),
        "{code}: {err}"
    );
    let zz = dir.join("zz.xlsx");
    let body = format!(
        r#"<dimension ref="A1:ZZ100000"/><sheetData>{PLACES}<row r="100000"><c r="ZZ100000"><v>1</v></c></row></sheetData>"#
    );
    xlsx(&zz, &mut sheet_of(&body), &[]);
    let (code, err) = score(&zz);
    assert!(code == 3 && err.contains("places!A100000"), "{code}: {err}");
    // a row past Excel's last is refused
    let rows = dir.join("rows.xlsx");
    let body = format!(
        r#"<sheetData>{PLACES}<row r="4000000000"><c r="A4000000000"><v>1</v></c></row></sheetData>"#
    );
    xlsx(&rows, &mut sheet_of(&body), &[]);
    refused(&rows, "sheet places: a cell at row 4000000000 column 1 is past the 1048576 rows and 16384 columns a sheet may have");
    // every row's cell far out: the cells laid out pass the dataset's limit
    let wide = dir.join("wide.xlsx");
    let mut body = format!("<sheetData>{PLACES}");
    for r in 3..2100 {
        body += &format!(r#"<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>"#);
    }
    body += "</sheetData>";
    xlsx(&wide, &mut sheet_of(&body), &[]);
    refused(&wide, "has more than 16777216 cells in its sheets, the most a dataset's sheets or CSV files may hold (limits::MAX_SHEET_CELLS)");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn zip_bombs_entities_and_too_many_parts_are_refused() {
    let dir = tmp("bombs");
    // by ratio: 100 MB of one row over and over, inflated from a few hundred KB
    let bomb = dir.join("bomb.xlsx");
    xlsx(
        &bomb,
        &mut |w: &mut dyn Write| {
            w.write_all(format!("{SHEET_HEAD}<sheetData>{PLACES}").as_bytes())
                .unwrap();
            let row = r#"<row><c t="inlineStr"><is><t>x</t></is></c></row>"#.repeat(1000);
            for _ in 0..2000 {
                w.write_all(row.as_bytes()).unwrap();
            }
            w.write_all(b"</sheetData></worksheet>").unwrap();
        },
        &[],
    );
    refused(
        &bomb,
        "is a zip bomb: its part xl/worksheets/sheet1.xml inflates from",
    );
    // shared strings, the part calamine reads whole as it opens the workbook
    let strings = dir.join("strings.xlsx");
    let mut sst = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    );
    sst += &"<si><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></si>"
        .repeat(400_000);
    sst += "</sst>";
    let body = format!("<sheetData>{PLACES}</sheetData>");
    xlsx(
        &strings,
        &mut sheet_of(&body),
        &[("xl/sharedStrings.xml", sst.as_bytes())],
    );
    refused(
        &strings,
        "is a zip bomb: its part xl/sharedStrings.xml inflates from",
    );
    // by absolute size: a part that compresses as sheets do (well under the ratio) but
    // inflates past the most one part may
    let big = dir.join("big.xlsx");
    xlsx_at(
        1,
        &big,
        &mut |w: &mut dyn Write| {
            w.write_all(format!("{SHEET_HEAD}<sheetData>{PLACES}").as_bytes())
                .unwrap();
            let mut x: u64 = 0x9E3779B97F4A7C15;
            let mut chunk = String::with_capacity(1 << 20);
            let mut written = 0u64;
            while written < (270 << 20) {
                chunk.clear();
                while chunk.len() < (1 << 20) {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    chunk += &format!(
                        r#"<row><c t="inlineStr"><is><t>P{}</t></is></c><c><v>{}</v></c></row>"#,
                        x % 1_000_000,
                        x % 100
                    );
                }
                w.write_all(chunk.as_bytes()).unwrap();
                written += chunk.len() as u64;
            }
            w.write_all(b"</sheetData></worksheet>").unwrap();
        },
        &[],
    );
    refused(&big, "is a zip bomb: its part xl/worksheets/sheet1.xml inflates past 268435456 bytes, the most of one part (limits::MAX_WORKBOOK_PART_BYTES)");
    let _ = std::fs::remove_file(&big);
    // XML entities (a "billion laughs"): never expanded
    let laughs = dir.join("laughs.xlsx");
    let doctype = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>"#;
    xlsx(
        &laughs,
        &mut |w: &mut dyn Write| {
            let body = format!(
                r#"{doctype}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"#
            );
            w.write_all(body.as_bytes()).unwrap();
        },
        &[],
    );
    refused(&laughs, "laughs.xlsx: sheet places: ");
    // ten thousand and one parts
    let parts = dir.join("parts.xlsx");
    let many: Vec<(String, Vec<u8>)> = (0..10_001)
        .map(|i| (format!("x/{i}.xml"), Vec::new()))
        .collect();
    let extra: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let body = format!("<sheetData>{PLACES}</sheetData>");
    xlsx(&parts, &mut sheet_of(&body), &extra);
    refused(
        &parts,
        "has 10006 parts, more than the 10000 a workbook may have (limits::MAX_WORKBOOK_PARTS)",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ods_and_xls_that_would_lay_out_too_many_cells_are_refused_before_they_open() {
    let dir = tmp("legacy");
    // an ods row of 16 384 valued cells, repeated a million times
    let ods = dir.join("repeat.ods");
    let content = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="places"><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&ods).unwrap());
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        z.start_file("mimetype", stored).unwrap();
        z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        z.start_file("content.xml", stored).unwrap();
        z.write_all(content.as_bytes()).unwrap();
        z.finish().unwrap();
    }
    refused(&ods, "its part content.xml lays out more than 16777216 cells, the most a dataset's sheets may hold (limits::MAX_SHEET_CELLS)");
    // an xls whose two cells span 65 536 rows by 301 columns
    let xls = dir.join("corners.xls");
    {
        let mut book = cfb::create(&xls).unwrap();
        let mut s = book.create_stream("/Workbook").unwrap();
        let record = |typ: u16, body: &[u8]| -> Vec<u8> {
            let mut r = typ.to_le_bytes().to_vec();
            r.extend((body.len() as u16).to_le_bytes());
            r.extend(body);
            r
        };
        let number = |row: u16, col: u16| {
            let mut b = row.to_le_bytes().to_vec();
            b.extend(col.to_le_bytes());
            b.extend([0u8; 10]);
            record(0x0203, &b)
        };
        s.write_all(&record(0x0809, &[0; 16])).unwrap();
        s.write_all(&number(0, 0)).unwrap();
        s.write_all(&number(65535, 300)).unwrap();
        s.write_all(&record(0x000A, &[])).unwrap();
        drop(s);
        book.flush().unwrap();
    }
    refused(&xls, "lays out more than 16777216 cells in its sheets");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn csv_files_past_the_sheet_limits_are_refused() {
    let dir = tmp("csv");
    let places = |name: &str, text: &str| {
        let d = dir.join(name);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("places.csv"), text).unwrap();
        d
    };
    // a 200 MB field
    let mut text = String::from("id,key_failed,outbreak,score\nP1,false,false,\"");
    text.push_str(&"9".repeat(200 << 20));
    text.push_str("\"\n");
    refused(&places("field", &text), "places.csv: row 2 column 4 holds more than 32767 characters, the most a cell may (limits::MAX_CELL_CHARS)");
    drop(text);
    // a million columns
    let text = format!("id,key_failed,outbreak,score{}\n", ",x".repeat(1_000_000));
    refused(
        &places("columns", &text),
        "places.csv: row 1 has more than 16384 columns",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_ndjson_line_past_its_limit_is_refused_before_it_is_read_whole() {
    let dir = tmp("ndjson");
    let path = dir.join("long.ndjson");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    f.write_all(b"{\"places\": {\"id\": \"").unwrap();
    let block = vec![b'x'; 1 << 20];
    for _ in 0..1024 {
        f.write_all(&block).unwrap();
    }
    f.write_all(b"\"}}\n").unwrap();
    drop(f);
    // a gigabyte line, in an address space of one and a half
    refused(&path, "long.ndjson: line 1 is longer than 16777216 bytes, the most a line (one record) may have (limits::MAX_NDJSON_LINE_BYTES)");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pack_files_are_read_only_inside_the_pack_and_within_their_limit() {
    let dir = tmp("pack");
    std::fs::create_dir_all(dir.join("scripts")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", dir.join("scripts/s.rhai")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("cal.json")).unwrap();
    std::fs::write(
        dir.join("pack.json"),
        r#"{ "name": "evil", "version": "1",
             "scripts": { "files": ["scripts/s.rhai"], "functions": { "f": { "params": ["number"], "returns": "number" } } },
             "calendars": ["cal.json"],
             "collections": { "units": { "fields": { "id": "string" } } } }"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_scorecard"))
        .args(["check", dir.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        text.contains("scripts.files[0]: cannot read") && text.contains("it leads out of"),
        "{text}"
    );
    assert!(
        text.contains("calendars[0]: cannot read calendar") && text.contains("(to /dev/zero)"),
        "{text}"
    );
    // nothing of the linked file is shown
    assert!(!text.contains("root:"), "{text}");
    // a device inside the folder (a FIFO) is no regular file; a huge pack.json is refused
    let fifo = dir.join("fifo.json");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    std::fs::write(
        dir.join("pack.json"),
        r#"{ "name": "evil", "version": "1", "calendars": ["fifo.json"], "collections": { "units": { "fields": { "id": "string" } } } }"#,
    )
    .unwrap();
    let (code, text) = run_limited(&["check", dir.to_str().unwrap()]);
    assert!(
        code != 0 && text.contains("it is not a regular file"),
        "{code}: {text}"
    );
    let mut big = String::from(r#"{ "name": "big", "version": "1", "description": ""#);
    big.push_str(&"x".repeat(17 << 20));
    big.push_str(r#"", "collections": { "units": { "fields": { "id": "string" } } } }"#);
    std::fs::write(dir.join("pack.json"), big).unwrap();
    let (code, err) = run_limited(&["check", dir.to_str().unwrap()]);
    assert!(
        code != 0
            && err
                .contains("past the 16777216 a pack's file may have (limits::MAX_PACK_FILE_BYTES)"),
        "{code}: {err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
