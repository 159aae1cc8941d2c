//! The checked domain model: a spec with every name resolved, every table read, every
//! pattern compiled and every expression type-checked. The emitter works from this alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use aegis_core::{Severity, TextField, Tier};

use crate::error::Position;
use crate::expr::{Compiled, Ty};

/// A scalar type of a data field or a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScalarType {
    Float,
    Int,
    Str,
    Bool,
}

impl ScalarType {
    pub(crate) fn parse(name: &str) -> Option<ScalarType> {
        match name {
            "float" | "number" => Some(ScalarType::Float),
            "int" => Some(ScalarType::Int),
            "string" => Some(ScalarType::Str),
            "bool" => Some(ScalarType::Bool),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            ScalarType::Float => "float",
            ScalarType::Int => "int",
            ScalarType::Str => "string",
            ScalarType::Bool => "bool",
        }
    }

    pub(crate) fn ty(self) -> Ty {
        match self {
            ScalarType::Float | ScalarType::Int => Ty::Num,
            ScalarType::Str => Ty::Str,
            ScalarType::Bool => Ty::Bool,
        }
    }
}

/// A field of the `data` section.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DataField {
    pub(crate) scalar: ScalarType,
    pub(crate) optional: bool,
    pub(crate) list: bool,
    pub(crate) written: String,
    pub(crate) position: Position,
}

impl DataField {
    /// Parses `float`, `string?`, `list<int>`.
    pub(crate) fn parse(written: &str, position: Position) -> Option<DataField> {
        let t = written.trim();
        let (t, optional) = match t.strip_suffix('?') {
            Some(inner) => (inner.trim_end(), true),
            None => (t, false),
        };
        let (scalar, list) = match t.strip_prefix("list<").and_then(|r| r.strip_suffix('>')) {
            Some(inner) => (ScalarType::parse(inner.trim())?, true),
            None => (ScalarType::parse(t)?, false),
        };
        Some(DataField {
            scalar,
            // A missing list is an empty list.
            optional: optional && !list,
            list,
            written: written.to_owned(),
            position,
        })
    }

    pub(crate) fn ty(&self) -> Ty {
        let base = self.scalar.ty();
        if self.list {
            Ty::List(Box::new(base))
        } else if self.optional {
            Ty::Opt(Box::new(base))
        } else {
            base
        }
    }
}

/// The `data` section as a tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DataTree {
    Field(DataField),
    Group(BTreeMap<String, DataTree>),
}

/// A table column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ColumnType {
    pub(crate) scalar: ScalarType,
    pub(crate) optional: bool,
}

/// A declared table column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    pub(crate) name: String,
    pub(crate) ty: ColumnType,
}

/// A cell of a compiled table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Str(String),
    Float(f64),
    Int(i64),
    Bool(bool),
    Missing,
}

/// A table, read and checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    pub(crate) name: String,
    pub(crate) source: String,
    pub(crate) key: Option<String>,
    pub(crate) columns: Vec<Column>,
    /// Rows sorted by key (ASCII case-insensitively) when the table has one, else in file order.
    pub(crate) rows: Vec<Vec<Cell>>,
    /// Other names for rows (lowercased alias, row index), sorted by alias.
    pub(crate) aliases: Vec<(String, usize)>,
    /// The aliases as written, for pattern alternations.
    pub(crate) alias_names: Vec<String>,
    pub(crate) description: String,
    pub(crate) position: Position,
}

/// What a named capture holds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CaptureKind {
    Str,
    Num,
    /// The row of this table whose key is the captured text.
    Row(String),
}

/// A named capture group of an extractor.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Capture {
    pub(crate) name: String,
    pub(crate) kind: CaptureKind,
    /// The group need not take part in a match.
    pub(crate) optional: bool,
    /// The group's index in the regex (0 is the whole match).
    pub(crate) index: usize,
}

impl Capture {
    pub(crate) fn ty(&self) -> Ty {
        let base = match &self.kind {
            CaptureKind::Str => Ty::Str,
            CaptureKind::Num => Ty::Num,
            CaptureKind::Row(t) => Ty::Row(t.clone()),
        };
        if self.optional {
            Ty::Opt(Box::new(base))
        } else {
            base
        }
    }
}

/// An extractor, its pattern expanded and compiled.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Extractor {
    pub(crate) name: String,
    pub(crate) from: TextField,
    pub(crate) pattern: String,
    pub(crate) captures: Vec<Capture>,
    /// The one capture spans the whole match, so `find_iter` serves (no capture engine).
    pub(crate) single_group_is_whole_match: bool,
    /// For a case-insensitive pattern: an equivalent case-sensitive one to run over the text in
    /// ASCII lowercase (same byte offsets), where the regex engine's literal prefilters work.
    pub(crate) lowercase_pattern: Option<String>,
    pub(crate) description: String,
    pub(crate) position: Position,
}

/// Everything expressions can refer to.
#[derive(Debug, Clone, Default)]
pub(crate) struct Schema {
    pub(crate) data: BTreeMap<String, DataTree>,
    pub(crate) tables: Vec<Table>,
    pub(crate) extractors: Vec<Extractor>,
    /// Names (and dotted data paths) whose definition had an error, already reported.
    pub(crate) poisoned: std::collections::BTreeSet<String>,
}

