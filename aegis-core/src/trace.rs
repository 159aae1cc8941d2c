//! The trace schema: what an application logged about one AI interaction or RL episode.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One logged interaction of an AI system: an LLM answer, an agent's step, or an RL episode.
///
/// Every field but `output` is optional in JSON; unknown top-level fields are kept in
/// [`Trace::extra`] so that a trace survives a round trip through Aegis unchanged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// The application's identifier for this trace, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The model that produced the output (e.g. `gpt-4o-2024-08-06`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The prompt or user message the model answered.
    #[serde(default)]
    pub input: String,
    /// The model's answer: the text most rules judge.
    #[serde(default)]
    pub output: String,
    /// Documents retrieved for the answer (retrieval-augmented generation), in the order the
    /// application gave them to the model; what a faithfulness judge checks the output against.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<String>,
    /// Where, when and at what price the trace was produced.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
    /// Structured facts the application attaches for its domain (e.g. a patient's age and
    /// weight); the domain spec's `data` section types them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_data: Option<Value>,
    /// The reinforcement-learning episode this trace records, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub episode: Option<Episode>,
    /// Fields Aegis does not know, kept verbatim.
    #[serde(flatten, default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Value>,
}

impl Trace {
    /// The text of one of the trace's text fields.
    pub fn text(&self, field: TextField) -> &str {
        match field {
            TextField::Input => &self.input,
            TextField::Output => &self.output,
        }
    }
}

/// A text field of a [`Trace`] that extractors read and evidence spans point into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextField {
    /// [`Trace::input`].
    Input,
    /// [`Trace::output`].
    Output,
}

impl TextField {
    /// The field's name as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            TextField::Input => "input",
            TextField::Output => "output",
        }
    }
}

/// Where, when and at what price a trace was produced.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// The domain the trace belongs to (e.g. `healthcare`); `aegis-eval run` uses it when no
    /// `--domain` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The organisation that owns the trace (pseudonym keys and spend caps are per organisation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// The application that logged the trace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    /// Free-form labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// When the interaction started, as RFC 3339 text (kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// When the interaction ended, as RFC 3339 text (kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<String>,
    /// Token counts the provider reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<TokenCounts>,
    /// End-to-end latency of the interaction in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
}

impl Metadata {
    /// Whether no metadata field is set.
    pub fn is_empty(&self) -> bool {
        self == &Metadata::default()
    }
}

/// Token counts of one model call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenCounts {
    /// Tokens in the prompt.
    #[serde(default)]
    pub prompt: u64,
    /// Tokens in the completion.
    #[serde(default)]
    pub completion: u64,
}

/// A reinforcement-learning episode: the policy that acted and every step it took.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Episode {
    /// The policy that produced the actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyInfo>,
    /// The environment's name (e.g. `CartPole-v1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The seed the environment was reset with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The steps, in order.
    #[serde(default)]
    pub steps: Vec<Step>,
}

/// The policy behind an episode.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyInfo {
    /// The policy's name.
    pub name: String,
    /// Its version (a checkpoint, a git hash, a semantic version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Hyper-parameters or other settings, verbatim.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, Value>,
}

/// One step of an episode: the state seen, the action taken and what came of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The observation the policy acted on.
    #[serde(default)]
    pub state: Vec<f64>,
    /// The action taken.
    pub action: Action,
    /// The reward received.
    #[serde(default)]
    pub reward: f64,
    /// The safety cost incurred (safety-gymnasium's `cost`), when the environment has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// The episode ended in a terminal state after this step.
    #[serde(default)]
    pub terminated: bool,
    /// The episode was cut off (time limit) after this step.
    #[serde(default)]
    pub truncated: bool,
    /// The policy's action probabilities at this step, when it logged them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_probs: Option<Vec<f64>>,
}

/// An action: an index into a discrete action space, or a point of a continuous (boxed) one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Action {
    /// A discrete action index.
    Discrete(i64),
    /// A continuous action vector.
    Continuous(Vec<f64>),
}

impl Default for Action {
    fn default() -> Self {
        Action::Discrete(0)
    }
}
