//! Simulators: checks a spec's `simulators` (names, actions, and the types of every block of
//! simulator code) and emits each one as a module whose type implements
//! `aegis_core::env::Environment`.
//!
//! The checker and the emitter are one pass, as for rules (`expr::check`): each expression is
//! type-checked and turned into tokens together. Simulator code is plain arithmetic on `f64`
//! and `bool`, with none of the rules' missing-value logic.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use crate::error::Position;
use crate::expr::parse::{self, BinOp, Expr, ExprKind, Function, Stmt, StmtKind};
use crate::expr::prec;
use crate::spec::{ActionsSpec, DomainSpec, Located, SimulatorSpec};

/// A problem found in a simulator: in a string value of the spec (at a byte range of it), or
/// at a position.
pub(crate) struct Problem<'s> {
    pub(crate) node: Option<&'s Located<String>>,
    pub(crate) position: Position,
    pub(crate) span: Range<usize>,
    pub(crate) message: String,
}

/// A simulator's actions, checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Actions {
    Discrete(usize),
    Box(Vec<(String, f64, f64)>),
}

/// A checked simulator: its shape, and its code as tokens.
#[derive(Debug, Clone)]
pub(crate) struct Simulator {
    pub(crate) id: String,
    pub(crate) description: String,
    pub(crate) position: Position,
    pub(crate) state: Vec<(String, Position)>,
    pub(crate) params: Vec<(String, f64, Position)>,
    pub(crate) actions: Actions,
    pub(crate) max_steps: Option<u64>,
    /// The helper functions (their spec names), and where the `functions` block is.
    pub(crate) functions: Vec<(String, TokenStream)>,
    pub(crate) functions_position: Option<Position>,
    /// `let x: f64 = …;` per state variable, in order.
    pub(crate) reset: TokenStream,
    pub(crate) step: TokenStream,
    pub(crate) reward: TokenStream,
    pub(crate) cost: TokenStream,
    pub(crate) terminate: TokenStream,
    /// The observation's expressions.
    pub(crate) observe: Vec<TokenStream>,
    /// What `reset`, `step` (with reward, cost and terminate) and `observe` use.
    pub(crate) reset_uses: Uses,
    pub(crate) step_uses: Uses,
    pub(crate) observe_uses: Uses,
    /// State variables the step assigns.
    pub(crate) assigned_state: BTreeSet<String>,
}

/// The type of a simulator value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SimTy {
    Float,
    Bool,
    /// What a helper function returns when it returns several floats.
    Tuple(usize),
}

impl SimTy {
    fn name(self) -> String {
        match self {
            SimTy::Float => "a number".into(),
            SimTy::Bool => "a condition".into(),
            SimTy::Tuple(n) => format!("{n} numbers"),
        }
    }
}

/// What a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameKind {
    Param,
    State,
    Action,
    Local,
}

