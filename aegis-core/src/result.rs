//! What Aegis concludes about a trace: issues, per-tier reports and the final verdict.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::trace::TextField;

/// How serious an issue is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing, not a problem.
    Info,
    /// A minor problem.
    Low,
    /// A problem a reviewer should see.
    Medium,
    /// A serious problem.
    High,
    /// A problem that could cause harm.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The severity's name as written in specs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses a severity name (`info`, `low`, `medium`, `high`, `critical`).
    pub fn parse(name: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The tiers of the evaluation pipeline, cheapest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Tier 0: PHI/PII detection and pseudonymisation.
    Sanitize,
    /// Tier 1: compiled rules.
    Rules,
    /// Tier 2: small models on CPU.
    Models,
    /// Tier 3: an LLM judge.
    Judge,
    /// Tier 4: human expert review.
    Human,
}

impl Tier {
    /// Every tier, in pipeline order.
    pub const ALL: [Tier; 5] = [
        Tier::Sanitize,
        Tier::Rules,
        Tier::Models,
        Tier::Judge,
        Tier::Human,
    ];

    /// The tier's number, 0 to 4.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The tier's name as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Sanitize => "sanitize",
            Tier::Rules => "rules",
            Tier::Models => "models",
            Tier::Judge => "judge",
            Tier::Human => "human",
        }
    }

    /// The tier with this number, if any.
    pub fn from_number(n: u8) -> Option<Tier> {
        Tier::ALL.get(usize::from(n)).copied()
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tier {} ({})", self.number(), self.as_str())
    }
}

/// Where an issue was found: a byte span of a text field, or a structured field's path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// Bytes `start..end` of a text field.
    Span {
        /// The text field.
        field: TextField,
        /// First byte.
        start: usize,
        /// One past the last byte.
        end: usize,
    },
    /// A field of the trace's structured data, as a dotted path (e.g. `domain_data.patient.age_years`).
    Field {
        /// The path.
        path: String,
    },
}

/// One finding: which validator raised it, how serious it is, what it says and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    /// The id of the validator, model or judge that raised it.
    pub validator: String,
    /// The tier it was raised at.
    pub tier: Tier,
    /// How serious it is.
    pub severity: Severity,
    /// A sentence for a person.
    pub message: String,
    /// Where it was found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

/// An amount of money in US dollars, kept exactly as whole pico-dollars (10⁻¹² $).
///
/// Provider prices are quoted per million tokens to the micro-dollar (`$0.15` per million is
/// 150,000 pico-dollars a token), so the cost of any number of tokens is a whole number of
/// pico-dollars: sums over calls, traces and runs are exact, with no rounding until display.
/// Serialised as a JSON number of dollars (e.g. `0.0123`); parsing rounds to the pico-dollar.
/// Sums saturate at about $18 million.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UsdCost {
    picos: u64,
}

const PICOS_PER_MICRO: u64 = 1_000_000;
const PICOS_PER_DOLLAR: f64 = 1e12;

impl UsdCost {
    /// No cost.
    pub const ZERO: UsdCost = UsdCost { picos: 0 };

    /// A cost of `micros` millionths of a dollar.
    pub fn from_micros(micros: u64) -> UsdCost {
        UsdCost {
            picos: micros.saturating_mul(PICOS_PER_MICRO),
        }
    }

    /// A cost of `picos` pico-dollars (10⁻¹² $).
    pub fn from_picos(picos: u64) -> UsdCost {
        UsdCost { picos }
    }

    /// The cost in millionths of a dollar, rounded half up.
    pub fn micros(self) -> u64 {
        self.picos / PICOS_PER_MICRO
            + u64::from(self.picos % PICOS_PER_MICRO >= PICOS_PER_MICRO / 2)
    }

    /// The cost in pico-dollars.
    pub fn picos(self) -> u64 {
        self.picos
    }

    /// The cost in dollars.
    pub fn dollars(self) -> f64 {
        self.picos as f64 / PICOS_PER_DOLLAR
    }
}

impl std::ops::Add for UsdCost {
    type Output = UsdCost;
    fn add(self, rhs: UsdCost) -> UsdCost {
        UsdCost {
            picos: self.picos.saturating_add(rhs.picos),
        }
    }
}

impl std::ops::AddAssign for UsdCost {
    fn add_assign(&mut self, rhs: UsdCost) {
        *self = *self + rhs;
    }
}

impl std::iter::Sum for UsdCost {
    fn sum<I: Iterator<Item = UsdCost>>(iter: I) -> UsdCost {
        iter.fold(UsdCost::ZERO, |a, b| a + b)
    }
}

/// Dollars to six decimals (the micro-dollar), which is finer than any bill.
impl fmt::Display for UsdCost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let micros = self.micros();
        write!(f, "${}.{:06}", micros / 1_000_000, micros % 1_000_000)
    }
}

impl Serialize for UsdCost {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.dollars())
    }
}

impl<'de> Deserialize<'de> for UsdCost {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let dollars = f64::deserialize(d)?;
        if !dollars.is_finite() || dollars < 0.0 {
            return Err(serde::de::Error::custom(format!(
                "a cost must be a non-negative number of dollars, found {dollars}"
            )));
        }
        Ok(UsdCost {
            picos: (dollars * PICOS_PER_DOLLAR).round() as u64,
        })
    }
}

/// The overall conclusion about a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every tier that ran is satisfied.
    Pass,
    /// A tier found a problem it is sure of.
    Fail,
    /// No tier could decide: a person must look (Tier 4).
    NeedsReview,
    /// The trace could not be evaluated (malformed input, invalid domain data, unknown domain).
    Error,
}

