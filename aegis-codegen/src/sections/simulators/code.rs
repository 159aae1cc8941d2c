//! Simulator code: its types, and expressions and statements checked and compiled to tokens in
//! one pass; helper functions.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use crate::expr::parse::{BinOp, Expr, ExprKind, Function, Stmt, StmtKind};
use crate::expr::prec;

/// The type of a simulator value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SimTy {
    Float,
    Bool,
    /// What a helper function returns when it returns several floats.
    Tuple(usize),
}

impl SimTy {
    pub(super) fn name(self) -> String {
        match self {
            SimTy::Float => "a number".into(),
            SimTy::Bool => "a condition".into(),
            SimTy::Tuple(n) => format!("{n} numbers"),
        }
    }
}

/// What a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NameKind {
    Param,
    State,
    Action,
    Local,
}

/// A compiled expression: its type, its tokens, and how tightly it binds (to place brackets
/// only where Rust needs them).
pub(super) struct Compiled {
    pub(super) ty: SimTy,
    pub(super) tokens: TokenStream,
    pub(super) prec: u8,
}

pub(super) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// A float literal (a negative one as `-literal`, which is how Rust spells it).
pub(super) fn float_lit(v: f64) -> TokenStream {
    let lit = Literal::f64_unsuffixed(v.abs());
    if v.is_sign_negative() {
        quote!(-#lit)
    } else {
        quote!(#lit)
    }
}

pub(super) fn paren_if(c: Compiled, below: u8) -> TokenStream {
    prec::place(c.tokens, c.prec, below)
}

/// A problem inside one string of the spec: a byte range of it, and the message.
pub(super) type SpanError = (Range<usize>, String);

pub(super) type CheckResult<T> = Result<T, SpanError>;

pub(super) fn fail<T>(span: &Range<usize>, message: impl Into<String>) -> CheckResult<T> {
    Err((span.clone(), message.into()))
}

/// The math functions: name, number of arguments, and the Rust they become.
pub(super) fn math(name: &str) -> Option<(usize, TokenStream)> {
    let p = quote!(sim);
    let f = |m: &str| {
        let m = ident(m);
        quote!(f64::#m)
    };
    Some(match name {
        "abs" | "sqrt" | "exp" | "ln" | "log10" | "sin" | "cos" | "tan" | "asin" | "acos"
        | "atan" | "sinh" | "cosh" | "tanh" | "floor" | "ceil" => (1, f(name)),
        "pow" => (2, quote!(#p::pow)),
        "pow32" => (2, quote!(#p::pow32)),
        "atan2" | "hypot" | "min" | "max" => (2, f(name)),
        "clamp" => (3, quote!(#p::clip)),
        "mod" => (2, quote!(#p::floor_mod)),
        "rem" => (2, quote!(#p::trunc_rem)),
        "sign" => (1, quote!(#p::sign)),
        "f32" => (1, quote!(#p::round_f32)),
        _ => return None,
    })
}

/// A signature of a helper function: its parameters and what it returns.
#[derive(Debug, Clone)]
pub(super) struct Signature {
    pub(super) params: usize,
    pub(super) returns: SimTy,
    /// The function had errors: calls to it report nothing more.
    pub(super) poisoned: bool,
}

/// What a block of simulator code uses: which parameters, state variables and actions (to bind
/// only those), and whether it calls helper functions, draws random numbers or needs `sim`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Uses {
    pub(crate) names: BTreeSet<String>,
    pub(crate) helper: bool,
    pub(crate) rng: bool,
    pub(crate) sim: bool,
}

impl Uses {
    pub(super) fn merge(&mut self, other: &Uses) {
        self.names.extend(other.names.iter().cloned());
        self.helper |= other.helper;
        self.rng |= other.rng;
        self.sim |= other.sim;
    }
}

/// The Rust name of a spec's helper function (a prefix no other generated item has).
pub(super) fn helper_ident(name: &str) -> Ident {
    format_ident!("helper_{}", name)
}

/// Where a block of simulator code runs, which decides what it may read and call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    Reset,
    Step,
    Function,
    Observe,
}

pub(super) struct Checker<'a> {
    pub(super) params: &'a BTreeMap<String, f64>,
    pub(super) state: &'a [String],
    pub(super) actions: &'a [String],
    pub(super) functions: &'a BTreeMap<String, Signature>,
    pub(super) frames: Vec<BTreeMap<String, (NameKind, SimTy)>>,
    pub(super) place: Place,
    /// State variables already given a value (`reset`, in order).
    pub(super) reset_done: BTreeSet<String>,
    /// Names assigned anywhere in the block being compiled (they are bound `mut`).
    pub(super) assigned: BTreeSet<String>,
    /// What the code compiled so far uses.
    pub(super) uses: Uses,
}

impl Checker<'_> {
    pub(super) fn lookup(&self, name: &str) -> Option<(NameKind, SimTy)> {
        for frame in self.frames.iter().rev() {
            if let Some(b) = frame.get(name) {
                return Some(*b);
            }
        }
        if self.params.contains_key(name) {
            return Some((NameKind::Param, SimTy::Float));
        }
        if self.place != Place::Function && self.state.iter().any(|s| s == name) {
            if self.place == Place::Reset && !self.reset_done.contains(name) {
                return None;
            }
            return Some((NameKind::State, SimTy::Float));
        }
        if self.place == Place::Step && self.actions.iter().any(|a| a == name) {
            return Some((NameKind::Action, SimTy::Float));
        }
        None
    }

    pub(super) fn bind(&mut self, name: &str, span: &Range<usize>, ty: SimTy) -> CheckResult<()> {
        if name == "pi" || math(name).is_some() || self.functions.contains_key(name) {
            return fail(
                span,
                format!("`{name}` is a function or constant; choose another name"),
            );
        }
        if let Some((kind, _)) = self.lookup(name) {
            let what = match kind {
                NameKind::Param => "a parameter",
                NameKind::State => "a state variable",
                NameKind::Action => "an action",
                NameKind::Local => "already bound here",
            };
            return fail(
                span,
                format!("`{name}` is {what}; a `let` may not hide another name"),
            );
        }
        if !crate::checked::is_identifier(name) || matches!(name, "rng" | "params" | "sim") {
            return fail(
                span,
                format!(
                    "`{name}` cannot be a name here: use lowercase letters, digits and `_`, starting with a letter (not `rng`, `params`, `sim` or a Rust keyword)"
                ),
            );
        }
        if let Some(frame) = self.frames.last_mut() {
            frame.insert(name.to_owned(), (NameKind::Local, ty));
        }
        Ok(())
    }

    pub(super) fn expr(&mut self, e: &Expr) -> CheckResult<Compiled> {
        let span = &e.span;
        match &e.kind {
            ExprKind::Number(v) => Ok(Compiled {
                ty: SimTy::Float,
                tokens: float_lit(*v),
                prec: prec::ATOM,
            }),
            ExprKind::Bool(b) => Ok(Compiled {
                ty: SimTy::Bool,
                tokens: quote!(#b),
                prec: prec::ATOM,
            }),
            ExprKind::Name(name) if name == "pi" && self.lookup(name).is_none() => Ok(Compiled {
                ty: SimTy::Float,
                tokens: quote!(::std::f64::consts::PI),
                prec: prec::ATOM,
            }),
            ExprKind::Name(name) => match self.lookup(name) {
                Some((kind, ty)) => {
                    if kind != NameKind::Local {
                        self.uses.names.insert(name.clone());
                    }
                    let i = ident(name);
                    Ok(Compiled {
                        ty,
                        tokens: quote!(#i),
                        prec: prec::ATOM,
                    })
                }
                None => fail(span, self.unknown_name(name)),
            },
            ExprKind::Neg(inner) => self.unary(inner, SimTy::Float, "-"),
            ExprKind::Not(inner) => self.unary(inner, SimTy::Bool, "!"),
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, span),
            ExprKind::If(c, t, f) => {
                let cond = self.expr(c)?;
                self.want(&cond, SimTy::Bool, &c.span, "the condition of `if`")?;
                let then = self.expr(t)?;
                let otherwise = self.expr(f)?;
                if then.ty != otherwise.ty || matches!(then.ty, SimTy::Tuple(_)) {
                    return fail(
                        span,
                        format!(
                            "the branches of `if` give {} and {}; they must give the same",
                            then.ty.name(),
                            otherwise.ty.name()
                        ),
                    );
                }
                let (cond, then_t, else_t) = (cond.tokens, then.tokens, otherwise.tokens);
                Ok(Compiled {
                    ty: then.ty,
                    tokens: quote!(if #cond { #then_t } else { #else_t }),
                    prec: prec::IF,
                })
            }
            ExprKind::Tuple(items) => {
                let mut parts = Vec::new();
                for item in items {
                    let c = self.expr(item)?;
                    self.want(&c, SimTy::Float, &item.span, "a tuple item")?;
                    parts.push(c.tokens);
                }
                Ok(Compiled {
                    ty: SimTy::Tuple(items.len()),
                    tokens: quote!((#(#parts),*)),
                    prec: prec::ATOM,
                })
            }
            ExprKind::Call(name, args) => self.call(name, args, span),
            ExprKind::Str(_) => fail(
                span,
                "simulators compute with numbers; strings have no use here",
            ),
            ExprKind::Field(..) | ExprKind::Index(..) | ExprKind::Method(..) => fail(
                span,
                "simulator code has no fields, tables or methods: use the state, the parameters, the actions and functions such as `abs(x)`",
            ),
            ExprKind::Lambda(..) | ExprKind::In(..) => {
                fail(span, "this belongs to rules, not to simulator code")
            }
        }
    }

    /// `-x` or `!x`: the operand must be of type `ty`, which the result has too.
    pub(super) fn unary(&mut self, inner: &Expr, ty: SimTy, op: &str) -> CheckResult<Compiled> {
        let c = self.expr(inner)?;
        self.want(&c, ty, &inner.span, &format!("`{op}`"))?;
        let t = paren_if(c, prec::UNARY);
        let o: TokenStream = op.parse().unwrap_or_default();
        Ok(Compiled {
            ty,
            tokens: quote!(#o #t),
            prec: prec::UNARY,
        })
    }

    pub(super) fn unknown_name(&self, name: &str) -> String {
        let state = self.state.iter().any(|s| s == name);
        if state && self.place == Place::Reset {
            return format!("`{name}` is not set yet: `reset` sets the state in order");
        }
        if state && self.place == Place::Function {
            return format!("a function cannot read the state (`{name}`): pass it as an argument");
        }
        if self.actions.iter().any(|a| a == name) {
            return format!(
                "the action `{name}` is only known in `step`, `reward`, `cost` and `terminate`"
            );
        }
        let mut known: Vec<String> = self.params.keys().cloned().collect();
        if self.place != Place::Function {
            known.extend(self.state.iter().cloned());
        }
        if self.place == Place::Step {
            known.extend(self.actions.iter().cloned());
        }
        for frame in &self.frames {
            known.extend(frame.keys().cloned());
        }
        format!("unknown name `{name}`; known here: {}", known.join(", "))
    }

    pub(super) fn want(
        &self,
        c: &Compiled,
        ty: SimTy,
        span: &Range<usize>,
        what: &str,
    ) -> CheckResult<()> {
        if c.ty == ty {
            Ok(())
        } else {
            fail(
                span,
                format!("{what} needs {}, not {}", ty.name(), c.ty.name()),
            )
        }
    }

    pub(super) fn binary(
        &mut self,
        op: BinOp,
        l: &Expr,
        r: &Expr,
        span: &Range<usize>,
    ) -> CheckResult<Compiled> {
        if op == BinOp::Rem {
            return fail(
                span,
                "`%` is ambiguous for negative numbers: write `mod(a, b)` (floored, as Python and NumPy) or `rem(a, b)` (truncated, as C and Rust)",
            );
        }
        let lc = self.expr(l)?;
        let rc = self.expr(r)?;
        let sym = format!("`{}`", op.symbol());
        let ty = match op {
            BinOp::And | BinOp::Or => {
                self.want(&lc, SimTy::Bool, &l.span, &sym)?;
                self.want(&rc, SimTy::Bool, &r.span, &sym)?;
                SimTy::Bool
            }
            BinOp::Eq | BinOp::Ne => {
                if lc.ty != rc.ty || matches!(lc.ty, SimTy::Tuple(_)) {
                    return fail(
                        span,
                        format!("{sym} compares {} with {}", lc.ty.name(), rc.ty.name()),
                    );
                }
                SimTy::Bool
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                self.want(&lc, SimTy::Float, &l.span, &sym)?;
                self.want(&rc, SimTy::Float, &r.span, &sym)?;
                SimTy::Bool
            }
            _ => {
                self.want(&lc, SimTy::Float, &l.span, &sym)?;
                self.want(&rc, SimTy::Float, &r.span, &sym)?;
                SimTy::Float
            }
        };
        let p = prec::of(op);
        let (left_min, right_min) = prec::operands(op);
        let lt = paren_if(lc, left_min);
        let rt = paren_if(rc, right_min);
        let o: TokenStream = op.symbol().parse().unwrap_or_default();
        Ok(Compiled {
            ty,
            tokens: quote!(#lt #o #rt),
            prec: p,
        })
    }

    pub(super) fn call(
        &mut self,
        name: &str,
        args: &[Expr],
        span: &Range<usize>,
    ) -> CheckResult<Compiled> {
        let mut compiled = Vec::new();
        for a in args {
            let c = self.expr(a)?;
            self.want(
                &c,
                SimTy::Float,
                &a.span,
                &format!("an argument of `{name}`"),
            )?;
            compiled.push(c.tokens);
        }
        let arity = |n: usize| -> CheckResult<()> {
            if args.len() == n {
                Ok(())
            } else {
                fail(
                    span,
                    format!(
                        "`{name}` takes {n} argument{}, not {}",
                        if n == 1 { "" } else { "s" },
                        args.len()
                    ),
                )
            }
        };
        let float = |tokens: TokenStream| Compiled {
            ty: SimTy::Float,
            tokens,
            prec: prec::ATOM,
        };
        if name == "uniform" || name == "normal" {
            arity(2)?;
            if !matches!(self.place, Place::Reset | Place::Step) {
                return fail(
                    span,
                    format!("`{name}` draws a random number: only `reset` and `step` may"),
                );
            }
            self.uses.rng = true;
            let m = ident(name);
            return Ok(float(quote!(_rng.#m(#(#compiled),*))));
        }
        if let Some(sig) = self.functions.get(name).cloned() {
            if sig.poisoned {
                // Reported where the function is defined.
                return fail(span, "");
            }
            arity(sig.params)?;
            self.uses.helper = true;
            let f = helper_ident(name);
            // A helper holds the parameters by reference already; a method holds a copy.
            let params = if self.place == Place::Function {
                quote!(_params)
            } else {
                quote!(&_params)
            };
            return Ok(Compiled {
                ty: sig.returns,
                tokens: quote!(#f(#params, #(#compiled),*)),
                prec: prec::ATOM,
            });
        }
        match math(name) {
            Some((n, path)) => {
                arity(n)?;
                self.uses.sim |= crate::emit::mentions_ident(&path, "sim");
                Ok(float(quote!(#path(#(#compiled),*))))
            }
            None => fail(
                span,
                format!(
                    "unknown function `{name}`: the math functions are abs sqrt exp ln log10 pow sin cos tan asin acos atan atan2 sinh cosh tanh hypot floor ceil min max clamp mod rem sign f32 pow32, and uniform/normal in `reset` and `step`{}",
                    if self.functions.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; the spec's functions are {}",
                            self.functions
                                .keys()
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                ),
            ),
        }
    }

    /// A scalar value (a number or a condition), not a tuple.
    pub(super) fn scalar(&mut self, e: &Expr) -> CheckResult<Compiled> {
        let c = self.expr(e)?;
        if let SimTy::Tuple(n) = c.ty {
            return fail(
                &e.span,
                format!("this gives {n} numbers; bind them with `let (a, b, …) = …;`"),
            );
        }
        Ok(c)
    }

    pub(super) fn block(&mut self, stmts: &[Stmt], errors: &mut Vec<SpanError>) -> TokenStream {
        let mut out = TokenStream::new();
        for s in stmts {
            match self.stmt(s, errors) {
                Ok(t) => out.extend(t),
                Err(e) => errors.push(e),
            }
        }
        out
    }

    pub(super) fn stmt(
        &mut self,
        s: &Stmt,
        errors: &mut Vec<SpanError>,
    ) -> CheckResult<TokenStream> {
        match &s.kind {
            StmtKind::Let(names, tuple, value) => {
                let c = if *tuple {
                    self.expr(value)
                } else {
                    self.scalar(value)
                };
                let c = match c {
                    Ok(c) => c,
                    Err(e) => {
                        // Bind the names anyway so that later statements do not report them.
                        for (n, span) in names {
                            let _ = self.bind(n, span, SimTy::Float);
                        }
                        return Err(e);
                    }
                };
                if *tuple && c.ty != SimTy::Tuple(names.len()) {
                    for (n, span) in names {
                        let _ = self.bind(n, span, SimTy::Float);
                    }
                    return fail(
                        &value.span,
                        format!("this gives {}, not {} numbers", c.ty.name(), names.len()),
                    );
                }
                let ty = if *tuple { SimTy::Float } else { c.ty };
                for (n, span) in names {
                    self.bind(n, span, ty)?;
                }
                let pats = names.iter().map(|(n, _)| {
                    let i = ident(n);
                    if self.assigned.contains(n) {
                        quote!(mut #i)
                    } else {
                        quote!(#i)
                    }
                });
                let tokens = c.tokens;
                if *tuple {
                    Ok(quote!(let (#(#pats),*) = #tokens;))
                } else {
                    let rust_ty = if ty == SimTy::Bool {
                        quote!(bool)
                    } else {
                        quote!(f64)
                    };
                    Ok(quote!(let #(#pats)*: #rust_ty = #tokens;))
                }
            }
            StmtKind::Assign(name, name_span, value) => {
                let Some((kind, ty)) = self.lookup(name) else {
                    return fail(name_span, self.unknown_name(name));
                };
                match kind {
                    NameKind::Local => {}
                    NameKind::State if self.place == Place::Step => {
                        self.uses.names.insert(name.clone());
                    }
                    NameKind::State => {
                        return fail(name_span, "only `step` assigns the state");
                    }
                    NameKind::Param => {
                        return fail(
                            name_span,
                            format!("`{name}` is a parameter: parameters are constants"),
                        );
                    }
                    NameKind::Action => {
                        return fail(
                            name_span,
                            format!("`{name}` is the action: bind a new name with `let`"),
                        );
                    }
                }
                let c = self.scalar(value)?;
                if c.ty != ty {
                    return fail(
                        &value.span,
                        format!("`{name}` holds {}; this is {}", ty.name(), c.ty.name()),
                    );
                }
                let i = ident(name);
                // `x = x * y` is written `x *= y` (and `x = y * x` too: `+` and `*` on floats
                // are commutative), as a person would.
                if let ExprKind::Binary(op, l, r) = &value.kind {
                    let is_name = |e: &Expr| matches!(&e.kind, ExprKind::Name(n) if n == name);
                    let commutes = matches!(op, BinOp::Add | BinOp::Mul);
                    let operand = if is_name(l) {
                        Some(r)
                    } else if commutes && is_name(r) {
                        Some(l)
                    } else {
                        None
                    };
                    let assign_op = match op {
                        BinOp::Add => Some(quote!(+=)),
                        BinOp::Sub => Some(quote!(-=)),
                        BinOp::Mul => Some(quote!(*=)),
                        BinOp::Div => Some(quote!(/=)),
                        BinOp::Rem => Some(quote!(%=)),
                        _ => None,
                    };
                    if let (Some(operand), Some(assign_op)) = (operand, assign_op) {
                        let t = self.scalar(operand)?.tokens;
                        return Ok(quote!(#i #assign_op #t;));
                    }
                }
                let t = c.tokens;
                Ok(quote!(#i = #t;))
            }
            StmtKind::If(branches, otherwise) => {
                let mut parts = Vec::new();
                for (cond, body) in branches {
                    let c = self.scalar(cond)?;
                    self.want(&c, SimTy::Bool, &cond.span, "the condition of `if`")?;
                    self.frames.push(BTreeMap::new());
                    let b = self.block(body, errors);
                    self.frames.pop();
                    let ct = c.tokens;
                    parts.push(quote!(if #ct { #b }));
                }
                let mut tokens = TokenStream::new();
                for (i, p) in parts.into_iter().enumerate() {
                    if i > 0 {
                        tokens.extend(quote!(else));
                    }
                    tokens.extend(p);
                }
                if !otherwise.is_empty() {
                    self.frames.push(BTreeMap::new());
                    let b = self.block(otherwise, errors);
                    self.frames.pop();
                    tokens.extend(quote!(else { #b }));
                }
                Ok(tokens)
            }
        }
    }
}

/// Names assigned anywhere in `stmts`.
pub(super) fn assigned_names(stmts: &[Stmt], out: &mut BTreeSet<String>) {
    for s in stmts {
        match &s.kind {
            StmtKind::Assign(n, _, _) => {
                out.insert(n.clone());
            }
            StmtKind::If(branches, otherwise) => {
                for (_, b) in branches {
                    assigned_names(b, out);
                }
                assigned_names(otherwise, out);
            }
            StmtKind::Let(..) => {}
        }
    }
}

/// Compiles a helper function: `fn name(params: &Params, a: f64, …) -> … { … }`.
pub(super) fn compile_function(
    f: &Function,
    params: &BTreeMap<String, f64>,
    state: &[String],
    functions: &BTreeMap<String, Signature>,
) -> Result<(Signature, TokenStream), Vec<SpanError>> {
    let mut c = Checker {
        params,
        state,
        actions: &[],
        functions,
        frames: vec![BTreeMap::new()],
        place: Place::Function,
        reset_done: BTreeSet::new(),
        assigned: BTreeSet::new(),
        uses: Uses::default(),
    };
    let mut errors = Vec::new();
    assigned_names(&f.body, &mut c.assigned);
    let mut args = Vec::new();
    for (p, span) in &f.params {
        if let Err(e) = c.bind(p, span, SimTy::Float) {
            errors.push(e);
            continue;
        }
        let i = ident(p);
        args.push(if c.assigned.contains(p) {
            quote!(mut #i: f64)
        } else {
            quote!(#i: f64)
        });
    }
    let body = c.block(&f.body, &mut errors);
    let result = match c.expr(&f.result) {
        Ok(r) if r.ty == SimTy::Bool => {
            errors.push((
                f.result.span.clone(),
                "a function returns numbers, not a condition".into(),
            ));
            None
        }
        Ok(r) => Some(r),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let Some(result) = result.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };
    let returns = result.ty;
    let ret = match returns {
        SimTy::Tuple(n) => {
            let fs = (0..n).map(|_| quote!(f64));
            quote!((#(#fs),*))
        }
        _ => quote!(f64),
    };
    let name = helper_ident(&f.name);
    let result_tokens = result.tokens;
    let bindings = bind_params(params, &c.uses, quote!(_params));
    Ok((
        Signature {
            params: f.params.len(),
            returns,
            poisoned: false,
        },
        quote! {
            fn #name(_params: &Params, #(#args),*) -> #ret {
                #bindings
                #body
                #result_tokens
            }
        },
    ))
}

/// `let name = <from>.name;` for each parameter the code uses.
pub(super) fn bind_params(
    params: &BTreeMap<String, f64>,
    uses: &Uses,
    from: TokenStream,
) -> TokenStream {
    let used = params.keys().filter(|p| uses.names.contains(*p)).map(|p| {
        let i = ident(p);
        quote!(let #i = #from.#i;)
    });
    quote!(#(#used)*)
}
