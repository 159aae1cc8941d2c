//! Emits a [`CheckedDomain`] as Rust tokens: the items every domain has (the rules' `Context`, the
//! domain type and its `DomainInfo`) here, each section's own items from its module under
//! [`crate::sections`]. Items come out in a fixed order (data, tables,
//! extractors, context, validators, escalation, domain), generation reads no clock and no
//! environment, and every item's doc comment names the spec location it came from.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use aegis_core::{Severity, TextField, Tier};

use crate::checked::*;
use crate::error::Position;
use crate::expr::check::variant_name;
use crate::expr::parse::BinOp;
use crate::expr::{Compiled, Ty, prec};

pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `no_medication_overdose` → `NoMedicationOverdose`.
pub(crate) fn camel(name: &str) -> String {
    variant_name(name)
}

/// Doc attributes for text that may come from a spec: lines are trimmed (no indented code
/// blocks), tabs become spaces and code fences are broken up, so that a description can never
/// become a doctest or trip a doc lint.
pub(crate) fn doc(text: &str) -> TokenStream {
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            format!(
                " {}",
                l.trim().replace('\t', "    ").replace("```", "`\u{200b}``")
            )
        })
        .collect();
    if lines.is_empty() {
        return quote!();
    }
    quote!(#(#[doc = #lines])*)
}

