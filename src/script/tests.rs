use super::*;

fn f(src: &str, name: &str, params: Vec<Ty>, returns: Ty, limits: Limits) -> ScriptFn {
    let e = engine(&limits, None);
    let ast = compile_file(&e, src).unwrap();
    bind(
        Arc::new(e),
        limits,
        None,
        Arc::new(ast),
        name,
        "t.rhai",
        params,
        returns,
    )
}

fn n(s: &str) -> Value {
    Value::from(Number::parse(s).unwrap())
}

#[test]
fn exact_numbers_cross_the_boundary() {
    let g = f(
        "fn at_least_80(x) { x >= 80 }\nfn half(x) { x / 2 }",
        "at_least_80",
        vec![Ty::Num],
        Ty::Bool,
        Limits::default(),
    );
    assert_eq!(g.call(&[n("79.99")]).unwrap(), Value::Bool(false));
    assert_eq!(g.call(&[n("80")]).unwrap(), Value::Bool(true));
    let h = f(
        "fn half(x) { x / 2 }",
        "half",
        vec![Ty::Num],
        Ty::Num,
        Limits::default(),
    );
    assert_eq!(h.call(&[n("8.95")]).unwrap(), n("4.475"));
    let lit = f(
        "fn k() { 79.99 + 0.01 }",
        "k",
        vec![],
        Ty::Num,
        Limits::default(),
    );
    assert_eq!(
        lit.call(&[]).unwrap(),
        n("80"),
        "literals are exact decimals, not floats"
    );
    assert!(h
        .call(&[Value::from(Number::ratio(1, 3).unwrap())])
        .unwrap_err()
        .message
        .contains("no exact decimal form"));
}

#[test]
fn runaway_scripts_are_stopped_with_their_location() {
    let lim = Limits {
        max_operations: 10_000,
        ..Limits::default()
    };
    let g = f(
        "fn spin() {\n  let x = 0;\n  loop { x += 1; }\n}",
        "spin",
        vec![],
        Ty::Num,
        lim,
    );
    let e = g.call(&[]).unwrap_err().message;
    assert!(
        e.contains("script t.rhai, function spin")
            && e.contains("more than scripts.limits.max_operations = 10000 operations"),
        "{e}"
    );
    assert!(e.contains("at line 3:"), "the loop is on line 3: {e}");
    let r = f(
        "fn down(n) { down(n + 1) }",
        "down",
        vec![Ty::Num],
        Ty::Num,
        lim,
    );
    let e = r.call(&[n("1")]).unwrap_err().message;
    assert!(
        e.contains("function down")
            && e.contains("calls nested deeper than scripts.limits.max_call_levels = 32"),
        "{e}"
    );
    let s = f(
        "fn big() { let s = \"x\"; loop { s += s; } }",
        "big",
        vec![],
        Ty::Str,
        lim,
    );
    let e = s.call(&[]).unwrap_err();
    assert!(
        e.message.contains("at line 1:")
            && e.message.contains("a string larger than scripts.limits.max_string_size = 10000")
            && !e.stops_run,
        "{e}"
    );
    // a value grown to its cap: the limit named (and located, when the second run that
    // steps to it takes no longer than four times the first)
    let big = Limits {
        max_operations: 10_000_000,
        max_array_size: 20_000,
        ..Limits::default()
    };
    let a = f(
        "fn grow() { let a = []; loop { a.push(1); } }",
        "grow",
        vec![],
        Ty::Num,
        big,
    );
    let e = a.call(&[]).unwrap_err();
    assert!(
        e.message.contains("function grow: ")
            && e.message.ends_with("stopped: an array larger than scripts.limits.max_array_size = 20000"),
        "{e}"
    );
}

#[test]
fn a_call_out_of_time_stops_the_run_where_it_was() {
    // at the caps, growing an array or a map takes time that grows with the square of its
    // size (minutes): the time limit stops each within it, and says where it was running
    let caps = Limits {
        max_operations: 10_000_000,
        max_array_size: 1_000_000,
        max_map_size: 100_000,
        max_string_size: 1_000_000,
        max_time_ms: 200,
        ..Limits::default()
    };
    for (name, src) in [
        ("grow", "fn grow() {\n  let a = [];\n  loop { a.push(1); }\n}"),
        ("grow_map", "fn grow_map() {\n  let m = #{};\n  let i = 0;\n  loop { m[\"k\" + i] = i; i += 1; }\n}"),
        ("spin", "fn spin() {\n  let x = 0;\n  loop { x += 1; }\n}"),
    ] {
        let g = f(src, name, vec![], Ty::Num, caps);
        let started = std::time::Instant::now();
        let e = g.call(&[]).unwrap_err();
        // bounded, not timed: the figures are measured apart (docs/scripts.md)
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "{name}: {:?}", started.elapsed());
        assert!(e.stops_run, "{name}: {e}");
        assert!(
            e.message.contains(&format!("function {name}: at line "))
                && e.message.contains("stopped: ran longer than scripts.limits.max_time_ms = 200 ms"),
            "{name}: {e}"
        );
    }
}

#[test]
fn no_files_no_clock_no_eval() {
    let e = engine(&Limits::default(), None);
    assert!(
        compile_file(&e, "import \"x\" as y; fn f() { 1 }").is_err(),
        "modules are not built in"
    );
    let t = f(
        "fn t() { timestamp() }",
        "t",
        vec![],
        Ty::Num,
        Limits::default(),
    );
    assert!(t.call(&[]).is_err(), "no clock");
    assert!(
        compile_file(&e, "fn f() { eval(\"1\") }").is_err(),
        "eval is disabled"
    );
}

#[test]
fn wrong_results_are_errors() {
    let g = f("fn s() { \"x\" }", "s", vec![], Ty::Num, Limits::default());
    assert!(g.call(&[]).unwrap_err().message.contains("returned string"));
    let d = f(
        "fn d(x) { add_months(x, 1) }",
        "d",
        vec![Ty::Date],
        Ty::Date,
        Limits::default(),
    );
    let jan31 = Value::Date(NaiveDate::from_ymd_opt(2025, 1, 31).unwrap());
    assert_eq!(
        d.call(&[jan31]).unwrap(),
        Value::Date(NaiveDate::from_ymd_opt(2025, 2, 28).unwrap())
    );
}

#[test]
fn limits_have_caps() {
    let l = Limits {
        max_operations: 0,
        max_map_size: 1_000_000,
        max_time_ms: 60_000,
        ..Limits::default()
    };
    assert_eq!(
        l.over_caps().iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        ["max_operations", "max_map_size", "max_time_ms"]
    );
}