impl Schema {
    pub(crate) fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    pub(crate) fn extractor(&self, name: &str) -> Option<&Extractor> {
        self.extractors.iter().find(|e| e.name == name)
    }

    pub(crate) fn data_at(&self, path: &[String]) -> Option<&DataTree> {
        let (first, rest) = path.split_first()?;
        let mut node = self.data.get(first)?;
        for p in rest {
            match node {
                DataTree::Group(children) => node = children.get(p)?,
                DataTree::Field(_) => return None,
            }
        }
        Some(node)
    }
}

/// A piece of a message template.
#[derive(Debug, Clone)]
pub(crate) enum MessagePart {
    Text(String),
    Value(Compiled),
}

/// How a validator iterates.
#[derive(Debug, Clone)]
pub(crate) struct ForEach {
    /// One name (each item) or two (each unordered pair of distinct items).
    pub(crate) names: Vec<String>,
    pub(crate) list: Compiled,
    pub(crate) element: Ty,
}

/// Whether a validator's condition must hold or must not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CheckKind {
    Require,
    Forbid,
}

/// A Tier-1 validator, checked.
#[derive(Debug, Clone)]
pub(crate) struct Validator {
    pub(crate) id: String,
    pub(crate) severity: Severity,
    pub(crate) description: String,
    pub(crate) position: Position,
    pub(crate) for_each: Option<ForEach>,
    pub(crate) when: Option<Compiled>,
    pub(crate) lets: Vec<(String, Compiled)>,
    pub(crate) check_kind: CheckKind,
    pub(crate) check: Compiled,
    pub(crate) message: Vec<MessagePart>,
    /// Extractors read as whole lists (their matches are evidence).
    pub(crate) evidence_extractors: Vec<String>,
    /// Data fields read (their paths are evidence).
    pub(crate) evidence_fields: Vec<String>,
    /// The top-level data groups it reads anywhere (`when`, `let`, the check, the message).
    pub(crate) groups_read: BTreeSet<String>,
}

/// An escalation rule, checked.
#[derive(Debug, Clone)]
pub(crate) struct EscalationRule {
    pub(crate) id: String,
    pub(crate) to: Tier,
    pub(crate) when: Compiled,
    pub(crate) reason: Vec<MessagePart>,
    pub(crate) position: Position,
}

/// A Tier-2 model, checked.
#[derive(Debug, Clone)]
pub(crate) struct Tier2Model {
    pub(crate) id: String,
    pub(crate) position: Position,
    pub(crate) kind: crate::spec::ModelKindName,
    pub(crate) description: String,
    /// The score fields: a classifier's labels, or `risk`.
    pub(crate) labels: Vec<String>,
    /// `input` / `output`, in order.
    pub(crate) inputs: Vec<&'static str>,
    pub(crate) backbone: crate::spec::BackboneName,
    /// The spec's `when`: which traces the model scores, over the rules' context (`ctx`), with
    /// its text for [`aegis_core::ModelInfo`] and its place in the spec.
    pub(crate) when: Option<(Compiled, String, Position)>,
    /// The compiled-in `model.safetensors` and `card.json`, if any, as the generated code
    /// includes them (see [`IncludePath`]).
    pub(crate) weights: Option<(IncludePath, IncludePath)>,
    pub(crate) escalate: Compiled,
    pub(crate) fail: Option<Compiled>,
    pub(crate) severity: Severity,
    pub(crate) message: Vec<MessagePart>,
    pub(crate) synthetic: Option<SyntheticData>,
}

/// Synthetic-data templates, checked, with the table columns they read.
#[derive(Debug, Clone)]
pub(crate) struct SyntheticData {
    pub(crate) count: usize,
    pub(crate) templates: Vec<(String, String)>,
    /// The `label_by_rules` section, if any.
    pub(crate) rule_labels: Option<RuleLabels>,
    /// `(table, columns, rows as text)`.
    pub(crate) tables: Vec<(String, Vec<String>, Vec<Vec<String>>)>,
}

/// Synthetic targets the Tier-1 rules give, and the templates they alone label.
#[derive(Debug, Clone)]
pub(crate) struct RuleLabels {
    pub(crate) fail: String,
    pub(crate) pass: String,
    pub(crate) templates: Vec<String>,
}

