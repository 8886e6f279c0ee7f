//! Lexing and parsing expressions into an untyped syntax tree.

use std::fmt;

/// A syntax error or a type error in an expression, with the character offset it is at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    /// Character offset in the expression text (0-based).
    pub pos: usize,
    /// What is wrong.
    pub message: String,
}

impl ExprError {
    pub(crate) fn new(pos: usize, message: impl Into<String>) -> ExprError {
        ExprError {
            pos,
            message: message.into(),
        }
    }
}

impl std::error::Error for ExprError {}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.pos + 1)
    }
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `&&`
    And,
    /// `||`
    Or,
    /// `in`
    In,
}

impl BinOp {
    /// The comparison that says the same with its operands swapped (`60 > x` is `x < 60`);
    /// `None` for an operator that is not a comparison.
    pub(crate) fn swapped(self) -> Option<BinOp> {
        Some(match self {
            BinOp::Eq => BinOp::Eq,
            BinOp::Ne => BinOp::Ne,
            BinOp::Lt => BinOp::Gt,
            BinOp::Le => BinOp::Ge,
            BinOp::Gt => BinOp::Lt,
            BinOp::Ge => BinOp::Le,
            _ => return None,
        })
    }
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "&&",
            BinOp::Or => "||",
            BinOp::In => "in",
        }
    }

    /// The operator in quotes, for messages (`'+'`).
    pub fn quoted(self) -> &'static str {
        match self {
            BinOp::Add => "'+'",
            BinOp::Sub => "'-'",
            BinOp::Mul => "'*'",
            BinOp::Div => "'/'",
            BinOp::Rem => "'%'",
            BinOp::Eq => "'=='",
            BinOp::Ne => "'!='",
            BinOp::Lt => "'<'",
            BinOp::Le => "'<='",
            BinOp::Gt => "'>'",
            BinOp::Ge => "'>='",
            BinOp::And => "'&&'",
            BinOp::Or => "'||'",
            BinOp::In => "'in'",
        }
    }

    fn binding(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq | BinOp::Ne => 3,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::In => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div | BinOp::Rem => 6,
        }
    }
}

/// An untyped syntax tree node with the character offset where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Ast {
    /// Character offset in the source text.
    pub pos: usize,
    /// The node.
    pub kind: AstKind,
}

/// The kinds of syntax tree nodes.
#[derive(Clone, Debug, PartialEq)]
pub enum AstKind {
    /// A number literal, as written.
    Num(String),
    /// A string literal.
    Str(String),
    /// `true` / `false`.
    Bool(bool),
    /// `()`: no value.
    Unit,
    /// A bare name.
    Ident(String),
    /// `[a, b]`
    List(Vec<Ast>),
    /// `!x`
    Not(Box<Ast>),
    /// `-x`
    Neg(Box<Ast>),
    /// `a op b`
    Bin(BinOp, Box<Ast>, Box<Ast>),
    /// `f(args)`
    Call(String, Vec<Ast>),
    /// `x.name`
    Field(Box<Ast>, String),
    /// `x.name(args)`
    Method(Box<Ast>, String, Vec<Ast>),
    /// `|p| body` (only as an argument)
    Closure(String, Box<Ast>),
    /// `if c { a } else { b }`
    If(Box<Ast>, Box<Ast>, Box<Ast>),
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(String),
    Str(String),
    Ident(String),
    Punct(&'static str),
    End,
}

const PUNCTS: [&str; 24] = [
    "==", "!=", "<=", ">=", "&&", "||", "(", ")", "[", "]", "{", "}", ",", ".", "|", "+", "-", "*",
    "/", "%", "<", ">", "!", "=",
];

/// The longest expression text accepted, in characters.
pub const MAX_EXPR_CHARS: usize = 4096;
/// The deepest nesting accepted.
pub const MAX_DEPTH: usize = 64;

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, ExprError> {
    let chars: Vec<char> = src.chars().collect();
    if chars.len() > MAX_EXPR_CHARS {
        return Err(ExprError::new(
            0,
            format!("expression is longer than {MAX_EXPR_CHARS} characters"),
        ));
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '_') {
                i += 1;
            }
            if i + 1 < chars.len() && chars[i] == '.' && chars[i + 1].is_ascii_digit() {
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '_') {
                    i += 1;
                }
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let text: String = chars[start..i].iter().filter(|c| **c != '_').collect();
            out.push((Tok::Num(text), start));
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((Tok::Ident(chars[start..i].iter().collect()), start));
            continue;
        }
        if c == '"' {
            i += 1;
            let mut s = String::new();
            loop {
                match chars.get(i) {
                    None => return Err(ExprError::new(start, "unterminated string")),
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some('\\') => {
                        let e = chars.get(i + 1).copied();
                        s.push(match e {
                            Some('n') => '\n',
                            Some('t') => '\t',
                            Some('"') => '"',
                            Some('\\') => '\\',
                            _ => return Err(ExprError::new(i, "unknown escape in string")),
                        });
                        i += 2;
                    }
                    Some(ch) => {
                        s.push(*ch);
                        i += 1;
                    }
                }
            }
            out.push((Tok::Str(s), start));
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
        match PUNCTS.iter().find(|p| rest.starts_with(**p)) {
            Some(p) => {
                i += p.chars().count();
                out.push((Tok::Punct(p), start));
            }
            None => return Err(ExprError::new(start, format!("unexpected character '{c}'"))),
        }
    }
    out.push((Tok::End, chars.len()));
    Ok(out)
}

