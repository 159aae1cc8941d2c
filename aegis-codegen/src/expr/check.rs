//! Type-checks expressions and compiles them to Rust tokens in one pass.
//!
//! Values that may be missing have an optional type (`number?`). Operations on them propagate
//! the missing value (SQL's three-valued logic): a rule whose inputs are missing neither passes
//! nor fails; it does not apply. `x.or(default)` supplies a default.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use super::parse::{BinOp, Expr, ExprKind};
use crate::checked::{ColumnType, DataField, DataTree, ScalarType, Schema};
use crate::expr::prec;

/// The type of an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    Bool,
    Num,
    Str,
    Severity,
    /// A value that may be missing.
    Opt(Box<Ty>),
    List(Box<Ty>),
    /// A row of a table.
    Row(String),
    /// A whole table.
    Table(String),
    /// One match of an extractor.
    Item(String),
    /// A Tier-1 issue (escalation rules only).
    Issue,
    /// A group of the `data` section, by path.
    Group(Vec<String>),
    /// A Tier-2 model's scores (`p`): one number per label.
    Scores(Vec<String>),
}

impl Ty {
    fn opt(self) -> Ty {
        match self {
            Ty::Opt(_) => self,
            other => Ty::Opt(Box::new(other)),
        }
    }

    fn is_opt(&self) -> bool {
        matches!(self, Ty::Opt(_))
    }

    /// The type with any optional layer removed.
    fn base(&self) -> &Ty {
        match self {
            Ty::Opt(inner) => inner,
            other => other,
        }
    }

    pub(crate) fn is_condition(&self) -> bool {
        matches!(self.base(), Ty::Bool)
    }

    pub(crate) fn is_showable(&self) -> bool {
        matches!(self.base(), Ty::Bool | Ty::Num | Ty::Str | Ty::Severity)
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Bool => f.write_str("bool"),
            Ty::Num => f.write_str("number"),
            Ty::Str => f.write_str("string"),
            Ty::Severity => f.write_str("severity"),
            Ty::Opt(inner) => write!(f, "{inner}? (may be missing)"),
            Ty::List(inner) => write!(f, "list<{inner}>"),
            Ty::Row(t) => write!(f, "a row of table `{t}`"),
            Ty::Table(t) => write!(f, "table `{t}`"),
            Ty::Item(e) => write!(f, "a match of extractor `{e}`"),
            Ty::Issue => f.write_str("issue"),
            Ty::Group(p) => write!(f, "data group `{}`", p.join(".")),
            Ty::Scores(labels) => write!(f, "model scores ({})", labels.join(", ")),
        }
    }
}

/// A compiled expression: its type and the Rust tokens that compute it.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub(crate) ty: Ty,
    pub(crate) tokens: TokenStream,
    /// How tightly the tokens bind ([`prec`]): they are parenthesised only where a place needs
    /// tighter.
    prec: u8,
}

impl Compiled {
    fn atom(ty: Ty, tokens: TokenStream) -> Self {
        Compiled {
            ty,
            tokens,
            prec: prec::ATOM,
        }
    }

    /// The tokens in a place that needs precedence `min` (see [`prec`]): parenthesised only
    /// when they bind more loosely.
    pub(crate) fn operand(&self, min: u8) -> TokenStream {
        prec::place(self.tokens.clone(), self.prec, min)
    }

    /// The tokens as the receiver of a method call or field access.
    pub(crate) fn receiver(&self) -> TokenStream {
        self.operand(prec::ATOM)
    }

    /// The tokens as an `Option`: wrapped in `Some` unless already optional.
    fn as_option(&self) -> TokenStream {
        if self.ty.is_opt() {
            self.tokens.clone()
        } else {
            let t = &self.tokens;
            quote!(Some(#t))
        }
    }
}

/// A type error: what is wrong and where in the expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CheckError {
    pub(crate) message: String,
    pub(crate) span: Range<usize>,
}

fn err<T>(span: &Range<usize>, message: impl Into<String>) -> Result<T, CheckError> {
    Err(CheckError {
        message: message.into(),
        span: span.clone(),
    })
}

/// Names bound locally: `for_each` variables, `let` values, lambda parameters.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    /// Name, type and a unique id of each binding, innermost last.
    locals: Vec<(String, Ty, usize)>,
    /// Whether `issues` (the Tier-1 issues) is in scope: escalation rules only.
    pub(crate) issues: bool,
    /// Names whose definition had an error (already reported): uses of them are not reported
    /// again as unknown.
    pub(crate) poisoned: BTreeSet<String>,
}

impl Scope {
    /// Binds `name`; returns the binding's id (unique in the process), by which `Refs::locals`
    /// records its uses.
    pub(crate) fn bind(&mut self, name: &str, ty: Ty) -> usize {
        static NEXT_BINDING: std::sync::atomic::AtomicUsize =
            std::sync::atomic::AtomicUsize::new(0);
        let id = NEXT_BINDING.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.locals.push((name.to_owned(), ty, id));
        id
    }

