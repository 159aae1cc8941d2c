//! Tier 1's rules: the `tier1` validators and the `escalation` rules, whose conditions and
//! messages are typed expressions over the trace, its data, tables and extractors.

use std::collections::{BTreeMap, BTreeSet};

use aegis_core::Severity;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::checked::*;
use crate::emit::*;
use crate::error::Position;
use crate::expr::parse;
use crate::expr::{Checker, Scope, Ty, prec};
use crate::load::{Builder, RESERVED};
use crate::spec::*;

impl Builder<'_> {
    /// Checks the `escalation` section: the thresholds, and each rule's condition and reason
    /// over the trace and its Tier-1 issues.
    pub(crate) fn escalation(
        &mut self,
        spec: &DomainSpec,
        schema: &Schema,
    ) -> (Severity, Option<Severity>, Vec<EscalationRule>) {
        match &spec.escalation {
            None => (aegis_core::Severity::High, None, Vec::new()),
            Some(esc) => {
                let fail_at = esc.fail_at.severity();
                let uncertain_at = esc.uncertain_at.as_ref().map(|u| u.value.severity());
                let mut rules = Vec::new();
                let mut rule_ids: BTreeMap<String, Position> = BTreeMap::new();
                for r in &esc.rules {
                    if !self.new_id(&mut rule_ids, &r.id, "escalation rule") {
                        continue;
                    }
                    let mut scope = Scope::default();
                    scope.issues = true;
                    let mut checker = Checker::new(schema);
                    let when = self.condition(&mut checker, &r.when, &scope, "`when`");
                    let reason = self.message(&mut checker, &r.reason, &scope);
                    if let (Some(when), Some(reason)) = (when, reason) {
                        rules.push(EscalationRule {
                            id: r.id.value.clone(),
                            to: r.to.tier(),
                            when,
                            reason,
                            position: r.id.position,
                        });
                    }
                }
                if let Some(u) = uncertain_at
                    && u >= fail_at
                {
                    let pos = esc
                        .uncertain_at
                        .as_ref()
                        .map_or(spec.domain.position, |u| u.position);
                    self.error(
                        pos,
                        format!("`uncertain_at` ({u}) must be below `fail_at` ({fail_at})"),
                    );
                }
                (fail_at, uncertain_at, rules)
            }
        }
    }
}