pub(crate) fn severity_tokens(s: Severity) -> TokenStream {
    let v = format_ident!("{}", variant_name(s.as_str()));
    quote!(::aegis_core::Severity::#v)
}

pub(crate) fn tier_tokens(t: Tier) -> TokenStream {
    let v = format_ident!("{}", variant_name(t.as_str()));
    quote!(::aegis_core::Tier::#v)
}

pub(crate) fn text_field_tokens(f: TextField) -> TokenStream {
    match f {
        TextField::Input => quote!(::aegis_core::TextField::Input),
        TextField::Output => quote!(::aegis_core::TextField::Output),
    }
}

/// Emits a checked domain; each section's items come from its module under [`crate::sections`].
pub(crate) struct Emitter<'d> {
    /// The domain being emitted.
    pub(crate) domain: &'d CheckedDomain,
}

impl Emitter<'_> {
    pub(crate) fn at(&self, p: Position) -> String {
        format!("{}:{}:{}", self.domain.spec_display, p.line, p.column)
    }

    pub(crate) fn context(&self) -> TokenStream {
        let ex = &self.domain.schema.extractors;
        let fields = ex.iter().map(|e| {
            let f = ident(&e.name);
            let st = format_ident!("{}Match", camel(&e.name));
            quote!(#f: ::std::cell::OnceCell<::std::vec::Vec<#st<'t>>>,)
        });
        let inits = ex.iter().map(|e| {
            let f = ident(&e.name);
            quote!(#f: ::std::cell::OnceCell::new(),)
        });
        // Each text field that a case-insensitive extractor reads is lowercased once per trace.
        let lowered_fields: Vec<&str> = ["input", "output"]
            .into_iter()
            .filter(|f| {
                ex.iter()
                    .any(|e| e.lowercase_pattern.is_some() && e.from.as_str() == *f)
            })
            .collect();
        let lowered_decls = lowered_fields.iter().map(|f| {
            let cell = format_ident!("lowered_{}", f);
            quote!(#cell: ::std::cell::OnceCell<::std::string::String>,)
        });
        let lowered_inits = lowered_fields.iter().map(|f| {
            let cell = format_ident!("lowered_{}", f);
            quote!(#cell: ::std::cell::OnceCell::new(),)
        });
        let lowered_accessors = lowered_fields.iter().map(|f| {
            let cell = format_ident!("lowered_{}", f);
            let src = ident(f);
            let d = doc(&format!(
                "The trace's `{f}` in ASCII lowercase, made on first use."
            ));
            quote! {
                #d
                fn #cell(&self) -> &str {
                    self.#cell.get_or_init(|| self.trace.#src.to_ascii_lowercase())
                }
            }
        });
        let accessors = ex.iter().map(|e| {
            let f = ident(&e.name);
            let st = format_ident!("{}Match", camel(&e.name));
            let fun = format_ident!("extract_{}", e.name);
            let src = ident(e.from.as_str());
            let run = if e.lowercase_pattern.is_some() {
                let fun_lowered = format_ident!("extract_{}_lowered", e.name);
                let cell = format_ident!("lowered_{}", e.from.as_str());
                quote!(#fun_lowered(&self.trace.#src, self.#cell()))
            } else {
                quote!(#fun(&self.trace.#src))
            };
            let d = doc(&format!(
                "Matches of extractor `{}` in the trace's `{}`, found on first use.",
                e.name,
                e.from.as_str()
            ));
            quote! {
                #d
                pub fn #f(&self) -> &[#st<'t>] {
                    self.#f.get_or_init(|| #run)
                }
            }
        });
        let d = doc(&format!(
            "What the rules of the `{}` domain read: the trace, its typed data and each extractor's matches (each extractor runs at most once, when a rule first needs it).",
            self.domain.name
        ));
        quote! {
            #d
            #[derive(Debug, Clone)]
            pub struct Context<'t> {
                #[doc = " The trace."]
                pub trace: &'t ::aegis_core::Trace,
                #[doc = " The trace's `domain_data`, typed."]
                pub data: DomainData,
                #(#fields)*
                #(#lowered_decls)*
            }
            impl<'t> Context<'t> {
                #[doc = " Reads a trace's typed data; extractors run later, on first use."]
                #[doc = ""]
                #[doc = " Fails with the offending field's path when `domain_data` does not fit the spec."]
                pub fn new(trace: &'t ::aegis_core::Trace) -> ::std::result::Result<Self, ::std::string::String> {
                    ::std::result::Result::Ok(Context {
                        trace,
                        data: ::aegis_core::__private::read_domain_data(trace)?,
                        #(#inits)*
                        #(#lowered_inits)*
                    })
                }
                #(#accessors)*
                #(#lowered_accessors)*
            }
        }
    }

    pub(crate) fn domain(&self) -> TokenStream {
        let m = self.domain;
        let ty = format_ident!("{}", camel(&m.name));
        let n = Literal::usize_unsuffixed(m.validators.len());
        let entries = m.validators.iter().map(|v| {
            let id = &v.id;
            let f = format_ident!("check_{}", v.id);
            quote!((#id, #f))
        });
        let validator_infos = self.validator_infos();
        let tool_infos = self.tool_infos();
        let table_infos = self.table_infos();
        let extractor_infos = self.extractor_infos();
        let (name, version, description, spec_path, spec_hash) = (
            &m.name,
            &m.version,
            &m.description,
            &m.spec_display,
            &m.spec_hash,
        );
        let compliance = &m.compliance;
        let phi = self.phi_settings();
        let phi_none_reason = match &m.phi_none_reason {
            Some(r) => quote!(::std::option::Option::Some(#r)),
            None => quote!(::std::option::Option::None),
        };
        let fail_at = severity_tokens(m.fail_at);
        let uncertain_at = match m.uncertain_at {
            Some(s) => {
                let s = severity_tokens(s);
                quote!(Some(#s))
            }
            None => quote!(None),
        };
        let ty_doc = doc(&format!(
            "The `{name}` domain{}\n\nGenerated from `{spec_path}` (version {version}). Implements [`::aegis_core::Domain`].",
            if description.is_empty() {
                ".".to_owned()
            } else {
                format!(": {description}")
            }
        ));
        let info_doc = doc(&format!("What the `{name}` domain declares."));
        let model_infos = m.models.iter().map(|md| self.model_info(md));
        let judge_infos = self.judge_infos();
        let (_, simulator_infos) =
            crate::sections::simulators::emit(&m.simulators, &m.spec_display, &m.name);
        let rl = self.rl_settings();
        let alerts = crate::sections::alerts::emit(&m.alerts);
        let load_models = if m.models.is_empty() {
            quote!()
        } else {
            quote! {
                fn load_models(&self, source: &::aegis_core::tiers::ModelSource) -> ::std::result::Result<::std::option::Option<::std::boxed::Box<dyn ::aegis_core::tiers::ModelTier>>, ::std::string::String> {
                    Models::load(source).map(|m| ::std::option::Option::Some(::std::boxed::Box::new(m) as ::std::boxed::Box<dyn ::aegis_core::tiers::ModelTier>))
                }
            }
        };
        let tool_calls_check = self.tool_calls_check();
        let escalate = if m.tools.is_empty() {
            quote!(escalations(&ctx, &issues))
        } else {
            quote!({
                let mut all = escalations(&ctx, &issues);
                all.append(&mut tool_errors);
                all
            })
        };
        let tool_errors = if m.tools.is_empty() {
            quote!()
        } else {
            quote!(let mut tool_errors = ::std::vec::Vec::new();)
        };
        quote! {
            #ty_doc
            #[derive(Debug, Clone, Copy, Default)]
            pub struct #ty;

            #[doc = " A Tier-1 validator: reads the context, pushes its issues, says how it went."]
            pub type Validator = fn(&Context<'_>, &mut ::std::vec::Vec<::aegis_core::Issue>) -> ::aegis_core::ModuleOutcome;

            #[doc = " Every Tier-1 validator of the domain with its id, in spec order."]
            pub static VALIDATORS: [(&str, Validator); #n] = [#(#entries),*];

            #info_doc
            pub static INFO: ::aegis_core::DomainInfo = ::aegis_core::DomainInfo {
                name: #name,
                version: #version,
                description: #description,
                compliance: &[#(#compliance),*],
                spec_path: #spec_path,
                spec_hash: #spec_hash,
                phi: #phi,
                phi_none_reason: #phi_none_reason,
                policy: ::aegis_core::EscalationPolicy { fail_at: #fail_at, uncertain_at: #uncertain_at },
                validators: &[#(#validator_infos),*],
                tools: &[#(#tool_infos),*],
                tables: &[#(#table_infos),*],
                extractors: &[#(#extractor_infos),*],
                models: &[#(#model_infos),*],
                judges: &[#(#judge_infos),*],
                simulators: &[#(#simulator_infos),*],
                rl: #rl,
                alerts: #alerts,
            };

            impl ::aegis_core::Domain for #ty {
                fn info(&self) -> &'static ::aegis_core::DomainInfo {
                    &INFO
                }

                fn evaluate_rules(&self, trace: &::aegis_core::Sanitized<::aegis_core::Trace>) -> ::aegis_core::RuleOutcome {
                    let ctx = match Context::new(trace) {
                        Ok(ctx) => ctx,
                        Err(error) => {
                            return ::aegis_core::RuleOutcome { data_error: Some(error), ..::std::default::Default::default() };
                        }
                    };
                    let mut issues = ::std::vec::Vec::new();
                    #tool_errors
                    let mut modules = ::std::vec::Vec::with_capacity(VALIDATORS.len());
                    for (id, check) in VALIDATORS {
                        let before = issues.len();
                        let outcome = check(&ctx, &mut issues);
                        modules.push(::aegis_core::ModuleResult {
                            module: ::std::borrow::Cow::Borrowed(id),
                            outcome,
                            issues: issues.len() - before,
                            score: None,
                            scores: ::std::vec::Vec::new(),
                            call: None,
                            weights: None,
                        });
                    }
                    #tool_calls_check
                    // A trace that already fails at Tier 1 goes no further: its escalation rules
                    // (and the extractors they read) need not run.
                    let fails = issues.iter().any(|i| i.severity >= INFO.policy.fail_at);
                    let escalations = if fails { ::std::vec::Vec::new() } else { #escalate };
                    ::aegis_core::RuleOutcome { issues, modules, escalations, data_error: None }
                }

                #load_models
            }
        }
    }
}

/// Whether the tokens use the identifier `name` anywhere (groups included).
pub(crate) fn mentions_ident(tokens: &TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(i) => i == name,
        proc_macro2::TokenTree::Group(g) => mentions_ident(&g.stream(), name),
        _ => false,
    })
}

/// A parameter `name`, written `_name` when `tokens` never read it (so the function compiles
/// without an unused-variable warning and without a dead `let _ = name;`).
pub(crate) fn unused_as_underscored(tokens: &TokenStream, name: &str) -> Ident {
    if mentions_ident(tokens, name) {
        ident(name)
    } else {
        format_ident!("_{name}")
    }
}

pub(crate) fn has_required(children: &std::collections::BTreeMap<String, DataTree>) -> bool {
    children.values().any(|c| match c {
        DataTree::Field(f) => !f.optional && !f.list,
        DataTree::Group(g) => has_required(g),
    })
}

/// A compiled condition as a `bool`: an optional one (`Option<bool>`) holds only when `Some(true)`.
pub(crate) fn holds(condition: &Compiled) -> TokenStream {
    if matches!(condition.ty, Ty::Opt(_)) {
        let (t, _) = prec::operands(BinOp::Eq);
        let t = condition.operand(t);
        quote!(#t == Some(true))
    } else {
        condition.tokens.clone()
    }
}

/// Emits the whole domain as one token stream.
pub(crate) fn emit(domain: &CheckedDomain) -> TokenStream {
    let e = Emitter { domain };
    let data = e.data();
    let tables = e.tables();
    let extractors = e.extractors();
    let context = e.context();
    let validators = domain.validators.iter().map(|v| e.validator(v));
    let escalations = e.escalations();
    let tools = e.tools();
    let models = e.models();
    let judges = e.judges();
    let (simulators, _) =
        crate::sections::simulators::emit(&domain.simulators, &domain.spec_display, &domain.name);
    let domain = e.domain();
    quote! {
        #data
        #tables
        #extractors
        #context
        #(#validators)*
        #tools
        #escalations
        #models
        #judges
        #simulators
        #domain
    }
}
