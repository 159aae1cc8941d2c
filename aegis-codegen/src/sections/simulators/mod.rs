//! Simulators: checks a spec's `simulators` (names, actions, and the types of every block of
//! simulator code) and emits each one as a module whose type implements
//! `aegis_core::env::Environment`.
//!
//! The checker and the emitter are one pass, as for rules (`expr::check`): each expression is
//! type-checked and turned into tokens together. Simulator code is plain arithmetic on `f64`
//! and `bool`, with none of the rules' missing-value logic.
//!
//! `code` checks and compiles simulator code (expressions, statements, helper functions);
//! `emit` writes each checked simulator as a module.

mod code;
mod emit;

pub(crate) use emit::emit;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use proc_macro2::TokenStream;
use quote::quote;

use crate::error::Position;
use crate::expr::parse;
use crate::spec::{ActionsSpec, DomainSpec, Located, SimulatorSpec};
use code::*;

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
