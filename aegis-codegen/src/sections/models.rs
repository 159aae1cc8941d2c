//! The `tier2` section: Tier-2 models (labels, expressions over their scores, compiled-in
//! weights checked against their card, synthetic-data templates), emitted as a typed wrapper
//! per model and the tier over all of them.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};
use sha2::Digest;

use crate::checked::*;
use crate::emit::*;
use crate::expr::check::label_ident;
use crate::expr::{Checker, Scope, Ty};
use crate::load::Builder;
use crate::spec::*;

impl Builder<'_> {
    /// Checks a Tier-2 model: labels, expressions over its scores, compiled-in weights (their
    /// card must agree with the spec), synthetic-data templates.
    pub(crate) fn tier2_model(&mut self, m: &ModelSpec, schema: &Schema) -> Option<Tier2Model> {
        let mut ok = true;
        let labels: Vec<String> = match (m.kind.value, &m.labels) {
            (ModelKindName::TextClassifier, Some(l)) => {
                let mut seen = BTreeSet::new();
                for label in &l.value {
                    let valid = label.starts_with(|c: char| c.is_ascii_lowercase())
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                        && !matches!(label.as_str(), "self" | "super" | "crate");
                    if !valid {
                        self.error(l.position, format!("label `{label}` must be a lowercase identifier (letters, digits, `_`)"));
                        ok = false;
                    } else if !seen.insert(label.clone()) {
                        self.error(l.position, format!("label `{label}` is listed twice"));
                        ok = false;
                    }
                }
                if l.value.len() < 2 {
                    self.error(l.position, "a text classifier needs at least two labels");
                    ok = false;
                }
                l.value.clone()
            }
            (ModelKindName::TextClassifier, None) => {
                self.error(
                    m.kind.position,
                    format!("text classifier `{}` needs `labels`", m.id.value),
                );
                return None;
            }
            (ModelKindName::RiskRegressor, Some(l)) => {
                self.error(
                    l.position,
                    "a risk regressor has no labels: its score is `p.risk`",
                );
                return None;
            }
            (ModelKindName::RiskRegressor, None) => vec!["risk".to_owned()],
        };
        let inputs: Vec<&'static str> = match &m.input {
            ModelInput::One(f) => vec![f.as_str()],
            ModelInput::Many(fs) => fs.iter().map(|f| f.as_str()).collect(),
        };
        if inputs.is_empty() {
            self.error(
                m.id.position,
                format!("model `{}`: `input` names no field", m.id.value),
            );
            ok = false;
        }
        // `when` reads the trace as a rule's `when` does; it runs before the model, without `p`.
        let when = m.when.as_ref().map(|node| {
            let compiled =
                self.condition(&mut Checker::new(schema), node, &Scope::default(), "`when`");
            ok &= compiled.is_some();
            compiled.map(|c| (c, node.value.trim().to_owned(), node.position))
        });
        let mut scope = Scope::default();
        scope.bind("p", Ty::Scores(labels.clone()));
        let mut checker = Checker::new(schema);
        let escalate = self.condition(&mut checker, &m.escalate_when, &scope, "`escalate_when`");
        let fail = m
            .fail_when
            .as_ref()
            .map(|f| self.condition(&mut checker, f, &scope, "`fail_when`"));
        let default_message = Located {
            value: format!("model `{}` fails the trace", m.id.value),
            position: m.id.position,
            offset: None,
        };
        let message = self.message(
            &mut checker,
            m.message.as_ref().unwrap_or(&default_message),
            &scope,
        );
        // Model expressions see only `p`: they run where no trace context exists.
        for c in escalate.iter().chain(fail.iter().flatten()) {
            if crate::emit::mentions_ident(&c.tokens, "ctx") {
                self.error(m.escalate_when.position, format!("model `{}`: `escalate_when` and `fail_when` may read only `p`, the model's scores", m.id.value));
                ok = false;
            }
        }
        let weights = m
            .weights
            .as_ref()
            .and_then(|w| self.model_weights(m, w, &labels));
        if m.weights.is_some() && weights.is_none() {
            ok = false;
        }
        let synthetic = m
            .synthetic
            .as_ref()
            .and_then(|syn| self.synthetic(m, syn, &labels, schema));
        if m.synthetic.is_some() && synthetic.is_none() {
            ok = false;
        }
        let (escalate, message) = (escalate?, message?);
        let fail = match fail {
            Some(f) => Some(f?),
            None => None,
        };
        ok.then(|| Tier2Model {
            id: m.id.value.clone(),
            position: m.id.position,
            kind: m.kind.value,
            description: m.description.trim().to_owned(),
            labels,
            inputs,
            backbone: m.backbone,
            when: when.flatten(),
            weights,
            escalate,
            fail,
            severity: m.severity.unwrap_or(SeverityName::High).severity(),
            message,
            synthetic,
        })
    }

    /// Reads a model's compiled-in weights directory and checks its card against the spec.
    pub(crate) fn model_weights(
        &mut self,
        m: &ModelSpec,
        dir: &Located<String>,
        labels: &[String],
    ) -> Option<(IncludePath, IncludePath)> {
        let base = self.base_dir.join(&dir.value);
        let shown = self.display_dir.join(&dir.value);
        let weights = base.join("model.safetensors");
        let card_path = base.join("card.json");
        let (w, c) = match (std::fs::read(&weights), std::fs::read_to_string(&card_path)) {
            (Ok(w), Ok(c)) => (w, c),
            (Err(e), _) | (_, Err(e)) => {
                self.error(dir.position, format!(
                    "cannot read the weights of model `{}` from `{}` (model.safetensors and card.json): {e}; train them with `aegis-eval train <domain> {} --export {}`",
                    m.id.value, shown.display(), m.id.value, shown.display()
                ));
                return None;
            }
        };
        let card: serde_json::Value = match serde_json::from_str(&c) {
            Ok(v) => v,
            Err(e) => {
                self.error(
                    dir.position,
                    format!("`{}/card.json` is not valid JSON: {e}", shown.display()),
                );
                return None;
            }
        };
        let kind = match m.kind.value {
            ModelKindName::TextClassifier => "text_classifier",
            ModelKindName::RiskRegressor => "risk_regressor",
        };
        let backbone = match m.backbone {
            BackboneName::HashedNgrams => "hashed_ngrams",
            BackboneName::Minilm => "minilm",
        };
        let card_labels: Vec<String> = card["task"]["labels"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_else(|| vec!["risk".to_owned()]);
        let mut problems = Vec::new();
        if card["task"]["kind"] != kind {
            problems.push(format!(
                "kind {} (the spec says {kind})",
                card["task"]["kind"]
            ));
        }
        if card["backbone"]["name"] != backbone {
            problems.push(format!(
                "backbone {} (the spec says {backbone})",
                card["backbone"]["name"]
            ));
        }
        if card_labels != labels {
            problems.push(format!(
                "labels [{}] (the spec says [{}])",
                card_labels.join(", "),
                labels.join(", ")
            ));
        }
        if !problems.is_empty() {
            self.error(
                dir.position,
                format!(
                    "the weights in `{}` do not fit model `{}`: they have {}; retrain them",
                    shown.display(),
                    m.id.value,
                    problems.join(", ")
                ),
            );
            return None;
        }
        self.hasher.update(dir.value.as_bytes());
        self.hasher.update(&w);
        self.hasher.update(c.as_bytes());
        self.inputs.push(weights);
        self.inputs.push(card_path);
        let included = self.include_dir.join(&dir.value);
        Some((
            IncludePath(included.join("model.safetensors")),
            IncludePath(included.join("card.json")),
        ))
    }

    /// Checks synthetic-data templates: targets, placeholders, and the table columns they read.
    pub(crate) fn synthetic(
        &mut self,
        m: &ModelSpec,
        syn: &SyntheticSpec,
        labels: &[String],
        schema: &Schema,
    ) -> Option<SyntheticData> {
        let mut ok = true;
        let mut templates = Vec::new();
        let mut used: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (target, list) in &syn.templates.entries {
            ok &= self.synthetic_target(m, target, labels);
            for t in list {
                ok &= self.synthetic_template(t, schema, &mut used);
                templates.push((target.value.clone(), t.value.clone()));
            }
        }
        let rule_labels = syn.label_by_rules.as_ref().map(|r| {
            ok &= self.synthetic_target(m, &r.fail, labels);
            ok &= self.synthetic_target(m, &r.pass, labels);
            if r.fail.value == r.pass.value {
                self.error(
                    r.pass.position,
                    format!(
                        "`label_by_rules`: `pass` and `fail` are both `{}`; the rules could not tell texts apart",
                        r.pass.value
                    ),
                );
                ok = false;
            }
            for t in &r.templates {
                ok &= self.synthetic_template(t, schema, &mut used);
            }
            RuleLabels {
                fail: r.fail.value.clone(),
                pass: r.pass.value.clone(),
                templates: r.templates.iter().map(|t| t.value.clone()).collect(),
            }
        });
        if templates.is_empty() && rule_labels.as_ref().is_none_or(|r| r.templates.is_empty()) {
            self.error(
                m.id.position,
                format!(
                    "model `{}`: `synthetic` has no template (give `templates`, or `label_by_rules.templates`)",
                    m.id.value
                ),
            );
            ok = false;
        }
        let tables = used
            .into_iter()
            .filter_map(|(name, cols)| {
                let table = schema.table(&name)?;
                let idx: Vec<usize> = cols
                    .iter()
                    .filter_map(|c| table.columns.iter().position(|x| &x.name == c))
                    .collect();
                let rows = table
                    .rows
                    .iter()
                    .map(|row| {
                        idx.iter()
                            .map(|&i| match &row[i] {
                                Cell::Str(s) => s.clone(),
                                Cell::Float(f) => format!("{f}"),
                                Cell::Int(i) => i.to_string(),
                                Cell::Bool(b) => b.to_string(),
                                Cell::Missing => String::new(),
                            })
                            .collect()
                    })
                    .collect();
                Some((name, cols, rows))
            })
            .collect();
        ok.then_some(SyntheticData {
            count: syn.count,
            templates,
            rule_labels,
            tables,
        })
    }

    /// Checks one synthetic target: a label of a classifier, or a score in [0, 1] of a regressor.
    pub(crate) fn synthetic_target(
        &mut self,
        m: &ModelSpec,
        target: &Located<String>,
        labels: &[String],
    ) -> bool {
        let valid = match m.kind.value {
            ModelKindName::TextClassifier => labels.contains(&target.value),
            ModelKindName::RiskRegressor => target
                .value
                .parse::<f64>()
                .is_ok_and(|v| (0.0..=1.0).contains(&v)),
        };
        if !valid {
            let want = match m.kind.value {
                ModelKindName::TextClassifier => {
                    format!("one of the labels ({})", labels.join(", "))
                }
                ModelKindName::RiskRegressor => "a score between 0 and 1".to_owned(),
            };
            self.error(
                target.position,
                format!("synthetic target `{}` must be {want}", target.value),
            );
        }
        valid
    }

    /// Checks one template's placeholders, and notes the table columns it reads in `used`.
    pub(crate) fn synthetic_template(
        &mut self,
        t: &Located<String>,
        schema: &Schema,
        used: &mut BTreeMap<String, Vec<String>>,
    ) -> bool {
        let mut ok = true;
        let mut rest = t.value.as_str();
        let mut offset = 0;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                self.error_in(t, offset + open..t.value.len(), "unclosed `{` in template");
                return false;
            };
            let inner = rest[open + 1..open + close].trim();
            let span = offset + open..offset + open + close + 1;
            if inner.contains('{') {
                self.error_in(t, span.clone(), "placeholders do not nest: write the choice and the table value as two placeholders");
                ok = false;
            } else if let Some((slot, factor)) = match inner.split_once('*') {
                Some((a, b)) if !a.contains('|') => Some((a.trim(), Some(b.trim()))),
                Some(_) => None,
                None => (!inner.contains('|')).then_some((inner, None)),
            } {
                let table_and_column = slot.split_once('.').and_then(|(tb, col)| {
                    let (name, instance) = match tb.split_once('#') {
                        Some((name, n)) => (name, n.parse::<u8>().ok().filter(|n| *n >= 1)),
                        None => (tb, Some(1)),
                    };
                    instance?;
                    schema.table(name).map(|t| (t, col))
                });
                match table_and_column {
                    Some((table, col)) => match table.columns.iter().find(|c| c.name == col) {
                        Some(c) => {
                            let numeric =
                                matches!(c.ty.scalar, ScalarType::Float | ScalarType::Int);
                            if factor.is_some_and(|f| {
                                f.split('|').any(|f| f.trim().parse::<f64>().is_err()) || !numeric
                            }) {
                                self.error_in(t, span.clone(), format!("`{{{inner}}}`: a factor must be a number (or numbers: `* 0.5|2`) and its column a number column"));
                                ok = false;
                            }
                            let cols = used.entry(table.name.clone()).or_default();
                            if !cols.iter().any(|x| x == col) {
                                cols.push(col.to_owned());
                            }
                        }
                        None => {
                            self.error_in(
                                t,
                                span.clone(),
                                format!(
                                    "unknown column in `{{{inner}}}`; table `{}` has: {}",
                                    table.name,
                                    table
                                        .columns
                                        .iter()
                                        .map(|c| c.name.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            );
                            ok = false;
                        }
                    },
                    None => {
                        self.error_in(t, span.clone(), format!("unknown placeholder `{{{inner}}}`: write `{{table.column}}`, `{{table#2.column}}`, `{{table.column * 2}}`, `{{table.column * 0.5|2}}` or `{{a|b|c}}`"));
                        ok = false;
                    }
                }
            }
            offset += open + close + 1;
            rest = &rest[open + close + 1..];
        }
        ok
    }
}

