//! The `tools` section: tools an agent calls whose arguments a data group's rules check.
//!
//! Checked into [`ToolBinding`]s (the group exists and is a group, renamed arguments name its
//! fields, some validator reads it); emitted as the `TOOLS` table the domain's
//! `evaluate_rules` runs each call of those tools through.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use crate::checked::*;
use crate::emit::*;
use crate::error::Position;
use crate::load::Builder;
use crate::spec::*;

/// A checked `tools` entry.
#[derive(Debug, Clone)]
pub(crate) struct ToolBinding {
    pub(crate) tool: String,
    pub(crate) group: String,
    /// (argument, field).
    pub(crate) renamed: Vec<(String, String)>,
    pub(crate) fields: Vec<String>,
    pub(crate) numeric: Vec<String>,
    /// Indices of the validators that read the group, in spec order.
    pub(crate) validators: Vec<usize>,
    pub(crate) description: String,
    pub(crate) position: Position,
}

/// Whether `name` can be a tool's name as model APIs allow it: 1–64 ASCII letters, digits,
/// `_`, `-` or `.`.
fn is_tool_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

impl Builder<'_> {
    /// Checks the `tools` section against the data groups and the validators that read them.
    pub(crate) fn tools(
        &mut self,
        spec: &DomainSpec,
        schema: &Schema,
        validators: &[Validator],
    ) -> Vec<ToolBinding> {
        let mut out = Vec::new();
        for (name, tool) in spec.tools.iter() {
            if !is_tool_name(&name.value) {
                self.error(
                    name.position,
                    format!(
                        "`{}` is not a tool name: use 1 to 64 ASCII letters, digits, `_`, `-` or `.`, as model APIs do",
                        name.value
                    ),
                );
                continue;
            }
            let group = &tool.data.value;
            let children = match schema.data.get(group) {
                Some(DataTree::Group(children)) => children,
                Some(DataTree::Field(_)) => {
                    self.error(
                        tool.data.position,
                        format!(
                            "`{group}` is a data field; a tool's arguments fill a data group (a mapping of fields under `data`)"
                        ),
                    );
                    continue;
                }
                None if schema.poisoned.contains(group) => continue,
                None => {
                    let groups: Vec<&str> = schema
                        .data
                        .iter()
                        .filter(|(_, t)| matches!(t, DataTree::Group(_)))
                        .map(|(n, _)| n.as_str())
                        .collect();
                    self.error(
                        tool.data.position,
                        format!(
                            "unknown data group `{group}`; the spec's data groups are: {}",
                            if groups.is_empty() {
                                "(none)".to_owned()
                            } else {
                                groups.join(", ")
                            }
                        ),
                    );
                    continue;
                }
            };
            let mut renamed = Vec::new();
            let mut targets: BTreeMap<String, Position> = BTreeMap::new();
            let mut ok = true;
            for (argument, field) in tool.arguments.iter() {
                if !children.contains_key(&field.value) {
                    self.error(
                        field.position,
                        format!(
                            "unknown field `{}` in data group `{group}`; its fields are: {}",
                            field.value,
                            children.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    );
                    ok = false;
                } else if let Some(first) = targets.get(&field.value) {
                    self.error(
                        field.position,
                        format!(
                            "field `{}` is already read from another argument (line {})",
                            field.value, first.line
                        ),
                    );
                    ok = false;
                } else {
                    targets.insert(field.value.clone(), field.position);
                    renamed.push((argument.value.clone(), field.value.clone()));
                }
            }
            let reading: Vec<usize> = validators
                .iter()
                .enumerate()
                .filter(|(_, v)| v.groups_read.contains(group))
                .map(|(i, _)| i)
                .collect();
            if reading.is_empty() {
                self.error(
                    name.position,
                    format!(
                        "no `tier1` validator reads data group `{group}`, so calls of `{}` would be checked by nothing",
                        name.value
                    ),
                );
                ok = false;
            }
            if !ok {
                continue;
            }
            let numeric = children
                .iter()
                .filter(|(_, t)| {
                    matches!(t, DataTree::Field(f)
                        if !f.list && matches!(f.scalar, ScalarType::Float | ScalarType::Int))
                })
                .map(|(n, _)| n.clone())
                .collect();
            out.push(ToolBinding {
                tool: name.value.clone(),
                group: group.clone(),
                renamed,
                fields: children.keys().cloned().collect(),
                numeric,
                validators: reading,
                description: tool.description.trim().to_owned(),
                position: name.position,
            });
        }
        out
    }
}

