//! Loads a spec and everything it names, and checks it into a [`CheckedDomain`], collecting every
//! error with its `file:line:col` before reporting.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::checked::*;
use crate::error::{ErrorSink, Position, SpecError, SpecErrors};
use crate::expr::parse::{self, ParseError};
use crate::expr::{Checker, Compiled, Scope};
use crate::source::SourceText;
use crate::spec::*;

/// Names expressions use for the trace itself.
pub(crate) const RESERVED: [&str; 6] = ["input", "output", "model", "issues", "trace", "data"];

/// Reads a spec file and checks it. `display` is its path as errors and docs show it;
/// `include_dir` its directory as generated code includes files from it (see [`IncludePath`]).
pub(crate) fn load(
    spec_path: &Path,
    display: &Path,
    include_dir: &Path,
) -> Result<CheckedDomain, SpecErrors> {
    let text = std::fs::read_to_string(spec_path).map_err(|e| SpecErrors {
        errors: vec![SpecError::new(
            display,
            Position { line: 1, column: 1 },
            format!("cannot read the spec: {e}"),
        )],
    })?;
    let spec: DomainSpec = serde_saphyr::from_str(&text).map_err(|e| {
        let position = e
            .location()
            .map(|l| Position {
                line: u32::try_from(l.line()).unwrap_or(u32::MAX).max(1),
                column: u32::try_from(l.column()).unwrap_or(u32::MAX).max(1),
            })
            .unwrap_or(Position { line: 1, column: 1 });
        let message = e.without_snippet().to_string();
        let message = tidy_yaml_message(message.lines().next().unwrap_or("invalid YAML"));
        SpecErrors {
            errors: vec![SpecError::new(display, position, message)],
        }
    })?;
    let base_dir = spec_path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let display_dir = display.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut b = Builder {
        display: display.to_path_buf(),
        display_dir,
        base_dir,
        include_dir: include_dir.to_path_buf(),
        source: SourceText::new(&text),
        errors: ErrorSink::default(),
        hasher: Sha256::new(),
        inputs: vec![spec_path.to_path_buf()],
        poisoned: BTreeSet::new(),
    };
    b.hasher.update(text.as_bytes());
    let model = b.build(&spec);
    let Builder { errors, .. } = b;
    errors.into_result(model)
}

/// Checks a spec section by section (each section's checks live in its module under
/// [`crate::sections`]), collecting every error.
pub(crate) struct Builder<'a> {
    /// The spec's path as shown in errors.
    pub(crate) display: PathBuf,
    /// The spec's directory as shown in errors (files the spec names are shown from it).
    pub(crate) display_dir: PathBuf,
    /// The spec's directory on disk (files the spec names are read from it).
    pub(crate) base_dir: PathBuf,
    /// The spec's directory as generated code includes files from it: relative to the
    /// including crate's `CARGO_MANIFEST_DIR`, or absolute (see [`IncludePath`]).
    pub(crate) include_dir: PathBuf,
    pub(crate) source: SourceText<'a>,
    pub(crate) errors: ErrorSink,
    /// Hashes the spec and every file it names, for the domain's `spec_hash`.
    pub(crate) hasher: Sha256,
    /// Every file read, for rebuild tracking.
    pub(crate) inputs: Vec<PathBuf>,
    /// Names whose definitions had errors (see `Schema::poisoned`).
    pub(crate) poisoned: BTreeSet<String>,
}

