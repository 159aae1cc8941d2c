//! Emits each checked simulator as a module with `Params`, `State` and a type implementing
//! `aegis_core::env::Environment`, and its `SimulatorInfo`.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::code::*;
use super::*;
use crate::error::Position;

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
pub(super) fn bind_state(
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
