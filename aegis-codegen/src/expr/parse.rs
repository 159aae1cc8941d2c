//! The expression language's syntax: a lexer and a precedence-climbing parser.
//!
//! ```text
//! expr    := or
//! or      := and ('||' and)*
//! and     := not ('&&' not)*
//! not     := '!' not | compare
//! compare := sum (('=='|'!='|'<'|'<='|'>'|'>=') sum | 'in' '[' literal, … ']')?
//! sum     := product (('+'|'-') product)*
//! product := unary (('*'|'/'|'%') unary)*
//! unary   := '-' unary | postfix
//! postfix := primary ('.' name ('(' args ')')? | '[' expr ']')*
//! primary := number | string | true | false | name ('(' args ')')? | '(' expr ')'
//! args    := (arg (',' arg)*)?      arg := name '=>' expr | expr
//! ```
//!
//! Simulators add statements, `if` expressions, tuples and helper functions:
//!
//! ```text
//! primary   += 'if' expr '{' expr '}' 'else' ('{' expr '}' | if-expr) | '(' expr (',' expr)+ ')'
//! block     := stmt*
//! stmt      := 'let' (name | '(' name (',' name)* ')') '=' expr ';'
//!            | name '=' expr ';'
//!            | 'if' expr '{' block '}' ('else' ('{' block '}' | if-stmt))?
//! functions := ('fn' name '(' (name (',' name)*)? ')' '{' stmt* expr '}')*
//! ```

use std::ops::Range;

/// A parse error: what is wrong and where (a byte range of the expression).
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub span: Range<usize>,
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "||",
            BinOp::And => "&&",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
        }
    }
}

/// An expression with the byte range it spans.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Range<usize>,
}

/// What an expression is.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Number(f64),
    Str(String),
    Bool(bool),
    Name(String),
    /// `receiver.name`
    Field(Box<Expr>, String),
    /// `receiver[index]`
    Index(Box<Expr>, Box<Expr>),
    /// `name(args)`
    Call(String, Vec<Expr>),
    /// `receiver.name(args)`
    Method(Box<Expr>, String, Vec<Expr>),
    /// `param => body`, only as an argument.
    Lambda(String, Box<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `value in [a, b, …]`
    In(Box<Expr>, Vec<Expr>),
    /// `if cond { then } else { otherwise }` (simulators).
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `(a, b, …)` (simulators: what a helper function returns).
    Tuple(Vec<Expr>),
}

/// A statement of a simulator's `step` block or of a helper function.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Range<usize>,
}

/// What a statement is.
#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// `let a = e;` or `let (a, b) = e;` (the names, and whether they were a tuple pattern).
    Let(Bindings, bool, Expr),
    /// `name = e;`
    Assign(String, Range<usize>, Expr),
    /// `if c { … } else if c { … } else { … }`: the guarded branches, then the `else` block.
    If(Vec<(Expr, Vec<Stmt>)>, Vec<Stmt>),
}

/// A helper function: `fn name(a, b) { statements; result }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub name: String,
    pub name_span: Range<usize>,
    pub params: Bindings,
    pub body: Vec<Stmt>,
    pub result: Expr,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    Punct(&'static str),
    End,
}

const PUNCTS: [&str; 26] = [
    "=>", "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-", "*", "/", "%", "(", ")",
    "[", "]", ".", ",", "?", "=", "{", "}", ";",
];

/// Words that are syntax, never names.
const KEYWORDS: [&str; 7] = ["true", "false", "in", "if", "else", "let", "fn"];

