use super::*;
use crate::expr::compile::{compile, Env, ItemId, Names, Ty};

/// One collection "c" with fields score (num), when (date), grade (str), items (list).
struct T;
impl Names for T {
    fn coll_name(&self, _: CollId) -> String {
        "c".into()
    }
    fn field(&self, _: CollId, name: &str) -> Option<(u16, Ty)> {
        match name {
            "score" => Some((0, Ty::Num)),
            "when" => Some((1, Ty::Date)),
            "grade" => Some((2, Ty::Str)),
            "items" => Some((3, Ty::List(Box::new(Ty::Item(0))))),
            "opt" => Some((4, Ty::Num)),
            _ => None,
        }
    }
    fn measure(&self, _: CollId, _: &str) -> Option<Result<(MeasureId, Ty), String>> {
        None
    }
    fn item_field(&self, _: ItemId, name: &str) -> Option<(u16, Ty)> {
        match name {
            "key" => Some((0, Ty::Bool)),
            "passed" => Some((1, Ty::Bool)),
            "points" => Some((2, Ty::Num)),
            _ => None,
        }
    }
}
#[test]
fn every_builtin_is_known_to_the_checker() {
    let env = Env {
        names: &T,
        base: Some(0),
        vars: &[],
    };
    for name in crate::expr::compile::BUILTINS {
        let e = compile(&format!("{name}()"), &env, None).unwrap_err();
        assert!(!e.message.contains("unknown function"), "{name}: {}", e.message);
    }
    let e = compile("nope()", &env, None).unwrap_err();
    assert!(e.message.contains("unknown function 'nope'"), "{}", e.message);
}

/// The record: score 8.95, a date, grade "B", three checklist items, `opt` missing.
struct D(Vec<Value>);
fn items(rows: &[(bool, bool, &str)]) -> Value {
    let fields: Vec<Value> = rows
        .iter()
        .flat_map(|(key, passed, points)| {
            [
                Value::Bool(*key),
                Value::Bool(*passed),
                Value::from(Number::parse(points).unwrap()),
            ]
        })
        .collect();
    Value::Items(fields.into(), 3)
}
fn record() -> D {
    D(vec![
        Value::from(Number::parse("8.95").unwrap()),
        Value::Date(NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()),
        Value::str("B"),
        items(&[(true, false, "0"), (true, true, "4.5"), (false, false, "2")]),
        Value::None,
    ])
}
impl Data for D {
    fn record(&self, _: CollId, _: u32) -> &[Value] {
        &self.0
    }
    fn measure(&self, _: MeasureId, _: u32) -> &Value {
        &NONE
    }
}

fn run(src: &str) -> Result<Value, String> {
    let env = Env {
        names: &T,
        base: Some(0),
        vars: &[],
    };
    let e = compile(src, &env, None).map_err(|e| format!("compile: {e}"))?;
    e.eval(&Frame {
        data: &record(),
        base: Some((0, 0)),
        vars: &[],
    })
    .map(Cow::into_owned)
    .map_err(|e| format!("eval: {e}"))
}

fn numv(s: &str) -> Value {
    Value::from(Number::parse(s).unwrap())
}

#[test]
fn evaluates_exactly() {
    assert_eq!(run("round(score, 1)").unwrap(), numv("9.0"));
    assert_eq!(run("round(score, 1, \"half_down\")").unwrap(), numv("8.9"));
    assert_eq!(
        run("score >= 8.95 && score < 9").unwrap(),
        Value::Bool(true)
    );
    assert_eq!(run("1 / 3 * 3 == 1").unwrap(), Value::Bool(true));
    assert_eq!(run("0.1 + 0.2 == 0.3").unwrap(), Value::Bool(true));
    assert_eq!(run("min(3, score, 10)").unwrap(), numv("3"));
    assert_eq!(run("grade in [\"A\", \"B\"]").unwrap(), Value::Bool(true));
    // the negated forms rhai accepts, and the one that always worked
    for negated in ["grade not in [\"A\", \"B\"]", "grade !in [\"A\", \"B\"]", "!(grade in [\"A\", \"B\"])"] {
        assert_eq!(run(negated).unwrap(), Value::Bool(false), "{negated}");
    }
    assert_eq!(run("grade not in [\"C\"] && score > 8").unwrap(), Value::Bool(true));
    assert_eq!(run("-abs(-2) % 3").unwrap(), numv("-2"));
    assert_eq!(
        run("if score > 9 { \"A\" } else if score > 8 { \"B\" } else { \"C\" }").unwrap(),
        Value::str("B")
    );
    assert_eq!(
        run("if is_none(opt) { () } else { opt / 0 }").unwrap(),
        Value::None,
        "the other branch is not evaluated"
    );
}