/// The tallest syntax tree accepted: the longest path from the root to a leaf, where each
/// operator of a chain such as `a + b + c` is a level of its own. Checking it when the pack
/// loads bounds the stack every later stage needs (type-checking, compiling, evaluating).
pub const MAX_HEIGHT: usize = 256;

/// The height of a syntax tree (a leaf is 1), computed without recursion.
pub fn height(ast: &Ast) -> usize {
    let mut tallest = 0;
    let mut stack = vec![(ast, 1usize)];
    while let Some((a, h)) = stack.pop() {
        tallest = tallest.max(h);
        stack.extend(children(a).into_iter().map(|c| (c, h + 1)));
    }
    tallest
}

/// The nodes directly below `a`.
fn children(a: &Ast) -> Vec<&Ast> {
    match &a.kind {
        AstKind::Num(_)
        | AstKind::Str(_)
        | AstKind::Bool(_)
        | AstKind::Unit
        | AstKind::Ident(_) => Vec::new(),
        AstKind::List(xs) | AstKind::Call(_, xs) => xs.iter().collect(),
        AstKind::Not(x) | AstKind::Neg(x) | AstKind::Field(x, _) | AstKind::Closure(_, x) => {
            vec![x]
        }
        AstKind::Bin(_, a, b) => vec![a, b],
        AstKind::Method(x, _, args) => std::iter::once(&**x).chain(args).collect(),
        AstKind::If(c, a, b) => vec![c, a, b],
    }
}

/// Parses an expression.
pub fn parse(src: &str) -> Result<Ast, ExprError> {
    let ast = parse_tree(src)?;
    let h = height(&ast);
    if h > MAX_HEIGHT {
        return Err(ExprError::new(
            0,
            format!(
                "expression is {h} levels deep (each operator of a chain such as a + b + c is a level); the limit is {MAX_HEIGHT}: split it into measures"
            ),
        ));
    }
    Ok(ast)
}

