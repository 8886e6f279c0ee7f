//! Datasets from CSV files and workbooks: the same records give the same outcome bytes as
//! JSON and NDJSON; bad cells are rejected with their place; whole-sheet problems are
//! errors that say what is missing. And the outcome as a workbook and CSV files.

use scorecard::sheet_out::{self, Out, Table};
use scorecard::{synth, Plan};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn coverage() -> Plan {
    Plan::load(root().join("rules/supervision-coverage")).unwrap()
}

/// A JSON dataset as NDJSON lines.
fn ndjson(json: &str) -> String {
    let doc: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut out = String::new();
    for (k, v) in doc.as_object().unwrap() {
        match v {
            serde_json::Value::Array(records) => {
                for r in records {
                    out.push_str(&serde_json::json!({ k: r }).to_string());
                    out.push('\n');
                }
            }
            other => {
                out.push_str(&serde_json::json!({ k: other }).to_string());
                out.push('\n');
            }
        }
    }
    out
}

/// The outcome of every way of giving `json`: as it is, as NDJSON, as a workbook, as CSV
/// files in UTF-8 and in GBK; each must be the same bytes.
fn same_everywhere(plan: &Plan, json: &str) -> String {
    let want = plan.score(&plan.read(json).unwrap()).unwrap().to_json();
    let tables = plan.dataset_sheets(json).unwrap();
    let nd = plan.read_ndjson(ndjson(json).as_bytes()).unwrap();
    let book = plan
        .read_workbook(sheet_out::workbook(&tables).unwrap(), "data.xlsx")
        .unwrap();
    let csv = |gbk| -> Vec<(String, Vec<u8>)> {
        tables
            .iter()
            .map(|t| (format!("{}.csv", t.name), sheet_out::csv(t, gbk).unwrap()))
            .collect()
    };
    let utf8 = plan.read_csv_files(&csv(false)).unwrap();
    let gbk = plan.read_csv_files(&csv(true)).unwrap();
    for (how, ds) in [
        ("ndjson", nd),
        ("xlsx", book),
        ("csv utf-8", utf8),
        ("csv gbk", gbk),
    ] {
        let got = plan.score(&ds).unwrap().to_json();
        assert!(got == want, "{how} gives another outcome");
    }
    want
}

#[test]
fn the_sample_county_scores_the_same_from_json_ndjson_csv_and_xlsx() {
    let plan = coverage();
    let json = std::fs::read_to_string(root().join("rules/supervision-coverage/data/sample.json"))
        .unwrap();
    let want = same_everywhere(&plan, &json);
    // the shipped workbook and GBK files are the sample's, as `scorecard convert` writes them
    let data = root().join("rules/supervision-coverage/data");
    let book = std::fs::read(data.join("sample.xlsx")).unwrap();
    assert!(
        book == sheet_out::workbook(&plan.dataset_sheets(&json).unwrap()).unwrap(),
        "sample.xlsx is stale: cargo run --release -- convert -o rules/supervision-coverage/data/sample.xlsx"
    );
    let got = plan
        .score(&plan.read_workbook(book, "sample.xlsx").unwrap())
        .unwrap()
        .to_json();
    assert!(got == want);
    let mut files = Vec::new();
    for f in std::fs::read_dir(data.join("sample-gbk")).unwrap() {
        let f = f.unwrap().path();
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            std::str::from_utf8(&bytes).is_err() || bytes.is_ascii(),
            "{} is GBK",
            f.display()
        );
        files.push((f.file_name().unwrap().to_string_lossy().into_owned(), bytes));
    }
    let got = plan
        .score(&plan.read_csv_files(&files).unwrap())
        .unwrap()
        .to_json();
    assert!(got == want);
}

#[test]
fn generated_counties_score_the_same_from_every_format() {
    let plan = coverage();
    for seed in [1, 7] {
        let mut json = Vec::new();
        synth::write(
            &synth::Spec::new(synth::Shape::Coverage, seed, 3000),
            synth::Format::Json,
            &mut json,
        )
        .unwrap();
        same_everywhere(&plan, std::str::from_utf8(&json).unwrap());
    }
}