impl Builder<'_> {
    pub(crate) fn validator(&mut self, v: &ValidatorSpec, schema: &Schema) -> Option<Validator> {
        let mut checker = Checker::new(schema);
        let mut scope = Scope::default();
        let mut ok = true;
        let mut bound: BTreeSet<String> = BTreeSet::new();
        // Every `for_each` name and `let`, with its binding id, to find the unused ones.
        let mut bindings: Vec<(String, usize)> = Vec::new();

        let for_each = match &v.for_each {
            None => None,
            Some(node) => match parse::parse_for_each(&node.value) {
                Err(e) => {
                    self.error_in(
                        node,
                        e.span,
                        format!("syntax error in `for_each`: {}", e.message),
                    );
                    return None;
                }
                Ok((names, list_expr)) => {
                    if names.len() > 2 {
                        self.error_in(
                            node,
                            names[2].1.clone(),
                            "`for_each` binds one name (each item) or two (each pair), not more",
                        );
                        return None;
                    }
                    let list = match checker.compile(&list_expr, &scope) {
                        Ok(c) => c,
                        Err(e) => {
                            self.error_in(node, e.span, e.message);
                            return None;
                        }
                    };
                    let element = match &list.ty {
                        Ty::List(e) => (**e).clone(),
                        Ty::Table(t) => Ty::Row(t.clone()),
                        other => {
                            self.error_in(node, list_expr.span.clone(), format!("type mismatch: `for_each` needs a list (an extractor, a table or a list field), but this is {other}"));
                            return None;
                        }
                    };
                    for (name, span) in &names {
                        if !is_local_name(name)
                            || RESERVED.contains(&name.as_str())
                            || schema.data.contains_key(name)
                            || schema.table(name).is_some()
                            || schema.extractor(name).is_some()
                        {
                            self.error_in(node, span.clone(), format!("`{name}` cannot be bound here: it is not a valid name, is a name the generated code uses, or hides a data group, table, extractor or trace field"));
                            return None;
                        }
                        if !bound.insert(name.clone()) {
                            self.error_in(node, span.clone(), format!("`{name}` is bound twice"));
                            return None;
                        }
                        bindings.push((name.clone(), scope.bind(name, element.clone())));
                    }
                    Some(ForEach {
                        names: names.into_iter().map(|(n, _)| n).collect(),
                        list,
                        element,
                    })
                }
            },
        };
        // Extractors named in `for_each` are evidence through their bound items, not as lists.
        checker.refs = Default::default();

        let when = match &v.when {
            Some(node) => {
                let c = self.condition(&mut checker, node, &scope, "`when`");
                ok &= c.is_some();
                c
            }
            None => None,
        };
        // Extractors read only by `when` are the rule's precondition, not its evidence.
        let when_locals = std::mem::take(&mut checker.refs.locals);
        checker.refs = Default::default();
        checker.refs.locals = when_locals;
        let mut lets = Vec::new();
        for (name, node) in v.lets.iter() {
            if !self.check_name(name, "let") {
                ok = false;
                continue;
            }
            if !is_local_name(&name.value) {
                self.error(
                    name.position,
                    format!(
                        "`{}` is a name the generated code uses for itself ({}); choose another",
                        name.value,
                        GENERATED_LOCALS.join(", ")
                    ),
                );
                // Still bound below, so that its uses are not reported again as unknown.
                ok = false;
            }
            if RESERVED.contains(&name.value.as_str())
                || schema.data.contains_key(&name.value)
                || schema.table(&name.value).is_some()
                || schema.extractor(&name.value).is_some()
                || !bound.insert(name.value.clone())
            {
                self.error(
                    name.position,
                    format!(
                        "duplicate name `{}`: a `let` may not hide another name",
                        name.value
                    ),
                );
                ok = false;
                continue;
            }
            match self.expression(&mut checker, node, &scope) {
                Some(c) if matches!(c.ty, Ty::Table(_) | Ty::Group(_)) => {
                    scope.poisoned.insert(name.value.clone());
                    self.error_in(
                        node,
                        0..node.value.len(),
                        format!("a `let` cannot name {}; use it by its own name", c.ty),
                    );
                    ok = false;
                }
                Some(c) => {
                    bindings.push((name.value.clone(), scope.bind(&name.value, c.ty.clone())));
                    lets.push((name.value.clone(), c));
                }
                None => {
                    // Reported already; its uses are not reported again.
                    scope.poisoned.insert(name.value.clone());
                    ok = false;
                }
            }
        }
        let (check_kind, node) = match (&v.require, &v.forbid) {
            (Some(r), None) => (CheckKind::Require, r),
            (None, Some(f)) => (CheckKind::Forbid, f),
            (Some(_), Some(f)) => {
                self.error(
                    f.position,
                    format!(
                        "validator `{}` has both `require` and `forbid`; give one",
                        v.id.value
                    ),
                );
                return None;
            }
            (None, None) => {
                self.error(
                    v.id.position,
                    format!(
                        "validator `{}` needs `require` (must hold) or `forbid` (must not hold)",
                        v.id.value
                    ),
                );
                return None;
            }
        };
        let what = if check_kind == CheckKind::Require {
            "`require`"
        } else {
            "`forbid`"
        };
        let check = self.condition(&mut checker, node, &scope, what);
        let message = self.message(&mut checker, &v.message, &scope);
        let (Some(check), Some(message), true) = (check, message, ok) else {
            return None;
        };
        let unused: Vec<&str> = bindings
            .iter()
            .filter(|(_, id)| !checker.refs.locals.contains(id))
            .map(|(n, _)| n.as_str())
            .collect();
        if !unused.is_empty() {
            self.error(
                v.id.position,
                format!(
                    "validator `{}` binds {} but never uses {}",
                    v.id.value,
                    unused
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if unused.len() == 1 { "it" } else { "them" }
                ),
            );
            return None;
        }
        Some(Validator {
            id: v.id.value.clone(),
            severity: v.severity.severity(),
            description: v.description.trim().to_owned(),
            position: v.id.position,
            for_each,
            when,
            lets,
            check_kind,
            check,
            message,
            evidence_extractors: checker.refs.extractors.iter().cloned().collect(),
            evidence_fields: checker.refs.data_paths.iter().cloned().collect(),
            groups_read: checker.groups_read,
        })
    }
}