    fn lookup(&self, name: &str) -> Option<(&Ty, usize)> {
        self.locals
            .iter()
            .rev()
            .find(|(n, _, _)| n == name)
            .map(|(_, t, id)| (t, *id))
    }
}

/// What an expression read, so that an issue can point at its evidence.
#[derive(Debug, Clone, Default)]
pub(crate) struct Refs {
    pub(crate) extractors: BTreeSet<String>,
    pub(crate) data_paths: BTreeSet<String>,
    /// Bindings (`for_each` variables, `let` values, lambda parameters) that were read, by id.
    pub(crate) locals: BTreeSet<usize>,
}

/// Checks and compiles expressions against a domain's schema.
pub(crate) struct Checker<'s> {
    schema: &'s Schema,
    pub(crate) refs: Refs,
    /// The top-level data groups every expression compiled so far read (unlike `refs`, never
    /// reset): a tool call bound to one of them is checked by the rule.
    pub(crate) groups_read: BTreeSet<String>,
    fresh: usize,
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

fn num_lit(v: f64) -> TokenStream {
    let lit = Literal::f64_unsuffixed(v);
    quote!(#lit)
}

impl<'s> Checker<'s> {
    pub(crate) fn new(schema: &'s Schema) -> Self {
        Checker {
            schema,
            refs: Refs::default(),
            groups_read: BTreeSet::new(),
            fresh: 0,
        }
    }

    fn fresh(&mut self) -> Ident {
        self.fresh += 1;
        format_ident!("__v{}", self.fresh)
    }

    /// Compiles `expr` in `scope`.
    pub(crate) fn compile(&mut self, expr: &Expr, scope: &Scope) -> Result<Compiled, CheckError> {
        let span = &expr.span;
        match &expr.kind {
            ExprKind::Number(v) => Ok(Compiled::atom(Ty::Num, num_lit(*v))),
            ExprKind::Str(s) => Ok(Compiled::atom(Ty::Str, quote!(#s))),
            ExprKind::Bool(b) => Ok(Compiled::atom(Ty::Bool, quote!(#b))),
            ExprKind::Name(name) => self.name(name, span, scope),
            ExprKind::Field(recv, name) => {
                let recv = self.compile(recv, scope)?;
                self.field(recv, name, span)
            }
            ExprKind::Index(recv, index) => {
                let recv_c = self.compile(recv, scope)?;
                let Ty::Table(table) = &recv_c.ty else {
                    return err(
                        span,
                        format!("only a table can be indexed, and this is {}", recv_c.ty),
                    );
                };
                let table = self.schema.table(table).ok_or_else(|| CheckError {
                    message: "unknown table".into(),
                    span: span.clone(),
                })?;
                let Some(key) = &table.key else {
                    return err(
                        span,
                        format!(
                            "table `{}` has no `key`, so it cannot be indexed; declare `key:` in the table or use `{}.find(r => …)`",
                            table.name, table.name
                        ),
                    );
                };
                let index = self.compile(index, scope)?;
                if index.ty.base() != &Ty::Str {
                    return err(
                        &expr.span,
                        format!(
                            "a key of table `{}` is a string (its `{key}` column), but this is {}",
                            table.name, index.ty
                        ),
                    );
                }
                let lookup = format_ident!("{}_by_{}", table.name, key);
                let row = Ty::Row(table.name.clone());
                Ok(self.lift(prec::ATOM, vec![index], &[prec::ANY], |a| {
                    (row.clone().opt(), quote!(#lookup(#(#a)*)))
                }))
            }
            ExprKind::Call(name, args) => self.call(name, args, span, scope),
            ExprKind::Method(recv, name, args) => self.method(recv, name, args, span, scope),
            ExprKind::Lambda(..) => err(
                span,
                "a lambda (`x => …`) is only allowed as the argument of `any`, `all`, `count`, `find` or `last`",
            ),
            ExprKind::If(..) | ExprKind::Tuple(..) => err(
                span,
                "`if … else …` and tuples belong to simulators; in a rule, combine conditions with `&&`, `||` and `.or(default)`",
            ),
            ExprKind::Not(inner) => {
                // `!x.exists()` reads better (and lints cleaner) as `x.is_none()`.
                if let ExprKind::Method(recv, m, args) = &inner.kind
                    && m == "exists"
                    && args.is_empty()
                {
                    let c = self.compile(recv, scope)?;
                    if c.ty.is_opt() {
                        let t = c.receiver();
                        return Ok(Compiled::atom(Ty::Bool, quote!(#t.is_none())));
                    }
                }
                let c = self.compile(inner, scope)?;
                if !c.ty.is_condition() {
                    return err(
                        &inner.span,
                        format!("`!` needs a condition (bool), but this is {}", c.ty),
                    );
                }
                Ok(self.not(c))
            }
            ExprKind::Neg(inner) => {
                let c = self.compile(inner, scope)?;
                if c.ty.base() != &Ty::Num {
                    return err(
                        &inner.span,
                        format!("`-` needs a number, but this is {}", c.ty),
                    );
                }
                Ok(self.lift(prec::UNARY, vec![c], &[prec::UNARY], |a| {
                    (Ty::Num, quote!(-#(#a)*))
                }))
            }
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, span, scope),
            ExprKind::In(value, items) => {
                let v = self.compile(value, scope)?;
                if v.ty.base() != &Ty::Str {
                    return err(
                        &value.span,
                        format!("`in [...]` compares strings, but this is {}", v.ty),
                    );
                }
                let mut lits = Vec::new();
                for item in items {
                    let ExprKind::Str(s) = &item.kind else {
                        return err(
                            &item.span,
                            "the list after `in` may hold only string literals",
                        );
                    };
                    lits.push(s.clone());
                }
                if lits.is_empty() {
                    return err(
                        span,
                        "the list after `in` is empty: the condition could never hold",
                    );
                }
                Ok(self.lift(prec::ATOM, vec![v], &[prec::ANY], |a| {
                    let a = &a[0];
                    (Ty::Bool, quote!(matches!(#a, #(#lits)|*)))
                }))
            }
        }
    }

    fn name(
        &mut self,
        name: &str,
        span: &Range<usize>,
        scope: &Scope,
    ) -> Result<Compiled, CheckError> {
        if let Some((ty, binding)) = scope.lookup(name) {
            self.refs.locals.insert(binding);
            let id = ident(name);
            return Ok(Compiled::atom(ty.clone(), quote!(#id)));
        }
        match name {
            "input" => return Ok(Compiled::atom(Ty::Str, quote!(ctx.trace.input.as_str()))),
            "output" => return Ok(Compiled::atom(Ty::Str, quote!(ctx.trace.output.as_str()))),
            "model" => {
                return Ok(Compiled::atom(
                    Ty::Str.opt(),
                    quote!(ctx.trace.model.as_deref()),
                ));
            }
            "issues" if scope.issues => {
                return Ok(Compiled::atom(
                    Ty::List(Box::new(Ty::Issue)),
                    quote!(issues),
                ));
            }
            _ => {}
        }
        if let Some(node) = self.schema.data.get(name) {
            return Ok(self.data_node(node, &[name.to_owned()]));
        }
        if self.schema.table(name).is_some() {
            let id = format_ident!("{}", name.to_uppercase());
            return Ok(Compiled::atom(Ty::Table(name.to_owned()), quote!(#id)));
        }
        if self.schema.extractor(name).is_some() {
            self.refs.extractors.insert(name.to_owned());
            let id = ident(name);
            return Ok(Compiled::atom(
                Ty::List(Box::new(Ty::Item(name.to_owned()))),
                quote!(ctx.#id()),
            ));
        }
        if scope.poisoned.contains(name) || self.schema.poisoned.contains(name) {
            // Its definition's error was reported; one error is enough.
            return err(span, "");
        }
        let mut known: Vec<String> = scope.locals.iter().map(|(n, _, _)| n.clone()).collect();
        known.extend(self.schema.data.keys().cloned());
        known.extend(self.schema.tables.iter().map(|t| t.name.clone()));
        known.extend(self.schema.extractors.iter().map(|e| e.name.clone()));
        known.extend(["input", "output", "model"].map(String::from));
        if scope.issues {
            known.push("issues".into());
        }
        known.sort();
        known.dedup();
        let hint = if name == "issues" {
            " (`issues` exists only in escalation rules)".to_owned()
        } else {
            String::new()
        };
        err(
            span,
            format!(
                "unknown name `{name}`{hint}; known names here: {}",
                known.join(", ")
            ),
        )
    }

    fn data_node(&mut self, node: &DataTree, path: &[String]) -> Compiled {
        let fields: Vec<Ident> = path.iter().map(|p| ident(p)).collect();
        let place = quote!(ctx.data #(.#fields)*);
        if let Some(group) = path.first() {
            self.groups_read.insert(group.clone());
        }
        match node {
            DataTree::Group(_) => Compiled::atom(Ty::Group(path.to_vec()), place),
            DataTree::Field(field) => {
                self.refs
                    .data_paths
                    .insert(format!("domain_data.{}", path.join(".")));
                data_field_value(field, place)
            }
        }
    }

    fn field(
        &mut self,
        recv: Compiled,
        name: &str,
        span: &Range<usize>,
    ) -> Result<Compiled, CheckError> {
        let base = recv.ty.base().clone();
        match &base {
            Ty::Scores(labels) => {
                if labels.iter().any(|l| l == name) {
                    let r = recv.receiver();
                    let f = label_ident(name);
                    Ok(Compiled::atom(Ty::Num, quote!(#r.#f)))
                } else {
                    err(
                        span,
                        format!(
                            "unknown score `{name}`; this model's scores are: {}",
                            labels.join(", ")
                        ),
                    )
                }
            }
            Ty::Group(path) => {
                let Some(DataTree::Group(children)) = self.schema.data_at(path) else {
                    return err(span, "unknown data group");
                };
                match children.get(name) {
                    Some(child) => {
                        let mut p = path.clone();
                        p.push(name.to_owned());
                        let child = child.clone();
                        Ok(self.data_node(&child, &p))
                    }
                    None if self
                        .schema
                        .poisoned
                        .contains(&format!("{}.{name}", path.join("."))) =>
                    {
                        err(span, "")
                    }
                    None => err(
                        span,
                        format!(
                            "unknown field `{name}` in data group `{}`; its fields are: {}",
                            path.join("."),
                            children.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    ),
                }
            }
            Ty::Row(table) => {
                let t = self.schema.table(table).ok_or_else(|| CheckError {
                    message: "unknown table".into(),
                    span: span.clone(),
                })?;
                let Some(col) = t.columns.iter().find(|c| c.name == name) else {
                    return err(
                        span,
                        format!(
                            "unknown column `{name}` in table `{table}`; its columns are: {}",
                            t.columns
                                .iter()
                                .map(|c| c.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                };
                let col_ty = column_ty(&col.ty);
                let is_int = col.ty.scalar == ScalarType::Int;
                let f = ident(name);
                Ok(self.lift(prec::ATOM, vec![recv], &[prec::ATOM], |a| {
                    let r = &a[0];
                    let t = match (is_int, col_ty.is_opt()) {
                        (false, _) => quote!(#r.#f),
                        (true, false) => quote!(::aegis_core::__private::num(#r.#f)),
                        (true, true) => quote!(#r.#f.map(::aegis_core::__private::num)),
                    };
                    (col_ty.clone(), t)
                }))
            }
            Ty::Item(extractor) => {
                let e = self.schema.extractor(extractor).ok_or_else(|| CheckError {
                    message: "unknown extractor".into(),
                    span: span.clone(),
                })?;
                if name == "start" || name == "end" {
                    let f = ident(name);
                    return Ok(self.lift(prec::ATOM, vec![recv], &[prec::ATOM], |a| {
                        let r = &a[0];
                        (Ty::Num, quote!(::aegis_core::__private::num(#r.#f)))
                    }));
                }
                let ty = if name == "text" {
                    Ty::Str
                } else if let Some(cap) = e.captures.iter().find(|c| c.name == name) {
                    cap.ty()
                } else {
                    let mut names: Vec<&str> = e.captures.iter().map(|c| c.name.as_str()).collect();
                    names.extend(["text", "start", "end"]);
                    return err(
                        span,
                        format!(
                            "extractor `{extractor}` has no capture `{name}`; its fields are: {}",
                            names.join(", ")
                        ),
                    );
                };
                let f = ident(name);
                Ok(self.lift(prec::ATOM, vec![recv], &[prec::ATOM], |a| {
                    let r = &a[0];
                    (ty, quote!(#r.#f))
                }))
            }
            Ty::Issue => {
                let (ty, field) = match name {
                    "validator" => (Ty::Str, quote!(validator.as_str())),
                    "message" => (Ty::Str, quote!(message.as_str())),
                    "severity" => (Ty::Severity, quote!(severity)),
                    _ => {
                        return err(
                            span,
                            format!(
                                "an issue has no field `{name}`; its fields are: validator, severity, message"
                            ),
                        );
                    }
                };
                Ok(self.lift(prec::ATOM, vec![recv], &[prec::ATOM], |a| {
                    let r = &a[0];
                    (ty, quote!(#r.#field))
                }))
            }
            other => err(span, format!("{other} has no fields (`.{name}`)")),
        }
    }

    /// Applies `build` to the values of `args`, propagating a missing value of any optional one.
    ///
    /// `prec` is how tightly the result binds; `mins[i]` is the precedence the place of argument
    /// `i` in the result needs (see [`prec`]).
    fn lift(
        &mut self,
        prec: u8,
        args: Vec<Compiled>,
        mins: &[u8],
        build: impl FnOnce(Vec<TokenStream>) -> (Ty, TokenStream),
    ) -> Compiled {
        let mut binders = Vec::new();
        let mut inner_args = Vec::new();
        for (i, a) in args.iter().enumerate() {
            if a.ty.is_opt() {
                let v = self.fresh();
                inner_args.push(quote!(#v));
                binders.push((v, a.receiver()));
            } else {
                inner_args.push(a.operand(mins.get(i).copied().unwrap_or(prec::ATOM)));
            }
        }
        let (ty, body) = build(inner_args);
        if binders.is_empty() {
            return Compiled {
                ty,
                tokens: body,
                prec,
            };
        }
        let result_opt = ty.is_opt();
        let mut tokens = body;
        for (i, (v, src)) in binders.iter().enumerate().rev() {
            let innermost = i == binders.len() - 1;
            tokens = if innermost && !result_opt {
                quote!(#src.map(|#v| #tokens))
            } else {
                quote!(#src.and_then(|#v| #tokens))
            };
        }
        Compiled::atom(ty.opt(), tokens)
    }

    fn binary(
        &mut self,
        op: BinOp,
        l: &Expr,
        r: &Expr,
        span: &Range<usize>,
        scope: &Scope,
    ) -> Result<Compiled, CheckError> {
        let lc = self.compile(l, scope)?;
        let rc = self.compile(r, scope)?;
        let sym = op.symbol();
        match op {
            BinOp::And | BinOp::Or => {
                for (c, e) in [(&lc, l), (&rc, r)] {
                    if !c.ty.is_condition() {
                        return err(
                            &e.span,
                            format!(
                                "`{sym}` needs conditions (bool) on both sides, but this is {}",
                                c.ty
                            ),
                        );
                    }
                }
                if !lc.ty.is_opt() && !rc.ty.is_opt() {
                    let (left, right) = prec::operands(op);
                    let (a, b) = (lc.operand(left), rc.operand(right));
                    let t = if op == BinOp::And {
                        quote!(#a && #b)
                    } else {
                        quote!(#a || #b)
                    };
                    return Ok(Compiled {
                        ty: Ty::Bool,
                        tokens: t,
                        prec: prec::of(op),
                    });
                }
                let (a, b) = (lc.as_option(), rc.as_option());
                let f = if op == BinOp::And {
                    quote!(and)
                } else {
                    quote!(or)
                };
                Ok(Compiled::atom(
                    Ty::Bool.opt(),
                    quote!(::aegis_core::__private::#f(#a, #b)),
                ))
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                for (c, e) in [(&lc, l), (&rc, r)] {
                    if c.ty.base() != &Ty::Num {
                        return err(
                            &e.span,
                            format!("`{sym}` needs numbers on both sides, but this is {}", c.ty),
                        );
                    }
                }
                let o: TokenStream = sym.parse().unwrap_or_default();
                let (left, right) = prec::operands(op);
                Ok(self.lift(prec::of(op), vec![lc, rc], &[left, right], |a| {
                    let (x, y) = (&a[0], &a[1]);
                    (Ty::Num, quote!(#x #o #y))
                }))
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let (lc, rc) = self.coerce_severity(lc, rc, l, r)?;
                let (lt, rt) = (lc.ty.base().clone(), rc.ty.base().clone());
                let ordered = !matches!(op, BinOp::Eq | BinOp::Ne);
                let ok = lt == rt
                    && match lt {
                        Ty::Num | Ty::Severity => true,
                        Ty::Str | Ty::Bool => !ordered,
                        _ => false,
                    };
                if !ok {
                    let what = if lt == rt && ordered {
                        "cannot be ordered"
                    } else {
                        "cannot be compared"
                    };
                    return err(span, format!("{} and {} {what} with `{sym}`", lc.ty, rc.ty));
                }
                // A condition compared with `true` or `false` is the condition or its negation,
                // written as a person would (`x`, `!x`), not `x == true`.
                if lt == Ty::Bool {
                    let literal = |e: &Expr| match e.kind {
                        ExprKind::Bool(b) => Some(b),
                        _ => None,
                    };
                    let side = match (literal(l), literal(r)) {
                        (_, Some(b)) => Some((lc.clone(), b)),
                        (Some(b), None) => Some((rc.clone(), b)),
                        (None, None) => None,
                    };
                    if let Some((c, b)) = side {
                        return Ok(if b == (op == BinOp::Eq) {
                            c
                        } else {
                            self.not(c)
                        });
                    }
                }
                let o: TokenStream = sym.parse().unwrap_or_default();
                let (left, right) = prec::operands(op);
                Ok(self.lift(prec::of(op), vec![lc, rc], &[left, right], |a| {
                    let (x, y) = (&a[0], &a[1]);
                    (Ty::Bool, quote!(#x #o #y))
                }))
            }
        }
    }

    /// The negation of a condition (an unknown one stays unknown).
    fn not(&self, c: Compiled) -> Compiled {
        if c.ty.is_opt() {
            let t = c.receiver();
            Compiled::atom(Ty::Bool.opt(), quote!(#t.map(|v| !v)))
        } else {
            let t = c.operand(prec::UNARY);
            Compiled {
                ty: Ty::Bool,
                tokens: quote!(!#t),
                prec: prec::UNARY,
            }
        }
    }

    /// A string literal compared with a severity is a severity name, checked here.
    fn coerce_severity(
        &mut self,
        lc: Compiled,
        rc: Compiled,
        l: &Expr,
        r: &Expr,
    ) -> Result<(Compiled, Compiled), CheckError> {
        let to_sev = |e: &Expr| -> Result<Option<Compiled>, CheckError> {
            let ExprKind::Str(s) = &e.kind else {
                return Ok(None);
            };
            match aegis_core::Severity::parse(s) {
                Some(sev) => {
                    let v = format_ident!("{}", variant_name(sev.as_str()));
                    Ok(Some(Compiled::atom(
                        Ty::Severity,
                        quote!(::aegis_core::Severity::#v),
                    )))
                }
                None => err(
                    &e.span,
                    format!(
                        "`{s}` is not a severity; expected one of info, low, medium, high, critical"
                    ),
                ),
            }
        };
        if lc.ty.base() == &Ty::Severity
            && let Some(c) = to_sev(r)?
        {
            return Ok((lc, c));
        }
        if rc.ty.base() == &Ty::Severity
            && let Some(c) = to_sev(l)?
        {
            return Ok((c, rc));
        }
        Ok((lc, rc))
    }

    fn expect_args(
        &self,
        name: &str,
        args: &[Expr],
        n: usize,
        span: &Range<usize>,
    ) -> Result<(), CheckError> {
        if args.len() != n {
            return err(
                span,
                format!(
                    "`{name}` takes {n} argument{}, found {}",
                    if n == 1 { "" } else { "s" },
                    args.len()
                ),
            );
        }
        Ok(())
    }

    fn call(
        &mut self,
        name: &str,
        args: &[Expr],
        span: &Range<usize>,
        scope: &Scope,
    ) -> Result<Compiled, CheckError> {
        // (parameter types, result type) of each built-in function.
        let sig: (&[Ty], Ty) = match name {
            "abs" | "round" | "floor" | "ceil" | "sqrt" => (&[Ty::Num], Ty::Num),
            "min" | "max" => (&[Ty::Num, Ty::Num], Ty::Num),
            "to_mg" | "to_ml" => (&[Ty::Num, Ty::Str], Ty::Num.opt()),
            "times_per_day" => (&[Ty::Str], Ty::Num.opt()),
            "iequals" | "mentions" => (&[Ty::Str, Ty::Str], Ty::Bool),
            "exists" => {
                self.expect_args(name, args, 1, span)?;
                let c = self.compile(&args[0], scope)?;
                if !c.ty.is_opt() {
                    return err(
                        &args[0].span,
                        format!(
                            "`exists` asks whether a value is present, but this {} is never missing",
                            c.ty
                        ),
                    );
                }
                let t = c.receiver();
                return Ok(Compiled::atom(Ty::Bool, quote!(#t.is_some())));
            }
            _ => {
                return err(
                    span,
                    format!(
                        "unknown function `{name}`; functions are: abs, ceil, exists, floor, iequals, max, mentions, min, round, sqrt, times_per_day, to_mg, to_ml"
                    ),
                );
            }
        };
        self.expect_args(name, args, sig.0.len(), span)?;
        let mut compiled = Vec::new();
        for (arg, want) in args.iter().zip(sig.0) {
            let c = self.compile(arg, scope)?;
            if c.ty.base() != want {
                return err(
                    &arg.span,
                    format!(
                        "argument of `{name}` must be a {want}, but this is {}",
                        c.ty
                    ),
                );
            }
            compiled.push(c);
        }
        let result = sig.1.clone();
        // One optional argument: pass the function itself (`x.and_then(f)`), not a closure.
        if compiled.len() == 1 && compiled[0].ty.is_opt() {
            let f = match name {
                "abs" | "round" | "floor" | "ceil" | "sqrt" => {
                    let m = ident(name);
                    quote!(f64::#m)
                }
                _ => {
                    let f = ident(name);
                    quote!(::aegis_core::__private::#f)
                }
            };
            let a = compiled[0].receiver();
            let t = if result.is_opt() {
                quote!(#a.and_then(#f))
            } else {
                quote!(#a.map(#f))
            };
            return Ok(Compiled::atom(result.opt(), t));
        }
        let name = name.to_owned();
        let mins = vec![prec::ANY; compiled.len()];
        Ok(self.lift(prec::ATOM, compiled, &mins, move |a| {
            let t = match name.as_str() {
                "abs" | "round" | "floor" | "ceil" | "sqrt" => {
                    let m = ident(&name);
                    let x = &a[0];
                    quote!(f64::#m(#x))
                }
                "min" | "max" => {
                    let m = ident(&name);
                    let (x, y) = (&a[0], &a[1]);
                    quote!(f64::#m(#x, #y))
                }
                _ => {
                    let f = ident(&name);
                    quote!(::aegis_core::__private::#f(#(#a),*))
                }
            };
            (result, t)
        }))
    }

    fn method(
        &mut self,
        recv: &Expr,
        name: &str,
        args: &[Expr],
        span: &Range<usize>,
        scope: &Scope,
    ) -> Result<Compiled, CheckError> {
        let rc = self.compile(recv, scope)?;
        // Methods of a value that may be missing.
        match name {
            "or" => {
                self.expect_args(name, args, 1, span)?;
                if !rc.ty.is_opt() {
                    return err(
                        &recv.span,
                        format!(
                            "`.or(…)` supplies a default for a missing value, but this {} is never missing",
                            rc.ty
                        ),
                    );
                }
                let d = self.compile(&args[0], scope)?;
                if d.ty.base() != rc.ty.base() {
                    return err(
                        &args[0].span,
                        format!(
                            "the default must be a {}, like the value, but this is {}",
                            rc.ty.base(),
                            d.ty
                        ),
                    );
                }
                let (r, dt) = (rc.receiver(), d.tokens.clone());
                return Ok(if d.ty.is_opt() {
                    Compiled::atom(rc.ty.clone(), quote!(#r.or(#dt)))
                } else {
                    Compiled::atom(d.ty.clone(), quote!(#r.unwrap_or(#dt)))
                });
            }
            "exists" => {
                self.expect_args(name, args, 0, span)?;
                if !rc.ty.is_opt() {
                    return err(
                        &recv.span,
                        format!(
                            "`.exists()` asks whether a value is present, but this {} is never missing",
                            rc.ty
                        ),
                    );
                }
                let r = rc.receiver();
                return Ok(Compiled::atom(Ty::Bool, quote!(#r.is_some())));
            }
            _ => {}
        }
        let base = rc.ty.base().clone();
        let elem = match &base {
            Ty::List(e) => Some((**e).clone()),
            Ty::Table(t) => Some(Ty::Row(t.clone())),
            _ => None,
        };
        if let Some(elem) = elem {
            if rc.ty.is_opt() {
                return err(
                    &recv.span,
                    "this list may be missing; give it a default first",
                );
            }
            return self.list_method(rc, elem, name, args, span, scope);
        }
        if base == Ty::Str {
            let (f, want): (&str, Option<Ty>) = match name {
                "contains" => ("icontains", Some(Ty::Str)),
                "starts_with" => ("starts_with", Some(Ty::Str)),
                "ends_with" => ("ends_with", Some(Ty::Str)),
                "len" => ("len", None),
                _ => {
                    return err(
                        span,
                        format!(
                            "a string has no method `{name}`; its methods are: contains (ignores case), starts_with, ends_with, len"
                        ),
                    );
                }
            };
            let mut parts = vec![rc];
            if let Some(want) = want {
                self.expect_args(name, args, 1, span)?;
                let a = self.compile(&args[0], scope)?;
                if a.ty.base() != &want {
                    return err(
                        &args[0].span,
                        format!(
                            "argument of `{name}` must be a {want}, but this is {}",
                            a.ty
                        ),
                    );
                }
                parts.push(a);
            } else {
                self.expect_args(name, args, 0, span)?;
            }
            let f = f.to_owned();
            // `icontains` takes its arguments as a function; the others call a method on the first.
            let mins = if f == "icontains" {
                [prec::ANY, prec::ANY]
            } else {
                [prec::ATOM, prec::ANY]
            };
            return Ok(
                self.lift(prec::ATOM, parts, &mins, move |a| match f.as_str() {
                    "icontains" => (
                        Ty::Bool,
                        quote!(::aegis_core::__private::icontains(#(#a),*)),
                    ),
                    "len" => {
                        let s = &a[0];
                        (
                            Ty::Num,
                            quote!(::aegis_core::__private::num(#s.chars().count())),
                        )
                    }
                    m => {
                        let m = ident(m);
                        let (s, x) = (&a[0], &a[1]);
                        (Ty::Bool, quote!(#s.#m(#x)))
                    }
                }),
            );
        }
        err(span, format!("{} has no method `{name}`", rc.ty))
    }

    fn list_method(
        &mut self,
        list: Compiled,
        elem: Ty,
        name: &str,
        args: &[Expr],
        span: &Range<usize>,
        scope: &Scope,
    ) -> Result<Compiled, CheckError> {
        let l = list.receiver();
        match name {
            "len" | "count" if args.is_empty() => Ok(Compiled::atom(
                Ty::Num,
                quote!(::aegis_core::__private::num(#l.len())),
            )),
            "is_empty" => {
                self.expect_args(name, args, 0, span)?;
                Ok(Compiled::atom(Ty::Bool, quote!(#l.is_empty())))
            }
            "contains" => {
                self.expect_args(name, args, 1, span)?;
                let v = self.compile(&args[0], scope)?;
                if !matches!(elem, Ty::Str | Ty::Num) {
                    return err(
                        span,
                        format!(
                            "`contains` works on lists of strings or numbers; for a list<{elem}>, use `any(x => …)`"
                        ),
                    );
                }
                if v.ty.base() != &elem {
                    return err(
                        &args[0].span,
                        format!(
                            "`contains` looks for a {elem} in this list, but this is {}",
                            v.ty
                        ),
                    );
                }
                if elem == Ty::Num {
                    return Ok(self.lift(prec::ATOM, vec![v], &[prec::UNARY], |a| {
                        let needle = &a[0];
                        (Ty::Bool, quote!(#l.contains(&#needle)))
                    }));
                }
                // Strings compare without regard to case.
                Ok(self.lift(prec::ATOM, vec![v], &[prec::ANY], |a| {
                    let needle = &a[0];
                    (
                        Ty::Bool,
                        quote!({
                            let __needle = #needle;
                            #l.iter().any(|x| ::aegis_core::__private::iequals(x, __needle))
                        }),
                    )
                }))
            }
            "any" | "all" | "count" | "find" | "last" => {
                self.expect_args(name, args, 1, span)?;
                let ExprKind::Lambda(param, body) = &args[0].kind else {
                    return err(
                        &args[0].span,
                        format!("`{name}` takes a lambda, as in `{name}(x => x.dose > 10)`"),
                    );
                };
                if !crate::checked::is_local_name(param) {
                    return err(
                        &args[0].span,
                        format!(
                            "`{param}` cannot be a parameter name: use lowercase letters, digits and `_`, not a Rust keyword nor a name the generated code uses for itself"
                        ),
                    );
                }
                let mut inner = scope.clone();
                let binding = inner.bind(param, elem.clone());
                let b = self.compile(body, &inner)?;
                // A parameter the body never reads is `_` in Rust (no unused-variable warning).
                let p = if self.refs.locals.contains(&binding) {
                    ident(param)
                } else {
                    ident("_")
                };
                if !b.ty.is_condition() {
                    return err(
                        &body.span,
                        format!(
                            "the lambda of `{name}` must give a condition (bool), but this is {}",
                            b.ty
                        ),
                    );
                }
                // How an element reference becomes the parameter's value.
                let (pat, prelude) = match elem {
                    Ty::Str if p != "_" => (quote!(#p), quote!(let #p = #p.as_str();)),
                    Ty::Num | Ty::Bool => (quote!(&#p), quote!()),
                    _ => (quote!(#p), quote!()),
                };
                let bt = b.receiver();
                // A condition that is unknown for an element counts as not holding (`any`,
                // `count`, `find`) and as not violated (`all`).
                let cond = if b.ty.is_opt() {
                    if name == "all" {
                        quote!(#bt.unwrap_or(true))
                    } else {
                        quote!(#bt.unwrap_or(false))
                    }
                } else {
                    b.tokens.clone()
                };
                let closure = if prelude.is_empty() {
                    quote!(|#pat| #cond)
                } else {
                    quote!(|#pat| { #prelude #cond })
                };
                Ok(match name {
                    "any" => Compiled::atom(Ty::Bool, quote!(#l.iter().any(#closure))),
                    "all" => Compiled::atom(Ty::Bool, quote!(#l.iter().all(#closure))),
                    "count" => {
                        // `filter` hands its closure a reference to the element reference.
                        let pat = match elem {
                            Ty::Num | Ty::Bool => quote!(&&#p),
                            _ => quote!(#p),
                        };
                        let closure = if prelude.is_empty() {
                            quote!(|#pat| #cond)
                        } else {
                            quote!(|#pat| { #prelude #cond })
                        };
                        Compiled::atom(
                            Ty::Num,
                            quote!(::aegis_core::__private::num(#l.iter().filter(#closure).count())),
                        )
                    }
                    _ => {
                        let (pat2, deref) = match elem {
                            Ty::Num | Ty::Bool => (quote!(&&#p), quote!(.copied())),
                            Ty::Str => (quote!(#p), quote!(.map(String::as_str))),
                            _ => (quote!(&#p), quote!()),
                        };
                        let closure = if prelude.is_empty() {
                            quote!(|#pat2| #cond)
                        } else {
                            quote!(|#pat2| { #prelude #cond })
                        };
                        let iter = if name == "last" {
                            quote!(#l.iter().rev())
                        } else {
                            quote!(#l.iter())
                        };
                        Compiled::atom(elem.clone().opt(), quote!(#iter.find(#closure)#deref))
                    }
                })
            }
            _ => err(
                span,
                format!(
                    "a list has no method `{name}`; its methods are: len, count, is_empty, contains, any, all, count(x => …), find(x => …) (the first), last(x => …) (the last)"
                ),
            ),
        }
    }
}

/// The value of a data field, as an expression of its type.
fn data_field_value(field: &DataField, place: TokenStream) -> Compiled {
    use ScalarType as S;
    let ty = field.ty();
    let tokens = match (&field.list, field.optional, field.scalar) {
        (true, _, _) => place,
        (false, false, S::Str) => quote!(#place.as_str()),
        (false, true, S::Str) => quote!(#place.as_deref()),
        (false, false, S::Int) => quote!(::aegis_core::__private::num(#place)),
        (false, true, S::Int) => quote!(#place.map(::aegis_core::__private::num)),
        (false, _, S::Float | S::Bool) => place,
    };
    Compiled::atom(ty, tokens)
}

fn column_ty(col: &ColumnType) -> Ty {
    let base = col.scalar.ty();
    if col.optional { base.opt() } else { base }
}

/// `critical` → `Critical`.
/// The Rust field of a model label: the label itself, as a raw identifier when it is a keyword
/// (`r#unsafe`).
pub(crate) fn label_ident(label: &str) -> Ident {
    if syn::parse_str::<syn::Ident>(label).is_ok() {
        ident(label)
    } else {
        Ident::new_raw(label, Span::call_site())
    }
}

pub(crate) fn variant_name(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}