/// A small CSV dataset of the coverage pack, with `units` as given.
fn with_units(units: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("辖区.csv".into(), "辖区编码,辖区名称,级别,上级辖区编码\nC00,苍南县,县,\nT01,灵溪镇,乡镇,C00\n".into()),
        ("监督单位.csv".into(), units.as_bytes().to_vec()),
        ("监督检查.csv".into(), "检查编号,单位编号,检查日期,检查类型\nI1,U1,2025年3月2日,日常监督\nI2,U1,45718,复查\nI3,U2,2025/3/2 09:30,日常监督\n".into()),
    ];
    // the other collections are there with no records (their header rows alone)
    for t in none_of_the_others(&coverage(), &["辖区", "监督单位", "监督检查"]) {
        files.push((
            format!("{}.csv", t.name),
            sheet_out::csv(&t, false).unwrap(),
        ));
    }
    files
}

/// The sheets of the pack's collections other than `these`, with no records: a collection
/// an input leaves out is an error, so an input with none of its records says so.
fn none_of_the_others(plan: &Plan, these: &[&str]) -> Vec<Table> {
    let none: serde_json::Map<String, serde_json::Value> = plan
        .collection_names()
        .map(|c| (c.to_string(), serde_json::json!([])))
        .collect();
    let json = serde_json::Value::Object(none).to_string();
    let mut tables = plan.dataset_sheets(&json).unwrap();
    tables.retain(|t| !these.contains(&t.name.as_str()) && t.name != "period");
    tables
}

fn rejected(plan: &Plan, files: &[(String, Vec<u8>)]) -> Vec<(String, String)> {
    let o = plan.score(&plan.read_csv_files(files).unwrap()).unwrap();
    o.accounting
        .values()
        .flat_map(|a| a.rejected.iter().map(|r| (r.key.clone(), r.reason.clone())))
        .collect()
}

#[test]
fn a_bad_cell_rejects_its_record_with_the_cell_s_place() {
    let plan = coverage();
    let units =
        "2025年监督单位一览表\n单位编号,单位名称,单位类别,所属乡镇,营业状态,本底档案,联系电话\n\
                 U1,叶记宾馆,住宿,T01,营业,已建档,0577-1\n\
                 U2,徐记水厂,生活饮用水,T01,营业,是,\n\
                 U3,周记宾馆,宾馆,T01,营业,已建档,\n\
                 U4,吴记饭店,餐饮服务,T01,营业,也许,\n\
                 \n\
                 ,,,,,,\n";
    let got = rejected(&plan, &with_units(units));
    assert_eq!(
        got,
        vec![
            ("U3".to_string(), "监督单位.csv row 5 column 单位类别: field 'category': '宾馆' is not one of 住宿, 公共场所, 医疗机构, 学校食堂, 生活饮用水, 职业卫生, 餐饮服务".to_string()),
            ("U4".to_string(), "监督单位.csv row 6 column 本底档案: field 'archived': '也许' is not a yes or no (已建档, 未建档, 是, 否, true, false, 1, 0)".to_string()),
        ]
    );
    // the title row above the headers, the unmapped phone column and the empty rows are
    // not records; the dates in three spellings and as a serial number all read
    let o = plan
        .score(&plan.read_csv_files(&with_units(units)).unwrap())
        .unwrap();
    assert_eq!(o.accounting["units"].read, 4);
    assert_eq!(o.accounting["inspections"].used, 3);
    assert_eq!(
        o.records["units"].get("U1", "inspections"),
        Some(scorecard::Measured::Number(scorecard::Number::from_int(2)))
    );
}

