//! JSON paths and where they are in a source text.
//!
//! serde_json keeps no positions in a parsed value, yet a diagnostic must say
//! `pack.json:41:17`. This module scans already-valid JSON text along a path and returns
//! the byte offset of the value there (or of the deepest part of the path that exists).
//! It is a few dozen lines over text that serde_json has accepted, so it needs no crate.

use serde_json::Value;
use std::fmt;

/// One step of a path into a JSON document.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg {
    /// A member of an object.
    Key(String),
    /// An element of an array.
    Index(usize),
}

/// A path into a JSON document, displayed as `indicators.coverage.target.min` or `rows[2]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JsonPath(pub Vec<Seg>);

impl JsonPath {
    /// The document root.
    pub fn root() -> JsonPath {
        JsonPath(Vec::new())
    }

    /// This path extended by an object member.
    pub fn key(&self, k: &str) -> JsonPath {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.to_string()));
        p
    }

    /// This path extended by an array index.
    pub fn index(&self, i: usize) -> JsonPath {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }

    /// Parses the path syntax of `serde_path_to_error` (`a.b[2].c`) below this path.
    pub fn join_serde(&self, p: &serde_path_to_error::Path) -> JsonPath {
        let mut out = self.clone();
        for seg in p.iter() {
            match seg {
                serde_path_to_error::Segment::Seq { index } => out.0.push(Seg::Index(*index)),
                serde_path_to_error::Segment::Map { key } => out.0.push(Seg::Key(key.clone())),
                serde_path_to_error::Segment::Enum { variant } => {
                    out.0.push(Seg::Key(variant.clone()))
                }
                serde_path_to_error::Segment::Unknown => {}
            }
        }
        out
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(root)");
        }
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Seg::Key(k) if i == 0 => f.write_str(k)?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A short description of a JSON value for error messages: `string "abc"`, `number 3`, `object`.
pub fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) if s.chars().count() > 40 => {
            format!("string \"{}…\"", s.chars().take(40).collect::<String>())
        }
        Value::String(s) => format!("string \"{s}\""),
        Value::Array(_) => "array".into(),
        Value::Object(_) => "object".into(),
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..floor_char_boundary(src, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// The 1-based line and column (in bytes) of the byte that follows `before`: where the
/// first byte that is not UTF-8 stands, given the valid text before it.
pub fn after(before: &[u8]) -> (usize, usize) {
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Byte offset of the value at `path` in `src`, or of the deepest existing part of it.
/// `src` should be valid JSON; on anything else the answer is the best found so far.
pub fn locate(src: &str, path: &JsonPath) -> usize {
    let b = src.as_bytes();
    let mut pos = skip_ws(b, 0);
    for seg in &path.0 {
        match (seg, b.get(pos)) {
            (Seg::Key(k), Some(b'{')) => match find_member(src, pos, k) {
                Some(p) => pos = p,
                None => return pos,
            },
            (Seg::Index(n), Some(b'[')) => match find_element(b, pos, *n) {
                Some(p) => pos = p,
                None => return pos,
            },
            _ => return pos,
        }
    }
    pos
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// End (exclusive) of the string starting at `i` (which is a quote).
fn skip_string(b: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// End (exclusive) of the value starting at `i`.
fn skip_value(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(b'"') => skip_string(b, i),
        Some(b'{') | Some(b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = skip_string(b, j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            b.len()
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
            {
                j += 1;
            }
            j
        }
    }
}

fn find_member(src: &str, obj: usize, key: &str) -> Option<usize> {
    let b = src.as_bytes();
    let mut i = skip_ws(b, obj + 1);
    while i < b.len() && b[i] == b'"' {
        let end = skip_string(b, i);
        let raw = &src[i..end];
        let name: String = serde_json::from_str(raw).unwrap_or_default();
        i = skip_ws(b, end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(b, i + 1);
        if name == key {
            return Some(i);
        }
        i = skip_ws(b, skip_value(b, i));
        if b.get(i) == Some(&b',') {
            i = skip_ws(b, i + 1);
        } else {
            return None;
        }
    }
    None
}

fn find_element(b: &[u8], arr: usize, n: usize) -> Option<usize> {
    let mut i = skip_ws(b, arr + 1);
    let mut k = 0;
    while i < b.len() && b[i] != b']' {
        if k == n {
            return Some(i);
        }
        i = skip_ws(b, skip_value(b, i));
        if b.get(i) == Some(&b',') {
            i = skip_ws(b, i + 1);
        }
        k += 1;
    }
    None
}

/// Object members whose key appeared earlier in the same object: their path and the byte
/// offset of the repeated key. serde_json keeps only the last of two equal keys, which
/// would silently lose a rule.
pub fn duplicate_keys(src: &str) -> Vec<(JsonPath, usize)> {
    let mut out = Vec::new();
    let b = src.as_bytes();
    walk(src, b, skip_ws(b, 0), &mut JsonPath::root(), &mut out, 0);
    out
}

fn walk(
    src: &str,
    b: &[u8],
    i: usize,
    path: &mut JsonPath,
    out: &mut Vec<(JsonPath, usize)>,
    depth: usize,
) {
    if depth > 256 {
        return;
    }
    match b.get(i) {
        Some(b'{') => {
            let mut seen = std::collections::HashSet::new();
            let mut j = skip_ws(b, i + 1);
            while j < b.len() && b[j] == b'"' {
                let key_at = j;
                let end = skip_string(b, j);
                let name: String = serde_json::from_str(&src[j..end]).unwrap_or_default();
                j = skip_ws(b, end);
                if b.get(j) != Some(&b':') {
                    return;
                }
                j = skip_ws(b, j + 1);
                path.0.push(Seg::Key(name.clone()));
                if !seen.insert(name) {
                    out.push((path.clone(), key_at));
                }
                walk(src, b, j, path, out, depth + 1);
                path.0.pop();
                j = skip_ws(b, skip_value(b, j));
                if b.get(j) == Some(&b',') {
                    j = skip_ws(b, j + 1);
                } else {
                    return;
                }
            }
        }
        Some(b'[') => {
            let mut j = skip_ws(b, i + 1);
            let mut k = 0;
            while j < b.len() && b[j] != b']' {
                path.0.push(Seg::Index(k));
                walk(src, b, j, path, out, depth + 1);
                path.0.pop();
                j = skip_ws(b, skip_value(b, j));
                if b.get(j) == Some(&b',') {
                    j = skip_ws(b, j + 1);
                } else {
                    return;
                }
                k += 1;
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_duplicate_keys() {
        let src = r#"{"a": 1, "b": {"x": [ {"k": 1, "k": 2} ]}, "a": 3}"#;
        let d: Vec<(String, usize)> = duplicate_keys(src)
            .iter()
            .map(|(p, o)| (p.to_string(), *o))
            .collect();
        assert_eq!(d, vec![("b.x[0].k".to_string(), 31), ("a".to_string(), 43)]);
    }

    use super::*;

    #[test]
    fn finds_nested_values() {
        let src = "{\n  \"a\": {\"b\": [1, {\"c\": \"x\"}]},\n  \"d\\u0065\": true\n}";
        let p = JsonPath::root().key("a").key("b").index(1).key("c");
        assert_eq!(line_col(src, locate(src, &p)), (2, 24));
        let p = JsonPath::root().key("de");
        assert_eq!(line_col(src, locate(src, &p)), (3, 14));
        // a missing member answers with the deepest existing part
        let p = JsonPath::root().key("a").key("zz");
        assert_eq!(line_col(src, locate(src, &p)), (2, 8));
        assert_eq!(p.to_string(), "a.zz");
        assert_eq!(JsonPath::root().key("rows").index(2).to_string(), "rows[2]");
    }

    #[test]
    fn columns_count_characters() {
        let src = "{\"名称\": \"覆盖率\", \"x\": 1}";
        let p = JsonPath::root().key("x");
        assert_eq!(line_col(src, locate(src, &p)), (1, 20));
    }
}