/// A compiled expression: its type, its tokens, and how tightly it binds (to place brackets
/// only where Rust needs them).
struct Compiled {
    ty: SimTy,
    tokens: TokenStream,
    prec: u8,
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// A float literal (a negative one as `-literal`, which is how Rust spells it).
fn float_lit(v: f64) -> TokenStream {
    let lit = Literal::f64_unsuffixed(v.abs());
    if v.is_sign_negative() {
        quote!(-#lit)
    } else {
        quote!(#lit)
    }
}

fn paren_if(c: Compiled, below: u8) -> TokenStream {
    prec::place(c.tokens, c.prec, below)
}

/// A problem inside one string of the spec: a byte range of it, and the message.
type SpanError = (Range<usize>, String);

type CheckResult<T> = Result<T, SpanError>;

fn fail<T>(span: &Range<usize>, message: impl Into<String>) -> CheckResult<T> {
    Err((span.clone(), message.into()))
}

/// The math functions: name, number of arguments, and the Rust they become.
fn math(name: &str) -> Option<(usize, TokenStream)> {
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
struct Signature {
    params: usize,
    returns: SimTy,
    /// The function had errors: calls to it report nothing more.
    poisoned: bool,
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
    fn merge(&mut self, other: &Uses) {
        self.names.extend(other.names.iter().cloned());
        self.helper |= other.helper;
        self.rng |= other.rng;
        self.sim |= other.sim;
    }
}

/// The Rust name of a spec's helper function (a prefix no other generated item has).
fn helper_ident(name: &str) -> Ident {
    format_ident!("helper_{}", name)
}

/// Where a block of simulator code runs, which decides what it may read and call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Reset,
    Step,
    Function,
    Observe,
}

struct Checker<'a> {
    params: &'a BTreeMap<String, f64>,
    state: &'a [String],
    actions: &'a [String],
    functions: &'a BTreeMap<String, Signature>,
    frames: Vec<BTreeMap<String, (NameKind, SimTy)>>,
    place: Place,
    /// State variables already given a value (`reset`, in order).
    reset_done: BTreeSet<String>,
    /// Names assigned anywhere in the block being compiled (they are bound `mut`).
    assigned: BTreeSet<String>,
    /// What the code compiled so far uses.
    uses: Uses,
}

impl Checker<'_> {
    fn lookup(&self, name: &str) -> Option<(NameKind, SimTy)> {
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

    fn bind(&mut self, name: &str, span: &Range<usize>, ty: SimTy) -> CheckResult<()> {
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

    fn expr(&mut self, e: &Expr) -> CheckResult<Compiled> {
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
    fn unary(&mut self, inner: &Expr, ty: SimTy, op: &str) -> CheckResult<Compiled> {
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

    fn unknown_name(&self, name: &str) -> String {
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

    fn want(&self, c: &Compiled, ty: SimTy, span: &Range<usize>, what: &str) -> CheckResult<()> {
        if c.ty == ty {
            Ok(())
        } else {
            fail(
                span,
                format!("{what} needs {}, not {}", ty.name(), c.ty.name()),
            )
        }
    }

    fn binary(
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

    fn call(&mut self, name: &str, args: &[Expr], span: &Range<usize>) -> CheckResult<Compiled> {
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
    fn scalar(&mut self, e: &Expr) -> CheckResult<Compiled> {
        let c = self.expr(e)?;
        if let SimTy::Tuple(n) = c.ty {
            return fail(
                &e.span,
                format!("this gives {n} numbers; bind them with `let (a, b, …) = …;`"),
            );
        }
        Ok(c)
    }

    fn block(&mut self, stmts: &[Stmt], errors: &mut Vec<SpanError>) -> TokenStream {
        let mut out = TokenStream::new();
        for s in stmts {
            match self.stmt(s, errors) {
                Ok(t) => out.extend(t),
                Err(e) => errors.push(e),
            }
        }
        out
    }

    fn stmt(&mut self, s: &Stmt, errors: &mut Vec<SpanError>) -> CheckResult<TokenStream> {
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
fn assigned_names(stmts: &[Stmt], out: &mut BTreeSet<String>) {
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

/// Checks one simulator; its problems are returned (the model only when there are none).
pub(crate) fn check<'s>(spec: &'s SimulatorSpec) -> (Option<Simulator>, Vec<Problem<'s>>) {
    let mut problems: Vec<Problem<'s>> = Vec::new();
    let at = |position: Position, message: String| Problem {
        node: None,
        position,
        span: 0..0,
        message,
    };

    // The shape: state, parameters, actions.
    let mut names: BTreeMap<String, &'static str> = BTreeMap::new();
    let mut names_ok = true;
    let mut check_name = |key: &Located<String>,
                          what: &'static str,
                          problems: &mut Vec<Problem<'_>>| {
        let n = &key.value;
        if !crate::checked::is_identifier(n)
            || matches!(n.as_str(), "pi" | "rng" | "params" | "sim")
        {
            names_ok = false;
            problems.push(at(
                key.position,
                format!("`{n}` is not a valid {what} name: use lowercase letters, digits and `_`, starting with a letter (not `pi`, `rng`, `params`, `sim` or a Rust keyword)"),
            ));
        } else if math(n).is_some() || n == "uniform" || n == "normal" {
            problems.push(at(
                key.position,
                format!("`{n}` is a function; choose another {what} name"),
            ));
        } else if let Some(prev) = names.insert(n.clone(), what) {
            problems.push(at(key.position, format!("`{n}` is already a {prev} name")));
        }
    };
    let mut state = Vec::new();
    for (key, ty) in spec.state.iter() {
        check_name(key, "state variable", &mut problems);
        if ty.value != "float" {
            problems.push(at(
                ty.position,
                format!("a state variable is a `float`, not `{}`", ty.value),
            ));
        }
        state.push((key.value.clone(), key.position));
    }
    if state.is_empty() {
        problems.push(at(
            spec.id.position,
            "a simulator needs at least one state variable".into(),
        ));
    }
    let mut params = BTreeMap::new();
    let mut param_list = Vec::new();
    for (key, value) in spec.params.iter() {
        check_name(key, "parameter", &mut problems);
        if !value.value.is_finite() {
            problems.push(at(
                value.position,
                "a parameter must be a finite number".into(),
            ));
        }
        params.insert(key.value.clone(), value.value);
        param_list.push((key.value.clone(), value.value, key.position));
    }
    let actions = match &spec.actions.value {
        ActionsSpec::Discrete(text) => {
            let n = text
                .trim()
                .strip_prefix("discrete(")
                .and_then(|r| r.strip_suffix(')'))
                .and_then(|n| n.trim().parse::<usize>().ok());
            match n {
                Some(n) if (1..=1_000_000).contains(&n) => Actions::Discrete(n),
                _ => {
                    problems.push(at(
                        spec.actions.position,
                        "`actions` must be `discrete(N)` with N from 1 to 1000000, or a mapping of action names to `[low, high]`".into(),
                    ));
                    Actions::Discrete(1)
                }
            }
        }
        ActionsSpec::Box(entries) => {
            let mut dims = Vec::new();
            for (key, range) in entries.iter() {
                check_name(key, "action", &mut problems);
                match range.value.as_slice() {
                    [lo, hi] if lo.is_finite() && hi.is_finite() && lo <= hi => {
                        dims.push((key.value.clone(), *lo, *hi));
                    }
                    _ => problems.push(at(
                        range.position,
                        format!("action `{}` needs `[low, high]`: two finite numbers, low not above high", key.value),
                    )),
                }
            }
            if entries.entries.is_empty() {
                problems.push(at(
                    spec.actions.position,
                    "a box of actions needs at least one action".into(),
                ));
            }
            Actions::Box(dims)
        }
    };
    if names.contains_key("action") && matches!(actions, Actions::Discrete(_)) {
        problems.push(at(
            spec.id.position,
            "`action` is the discrete action's name; rename the state variable or parameter".into(),
        ));
    }
    let action_names: Vec<String> = match &actions {
        Actions::Discrete(_) => vec!["action".to_owned()],
        Actions::Box(dims) => dims.iter().map(|d| d.0.clone()).collect(),
    };
    let state_names: Vec<String> = state.iter().map(|s| s.0.clone()).collect();
    let max_steps = match &spec.max_steps {
        Some(m) if m.value == 0 => {
            problems.push(at(m.position, "`max_steps` must be at least 1".into()));
            None
        }
        Some(m) => Some(m.value),
        None => None,
    };

    if !names_ok {
        // The code cannot be checked against names that are not names.
        return (None, problems);
    }

    // Helper functions, in order: each may call the ones before it.
    let mut signatures: BTreeMap<String, Signature> = BTreeMap::new();
    let mut functions = Vec::new();
    if let Some(src) = &spec.functions {
        match parse::parse_functions(&src.value) {
            Err(e) => problems.push(in_node(src, e.span, e.message)),
            Ok(fns) => {
                for f in &fns {
                    match compile_function(f, &params, &state_names, &signatures) {
                        Ok((sig, tokens)) => {
                            if names.contains_key(&f.name)
                                || math(&f.name).is_some()
                                || signatures.contains_key(&f.name)
                                || matches!(f.name.as_str(), "uniform" | "normal" | "pi")
                                || !crate::checked::is_identifier(&f.name)
                            {
                                problems.push(in_node(
                                    src,
                                    f.name_span.clone(),
                                    format!(
                                        "`{}` is already a name here, or not a valid function name",
                                        f.name
                                    ),
                                ));
                            }
                            signatures.insert(f.name.clone(), sig);
                            functions.push((f.name.clone(), tokens));
                        }
                        Err(errs) => {
                            for (span, m) in errs {
                                problems.push(in_node(src, span, m));
                            }
                            // Known, so that calls to it are not reported as unknown.
                            signatures.insert(
                                f.name.clone(),
                                Signature {
                                    params: f.params.len(),
                                    returns: SimTy::Float,
                                    poisoned: true,
                                },
                            );
                        }
                    }
                }
            }
        }
    }

    let checker = |place: Place| Checker {
        params: &params,
        state: &state_names,
        actions: &action_names,
        functions: &signatures,
        frames: vec![BTreeMap::new()],
        place,
        reset_done: BTreeSet::new(),
        assigned: BTreeSet::new(),
        uses: Uses::default(),
    };

    // reset: every state variable, in state order.
    let mut reset = TokenStream::new();
    let reset_uses;
    {
        let mut c = checker(Place::Reset);
        let given: BTreeMap<&str, &Located<String>> = spec
            .reset
            .iter()
            .map(|(k, v)| (k.value.as_str(), v))
            .collect();
        for (key, _) in spec.reset.iter() {
            if !state_names.contains(&key.value) {
                problems.push(at(
                    key.position,
                    format!("`{}` is not a state variable", key.value),
                ));
            }
        }
        let order_ok = spec
            .reset
            .iter()
            .map(|(k, _)| k.value.as_str())
            .filter(|k| state_names.iter().any(|s| s == k))
            .eq(state_names
                .iter()
                .map(String::as_str)
                .filter(|s| given.contains_key(s)));
        if !order_ok {
            problems.push(at(
                spec.id.position,
                "`reset` must give the state variables in the order `state` declares them".into(),
            ));
        }
        for (name, position) in &state {
            let Some(node) = given.get(name.as_str()) else {
                problems.push(at(
                    *position,
                    format!("`reset` gives no value for the state variable `{name}`"),
                ));
                continue;
            };
            match parse::parse(&node.value)
                .map_err(|e| (e.span, e.message))
                .and_then(|e| {
                    let compiled = c.scalar(&e)?;
                    c.want(&compiled, SimTy::Float, &e.span, "a state variable")?;
                    Ok(compiled)
                }) {
                Ok(compiled) => {
                    let i = ident(name);
                    let t = compiled.tokens;
                    reset.extend(quote!(let #i: f64 = #t;));
                }
                Err((span, m)) => problems.push(in_node(node, span, m)),
            }
            c.reset_done.insert(name.clone());
        }
        reset_uses = c.uses;
    }

    // step, then reward, cost and terminate in the step's scope.
    let mut c = checker(Place::Step);
    let mut assigned_state = BTreeSet::new();
    let mut step_parsed = true;
    let step = match parse::parse_block(&spec.step.value) {
        Err(e) => {
            problems.push(in_node(&spec.step, e.span, e.message));
            step_parsed = false;
            TokenStream::new()
        }
        Ok(stmts) => {
            assigned_names(&stmts, &mut c.assigned);
            assigned_state = c
                .assigned
                .iter()
                .filter(|n| state_names.contains(n))
                .cloned()
                .collect();
            let mut errors = Vec::new();
            let t = c.block(&stmts, &mut errors);
            for (span, m) in errors {
                problems.push(in_node(&spec.step, span, m));
            }
            t
        }
    };
    let mut after = |node: Option<&'s Located<String>>, ty: SimTy, what: &str, default| match node {
        // Without a parsed `step`, its `let`s are unknown: checking these would only report
        // them as unknown names.
        Some(node) if step_parsed => after_step(&mut c, node, ty, what).unwrap_or_else(|p| {
            problems.push(p);
            TokenStream::new()
        }),
        _ => default,
    };
    let reward = after(Some(&spec.reward), SimTy::Float, "`reward`", quote!(0.0));
    let cost = after(spec.cost.as_ref(), SimTy::Float, "`cost`", quote!(0.0));
    let terminate = after(
        spec.terminate.as_ref(),
        SimTy::Bool,
        "`terminate`",
        quote!(false),
    );

    let step_uses = c.uses;

    // observe
    let mut observe = Vec::new();
    let mut observe_uses = Uses::default();
    match &spec.observe {
        None => {
            for (name, _) in &state {
                let i = ident(name);
                observe.push(quote!(#i));
                observe_uses.names.insert(name.clone());
            }
        }
        Some(list) => {
            if list.is_empty() {
                problems.push(at(
                    spec.id.position,
                    "`observe` needs at least one expression".into(),
                ));
            }
            let mut c = checker(Place::Observe);
            for node in list {
                match parse::parse(&node.value)
                    .map_err(|e| (e.span, e.message))
                    .and_then(|e| {
                        let compiled = c.scalar(&e)?;
                        c.want(&compiled, SimTy::Float, &e.span, "an observation")?;
                        Ok(compiled.tokens)
                    }) {
                    Ok(t) => observe.push(t),
                    Err((span, m)) => problems.push(in_node(node, span, m)),
                }
            }
            observe_uses = c.uses;
        }
    }

    if !problems.is_empty() {
        return (None, problems);
    }
    let model = Simulator {
        id: spec.id.value.clone(),
        description: spec.description.trim().to_owned(),
        position: spec.id.position,
        state,
        params: param_list,
        actions,
        max_steps,
        functions,
        functions_position: spec.functions.as_ref().map(|f| f.position),
        reset,
        step,
        reward,
        cost,
        terminate,
        observe,
        reset_uses,
        step_uses,
        observe_uses,
        assigned_state,
    };
    (Some(model), problems)
}

fn in_node(node: &Located<String>, span: Range<usize>, message: String) -> Problem<'_> {
    Problem {
        node: Some(node),
        position: node.position,
        span,
        message,
    }
}

/// `reward`, `cost` or `terminate`: an expression in the step's scope. A condition is a cost
/// of 1 when it holds.
fn after_step<'s>(
    c: &mut Checker<'_>,
    node: &'s Located<String>,
    ty: SimTy,
    what: &str,
) -> Result<TokenStream, Problem<'s>> {
    let result = parse::parse(&node.value)
        .map_err(|e| (e.span, e.message))
        .and_then(|e| {
            let compiled = c.scalar(&e)?;
            if ty == SimTy::Float && compiled.ty == SimTy::Bool {
                let t = compiled.tokens;
                return Ok(quote!(if #t { 1.0 } else { 0.0 }));
            }
            c.want(&compiled, ty, &e.span, what)?;
            Ok(compiled.tokens)
        });
    result.map_err(|(span, message)| Problem {
        node: Some(node),
        position: node.position,
        span,
        message,
    })
}

/// Compiles a helper function: `fn name(params: &Params, a: f64, …) -> … { … }`.
fn compile_function(
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
fn bind_params(params: &BTreeMap<String, f64>, uses: &Uses, from: TokenStream) -> TokenStream {
    let used = params.keys().filter(|p| uses.names.contains(*p)).map(|p| {
        let i = ident(p);
        quote!(let #i = #from.#i;)
    });
    quote!(#(#used)*)
}

/// Emits every simulator of the domain inside `pub mod simulators`, and the `SimulatorInfo`
/// entries for `INFO`.
pub(crate) fn emit(
    sims: &[Simulator],
    spec_display: &str,
    domain: &str,
) -> (TokenStream, Vec<TokenStream>) {
    if sims.is_empty() {
        return (TokenStream::new(), Vec::new());
    }
    let at = |p: Position| format!("{spec_display}:{}:{}", p.line, p.column);
    let mut modules = Vec::new();
    let mut infos = Vec::new();
    for m in sims {
        let module = ident(&m.id);
        let ty = format_ident!("{}", crate::expr::check::variant_name(&m.id));
        let location = at(m.position);
        let summary = if m.description.is_empty() {
            format!("The `{}` simulator.", m.id)
        } else {
            format!("The `{}` simulator: {}", m.id, m.description)
        };
        let mod_doc = crate::emit::doc(&format!("{summary}\n\nGenerated from `{location}`."));
        let ty_doc = crate::emit::doc(&format!(
            "{summary}\n\nImplements [`::aegis_core::env::Environment`]. Spec: `{location}`."
        ));

        // Parameters.
        let param_fields = m.params.iter().map(|(name, value, position)| {
            let i = ident(name);
            let d = crate::emit::doc(&format!(
                "`{name}` (default {value}). Spec: `{}`.",
                at(*position)
            ));
            quote!(#d pub #i: f64,)
        });
        let param_defaults = m.params.iter().map(|(name, value, _)| {
            let i = ident(name);
            let v = float_lit(*value);
            quote!(#i: #v,)
        });
        // State.
        let state_fields = m.state.iter().map(|(name, position)| {
            let i = ident(name);
            let d = crate::emit::doc(&format!("`{name}`. Spec: `{}`.", at(*position)));
            quote!(#d pub #i: f64,)
        });
        let state_names: Vec<Ident> = m.state.iter().map(|(n, _)| ident(n)).collect();
        let state_strs: Vec<&str> = m.state.iter().map(|(n, _)| n.as_str()).collect();
        let n_state = Literal::usize_unsuffixed(m.state.len());
        let n_obs = Literal::usize_unsuffixed(m.observe.len());

        // What each block reads of the parameters, the state and the actions: only those are
        // bound. Generated locals start with `_`, which no spec name can.
        let params_map: BTreeMap<String, f64> =
            m.params.iter().map(|(n, v, _)| (n.clone(), *v)).collect();
        let prelude = |uses: &Uses, assigned: &BTreeSet<String>| {
            let helpers = if uses.helper {
                quote!(let _params = self.params;)
            } else {
                quote!()
            };
            let params = bind_params(&params_map, uses, quote!(self.params));
            let state = bind_state(&m.state, uses, assigned);
            quote!(#helpers #params #state)
        };
        let observe = &m.observe;
        let observe_prelude = prelude(&m.observe_uses, &BTreeSet::new());
        let reset = &m.reset;
        let reset_prelude = prelude(&m.reset_uses, &BTreeSet::new());
        let reset_rng = if m.reset_uses.rng {
            quote!(let _rng = &mut self.rng;)
        } else {
            quote!()
        };
        let (step, reward, cost, terminate) = (&m.step, &m.reward, &m.cost, &m.terminate);
        let step_prelude = prelude(&m.step_uses, &m.assigned_state);
        let step_rng = if m.step_uses.rng {
            quote!(let _rng = &mut self.rng;)
        } else {
            quote!()
        };
        let write_back = m
            .state
            .iter()
            .filter(|(n, _)| m.assigned_state.contains(n))
            .map(|(n, _)| {
                let i = ident(n);
                quote!(self.state.#i = #i;)
            });
        let params_doc = crate::emit::doc(&format!(
            "The parameters of `{}`: constants of the dynamics, which may be changed (domain randomisation). Spec: `{location}`.",
            m.id
        ));
        let state_doc = crate::emit::doc(&format!("The state of `{}`. Spec: `{location}`.", m.id));
        let make_doc = crate::emit::doc(&format!(
            "Builds a `{}` with the spec's parameters (for `SimulatorInfo::make`). Spec: `{location}`.",
            m.id
        ));
        let functions_at = m.functions_position.map(at).unwrap_or_default();
        let mut all_uses = m.reset_uses.clone();
        all_uses.merge(&m.step_uses);
        all_uses.merge(&m.observe_uses);

        let (space, action_binding, actions_text) = match &m.actions {
            Actions::Discrete(n) => {
                let binding = if m.step_uses.names.contains("action") {
                    quote!(let action = match _action {
                        ::aegis_core::Action::Discrete(i) => *i as f64,
                        ::aegis_core::Action::Continuous(_) => 0.0,
                    };)
                } else {
                    quote!()
                };
                (
                    quote!(::aegis_core::env::ActionSpace::Discrete(#n)),
                    binding,
                    format!("discrete({n})"),
                )
            }
            Actions::Box(dims) => {
                let bounds = dims.iter().map(|(_, lo, hi)| {
                    let (lo, hi) = (float_lit(*lo), float_lit(*hi));
                    quote!((#lo, #hi))
                });
                let names = dims
                    .iter()
                    .enumerate()
                    .filter(|(_, (n, _, _))| m.step_uses.names.contains(n))
                    .map(|(k, (n, _, _))| {
                        let i = ident(n);
                        let k = Literal::usize_unsuffixed(k);
                        quote!(let #i = _values[#k];)
                    });
                let binding = quote!(
                    let _values: &[f64] = match _action {
                        ::aegis_core::Action::Continuous(v) => v,
                        ::aegis_core::Action::Discrete(_) => &[],
                    };
                    #(#names)*
                );
                let text = dims
                    .iter()
                    .map(|(n, lo, hi)| format!("{n} in [{lo}, {hi}]"))
                    .collect::<Vec<_>>()
                    .join(", ");
                (
                    quote!(::aegis_core::env::ActionSpace::Continuous(
                        ::std::vec![#(#bounds),*]
                    )),
                    binding,
                    text,
                )
            }
        };
        let check_action = match &m.actions {
            Actions::Discrete(n) => {
                let n = Literal::usize_unsuffixed(*n);
                quote!(::aegis_core::env::check_discrete(#n, action)?;)
            }
            Actions::Box(dims) => {
                let n = Literal::usize_unsuffixed(dims.len());
                quote!(::aegis_core::env::check_box(#n, action)?;)
            }
        };
        let truncate = match m.max_steps {
            Some(n) => quote!(self.steps >= #n),
            None => quote!(false),
        };
        let id = &m.id;
        let functions = m.functions.iter().map(|(name, t)| {
            let d = crate::emit::doc(&format!(
                "The spec's helper function `{name}` (in the `functions` of `{}`, `{functions_at}`).",
                m.id
            ));
            quote!(#d #t)
        });
        let description = &m.description;
        let use_sim = if all_uses.sim
            || m.functions
                .iter()
                .any(|(_, t)| crate::emit::mentions_ident(t, "sim"))
        {
            quote!(
                use ::aegis_core::__private::sim;
            )
        } else {
            quote!()
        };
        modules.push(quote! {
            #mod_doc
            pub mod #module {
                #use_sim

                #params_doc
                #[derive(Debug, Clone, Copy, PartialEq)]
                pub struct Params {
                    #(#param_fields)*
                }

                impl ::std::default::Default for Params {
                    fn default() -> Self {
                        Params { #(#param_defaults)* }
                    }
                }

                #state_doc
                #[derive(Debug, Clone, Copy, PartialEq, Default)]
                pub struct State {
                    #(#state_fields)*
                }

                impl State {
                    #[doc = " The state variables' names, in order."]
                    pub const NAMES: [&'static str; #n_state] = [#(#state_strs),*];

                    #[doc = " The state as a vector, in `NAMES` order."]
                    pub fn to_vec(&self) -> ::std::vec::Vec<f64> {
                        ::std::vec![#(self.#state_names),*]
                    }

                    #[doc = " A state from a vector in `NAMES` order; every value must be finite."]
                    pub fn from_slice(_values: &[f64]) -> ::std::result::Result<Self, ::aegis_core::env::EnvError> {
                        if !_values.iter().all(|v| v.is_finite()) {
                            return ::std::result::Result::Err(::aegis_core::env::EnvError("a state value is not finite".into()));
                        }
                        match _values {
                            [#(#state_names),*] => {
                                ::std::result::Result::Ok(State { #(#state_names: *#state_names),* })
                            }
                            _ => ::std::result::Result::Err(::aegis_core::env::EnvError(::std::format!(
                                "a `{}` state has {} values ({}), not {}", #id, #n_state, Self::NAMES.join(", "), _values.len()
                            ))),
                        }
                    }
                }

                #ty_doc
                #[derive(Debug, Clone)]
                pub struct #ty {
                    #[doc = " The parameters the dynamics use."]
                    pub params: Params,
                    #[doc = " The current state."]
                    pub state: State,
                    steps: u64,
                    rng: ::aegis_core::env::SimRng,
                }

                impl ::std::default::Default for #ty {
                    fn default() -> Self {
                        Self::with_params(Params::default())
                    }
                }

                impl #ty {
                    #[doc = " The simulator's id in the spec."]
                    pub const ID: &'static str = #id;

                    #[doc = " A simulator with these parameters, in the all-zero state until `reset`."]
                    pub fn with_params(params: Params) -> Self {
                        #ty { params, state: State::default(), steps: 0, rng: ::aegis_core::env::SimRng::seeded(0) }
                    }

                    #[doc = " What the policy observes of the current state."]
                    pub fn observe(&self) -> ::std::vec::Vec<f64> {
                        #observe_prelude
                        ::std::vec![#(#observe),*]
                    }

                    fn advance(&mut self, _action: &::aegis_core::Action) -> (f64, f64, bool) {
                        #step_prelude
                        #action_binding
                        #step_rng
                        #step
                        let _reward: f64 = #reward;
                        let _cost: f64 = #cost;
                        let _terminated: bool = #terminate;
                        #(#write_back)*
                        (_reward, _cost, _terminated)
                    }
                }

                impl ::aegis_core::env::Environment for #ty {
                    fn name(&self) -> &str {
                        #id
                    }

                    fn observation_size(&self) -> usize {
                        #n_obs
                    }

                    fn action_space(&self) -> ::aegis_core::env::ActionSpace {
                        #space
                    }

                    fn reset(&mut self, seed: u64) -> ::std::vec::Vec<f64> {
                        self.rng = ::aegis_core::env::SimRng::seeded(seed);
                        self.steps = 0;
                        #reset_prelude
                        #reset_rng
                        #reset
                        self.state = State { #(#state_names),* };
                        self.observe()
                    }

                    fn reset_to(&mut self, state: &[f64]) -> ::std::result::Result<::std::vec::Vec<f64>, ::aegis_core::env::EnvError> {
                        self.state = State::from_slice(state)?;
                        // The same state always replays with the same random numbers.
                        self.rng = ::aegis_core::env::SimRng::for_state(state);
                        self.steps = 0;
                        ::std::result::Result::Ok(self.observe())
                    }

                    fn step(&mut self, action: &::aegis_core::Action) -> ::std::result::Result<::aegis_core::env::StepOutcome, ::aegis_core::env::EnvError> {
                        #check_action
                        let (reward, cost, terminated) = self.advance(action);
                        self.steps += 1;
                        ::std::result::Result::Ok(::aegis_core::env::StepOutcome {
                            observation: self.observe(),
                            reward,
                            cost,
                            terminated,
                            truncated: #truncate,
                        })
                    }
                }

                #(#functions)*

                #make_doc
                pub fn make() -> ::std::boxed::Box<dyn ::aegis_core::env::Environment> {
                    ::std::boxed::Box::new(#ty::default())
                }
            }
        });
        infos.push(quote!(::aegis_core::SimulatorInfo {
            id: #id,
            description: #description,
            state: &[#(#state_strs),*],
            observation_size: #n_obs,
            actions: #actions_text,
            spec_location: #location,
            make: simulators::#module::make,
        }));
    }
    let d = crate::emit::doc(&format!(
        "The simulators of the `{domain}` domain, one module each."
    ));
    (quote!(#d pub mod simulators { #(#modules)* }), infos)
}

/// `let [mut] name = self.state.name;` for each state variable the code uses.
fn bind_state(
    state: &[(String, Position)],
    uses: &Uses,
    assigned: &BTreeSet<String>,
) -> TokenStream {
    let used = state
        .iter()
        .filter(|(s, _)| uses.names.contains(s))
        .map(|(s, _)| {
            let i = ident(s);
            if assigned.contains(s) {
                quote!(let mut #i = self.state.#i;)
            } else {
                quote!(let #i = self.state.#i;)
            }
        });
    quote!(#(#used)*)
}

impl crate::load::Builder<'_> {
    /// Checks the simulators: unique, well-named ids, then each one's shape and code.
    pub(crate) fn simulators(&mut self, spec: &DomainSpec) -> Vec<Simulator> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for s in &spec.simulators {
            if !self.check_name(&s.id, "simulator") {
                continue;
            }
            if matches!(
                crate::expr::check::variant_name(&s.id.value).as_str(),
                "Params" | "State"
            ) {
                self.error(
                    s.id.position,
                    format!(
                        "`{}` cannot name a simulator: its module already has the generated `Params` and `State`",
                        s.id.value
                    ),
                );
                continue;
            }
            if !seen.insert(s.id.value.clone()) {
                self.error(
                    s.id.position,
                    format!("a simulator `{}` is already declared", s.id.value),
                );
                continue;
            }
            let (model, problems) = check(s);
            for p in problems {
                match p.node {
                    Some(node) => self.error_in(node, p.span, p.message),
                    None => self.error(p.position, p.message),
                }
            }
            out.extend(model);
        }
        out
    }
}