/// A whole domain, checked and ready to emit.
#[derive(Debug, Clone)]
pub(crate) struct CheckedDomain {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) description: String,
    pub(crate) compliance: Vec<String>,
    /// The `phi` section, checked: `None` when the domain declares no PHI.
    pub(crate) phi: Option<PhiPolicy>,
    /// Why the domain declares no PHI (`phi: { detect: none, reason }`).
    pub(crate) phi_none_reason: Option<String>,
    /// The spec's path as shown to people (`domains/healthcare/domain_spec.yaml`).
    pub(crate) spec_display: String,
    pub(crate) spec_hash: String,
    pub(crate) schema: Schema,
    /// Where the `data` section starts (its first field), if there is one.
    pub(crate) data_position: Option<Position>,
    pub(crate) validators: Vec<Validator>,
    /// The `tools` section, checked.
    pub(crate) tools: Vec<crate::sections::tools::ToolBinding>,
    pub(crate) fail_at: Severity,
    pub(crate) uncertain_at: Option<Severity>,
    pub(crate) escalation_rules: Vec<EscalationRule>,
    pub(crate) models: Vec<Tier2Model>,
    pub(crate) judges: Vec<Judge>,
    /// The `rl` section, checked.
    pub(crate) rl: Option<RlThresholds>,
    /// The simulators, checked and compiled.
    pub(crate) simulators: Vec<crate::sections::simulators::Simulator>,
    /// The `alerts` section, checked.
    pub(crate) alerts: Vec<aegis_core::AlertRule>,
    /// Every file the generation read (the spec, its tables), for rebuild tracking.
    pub(crate) inputs: Vec<PathBuf>,
}

/// Names the generated validator code uses for its own locals.
pub(crate) const GENERATED_LOCALS: [&str; 7] = [
    "outcome",
    "applies",
    "holds",
    "fires",
    "evidence",
    "index",
    "issues_out",
];

/// Whether `name` can name a local value (a `for_each` variable, a `let`, a lambda parameter):
/// an identifier that is not one of the generated code's own locals.
pub(crate) fn is_local_name(name: &str) -> bool {
    is_identifier(name) && !GENERATED_LOCALS.contains(&name)
}

/// Whether `name` can be a name in a spec and an identifier in generated Rust: lowercase
/// ASCII letters, digits and `_`, starting with a letter, and not a Rust keyword.
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let starts_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    starts_ok
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && syn::parse_str::<syn::Ident>(name).is_ok()
        // `gen` is reserved in edition 2024, which syn's parser does not know.
        && !matches!(name, "self" | "super" | "crate" | "gen" | "ctx" | "issues_out")
}

/// A checked `phi` section.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PhiPolicy {
    /// The classes to detect (labels, in `PhiClass` order).
    pub(crate) classes: Vec<aegis_core::PhiClass>,
    pub(crate) mode: aegis_core::PhiMode,
    pub(crate) subject: Option<String>,
    pub(crate) keep: aegis_core::PhiKeep,
}

/// A Tier-3 judge, checked.
#[derive(Debug, Clone)]
pub(crate) struct Judge {
    pub(crate) id: String,
    pub(crate) position: Position,
    pub(crate) description: String,
    /// The template as shown to people (`domains/x/prompts/y.md`, or `builtin:…`).
    pub(crate) template_display: String,
    pub(crate) severity: Severity,
    pub(crate) parts: Vec<TemplatePart>,
    pub(crate) fields: Vec<VerdictField>,
    /// The verdict's JSON Schema, compact.
    pub(crate) schema_json: String,
}

/// A piece of a judge's template.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TemplatePart {
    /// Template text.
    Text(String),
    /// A placeholder.
    Slot(Slot),
}

/// What a placeholder reads.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Slot {
    Output,
    Input,
    Model,
    Context,
    Issues,
    /// `data` (path `""`) or `data.<path>`.
    Data(String),
    /// `extract.<name>`: the extractor and the field it reads.
    Extract(String, TextField),
    Domain,
    Compliance,
}

/// A field of a judge's verdict.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VerdictField {
    pub(crate) name: String,
    pub(crate) ty: VerdictType,
    pub(crate) optional: bool,
}

/// The type of a verdict field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum VerdictType {
    Enum(Vec<String>),
    Float,
    Int,
    Bool,
    String,
    Strings,
}

impl Slot {
    /// Whether the placeholder reads the trace (and is fenced as data).
    pub(crate) fn is_trace_text(&self) -> bool {
        !matches!(
            self,
            Slot::Domain | Slot::Compliance | Slot::Issues | Slot::Model
        )
    }
}

/// The `rl` section, checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RlThresholds {
    pub(crate) reward_range: Option<(f64, f64)>,
    pub(crate) outlier_z: f64,
    pub(crate) min_cycle_repeats: usize,
    pub(crate) cost_budget: Option<f64>,
    pub(crate) state_bounds: Vec<(f64, f64)>,
    pub(crate) bins: usize,
    pub(crate) min_coverage: f64,
}

/// A file the generated code includes (`include_bytes!`), named so that the generated text is
/// the same on every machine: relative to the including crate's `CARGO_MANIFEST_DIR` when the
/// spec was given relative to it (as `build.rs` and `domain!` give it), else as given.
#[derive(Debug, Clone)]
pub(crate) struct IncludePath(pub(crate) PathBuf);

impl IncludePath {
    /// The path as a string literal for `include_bytes!`/`include_str!`:
    /// `concat!(env!("CARGO_MANIFEST_DIR"), "/", "…")` for a relative path.
    pub(crate) fn tokens(&self) -> proc_macro2::TokenStream {
        let text = self.0.to_string_lossy().replace('\\', "/");
        if self.0.is_absolute() {
            quote::quote!(#text)
        } else {
            quote::quote!(::core::concat!(::core::env!("CARGO_MANIFEST_DIR"), "/", #text))
        }
    }
}