#[test]
fn a_workbook_s_bad_cell_is_named_in_a1_notation() {
    let plan = coverage();
    let t = |name: &str, headers: &[&str], rows: Vec<Vec<Out>>| Table {
        name: name.into(),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
    };
    let text = |s: &str| Out::Text(s.into());
    let mut sheets = vec![
        t("说明", &["本表由系统导出"], vec![]),
        t(
            "辖区",
            &["辖区编码", "辖区名称", "级别"],
            vec![vec![text("C00"), text("苍南县"), text("县")]],
        ),
        t(
            "监督单位",
            &[
                "单位编号",
                "单位名称",
                "单位类别",
                "所属乡镇",
                "营业状态",
                "本底档案",
            ],
            vec![vec![
                text("U1"),
                text("叶记"),
                text("住宿"),
                text("C00"),
                text("营业"),
                text("已建档"),
            ]],
        ),
        t(
            "监督检查",
            &["检查编号", "单位编号", "检查日期", "检查类型"],
            vec![
                vec![text("I1"), text("U1"), text("2025-02-30"), text("日常监督")],
                vec![
                    text("I2"),
                    text("U1"),
                    Out::Date(chrono::NaiveDate::from_ymd_opt(2025, 3, 2).unwrap()),
                    text("日常监督"),
                ],
            ],
        ),
    ];
    sheets.extend(none_of_the_others(&plan, &["辖区", "监督单位", "监督检查"]));
    let book = sheet_out::workbook(&sheets).unwrap();
    let ds = plan.read_workbook(book.clone(), "data.xlsx").unwrap();
    // the notes sheet is passed over, as the pack's "other_sheets" says, and the caller told
    assert_eq!(ds.sheets_not_read(), ["说明"]);
    let o = plan.score(&ds).unwrap();
    let r = &o.accounting["inspections"].rejected;
    assert_eq!(r.len(), 1);
    assert_eq!(
        (r[0].key.as_str(), r[0].reason.as_str()),
        ("I1", "监督检查!C2: field 'date': '2025-02-30' is not a date (2025-03-02, 2025/3/2, 2025年3月2日, or a spreadsheet date)")
    );
    assert_eq!(o.accounting["inspections"].used, 1);
}

#[test]
fn sheets_that_cannot_be_read_say_what_is_missing() {
    let plan = coverage();
    let err = |files: Vec<(String, Vec<u8>)>| plan.read_csv_files(&files).unwrap_err().to_string();
    let no_name = err(with_units(
        "单位编号,单位类别,所属乡镇,营业状态,本底档案\nU1,住宿,T01,营业,是\n",
    ));
    assert!(
        no_name.contains("监督单位.csv: no column '单位名称' for the required field 'name'"),
        "{no_name}"
    );
    let no_header = err(with_units("编号,名称\nU1,x\n"));
    assert!(
        no_header.contains("no header row: none of the first 20 rows has the column '单位编号'"),
        "{no_header}"
    );
    let mut files = with_units("单位编号,单位名称,单位类别,所属乡镇,营业状态,本底档案\n");
    files.push(("summary.csv".into(), b"a,b\n".to_vec()));
    let stray = err(files.clone());
    assert!(
        stray.contains("has the file summary.csv, which holds no collection of this pack"),
        "{stray}"
    );
    // a collection's file left out (here, the cases'), with the file that may be it
    files.retain(|(n, _)| n != "summary.csv" && n != "案件.csv");
    let case_file = sheet_out::csv(
        &none_of_the_others(&plan, &[])
            .into_iter()
            .find(|t| t.name == "案件")
            .unwrap(),
        false,
    )
    .unwrap();
    let no_cases = err(files.clone());
    assert!(
        no_cases.contains("has no file 案件.csv for the records of cases"),
        "{no_cases}"
    );
    files.push(("案件表.csv".into(), case_file));
    let misnamed = err(files);
    assert!(
        misnamed.contains("no file 案件.csv for the records of cases (is 案件表.csv it?)")
            && misnamed.contains("the file 案件表.csv, which holds no collection"),
        "{misnamed}"
    );
    let not_text = plan
        .read_csv_files(&[("辖区.csv".into(), b"\xff\xfe\xfa\x00\x81".to_vec())])
        .unwrap_err()
        .to_string();
    assert!(not_text.contains("辖区.csv"), "{not_text}");
}