impl Emitter<'_> {
    pub(crate) fn model_info(&self, md: &Tier2Model) -> TokenStream {
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
    pub(crate) fn tier2_model(&self, index: usize, md: &Tier2Model) -> TokenStream {
        let base = camel(&md.id);
        let scores_ty = format_ident!("{}Scores", base);
        let model_ty = format_ident!("{}", base);
        let loc = self.at(md.position);
        let fields: Vec<Ident> = md.labels.iter().map(|l| label_ident(l)).collect();
        let field_docs = md.labels.iter().map(|l| match md.kind {
            ModelKindName::TextClassifier => doc(&format!("Probability of `{l}`.")),
            ModelKindName::RiskRegressor => doc("The risk score, in `[0, 1]`."),
        });
        let outputs = (0..md.labels.len()).map(|i| match i {
            0 => quote!(outputs.first()),
            i => {
                let i = Literal::usize_unsuffixed(i);
                quote!(outputs.get(#i))
            }
        });
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
        // The spec's expressions read the scores as `p`: bound only where one does.
        let with_p = |body: TokenStream| {
            if mentions_ident(&body, "p") {
                quote!(let p = self; #body)
            } else {
                body
            }
        };
        let esc = with_p(holds(&md.escalate));
        let fail = with_p(md.fail.as_ref().map_or(quote!(false), holds));
        let message = with_p(Self::message(&md.message));
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
                let (w, c) = (w.tokens(), c.tokens());
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
                pub fn from_outputs(outputs: &[f32]) -> Self {
                    #scores_ty { #(#fields: #outputs.copied().map_or(0.0, f64::from)),* }
                }

                #label_fn

                #[doc = " The spec's `escalate_when`: the model is unsure and the trace goes on to Tier 3."]
                pub fn escalates(&self) -> bool {
                    #esc
                }

                #[doc = " The spec's `fail_when`: the model fails the trace."]
                pub fn fails(&self) -> bool {
                    #fail
                }

                #[doc = " The issue message when the model fails the trace."]
                pub fn message(&self) -> ::std::string::String {
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
    pub(crate) fn models(&self) -> TokenStream {
        let m = self.domain;
        if m.models.is_empty() {
            return quote!();
        }
        let wrappers = m
            .models
            .iter()
            .enumerate()
            .map(|(i, md)| self.tier2_model(i, md));
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
                fn evaluate(&self, domain: &::aegis_core::DomainInfo, trace: &::aegis_core::Sanitized<::aegis_core::Trace>, _issues: &[::aegis_core::Issue]) -> ::aegis_core::tiers::TierDecision {
                    #context
                    #(#runs)*
                    ::aegis_models::tier::decide(::std::vec![#(#locals),*], domain.policy.fail_at)
                }
            }
        }
    }
}