impl Emitter<'_> {
    /// `TOOLS`: each bound tool with its group and the validators its calls run through.
    pub(crate) fn tools(&self) -> TokenStream {
        let tools = &self.domain.tools;
        if tools.is_empty() {
            return quote!();
        }
        let n = proc_macro2::Literal::usize_unsuffixed(tools.len());
        let entries = tools.iter().map(|t| {
            let (tool, group) = (&t.tool, &t.group);
            let renamed = t.renamed.iter().map(|(a, f)| quote!((#a, #f)));
            let fields = &t.fields;
            let numeric = &t.numeric;
            let validators = t
                .validators
                .iter()
                .map(|i| proc_macro2::Literal::usize_unsuffixed(*i));
            quote! {
                ::aegis_core::__private::ToolBinding {
                    tool: #tool,
                    group: #group,
                    renamed: &[#(#renamed),*],
                    fields: &[#(#fields),*],
                    numeric: &[#(#numeric),*],
                    validators: &[#(#validators),*],
                }
            }
        });
        let list: String = tools
            .iter()
            .map(|t| {
                format!(
                    "\n- `{}` → `{}`{} (`{}`)",
                    t.tool,
                    t.group,
                    if t.description.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", t.description)
                    },
                    self.at(t.position)
                )
            })
            .collect();
        let d = doc(&format!(
            "The tools of the `{}` domain whose calls the rules check, each with the data group its arguments fill and the validators (indices into [`VALIDATORS`]) that read it:\n{list}",
            self.domain.name
        ));
        quote! {
            #d
            pub static TOOLS: [::aegis_core::__private::ToolBinding; #n] = [#(#entries),*];
        }
    }

    /// Each tool's `ToolInfo` in the domain's `DomainInfo`.
    pub(crate) fn tool_infos(&self) -> Vec<TokenStream> {
        self.domain
            .tools
            .iter()
            .map(|t| {
                let (name, data, description) = (&t.tool, &t.group, &t.description);
                let renamed = t.renamed.iter().map(|(a, f)| quote!((#a, #f)));
                let validators = t
                    .validators
                    .iter()
                    .filter_map(|i| self.domain.validators.get(*i))
                    .map(|v| &v.id);
                let loc = self.at(t.position);
                quote!(::aegis_core::ToolInfo {
                    name: #name,
                    data: #data,
                    renamed: &[#(#renamed),*],
                    validators: &[#(#validators),*],
                    description: #description,
                    spec_location: #loc,
                })
            })
            .collect()
    }

    /// The part of `evaluate_rules` that checks each bound tool call: the validators that read
    /// its group run again with the group read from the call's arguments. Empty without tools.
    pub(crate) fn tool_calls_check(&self) -> TokenStream {
        if self.domain.tools.is_empty() {
            return quote!();
        }
        quote! {
            // What the agent did: each call of a bound tool, its arguments read as the tool's
            // data group, through the validators that read that group.
            let base = issues.len();
            for call in trace.tool_calls() {
                let Some(binding) = TOOLS.iter().find(|b| b.tool == call.call.name) else { continue };
                let data = match ::aegis_core::__private::data_with_tool_call::<DomainData>(trace, binding, &call) {
                    Ok(data) => data,
                    Err(reason) => {
                        tool_errors.push(::aegis_core::EscalationRequest { rule: "tool_arguments", to: ::aegis_core::Tier::Human, reason });
                        continue;
                    }
                };
                let call_ctx = Context { data, ..ctx.clone() };
                for &index in binding.validators {
                    let (_, check) = VALIDATORS[index];
                    let mut raised = ::std::vec::Vec::new();
                    let outcome = check(&call_ctx, &mut raised);
                    let mut added = 0;
                    for issue in raised {
                        // An issue the trace's own data raised already is not the call's.
                        if issues[..base].contains(&issue) {
                            continue;
                        }
                        let before = issues.len();
                        ::aegis_core::__private::push_issue(&mut issues, ::aegis_core::__private::locate_tool_issue(issue, binding, &call));
                        added += issues.len() - before;
                    }
                    // `modules` holds one result per validator, in `VALIDATORS` order.
                    if let Some(module) = modules.get_mut(index) {
                        module.outcome = module.outcome.max(outcome);
                        module.issues += added;
                    }
                }
            }
        }
    }
}
