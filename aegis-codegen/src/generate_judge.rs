//! Emits Tier-3 judges: per judge a typed verdict (a struct, an enum per `enum(...)` field, its
//! JSON Schema and parser) and a prompt builder that fences trace text as data.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use aegis_core::TextField;

use crate::generate::{Emitter, camel, doc, severity_tokens};
use crate::model::*;

impl Emitter<'_> {
    /// Every judge's items.
    pub(crate) fn judges(&self) -> TokenStream {
        let judges = self.m.judges.iter().map(|j| self.judge(j));
        quote!(#(#judges)*)
    }

    /// `JudgeInfo` entries for `INFO.judges`.
    pub(crate) fn judge_infos(&self) -> Vec<TokenStream> {
        self.m
            .judges
            .iter()
            .map(|j| {
                let id = &j.id;
                let desc = &j.description;
                let loc = self.at(j.position);
                let template = &j.template_display;
                let severity = severity_tokens(j.severity);
                let verdict = format_ident!("{}Verdict", camel(&j.id));
                let prompt = format_ident!("{}_prompt", j.id);
                let applies = if reads_context(j) {
                    quote!(::aegis_core::__private::has_context)
                } else {
                    quote!(::aegis_core::__private::always_applies)
                };
                quote! {
                    ::aegis_core::judge::JudgeInfo {
                        id: #id,
                        description: #desc,
                        spec_location: #loc,
                        template: #template,
                        severity: #severity,
                        verdict_schema: #verdict::SCHEMA,
                        applies: #applies,
                        build_prompt: #prompt,
                        parse_verdict: #verdict::judgement_of,
                    }
                }
            })
            .collect()
    }

    fn judge(&self, j: &JudgeModel) -> TokenStream {
        let verdict_ty = format_ident!("{}Verdict", camel(&j.id));
        let loc = self.at(j.position);
        let mut enums = Vec::new();
        let mut field_defs = Vec::new();
        let mut field_reads = Vec::new();
        let names: Vec<&str> = j.fields.iter().map(|f| f.name.as_str()).collect();
        for f in &j.fields {
            let name = format_ident!("{}", f.name);
            let key = &f.name;
            let (ty, read) = match &f.ty {
                VerdictType::Enum(values) => {
                    let enum_ty = format_ident!("{}{}Value", camel(&j.id), camel(&f.name));
                    let variants: Vec<_> = values
                        .iter()
                        .map(|v| format_ident!("{}", camel(v)))
                        .collect();
                    let enum_doc = doc(&format!(
                        "The values of field `{}` of judge `{}`'s verdict.\n\nSpec: `{loc}`.",
                        f.name, j.id
                    ));
                    let variant_docs = values.iter().map(|v| format!(" `{v}`"));
                    let arms = variants.iter().enumerate().map(|(i, v)| {
                        if i + 1 == variants.len() {
                            quote!(_ => #enum_ty::#v)
                        } else {
                            quote!(#i => #enum_ty::#v)
                        }
                    });
                    let as_strs = variants
                        .iter()
                        .zip(values)
                        .map(|(v, s)| quote!(#enum_ty::#v => #s));
                    enums.push(quote! {
                        #enum_doc
                        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
                        pub enum #enum_ty {
                            #(#[doc = #variant_docs] #variants,)*
                        }
                        impl #enum_ty {
                            /// The value as the verdict's JSON writes it.
                            pub fn as_str(self) -> &'static str {
                                match self { #(#as_strs,)* }
                            }
                        }
                    });
                    let read = quote! {
                        match ::aegis_core::__private::verdict_enum(map, #key, &[#(#values),*])? {
                            #(#arms,)*
                        }
                    };
                    (quote!(#enum_ty), read)
                }
                VerdictType::Float => (
                    quote!(f64),
                    quote!(::aegis_core::__private::verdict_float(map, #key)?),
                ),
                VerdictType::Int => (
                    quote!(i64),
                    quote!(::aegis_core::__private::verdict_int(map, #key)?),
                ),
                VerdictType::Bool => (
                    quote!(bool),
                    quote!(::aegis_core::__private::verdict_bool(map, #key)?),
                ),
                VerdictType::String => (
                    quote!(::std::string::String),
                    quote!(::aegis_core::__private::verdict_string(map, #key)?),
                ),
                VerdictType::Strings => (
                    quote!(::std::vec::Vec<::std::string::String>),
                    quote!(::aegis_core::__private::verdict_strings(map, #key)?),
                ),
            };
            let shown = type_text(&f.ty, f.optional);
            let field_doc = format!(" `{key}`: {shown}.");
            if f.optional {
                field_defs.push(quote!(#[doc = #field_doc] pub #name: ::std::option::Option<#ty>));
                field_reads.push(quote! {
                    #name: if ::aegis_core::__private::verdict_absent(map, #key) { None } else { Some(#read) }
                });
            } else {
                field_defs.push(quote!(#[doc = #field_doc] pub #name: #ty));
                field_reads.push(quote!(#name: #read));
            }
        }
        let decisive = j.fields.iter().find(|f| f.name == "verdict").map(|f| &f.ty);
        let verdict_arms = match decisive {
            Some(VerdictType::Enum(values)) => {
                let enum_ty = format_ident!("{}VerdictValue", camel(&j.id));
                values
                    .iter()
                    .map(|v| {
                        let variant = format_ident!("{}", camel(v));
                        let to = match v.as_str() {
                            "pass" => quote!(Some(::aegis_core::Verdict::Pass)),
                            "fail" => quote!(Some(::aegis_core::Verdict::Fail)),
                            _ => quote!(None),
                        };
                        quote!(#enum_ty::#variant => #to)
                    })
                    .collect::<Vec<_>>()
            }
            _ => Vec::new(),
        };
        let field_opt = |name: &str, wrap: TokenStream| -> TokenStream {
            match j.fields.iter().find(|f| f.name == name) {
                None => quote!(None),
                Some(f) => {
                    let n = format_ident!("{}", name);
                    if f.optional {
                        quote!(verdict.#n #wrap)
                    } else {
                        quote!(Some(verdict.#n #wrap))
                    }
                }
            }
        };
        let score = field_opt("score", quote!());
        let rationale = field_opt("rationale", quote!(.clone()));
        let schema = &j.schema_json;
        let struct_doc = doc(&format!(
            "The verdict of Tier-3 judge `{}`{}\n\nSpec: `{loc}`; prompt: `{}`.",
            j.id,
            if j.description.is_empty() {
                ".".to_owned()
            } else {
                format!(": {}", j.description)
            },
            j.template_display
        ));

        // The prompt builder: template text as is, trace text fenced.
        let mut lets = Vec::new();
        // Template text (with `{domain}` and `{compliance}` filled in) merged into runs.
        let mut pieces: Vec<TokenStream> = Vec::new();
        let mut text = String::new();
        let flush = |text: &mut String, pieces: &mut Vec<TokenStream>| {
            if !text.is_empty() {
                let t = std::mem::take(text);
                pieces.push(quote!(::aegis_core::judge::TemplatePiece::Text(#t)));
            }
        };
        let mut uses_issues = false;
        let mut data_paths: Vec<String> = Vec::new();
        for part in &j.parts {
            match part {
                TemplatePart::Text(t) => text.push_str(t),
                TemplatePart::Slot(slot) => {
                    let (label, value) = match slot {
                        Slot::Output => ("output".to_owned(), quote!(&trace.output)),
                        Slot::Input => ("input".to_owned(), quote!(&trace.input)),
                        Slot::Model => (
                            "model".to_owned(),
                            quote!(trace.model.as_deref().unwrap_or("(not given)")),
                        ),
                        Slot::Context => {
                            lets.push(quote!(let context = ::aegis_core::__private::render_context(trace);));
                            ("context".to_owned(), quote!(&context))
                        }
                        Slot::Issues => {
                            uses_issues = true;
                            lets.push(
                                quote!(let found = ::aegis_core::__private::render_issues(issues);),
                            );
                            ("issues".to_owned(), quote!(&found))
                        }
                        Slot::Data(path) => {
                            // Named by position among the data paths: `a.b_c` and `a_b.c` stay apart.
                            let index = match data_paths.iter().position(|p| p == path) {
                                Some(i) => i,
                                None => {
                                    data_paths.push(path.clone());
                                    data_paths.len() - 1
                                }
                            };
                            let var = format_ident!("data_{}", index);
                            lets.push(quote!(let #var = ::aegis_core::__private::render_data(trace, #path);));
                            (
                                if path.is_empty() {
                                    "data".to_owned()
                                } else {
                                    format!("data.{path}")
                                },
                                quote!(&#var),
                            )
                        }
                        Slot::Extract(name, from) => {
                            let var = format_ident!("extract_{}_text", name);
                            let f = format_ident!("extract_{}", name);
                            let field = match from {
                                TextField::Input => quote!(&trace.input),
                                TextField::Output => quote!(&trace.output),
                            };
                            lets.push(quote! {
                                let #var = ::aegis_core::__private::render_matches(#f(#field).iter().map(|m| m.text));
                            });
                            (format!("extract.{name}"), quote!(&#var))
                        }
                        Slot::Domain => {
                            text.push_str(&self.m.name);
                            continue;
                        }
                        Slot::Compliance => {
                            if self.m.compliance.is_empty() {
                                text.push_str("(none stated)");
                            } else {
                                text.push_str(&self.m.compliance.join(", "));
                            }
                            continue;
                        }
                    };
                    flush(&mut text, &mut pieces);
                    pieces.push(quote!(::aegis_core::judge::TemplatePiece::Data { label: #label, text: #value }));
                }
            }
        }
        flush(&mut text, &mut pieces);
        // A placeholder used twice is computed once.
        let mut seen = std::collections::BTreeSet::new();
        lets.retain(|l| seen.insert(l.to_string()));
        let issues_param = if uses_issues {
            format_ident!("issues")
        } else {
            format_ident!("_issues")
        };
        let prompt_fn = format_ident!("{}_prompt", j.id);
        let prompt_doc = doc(&format!(
            "Builds the prompt of Tier-3 judge `{}` from `{}`: the template's text as written, every\nplaceholder that reads the trace fenced as data.\n\nSpec: `{loc}`.",
            j.id, j.template_display
        ));
        let domain = &self.m.name;
        quote! {
            #(#enums)*
            #struct_doc
            #[derive(Debug, Clone, PartialEq)]
            pub struct #verdict_ty {
                #(#field_defs,)*
            }
            impl #verdict_ty {
                /// The verdict's JSON Schema, sent to providers that accept one.
                pub const SCHEMA: &'static str = #schema;

                /// Reads a provider's JSON answer; the error names the first field that does
                /// not fit (never its value).
                pub fn from_json(value: &::aegis_core::__private::serde_json::Value) -> ::std::result::Result<Self, ::aegis_core::judge::VerdictError> {
                    let map = ::aegis_core::__private::verdict_object(value, &[#(#names),*])?;
                    Ok(#verdict_ty { #(#field_reads,)* })
                }

                /// Reads a provider's JSON answer into what the tier needs: pass, fail, or not
                /// sure (`None`), with the score and rationale.
                pub fn judgement_of(value: &::aegis_core::__private::serde_json::Value) -> ::std::result::Result<::aegis_core::judge::JudgeVerdict, ::aegis_core::judge::VerdictError> {
                    let verdict = Self::from_json(value)?;
                    Ok(::aegis_core::judge::JudgeVerdict {
                        verdict: match verdict.verdict { #(#verdict_arms,)* },
                        score: #score,
                        rationale: #rationale,
                        fields: value.clone(),
                    })
                }
            }
            #prompt_doc
            pub fn #prompt_fn(trace: &::aegis_core::Sanitized<::aegis_core::Trace>, #issues_param: &[::aegis_core::Issue]) -> ::aegis_core::judge::JudgePrompt {
                #(#lets)*
                ::aegis_core::judge::JudgePrompt::render(#domain, #verdict_ty::SCHEMA, &[#(#pieces),*])
            }
        }
    }
}

fn reads_context(j: &JudgeModel) -> bool {
    j.parts
        .iter()
        .any(|p| matches!(p, TemplatePart::Slot(Slot::Context)))
}

fn type_text(ty: &VerdictType, optional: bool) -> String {
    let base = match ty {
        VerdictType::Enum(v) => format!("one of {}", v.join(", ")),
        VerdictType::Float => "a number".to_owned(),
        VerdictType::Int => "an integer".to_owned(),
        VerdictType::Bool => "true or false".to_owned(),
        VerdictType::String => "text".to_owned(),
        VerdictType::Strings => "a list of texts".to_owned(),
    };
    if optional {
        format!("{base}, or absent")
    } else {
        base
    }
}