impl Emitter<'_> {
    pub(crate) fn message(parts: &[MessagePart]) -> TokenStream {
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

    pub(crate) fn validator(&self, v: &Validator) -> TokenStream {
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
            // Lists, tables and data groups are borrowed, not moved out of the context.
            if matches!(c.ty, Ty::List(_) | Ty::Table(_) | Ty::Group(_)) {
                let t = c.operand(prec::UNARY);
                quote!(let #n = &#t;)
            } else {
                let t = &c.tokens;
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
                let list = f.list.receiver();
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
        let ctx = unused_as_underscored(&body, "ctx");
        quote! {
            #d
            pub fn #fun(#ctx: &Context<'_>, issues_out: &mut ::std::vec::Vec<::aegis_core::Issue>) -> ::aegis_core::ModuleOutcome {
                let mut outcome = ::aegis_core::ModuleOutcome::NotApplicable;
                #body
                outcome
            }
        }
    }

    pub(crate) fn escalations(&self) -> TokenStream {
        let rules = self.domain.escalation_rules.iter().map(|r| {
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
            // A rule that reads neither the trace nor its issues takes them as `_ctx`, `_issues`.
            let read = quote!(#cond #reason);
            let ctx = unused_as_underscored(&read, "ctx");
            let issues = unused_as_underscored(&read, "issues");
            quote! {
                #d
                pub fn #f(#ctx: &Context<'_>, #issues: &[::aegis_core::Issue]) -> ::std::option::Option<::aegis_core::EscalationRequest> {
                    let applies = #cond;
                    applies.then(|| ::aegis_core::EscalationRequest { rule: #id, to: #to, reason: #reason })
                }
            }
        });
        let calls = self.domain.escalation_rules.iter().map(|r| {
            let f = format_ident!("escalate_{}", r.id);
            quote!(#f(ctx, issues))
        });
        let d = doc(&format!(
            "The escalation rules of the `{}` domain that match a trace, given its Tier-1 issues.",
            self.domain.name
        ));
        let body = if self.domain.escalation_rules.is_empty() {
            quote!(::std::vec::Vec::new())
        } else {
            quote!([#(#calls),*].into_iter().flatten().collect())
        };
        // A domain without rules reads neither: `_ctx`, `_issues`.
        let ctx = unused_as_underscored(&body, "ctx");
        let issues = unused_as_underscored(&body, "issues");
        quote! {
            #(#rules)*
            #d
            pub fn escalations(#ctx: &Context<'_>, #issues: &[::aegis_core::Issue]) -> ::std::vec::Vec<::aegis_core::EscalationRequest> {
                #body
            }
        }
    }
}

impl Emitter<'_> {
    /// Each validator's `ValidatorInfo` in the domain's `DomainInfo`.
    pub(crate) fn validator_infos(&self) -> Vec<TokenStream> {
        self.domain
            .validators
            .iter()
            .map(|v| {
                let id = &v.id;
                let sev = severity_tokens(v.severity);
                let desc = &v.description;
                let loc = self.at(v.position);
                quote!(::aegis_core::ValidatorInfo { id: #id, severity: #sev, description: #desc, spec_location: #loc })
            })
            .collect()
    }
}