impl Verdict {
    /// The verdict's name as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::NeedsReview => "needs_review",
            Verdict::Error => "error",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one tier did with a trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TierOutcome {
    /// The tier decided the verdict; the pipeline stopped here.
    Decided {
        /// The verdict it reached.
        verdict: Verdict,
    },
    /// The tier ran and passed the trace on to a later tier.
    Escalated {
        /// The tier asked for.
        to: Tier,
        /// Why.
        reason: Cow<'static, str>,
    },
    /// The tier ran and had nothing to say (e.g. Tier 0 with no PHI found).
    Completed,
    /// The trace needed this tier, but it is not available in this build or configuration.
    Unavailable {
        /// Why, for a person.
        reason: Cow<'static, str>,
    },
    /// The tier was not needed for this trace.
    Skipped,
}

impl TierOutcome {
    /// The outcome's name, as JSON writes it in `status` (`decided`, `escalated`, …).
    pub fn status(&self) -> &'static str {
        match self {
            TierOutcome::Decided { .. } => "decided",
            TierOutcome::Escalated { .. } => "escalated",
            TierOutcome::Completed => "completed",
            TierOutcome::Unavailable { .. } => "unavailable",
            TierOutcome::Skipped => "skipped",
        }
    }
}

/// The result of one module (a validator, a model, a judge) within a tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleResult {
    /// The module's id (a validator id, a model id, a judge id); static for generated modules,
    /// so that reporting one costs no allocation.
    pub module: Cow<'static, str>,
    /// What it concluded.
    pub outcome: ModuleOutcome,
    /// How many issues it raised.
    #[serde(default)]
    pub issues: usize,
    /// A model score or judge score, where the module has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// A model's score per label (a classifier's probabilities, a regressor's `risk`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scores: Vec<LabelScore>,
    /// A judge's call to its provider: model, prompt hash, cache key, tokens, cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<Box<JudgeCall>>,
    /// A model's version and weights hash (`v3 sha256:…`), for provenance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<String>,
}

/// What a Tier-3 judge's call was, for the result and the audit trail. Holds hashes and
/// counts, never the prompt or the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgeCall {
    /// The provider (`openai`, `anthropic`, `azure`, `openai-compatible`).
    pub provider: String,
    /// The model (or Azure deployment).
    pub model: String,
    /// How the JSON answer was asked for (`json_schema`, `json_object`, `prompt_only`).
    pub mode: String,
    /// SHA-256 of the prompt (system and user messages).
    pub prompt_hash: String,
    /// The response cache's key.
    pub cache_key: String,
    /// Whether the answer came from the cache (no call, no cost).
    pub cached: bool,
    /// HTTP requests made, retries and the repair attempt included.
    pub requests: u32,
    /// Input tokens billed.
    pub input_tokens: u64,
    /// Output tokens billed.
    pub output_tokens: u64,
    /// What the calls cost.
    pub cost_usd: UsdCost,
    /// The judge's rationale, when it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

/// One label's score from a Tier-2 model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelScore {
    /// The label (or `risk`).
    pub label: Cow<'static, str>,
    /// Its probability or score.
    pub p: f64,
}

/// What one module concluded. Ordered `NotApplicable < Passed < Failed`, so that the outcome of
/// a module that checks many items is the maximum of its items' outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModuleOutcome {
    /// Its precondition did not hold (e.g. a paediatric rule on an adult), or its inputs were absent.
    NotApplicable,
    /// It checked the trace and found nothing.
    Passed,
    /// It could not decide: a judge answered `uncertain` or gave no usable answer; a Tier-2
    /// model's `escalate_when` held, or the model could not score the trace.
    Unsure,
    /// It raised at least one issue.
    Failed,
}

/// One tier's part in an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierReport {
    /// Which tier.
    pub tier: Tier,
    /// What it did.
    #[serde(flatten)]
    pub outcome: TierOutcome,
    /// Wall-clock time spent in the tier, in nanoseconds.
    pub latency_ns: u64,
    /// Money spent in the tier.
    pub cost_usd: UsdCost,
    /// Per-module results.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modules: Vec<ModuleResult>,
}

/// Everything Aegis concluded about one trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationResult {
    /// The trace's id, if it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// The 1-based input line (or array index + 1) the trace came from, when read from a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The domain the trace was evaluated against, if one could be chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The conclusion.
    pub verdict: Verdict,
    /// The tier that decided, if one did (`None` for `needs_review` and `error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<Tier>,
    /// Every issue every tier raised, most severe first.
    #[serde(default)]
    pub issues: Vec<Issue>,
    /// What each tier did, in pipeline order.
    #[serde(default)]
    pub tiers: Vec<TierReport>,
    /// Total money spent.
    pub cost_usd: UsdCost,
    /// Total wall-clock time, in nanoseconds.
    pub latency_ns: u64,
    /// Why the trace could not be evaluated, when `verdict` is `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl EvaluationResult {
    /// A result for a trace that could not be evaluated at all.
    pub fn error(line: Option<u64>, trace_id: Option<String>, message: impl Into<String>) -> Self {
        EvaluationResult {
            trace_id,
            line,
            domain: None,
            verdict: Verdict::Error,
            decided_by: None,
            issues: Vec::new(),
            // Every result reports all five tiers; a line that was not evaluated reached none.
            tiers: Tier::ALL
                .iter()
                .map(|&tier| TierReport {
                    tier,
                    outcome: TierOutcome::Skipped,
                    latency_ns: 0,
                    cost_usd: UsdCost::ZERO,
                    modules: Vec::new(),
                })
                .collect(),
            cost_usd: UsdCost::ZERO,
            latency_ns: 0,
            error: Some(message.into()),
        }
    }

    /// The most severe issue's severity, if there is any issue.
    pub fn max_severity(&self) -> Option<Severity> {
        self.issues.iter().map(|i| i.severity).max()
    }
}
