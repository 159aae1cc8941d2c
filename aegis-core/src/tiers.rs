//! The traits the tiers around Tier 1 implement. The orchestrator in `aegis-runtime` holds one
//! optional implementation of each; an absent tier is reported as unavailable in every result
//! that needed it, never skipped silently.

use crate::domain::DomainInfo;
use crate::phi::{PhiSettings, SanitizeReport, Sanitized};
use crate::result::{Issue, ModuleResult, UsdCost, Verdict};
use crate::trace::Trace;

/// What a tier after Tier 1 concluded about one trace.
#[derive(Debug, Clone, PartialEq)]
pub struct TierDecision {
    /// `Some` when the tier is sure; `None` when it passes the trace on.
    pub verdict: Option<Verdict>,
    /// Issues it raised.
    pub issues: Vec<Issue>,
    /// Per-module results (one per model or judge).
    pub modules: Vec<ModuleResult>,
    /// Money it spent.
    pub cost: UsdCost,
    /// Why it decided or passed on, for a person.
    pub reason: String,
    /// The tier had nothing to say about the trace: none of its modules applies to it (each
    /// Tier-2 model's `when` is false). `verdict` is then `None`. When Tier 1 was sure of the
    /// trace (it reached Tier 2 only because the domain has models), the orchestrator ends it
    /// `pass` with `decided_by: rules` and reports Tier 2 `completed`; when Tier 1 was unsure,
    /// the trace goes on to Tier 3.
    pub abstained: bool,
}

/// Tier 0: detects PHI/PII in a trace and replaces it before any other tier sees it.
///
/// Wrap a trace with [`Sanitized::sanitize`], which calls this; later tiers accept only
/// [`Sanitized`] traces.
pub trait Sanitizer: Send + Sync {
    /// Replaces every identifier of the classes in `settings` in the trace's text and data, as
    /// `settings.mode` says; reports what it replaced.
    fn sanitize(&self, trace: &mut Trace, settings: &PhiSettings) -> SanitizeReport;
}

/// Where Tier-2 models come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelSource {
    /// The model registry directory; its production versions win over compiled-in weights.
    /// `None`: compiled-in weights only.
    pub registry: Option<std::path::PathBuf>,
    /// The MiniLM encoder's directory; `None`: the usual places (`AEGIS_MINILM_DIR`,
    /// `models/all-MiniLM-L6-v2`).
    pub minilm_dir: Option<std::path::PathBuf>,
}

/// Tier 2: small models that score a trace.
pub trait ModelTier: Send + Sync {
    /// Scores a trace for a domain.
    fn evaluate(
        &self,
        domain: &DomainInfo,
        trace: &Sanitized<Trace>,
        issues: &[Issue],
    ) -> TierDecision;
}

/// Tier 3: an LLM judge.
pub trait JudgeTier: Send + Sync {
    /// `Some(reason)` when the judge cannot serve a domain at all (no provider configured for
    /// it): the orchestrator then reports Tier 3 as unavailable for its traces.
    fn unavailable_for(&self, _domain: &DomainInfo) -> Option<String> {
        None
    }

    /// Asks the judge about a trace.
    fn evaluate(
        &self,
        domain: &DomainInfo,
        trace: &Sanitized<Trace>,
        issues: &[Issue],
    ) -> TierDecision;
}

/// Tier 4: a queue of traces for human experts.
pub trait ReviewQueue: Send + Sync {
    /// Queues a trace for review; returns the queue's task id.
    fn enqueue(&self, domain: &DomainInfo, trace: &Sanitized<Trace>, issues: &[Issue]) -> String;

    /// Where the queue is, for a person reading a result ("the store (aegis-eval review)").
    fn location(&self) -> &str {
        "the review queue"
    }
}
