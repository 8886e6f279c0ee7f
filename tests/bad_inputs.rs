//! The corpus of bad inputs (`tests/bad-inputs/cases.json`, written by
//! `tools/gen_bad_inputs.py`): broken packs, bad scripts, bad data in JSON and NDJSON, deep
//! and long expressions, cyclic imports, byte-order marks, numbers past the limit, closed
//! pipes. Each case runs the CLI on its files and must exit with its code, say where
//! (file:line:col and JSON path, a data file's line and column or byte offset, a script's
//! line) and what; no case may panic, overflow a stack, report an internal error or hang.

use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_scorecard");

/// The longest a case may run: every limit stops well within it.
const HANG: Duration = Duration::from_secs(120);

struct Case {
    name: String,
    files: serde_json::Map<String, Value>,
    args: Vec<String>,
    exit: i32,
    expect: Vec<String>,
    shell: Option<String>,
    first: Option<String>,
}

fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("tests/bad-inputs/cases.json")).unwrap();
    let all: Vec<Value> = serde_json::from_str(&text).unwrap();
    let strs = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    all.iter()
        .map(|c| Case {
            name: c["name"].as_str().unwrap().into(),
            files: c["files"].as_object().unwrap().clone(),
            args: strs(&c["args"]),
            exit: c["exit"].as_i64().unwrap() as i32,
            expect: strs(&c["expect"]),
            shell: c.get("shell").and_then(Value::as_str).map(str::to_string),
            first: c.get("first").and_then(Value::as_str).map(str::to_string),
        })
        .collect()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Writes the case's files into a new folder (a file given as `null` is left out).
fn lay_out(case: &Case, n: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scorecard-bad-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, content) in &case.files {
        let bytes = match content {
            Value::Null => continue,
            Value::String(s) => s.clone().into_bytes(),
            Value::Object(o) => hex(o["hex"].as_str().unwrap()),
            other => panic!(
                "{}: a file is text, {{\"hex\": …}} or null: {other}",
                case.name
            ),
        };
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

/// Runs the command with a deadline; its exit code and everything it printed.
fn run(mut cmd: Command) -> Result<(i32, String), String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if start.elapsed() > HANG {
            let _ = child.kill();
            return Err(format!("still running after {HANG:?}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut text = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    text.push_str(&String::from_utf8_lossy(&err_reader.join().unwrap()));
    match status.code() {
        Some(code) => Ok((code, text)),
        None => Err(format!("killed by a signal ({status}):\n{text}")),
    }
}

/// What is wrong with a case's run, if anything.
fn check(case: &Case, n: usize) -> Option<String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = lay_out(case, n);
    // cases without files run in the repository (the bundled pack and sample data)
    let cwd = if case.files.is_empty() { repo } else { &dir };
    let cmd = match case.shell.as_deref() {
        Some("head") => {
            let mut c = Command::new("bash");
            c.arg("-c")
                .arg("\"$@\" | head -1; exit ${PIPESTATUS[0]}")
                .arg("bash")
                .arg(BIN)
                .args(&case.args);
            c
        }
        Some(other) => return Some(format!("unknown shell {other}")),
        None => {
            let mut c = Command::new(BIN);
            c.args(&case.args);
            c
        }
    };
    let mut cmd = cmd;
    cmd.current_dir(cwd);
    let result = run(cmd);
    let _ = std::fs::remove_dir_all(&dir);
    let (code, text) = match result {
        Ok(r) => r,
        Err(e) => return Some(e),
    };
    let mut wrong = Vec::new();
    if code != case.exit {
        wrong.push(format!("exit {code}, expected {}", case.exit));
    }
    for e in &case.expect {
        if !text.contains(e.as_str()) {
            wrong.push(format!("does not say {e:?}"));
        }
    }
    if let Some(first) = &case.first {
        if !text.lines().next().unwrap_or("").contains(first.as_str()) {
            wrong.push(format!("the first line does not say {first:?}"));
        }
    }
    for bad in [
        "panicked",
        "overflowed its stack",
        "internal error",
        "RUST_BACKTRACE",
    ] {
        if text.contains(bad) {
            wrong.push(format!("says {bad:?}"));
        }
    }
    (!wrong.is_empty()).then(|| {
        let shown: String = text.chars().take(1500).collect();
        format!(
            "{}\n    output: {}",
            wrong.join("; "),
            shown.replace('\n', "\n            ")
        )
    })
}

#[test]
fn every_bad_input_gets_a_located_error_and_its_exit_code() {
    let cases = cases();
    assert!(cases.len() >= 150, "the corpus has {} cases", cases.len());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let failures: Vec<String> = std::thread::scope(|s| {
        let chunks: Vec<_> = (0..threads)
            .map(|t| {
                let cases = &cases;
                s.spawn(move || {
                    let mut f = Vec::new();
                    for (n, case) in cases.iter().enumerate().skip(t).step_by(threads) {
                        if let Some(why) = check(case, n) {
                            f.push(format!("{}: {why}", case.name));
                        }
                    }
                    f
                })
            })
            .collect();
        chunks.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
