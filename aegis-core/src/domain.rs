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
    /// When Tier 1 decides and when it escalates.
    pub policy: EscalationPolicy,
    /// Tier-1 validators.
    pub validators: &'static [ValidatorInfo],
    /// Tables compiled into the binary.
    pub tables: &'static [TableInfo],
    /// Extractors over trace text.
    pub extractors: &'static [ExtractorInfo],
    /// Tier-2 models.
    pub models: &'static [ModelInfo],
    /// Tier-3 judge prompts.
    pub prompts: &'static [PromptInfo],
    /// RL simulators.
    pub simulators: &'static [SimulatorInfo],
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
}

/// A Tier-3 judge prompt.
#[derive(Debug, Serialize)]
pub struct PromptInfo {
    /// Its id.
    pub id: &'static str,
    /// Its template file, relative to the spec.
    pub template: &'static str,
}

/// An RL simulator.
#[derive(Debug, Serialize)]
pub struct SimulatorInfo {
    /// Its id.
    pub id: &'static str,
}
