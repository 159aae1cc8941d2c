//! The interface between a generated domain crate and the runtime.

use serde::Serialize;

use crate::phi::{PhiSettings, Sanitized};
use crate::result::{Issue, ModuleResult, Severity, Tier};
use crate::trace::Trace;

/// A domain: the compiled form of one `domain_spec.yaml`.
///
/// Implemented by generated code (`aegis-codegen`), driven by the runtime's orchestrator.
/// A domain knows nothing of the runtime; the runtime knows no domain by name.
pub trait Domain: Send + Sync {
    /// What the domain contains, for `aegis-eval inspect` and for provenance.
    fn info(&self) -> &'static DomainInfo;

    /// Runs the domain's Tier-1 rules and escalation rules on one trace that has been through
    /// Tier 0.
    fn evaluate_rules(&self, trace: &Sanitized<Trace>) -> RuleOutcome;

    /// Loads the domain's Tier-2 models (the registry's production versions, else the weights
    /// compiled in). `Ok(None)` for a domain that declares no models; `Err` says which model
    /// could not be loaded and why.
    fn load_models(
        &self,
        source: &crate::tiers::ModelSource,
    ) -> Result<Option<Box<dyn crate::tiers::ModelTier>>, String> {
        let _ = source;
        Ok(None)
    }
}

/// The outcome of a domain's Tier-1 rules on one trace.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleOutcome {
    /// Issues the validators raised, in validator order.
    pub issues: Vec<Issue>,
    /// One result per validator.
    pub modules: Vec<ModuleResult>,
    /// Escalation rules of the spec that matched.
    pub escalations: Vec<EscalationRequest>,
    /// Set when the trace's `domain_data` does not fit the spec's `data` section; the rules did
    /// not run.
    pub data_error: Option<String>,
}

/// A matched escalation rule: the trace must go on to a later tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EscalationRequest {
    /// The escalation rule's id.
    pub rule: &'static str,
    /// The tier it asks for.
    pub to: Tier,
    /// Why, for a person.
    pub reason: String,
}

/// When Tier 1 decides by itself and when it escalates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EscalationPolicy {
    /// An issue at or above this severity fails the trace at the tier that raised it.
    pub fail_at: Severity,
    /// An issue at or above this severity (but below `fail_at`) makes Tier 1 unsure: the trace
    /// goes on to the next tier. `None`: issues below `fail_at` never escalate by themselves.
    pub uncertain_at: Option<Severity>,
}

/// Everything a domain declares, as static data.
#[derive(Debug, Serialize)]
pub struct DomainInfo {
    /// The domain's name (`healthcare`).
    pub name: &'static str,
    /// The spec's version.
    pub version: &'static str,
    /// A sentence about the domain.
    pub description: &'static str,
    /// Regulations the domain addresses.
    pub compliance: &'static [&'static str],
    /// The spec file the domain was generated from, relative to the workspace.
    pub spec_path: &'static str,
    /// SHA-256 of the spec and every file it names (tables, prompts), hex.
    pub spec_hash: &'static str,
    /// What the spec's `phi` section asks of Tier 0; `None` when the domain's traces carry no
    /// PHI.
    pub phi: Option<PhiSettings>,
    /// Why the domain's traces carry no PHI (`phi: { detect: none, reason }`): the spec's
    /// declaration that lets its traces be evaluated and stored without Tier 0. A domain with
    /// neither `phi` settings nor a reason is not evaluated.
    pub phi_none_reason: Option<&'static str>,
    /// When Tier 1 decides and when it escalates.
    pub policy: EscalationPolicy,
    /// Tier-1 validators.
    pub validators: &'static [ValidatorInfo],
    /// The tools an agent calls whose arguments the rules check (the spec's `tools`).
    pub tools: &'static [ToolInfo],
    /// Tables compiled into the binary.
    pub tables: &'static [TableInfo],
    /// Extractors over trace text.
    pub extractors: &'static [ExtractorInfo],
    /// Tier-2 models.
    pub models: &'static [ModelInfo],
    /// Tier-3 judges.
    pub judges: &'static [crate::judge::JudgeInfo],
    /// RL simulators.
    pub simulators: &'static [SimulatorInfo],
    /// How RL episodes of this domain are evaluated; `None`: its traces carry no episodes (an
    /// episode is then evaluated with the defaults).
    pub rl: Option<RlSettings>,
    /// The spec's alert rules (its `alerts` section).
    pub alerts: &'static [crate::AlertRule],
}

/// A Tier-1 validator.
#[derive(Debug, Serialize)]
pub struct ValidatorInfo {
    /// Its id.
    pub id: &'static str,
    /// How serious its issues are.
    pub severity: Severity,
    /// What it checks.
    pub description: &'static str,
    /// Where it is in the spec (`file:line:col`).
    pub spec_location: &'static str,
}

/// A table compiled into the binary.
#[derive(Debug, Serialize)]
pub struct TableInfo {
    /// Its name.
    pub name: &'static str,
    /// The CSV it was compiled from, relative to the spec.
    pub source: &'static str,
    /// Its key column, if it has one.
    pub key: Option<&'static str>,
    /// Its columns, as `name: type`.
    pub columns: &'static [&'static str],
    /// How many rows it has.
    pub rows: usize,
}