#[test]
fn the_outcome_as_a_workbook_and_csv_files() {
    let plan = coverage();
    let json = std::fs::read_to_string(root().join("rules/supervision-coverage/data/sample.json"))
        .unwrap();
    let o = plan.score(&plan.read(&json).unwrap()).unwrap();
    let tables = scorecard::outcome::sheets::tables(&o, scorecard::Language::Zh);
    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["各辖区指标", "考核评分", "监督单位", "拒收与排除", "记录"]
    );
    let matrix = &tables[0];
    // indicators in the pack's order: coverage first, closure last
    assert_eq!(matrix.headers[2], "日常监督覆盖率 数值");
    assert_eq!(matrix.headers.last().unwrap(), "结案率 得分");
    // all jurisdictions first, then each: T01's coverage is 97.1, not met
    assert_eq!(matrix.rows.len(), 1 + o.groups.len());
    let t01 = matrix
        .rows
        .iter()
        .find(|r| r[0] == Out::Text("T01".into()))
        .unwrap();
    assert_eq!(t01[2], Out::Flagged("97.1".into()));
    assert_eq!(t01[3], Out::Flagged("未达标".into()));
    assert_eq!(t01[4], Out::Number("0.0".into()));
    let scorecard = &tables[1];
    assert_eq!(
        scorecard.rows[0][scorecard.headers.len() - 3],
        Out::Number("45.1".into())
    );
    let excluded: usize = tables[3].rows.len();
    assert_eq!(
        excluded,
        o.accounting
            .values()
            .map(|a| a.rejected.len() + a.excluded_by.len())
            .sum::<usize>()
    );
    // the workbook reads back: every sheet, with its numbers as numbers
    let book = sheet_out::workbook(&tables).unwrap();
    assert_eq!(book, sheet_out::workbook(&tables).unwrap());
    let grids = {
        use calamine::Reader;
        let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(book)).unwrap();
        let names = wb.sheet_names();
        let r = wb.worksheet_range("各辖区指标").unwrap();
        (names, r)
    };
    assert_eq!(grids.0, names);
    let cell = grids
        .1
        .rows()
        .find(|r| r[0] == calamine::Data::String("T01".into()))
        .unwrap()[2]
        .clone();
    assert_eq!(cell, calamine::Data::Float(97.1));
    let csv = sheet_out::csv(matrix, false).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
}

#[test]
fn hostile_text_is_text_in_csv_files_and_workbooks() {
    use calamine::Reader;
    let plan = coverage();
    let json =
        std::fs::read_to_string(root().join("tests/hostile/supervision-coverage.json")).unwrap();
    let payloads = [
        "=HYPERLINK(\"http://x\",\"y\")",
        "=cmd|'/c calc'!A0",
        "+1+1",
        "-2",
        "@SUM(A1)",
    ];
    let o = plan.score(&plan.read(&json).unwrap()).unwrap();
    let mut tables = scorecard::outcome::sheets::tables(&o, scorecard::Language::Zh);
    // and the dataset itself as the pack's sheets (what `convert --to csv` writes)
    tables.extend(plan.dataset_sheets(&json).unwrap());
    let mut seen = std::collections::BTreeSet::new();
    for t in &tables {
        let bytes = sheet_out::csv(t, false).unwrap();
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&bytes[3..]);
        for rec in r.records() {
            for cell in rec.unwrap().iter() {
                let runs = cell.starts_with(['=', '+', '@', '\t', '\r'])
                    || (cell.starts_with('-') && cell.parse::<f64>().is_err());
                assert!(
                    !runs,
                    "{}.csv has a cell a spreadsheet would run: {cell:?}",
                    t.name
                );
                if let Some(p) = payloads.iter().find(|p| cell == format!("'{p}")) {
                    seen.insert(*p);
                }
            }
        }
    }
    assert_eq!(
        seen.len(),
        payloads.len(),
        "each payload written, neutralised: {seen:?}"
    );
    // read back as the same records (the reader takes the ' off)
    let dataset = plan.dataset_sheets(&json).unwrap();
    let csvs: Vec<(String, Vec<u8>)> = dataset
        .iter()
        .map(|t| (format!("{}.csv", t.name), sheet_out::csv(t, false).unwrap()))
        .collect();
    let back = plan.score(&plan.read_csv_files(&csvs).unwrap()).unwrap();
    assert_eq!(back.to_json(), o.to_json());
    // a workbook holds them as text cells, never formulas (the outcome's, and the dataset's)
    let outcome_tables = scorecard::outcome::sheets::tables(&o, scorecard::Language::Zh);
    for book in [
        sheet_out::workbook(&outcome_tables).unwrap(),
        sheet_out::workbook(&dataset).unwrap(),
    ] {
        let mut x: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(book)).unwrap();
        let mut texts = 0;
        for name in x.sheet_names() {
            let formulas = x.worksheet_formula(&name).unwrap();
            assert!(
                formulas.used_cells().next().is_none(),
                "{name} has a formula"
            );
            for (_, _, cell) in x.worksheet_range(&name).unwrap().used_cells() {
                if let calamine::Data::String(s) = cell {
                    texts += usize::from(payloads.contains(&s.as_str()));
                }
            }
        }
        assert!(texts >= payloads.len(), "{texts}");
    }
}