#[test]
fn lists_of_items() {
    assert_eq!(
        run("items.filter(|i| i.key && !i.passed).len()").unwrap(),
        numv("1")
    );
    assert_eq!(run("items.map(|i| i.points).sum()").unwrap(), numv("6.5"));
    assert_eq!(run("items.map(|i| i.points).max()").unwrap(), numv("4.5"));
    assert_eq!(run("items.some(|i| i.passed)").unwrap(), Value::Bool(true));
    assert_eq!(run("items.all(|i| i.key)").unwrap(), Value::Bool(false));
    assert_eq!(run("[].map(|i| i).max()").unwrap(), Value::None);
    assert_eq!(run("[1, 2].contains(2)").unwrap(), Value::Bool(true));
}

#[test]
fn chains_stream_and_lists_of_items_stay_items() {
    // filter then map then sum: streamed, same answer as step by step
    assert_eq!(
        run("items.filter(|i| i.key).map(|i| i.points * 2).sum()").unwrap(),
        numv("9")
    );
    assert_eq!(run("items.filter(|i| !i.passed).len()").unwrap(), numv("2"));
    assert_eq!(
        run("items.map(|i| i.points).filter(|p| p > 1).map(|p| p + 1).max()").unwrap(),
        numv("5.5")
    );
    // a filtered list of items is a list of items, equal however it is stored
    assert_eq!(
        run("items.filter(|i| i.key)").unwrap(),
        items(&[(true, false, "0"), (true, true, "4.5")])
    );
    assert_eq!(
        run("items.filter(|i| i.key).filter(|i| i.passed).map(|i| i.points)").unwrap(),
        Value::List(vec![numv("4.5")].into())
    );
    assert_eq!(run("items.filter(|i| false)").unwrap().list_len(), 0);
    // nested closures see their own item and the outer one
    assert_eq!(
        run("items.map(|i| items.filter(|j| j.points < i.points).len()).sum()").unwrap(),
        numv("3")
    );
    assert_eq!(
        run("items.filter(|i| i.key).map(|i| i.points).contains(4.5)").unwrap(),
        Value::Bool(true)
    );
    // some/all stop at the first answer: the failing element after it is never reached
    assert_eq!(
        run("[1, 0].some(|x| 1 / x > 0)").unwrap(),
        Value::Bool(true)
    );
    assert_eq!(
        run("[0, 1].all(|x| x > 0 && 1 / x > 0)").unwrap(),
        Value::Bool(false)
    );
    assert!(run("[1, 0].all(|x| 1 / x > 0)")
        .unwrap_err()
        .contains("division by zero"));
}

#[test]
fn dates() {
    assert_eq!(
        run("add_months(when, 1)").unwrap(),
        Value::Date(NaiveDate::from_ymd_opt(2025, 4, 30).unwrap())
    );
    assert_eq!(
        run("months_between(date(\"2024-12-31\"), when)").unwrap(),
        numv("3")
    );
    assert_eq!(
        run("months_between(date(\"2025-01-01\"), when)").unwrap(),
        numv("2")
    );
    assert_eq!(
        run("days_between(date(\"2025-03-01\"), when)").unwrap(),
        numv("30")
    );
    assert_eq!(
        run("year(when) * 100 + month(when)").unwrap(),
        numv("202503")
    );
    assert_eq!(run("quarter(when)").unwrap(), numv("1"));
    assert_eq!(
        run("make_date(year(when), 11, 10)").unwrap(),
        Value::Date(NaiveDate::from_ymd_opt(2025, 11, 10).unwrap())
    );
    assert!(run("make_date(2025, 2, 29)")
        .unwrap_err()
        .contains("is not a date"));
    assert_eq!(run("quarter(add_days(when, 1))").unwrap(), numv("2"));
}