impl Builder<'_> {
    pub(crate) fn error(&mut self, position: Position, message: impl Into<String>) {
        let e = SpecError::new(&self.display, position, message);
        self.errors.push(e);
    }

    /// An error at `span` of the string value `node`, showing the offending text.
    pub(crate) fn error_in(
        &mut self,
        node: &Located<String>,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) {
        let message = message.into();
        if message.is_empty() {
            // A follow-on of an error already reported (a poisoned name).
            return;
        }
        let position = self.source.position_in(node, span.start);
        let value = &node.value;
        let start = span.start.min(value.len());
        let end = span.end.clamp(start, value.len());
        // Show the line of the value that holds the span, with carets under it.
        let line_start = value[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = value[start..].find('\n').map_or(value.len(), |i| start + i);
        let line = &value[line_start..line_end];
        let pad = value[line_start..start].chars().count();
        let width = value[start..end.min(line_end)].chars().count().max(1);
        let snippet = format!("{line}\n    | {}{}", " ".repeat(pad), "^".repeat(width));
        self.errors
            .push(SpecError::new(&self.display, position, message).with_snippet(snippet));
    }

    pub(crate) fn check_name(&mut self, name: &Located<String>, what: &str) -> bool {
        if is_identifier(&name.value) {
            true
        } else {
            self.error(
                name.position,
                format!(
                    "`{}` is not a valid {what} name: use lowercase letters, digits and `_`, starting with a letter, and no Rust keyword",
                    name.value
                ),
            );
            false
        }
    }

    /// Reports names of the spec that would generate the same Rust item (e.g. tables `a_b` and
    /// `a` with key `b`, or groups `a.b_c` and `a_b.c`), or one the generator uses itself.
    pub(crate) fn check_generated_names(
        &mut self,
        spec: &DomainSpec,
        schema: &Schema,
        validators: &[Validator],
        rules: &[EscalationRule],
    ) {
        use crate::expr::check::variant_name as camel;
        let mut taken: BTreeMap<String, String> = BTreeMap::new();
        for fixed in [
            "DomainData",
            "Context",
            "Validator",
            "VALIDATORS",
            "TOOLS",
            "INFO",
            "escalations",
            "new",
            "lowered_input",
            "lowered_output",
        ] {
            taken.insert(fixed.to_owned(), "the generator itself".to_owned());
        }
        let mut claim = |b: &mut Self, item: String, by: String, at: Position| {
            match taken.get(&item) {
            Some(first) => b.error(at, format!("{by} would generate the Rust item `{item}`, as {first} does; rename one of them")),
            None => {
                taken.insert(item, by);
            }
        }
        };
        claim(
            self,
            camel(&spec.domain.value),
            format!("domain `{}`", spec.domain.value),
            spec.domain.position,
        );
        fn groups(
            node: &BTreeMap<String, DataTree>,
            path: &mut Vec<String>,
            out: &mut Vec<Vec<String>>,
        ) {
            for (name, child) in node {
                if let DataTree::Group(children) = child {
                    path.push(name.clone());
                    out.push(path.clone());
                    groups(children, path, out);
                    path.pop();
                }
            }
        }
        let mut group_paths = Vec::new();
        groups(&schema.data, &mut Vec::new(), &mut group_paths);
        let data_at = spec
            .data
            .entries
            .first()
            .map_or(spec.domain.position, |(k, _)| k.position);
        for p in group_paths {
            let item = format!("{}Data", p.iter().map(|s| camel(s)).collect::<String>());
            claim(self, item, format!("data group `{}`", p.join(".")), data_at);
        }
        for t in &schema.tables {
            let by = format!("table `{}`", t.name);
            claim(
                self,
                format!("{}Row", camel(&t.name)),
                by.clone(),
                t.position,
            );
            claim(self, t.name.to_uppercase(), by.clone(), t.position);
            if let Some(k) = &t.key {
                claim(
                    self,
                    format!("{}_KEYS", t.name.to_uppercase()),
                    by.clone(),
                    t.position,
                );
                claim(self, format!("{}_by_{k}", t.name), by, t.position);
            }
        }
        for e in &schema.extractors {
            let by = format!("extractor `{}`", e.name);
            claim(
                self,
                format!("{}Match", camel(&e.name)),
                by.clone(),
                e.position,
            );
            claim(
                self,
                format!("{}_PATTERN", e.name.to_uppercase()),
                by.clone(),
                e.position,
            );
            claim(self, format!("extract_{}", e.name), by.clone(), e.position);
            if e.lowercase_pattern.is_some() {
                claim(
                    self,
                    format!("extract_{}_lowered", e.name),
                    by.clone(),
                    e.position,
                );
            }
            claim(self, e.name.clone(), by, e.position);
        }
        for v in validators {
            claim(
                self,
                format!("check_{}", v.id),
                format!("validator `{}`", v.id),
                v.position,
            );
        }
        for r in rules {
            claim(
                self,
                format!("escalate_{}", r.id),
                format!("escalation rule `{}`", r.id),
                r.position,
            );
        }
    }

    /// Records `id` among `seen`; reports it when it is a duplicate or not a valid name.
    pub(crate) fn new_id(
        &mut self,
        seen: &mut BTreeMap<String, Position>,
        id: &Located<String>,
        what: &str,
    ) -> bool {
        if let Some(first) = seen.get(&id.value) {
            self.error(
                id.position,
                format!(
                    "duplicate {what} id `{}`: already used at line {}",
                    id.value, first.line
                ),
            );
            return false;
        }
        seen.insert(id.value.clone(), id.position);
        self.check_name(id, what)
    }

    /// Reads a file the spec names (relative to the spec), adds it to the spec's hash and to
    /// the files generation depends on; returns its text and its path as shown to people. A
    /// file that cannot be read is reported at `file`'s position as `cannot read {what} from
    /// `<path>`: <why>`.
    pub(crate) fn read_spec_file(
        &mut self,
        file: &Located<String>,
        what: &str,
    ) -> Option<(String, PathBuf)> {
        let path = self.base_dir.join(&file.value);
        let shown = self.display_dir.join(&file.value);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                self.error(
                    file.position,
                    format!("cannot read {what} from `{}`: {e}", shown.display()),
                );
                return None;
            }
        };
        self.hasher.update(file.value.as_bytes());
        self.hasher.update(text.as_bytes());
        self.inputs.push(path);
        Some((text, shown))
    }

    pub(crate) fn file_error(&mut self, file: &Path, line: u64, column: u32, message: String) {
        let position = Position {
            line: u32::try_from(line).unwrap_or(u32::MAX).max(1),
            column,
        };
        self.errors.push(SpecError::new(file, position, message));
    }

    /// Compiles one expression string; reports parse and type errors at their place.
    pub(crate) fn expression(
        &mut self,
        checker: &mut Checker<'_>,
        node: &Located<String>,
        scope: &Scope,
    ) -> Option<Compiled> {
        let parsed = match parse::parse(&node.value) {
            Ok(e) => e,
            Err(ParseError { message, span }) => {
                self.error_in(node, span, format!("syntax error: {message}"));
                return None;
            }
        };
        match checker.compile(&parsed, scope) {
            Ok(c) => Some(c),
            Err(e) => {
                self.error_in(node, e.span, e.message);
                None
            }
        }
    }

    pub(crate) fn condition(
        &mut self,
        checker: &mut Checker<'_>,
        node: &Located<String>,
        scope: &Scope,
        what: &str,
    ) -> Option<Compiled> {
        let c = self.expression(checker, node, scope)?;
        if c.ty.is_condition() {
            Some(c)
        } else {
            self.error_in(
                node,
                0..node.value.len(),
                format!(
                    "type mismatch: {what} must be a condition (bool), but this expression is {}",
                    c.ty
                ),
            );
            None
        }
    }

    /// Parses a message template: text with `{expression}` placeholders; `{{` and `}}` are braces.
    pub(crate) fn message(
        &mut self,
        checker: &mut Checker<'_>,
        node: &Located<String>,
        scope: &Scope,
    ) -> Option<Vec<MessagePart>> {
        let s = &node.value;
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut i = 0;
        let mut ok = true;
        while i < s.len() {
            let rest = &s[i..];
            if rest.starts_with("{{") {
                text.push('{');
                i += 2;
            } else if rest.starts_with("}}") {
                text.push('}');
                i += 2;
            } else if rest.starts_with('{') {
                let Some(close) = rest.find('}') else {
                    self.error_in(
                        node,
                        i..s.len(),
                        "unclosed `{` in message; write `{{` for a literal brace",
                    );
                    return None;
                };
                let inner = &rest[1..close];
                let span_start = i + 1;
                match parse::parse(inner) {
                    Err(e) => {
                        self.error_in(
                            node,
                            span_start + e.span.start..span_start + e.span.end,
                            format!("syntax error in placeholder `{{{inner}}}`: {}", e.message),
                        );
                        ok = false;
                    }
                    Ok(expr) => match checker.compile(&expr, scope) {
                        Err(e) => {
                            let msg = if e.message.starts_with("unknown name") {
                                format!(
                                    "unknown placeholder `{{{inner}}}` in message: {}",
                                    e.message
                                )
                            } else {
                                e.message
                            };
                            self.error_in(
                                node,
                                span_start + e.span.start..span_start + e.span.end,
                                msg,
                            );
                            ok = false;
                        }
                        Ok(c) if !c.ty.is_showable() => {
                            self.error_in(node, span_start..span_start + inner.len(), format!("placeholder `{{{inner}}}` is {}, which a message cannot show; pick a field (e.g. `{{m.drug.name}}`)", c.ty));
                            ok = false;
                        }
                        Ok(c) => {
                            if !text.is_empty() {
                                parts.push(MessagePart::Text(std::mem::take(&mut text)));
                            }
                            parts.push(MessagePart::Value(c));
                        }
                    },
                }
                i += close + 1;
            } else if rest.starts_with('}') {
                self.error_in(
                    node,
                    i..i + 1,
                    "unmatched `}` in message; write `}}` for a literal brace",
                );
                ok = false;
                i += 1;
            } else {
                let ch = rest.chars().next().unwrap_or(' ');
                text.push(ch);
                i += ch.len_utf8();
            }
        }
        if !text.is_empty() {
            parts.push(MessagePart::Text(text));
        }
        ok.then_some(parts)
    }

    pub(crate) fn build(&mut self, spec: &DomainSpec) -> CheckedDomain {
        self.check_name(&spec.domain, "domain");
        if spec.version.value.trim().is_empty() {
            self.error(
                spec.version.position,
                "`version` is empty; expected a version such as 1.0.0",
            );
        }

        // Every top-level name expressions can use must be unique.
        let mut top: BTreeMap<String, Position> = BTreeMap::new();
        let mut claim = |b: &mut Self, name: &Located<String>, what: &str| {
            if RESERVED.contains(&name.value.as_str()) {
                b.error(name.position, format!("`{}` is reserved (it names part of the trace in expressions); choose another {what} name", name.value));
                return;
            }
            if let Some(first) = top.get(&name.value) {
                b.error(
                    name.position,
                    format!("duplicate name `{}`: already used at line {}; data groups, tables and extractors share one namespace", name.value, first.line),
                );
            } else {
                top.insert(name.value.clone(), name.position);
            }
        };

        let mut schema = Schema::default();
        for (name, node) in spec.data.iter() {
            claim(self, name, "data");
            if !self.check_name(name, "data field") {
                self.poisoned.insert(name.value.clone());
            } else if let Some(tree) = self.data_tree(node, &name.value) {
                schema.data.insert(name.value.clone(), tree);
            }
        }
        for (name, table) in spec.tables.iter() {
            claim(self, name, "table");
            match self
                .check_name(name, "table")
                .then(|| self.table(name, table))
                .flatten()
            {
                Some(t) => schema.tables.push(t),
                None => {
                    self.poisoned.insert(name.value.clone());
                }
            }
        }
        for (name, extractor) in spec.extractors.iter() {
            claim(self, name, "extractor");
            let extractor = self
                .check_name(name, "extractor")
                .then(|| self.extractor(name, extractor, &schema))
                .flatten();
            match extractor {
                Some(e) => schema.extractors.push(e),
                None => {
                    self.poisoned.insert(name.value.clone());
                }
            }
        }
        schema.poisoned = std::mem::take(&mut self.poisoned);

        let mut ids: BTreeMap<String, Position> = BTreeMap::new();
        let mut validators = Vec::new();
        for v in &spec.tier1 {
            if !self.new_id(&mut ids, &v.id, "validator") {
                continue;
            }
            if let Some(m) = self.validator(v, &schema) {
                validators.push(m);
            }
        }

        let (fail_at, uncertain_at, rules) = self.escalation(spec, &schema);
        let tools = self.tools(spec, &schema, &validators);

        self.check_generated_names(spec, &schema, &validators, &rules);
        let mut model_ids: BTreeMap<String, Position> = BTreeMap::new();
        let mut models = Vec::new();
        for m in &spec.tier2 {
            if self.new_id(&mut model_ids, &m.id, "tier2 model")
                && let Some(model) = self.tier2_model(m, &schema)
            {
                models.push(model);
            }
        }
        let mut judge_ids: BTreeMap<String, Position> = BTreeMap::new();
        let mut judges = Vec::new();
        for j in &spec.tier3 {
            if self.new_id(&mut judge_ids, &j.id, "tier3 judge")
                && let Some(judge) = self.judge(j, &schema)
            {
                judges.push(judge);
            }
        }
        let hash = std::mem::take(&mut self.hasher).finalize();
        let spec_hash = aegis_core::digest::hex(&hash);
        CheckedDomain {
            name: spec.domain.value.clone(),
            version: spec.version.value.clone(),
            description: spec.description.trim().to_owned(),
            compliance: spec.compliance.clone(),
            phi: match &spec.phi {
                Some(p) => self.phi(p, &schema),
                None => {
                    self.error(
                        spec.domain.position,
                        "the spec does not say whether its traces carry PHI: add a `phi` section (`detect: all`, or the classes to detect), or `phi: { detect: none, reason: \"…\" }` saying why there is none",
                    );
                    None
                }
            },
            phi_none_reason: spec.phi.as_ref().and_then(|p| match &p.detect.value {
                PhiDetect::Keyword(PhiDetectKeyword::None) => {
                    p.reason.as_ref().map(|r| r.value.trim().to_owned())
                }
                _ => None,
            }),
            spec_display: self.display.to_string_lossy().replace('\\', "/"),
            spec_hash,
            schema,
            data_position: spec.data.entries.first().map(|(k, _)| k.position),
            validators,
            tools,
            fail_at,
            uncertain_at,
            escalation_rules: rules,
            models,
            judges,
            rl: spec.rl.as_ref().and_then(|r| self.rl(r, spec)),
            simulators: self.simulators(spec),
            alerts: self.alerts(spec),
            inputs: std::mem::take(&mut self.inputs),
        }
    }
}

/// A YAML error message without the location it repeats (the error already names it) and
/// without advice about the parser's options (which a spec author cannot set).
fn tidy_yaml_message(message: &str) -> String {
    let mut m = message.trim().to_owned();
    if let Some(i) = m.find(", set DuplicateKeyPolicy") {
        m.truncate(i);
    }
    if let Some(i) = m.rfind(" at line ") {
        m.truncate(i);
    }
    m
}
