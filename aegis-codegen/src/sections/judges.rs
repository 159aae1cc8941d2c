//! The `tier3` section: LLM judges. Checked: the template file and every placeholder in it
//! (errors at the template's own `file:line:col`) and the verdict's fields. Emitted: typed
//! verdicts and prompt builders.

use std::collections::BTreeSet;
use std::path::Path;

use aegis_core::TextField;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::checked::*;
use crate::emit::*;
use crate::load::Builder;
use crate::spec::*;

impl Builder<'_> {
    /// Checks a Tier-3 judge: its template file and every placeholder in it (errors at the
    /// template's own `file:line:col`), and its verdict's fields.
    pub(crate) fn judge(&mut self, j: &JudgeSpec, schema: &Schema) -> Option<Judge> {
        let (template_display, text, template_file, verdict) =
            match j.template.value.strip_prefix("builtin:") {
                Some(name) => {
                    let Some((text, fields)) = builtin_judge(name) else {
                        self.error(
                            j.template.position,
                            format!(
                                "unknown builtin judge `{name}`; expected builtin:rag_faithfulness"
                            ),
                        );
                        return None;
                    };
                    if !j.verdict.entries.is_empty() {
                        let pos = j.verdict.entries[0].0.position;
                        self.error(
                            pos,
                            format!(
                                "builtin judge `{name}` brings its own verdict: remove `verdict`"
                            ),
                        );
                        return None;
                    }
                    let fields: Vec<(Located<String>, Located<String>)> = fields
                        .iter()
                        .map(|(n, t)| {
                            let at = |v: &str| Located {
                                value: v.to_owned(),
                                position: j.template.position,
                                offset: None,
                            };
                            (at(n), at(t))
                        })
                        .collect();
                    (j.template.value.clone(), text.to_owned(), None, fields)
                }
                None => {
                    let (text, shown) = self.read_spec_file(
                        &j.template,
                        &format!("the template of judge `{}`", j.id.value),
                    )?;
                    let fields = j
                        .verdict
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    (
                        shown.to_string_lossy().replace('\\', "/"),
                        text,
                        Some(shown),
                        fields,
                    )
                }
            };
        let parts = self.template_parts(&text, template_file.as_deref(), &j.template, schema);
        let fields = self.verdict_fields(j, &verdict);
        let (parts, fields) = (parts?, fields?);
        let schema_json = verdict_schema(&fields);
        Some(Judge {
            id: j.id.value.clone(),
            position: j.id.position,
            description: j.description.trim().to_owned(),
            template_display,
            severity: j
                .severity
                .map_or(aegis_core::Severity::High, |s| s.severity()),
            parts,
            fields,
            schema_json,
        })
    }

    /// Splits a template into text and placeholders; an unknown placeholder is an error at its
    /// line and column in the template file (at the spec's `template` for a builtin).
    pub(crate) fn template_parts(
        &mut self,
        text: &str,
        file: Option<&Path>,
        template: &Located<String>,
        schema: &Schema,
    ) -> Option<Vec<TemplatePart>> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut ok = true;
        let mut rest = text;
        let mut offset = 0usize;
        while let Some(i) = rest.find('{') {
            literal.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            if let Some(stripped) = after.strip_prefix('{') {
                literal.push('{');
                offset += i + 2;
                rest = stripped;
                continue;
            }
            let name_len = after
                .find(|c: char| {
                    !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
                })
                .unwrap_or(after.len());
            let name = &after[..name_len];
            let closed = after[name_len..].starts_with('}');
            if name.is_empty() || !closed || !name.starts_with(|c: char| c.is_ascii_lowercase()) {
                // Not a placeholder (`{"verdict": …}` in an example): template text.
                literal.push('{');
                offset += i + 1;
                rest = after;
                continue;
            }
            match placeholder(name, schema) {
                Ok(slot) => {
                    if !literal.is_empty() {
                        parts.push(TemplatePart::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(TemplatePart::Slot(slot));
                }
                Err(message) => {
                    ok = false;
                    let at = offset + i;
                    match file {
                        Some(f) => {
                            let line = text[..at].matches('\n').count() as u64 + 1;
                            let col = text[..at].rfind('\n').map_or(at, |n| at - n - 1);
                            let col = u32::try_from(text[at - col..at].chars().count() + 1)
                                .unwrap_or(u32::MAX);
                            self.file_error(
                                f,
                                line,
                                col,
                                format!("placeholder `{{{name}}}`: {message}"),
                            );
                        }
                        None => self.error(
                            template.position,
                            format!("placeholder `{{{name}}}`: {message}"),
                        ),
                    }
                }
            }
            offset += i + 1 + name_len + 1;
            rest = &after[name_len + 1..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(TemplatePart::Text(literal));
        }
        if ok
            && !parts
                .iter()
                .any(|p| matches!(p, TemplatePart::Slot(s) if s.is_trace_text()))
        {
            let message = "the template reads nothing from the trace: use at least one of {output}, {input}, {context}, {data}, {extract.<name>}";
            match file {
                Some(f) => self.file_error(f, 1, 1, message.to_owned()),
                None => self.error(template.position, message),
            }
            return None;
        }
        ok.then_some(parts)
    }

    /// Checks a verdict's fields: types, and the `verdict` field the tier decides by.
    pub(crate) fn verdict_fields(
        &mut self,
        j: &JudgeSpec,
        fields: &[(Located<String>, Located<String>)],
    ) -> Option<Vec<VerdictField>> {
        let mut out = Vec::new();
        let mut ok = true;
        for (name, ty) in fields {
            if !self.check_name(name, "verdict field") {
                ok = false;
                continue;
            }
            match parse_verdict_type(&ty.value) {
                Ok((ty, optional)) => out.push(VerdictField {
                    name: name.value.clone(),
                    ty,
                    optional,
                }),
                Err(message) => {
                    ok = false;
                    self.error(
                        ty.position,
                        format!("verdict field `{}`: {message}", name.value),
                    );
                }
            }
        }
        let decisive = out.iter().find(|f| f.name == "verdict");
        let position = fields.first().map_or(j.id.position, |(k, _)| k.position);
        match decisive {
            None if ok => {
                self.error(position, format!("judge `{}`: the verdict needs a field `verdict: enum(pass, fail, uncertain)` (or `enum(pass, fail)`)", j.id.value));
                ok = false;
            }
            Some(f) => {
                let good = match &f.ty {
                    VerdictType::Enum(values) => {
                        !f.optional
                            && values.iter().any(|v| v == "pass")
                            && values.iter().any(|v| v == "fail")
                            && values
                                .iter()
                                .all(|v| ["pass", "fail", "uncertain"].contains(&v.as_str()))
                    }
                    _ => false,
                };
                if !good {
                    let pos = fields
                        .iter()
                        .find(|(k, _)| k.value == "verdict")
                        .map_or(position, |(_, t)| t.position);
                    self.error(pos, "`verdict` must be `enum(pass, fail, uncertain)` or `enum(pass, fail)`, not optional");
                    ok = false;
                }
            }
            None => {}
        }
        for (name, want, shown) in [
            ("score", VerdictType::Float, "float"),
            ("rationale", VerdictType::String, "string"),
        ] {
            if let Some(f) = out.iter().find(|f| f.name == name)
                && f.ty != want
            {
                let pos = fields
                    .iter()
                    .find(|(k, _)| k.value == name)
                    .map_or(position, |(_, t)| t.position);
                self.error(
                    pos,
                    format!("`{name}` is shown in results and must be `{shown}`"),
                );
                ok = false;
            }
        }
        ok.then_some(out)
    }
}

/// A builtin judge's template and verdict fields.
fn builtin_judge(name: &str) -> Option<(&'static str, &'static [(&'static str, &'static str)])> {
    match name {
        "rag_faithfulness" => Some((
            include_str!("../builtin/rag_faithfulness.md"),
            &[
                ("verdict", "enum(pass, fail, uncertain)"),
                ("score", "float"),
                ("unsupported_claims", "list<string>"),
                ("rationale", "string"),
            ],
        )),
        _ => None,
    }
}

/// What a placeholder name reads, or why it reads nothing.
fn placeholder(name: &str, schema: &Schema) -> Result<Slot, String> {
    Ok(match name {
        "output" => Slot::Output,
        "input" => Slot::Input,
        "model" => Slot::Model,
        "context" => Slot::Context,
        "issues" => Slot::Issues,
        "data" => Slot::Data(String::new()),
        "domain" => Slot::Domain,
        "compliance" => Slot::Compliance,
        _ => {
            if let Some(path) = name.strip_prefix("data.") {
                let mut parts = path.split('.');
                let mut node = parts.next().and_then(|p| schema.data.get(p));
                for p in parts {
                    node = match node {
                        Some(DataTree::Group(children)) => children.get(p),
                        _ => None,
                    };
                }
                if node.is_none() {
                    let known: Vec<&str> = schema.data.keys().map(String::as_str).collect();
                    return Err(format!(
                        "`{path}` is not a field of the domain's `data` (its top-level fields: {})",
                        if known.is_empty() {
                            "none".to_owned()
                        } else {
                            known.join(", ")
                        }
                    ));
                }
                Slot::Data(path.to_owned())
            } else if let Some(e) = name.strip_prefix("extract.") {
                match schema.extractor(e) {
                    Some(x) => Slot::Extract(e.to_owned(), x.from),
                    None => {
                        let known: Vec<&str> =
                            schema.extractors.iter().map(|x| x.name.as_str()).collect();
                        return Err(format!(
                            "`{e}` is not an extractor of the domain (it has: {})",
                            if known.is_empty() {
                                "none".to_owned()
                            } else {
                                known.join(", ")
                            }
                        ));
                    }
                }
            } else {
                return Err("unknown placeholder; expected one of output, input, model, context, issues, data, data.<path>, extract.<extractor>, domain, compliance (write `{{` for a literal brace)".to_owned());
            }
        }
    })
}

/// Parses a verdict field's type: `enum(a, b)`, `float`, `int`, `bool`, `string`,
/// `list<string>`, each with an optional `?`.
fn parse_verdict_type(written: &str) -> Result<(VerdictType, bool), String> {
    let w = written.trim();
    let (base, optional) = match w.strip_suffix('?') {
        Some(b) => (b.trim_end(), true),
        None => (w, false),
    };
    let ty = match base {
        "float" => VerdictType::Float,
        "int" => VerdictType::Int,
        "bool" => VerdictType::Bool,
        "string" => VerdictType::String,
        "list<string>" => VerdictType::Strings,
        _ => {
            let Some(inner) = base.strip_prefix("enum(").and_then(|r| r.strip_suffix(')')) else {
                return Err(format!(
                    "unknown type `{w}`; expected enum(a, b, …), float, int, bool, string or list<string>, with `?` for optional"
                ));
            };
            let values: Vec<String> = inner.split(',').map(|v| v.trim().to_owned()).collect();
            if values.len() < 2 || values.iter().any(|v| !is_identifier(v)) {
                return Err(
                    "an enum needs two or more values, each a lowercase identifier".to_owned(),
                );
            }
            let mut seen = BTreeSet::new();
            if let Some(dup) = values.iter().find(|v| !seen.insert(v.as_str())) {
                return Err(format!("enum value `{dup}` is repeated"));
            }
            VerdictType::Enum(values)
        }
    };
    Ok((ty, optional))
}

/// The JSON Schema of a verdict, as OpenAI's strict structured outputs want it: every field
/// listed in `required` (an optional one may be `null`), no other fields.
fn verdict_schema(fields: &[VerdictField]) -> String {
    let mut properties = serde_json::Map::new();
    for f in fields {
        let mut p = match &f.ty {
            VerdictType::Enum(values) => serde_json::json!({ "type": "string", "enum": values }),
            VerdictType::Float => serde_json::json!({ "type": "number" }),
            VerdictType::Int => serde_json::json!({ "type": "integer" }),
            VerdictType::Bool => serde_json::json!({ "type": "boolean" }),
            VerdictType::String => serde_json::json!({ "type": "string" }),
            VerdictType::Strings => {
                serde_json::json!({ "type": "array", "items": { "type": "string" } })
            }
        };
        if f.optional
            && let Some(t) = p.get("type").cloned()
        {
            p["type"] = serde_json::json!([t, "null"]);
            // Strict structured outputs check `enum` too: null must be one of its values.
            if let Some(values) = p.get_mut("enum").and_then(|e| e.as_array_mut()) {
                values.push(serde_json::Value::Null);
            }
        }
        properties.insert(f.name.clone(), p);
    }
    let required: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    serde_json::json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
    .to_string()
}

impl Emitter<'_> {
    /// Every judge's items.
    pub(crate) fn judges(&self) -> TokenStream {
        let judges = self.domain.judges.iter().map(|j| self.judge(j));
        quote!(#(#judges)*)
    }

    /// `JudgeInfo` entries for `INFO.judges`.
    pub(crate) fn judge_infos(&self) -> Vec<TokenStream> {
        self.domain
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

    pub(crate) fn judge(&self, j: &Judge) -> TokenStream {
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
                            text.push_str(&self.domain.name);
                            continue;
                        }
                        Slot::Compliance => {
                            if self.domain.compliance.is_empty() {
                                text.push_str("(none stated)");
                            } else {
                                text.push_str(&self.domain.compliance.join(", "));
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
        let domain = &self.domain.name;
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

fn reads_context(j: &Judge) -> bool {
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
