//! The `data` section: typed fields and groups the trace's metadata carries. Checked into a
//! [`DataTree`]; emitted as one struct per group (`Data`, `DataPatient`, …).

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::checked::*;
use crate::emit::*;
use crate::load::Builder;
use crate::spec::*;

impl Builder<'_> {
    /// The data node at dotted `path`; a node with an error is reported and poisoned.
    pub(crate) fn data_tree(&mut self, node: &Located<DataNode>, path: &str) -> Option<DataTree> {
        match &node.value {
            DataNode::Field(written) => match DataField::parse(written, node.position) {
                Some(f) if f.list && written.trim().ends_with('?') => {
                    self.error(node.position, format!("`{written}`: a list is never missing (an absent or null list is empty); write `{}`", written.trim().trim_end_matches('?')));
                    self.poisoned.insert(path.to_owned());
                    None
                }
                Some(f) => Some(DataTree::Field(f)),
                None => {
                    self.error(node.position, format!("unknown type `{written}`; expected float, int, string or bool, optionally as list<T>, with `?` for optional"));
                    self.poisoned.insert(path.to_owned());
                    None
                }
            },
            DataNode::Group(children) => {
                let mut out = BTreeMap::new();
                for (name, child) in children.iter() {
                    let child_path = format!("{path}.{}", name.value);
                    if !self.check_name(name, "data field") {
                        self.poisoned.insert(child_path);
                    } else if let Some(t) = self.data_tree(child, &child_path) {
                        out.insert(name.value.clone(), t);
                    }
                }
                Some(DataTree::Group(out))
            }
        }
    }
}

impl Emitter<'_> {
    pub(crate) fn data(&self) -> TokenStream {
        let mut items = Vec::new();
        let summary = match self.domain.data_position {
            Some(p) => format!(
                "The typed `domain_data` of a `{}` trace: the spec's `data` section (`{}`).",
                self.domain.name,
                self.at(p)
            ),
            None => format!(
                "The typed `domain_data` of a `{}` trace: empty, as `{}` has no `data` section.",
                self.domain.name, self.domain.spec_display
            ),
        };
        self.group(&[], &self.domain.schema.data, &summary, &mut items);
        quote!(#(#items)*)
    }

    pub(crate) fn group_struct_name(path: &[String]) -> Ident {
        if path.is_empty() {
            ident("DomainData")
        } else {
            format_ident!("{}Data", path.iter().map(|p| camel(p)).collect::<String>())
        }
    }

    pub(crate) fn group(
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
                        &format!(
                            "Group `{dotted}` of the `{}` domain's data.",
                            self.domain.name
                        ),
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
        // A key the spec does not declare is an error, not data silently dropped (a misspelt
        // `patinet` would leave every rule over `patient` without input). A domain that
        // declares no data reads none, so it takes whatever the trace carries.
        let serde_attr = if fields.is_empty() {
            quote!(#[serde(crate = "::aegis_core::__private::serde")])
        } else {
            quote!(#[serde(crate = "::aegis_core::__private::serde", deny_unknown_fields)])
        };
        out.insert(0, quote! {
            #docs
            #[derive(Debug, Clone, Default, PartialEq, ::aegis_core::__private::serde::Deserialize)]
            #serde_attr
            pub struct #name {
                #(#fields)*
            }
        });
    }
}