fn parse_tree(src: &str) -> Result<Ast, ExprError> {
    let toks = lex(src)?;
    let mut p = Parser {
        toks,
        i: 0,
        depth: 0,
    };
    let ast = p.expr(0)?;
    match p.peek() {
        Tok::End => Ok(ast),
        Tok::Punct("=") => Err(ExprError::new(
            p.pos(),
            "'=' is assignment, which expressions cannot do; compare with '=='",
        )),
        t => Err(ExprError::new(
            p.pos(),
            format!("unexpected {}", describe(t)),
        )),
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("number {n}"),
        Tok::Str(s) => format!("string \"{s}\""),
        Tok::Ident(s) => format!("name '{s}'"),
        Tok::Punct(p) => format!("'{p}'"),
        Tok::End => "end of expression".into(),
    }
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    i: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.i].0
    }
    fn pos(&self) -> usize {
        self.toks[self.i].1
    }
    fn bump(&mut self) -> Tok {
        let t = self.toks[self.i].0.clone();
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
        t
    }
    fn eat(&mut self, p: &str) -> bool {
        if matches!(self.peek(), Tok::Punct(q) if *q == p) {
            self.bump();
            true
        } else {
            false
        }
    }
    fn expect(&mut self, p: &str) -> Result<(), ExprError> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(ExprError::new(
                self.pos(),
                format!("expected '{p}', found {}", describe(self.peek())),
            ))
        }
    }

    /// Whether the next tokens say `not in` or `!in` (a membership, negated).
    fn not_in(&self) -> bool {
        let next_is_in = matches!(self.toks.get(self.i + 1), Some((Tok::Ident(s), _)) if s == "in");
        next_is_in
            && match self.peek() {
                Tok::Ident(s) => s == "not",
                Tok::Punct(p) => *p == "!",
                _ => false,
            }
    }

    fn binop(&self) -> Option<BinOp> {
        if self.not_in() {
            return Some(BinOp::In);
        }
        Some(match self.peek() {
            Tok::Punct(p) => match *p {
                "+" => BinOp::Add,
                "-" => BinOp::Sub,
                "*" => BinOp::Mul,
                "/" => BinOp::Div,
                "%" => BinOp::Rem,
                "==" => BinOp::Eq,
                "!=" => BinOp::Ne,
                "<" => BinOp::Lt,
                "<=" => BinOp::Le,
                ">" => BinOp::Gt,
                ">=" => BinOp::Ge,
                "&&" => BinOp::And,
                "||" => BinOp::Or,
                _ => return None,
            },
            Tok::Ident(s) if s == "in" => BinOp::In,
            _ => return None,
        })
    }

    fn expr(&mut self, min: u8) -> Result<Ast, ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError::new(
                self.pos(),
                format!("expression is nested too deeply: the limit is {MAX_DEPTH} levels of parentheses, operators of different precedence, unary operators and ifs"),
            ));
        }
        let mut lhs = self.unary()?;
        while let Some(op) = self.binop() {
            let b = op.binding();
            if b <= min {
                break;
            }
            let pos = self.pos();
            let negated = self.not_in();
            if negated {
                self.bump();
            }
            self.bump();
            let rhs = self.expr(b)?;
            lhs = Ast {
                pos,
                kind: AstKind::Bin(op, Box::new(lhs), Box::new(rhs)),
            };
            if negated {
                // `x not in xs` is `!(x in xs)`
                lhs = Ast {
                    pos,
                    kind: AstKind::Not(Box::new(lhs)),
                };
            }
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Ast, ExprError> {
        let pos = self.pos();
        if self.eat("!") {
            let e = self.nested_unary()?;
            return Ok(Ast {
                pos,
                kind: AstKind::Not(Box::new(e)),
            });
        }
        if self.eat("-") {
            let e = self.nested_unary()?;
            return Ok(Ast {
                pos,
                kind: AstKind::Neg(Box::new(e)),
            });
        }
        self.postfix()
    }

    fn nested_unary(&mut self) -> Result<Ast, ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError::new(
                self.pos(),
                format!("expression is nested too deeply: the limit is {MAX_DEPTH} levels of parentheses, operators of different precedence, unary operators and ifs"),
            ));
        }
        let e = self.unary();
        self.depth -= 1;
        e
    }

    fn postfix(&mut self) -> Result<Ast, ExprError> {
        let mut e = self.primary()?;
        while self.eat(".") {
            let pos = self.pos();
            let name = match self.bump() {
                Tok::Ident(n) => n,
                t => {
                    return Err(ExprError::new(
                        pos,
                        format!("expected a name after '.', found {}", describe(&t)),
                    ))
                }
            };
            if self.eat("(") {
                let args = self.args()?;
                e = Ast {
                    pos,
                    kind: AstKind::Method(Box::new(e), name, args),
                };
            } else {
                e = Ast {
                    pos,
                    kind: AstKind::Field(Box::new(e), name),
                };
            }
        }
        Ok(e)
    }

    /// Arguments after `(` up to and including `)`; closures allowed.
    fn args(&mut self) -> Result<Vec<Ast>, ExprError> {
        let mut args = Vec::new();
        if self.eat(")") {
            return Ok(args);
        }
        loop {
            let pos = self.pos();
            if self.eat("|") {
                let name = match self.bump() {
                    Tok::Ident(n) => n,
                    t => {
                        return Err(ExprError::new(
                            pos,
                            format!("expected a parameter name, found {}", describe(&t)),
                        ))
                    }
                };
                self.expect("|")?;
                let body = self.expr(0)?;
                args.push(Ast {
                    pos,
                    kind: AstKind::Closure(name, Box::new(body)),
                });
            } else {
                args.push(self.expr(0)?);
            }
            if self.eat(")") {
                return Ok(args);
            }
            self.expect(",")?;
        }
    }

    /// `if c { a } else { b }` (after `if`); `else if …` chains.
    fn if_expr(&mut self, pos: usize) -> Result<Ast, ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError::new(
                pos,
                format!("expression is nested too deeply: the limit is {MAX_DEPTH} levels"),
            ));
        }
        let cond = self.expr(0)?;
        self.expect("{")?;
        let then = self.expr(0)?;
        self.expect("}")?;
        let else_pos = self.pos();
        match self.bump() {
            Tok::Ident(e) if e == "else" => {}
            _ => {
                return Err(ExprError::new(
                    else_pos,
                    "an if expression needs an else branch: it must give a value either way",
                ))
            }
        }
        let other = if matches!(self.peek(), Tok::Ident(s) if s == "if") {
            let p = self.pos();
            self.bump();
            self.if_expr(p)?
        } else {
            self.expect("{")?;
            let e = self.expr(0)?;
            self.expect("}")?;
            e
        };
        self.depth -= 1;
        Ok(Ast {
            pos,
            kind: AstKind::If(Box::new(cond), Box::new(then), Box::new(other)),
        })
    }

    fn primary(&mut self) -> Result<Ast, ExprError> {
        let pos = self.pos();
        let kind = match self.bump() {
            Tok::Num(n) => AstKind::Num(n),
            Tok::Str(s) => AstKind::Str(s),
            Tok::Ident(s) if s == "true" => AstKind::Bool(true),
            Tok::Ident(s) if s == "false" => AstKind::Bool(false),
            Tok::Ident(s) if s == "if" => return self.if_expr(pos),
            Tok::Ident(s) => {
                if self.eat("(") {
                    AstKind::Call(s, self.args()?)
                } else {
                    AstKind::Ident(s)
                }
            }
            Tok::Punct("(") => {
                if self.eat(")") {
                    AstKind::Unit
                } else {
                    let e = self.expr(0)?;
                    self.expect(")")?;
                    return Ok(e);
                }
            }
            Tok::Punct("[") => {
                let mut items = Vec::new();
                if !self.eat("]") {
                    loop {
                        items.push(self.expr(0)?);
                        if self.eat("]") {
                            break;
                        }
                        self.expect(",")?;
                    }
                }
                AstKind::List(items)
            }
            Tok::Punct("=") => {
                return Err(ExprError::new(
                    pos,
                    "'=' is assignment, which expressions cannot do; compare with '=='",
                ))
            }
            t => return Err(ExprError::new(pos, format!("unexpected {}", describe(&t)))),
        };
        Ok(Ast { pos, kind })
    }
}

#[cfg(test)]
mod tests;
