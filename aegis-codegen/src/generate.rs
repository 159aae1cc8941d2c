//! Emits a checked [`DomainModel`] as Rust tokens. Items come out in a fixed order (data, tables,
//! extractors, context, validators, escalation, domain), generation reads no clock and no
//! environment, and every item's doc comment names the spec location it came from.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use aegis_core::{Severity, TextField, Tier};

use crate::error::Position;
use crate::expr::check::{label_ident, variant_name};
use crate::expr::{Compiled, Ty};
use crate::model::*;
use crate::spec::{BackboneName, ModelKindName};

fn ident(name: &str) -> Ident {
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

fn tier_tokens(t: Tier) -> TokenStream {
    let v = format_ident!("{}", variant_name(t.as_str()));
    quote!(::aegis_core::Tier::#v)
}

fn text_field_tokens(f: TextField) -> TokenStream {
    match f {
        TextField::Input => quote!(::aegis_core::TextField::Input),
        TextField::Output => quote!(::aegis_core::TextField::Output),
    }
}

pub(crate) struct Emitter<'m> {
    pub(crate) m: &'m DomainModel,
}

impl Emitter<'_> {
    pub(crate) fn at(&self, p: Position) -> String {
        format!("{}:{}:{}", self.m.spec_display, p.line, p.column)
    }

    fn data(&self) -> TokenStream {
        let mut items = Vec::new();
        let summary = match self.m.data_position {
            Some(p) => format!(
                "The typed `domain_data` of a `{}` trace: the spec's `data` section (`{}`).",
                self.m.name,
                self.at(p)
            ),
            None => format!(
                "The typed `domain_data` of a `{}` trace: empty, as `{}` has no `data` section.",
                self.m.name, self.m.spec_display
            ),
        };
        self.group(&[], &self.m.schema.data, &summary, &mut items);
        quote!(#(#items)*)
    }

    fn group_struct_name(path: &[String]) -> Ident {
        if path.is_empty() {
            ident("DomainData")
        } else {
            format_ident!("{}Data", path.iter().map(|p| camel(p)).collect::<String>())
        }
    }

    fn group(
        &self,
        path: &[String],
        children: &std::collections::BTreeMap<String, DataTree>,
        summary: &str,
        out: &mut Vec<TokenStream>,
    ) {
        let name = Self::group_struct_name(path);
        let docs = doc(summary);
        let mut fields = Vec::new();
        for (field, node) in children {
            let f = ident(field);
            let mut child_path = path.to_vec();
            child_path.push(field.clone());
            let dotted = child_path.join(".");
            match node {
                DataTree::Group(grandchildren) => {
                    let ty = Self::group_struct_name(&child_path);
                    let d = doc(&format!("Group `{dotted}`."));
                    let default = if has_required(grandchildren) {
                        quote!()
                    } else {
                        quote!(#[serde(default)])
                    };
                    fields.push(quote!(#d #default pub #f: #ty,));
                    self.group(
                        &child_path,
                        grandchildren,
                        &format!("Group `{dotted}` of the `{}` domain's data.", self.m.name),
                        out,
                    );
                }
                DataTree::Field(df) => {
                    let scalar = match df.scalar {
                        ScalarType::Float => quote!(f64),
                        ScalarType::Int => quote!(i64),
                        ScalarType::Str => quote!(::std::string::String),
                        ScalarType::Bool => quote!(bool),
                    };
                    let (ty, default) = if df.list && df.scalar == ScalarType::Int {
                        // Whole numbers, kept as f64 so that list elements are plain numbers
                        // in expressions.
                        (
                            quote!(::std::vec::Vec<f64>),
                            quote!(#[serde(default, deserialize_with = "::aegis_core::__private::whole_numbers")]),
                        )
                    } else if df.list {
                        (
                            quote!(::std::vec::Vec<#scalar>),
                            quote!(#[serde(default, deserialize_with = "::aegis_core::__private::list_or_null")]),
                        )
                    } else if df.optional {
                        (
                            quote!(::std::option::Option<#scalar>),
                            quote!(#[serde(default)]),
                        )
                    } else {
                        (scalar, quote!())
                    };
                    let d = doc(&format!(
                        "`{dotted}: {}` — spec `{}`.",
                        df.written.trim(),
                        self.at(df.position)
                    ));
                    fields.push(quote!(#d #default pub #f: #ty,));
                }
            }
        }
        out.insert(0, quote! {
            #docs
            #[derive(Debug, Clone, Default, PartialEq, ::aegis_core::__private::serde::Deserialize)]
            #[serde(crate = "::aegis_core::__private::serde")]
            pub struct #name {
                #(#fields)*
            }
        });
    }

    fn tables(&self) -> TokenStream {
        let mut items = Vec::new();
        for t in &self.m.schema.tables {
            let row = format_ident!("{}Row", camel(&t.name));
            let stat = format_ident!("{}", t.name.to_uppercase());
            let n = Literal::usize_unsuffixed(t.rows.len());
            let fields = t.columns.iter().map(|c| {
                let f = ident(&c.name);
                let base = match c.ty.scalar {
                    ScalarType::Float => quote!(f64),
                    ScalarType::Int => quote!(i64),
                    ScalarType::Str => quote!(&'static str),
                    ScalarType::Bool => quote!(bool),
                };
                let ty = if c.ty.optional {
                    quote!(::std::option::Option<#base>)
                } else {
                    base
                };
                let d = doc(&format!(
                    "Column `{}` ({}{}).",
                    c.name,
                    c.ty.scalar.name(),
                    if c.ty.optional { ", may be empty" } else { "" }
                ));
                quote!(#d pub #f: #ty,)
            });
            let rows = t.rows.iter().map(|r| {
                let cells = t.columns.iter().zip(r).map(|(c, cell)| {
                    let f = ident(&c.name);
                    let v = match cell {
                        Cell::Str(s) => quote!(#s),
                        Cell::Float(x) => {
                            let l = Literal::f64_unsuffixed(*x);
                            quote!(#l)
                        }
                        Cell::Int(i) => {
                            let l = Literal::i64_unsuffixed(*i);
                            quote!(#l)
                        }
                        Cell::Bool(b) => quote!(#b),
                        Cell::Missing => quote!(None),
                    };
                    let v = if c.ty.optional && *cell != Cell::Missing {
                        quote!(Some(#v))
                    } else {
                        v
                    };
                    quote!(#f: #v)
                });
                quote!(#row { #(#cells),* })
            });
            let row_doc = doc(&format!(
                "A row of table `{}`{}\n\nCompiled from `{}`; declared at `{}`.",
                t.name,
                if t.description.is_empty() {
                    ".".to_owned()
                } else {
                    format!(": {}", t.description)
                },
                t.source,
                self.at(t.position)
            ));
            let order = match &t.key {
                Some(k) => format!(", sorted by `{k}` ignoring case"),
                None => ", in file order".to_owned(),
            };
            let stat_doc = doc(&format!("The {n} rows of table `{}`{order}.", t.name));
            let lookup = t.key.as_ref().map(|k| {
                let f = format_ident!("{}_by_{}", t.name, k);
                let key = ident(k);
                let keys_stat = format_ident!("{}_KEYS", t.name.to_uppercase());
                let ki = t.columns.iter().position(|c| &c.name == k).unwrap_or(0);
                let keys: Vec<String> = t
                    .rows
                    .iter()
                    .map(|r| match &r[ki] {
                        Cell::Str(s) => s.to_lowercase(),
                        _ => String::new(),
                    })
                    .collect();
                let d = doc(&format!(
                    "Looks up a row of table `{}` by its key `{k}`, ignoring case.",
                    t.name
                ));
                let kd = doc(&format!(
                    "The keys (`{k}`) of table `{}` in lowercase, in row order.",
                    t.name
                ));
                quote! {
                    #kd
                    static #keys_stat: [&str; #n] = [#(#keys),*];
                    #d
                    pub fn #f(#key: &str) -> ::std::option::Option<&'static #row> {
                        ::aegis_core::__private::find_row(&#stat, &#keys_stat, #key)
                    }
                }
            });
            items.push(quote! {
                #row_doc
                #[derive(Debug, Clone, Copy, PartialEq)]
                pub struct #row {
                    #(#fields)*
                }
                #stat_doc
                // The table's data as written: a datasheet's 3.1416 is not a misspelt PI.
                #[allow(clippy::approx_constant)]
                pub static #stat: [#row; #n] = [#(#rows),*];
                #lookup
            });
        }
        quote!(#(#items)*)
    }

    fn extractors(&self) -> TokenStream {
        let mut items = Vec::new();
        for e in &self.m.schema.extractors {
            let name = &e.name;
            let st = format_ident!("{}Match", camel(name));
            let pat = format_ident!("{}_PATTERN", name.to_uppercase());
            let fun = format_ident!("extract_{}", name);
            let field = e.from.as_str();
            let field_tokens = text_field_tokens(e.from);
            let cap_fields = e.captures.iter().map(|c| {
                let f = ident(&c.name);
                let base = match &c.kind {
                    CaptureKind::Str => quote!(&'t str),
                    CaptureKind::Num => quote!(f64),
                    CaptureKind::Row(t) => {
                        let r = format_ident!("{}Row", camel(t));
                        quote!(&'static #r)
                    }
                };
                let ty = if c.optional {
                    quote!(::std::option::Option<#base>)
                } else {
                    base
                };
                let what = match &c.kind {
                    CaptureKind::Str => "the captured text".to_owned(),
                    CaptureKind::Num => "the captured number".to_owned(),
                    CaptureKind::Row(t) => {
                        format!("the row of table `{t}` the captured text names")
                    }
                };
                let d = doc(&format!(
                    "Group `{}`: {what}{}.",
                    c.name,
                    if c.optional {
                        ", when the group took part"
                    } else {
                        ""
                    }
                ));
                quote!(#d pub #f: #ty,)
            });
            let whole_match = e.single_group_is_whole_match;
            // Over lowercased text, matched text is taken from the original at the same offsets.
            let lowered = e.lowercase_pattern.is_some();
            let as_text = if lowered {
                quote!(::aegis_core::__private::slice(text, m))
            } else {
                quote!(m.as_str())
            };
            let whole_text = if lowered {
                quote!(::aegis_core::__private::slice(text, whole))
            } else {
                quote!(whole.as_str())
            };
            let hay = if lowered {
                quote!(lowered)
            } else {
                quote!(text)
            };
            let reads = e.captures.iter().map(|c| {
                let f = ident(&c.name);
                let index = Literal::usize_unsuffixed(c.index);
                let group = if whole_match {
                    quote!(Some(whole))
                } else {
                    quote!(caps.get(#index))
                };
                let convert = match &c.kind {
                    CaptureKind::Str => None,
                    CaptureKind::Num => {
                        Some(quote!(::aegis_core::__private::parse_number(#as_text)))
                    }
                    CaptureKind::Row(t) => {
                        let table = self.m.schema.table(t);
                        let key = table.and_then(|t| t.key.clone()).unwrap_or_default();
                        let lookup = format_ident!("{}_by_{}", t, key);
                        Some(quote!(#lookup(#as_text)))
                    }
                };
                match (convert, c.optional) {
                    (None, true) => quote!(let #f = #group.map(|m| #as_text);),
                    (None, false) => quote!(let #f = #group.map_or("", |m| #as_text);),
                    (Some(conv), true) => quote!(let #f = #group.and_then(|m| #conv);),
                    (Some(conv), false) => quote! {
                        let Some(#f) = #group.and_then(|m| #conv) else {
                            continue;
                        };
                    },
                }
            });
            let names: Vec<Ident> = e.captures.iter().map(|c| ident(&c.name)).collect();
            let pattern = e.lowercase_pattern.as_ref().unwrap_or(&e.pattern);
            let lifetime = quote!(<'t>);
            let st_doc = doc(&format!(
                "A match of extractor `{name}` in the trace's `{field}`{}\n\nSpec: `{}`.",
                if e.description.is_empty() {
                    ".".to_owned()
                } else {
                    format!(": {}", e.description)
                },
                self.at(e.position)
            ));
            let pat_doc = doc(&format!("The compiled pattern of extractor `{name}`."));
            let groups: Vec<String> = e
                .captures
                .iter()
                .map(|c| format!("{} `{}`", c.index, c.name))
                .collect();
            let fun_doc = doc(&format!(
                "Finds every match of extractor `{name}` in `text` (the trace's `{field}`).{}",
                if groups.is_empty() {
                    String::new()
                } else {
                    format!("\n\nCapture groups by index: {}.", groups.join(", "))
                }
            ));
            let body = if e.captures.is_empty() {
                quote! {
                    #pat
                        .find_iter(#hay)
                        .take(::aegis_core::__private::MAX_MATCHES)
                        .map(|m| #st { start: m.start(), end: m.end(), text: #as_text })
                        .collect()
                }
            } else {
                // When the one group is the whole match, `find_iter` serves: no capture engine.
                let each_match = if e.single_group_is_whole_match {
                    quote!(for whole in #pat.find_iter(#hay).take(::aegis_core::__private::MAX_MATCHES))
                } else {
                    quote!(for caps in #pat.captures_iter(#hay).take(::aegis_core::__private::MAX_MATCHES))
                };
                let whole_of_caps = (!e.single_group_is_whole_match).then(|| {
                    quote! {
                        let Some(whole) = caps.get(0) else {
                            continue;
                        };
                    }
                });
                quote! {
                    let mut found = ::std::vec::Vec::new();
                    #each_match {
                        #whole_of_caps
                        #(#reads)*
                        found.push(#st {
                            start: whole.start(),
                            end: whole.end(),
                            text: #whole_text,
                            #(#names),*
                        });
                    }
                    found
                }
            };
            let functions = if lowered {
                let fun_lowered = format_ident!("extract_{}_lowered", name);
                let d = doc(&format!(
                    "[`{fun}`] over `lowered`, the same text in ASCII lowercase: the pattern is case-insensitive, and matching it case-sensitively over lowercased text lets the regex engine use its literal prefilters."
                ));
                quote! {
                    pub fn #fun(text: &str) -> ::std::vec::Vec<#st<'_>> {
                        #fun_lowered(text, &text.to_ascii_lowercase())
                    }
                    #d
                    pub fn #fun_lowered<'t>(text: &'t str, lowered: &str) -> ::std::vec::Vec<#st<'t>> {
                        #body
                    }
                }
            } else {
                quote! {
                    pub fn #fun(text: &str) -> ::std::vec::Vec<#st<'_>> {
                        #body
                    }
                }
            };
            items.push(quote! {
                #st_doc
                #[derive(Debug, Clone, Copy, PartialEq)]
                pub struct #st #lifetime {
                    #[doc = " Byte offset where the match starts."]
                    pub start: usize,
                    #[doc = " Byte offset just past the match."]
                    pub end: usize,
                    #[doc = " The matched text."]
                    pub text: &'t str,
                    #(#cap_fields)*
                }
                impl #st<'_> {
                    #[doc = " Where the match is, as evidence for an issue."]
                    pub fn evidence(&self) -> ::aegis_core::Evidence {
                        ::aegis_core::__private::span(#field_tokens, self.start, self.end)
                    }
                }
                #pat_doc
                static #pat: ::aegis_core::__private::LazyRegex = ::aegis_core::__private::LazyRegex::new(|| {
                    ::aegis_core::__private::compile_checked_regex(#pattern)
                });
                #fun_doc
                #functions
            });
        }
        quote!(#(#items)*)
    }

    fn context(&self) -> TokenStream {
        let ex = &self.m.schema.extractors;
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
            self.m.name
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

    fn message(parts: &[MessagePart]) -> TokenStream {
        let mut fmt = String::new();
        let mut args = Vec::new();
        for p in parts {
            match p {
                MessagePart::Text(t) => fmt.push_str(&t.replace('{', "{{").replace('}', "}}")),
                MessagePart::Value(c) => {
                    fmt.push_str("{}");
                    let t = &c.tokens;
                    args.push(quote!(::aegis_core::__private::Show(#t)));
                }
            }
        }
        if args.is_empty() {
            let text: String = parts
                .iter()
                .map(|p| match p {
                    MessagePart::Text(t) => t.as_str(),
                    MessagePart::Value(_) => "",
                })
                .collect();
            quote!(::std::string::String::from(#text))
        } else {
            quote!(::std::format!(#fmt, #(#args),*))
        }
    }

    fn validator(&self, v: &ValidatorModel) -> TokenStream {
        let fun = format_ident!("check_{}", v.id);
        let looped = v.for_each.is_some();
        let skip = if looped {
            quote!(continue)
        } else {
            quote!(return outcome)
        };
        let when = v.when.as_ref().map(|w| {
            let t = &w.tokens;
            if matches!(w.ty, Ty::Opt(_)) {
                quote!(let applies = #t; if applies != Some(true) { #skip; })
            } else {
                quote!(let applies = #t; if !applies { #skip; })
            }
        });
        let lets = v.lets.iter().map(|(name, c)| {
            let n = ident(name);
            let t = &c.tokens;
            // Lists, tables and data groups are borrowed, not moved out of the context.
            if matches!(c.ty, Ty::List(_) | Ty::Table(_) | Ty::Group(_)) {
                quote!(let #n = &#t;)
            } else {
                quote!(let #n = #t;)
            }
        });
        let check = &v.check.tokens;
        let var = if v.check_kind == CheckKind::Require {
            ident("holds")
        } else {
            ident("fires")
        };
        let bind = if matches!(v.check.ty, Ty::Opt(_)) {
            quote!(let Some(#var) = #check else { #skip; };)
        } else {
            quote!(let #var = #check;)
        };
        let ok = if v.check_kind == CheckKind::Require {
            quote!(#var)
        } else {
            quote!(!#var)
        };
        let message = Self::message(&v.message);
        let id = &v.id;
        let severity = severity_tokens(v.severity);

        // Evidence: the items the rule is about, the extractors it read whole, the data it read.
        let mut fixed = Vec::new();
        if let Some(f) = &v.for_each
            && matches!(f.element, Ty::Item(_))
        {
            for n in &f.names {
                let n = ident(n);
                fixed.push(quote!(#n.evidence()));
            }
        }
        for path in &v.evidence_fields {
            fixed.push(quote!(::aegis_core::__private::field(#path)));
        }
        let extends: Vec<TokenStream> = v
            .evidence_extractors
            .iter()
            .map(|e| {
                let f = ident(e);
                quote!(evidence.extend(ctx.#f().iter().map(|x| x.evidence()));)
            })
            .collect();
        let (evidence_setup, evidence_field) = if extends.is_empty() {
            (quote!(), quote!(evidence: ::std::vec![#(#fixed),*],))
        } else {
            (
                quote!(let mut evidence = ::std::vec![#(#fixed),*]; #(#extends)*),
                quote!(evidence,),
            )
        };

        let body = quote! {
            #when
            #(#lets)*
            #bind
            if #ok {
                outcome = outcome.max(::aegis_core::ModuleOutcome::Passed);
                #skip;
            }
            #evidence_setup
            ::aegis_core::__private::push_issue(issues_out, ::aegis_core::Issue {
                validator: ::std::string::String::from(#id),
                tier: ::aegis_core::Tier::Rules,
                severity: #severity,
                message: #message,
                #evidence_field
            });
            outcome = ::aegis_core::ModuleOutcome::Failed;
        };
        let body = match &v.for_each {
            None => body,
            Some(f) => {
                let list = &f.list.tokens;
                let (pat_a, pat_b) = match f.element {
                    Ty::Num | Ty::Bool => (quote!(&), quote!(&)),
                    _ => (quote!(), quote!()),
                };
                let a = ident(&f.names[0]);
                let str_prelude = |n: &Ident| {
                    if f.element == Ty::Str {
                        quote!(let #n = #n.as_str();)
                    } else {
                        quote!()
                    }
                };
                let pa = str_prelude(&a);
                if f.names.len() == 2 {
                    let b = ident(&f.names[1]);
                    let pb = str_prelude(&b);
                    quote! {
                        for (index, #pat_a #a) in #list.iter().enumerate() {
                            #pa
                            for #pat_b #b in &#list[index + 1..] {
                                #pb
                                #body
                            }
                        }
                    }
                } else {
                    quote! {
                        for #pat_a #a in #list.iter() {
                            #pa
                            #body
                        }
                    }
                }
            }
        };
        let kind = if v.check_kind == CheckKind::Require {
            "must hold"
        } else {
            "must not hold"
        };
        let d = doc(&format!(
            "Validator `{}` ({}): {}\n\nIts condition {kind}{}. Spec: `{}`.",
            v.id,
            v.severity,
            if v.description.is_empty() {
                "(no description)"
            } else {
                v.description.as_str()
            },
            match &v.for_each {
                Some(f) if f.names.len() == 2 => " for every pair of items",
                Some(_) => " for every item",
                None => "",
            },
            self.at(v.position)
        ));
        // A rule that reads nothing of the trace (e.g. one over a table) takes `_ctx`.
        let ctx = if mentions_ident(&body, "ctx") {
            quote!(ctx)
        } else {
            quote!(_ctx)
        };
        // The body is the spec author's expressions, compiled as written: style lints about
        // them (`x == false`, `!(a < b)`) are the spec's business, not the build's.
        quote! {
            #d
            #[allow(clippy::all)]
            pub fn #fun(#ctx: &Context<'_>, issues_out: &mut ::std::vec::Vec<::aegis_core::Issue>) -> ::aegis_core::ModuleOutcome {
                let mut outcome = ::aegis_core::ModuleOutcome::NotApplicable;
                #body
                outcome
            }
        }
    }

    fn escalations(&self) -> TokenStream {
        let rules = self.m.escalation_rules.iter().map(|r| {
            let cond = holds(&r.when);
            let id = &r.id;
            let f = format_ident!("escalate_{}", r.id);
            let to = tier_tokens(r.to);
            let reason = Self::message(&r.reason);
            let d = doc(&format!(
                "Escalation rule `{}`: sends the trace on to {}. Spec: `{}`.",
                r.id,
                r.to,
                self.at(r.position)
            ));
            quote! {
                #d
                #[allow(clippy::all)]
                pub fn #f(ctx: &Context<'_>, issues: &[::aegis_core::Issue]) -> ::std::option::Option<::aegis_core::EscalationRequest> {
                    let _ = (ctx, issues);
                    let applies = #cond;
                    applies.then(|| ::aegis_core::EscalationRequest { rule: #id, to: #to, reason: #reason })
                }
            }
        });
        let calls = self.m.escalation_rules.iter().map(|r| {
            let f = format_ident!("escalate_{}", r.id);
            quote!(#f(ctx, issues))
        });
        let d = doc(&format!(
            "The escalation rules of the `{}` domain that match a trace, given its Tier-1 issues.",
            self.m.name
        ));
        let body = if self.m.escalation_rules.is_empty() {
            quote!(let _ = (ctx, issues); ::std::vec::Vec::new())
        } else {
            quote!([#(#calls),*].into_iter().flatten().collect())
        };
        quote! {
            #(#rules)*
            #d
            pub fn escalations(ctx: &Context<'_>, issues: &[::aegis_core::Issue]) -> ::std::vec::Vec<::aegis_core::EscalationRequest> {
                #body
            }
        }
    }

    fn domain(&self) -> TokenStream {
        let m = self.m;
        let ty = format_ident!("{}", camel(&m.name));
        let n = Literal::usize_unsuffixed(m.validators.len());
        let entries = m.validators.iter().map(|v| {
            let id = &v.id;
            let f = format_ident!("check_{}", v.id);
            quote!((#id, #f))
        });
        let validator_infos = m.validators.iter().map(|v| {
            let id = &v.id;
            let sev = severity_tokens(v.severity);
            let desc = &v.description;
            let loc = self.at(v.position);
            quote!(::aegis_core::ValidatorInfo { id: #id, severity: #sev, description: #desc, spec_location: #loc })
        });
        let table_infos = m.schema.tables.iter().map(|t| {
            let name = &t.name;
            let source = &t.source;
            let key = match &t.key {
                Some(k) => quote!(Some(#k)),
                None => quote!(None),
            };
            let cols = t.columns.iter().map(|c| format!("{}: {}{}", c.name, c.ty.scalar.name(), if c.ty.optional { "?" } else { "" }));
            let rows = t.rows.len();
            quote!(::aegis_core::TableInfo { name: #name, source: #source, key: #key, columns: &[#(#cols),*], rows: #rows })
        });
        let extractor_infos = m.schema.extractors.iter().map(|e| {
            let name = &e.name;
            let from = e.from.as_str();
            let caps = e.captures.iter().map(|c| {
                let t = match &c.kind {
                    CaptureKind::Str => "string".to_owned(),
                    CaptureKind::Num => "number".to_owned(),
                    CaptureKind::Row(t) => format!("row of {t}"),
                };
                format!("{}: {t}{}", c.name, if c.optional { "?" } else { "" })
            });
            let desc = &e.description;
            quote!(::aegis_core::ExtractorInfo { name: #name, from: #from, captures: &[#(#caps),*], description: #desc })
        });
        let (name, version, description, spec_path, spec_hash) = (
            &m.name,
            &m.version,
            &m.description,
            &m.spec_display,
            &m.spec_hash,
        );
        let compliance = &m.compliance;
        let phi = match &m.phi {
            None => quote!(None),
            Some(p) => {
                let classes = p.classes.iter().map(|c| {
                    let v = format_ident!("{}", format!("{c:?}"));
                    quote!(::aegis_core::PhiClass::#v)
                });
                let mode = format_ident!("{}", format!("{:?}", p.mode));
                let subject = match &p.subject {
                    Some(s) => quote!(Some(#s)),
                    None => quote!(None),
                };
                quote!(Some(::aegis_core::PhiSettings {
                    classes: ::aegis_core::PhiClasses::of(&[#(#classes),*]),
                    mode: ::aegis_core::PhiMode::#mode,
                    subject_field: #subject,
                }))
            }
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
        let (_, simulator_infos) = crate::simulator::emit(&m.simulators, &m.spec_display, &m.name);
        let rl = match &m.rl {
            None => quote!(None),
            Some(r) => {
                let range = match r.reward_range {
                    Some((lo, hi)) => quote!(Some((#lo, #hi))),
                    None => quote!(None),
                };
                let (z, rep, bins, cov) =
                    (r.outlier_z, r.min_cycle_repeats, r.bins, r.min_coverage);
                let budget = match r.cost_budget {
                    Some(b) if b.is_finite() => quote!(#b),
                    _ => quote!(::std::primitive::f64::INFINITY),
                };
                let bounds = r.state_bounds.iter().map(|(lo, hi)| quote!((#lo, #hi)));
                quote!(Some(::aegis_core::RlSettings {
                    reward_range: #range,
                    outlier_z: #z,
                    min_cycle_repeats: #rep,
                    cost_budget: #budget,
                    state_bounds: &[#(#bounds),*],
                    bins: #bins,
                    min_coverage: #cov,
                }))
            }
        };
        let load_models = if m.models.is_empty() {
            quote!()
        } else {
            quote! {
                fn load_models(&self, source: &::aegis_core::tiers::ModelSource) -> ::std::result::Result<::std::option::Option<::std::boxed::Box<dyn ::aegis_core::tiers::ModelTier>>, ::std::string::String> {
                    Models::load(source).map(|m| ::std::option::Option::Some(::std::boxed::Box::new(m) as ::std::boxed::Box<dyn ::aegis_core::tiers::ModelTier>))
                }
            }
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
                policy: ::aegis_core::EscalationPolicy { fail_at: #fail_at, uncertain_at: #uncertain_at },
                validators: &[#(#validator_infos),*],
                tables: &[#(#table_infos),*],
                extractors: &[#(#extractor_infos),*],
                models: &[#(#model_infos),*],
                judges: &[#(#judge_infos),*],
                simulators: &[#(#simulator_infos),*],
                rl: #rl,
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
                    // A trace that already fails at Tier 1 goes no further: its escalation rules
                    // (and the extractors they read) need not run.
                    let fails = issues.iter().any(|i| i.severity >= INFO.policy.fail_at);
                    let escalations = if fails { ::std::vec::Vec::new() } else { escalations(&ctx, &issues) };
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

fn has_required(children: &std::collections::BTreeMap<String, DataTree>) -> bool {
    children.values().any(|c| match c {
        DataTree::Field(f) => !f.optional && !f.list,
        DataTree::Group(g) => has_required(g),
    })
}

impl Emitter<'_> {
    fn model_info(&self, md: &ModelModel) -> TokenStream {
        let id = &md.id;
        let kind = match md.kind {
            ModelKindName::TextClassifier => "text_classifier",
            ModelKindName::RiskRegressor => "risk_regressor",
        };
        let labels: Vec<&str> = match md.kind {
            ModelKindName::TextClassifier => md.labels.iter().map(String::as_str).collect(),
            ModelKindName::RiskRegressor => Vec::new(),
        };
        let backbone = match md.backbone {
            BackboneName::HashedNgrams => "hashed_ngrams",
            BackboneName::Minilm => "minilm",
        };
        let inputs = &md.inputs;
        let desc = &md.description;
        let loc = self.at(md.position);
        let builtin = md.weights.is_some();
        let synthetic = match &md.synthetic {
            None => quote!(None),
            Some(syn) => {
                let count = syn.count;
                let templates = syn.templates.iter().map(|(t, x)| quote!((#t, #x)));
                let tables = syn.tables.iter().map(|(name, cols, rows)| {
                    let rows = rows.iter().map(|r| quote!(&[#(#r),*]));
                    quote!(::aegis_core::SlotTable { name: #name, columns: &[#(#cols),*], rows: &[#(#rows),*] })
                });
                let rule_labels = match &syn.rule_labels {
                    None => quote!(None),
                    Some(r) => {
                        let (fail, pass, templates) = (&r.fail, &r.pass, &r.templates);
                        quote!(Some(::aegis_core::RuleLabels { fail: #fail, pass: #pass, templates: &[#(#templates),*] }))
                    }
                };
                quote!(Some(::aegis_core::SyntheticInfo { count: #count, templates: &[#(#templates),*], rule_labels: #rule_labels, tables: &[#(#tables),*] }))
            }
        };
        let when = match &md.when {
            Some((_, text, _)) => quote!(Some(#text)),
            None => quote!(None),
        };
        quote!(::aegis_core::ModelInfo {
            id: #id, kind: #kind, description: #desc, labels: &[#(#labels),*], backbone: #backbone,
            inputs: &[#(#inputs),*], when: #when, spec_location: #loc, builtin_weights: #builtin, synthetic: #synthetic,
        })
    }

    /// The typed wrapper of one model: its label enum, its scores, and the model itself.
    fn model(&self, index: usize, md: &ModelModel) -> TokenStream {
        let base = camel(&md.id);
        let scores_ty = format_ident!("{}Scores", base);
        let model_ty = format_ident!("{}", base);
        let loc = self.at(md.position);
        let fields: Vec<Ident> = md.labels.iter().map(|l| label_ident(l)).collect();
        let field_docs = md.labels.iter().map(|l| match md.kind {
            ModelKindName::TextClassifier => doc(&format!("Probability of `{l}`.")),
            ModelKindName::RiskRegressor => doc("The risk score, in `[0, 1]`."),
        });
        let idx = (0..md.labels.len()).map(Literal::usize_unsuffixed);
        let names = &md.labels;
        let (label_enum, label_fn) = match md.kind {
            ModelKindName::TextClassifier => {
                let label_ty = format_ident!("{}Label", base);
                let variants: Vec<Ident> = md
                    .labels
                    .iter()
                    .map(|l| format_ident!("{}", camel(l)))
                    .collect();
                let n = Literal::usize_unsuffixed(variants.len());
                let d = doc(&format!(
                    "The labels of Tier-2 model `{}`, in output order. Spec: `{loc}`.",
                    md.id
                ));
                let enum_def = quote! {
                    #d
                    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
                    pub enum #label_ty { #(#[doc = concat!(" `", #names, "`")] #variants),* }

                    impl #label_ty {
                        #[doc = " Every label, in output order."]
                        pub const ALL: [#label_ty; #n] = [#(#label_ty::#variants),*];

                        #[doc = " The label as the spec writes it."]
                        pub fn name(self) -> &'static str {
                            match self { #(#label_ty::#variants => #names),* }
                        }
                    }
                };
                let label_fn = quote! {
                    #[doc = " The most probable label."]
                    pub fn label(&self) -> #label_ty {
                        let values = [#(self.#fields),*];
                        let mut best = 0;
                        for (i, v) in values.iter().enumerate() {
                            if *v > values[best] {
                                best = i;
                            }
                        }
                        #label_ty::ALL[best]
                    }
                };
                (enum_def, label_fn)
            }
            ModelKindName::RiskRegressor => (quote!(), quote!()),
        };
        let esc = holds(&md.escalate);
        let fail = md.fail.as_ref().map_or(quote!(false), holds);
        let message = Self::message(&md.message);
        let scores_doc = doc(&format!(
            "The scores of Tier-2 model `{}` ({}) on one text. Spec: `{loc}`.",
            md.id,
            match md.kind {
                ModelKindName::TextClassifier => "a probability per label",
                ModelKindName::RiskRegressor => "a risk score",
            }
        ));
        let model_doc = doc(&format!(
            "Tier-2 model `{}`{}. Spec: `{loc}`.",
            md.id,
            if md.description.is_empty() {
                String::new()
            } else {
                format!(": {}", md.description)
            }
        ));
        let builtin = match &md.weights {
            Some((w, c)) => {
                let (w, c) = (
                    w.to_string_lossy().into_owned(),
                    c.to_string_lossy().into_owned(),
                );
                quote!(::std::option::Option::Some((
                    include_bytes!(#w).as_slice(),
                    include_str!(#c)
                )))
            }
            None => quote!(::std::option::Option::None),
        };
        let applies = md.when.as_ref().map(|(when, text, position)| {
            let cond = holds(when);
            let d = doc(&format!(
                "The spec's `when` (`{text}`): whether the model scores this trace. Spec: `{}`.",
                self.at(*position)
            ));
            quote! {
                #d
                #[allow(clippy::all)]
                pub fn applies(ctx: &Context<'_>) -> bool {
                    #cond
                }
            }
        });
        let i = Literal::usize_unsuffixed(index);
        let severity = severity_tokens(md.severity);
        let id = &md.id;
        quote! {
            #label_enum

            #scores_doc
            #[derive(Debug, Clone, Copy, PartialEq)]
            pub struct #scores_ty {
                #(#field_docs pub #fields: f64,)*
            }

            impl #scores_ty {
                #[doc = " The scores from the model's outputs, in label order."]
                #[allow(clippy::get_first)]
                pub fn from_outputs(outputs: &[f32]) -> Self {
                    #scores_ty { #(#fields: outputs.get(#idx).copied().map_or(0.0, f64::from)),* }
                }

                #label_fn

                #[doc = " The spec's `escalate_when`: the model is unsure and the trace goes on to Tier 3."]
                #[allow(clippy::all)]
                pub fn escalates(&self) -> bool {
                    let p = self;
                    #esc
                }

                #[doc = " The spec's `fail_when`: the model fails the trace."]
                #[allow(clippy::all)]
                pub fn fails(&self) -> bool {
                    let p = self;
                    let _ = p;
                    #fail
                }

                #[doc = " The issue message when the model fails the trace."]
                #[allow(clippy::all)]
                pub fn message(&self) -> ::std::string::String {
                    let p = self;
                    let _ = p;
                    #message
                }

                #[doc = " The scores by label, for results."]
                pub fn by_label(&self) -> ::std::vec::Vec<::aegis_core::LabelScore> {
                    ::std::vec![#(::aegis_core::LabelScore { label: ::std::borrow::Cow::Borrowed(#names), p: self.#fields }),*]
                }

                fn verdict(&self) -> ::aegis_models::tier::ModelVerdict {
                    let fails = self.fails();
                    ::aegis_models::tier::ModelVerdict {
                        module: #id,
                        scores: self.by_label(),
                        escalates: self.escalates(),
                        issue: fails.then(|| ::aegis_core::Issue {
                            validator: #id.to_owned(),
                            tier: ::aegis_core::Tier::Models,
                            severity: #severity,
                            message: self.message(),
                            evidence: ::std::vec::Vec::new(),
                        }),
                        weights: None,
                    }
                }
            }

            #model_doc
            #[derive(Debug)]
            pub struct #model_ty {
                model: ::aegis_models::TextModel,
            }

            impl #model_ty {
                #[doc = " Weights compiled into this crate, if the spec names some: `(model.safetensors, card.json)`."]
                pub const BUILTIN: ::std::option::Option<(&'static [u8], &'static str)> = #builtin;

                #[doc = " Loads the model: the registry's production version, else the compiled-in weights."]
                pub fn load(source: &::aegis_core::tiers::ModelSource) -> ::std::result::Result<Self, ::aegis_models::ModelError> {
                    ::aegis_models::tier::load(INFO.name, &INFO.models[#i], Self::BUILTIN, source).map(|model| #model_ty { model })
                }

                #[doc = " The loaded model's card (version, metrics, data and weights hashes)."]
                pub fn card(&self) -> &::aegis_models::ModelCard {
                    self.model.card()
                }

                #[doc = " Scores one text."]
                pub fn score(&self, text: &str) -> ::std::result::Result<#scores_ty, ::aegis_models::ModelError> {
                    self.model.predict(text).map(|o| #scores_ty::from_outputs(&o))
                }

                #applies
            }
        }
    }

    /// `Models`: every Tier-2 model of the domain, loaded, as the domain's `ModelTier`.
    fn models(&self) -> TokenStream {
        let m = self.m;
        if m.models.is_empty() {
            return quote!();
        }
        let wrappers = m.models.iter().enumerate().map(|(i, md)| self.model(i, md));
        let fields: Vec<Ident> = m
            .models
            .iter()
            .map(|md| format_ident!("{}", md.id))
            .collect();
        let types: Vec<Ident> = m
            .models
            .iter()
            .map(|md| format_ident!("{}", camel(&md.id)))
            .collect();
        let ids = m.models.iter().map(|md| &md.id);
        let idx: Vec<Literal> = (0..m.models.len()).map(Literal::usize_unsuffixed).collect();
        // A model with a `when` runs only where it holds; the context is built once for all of
        // them. A trace whose data does not fit the spec stops at Tier 1 with an error in the
        // orchestrator; called directly with one, such a model reports the error.
        let any_when = m.models.iter().any(|md| md.when.is_some());
        let context = any_when.then(|| quote!(let ctx = Context::new(trace);));
        // One `run_<model>` per model: the prefix keeps a model id from shadowing an argument.
        let locals: Vec<Ident> = m
            .models
            .iter()
            .map(|md| format_ident!("run_{}", md.id))
            .collect();
        let runs = m.models.iter().zip(&types).zip(&fields).zip(&idx).zip(&locals).map(|((((md, ty), field), i), local)| {
            let score = quote!(::aegis_models::tier::ModelRun::scored(INFO.models[#i].id, self.#field.score(&INFO.models[#i].text_of(trace)).map(|s| s.verdict().with_card(self.#field.card()))));
            let run = if md.when.is_some() {
                quote! {
                    match &ctx {
                        ::std::result::Result::Ok(ctx) if #ty::applies(ctx) => #score,
                        ::std::result::Result::Ok(_) => ::aegis_models::tier::ModelRun::Skipped { module: INFO.models[#i].id },
                        ::std::result::Result::Err(e) => ::aegis_models::tier::ModelRun::Error { module: INFO.models[#i].id, error: ::aegis_models::ModelError::When(e.clone()) },
                    }
                }
            } else {
                score
            };
            quote!(let #local = #run;)
        });
        let d = doc(&format!(
            "The `{}` domain's Tier-2 models, loaded; the domain's [`::aegis_core::tiers::ModelTier`].",
            m.name
        ));
        quote! {
            #(#wrappers)*

            #d
            #[derive(Debug)]
            pub struct Models {
                #(#[doc = concat!(" Model `", #ids, "`.")] pub #fields: #types,)*
            }

            impl Models {
                #[doc = " Loads every model; the error names the model that failed."]
                pub fn load(source: &::aegis_core::tiers::ModelSource) -> ::std::result::Result<Self, ::std::string::String> {
                    ::std::result::Result::Ok(Models {
                        #(#fields: #types::load(source).map_err(|e| ::std::format!("Tier-2 model `{}`: {e}", INFO.models[#idx].id))?,)*
                    })
                }
            }

            impl ::aegis_core::tiers::ModelTier for Models {
                fn evaluate(&self, domain: &::aegis_core::DomainInfo, trace: &::aegis_core::Sanitized<::aegis_core::Trace>, issues: &[::aegis_core::Issue]) -> ::aegis_core::tiers::TierDecision {
                    let _ = issues;
                    #context
                    #(#runs)*
                    ::aegis_models::tier::decide(::std::vec![#(#locals),*], domain.policy.fail_at)
                }
            }
        }
    }
}

/// A compiled condition as a `bool`: an optional one (`Option<bool>`) holds only when `Some(true)`.
fn holds(condition: &Compiled) -> TokenStream {
    let t = &condition.tokens;
    if matches!(condition.ty, Ty::Opt(_)) {
        quote!(#t == Some(true))
    } else {
        t.clone()
    }
}

/// Emits the whole domain as one token stream.
pub(crate) fn emit(model: &DomainModel) -> TokenStream {
    let e = Emitter { m: model };
    let data = e.data();
    let tables = e.tables();
    let extractors = e.extractors();
    let context = e.context();
    let validators = model.validators.iter().map(|v| e.validator(v));
    let escalations = e.escalations();
    let models = e.models();
    let judges = e.judges();
    let (simulators, _) =
        crate::simulator::emit(&model.simulators, &model.spec_display, &model.name);
    let domain = e.domain();
    quote! {
        #data
        #tables
        #extractors
        #context
        #(#validators)*
        #escalations
        #models
        #judges
        #simulators
        #domain
    }
}
