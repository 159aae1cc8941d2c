//! Loads a spec and everything it names, and checks it into a [`DomainModel`], collecting every
//! error with its `file:line:col` before reporting.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use aegis_core::TextField;
use regex_syntax::hir::{Hir, HirKind};
use sha2::{Digest, Sha256};

use crate::error::{ErrorSink, Position, SpecError, SpecErrors};
use crate::expr::parse::{self, ParseError};
use crate::expr::{Checker, Compiled, Scope, Ty};
use crate::model::*;
use crate::source::SourceText;
use crate::spec::*;

/// Names expressions use for the trace itself.
const RESERVED: [&str; 6] = ["input", "output", "model", "issues", "trace", "data"];

/// Reads a spec file and checks it.
pub(crate) fn load(spec_path: &Path, display: &Path) -> Result<DomainModel, SpecErrors> {
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

struct Builder<'a> {
    display: PathBuf,
    display_dir: PathBuf,
    base_dir: PathBuf,
    source: SourceText<'a>,
    errors: ErrorSink,
    hasher: Sha256,
    inputs: Vec<PathBuf>,
    /// Names whose definitions had errors (see `Schema::poisoned`).
    poisoned: BTreeSet<String>,
}

impl Builder<'_> {
    fn error(&mut self, position: Position, message: impl Into<String>) {
        let e = SpecError::new(&self.display, position, message);
        self.errors.push(e);
    }

    /// An error at `span` of the string value `node`, showing the offending text.
    fn error_in(
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

    fn check_name(&mut self, name: &Located<String>, what: &str) -> bool {
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
    fn check_generated_names(
        &mut self,
        spec: &DomainSpec,
        schema: &Schema,
        validators: &[ValidatorModel],
        rules: &[EscalationRuleModel],
    ) {
        use crate::expr::check::variant_name as camel;
        let mut taken: BTreeMap<String, String> = BTreeMap::new();
        for fixed in [
            "DomainData",
            "Context",
            "Validator",
            "VALIDATORS",
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
    fn new_id(
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

    /// Checks a Tier-2 model: labels, expressions over its scores, compiled-in weights (their
    /// card must agree with the spec), synthetic-data templates.
    fn model(&mut self, m: &ModelSpec, schema: &Schema) -> Option<ModelModel> {
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
            if crate::generate::mentions_ident(&c.tokens, "ctx") {
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
        ok.then(|| ModelModel {
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
    fn model_weights(
        &mut self,
        m: &ModelSpec,
        dir: &Located<String>,
        labels: &[String],
    ) -> Option<(PathBuf, PathBuf)> {
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
        self.inputs.push(weights.clone());
        self.inputs.push(card_path.clone());
        Some((weights, card_path))
    }

    /// Checks synthetic-data templates: targets, placeholders, and the table columns they read.
    fn synthetic(
        &mut self,
        m: &ModelSpec,
        syn: &SyntheticSpec,
        labels: &[String],
        schema: &Schema,
    ) -> Option<SyntheticModel> {
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
            RuleLabelsModel {
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
        ok.then_some(SyntheticModel {
            count: syn.count,
            templates,
            rule_labels,
            tables,
        })
    }

    /// Checks one synthetic target: a label of a classifier, or a score in [0, 1] of a regressor.
    fn synthetic_target(
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
    fn synthetic_template(
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

    /// Checks the `phi` section: class labels, mode, and the subject field.
    fn phi(&mut self, spec: &PhiSpec, schema: &Schema) -> Option<PhiModel> {
        let classes = match &spec.detect.value {
            PhiDetect::Keyword(PhiDetectKeyword::None) => return None,
            PhiDetect::Keyword(PhiDetectKeyword::All) => aegis_core::PhiClass::ALL.to_vec(),
            PhiDetect::Classes(labels) => {
                let mut classes = Vec::new();
                for label in labels {
                    match label.parse::<aegis_core::PhiClass>() {
                        Ok(c) if !classes.contains(&c) => classes.push(c),
                        Ok(_) => {}
                        Err(e) => self.error(spec.detect.position, format!("`{label}` is {e}")),
                    }
                }
                classes.sort();
                classes
            }
        };
        let mode = match (&spec.mode, spec.pseudonymize) {
            (Some(m), _) => match m.value.parse::<aegis_core::PhiMode>() {
                Ok(mode) => mode,
                Err(e) => {
                    self.error(m.position, e);
                    aegis_core::PhiMode::Redact
                }
            },
            (None, true) => aegis_core::PhiMode::Pseudonymize,
            (None, false) => aegis_core::PhiMode::Redact,
        };
        if let (Some(m), true) = (&spec.mode, spec.pseudonymize)
            && m.value.parse::<aegis_core::PhiMode>() != Ok(aegis_core::PhiMode::Pseudonymize)
        {
            self.error(
                m.position,
                "`pseudonymize: true` contradicts this `mode`; keep only `mode`",
            );
        }
        let subject = spec.subject.as_ref().and_then(|s| {
            let path: Vec<String> = s.value.split('.').map(str::to_owned).collect();
            match schema.data_at(&path) {
                Some(DataTree::Field(_)) => Some(s.value.clone()),
                Some(DataTree::Group(_)) => {
                    self.error(s.position, format!("`subject: {}` names a group of the `data` section; name a field (such as `patient.id`)", s.value));
                    None
                }
                None => {
                    self.error(s.position, format!("`subject: {}` is not a field of the `data` section", s.value));
                    None
                }
            }
        });
        Some(PhiModel {
            classes,
            mode,
            subject,
        })
    }

    fn build(&mut self, spec: &DomainSpec) -> DomainModel {
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

        let (fail_at, uncertain_at, rules) = match &spec.escalation {
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
                    let mut checker = Checker::new(&schema);
                    let when = self.condition(&mut checker, &r.when, &scope, "`when`");
                    let reason = self.message(&mut checker, &r.reason, &scope);
                    if let (Some(when), Some(reason)) = (when, reason) {
                        rules.push(EscalationRuleModel {
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
        };

        self.check_generated_names(spec, &schema, &validators, &rules);
        let mut model_ids: BTreeMap<String, Position> = BTreeMap::new();
        let mut models = Vec::new();
        for m in &spec.tier2 {
            if self.new_id(&mut model_ids, &m.id, "tier2 model")
                && let Some(model) = self.model(m, &schema)
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
        let spec_hash = hash.iter().map(|b| format!("{b:02x}")).collect::<String>();
        DomainModel {
            name: spec.domain.value.clone(),
            version: spec.version.value.clone(),
            description: spec.description.trim().to_owned(),
            compliance: spec.compliance.clone(),
            phi: spec.phi.as_ref().and_then(|p| self.phi(p, &schema)),
            spec_display: self.display.to_string_lossy().replace('\\', "/"),
            spec_hash,
            schema,
            data_position: spec.data.entries.first().map(|(k, _)| k.position),
            validators,
            fail_at,
            uncertain_at,
            escalation_rules: rules,
            models,
            judges,
            rl: spec.rl.as_ref().and_then(|r| self.rl(r, spec)),
            simulators: self.simulators(spec),
            inputs: std::mem::take(&mut self.inputs),
        }
    }

    /// Checks the simulators: unique, well-named ids, then each one's shape and code.
    fn simulators(&mut self, spec: &DomainSpec) -> Vec<crate::simulator::SimulatorModel> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for s in &spec.simulators {
            if !self.check_name(&s.id, "simulator") {
                continue;
            }
            if matches!(
                crate::expr::check::variant_name(&s.id.value).as_str(),
                "Params" | "State"
            ) {
                self.error(
                    s.id.position,
                    format!(
                        "`{}` cannot name a simulator: its module already has the generated `Params` and `State`",
                        s.id.value
                    ),
                );
                continue;
            }
            if !seen.insert(s.id.value.clone()) {
                self.error(
                    s.id.position,
                    format!("a simulator `{}` is already declared", s.id.value),
                );
                continue;
            }
            let (model, problems) = crate::simulator::check(s);
            for p in problems {
                match p.node {
                    Some(node) => self.error_in(node, p.span, p.message),
                    None => self.error(p.position, p.message),
                }
            }
            out.extend(model);
        }
        out
    }

    /// Checks the `rl` section: ranges ordered, numbers finite and in range.
    fn rl(&mut self, r: &RlSpec, spec: &DomainSpec) -> Option<RlModel> {
        let mut ok = true;
        let mut range = |b: &mut Self, v: &Located<Vec<f64>>, what: &str| -> Option<(f64, f64)> {
            match v.value.as_slice() {
                [lo, hi] if lo.is_finite() && hi.is_finite() && lo < hi => Some((*lo, *hi)),
                _ => {
                    b.error(
                        v.position,
                        format!(
                            "`{what}` must be `[low, high]`: two finite numbers, low below high"
                        ),
                    );
                    ok = false;
                    None
                }
            }
        };
        let reward_range = r
            .reward_range
            .as_ref()
            .and_then(|v| range(self, v, "reward_range"));
        let state_bounds: Vec<(f64, f64)> = r
            .state_bounds
            .iter()
            .filter_map(|v| range(self, v, "state_bounds"))
            .collect();
        let mut positive =
            |b: &mut Self, v: Option<&Located<f64>>, what: &str, default: f64, max: f64| -> f64 {
                match v {
                    None => default,
                    Some(x) if x.value.is_finite() && x.value >= 0.0 && x.value <= max => x.value,
                    Some(x) => {
                        b.error(
                            x.position,
                            format!("`{what}` must be a number from 0 to {max}"),
                        );
                        ok = false;
                        default
                    }
                }
            };
        let outlier_z = positive(self, r.outlier_z.as_ref(), "outlier_z", 6.0, 1e6);
        let cost_budget = r
            .cost_budget
            .as_ref()
            .map(|c| positive(self, Some(c), "cost_budget", f64::INFINITY, 1e12));
        let min_coverage = positive(self, r.min_coverage.as_ref(), "min_coverage", 0.0, 1.0);
        let mut count =
            |b: &mut Self, v: Option<&Located<usize>>, what: &str, default: usize| -> usize {
                match v {
                    None => default,
                    Some(x) if (1..=1000).contains(&x.value) => x.value,
                    Some(x) => {
                        b.error(
                            x.position,
                            format!("`{what}` must be a whole number from 1 to 1000"),
                        );
                        ok = false;
                        default
                    }
                }
            };
        let bins = count(self, r.bins.as_ref(), "bins", 10);
        let min_cycle_repeats = count(self, r.min_cycle_repeats.as_ref(), "min_cycle_repeats", 4);
        if state_bounds.len() > 8 && (bins as f64).powi(state_bounds.len() as i32) > 1e12 {
            self.error(
                spec.domain.position,
                "`rl.state_bounds`: too many bins in all (bins ^ dimensions above 10^12)",
            );
            ok = false;
        }
        ok.then_some(RlModel {
            reward_range,
            outlier_z,
            min_cycle_repeats,
            cost_budget,
            state_bounds,
            bins,
            min_coverage,
        })
    }

    /// Checks a Tier-3 judge: its template file and every placeholder in it (errors at the
    /// template's own `file:line:col`), and its verdict's fields.
    fn judge(&mut self, j: &JudgeSpec, schema: &Schema) -> Option<JudgeModel> {
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
                    let path = self.base_dir.join(&j.template.value);
                    let shown = self.display_dir.join(&j.template.value);
                    let text = match std::fs::read_to_string(&path) {
                        Ok(t) => t,
                        Err(e) => {
                            self.error(
                                j.template.position,
                                format!(
                                    "cannot read the template of judge `{}` from `{}`: {e}",
                                    j.id.value,
                                    shown.display()
                                ),
                            );
                            return None;
                        }
                    };
                    self.hasher.update(j.template.value.as_bytes());
                    self.hasher.update(text.as_bytes());
                    self.inputs.push(path);
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
        Some(JudgeModel {
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
    fn template_parts(
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
    fn verdict_fields(
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

    /// The data node at dotted `path`; a node with an error is reported and poisoned.
    fn data_tree(&mut self, node: &Located<DataNode>, path: &str) -> Option<DataTree> {
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

    fn table(&mut self, name: &Located<String>, spec: &TableSpec) -> Option<TableModel> {
        let path = self.base_dir.join(&spec.source.value);
        let shown = self.display_dir.join(&spec.source.value);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                self.error(
                    spec.source.position,
                    format!(
                        "cannot read table `{}` from `{}`: {e}",
                        name.value,
                        shown.display()
                    ),
                );
                return None;
            }
        };
        self.hasher.update(spec.source.value.as_bytes());
        self.hasher.update(text.as_bytes());
        self.inputs.push(path);

        let mut columns = Vec::new();
        for (col, ty) in spec.columns.iter() {
            if !self.check_name(col, "column") {
                continue;
            }
            let written = ty.value.trim();
            let (base, optional) = match written.strip_suffix('?') {
                Some(b) => (b.trim_end(), true),
                None => (written, false),
            };
            match ScalarType::parse(base) {
                Some(scalar) => columns.push(Column { name: col.value.clone(), ty: ColumnType { scalar, optional } }),
                None => self.error(ty.position, format!("unknown column type `{written}`; expected float, int, string or bool, with `?` for optional")),
            }
        }
        if columns.is_empty() {
            self.error(
                name.position,
                format!("table `{}` declares no columns", name.value),
            );
            return None;
        }

        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.file_error(&shown, 1, 1, format!("not a valid CSV header: {e}"));
                return None;
            }
        };
        let mut index = Vec::new();
        for (col, ty_node) in spec.columns.iter() {
            if let Some(i) = headers.iter().position(|h| h.trim() == col.value) {
                index.push(i);
            } else if columns.iter().any(|c| c.name == col.value) {
                self.error(
                    ty_node.position,
                    format!(
                        "column `{}` is not in `{}`; its header has: {}",
                        col.value,
                        shown.display(),
                        headers.iter().collect::<Vec<_>>().join(", ")
                    ),
                );
                return None;
            }
        }
        if index.len() != columns.len() {
            return None;
        }
        let key = match &spec.key {
            Some(k) => match columns.iter().find(|c| c.name == k.value) {
                Some(c) if c.ty.scalar == ScalarType::Str && !c.ty.optional => {
                    Some(k.value.clone())
                }
                Some(_) => {
                    self.error(
                        k.position,
                        format!(
                            "key column `{}` must be of type `string` (not optional)",
                            k.value
                        ),
                    );
                    None
                }
                None => {
                    self.error(
                        k.position,
                        format!(
                            "key `{}` is not a declared column of table `{}`",
                            k.value, name.value
                        ),
                    );
                    None
                }
            },
            None => None,
        };

        let mut rows = Vec::new();
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    self.file_error(&shown, line, 1, format!("malformed CSV row: {e}"));
                    continue;
                }
            };
            let line = record.position().map_or(0, csv::Position::line);
            let mut row = Vec::new();
            for (col, &i) in columns.iter().zip(&index) {
                let raw = record.get(i).unwrap_or("").trim();
                let column_no = record
                    .position()
                    .and_then(|p| text.get(usize::try_from(p.byte()).ok()?..))
                    .map_or((i + 1) as u32, |rest| csv_column(rest, i));
                let cell = if raw.is_empty() {
                    if col.ty.optional || col.ty.scalar == ScalarType::Str {
                        if col.ty.optional {
                            Cell::Missing
                        } else {
                            Cell::Str(String::new())
                        }
                    } else {
                        self.file_error(&shown, line, column_no, format!("column `{}` is empty, but its type `{}` is not optional (write `{}?`)", col.name, col.ty.scalar.name(), col.ty.scalar.name()));
                        Cell::Missing
                    }
                } else {
                    match col.ty.scalar {
                        ScalarType::Str => Cell::Str(raw.to_owned()),
                        ScalarType::Float => match raw.parse::<f64>() {
                            Ok(v) if v.is_finite() => Cell::Float(v),
                            _ => {
                                self.file_error(
                                    &shown,
                                    line,
                                    column_no,
                                    format!("column `{}`: `{raw}` is not a number", col.name),
                                );
                                Cell::Missing
                            }
                        },
                        ScalarType::Int => match raw.parse::<i64>() {
                            Ok(v) => Cell::Int(v),
                            Err(_) => {
                                self.file_error(
                                    &shown,
                                    line,
                                    column_no,
                                    format!("column `{}`: `{raw}` is not a whole number", col.name),
                                );
                                Cell::Missing
                            }
                        },
                        ScalarType::Bool => match raw.to_ascii_lowercase().as_str() {
                            "true" | "yes" | "1" => Cell::Bool(true),
                            "false" | "no" | "0" => Cell::Bool(false),
                            _ => {
                                self.file_error(
                                    &shown,
                                    line,
                                    column_no,
                                    format!("column `{}`: `{raw}` is not true or false", col.name),
                                );
                                Cell::Missing
                            }
                        },
                    }
                };
                row.push(cell);
            }
            rows.push((line, row));
        }
        // Rows that failed are reported above; the table is still declared, so that the rest of
        // the spec is checked against it instead of failing with "unknown table".
        if let Some(key) = &key {
            let k = columns.iter().position(|c| &c.name == key).unwrap_or(0);
            let key_of = |r: &Vec<Cell>| match &r[k] {
                Cell::Str(s) => s.to_lowercase(),
                _ => String::new(),
            };
            rows.sort_by_key(|(_, r)| key_of(r));
            let mut seen: BTreeMap<String, u64> = BTreeMap::new();
            for (line, r) in &rows {
                let kv = key_of(r);
                if kv.is_empty() {
                    self.file_error(&shown, *line, 1, format!("key column `{key}` is empty"));
                } else if let Some(first) = seen.get(&kv) {
                    self.file_error(&shown, *line, 1, format!("duplicate key `{kv}` in column `{key}` (first at line {first}); keys must be unique regardless of case"));
                } else {
                    seen.insert(kv, *line);
                }
            }
        }
        Some(TableModel {
            name: name.value.clone(),
            source: spec.source.value.clone(),
            key,
            columns,
            rows: rows.into_iter().map(|(_, r)| r).collect(),
            description: spec.description.trim().to_owned(),
            position: name.position,
        })
    }

    fn file_error(&mut self, file: &Path, line: u64, column: u32, message: String) {
        let position = Position {
            line: u32::try_from(line).unwrap_or(u32::MAX).max(1),
            column,
        };
        self.errors.push(SpecError::new(file, position, message));
    }

    fn extractor(
        &mut self,
        name: &Located<String>,
        spec: &ExtractorSpec,
        schema: &Schema,
    ) -> Option<ExtractorModel> {
        let pattern = self.expand_pattern(&spec.pattern, schema)?;
        if let Err(e) = regex::Regex::new(&pattern) {
            let detail = e.to_string();
            let last = detail.lines().last().unwrap_or("").trim().to_owned();
            self.error_in(
                &spec.pattern,
                0..spec.pattern.value.len(),
                format!("invalid regex in extractor `{}`: {last}", name.value),
            );
            return None;
        }
        let whole_match_group;
        let groups = match regex_syntax::ParserBuilder::new().build().parse(&pattern) {
            Ok(hir) => {
                let mut out = Vec::new();
                capture_groups(&hir, false, &mut out);
                whole_match_group = group_spanning_whole_match(&hir);
                out
            }
            Err(e) => {
                self.error_in(
                    &spec.pattern,
                    0..spec.pattern.value.len(),
                    format!("invalid regex in extractor `{}`: {e}", name.value),
                );
                return None;
            }
        };
        let mut declared: BTreeMap<&str, &Located<String>> = BTreeMap::new();
        for (cap, ty) in spec.captures.iter() {
            if !groups.iter().any(|(g, _, _)| g == &cap.value) {
                let names: Vec<&str> = groups.iter().map(|(g, _, _)| g.as_str()).collect();
                self.error(
                    cap.position,
                    format!(
                        "capture `{}` is not a named group of the pattern; its groups are: {}",
                        cap.value,
                        if names.is_empty() {
                            "(none)".to_owned()
                        } else {
                            names.join(", ")
                        }
                    ),
                );
                continue;
            }
            declared.insert(&cap.value, ty);
        }
        let mut captures = Vec::new();
        for (group, optional, index) in &groups {
            // `text`, `start` and `end` are every match's own fields; the others name locals of
            // the generated extractor.
            const TAKEN: [&str; 7] = ["text", "start", "end", "whole", "caps", "found", "m"];
            if !is_identifier(group) || TAKEN.contains(&group.as_str()) {
                self.error(spec.pattern.position, format!("group name `{group}` cannot be a field name: use lowercase letters, digits and `_`, not {}", TAKEN.join(", ")));
                continue;
            }
            let kind = match declared.get(group.as_str()).map(|t| t.value.trim()) {
                None | Some("string") => CaptureKind::Str,
                Some("float" | "int" | "number") => CaptureKind::Num,
                Some(table) => match schema.table(table) {
                    Some(t) if t.key.is_some() => CaptureKind::Row(table.to_owned()),
                    Some(_) => {
                        if let Some(ty) = declared.get(group.as_str()) {
                            self.error(ty.position, format!("table `{table}` has no `key`, so a capture cannot be looked up in it"));
                        }
                        continue;
                    }
                    None => {
                        if let Some(ty) = declared.get(group.as_str()) {
                            self.error(ty.position, format!("unknown capture type `{table}`; expected string, float, int, or the name of a table with a key"));
                        }
                        continue;
                    }
                },
            };
            captures.push(CaptureModel {
                name: group.clone(),
                kind,
                optional: *optional,
                index: *index as usize,
            });
        }
        let lowercase_pattern =
            lowercase_equivalent(&pattern).filter(|p| regex::Regex::new(p).is_ok());
        Some(ExtractorModel {
            name: name.value.clone(),
            from: match spec.from {
                TextFieldName::Input => TextField::Input,
                TextFieldName::Output => TextField::Output,
            },
            pattern,
            lowercase_pattern,
            single_group_is_whole_match: captures.len() == 1
                && whole_match_group.as_deref() == captures.first().map(|c| c.name.as_str()),
            captures,
            description: spec.description.trim().to_owned(),
            position: name.position,
        })
    }

    /// Replaces `{table.column}` with an alternation of the column's values, longest first.
    fn expand_pattern(&mut self, pattern: &Located<String>, schema: &Schema) -> Option<String> {
        let p = &pattern.value;
        let bytes = p.as_bytes();
        let mut out = String::with_capacity(p.len());
        let mut i = 0;
        let mut ok = true;
        // Whether the pattern opens with flags that include `x` (verbose: `#` starts a comment).
        let verbose = p
            .strip_prefix("(?")
            .and_then(|rest| rest.split([')', ':']).next())
            .is_some_and(|flags| flags.split('-').next().is_some_and(|on| on.contains('x')));
        let mut in_class = false;
        while i < bytes.len() {
            match bytes[i] {
                // `\b \d \s \w` (and their negations) are ASCII classes: Unicode ones stop the
                // regex crate's lazy DFA on non-ASCII text and blow up its automata, which costs
                // an order of magnitude in speed.
                b'\\'
                    if matches!(
                        bytes.get(i + 1),
                        Some(b'b' | b'B' | b'd' | b'D' | b's' | b'S' | b'w' | b'W')
                    ) =>
                {
                    out.push_str(match bytes[i + 1] {
                        b'b' => r"(?-u:\b)",
                        b'B' => r"(?-u:\B)",
                        b'd' => "[0-9]",
                        b'D' => "[^0-9]",
                        b's' => r"[\t\n\v\f\r\ ]",
                        b'S' => r"[^\t\n\v\f\r\ ]",
                        b'w' => "[0-9A-Za-z_]",
                        _ => "[^0-9A-Za-z_]",
                    });
                    i += 2;
                }
                // `\p{Greek}`, `\x{e9}`, `\u{e9}`: the braces belong to the escape.
                b'\\'
                    if matches!(bytes.get(i + 1), Some(b'p' | b'P' | b'x' | b'u' | b'U'))
                        && bytes.get(i + 2) == Some(&b'{') =>
                {
                    let end = p[i..].find('}').map_or(p.len(), |c| i + c + 1);
                    out.push_str(&p[i..end]);
                    i = end;
                }
                b'\\' => {
                    let ch_len = p[i + 1..].chars().next().map_or(0, char::len_utf8);
                    out.push_str(&p[i..i + 1 + ch_len]);
                    i += 1 + ch_len;
                }
                // A comment of a verbose pattern runs to the end of the line, braces and all.
                b'#' if verbose && !in_class => {
                    let end = p[i..].find('\n').map_or(p.len(), |c| i + c);
                    out.push_str(&p[i..end]);
                    i = end;
                }
                b'[' => {
                    in_class = true;
                    out.push('[');
                    i += 1;
                }
                b']' => {
                    in_class = false;
                    out.push(']');
                    i += 1;
                }
                b'{' if bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) => {
                    let Some(close) = p[i..].find('}').map(|c| i + c) else {
                        self.error_in(
                            pattern,
                            i..i + 1,
                            "unclosed `{` in pattern; expected `{table.column}`",
                        );
                        return None;
                    };
                    let inner = &p[i + 1..close];
                    let Some((table, column)) = inner.split_once('.') else {
                        self.error_in(
                            pattern,
                            i..close + 1,
                            format!(
                                "`{{{inner}}}` must name a table column, as in `{{drugs.name}}`"
                            ),
                        );
                        ok = false;
                        i = close + 1;
                        continue;
                    };
                    match schema.table(table) {
                        None => {
                            self.error_in(
                                pattern,
                                i..close + 1,
                                format!(
                                    "unknown table `{table}` in pattern; tables are: {}",
                                    schema
                                        .tables
                                        .iter()
                                        .map(|t| t.name.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            );
                            ok = false;
                        }
                        Some(t) => match t.columns.iter().position(|c| c.name == column) {
                            None => {
                                self.error_in(pattern, i..close + 1, format!("unknown column `{column}` in table `{table}`; its columns are: {}", t.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")));
                                ok = false;
                            }
                            Some(ci) if t.columns[ci].ty.scalar != ScalarType::Str => {
                                self.error_in(pattern, i..close + 1, format!("column `{table}.{column}` is not a string column, so it cannot make an alternation"));
                                ok = false;
                            }
                            Some(ci) => {
                                let mut values: Vec<&str> = t
                                    .rows
                                    .iter()
                                    .filter_map(|r| match &r[ci] {
                                        Cell::Str(s) if !s.is_empty() => Some(s.as_str()),
                                        _ => None,
                                    })
                                    .collect();
                                values.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
                                values.dedup_by(|a, b| a.to_lowercase() == b.to_lowercase());
                                let alternation: Vec<String> =
                                    values.iter().map(|v| regex::escape(v)).collect();
                                // `(?-x:…)`: values keep their spaces even in a verbose (`(?x)`)
                                // pattern. ASCII case folding (`-u`) keeps the automaton small,
                                // unless a value needs Unicode's.
                                let all_ascii = values.iter().all(|v| v.is_ascii());
                                out.push_str(if all_ascii { "(?-ux:" } else { "(?-x:" });
                                if alternation.is_empty() {
                                    // No values: the alternation matches nothing (not the empty
                                    // string).
                                    // An empty class intersection: valid with or without `u`.
                                    out.push_str("[a&&b]");
                                } else {
                                    out.push_str(&alternation.join("|"));
                                }
                                out.push(')');
                            }
                        },
                    }
                    i = close + 1;
                }
                _ => {
                    let ch_len = p[i..].chars().next().map_or(1, char::len_utf8);
                    out.push_str(&p[i..i + ch_len]);
                    i += ch_len;
                }
            }
        }
        ok.then_some(out)
    }

    /// Compiles one expression string; reports parse and type errors at their place.
    fn expression(
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

    fn condition(
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
    fn message(
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

    fn validator(&mut self, v: &ValidatorSpec, schema: &Schema) -> Option<ValidatorModel> {
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
        Some(ValidatorModel {
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
        })
    }
}

/// A YAML error message without the location it repeats (the error already names it) and
/// without advice about the parser's options (which a spec author cannot set).
/// A builtin judge's template and verdict fields.
fn builtin_judge(name: &str) -> Option<(&'static str, &'static [(&'static str, &'static str)])> {
    match name {
        "rag_faithfulness" => Some((
            include_str!("builtin/rag_faithfulness.md"),
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

/// For a pattern that is case-insensitive as a whole (`(?i)` or `(?xi)` up front, nothing that
/// turns it off), an equivalent case-sensitive pattern for the text in ASCII lowercase. `None`
/// where that is not certain: non-ASCII patterns, scoped flag groups, or escapes whose meaning
/// depends on letter case (`\B`, `\P{…}`, `\x41`, …).
fn lowercase_equivalent(pattern: &str) -> Option<String> {
    let rest = pattern.strip_prefix("(?")?;
    let close = rest.find(')')?;
    let flags = &rest[..close];
    if !flags.contains('i') || !flags.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let body = &rest[close + 1..];
    if !pattern.is_ascii() {
        return None;
    }
    let bytes = body.as_bytes();
    for (i, w) in bytes.windows(2).enumerate() {
        // A later flag group that mentions `i`, or a case-sensitive escape.
        if w == b"(?"
            && body[i + 2..]
                .split([')', ':'])
                .next()
                .is_some_and(|f| f.contains('i'))
        {
            return None;
        }
        if w[0] == b'\\' && (w[1].is_ascii_uppercase() || matches!(w[1], b'x' | b'u' | b'p')) {
            return None;
        }
    }
    let flags: String = flags.chars().filter(|c| *c != 'i').collect();
    let lowered = body.to_ascii_lowercase();
    Some(if flags.is_empty() {
        lowered
    } else {
        format!("(?{flags}){lowered}")
    })
}

/// The 1-based character column where field `field` starts on the CSV line `line` (quotes
/// respected).
fn csv_column(line: &str, field: usize) -> u32 {
    let mut in_quotes = false;
    let mut seen = 0;
    for (col, c) in line.chars().enumerate() {
        if seen == field {
            return col as u32 + 1;
        }
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => seen += 1,
            '\n' if !in_quotes => break,
            _ => {}
        }
    }
    1
}

/// The named group that always spans the whole match (the pattern is that group between
/// zero-width assertions), if there is one: its text is the match's, with no capture engine.
fn group_spanning_whole_match(hir: &Hir) -> Option<String> {
    let parts: &[Hir] = match hir.kind() {
        HirKind::Concat(parts) => parts,
        _ => std::slice::from_ref(hir),
    };
    let mut group = None;
    for part in parts {
        match part.kind() {
            HirKind::Look(_) => {}
            HirKind::Capture(c) if group.is_none() => group = Some(c.name.as_deref()?.to_owned()),
            _ => return None,
        }
    }
    group
}

/// Named capture groups of a regex, in order: name, whether it may not take part in a match,
/// and its group index.
fn capture_groups(hir: &Hir, optional: bool, out: &mut Vec<(String, bool, u32)>) {
    match hir.kind() {
        HirKind::Capture(c) => {
            if let Some(name) = &c.name {
                out.push((name.to_string(), optional, c.index));
            }
            capture_groups(&c.sub, optional, out);
        }
        HirKind::Concat(parts) => {
            for h in parts {
                capture_groups(h, optional, out);
            }
        }
        HirKind::Alternation(branches) => {
            for h in branches {
                capture_groups(h, true, out);
            }
        }
        HirKind::Repetition(r) => capture_groups(&r.sub, optional || r.min == 0, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::lowercase_equivalent;

    #[test]
    fn case_insensitive_patterns_get_a_lowercase_equivalent_only_when_it_is_exact() {
        assert_eq!(
            lowercase_equivalent("(?i)Abc|DEF").as_deref(),
            Some("abc|def")
        );
        assert_eq!(
            lowercase_equivalent("(?xi)A (?-u:\\b) [A-Z]").as_deref(),
            Some("(?x)a (?-u:\\b) [a-z]")
        );
        for unsure in [
            "abc",          // not case-insensitive
            "(?i)a(?-i:B)", // case matters again inside
            "(?i)a\\Bb",    // \B is not \b
            "(?i)\\x41",    // a letter by its code
            "(?i)\\p{Lu}",  // a Unicode class
            "(?i)café",     // not ASCII
            "(?i:abc)",     // a scoped group, not the whole pattern
        ] {
            assert_eq!(lowercase_equivalent(unsure), None, "{unsure}");
        }
    }
}