#[test]
fn none_is_explicit() {
    assert_eq!(run("is_none(opt)").unwrap(), Value::Bool(true));
    assert_eq!(run("coalesce(opt, 0) + 1").unwrap(), numv("1"));
    let e = run("opt > 1").unwrap_err();
    assert!(e.contains("has no value"), "{e}");
    assert_eq!(run("opt == ()").unwrap(), Value::Bool(true));
}

#[test]
fn type_errors_at_load() {
    for (src, needle) in [
        ("score + grade", "'+' needs string"),
        ("grade > 1", "orders numbers"),
        ("nope > 1", "unknown name 'nope'"),
        ("items.len() && true", "'&&' needs bool"),
        ("round(score)", "2 or 3 arguments"),
        ("round(score, 1, \"sideways\")", "unknown rounding mode"),
        ("foo(1)", "unknown function 'foo'"),
        ("items.filter(|i| i.points)", "needs bool"),
        ("items.map(|i| i.nope)", "no field 'nope'"),
        ("date(\"2025-02-30\")", "not a date"),
        ("if score { 1 } else { 2 }", "if condition needs bool"),
        ("if true { 1 } else { \"x\" }", "both branches"),
    ] {
        let e = run(src).unwrap_err();
        assert!(e.contains(needle), "{src}: {e}");
    }
}

#[test]
fn runtime_errors() {
    assert!(run("score / 0").unwrap_err().contains("division by zero"));
    assert!(run("add_days(when, 1e30)")
        .unwrap_err()
        .contains("whole number"));
}


/// A condition tested directly on the record's fields (`Quick`) says what walking its tree
/// says, on records where it can answer and where it cannot (no value, another type).
#[test]
fn quick_tests_agree_with_the_tree() {
    let env = Env {
        names: &T,
        base: Some(0),
        vars: &[],
    };
    let date = |s: &str| Value::Date(crate::dates::parse_date(s).unwrap());
    let records = [
        record().0,
        vec![numv("60"), date("2025-01-01"), Value::str("A"), Value::None, numv("1/3")],
        vec![numv("59.9"), date("2025-12-31"), Value::str("C"), Value::None, Value::None],
        vec![Value::None, Value::None, Value::None, Value::None, Value::None],
        vec![Value::str("x"), Value::Bool(true), numv("3"), Value::None, Value::Bool(false)],
    ];
    let conditions = [
        "score < 60",
        "score <= 60",
        "60 > score",
        "60 <= score",
        "score >= 8.95",
        "score > 1/3",
        "score == 60",
        "score != 60",
        "grade == \"A\"",
        "\"A\" != grade",
        "when < date(\"2025-06-01\")",
        "when >= date(\"2025-12-31\")",
        "score < 60 && grade == \"C\"",
        "score >= 90 || grade == \"A\"",
        "opt > 0 || score < 60",
        "!(score < 60)",
        "score < opt",
    ];
    let mut answered = 0;
    for src in conditions {
        let quick = compile(src, &env, Some(&Ty::Bool)).unwrap();
        let mut tree = quick.clone();
        tree.quick = None;
        for (i, r) in records.iter().enumerate() {
            let data = D(r.clone());
            let frame = Frame {
                data: &data,
                base: Some((0, 0)),
                vars: &[],
            };
            if quick.quick.as_ref().and_then(|q| q.test(r)).is_some() {
                answered += 1;
            }
            assert_eq!(
                quick.eval_bool(&frame),
                tree.eval_bool(&frame),
                "`{src}` on record {i}"
            );
        }
    }
    assert!(answered > 40, "the direct tests answered only {answered} times");
}
