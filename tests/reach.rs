//! The command line where officers' data and reports live: a copied binary scores its
//! shipped packs from any folder, spreadsheets in, workbooks, CSV and HTML out, and the
//! terminal tables in the pack's language and order.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn run_in(bin: &Path, dir: &Path, args: &[&str]) -> (bool, String, Vec<u8>) {
    let out = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.stdout,
    )
}

fn run(args: &[&str]) -> (bool, String, Vec<u8>) {
    run_in(Path::new(env!("CARGO_BIN_EXE_scorecard")), &root(), args)
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scorecard-reach-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_copied_binary_scores_and_tests_the_shipped_packs_from_the_root_folder() {
    let dir = tmp("copied");
    let bin = dir.join("scorecard");
    std::fs::copy(env!("CARGO_BIN_EXE_scorecard"), &bin).unwrap();
    let (_, _, here) = run(&["score", "--format", "json"]);
    let (ok, err, there) = run_in(&bin, Path::new("/"), &["score", "--format", "json"]);
    assert!(ok, "{err}");
    assert!(
        here == there,
        "the shipped default pack scores differently from a copy run in /"
    );
    let (ok, err, out) = run_in(
        &bin,
        Path::new("/"),
        &["score", "--pack", "catering-grading", "--allow-rejected"],
    );
    assert!(ok, "{err}");
    assert!(String::from_utf8_lossy(&out).contains("餐饮服务食品安全监督量化分级"));
    let (ok, err, out) = run_in(&bin, Path::new("/"), &["test"]);
    let out = String::from_utf8_lossy(&out);
    assert!(ok, "{err}{out}");
    assert!(
        out.contains("<shipped>/demerit-points/tests/") && out.contains(" passed, 0 failed"),
        "{out}"
    );
    let (ok, err, _) = run_in(&bin, Path::new("/"), &["score", "--pack", "no-such-pack"]);
    assert!(
        !ok && err.contains("no shipped pack of that name (shipped: basic-public-health, "),
        "{err}"
    );
    let (ok, err, _) = run_in(
        &bin,
        Path::new("/"),
        &["check", "rules/reporting-deadlines"],
    );
    assert!(ok, "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_sample_county_from_its_workbooks_and_gbk_files_scores_as_from_json() {
    let (ok, err, json) = run(&["score", "--format", "json"]);
    assert!(ok, "{err}");
    for input in [
        "rules/supervision-coverage/data/sample.xlsx",
        "rules/supervision-coverage/data/sample.xls",
        "rules/supervision-coverage/data/sample.ods",
        "rules/supervision-coverage/data/sample-gbk",
    ] {
        let (ok, err, out) = run(&["score", "--input", input, "--format", "json"]);
        assert!(ok, "{input}: {err}");
        assert!(out == json, "{input} scores differently from the JSON");
    }
    // a JSON file with the byte-order mark Notepad writes
    let dir = tmp("bom");
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(std::fs::read(root().join("rules/supervision-coverage/data/sample.json")).unwrap());
    std::fs::write(dir.join("bom.json"), bom).unwrap();
    let (ok, err, out) = run(&[
        "score",
        "--input",
        dir.join("bom.json").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(ok && out == json, "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn workbooks_csv_and_html_reports_are_written() {
    let dir = tmp("out");
    let book = dir.join("report.xlsx");
    let (ok, err, _) = run(&["score", "--format", "xlsx", "-o", book.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(std::fs::read(&book).unwrap().starts_with(b"PK"));
    let (ok, err, _) = run(&[
        "score",
        "--format",
        "csv",
        "-o",
        dir.join("csv").to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let matrix = std::fs::read_to_string(dir.join("csv").join("各辖区指标.csv")).unwrap();
    assert!(
        matrix.starts_with("\u{feff}辖区,名称,日常监督覆盖率 数值,"),
        "{matrix}"
    );
    assert!(matrix.contains("\nT01,灵溪镇,97.1,未达标,0.0,"), "{matrix}");
    let (ok, err, _) = run(&["score", "--format", "xlsx"]);
    assert!(!ok && err.contains("give -o FILE"), "{err}");
    let (ok, err, html) = run(&["score", "--format", "html"]);
    assert!(ok, "{err}");
    let html = String::from_utf8(html).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg class=\"chart\""));
    // self-contained: nothing to fetch
    for outside in ["http://", "https://", "<script", "src=", "@import", "url("] {
        assert!(!html.contains(outside), "the report has {outside}");
    }
    assert!(html.contains("data-jurisdiction=\"T01\" data-value=\"97.1\" data-met=\"false\""));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn terminal_tables_follow_the_pack_s_order_and_language() {
    let (ok, err, zh) = run(&["score"]);
    assert!(ok, "{err}");
    let zh = String::from_utf8(zh).unwrap();
    let at = |s: &str| zh.find(s).unwrap_or_else(|| panic!("no {s} in\n{zh}"));
    // the pack lists coverage, frequency, …, closure_rate; by id closure_rate would be first
    assert!(at("日常监督覆盖率") < at("监督频次") && at("监督频次") < at("结案率"));
    for word in ["各辖区指标", "未达标", "考核评分", "灵溪镇", "97.1% ✗"] {
        assert!(zh.contains(word), "no {word} in\n{zh}");
    }
    let (ok, err, en) = run(&["score", "--lang", "en"]);
    assert!(ok, "{err}");
    let en = String::from_utf8(en).unwrap();
    for word in [
        "Indicators by jurisdiction",
        "NOT MET",
        "Scorecard: total 45.1 / 100",
    ] {
        assert!(en.contains(word), "no {word} in\n{en}");
    }
}

#[test]
fn a_pack_s_sheet_is_checked_where_it_is_written() {
    let pack = r#"{
  "name": "p", "version": "1",
  "collections": {
    "units": {
      "fields": { "id": "string", "name": "string", "kind": { "type": "enum", "values": ["a", "b"] }, "ok": "bool" },
      "sheet": {
        "name": "单位",
        "columns": { "nmae": "名称", "id": "编号", "kind": "编号" },
        "values": { "kind": { "甲": "a", "丙": "c" }, "ok": { "是的": "yes" }, "name": { "x": "y" } }
      }
    }
  }
}"#;
    let err = scorecard::Plan::from_json(pack).unwrap_err().to_string();
    for want in [
        "pack.json:8:30: collections.units.sheet.columns.nmae: no field 'nmae' in this collection (did you mean 'name'?)",
        "fields 'id' and 'kind' are both in the column '编号'",
        "'c' is not a value of 'kind' (a, b)",
        "collections.units.sheet.values.ok.是的: the value of a cell text is true or false",
        "'name' is not an enum or bool field",
    ] {
        assert!(err.contains(want), "no «{want}» in\n{err}");
    }
}

#[test]
fn a_misnamed_sheet_fails_the_run_naming_the_sheet_it_may_be() {
    let book = root().join("rules/supervision-coverage/data/sample.xlsx");
    let (ok, err, _) = run(&["score", "--input", book.to_str().unwrap()]);
    assert!(ok, "{err}");
    // the same workbook with its units' sheet misnamed: no outcome (before, the county
    // scored 62.7 基本达标 instead of 45.1 不达标 with every inspection rejected)
    let dir = tmp("misnamed");
    let tables: Vec<scorecard::sheet_out::Table> = {
        let plan = scorecard::Plan::load(root().join("rules/supervision-coverage")).unwrap();
        let json =
            std::fs::read_to_string(root().join("rules/supervision-coverage/data/sample.json"))
                .unwrap();
        let mut t = plan.dataset_sheets(&json).unwrap();
        t.iter_mut()
            .filter(|t| t.name == "监督单位")
            .for_each(|t| t.name = "单位".into());
        t
    };
    let misnamed = dir.join("misnamed.xlsx");
    std::fs::write(&misnamed, scorecard::sheet_out::workbook(&tables).unwrap()).unwrap();
    let (ok, err, out) = run(&[
        "score",
        "--input",
        misnamed.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(!ok && out.is_empty(), "{err}");
    assert!(
        err.contains("no sheet '监督单位' for the records of units (is '单位' it?)")
            && err.contains("the sheet 单位, which holds no collection of this pack"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