fn lex(src: &str) -> Result<Vec<(Tok, Range<usize>)>, ParseError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        // `#` starts a comment to the end of the line (as in the YAML around it).
        if c == b'#' {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        if c.is_ascii_digit() || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            while i < bytes.len()
                && (bytes[i].is_ascii_digit() || bytes[i] == b'.' || bytes[i] == b'_')
            {
                // `1.or(2)` is not a thing; a dot followed by a letter ends the number.
                if bytes[i] == b'.' && !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    break;
                }
                i += 1;
            }
            if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
                let mut j = i + 1;
                if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
                    j += 1;
                }
                if j < bytes.len() && bytes[j].is_ascii_digit() {
                    i = j;
                    while i < bytes.len() && bytes[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let text: String = src[start..i].chars().filter(|c| *c != '_').collect();
            let value: f64 = text.parse().map_err(|_| ParseError {
                message: format!("`{}` is not a number", &src[start..i]),
                span: start..i,
            })?;
            if !value.is_finite() {
                return Err(ParseError {
                    message: format!("`{}` is too large", &src[start..i]),
                    span: start..i,
                });
            }
            out.push((Tok::Num(value), start..i));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push((Tok::Ident(src[start..i].to_owned()), start..i));
            continue;
        }
        if c == b'"' || c == b'\'' {
            let quote = c as char;
            let mut value = String::new();
            let mut chars = src[i + 1..].char_indices();
            let mut closed = None;
            while let Some((j, ch)) = chars.next() {
                match ch {
                    '\\' => match chars.next() {
                        Some((_, 'n')) => value.push('\n'),
                        Some((_, 't')) => value.push('\t'),
                        Some((_, c @ ('\\' | '"' | '\''))) => value.push(c),
                        Some((k, other)) => {
                            let at = i + 1 + k;
                            return Err(ParseError {
                                message: format!(
                                    "unknown escape `\\{other}` in a string; write the character itself (escapes are \\n \\t \\\\ \\\" \\')"
                                ),
                                span: at - 1..at + other.len_utf8(),
                            });
                        }
                        None => break,
                    },
                    ch if ch == quote => {
                        closed = Some(i + 1 + j + 1);
                        break;
                    }
                    ch => value.push(ch),
                }
            }
            let Some(end) = closed else {
                return Err(ParseError {
                    message: "unterminated string: expected a closing quote".into(),
                    span: start..src.len(),
                });
            };
            out.push((Tok::Str(value), start..end));
            i = end;
            continue;
        }
        let rest = &src[i..];
        if let Some(p) = PUNCTS.iter().find(|p| rest.starts_with(**p)) {
            i += p.len();
            out.push((Tok::Punct(p), start..i));
            continue;
        }
        let ch = rest.chars().next().unwrap_or('?');
        return Err(ParseError {
            message: format!("unexpected character `{ch}`"),
            span: start..start + ch.len_utf8(),
        });
    }
    out.push((Tok::End, src.len()..src.len()));
    Ok(out)
}

/// Parses an expression.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let mut p = Parser::new(src)?;
    let e = p.expr()?;
    match p.peek() {
        Tok::End => Ok(e),
        _ => Err(p.unexpected("an operator or the end of the expression")),
    }
}

/// Parses a simulator's `step` block: statements to the end.
pub fn parse_block(src: &str) -> Result<Vec<Stmt>, ParseError> {
    Parser::new(src)?.until_end(Parser::stmt)
}

/// Parses a simulator's helper functions.
pub fn parse_functions(src: &str) -> Result<Vec<Function>, ParseError> {
    Parser::new(src)?.until_end(Parser::function)
}

/// Names bound by `for_each`, with their spans.
pub type Bindings = Vec<(String, Range<usize>)>;

/// Parses `name in list` or `a, b in list` (a validator's `for_each`).
pub fn parse_for_each(src: &str) -> Result<(Bindings, Expr), ParseError> {
    let mut p = Parser::new(src)?;
    let mut names = Vec::new();
    loop {
        let (name, span) = p.ident("a name to bind, as in `m in medications`")?;
        names.push((name, span));
        if p.eat(",") {
            continue;
        }
        break;
    }
    if !p.eat_keyword("in") {
        return Err(p.unexpected("`in`, as in `m in medications` or `a, b in medications`"));
    }
    let list = p.expr()?;
    match p.peek() {
        Tok::End => Ok((names, list)),
        _ => Err(p.unexpected("the end of `for_each`")),
    }
}

struct Parser {
    tokens: Vec<(Tok, Range<usize>)>,
    pos: usize,
    /// How deeply expressions nest here: bounded, so that no spec can overflow the stack.
    depth: usize,
}

/// The deepest nesting of parentheses, `!`, `-` and arguments an expression may have.
const MAX_DEPTH: usize = 64;

impl Parser {
    fn new(src: &str) -> Result<Parser, ParseError> {
        Ok(Parser {
            tokens: lex(src)?,
            pos: 0,
            depth: 0,
        })
    }

