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
    #[serde(
        default,
        skip_serializing_if = "Metadata::is_empty",
        deserialize_with = "object_only"
    )]
    pub metadata: Metadata,
    /// Structured facts the application attaches for its domain (e.g. a patient's age and
    /// weight); the domain spec's `data` section types them.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_unique_keys"
    )]
    pub domain_data: Option<Value>,
    /// What an agent did on the way to its answer, in the order it happened: model calls, tool
    /// calls with their arguments and results, retrievals. Empty for a single answer; filled
    /// when a trace is assembled from an agent's OpenTelemetry spans.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<AgentStep>,
    /// The reinforcement-learning episode this trace records, if any.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_object_only"
    )]
    pub episode: Option<Episode>,
    /// The keyed pseudonyms Tier 0 put in this trace's text (`Yavier Petrell` for a name).
    /// The tiers after Tier 0 read each as its class (`[NAME]`,
    /// [`Sanitized::evaluation_view`](crate::Sanitized::evaluation_view)), so that no verdict
    /// depends on the key. Written by Tier 0 only: Tier 0 drops whatever a trace brings here.
    #[serde(default, rename = "_pseudonyms", skip_serializing_if = "Vec::is_empty")]
    pub pseudonyms: Vec<crate::phi::Pseudonym>,
    /// Fields Aegis does not know, kept verbatim.
    #[serde(flatten, default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Value>,
}

impl Trace {
    /// Checks what the schema's types cannot: that there is something to evaluate, and that
    /// an RL episode's costs are not negative (a negative cost would pay back a budget
    /// overrun). The error says what is wrong, never a value from the trace.
    pub fn check(&self) -> Result<(), String> {
        if self.output.is_empty() && self.input.is_empty() && self.episode.is_none() {
            let hint = if self.extra.is_empty() {
                ""
            } else {
                " (it has fields Aegis does not know: is `output` misspelt?)"
            };
            return Err(format!(
                "has nothing to evaluate: no `output`, `input` or `episode`{hint}"
            ));
        }
        if let Some(episode) = &self.episode {
            for (i, step) in episode.steps.iter().enumerate() {
                match step.cost {
                    Some(c) if c < 0.0 => {
                        return Err(format!(
                            "episode.steps[{i}].cost is negative: a constraint cost is 0 or more"
                        ));
                    }
                    Some(c) if !c.is_finite() => {
                        return Err(format!("episode.steps[{i}].cost is not a finite number"));
                    }
                    _ => {}
                }
                if !step.reward.is_finite() {
                    return Err(format!("episode.steps[{i}].reward is not a finite number"));
                }
            }
        }
        Ok(())
    }

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

/// A struct field that must be a JSON object: serde would also take an array of the fields'
/// values in order (`"metadata": ["healthcare"]`), which no application means.
fn object_only<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct ObjectOnly<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for ObjectOnly<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
    }
    deserializer.deserialize_map(ObjectOnly(std::marker::PhantomData))
}

/// [`object_only`] for an optional field (`null` is absent).
fn optional_object_only<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Wrapped<T>(T);
    impl<'de, T: Deserialize<'de>> Deserialize<'de> for Wrapped<T> {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            object_only(d).map(Wrapped)
        }
    }
    Ok(Option::<Wrapped<T>>::deserialize(deserializer)?.map(|w| w.0))
}

/// A JSON value in which no object repeats a key: a repeated key (`"age_years": 4,
/// "age_years": 34`) would otherwise keep the last silently. The error names the key, which is
/// a field name, not a value.
fn optional_unique_keys<'de, D>(deserializer: D) -> Result<Option<Value>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Ok(Option::<UniqueKeys>::deserialize(deserializer)?.map(|u| u.0))
}

/// A [`Value`] read with every object's keys checked to be unique.
struct UniqueKeys(Value);

impl<'de> Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueKeysVisitor)
    }
}

struct UniqueKeysVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueKeysVisitor {
    type Value = UniqueKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(Value::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(
            serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number),
        ))
    }

    fn visit_str<E>(self, v: &str) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(Value::String(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(Value::String(v)))
    }

    fn visit_unit<E>(self) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(Value::Null))
    }

    fn visit_none<E>(self) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(Value::Null))
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<UniqueKeys, D::Error> {
        UniqueKeys::deserialize(d)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<UniqueKeys, A::Error> {
        let mut items = Vec::new();
        while let Some(UniqueKeys(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(UniqueKeys(Value::Array(items)))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<UniqueKeys, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let UniqueKeys(value) = map.next_value()?;
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format_args!(
                    "the key {} appears twice in one object",
                    field_name(&key)
                )));
            }
            out.insert(key, value);
        }
        Ok(UniqueKeys(Value::Object(out)))
    }
}

/// A JSON key as an error may show it: backticked when it looks like a field name (letters,
/// digits, `_`, `-`, `.`, at most 64), else only its length (a key could be anything).
pub(crate) fn field_name(key: &str) -> String {
    let plain = !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if plain {
        format!("`{key}`")
    } else {
        format!("of {} characters", key.chars().count())
    }
}

/// One thing an agent did: a model call, a tool call, a retrieval, or a span that groups
/// others (an agent or a chain). Unknown attributes of the span it came from are kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentStep {
    /// What kind of step.
    pub kind: StepKind,
    /// The step's name (the span's, e.g. `chat gpt-4o` or a tool's name).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The model called, for a model call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// What went in (a model's last user message, a retrieval's query, a chain's input).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub input: String,
    /// What came out (a model's answer, a chain's output).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub output: String,
    /// The tool called: by a tool step, or requested by a model call.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// Documents a retrieval returned, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
    /// The span's id and its parent's (hex), as the application's tracer gave them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span_id: Option<String>,
    /// The parent span's id (hex); none for the root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// Start and end, ns since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at_ns: Option<u64>,
    /// End, ns since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at_ns: Option<u64>,
    /// The span's other attributes, by name, kept as they came.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, Value>,
}

/// `id` if it is an OpenTelemetry trace id — 16 bytes an SDK drew at random, written as 32 hex
/// digits, not all zero — lowercased; else `None`.
pub fn otel_trace_id(id: &str) -> Option<String> {
    let valid = id.len() == 32
        && id.bytes().all(|b| b.is_ascii_hexdigit())
        && id.bytes().any(|b| b != b'0');
    valid.then(|| id.to_ascii_lowercase())
}

/// The kinds of [`AgentStep`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// A call to a language model.
    Llm,
    /// A tool's execution.
    Tool,
    /// A retrieval of documents.
    Retrieval,
    /// An embedding call.
    Embedding,
    /// An agent's run (groups the steps it took).
    Agent,
    /// A chain or workflow step that groups others.
    Chain,
    /// Anything else.
    #[default]
    Other,
}

/// A tool call: requested by a model, or executed by a tool step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The tool's name (e.g. `place_order`).
    pub name: String,
    /// Its arguments: the JSON the model wrote, parsed when it parses, else the text.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub arguments: Value,
    /// What it returned, parsed when it is JSON, else the text; absent for a request.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub result: Value,
    /// The call's id, when the model gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}
