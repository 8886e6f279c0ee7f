use super::*;

fn show(a: &Ast) -> String {
    match &a.kind {
        AstKind::Num(n) => n.clone(),
        AstKind::Str(s) => format!("{s:?}"),
        AstKind::Bool(b) => b.to_string(),
        AstKind::Unit => "()".into(),
        AstKind::Ident(s) => s.clone(),
        AstKind::List(v) => format!("[{}]", v.iter().map(show).collect::<Vec<_>>().join(",")),
        AstKind::Not(e) => format!("!{}", show(e)),
        AstKind::Neg(e) => format!("-{}", show(e)),
        AstKind::Bin(op, a, b) => format!("({} {} {})", show(a), op.symbol(), show(b)),
        AstKind::Call(f, args) => {
            format!(
                "{f}({})",
                args.iter().map(show).collect::<Vec<_>>().join(",")
            )
        }
        AstKind::Field(e, n) => format!("{}.{n}", show(e)),
        AstKind::Method(e, n, args) => format!(
            "{}.{n}({})",
            show(e),
            args.iter().map(show).collect::<Vec<_>>().join(",")
        ),
        AstKind::Closure(p, b) => format!("|{p}| {}", show(b)),
        AstKind::If(c, a, b) => {
            format!("if {} {{ {} }} else {{ {} }}", show(c), show(a), show(b))
        }
    }
}

#[test]
fn precedence() {
    let a = parse("a + b * 2 >= 9.0 && !c || d in [\"A\", \"B\"]").unwrap();
    assert_eq!(
        show(&a),
        "((((a + (b * 2)) >= 9.0) && !c) || (d in [\"A\",\"B\"]))"
    );
    let a = parse("items.filter(|i| i.key && !i.passed).len() < 2").unwrap();
    assert_eq!(
        show(&a),
        "(items.filter(|i| (i.key && !i.passed)).len() < 2)"
    );
    assert_eq!(show(&parse("1 - 2 - 3").unwrap()), "((1 - 2) - 3)");
    assert_eq!(
        show(&parse("if a > 1 { \"x\" } else if b { \"y\" } else { \"z\" }").unwrap()),
        "if (a > 1) { \"x\" } else { if b { \"y\" } else { \"z\" } }"
    );
    assert!(parse("if a { 1 }").unwrap_err().message.contains("else"));
}

#[test]
fn errors_have_positions() {
    let e = parse("score >= ").unwrap_err();
    assert_eq!(e.pos, 9);
    let e = parse("a = 1").unwrap_err();
    assert_eq!(e.pos, 2);
    assert!(e.message.contains("=="));
    let e = parse("\"abc").unwrap_err();
    assert_eq!(e.message, "unterminated string");
    let e = parse("a ^ b").unwrap_err();
    assert_eq!(e.pos, 2);
    assert!(parse(&"(".repeat(500)).is_err());
    assert!(parse(&"!".repeat(500)).is_err());
}