/// An extractor: a regex that pulls typed facts out of trace text.
#[derive(Debug, Serialize)]
pub struct ExtractorInfo {
    /// Its name.
    pub name: &'static str,
    /// The text field it reads.
    pub from: &'static str,
    /// Its named captures, as `name: type`.
    pub captures: &'static [&'static str],
    /// What it finds.
    pub description: &'static str,
}

/// A Tier-2 model.
#[derive(Debug, Serialize)]
pub struct ModelInfo {
    /// Its id.
    pub id: &'static str,
    /// Its kind (`text_classifier`, `risk_regressor`).
    pub kind: &'static str,
    /// What it does.
    pub description: &'static str,
    /// A classifier's labels, in output order; empty for a risk regressor.
    pub labels: &'static [&'static str],
    /// Its backbone (`hashed_ngrams`, `minilm`).
    pub backbone: &'static str,
    /// The trace text fields it reads (`input`, `output`), joined by a blank line.
    pub inputs: &'static [&'static str],
    /// The spec's `when`, the condition a trace must meet to be scored, if it sets one.
    pub when: Option<&'static str>,
    /// Where it is in the spec (`file:line:col`).
    pub spec_location: &'static str,
    /// Whether trained weights are compiled into the domain crate.
    pub builtin_weights: bool,
    /// Templates for synthetic cold-start data, if the spec gives them.
    pub synthetic: Option<SyntheticInfo>,
}

impl ModelInfo {
    /// The text the model reads from a trace: its input fields joined by a blank line.
    pub fn text_of(&self, trace: &Trace) -> String {
        let parts: Vec<&str> = self
            .inputs
            .iter()
            .map(|f| match *f {
                "input" => trace.input.as_str(),
                _ => trace.output.as_str(),
            })
            .collect();
        parts.join("\n\n")
    }
}

/// The spec's templates for synthetic training data of one model.
#[derive(Debug, Serialize)]
pub struct SyntheticInfo {
    /// How many examples to make by default.
    pub count: usize,
    /// `(target, template)`: the target is a label, or a score written as a number.
    pub templates: &'static [(&'static str, &'static str)],
    /// Labels the domain's Tier-1 rules give to the texts made, if the spec asks for them.
    pub rule_labels: Option<RuleLabels>,
    /// The table columns the templates' `{table.column}` placeholders read, row by row.
    pub tables: &'static [SlotTable],
}

/// The spec's `label_by_rules`: synthetic texts labelled by the domain's own Tier-1 rules.
#[derive(Debug, Serialize)]
pub struct RuleLabels {
    /// The target of any text made that Tier 1 fails.
    pub fail: &'static str,
    /// The target of a text from `templates` that Tier 1 does not fail.
    pub pass: &'static str,
    /// Templates with no written label: Tier 1 labels each text they make.
    pub templates: &'static [&'static str],
}

/// Columns of one table, for synthetic-data placeholders.
#[derive(Debug, Serialize)]
pub struct SlotTable {
    /// The table's name.
    pub name: &'static str,
    /// The columns used, in the order of each row's values.
    pub columns: &'static [&'static str],
    /// The rows' values, as text (a missing value is empty).
    pub rows: &'static [&'static [&'static str]],
}

/// Thresholds of the RL evaluators, from the spec's `rl` section.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RlSettings {
    /// The range a step's reward must stay in.
    pub reward_range: Option<(f64, f64)>,
    /// Robust z-score above which a reward is an outlier.
    pub outlier_z: f64,
    /// Back-to-back repeats of a rewarded cycle that count as reward farming.
    pub min_cycle_repeats: usize,
    /// The episode's cost budget (safety-gymnasium's cost).
    pub cost_budget: f64,
    /// Per state dimension, the bounds binned for exploration; empty: no exploration check.
    pub state_bounds: &'static [(f64, f64)],
    /// Bins per state dimension.
    pub bins: usize,
    /// Coverage of the state bins below which exploration is reported.
    pub min_coverage: f64,
}

impl Default for RlSettings {
    fn default() -> Self {
        RlSettings {
            reward_range: None,
            outlier_z: 6.0,
            min_cycle_repeats: 4,
            cost_budget: f64::INFINITY,
            state_bounds: &[],
            bins: 10,
            min_coverage: 0.0,
        }
    }
}

/// A tool whose calls the domain's rules check: each call's arguments are read as a data
/// group, through the validators that read it.
#[derive(Debug, Serialize)]
pub struct ToolInfo {
    /// The tool's name, as an agent calls it.
    pub name: &'static str,
    /// The data group its arguments fill.
    pub data: &'static str,
    /// Arguments named differently from the group's fields: (argument, field).
    pub renamed: &'static [(&'static str, &'static str)],
    /// The validators that check each call.
    pub validators: &'static [&'static str],
    /// What the tool does.
    pub description: &'static str,
    /// Where the spec declares it.
    pub spec_location: &'static str,
}

/// An RL simulator the domain declares.
#[derive(Debug, Serialize)]
pub struct SimulatorInfo {
    /// Its id.
    pub id: &'static str,
    /// A sentence about it.
    pub description: &'static str,
    /// Its state variables, in order.
    pub state: &'static [&'static str],
    /// The length of an observation.
    pub observation_size: usize,
    /// Its actions: `discrete(n)`, or the names and bounds of a box.
    pub actions: &'static str,
    /// Where the spec declares it.
    pub spec_location: &'static str,
    /// Builds one with the spec's parameters.
    #[serde(skip)]
    pub make: fn() -> Box<dyn crate::env::Environment>,
}