    /// `item` repeated to the end of the text.
    fn until_end<T>(
        &mut self,
        item: fn(&mut Parser) -> Result<T, ParseError>,
    ) -> Result<Vec<T>, ParseError> {
        let mut items = Vec::new();
        while !matches!(self.peek(), Tok::End) {
            items.push(item(self)?);
        }
        Ok(items)
    }

    fn peek(&self) -> &Tok {
        &self.tokens[self.pos.min(self.tokens.len() - 1)].0
    }

    fn span(&self) -> Range<usize> {
        self.tokens[self.pos.min(self.tokens.len() - 1)].1.clone()
    }

    fn bump(&mut self) -> (Tok, Range<usize>) {
        let t = self.tokens[self.pos.min(self.tokens.len() - 1)].clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn eat(&mut self, punct: &str) -> bool {
        if matches!(self.peek(), Tok::Punct(p) if *p == punct) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_keyword(&mut self, kw: &str) -> bool {
        if matches!(self.peek(), Tok::Ident(i) if i == kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn unexpected(&self, expected: &str) -> ParseError {
        let found = match self.peek() {
            Tok::Num(n) => format!("the number {n}"),
            Tok::Str(s) => format!("the string {s:?}"),
            Tok::Ident(i) => format!("`{i}`"),
            Tok::Punct(p) => format!("`{p}`"),
            Tok::End => "the end of the expression".to_owned(),
        };
        let hint = match self.peek() {
            Tok::Punct("=") => " (use `==` to compare)",
            Tok::Punct("?") => " (`?` is only for types; use `.or(default)` for a missing value)",
            _ => "",
        };
        ParseError {
            message: format!("expected {expected}, found {found}{hint}"),
            span: self.span(),
        }
    }

    fn expect(&mut self, punct: &str, what: &str) -> Result<Range<usize>, ParseError> {
        if self.eat(punct) {
            Ok(self.tokens[self.pos - 1].1.clone())
        } else {
            Err(self.unexpected(what))
        }
    }

    fn ident(&mut self, what: &str) -> Result<(String, Range<usize>), ParseError> {
        match self.peek().clone() {
            Tok::Ident(name) if !KEYWORDS.contains(&name.as_str()) => {
                let (_, span) = self.bump();
                Ok((name, span))
            }
            _ => Err(self.unexpected(what)),
        }
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        self.nested(|p| p.left_assoc(&[("||", BinOp::Or)], Parser::and))
    }

    /// Runs `f` one level deeper, refusing to go past `MAX_DEPTH`.
    fn nested(
        &mut self,
        f: impl FnOnce(&mut Parser) -> Result<Expr, ParseError>,
    ) -> Result<Expr, ParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(ParseError {
                message: format!("the expression nests more than {MAX_DEPTH} levels deep"),
                span: self.span(),
            });
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        self.left_assoc(&[("&&", BinOp::And)], Parser::not)
    }

    fn sum(&mut self) -> Result<Expr, ParseError> {
        self.left_assoc(&[("+", BinOp::Add), ("-", BinOp::Sub)], Parser::product)
    }

    fn product(&mut self) -> Result<Expr, ParseError> {
        self.left_assoc(
            &[("*", BinOp::Mul), ("/", BinOp::Div), ("%", BinOp::Rem)],
            Parser::unary,
        )
    }

    /// `next (op next)*`, folded to the left.
    fn left_assoc(
        &mut self,
        ops: &[(&str, BinOp)],
        next: fn(&mut Parser) -> Result<Expr, ParseError>,
    ) -> Result<Expr, ParseError> {
        let mut lhs = next(self)?;
        'outer: loop {
            for (sym, op) in ops {
                if self.eat(sym) {
                    let rhs = next(self)?;
                    let span = lhs.span.start..rhs.span.end;
                    lhs = Expr {
                        kind: ExprKind::Binary(*op, Box::new(lhs), Box::new(rhs)),
                        span,
                    };
                    continue 'outer;
                }
            }
            return Ok(lhs);
        }
    }

    fn not(&mut self) -> Result<Expr, ParseError> {
        let start = self.span().start;
        if self.eat("!") {
            let inner = self.nested(Parser::not)?;
            let span = start..inner.span.end;
            return Ok(Expr {
                kind: ExprKind::Not(Box::new(inner)),
                span,
            });
        }
        self.compare()
    }

    fn compare(&mut self) -> Result<Expr, ParseError> {
        const OPS: [(&str, BinOp); 6] = [
            ("==", BinOp::Eq),
            ("!=", BinOp::Ne),
            ("<=", BinOp::Le),
            (">=", BinOp::Ge),
            ("<", BinOp::Lt),
            (">", BinOp::Gt),
        ];
        let lhs = self.sum()?;
        for (sym, op) in OPS {
            if self.eat(sym) {
                let rhs = self.sum()?;
                let span = lhs.span.start..rhs.span.end;
                return Ok(Expr {
                    kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                    span,
                });
            }
        }
        if self.eat_keyword("in") {
            self.expect("[", "`[` to start the list after `in`")?;
            let mut items = Vec::new();
            if !self.eat("]") {
                loop {
                    items.push(self.primary()?);
                    if self.eat(",") {
                        continue;
                    }
                    self.expect("]", "`,` or `]` in the list after `in`")?;
                    break;
                }
            }
            let end = self.tokens[self.pos - 1].1.end;
            let span = lhs.span.start..end;
            return Ok(Expr {
                kind: ExprKind::In(Box::new(lhs), items),
                span,
            });
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        let start = self.span().start;
        if self.eat("-") {
            let inner = self.nested(Parser::unary)?;
            let span = start..inner.span.end;
            return Ok(Expr {
                kind: ExprKind::Neg(Box::new(inner)),
                span,
            });
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.primary()?;
        loop {
            if self.eat(".") {
                let (name, name_span) = self.ident("a field or method name after `.`")?;
                if self.eat("(") {
                    let args = self.args()?;
                    let span = e.span.start..self.tokens[self.pos - 1].1.end;
                    e = Expr {
                        kind: ExprKind::Method(Box::new(e), name, args),
                        span,
                    };
                } else {
                    let span = e.span.start..name_span.end;
                    e = Expr {
                        kind: ExprKind::Field(Box::new(e), name),
                        span,
                    };
                }
            } else if self.eat("[") {
                let index = self.expr()?;
                let end = self.expect("]", "`]`")?.end;
                let span = e.span.start..end;
                e = Expr {
                    kind: ExprKind::Index(Box::new(e), Box::new(index)),
                    span,
                };
            } else {
                return Ok(e);
            }
        }
    }

    fn args(&mut self) -> Result<Vec<Expr>, ParseError> {
        let mut args = Vec::new();
        if self.eat(")") {
            return Ok(args);
        }
        loop {
            let is_lambda = matches!(self.peek(), Tok::Ident(_))
                && matches!(
                    self.tokens.get(self.pos + 1).map(|t| &t.0),
                    Some(Tok::Punct("=>"))
                );
            if is_lambda {
                let (param, span) = self.ident("a parameter name")?;
                self.pos += 1; // `=>`
                let body = self.expr()?;
                let whole = span.start..body.span.end;
                args.push(Expr {
                    kind: ExprKind::Lambda(param, Box::new(body)),
                    span: whole,
                });
            } else {
                args.push(self.expr()?);
            }
            if self.eat(",") {
                continue;
            }
            self.expect(")", "`,` or `)` after an argument")?;
            return Ok(args);
        }
    }

    /// `if c { a } else { b }`, after the `if` (which began at `start`).
    fn if_expr(&mut self, start: usize) -> Result<Expr, ParseError> {
        self.nested(|p| {
            let cond = p.expr()?;
            p.expect("{", "`{` after the condition of `if`")?;
            let then = p.expr()?;
            p.expect("}", "`}` after the value of the `if` branch")?;
            if !p.eat_keyword("else") {
                return Err(
                    p.unexpected("`else`: an `if` that gives a value needs an `else` branch")
                );
            }
            let otherwise = if p.eat_keyword("if") {
                let at = p.tokens[p.pos - 1].1.start;
                p.if_expr(at)?
            } else {
                p.expect("{", "`{` or `if` after `else`")?;
                let e = p.expr()?;
                p.expect("}", "`}` after the value of the `else` branch")?;
                e
            };
            let end = p.tokens[p.pos - 1].1.end;
            Ok(Expr {
                kind: ExprKind::If(Box::new(cond), Box::new(then), Box::new(otherwise)),
                span: start..end,
            })
        })
    }

    /// One statement.
    fn stmt(&mut self) -> Result<Stmt, ParseError> {
        let start = self.span().start;
        if self.eat_keyword("let") {
            let (names, tuple) = if self.eat("(") {
                (self.names_then_close("a name to bind", "a name")?, true)
            } else {
                (vec![self.ident("a name to bind after `let`")?], false)
            };
            self.expect("=", "`=` after the name `let` binds")?;
            let value = self.expr()?;
            let end = self.expect(";", "`;` at the end of the `let`")?.end;
            return Ok(Stmt {
                kind: StmtKind::Let(names, tuple, value),
                span: start..end,
            });
        }
        if self.eat_keyword("if") {
            let mut branches = Vec::new();
            let mut otherwise = Vec::new();
            loop {
                let cond = self.expr()?;
                let body = self.braced_block()?;
                branches.push((cond, body));
                if !self.eat_keyword("else") {
                    break;
                }
                if self.eat_keyword("if") {
                    continue;
                }
                otherwise = self.braced_block()?;
                break;
            }
            let end = self.tokens[self.pos - 1].1.end;
            return Ok(Stmt {
                kind: StmtKind::If(branches, otherwise),
                span: start..end,
            });
        }
        let is_assign = matches!(self.peek(), Tok::Ident(_))
            && matches!(
                self.tokens.get(self.pos + 1).map(|t| &t.0),
                Some(Tok::Punct("="))
            );
        if is_assign {
            let (name, name_span) = self.ident("a name to assign to")?;
            self.pos += 1; // `=`
            let value = self.expr()?;
            let end = self.expect(";", "`;` at the end of the assignment")?.end;
            return Ok(Stmt {
                kind: StmtKind::Assign(name, name_span, value),
                span: start..end,
            });
        }
        Err(self.unexpected("a statement: `let name = …;`, `name = …;` or `if … { … }`"))
    }

    /// `{ stmt* }`
    fn braced_block(&mut self) -> Result<Vec<Stmt>, ParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(ParseError {
                message: format!("blocks nest more than {MAX_DEPTH} levels deep"),
                span: self.span(),
            });
        }
        self.expect("{", "`{` to start the block")?;
        self.depth += 1;
        let mut stmts = Vec::new();
        let result = loop {
            if self.eat("}") {
                break Ok(stmts);
            }
            if matches!(self.peek(), Tok::End) {
                break Err(self.unexpected("`}` to close the block"));
            }
            match self.stmt() {
                Ok(s) => stmts.push(s),
                Err(e) => break Err(e),
            }
        };
        self.depth -= 1;
        result
    }

    /// One or more names separated by commas, then the closing `)`: `what` names one in an
    /// error, `after` is what a `,` or `)` must follow.
    fn names_then_close(
        &mut self,
        what: &str,
        after: &str,
    ) -> Result<Vec<(String, Range<usize>)>, ParseError> {
        let mut names = vec![self.ident(what)?];
        while self.eat(",") {
            names.push(self.ident(what)?);
        }
        self.expect(")", &format!("`,` or `)` after {after}"))?;
        Ok(names)
    }

    /// `fn name(a, b) { stmt* result }`
    fn function(&mut self) -> Result<Function, ParseError> {
        if !self.eat_keyword("fn") {
            return Err(self.unexpected("`fn`, to define a helper function"));
        }
        let (name, name_span) = self.ident("the function's name")?;
        self.expect("(", "`(` after the function's name")?;
        let params = if self.eat(")") {
            Vec::new()
        } else {
            self.names_then_close("a parameter name", "a parameter")?
        };
        self.expect("{", "`{` to start the function's body")?;
        let mut body = Vec::new();
        loop {
            // A statement, unless what follows is the function's result: an `if` that gives a
            // value is tried as a statement first, then as the result.
            let starts_stmt = match self.peek() {
                Tok::Ident(k) if k == "let" => true,
                Tok::Ident(k) if k == "if" => {
                    let save = self.pos;
                    match self.stmt() {
                        Ok(s) if !matches!(self.peek(), Tok::Punct("}")) => {
                            body.push(s);
                            continue;
                        }
                        Ok(_) => {
                            return Err(ParseError {
                                message: "a function ends with the expression it returns (after its statements)".into(),
                                span: self.span(),
                            });
                        }
                        Err(as_stmt) => {
                            // Not a statement: the result, an `if` that gives a value. When it
                            // is not that either, report whichever reading got further.
                            self.pos = save;
                            let attempt = self.expr().and_then(|e| {
                                self.expect("}", "`}`: a function ends with the expression it returns, without `;`")?;
                                Ok(e)
                            });
                            match attempt {
                                Ok(result) => {
                                    return Ok(Function {
                                        name,
                                        name_span,
                                        params,
                                        body,
                                        result,
                                    });
                                }
                                Err(as_expr) => {
                                    return Err(if as_stmt.span.start >= as_expr.span.start {
                                        as_stmt
                                    } else {
                                        as_expr
                                    });
                                }
                            }
                        }
                    }
                }
                Tok::Ident(_) => matches!(
                    self.tokens.get(self.pos + 1).map(|t| &t.0),
                    Some(Tok::Punct("="))
                ),
                _ => false,
            };
            if starts_stmt {
                body.push(self.stmt()?);
                continue;
            }
            let result = self.expr()?;
            self.expect(
                "}",
                "`}`: a function ends with the expression it returns, without `;`",
            )?;
            return Ok(Function {
                name,
                name_span,
                params,
                body,
                result,
            });
        }
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let (tok, span) = self.bump();
        let kind = match tok {
            Tok::Num(n) => ExprKind::Number(n),
            Tok::Str(s) => ExprKind::Str(s),
            Tok::Ident(i) if i == "true" => ExprKind::Bool(true),
            Tok::Ident(i) if i == "false" => ExprKind::Bool(false),
            Tok::Ident(i) if i == "if" => return self.if_expr(span.start),
            Tok::Ident(i) if KEYWORDS.contains(&i.as_str()) => {
                self.pos -= 1;
                return Err(self.unexpected("a value"));
            }
            Tok::Ident(name) => {
                if self.eat("(") {
                    let args = self.args()?;
                    let end = self.tokens[self.pos - 1].1.end;
                    return Ok(Expr {
                        kind: ExprKind::Call(name, args),
                        span: span.start..end,
                    });
                }
                ExprKind::Name(name)
            }
            Tok::Punct("(") => {
                let inner = self.expr()?;
                if self.eat(",") {
                    let mut items = vec![inner];
                    loop {
                        items.push(self.expr()?);
                        if !self.eat(",") {
                            break;
                        }
                    }
                    let end = self.expect(")", "`,` or `)` in the tuple")?.end;
                    return Ok(Expr {
                        kind: ExprKind::Tuple(items),
                        span: span.start..end,
                    });
                }
                let end = self.expect(")", "`)`")?.end;
                return Ok(Expr {
                    kind: inner.kind,
                    span: span.start..end,
                });
            }
            _ => {
                // Not a value: report the token itself (which `bump` did not consume at the end).
                if self.tokens[self.pos].1 != span {
                    self.pos -= 1;
                }
                return Err(self.unexpected("a value (a number, a string, a name or `(`)"));
            }
        };
        Ok(Expr { kind, span })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Number(n) => n.to_string(),
            ExprKind::Str(s) => format!("{s:?}"),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Name(n) => n.clone(),
            ExprKind::Field(r, n) => format!("{}.{n}", show(r)),
            ExprKind::Index(r, i) => format!("{}[{}]", show(r), show(i)),
            ExprKind::Call(n, a) => {
                format!("{n}({})", a.iter().map(show).collect::<Vec<_>>().join(", "))
            }
            ExprKind::Method(r, n, a) => format!(
                "{}.{n}({})",
                show(r),
                a.iter().map(show).collect::<Vec<_>>().join(", ")
            ),
            ExprKind::Lambda(p, b) => format!("{p} => {}", show(b)),
            ExprKind::Not(i) => format!("!{}", show(i)),
            ExprKind::Neg(i) => format!("-{}", show(i)),
            ExprKind::Binary(op, l, r) => format!("({} {} {})", show(l), op.symbol(), show(r)),
            ExprKind::In(v, l) => format!(
                "({} in [{}])",
                show(v),
                l.iter().map(show).collect::<Vec<_>>().join(", ")
            ),
            ExprKind::If(c, t, e) => {
                format!("if {} {{ {} }} else {{ {} }}", show(c), show(t), show(e))
            }
            ExprKind::Tuple(items) => {
                format!(
                    "({})",
                    items.iter().map(show).collect::<Vec<_>>().join(", ")
                )
            }
        }
    }

    #[test]
    fn precedence_is_conventional() {
        let e = parse("a + b * 2 <= c.d && !x || y in ['p', 'q']").unwrap();
        assert_eq!(
            show(&e),
            "((((a + (b * 2)) <= c.d) && !x) || (y in [\"p\", \"q\"]))"
        );
    }

    #[test]
    fn methods_lambdas_and_indexing() {
        let e = parse("drugs[m.drug].max_daily_mg * times_per_day(m.freq).or(1)").unwrap();
        assert_eq!(
            show(&e),
            "(drugs[m.drug].max_daily_mg * times_per_day(m.freq).or(1))"
        );
        let e = parse("issues.any(i => i.severity >= \"high\")").unwrap();
        assert_eq!(show(&e), "issues.any(i => (i.severity >= \"high\"))");
    }

    #[test]
    fn errors_point_at_the_offending_token() {
        let err = parse("a = 3").unwrap_err();
        assert_eq!(err.span, 2..3);
        assert!(err.message.contains("use `==`"), "{}", err.message);
        let err = parse("(a + 1").unwrap_err();
        assert!(err.message.contains("expected `)`"), "{}", err.message);
    }

    #[test]
    fn empty_and_deeply_nested_expressions_are_errors_not_panics() {
        for src in ["", "   ", "(", "a +", "in", "!"] {
            assert!(parse(src).is_err(), "{src:?}");
        }
        let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(
            parse(&deep)
                .unwrap_err()
                .message
                .contains("nests more than")
        );
        assert!(parse(&"!".repeat(10_000)).is_err());
        assert!(parse(&"-".repeat(10_000)).is_err());
    }

    #[test]
    fn for_each_binds_one_or_two_names() {
        let (names, list) = parse_for_each("a, b in medications").unwrap();
        assert_eq!(
            names.iter().map(|n| n.0.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(show(&list), "medications");
    }

    #[test]
    fn step_blocks_and_functions_parse() {
        let block = parse_block(
            "let force = if action == 1 { f } else { -f }; # a comment\n\
             x = x + tau * x_dot;\n\
             if x > 1 { x = 1; } else if x < -1 { x = -1; } else { let y = 2; }\n\
             let (a, b) = deriv(x, 2);",
        )
        .unwrap();
        assert_eq!(block.len(), 4);
        match &block[0].kind {
            StmtKind::Let(names, false, e) => {
                assert_eq!(names[0].0, "force");
                assert_eq!(show(e), "if (action == 1) { f } else { -f }");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&block[2].kind, StmtKind::If(b, e) if b.len() == 2 && e.len() == 1));
        assert!(matches!(&block[3].kind, StmtKind::Let(n, true, _) if n.len() == 2));
        let fns = parse_functions(
            "fn sq(x) { x * x }\n\
             fn deriv(a, b) { let c = a + b; if c > 0 { c = 0; } (c, a) }\n\
             fn pick(a) { if a > 0 { 1 } else { 2 } }",
        )
        .unwrap();
        assert_eq!(fns.len(), 3);
        assert_eq!(fns[1].body.len(), 2);
        assert_eq!(show(&fns[1].result), "(c, a)");
        assert_eq!(show(&fns[2].result), "if (a > 0) { 1 } else { 2 }");
    }

    #[test]
    fn statement_errors_say_what_was_expected() {
        let err = parse_block("x = 1").unwrap_err();
        assert!(err.message.contains("`;`"), "{}", err.message);
        let err = parse_block("1 + 2;").unwrap_err();
        assert!(err.message.contains("a statement"), "{}", err.message);
        let err = parse_block("let y = if a { 1 };").unwrap_err();
        assert!(err.message.contains("else"), "{}", err.message);
        let err = parse_functions("fn f(x) { x; }").unwrap_err();
        assert!(err.message.contains("without `;`"), "{}", err.message);
        let err = parse_functions("fn f(x) { if x > 0 { y = 1; } }").unwrap_err();
        assert!(
            err.message.contains("ends with the expression it returns"),
            "{}",
            err.message
        );
        let err = parse_functions("fn f(x) { if x > 0 { let y = ; } x }").unwrap_err();
        assert!(err.message.contains("expected a value"), "{}", err.message);
        assert_eq!(err.span.start, 29, "{err:?}");
        let deep = format!("{}{}", "if a { ".repeat(200), "}".repeat(200));
        assert!(parse_block(&deep).is_err());
    }
}
