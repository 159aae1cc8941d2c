//! The spec model: what a `domain_spec.yaml` may say, as serde types. `cargo xtask schema`
//! turns these types into the JSON Schema editors use to complete and check specs.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::error::Position;

/// A value with the place in the spec it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Line and column of the YAML node.
    pub position: Position,
    /// Byte offset of the YAML node in the spec file, when known.
    pub offset: Option<usize>,
}

impl<T> Located<T> {
    /// The value.
    pub fn get(&self) -> &T {
        &self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(d)?;
        let loc = spanned.referenced;
        Ok(Located {
            value: spanned.value,
            position: Position {
                line: u32::try_from(loc.line()).unwrap_or(u32::MAX),
                column: u32::try_from(loc.column()).unwrap_or(u32::MAX),
            },
            offset: loc
                .span()
                .byte_offset()
                .and_then(|b| usize::try_from(b).ok()),
        })
    }
}

impl<T: JsonSchema> JsonSchema for Located<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// A YAML mapping whose keys keep their place in the spec and whose entries keep their order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderedMap<V> {
    /// The entries, in spec order.
    pub entries: Vec<(Located<String>, V)>,
}

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap {
            entries: Vec::new(),
        }
    }
}

impl<V> OrderedMap<V> {
    /// The entries, in spec order.
    pub fn iter(&self) -> impl Iterator<Item = &(Located<String>, V)> {
        self.entries.iter()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Located<String>>()? {
                    let value = map.next_value::<V>()?;
                    entries.push((key, value));
                }
                Ok(OrderedMap { entries })
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(OrderedMap::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(OrderedMap::default())
            }
        }
        // `any`, so that an empty section (`data:` with nothing under it, a null) is an empty map.
        d.deserialize_any(MapVisitor(PhantomData))
    }
}

impl<V: JsonSchema> JsonSchema for OrderedMap<V> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("Map_of_{}", V::schema_name()).into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let value = generator.subschema_for::<V>();
        json_schema!({
            "type": "object",
            "propertyNames": { "pattern": "^[a-z][a-z0-9_]*$" },
            "additionalProperties": value,
        })
    }
}

/// Parses a spec's text (no checking beyond its shape).
pub fn parse_spec(text: &str) -> Result<DomainSpec, String> {
    serde_saphyr::from_str(text).map_err(|e| e.to_string())
}

/// A domain spec: `domains/<name>/domain_spec.yaml`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Aegis domain spec")]
pub struct DomainSpec {
    /// The domain's name: a lowercase identifier such as `healthcare`.
    pub domain: Located<String>,
    /// The spec's version (semantic versioning).
    pub version: Located<String>,
    /// A sentence about the domain.
    #[serde(default)]
    pub description: String,
    /// Regulations and standards the domain addresses (e.g. `HIPAA`).
    #[serde(default)]
    pub compliance: Vec<String>,
    /// Whether traces of this domain carry PHI/PII that Tier 0 must sanitise.
    #[serde(default)]
    pub phi: Option<PhiSpec>,
    /// Typed fields an application may attach to a trace as `domain_data`. A value is a type
    /// (`float`, `int`, `string`, `bool`, `list<T>`, with `?` for optional) or a nested group.
    #[serde(default)]
    pub data: OrderedMap<Located<DataNode>>,
    /// Tables compiled into the binary from CSV files.
    #[serde(default)]
    pub tables: OrderedMap<TableSpec>,
    /// Regexes that pull typed facts out of trace text.
    #[serde(default)]
    pub extractors: OrderedMap<ExtractorSpec>,
    /// Tools an agent calls whose arguments the rules read: each call of a tool listed here
    /// (in the trace's `steps`) is checked by the validators that read its data group, with the
    /// group read from the call's arguments instead of `domain_data` (an order placed through a
    /// `place_order` call meets the same limits as an order in `domain_data`).
    #[serde(default)]
    pub tools: OrderedMap<ToolSpec>,
    /// Tier-1 validators: compiled rules.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tier1: Vec<ValidatorSpec>,
    /// When Tier 1 decides by itself and when a trace goes on to a later tier.
    #[serde(default)]
    pub escalation: Option<EscalationSpec>,
    /// Tier-2 models: small text classifiers and risk regressors over trace text.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tier2: Vec<ModelSpec>,
    /// Tier-3 judges: LLM prompts with typed verdicts, asked about traces that reach Tier 3.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tier3: Vec<JudgeSpec>,
    /// How RL episodes in this domain's traces are evaluated.
    #[serde(default)]
    pub rl: Option<RlSpec>,
    /// RL simulators, generated as Rust types implementing `aegis_core::env::Environment`.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub simulators: Vec<SimulatorSpec>,
    /// Alert rules: what the service tells people about, on the channels its configuration
    /// names (Slack, webhooks, PagerDuty, email, SMS).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub alerts: Vec<AlertSpec>,
}

/// An alert rule.
///
/// ```yaml
/// alerts:
///   - id: critical_finding
///     when: { issue: critical }
///     severity: critical
///     group_by: validator
///     cooldown: 15m
///   - id: fail_rate
///     when: { fail_rate: { above: 0.05, over: 10m } }
/// ```
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertSpec {
    /// The rule's name: a lowercase identifier, unique in the spec.
    pub id: Located<String>,
    /// A sentence for whoever receives the alert.
    #[serde(default)]
    pub description: String,
    /// When it fires: one condition.
    pub when: Located<AlertWhenSpec>,
    /// `info`, `warning` (the default), `error` or `critical`.
    #[serde(default)]
    pub severity: Option<Located<AlertSeverity>>,
    /// What one alert stands for: `domain` (the default), or, for a rule read from each
    /// result, `validator` or `application`.
    #[serde(default)]
    pub group_by: Option<Located<AlertGroupName>>,
    /// How long a per-result alert stays firing after it last matched, and how long after an
    /// alert resolved before its group may notify again (default `15m`).
    #[serde(default)]
    pub cooldown: Option<Located<String>>,
    /// The channels it goes to, by the names the server's configuration gives them; none:
    /// every channel that takes its severity.
    #[serde(default)]
    pub notify: Vec<Located<String>>,
}

/// An alert's condition. Durations are a whole number and a unit: `500ms`, `30s`, `10m`, `2h`,
/// `1d`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum AlertWhenSpec {
    /// A result with an issue at or above this severity (`info` … `critical`).
    Issue(Located<SeverityName>),
    /// A result in which this validator, Tier-2 model or Tier-3 judge found something.
    Validator(Located<String>),
    /// A result the Tier-3 judge decided: `fail`.
    Judge(Located<JudgeOutcomeName>),
    /// The share of the domain's results that failed over a window.
    FailRate(AlertRateSpec),
    /// The 95th percentile of the domain's evaluation latency over a window.
    P95Latency(AlertLatencySpec),
    /// The Tier-3 judge's spend since midnight UTC above this many US dollars.
    JudgeSpendPerDay(Located<f64>),
    /// The oldest queued trace older than this duration.
    QueueAge(Located<String>),
    /// No result stored for the domain for this long.
    Silent(Located<String>),
}

/// How urgent an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertSeverity {
    /// For the record.
    Info,
    /// Someone should look today.
    Warning,
    /// Something is wrong.
    Error,
    /// Someone should look now.
    Critical,
}

/// What one alert of a rule stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertGroupName {
    /// One alert for the domain.
    Domain,
    /// One per validator that found something.
    Validator,
    /// One per application named in the traces' metadata.
    Application,
}

/// A Tier-3 outcome an alert can fire on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JudgeOutcomeName {
    /// The judge failed the trace.
    Fail,
}

/// A fail rate over a window.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertRateSpec {
    /// The bound, between 0 and 1 (`0.05` is 5 %).
    pub above: Located<f64>,
    /// The window, a duration.
    pub over: Located<String>,
    /// Fewer results than this in the window never fire (default 20).
    #[serde(default)]
    pub min_results: Option<Located<u64>>,
}

/// A latency percentile over a window.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertLatencySpec {
    /// The bound, a duration.
    pub above: Located<String>,
    /// The window, a duration.
    pub over: Located<String>,
}

/// A simulator: state, parameters, actions, and the code of one step.
///
/// Expressions and statements use the spec's expression language with simulator additions:
/// `let`, assignment, `if`/`else` (as statements and as values), tuples, helper functions
/// (`functions`), the math functions `abs sqrt exp ln log10 pow sin cos tan asin acos atan
/// atan2 sinh cosh tanh hypot floor ceil min max clamp mod rem sign f32`, the constant `pi`, and
/// `uniform(low, high)`, `normal(mean, sd)` from the simulator's seeded generator (in `reset`
/// and `step`). Every value is a float (64-bit) or a boolean; a discrete action is the float
/// `action`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulatorSpec {
    /// The simulator's name: a lowercase identifier such as `cartpole`.
    pub id: Located<String>,
    /// A sentence about it.
    #[serde(default)]
    pub description: String,
    /// The state variables, in order, each `float`.
    pub state: OrderedMap<Located<String>>,
    /// Named constants, with their default values; the generated `Params` can change them
    /// (domain randomisation).
    #[serde(default)]
    pub params: OrderedMap<Located<f64>>,
    /// `discrete(N)` (the action is the float `action`, from 0 to N - 1), or a box: each action
    /// dimension's name and `[low, high]`.
    pub actions: Located<ActionsSpec>,
    /// Each state variable's value at the start of an episode (an expression; `uniform` and
    /// `normal` draw from the seeded generator), in state order.
    pub reset: OrderedMap<Located<String>>,
    /// Helper functions: `fn name(a, b) { let c = …; … result }`, called from the other blocks.
    #[serde(default)]
    pub functions: Option<Located<String>>,
    /// The statements of one step: they read the state, the action and the parameters and
    /// assign the new state.
    pub step: Located<String>,
    /// The reward of a step, after `step` (it sees the new state and the step's `let`s).
    pub reward: Located<String>,
    /// The safety cost of a step (a number, or a condition costing 1), like `reward`.
    #[serde(default)]
    pub cost: Option<Located<String>>,
    /// When the episode ends in a terminal state, like `reward`.
    #[serde(default)]
    pub terminate: Option<Located<String>>,
    /// The episode is truncated after this many steps (Gymnasium's `TimeLimit`).
    #[serde(default)]
    pub max_steps: Option<Located<u64>>,
    /// What the policy observes, as expressions of the state and parameters (default: the
    /// state).
    #[serde(default)]
    pub observe: Option<Vec<Located<String>>>,
}

/// A simulator's actions.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionsSpec {
    /// `discrete(N)`, as written.
    Discrete(String),
    /// A box: each dimension's name and `[low, high]`.
    Box(OrderedMap<Located<Vec<f64>>>),
}

impl<'de> Deserialize<'de> for ActionsSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ActionsVisitor;
        impl<'de> Visitor<'de> for ActionsVisitor {
            type Value = ActionsSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`discrete(N)`, or a mapping of action names to `[low, high]`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ActionsSpec, E> {
                Ok(ActionsSpec::Discrete(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ActionsSpec, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Located<String>>()? {
                    entries.push((key, map.next_value::<Located<Vec<f64>>>()?));
                }
                Ok(ActionsSpec::Box(OrderedMap { entries }))
            }
        }
        d.deserialize_any(ActionsVisitor)
    }
}

impl JsonSchema for ActionsSpec {
    fn schema_name() -> Cow<'static, str> {
        "ActionsSpec".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "`discrete(N)`, or a box: each action's name and `[low, high]`.",
            "anyOf": [
                { "type": "string", "pattern": "^discrete\\([0-9]+\\)$" },
                {
                    "type": "object",
                    "propertyNames": { "pattern": "^[a-z][a-z0-9_]*$" },
                    "additionalProperties": {
                        "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2
                    }
                }
            ]
        })
    }
}

/// Thresholds of the RL evaluators (reward shaping, exploration, safety).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RlSpec {
    /// `[low, high]`: the range a step's reward must stay in.
    #[serde(default)]
    pub reward_range: Option<Located<Vec<f64>>>,
    /// A reward more than this many robust deviations from the median is an outlier (default 6).
    #[serde(default)]
    pub outlier_z: Option<Located<f64>>,
    /// A rewarded cycle repeated this many times in a row is reward farming (default 4).
    #[serde(default)]
    pub min_cycle_repeats: Option<Located<usize>>,
    /// The episode's cost budget: cumulative cost above it fails the episode.
    #[serde(default)]
    pub cost_budget: Option<Located<f64>>,
    /// Per state dimension, `[low, high]`, binned to measure exploration.
    #[serde(default)]
    pub state_bounds: Vec<Located<Vec<f64>>>,
    /// Bins per dimension (default 10).
    #[serde(default)]
    pub bins: Option<Located<usize>>,
    /// Coverage of the state bins (0 to 1) below which exploration is reported.
    #[serde(default)]
    pub min_coverage: Option<Located<f64>>,
}

/// A Tier-3 judge: a prompt template and the verdict the LLM must answer with.
///
/// Template placeholders (checked at generation time): `{output}`, `{input}`, `{model}`,
/// `{context}` (retrieved documents), `{issues}` (what earlier tiers found), `{data}` or
/// `{data.<path>}` (the trace's domain data), `{extract.<extractor>}` (an extractor's matches),
/// all fenced as data; and `{domain}`, `{compliance}`, from the spec. `{{` is a literal `{`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JudgeSpec {
    /// A unique identifier.
    pub id: Located<String>,
    /// What it judges, for a person.
    #[serde(default)]
    pub description: String,
    /// The prompt template: a file relative to the spec, or `builtin:rag_faithfulness` (is the
    /// output supported by the trace's retrieved `context`?), which brings its own verdict.
    pub template: Located<String>,
    /// The verdict's fields: `name: type`, a type being `enum(a, b, …)`, `float`, `int`,
    /// `bool`, `string` or `list<string>`, with `?` for optional. A field `verdict` of type
    /// `enum(pass, fail)` or `enum(pass, fail, uncertain)` is required; `score: float` and
    /// `rationale: string` are shown in results when present.
    #[serde(default)]
    pub verdict: OrderedMap<Located<String>>,
    /// The severity of the issue a `fail` verdict raises (default `high`).
    #[serde(default)]
    pub severity: Option<SeverityName>,
}

/// What a Tier-2 model predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModelKindName {
    /// One of `labels`; its scores are a probability per label (`p.<label>`).
    TextClassifier,
    /// A risk score in `[0, 1]` (`p.risk`).
    RiskRegressor,
}

/// The feature extractor under a Tier-2 model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BackboneName {
    /// Character and word n-grams hashed into a trained embedding: no download, microseconds.
    HashedNgrams,
    /// all-MiniLM-L6-v2 (a BERT-family sentence encoder) from a local directory; only the head
    /// is trained. `cargo xtask fetch-model minilm` installs it.
    Minilm,
}

/// One text field or several (joined by a blank line).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ModelInput {
    /// One field.
    One(TextFieldName),
    /// Several fields, in order.
    Many(Vec<TextFieldName>),
}

impl Default for ModelInput {
    fn default() -> Self {
        ModelInput::One(TextFieldName::Output)
    }
}

/// A Tier-2 model.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// A unique identifier (also the registry's name for the model).
    pub id: Located<String>,
    /// What it predicts.
    pub kind: Located<ModelKindName>,
    /// What it does, for a person.
    #[serde(default)]
    pub description: String,
    /// The trace text it reads (`output` by default; `[input, output]` for both).
    #[serde(default)]
    pub input: ModelInput,
    /// Which traces the model scores: a condition over the trace, read as a rule's `when`
    /// (typed data, extractors, tables). A trace it does not hold for is not scored, and the
    /// model neither passes it on to Tier 3 nor fails it. Absent: every trace Tier 1 does not
    /// fail.
    #[serde(default)]
    pub when: Option<Located<String>>,
    /// The labels of a text classifier, in output order (lowercase identifiers).
    #[serde(default)]
    pub labels: Option<Located<Vec<String>>>,
    /// Its backbone.
    pub backbone: BackboneName,
    /// A directory (relative to the spec) with trained `model.safetensors` and `card.json`,
    /// compiled into the domain crate; used when the registry has no production version.
    #[serde(default)]
    pub weights: Option<Located<String>>,
    /// When the model is unsure and the trace goes on to Tier 3: an expression over `p`, the
    /// scores (`0.3 <= p.unsafe && p.unsafe <= 0.7`).
    pub escalate_when: Located<String>,
    /// When the model fails the trace (`p.unsafe > 0.7`). Absent: the model never fails a trace
    /// by itself.
    #[serde(default)]
    pub fail_when: Option<Located<String>>,
    /// The severity of the issue raised when `fail_when` holds (default `high`).
    #[serde(default)]
    pub severity: Option<SeverityName>,
    /// The issue's message; `{expression}` placeholders over `p` allowed.
    #[serde(default)]
    pub message: Option<Located<String>>,
    /// Labelled examples the generator derives for a cold start, before any real labels.
    #[serde(default)]
    pub synthetic: Option<SyntheticSpec>,
}

/// Templates for synthetic training data. Placeholders: `{table.column}` (one row per table per
/// example, so two columns of a table agree), `{table#2.column}` (a second, independent row of
/// the same table), `{table.column * 2}` (a number column times a factor; `* 0.5|2`: one of the
/// factors), `{a|b|c}` (one of the choices).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SyntheticSpec {
    /// How many examples to make by default.
    #[serde(default = "default_synthetic_count")]
    pub count: usize,
    /// Templates per target: a label of a classifier, or a score (`"0.9"`) of a regressor.
    #[serde(default)]
    pub templates: OrderedMap<Vec<Located<String>>>,
    /// Labels that the domain's Tier-1 rules give: every text made is run through Tier 1, and a
    /// text that Tier 1 fails gets the `fail` target.
    #[serde(default)]
    pub label_by_rules: Option<RuleLabelsSpec>,
}

/// How the domain's Tier-1 rules label synthetic text.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleLabelsSpec {
    /// The target of a text that Tier 1 fails (an issue at the domain's `fail_at` severity or
    /// above), whichever template made it.
    pub fail: Located<String>,
    /// The target of a text from this section's `templates` that Tier 1 does not fail.
    pub pass: Located<String>,
    /// Templates with no written label: Tier 1 labels each text they make.
    #[serde(default)]
    pub templates: Vec<Located<String>>,
}

fn default_synthetic_count() -> usize {
    2000
}

/// Tier-0 settings.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhiSpec {
    /// Which identifiers to detect: `all` (every HIPAA Safe Harbor class), `none`, or a list of
    /// class labels (`[NAME, DATE, PHONE]`).
    pub detect: Located<PhiDetect>,
    /// What replaces an identifier: `pseudonymize`, `redact` (the default), `mask` or `hash`.
    #[serde(default)]
    pub mode: Option<Located<String>>,
    /// Shorthand for `mode: pseudonymize` (kept for older specs).
    #[serde(default)]
    pub pseudonymize: bool,
    /// The `data` field (`patient.id`) that identifies the person a trace is about; dates of one
    /// subject shift by one offset. Without it, each trace is its own subject.
    #[serde(default)]
    pub subject: Option<Located<String>>,
    /// What HIPAA Safe Harbor lets Tier 0 keep of what it replaces: `year` (a date's year, with
    /// `redact` or `mask`) and `zip3` (a US ZIP code's first three digits, `000` for the
    /// three-digit areas of 20,000 people or fewer).
    #[serde(default)]
    pub keep: Option<Located<Vec<String>>>,
    /// Why the domain's traces carry no PHI: required with `detect: none`, so that a domain
    /// without Tier 0 says so on purpose.
    #[serde(default)]
    pub reason: Option<Located<String>>,
}

/// Which PHI/PII classes Tier 0 detects.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PhiDetect {
    /// `all` or `none`.
    Keyword(PhiDetectKeyword),
    /// Class labels: `NAME`, `STREET_ADDRESS`, `CITY`, `POSTAL_CODE`, `DATE`, `AGE`, `PHONE`,
    /// `FAX`, `EMAIL`, `SSN`, `MRN`, `HEALTH_PLAN`, `ACCOUNT`, `LICENSE`, `VEHICLE`, `DEVICE`,
    /// `URL`, `IP_ADDRESS`, `BIOMETRIC`, `ID`.
    Classes(Vec<String>),
}

/// `detect: all` or `detect: none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PhiDetectKeyword {
    /// Every Safe Harbor class.
    All,
    /// None: the domain's traces carry no PHI.
    None,
}

/// A node of the `data` section: a field's type, or a group of fields.
#[derive(Debug, Clone, PartialEq)]
pub enum DataNode {
    /// A field, with its type as written (`float?`, `list<string>`).
    Field(String),
    /// A group of fields.
    Group(OrderedMap<Located<DataNode>>),
}

impl<'de> Deserialize<'de> for DataNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = DataNode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a type such as `float?` or `list<string>`, or a group of fields")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DataNode, E> {
                Ok(DataNode::Field(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DataNode, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Located<String>>()? {
                    entries.push((key, map.next_value::<Located<DataNode>>()?));
                }
                Ok(DataNode::Group(OrderedMap { entries }))
            }
        }
        d.deserialize_any(NodeVisitor)
    }
}

impl JsonSchema for DataNode {
    fn schema_name() -> Cow<'static, str> {
        "DataNode".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let self_ref = generator.subschema_for::<DataNode>();
        json_schema!({
            "description": "A field's type (`float`, `int`, `string`, `bool`, `list<T>`; `?` makes it optional) or a group of fields.",
            "anyOf": [
                { "type": "string", "pattern": "^(float|int|string|bool|list<(float|int|string|bool)>)\\??$" },
                { "type": "object", "additionalProperties": self_ref }
            ]
        })
    }
}

/// A tool an agent calls, whose arguments are a data group's fields.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolSpec {
    /// The top-level data group each call's arguments fill (`order`). Arguments that are not
    /// fields of the group are left out; a number written as a string is read as a number.
    pub data: Located<String>,
    /// Arguments the tool names differently from the group's fields: argument name → field
    /// name (`qty: quantity`).
    #[serde(default)]
    pub arguments: OrderedMap<Located<String>>,
    /// What the tool does.
    #[serde(default)]
    pub description: String,
}

/// A table compiled into the binary from a CSV file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    /// The CSV file, relative to the spec. Its first line names the columns.
    pub source: Located<String>,
    /// The column rows are looked up by (`drugs[name]` in expressions); values must be unique
    /// regardless of ASCII case.
    #[serde(default)]
    pub key: Option<Located<String>>,
    /// Other names for rows, looked up by key: a CSV file (relative to the spec) whose header
    /// is `alias,<key column>` — brand names and misspellings of a drug, say. An alias finds its
    /// row wherever the key does (`drugs["Advil"]`), and `{table.<key>}` in a pattern matches
    /// aliases too (the capture reads as the row). Aliases are unique regardless of case and
    /// never a key.
    #[serde(default)]
    pub aliases: Option<Located<String>>,
    /// The columns the spec uses and their types (`string`, `float`, `int`, `bool`, `?` for
    /// optional: an empty cell). Other columns of the CSV are ignored.
    pub columns: OrderedMap<Located<String>>,
    /// What the table holds and where its data comes from.
    #[serde(default)]
    pub description: String,
}

/// The text field an extractor reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum TextFieldName {
    /// The prompt or user message.
    Input,
    /// The model's answer.
    #[default]
    Output,
}

impl TextFieldName {
    /// The field's name in a trace.
    pub fn as_str(self) -> &'static str {
        match self {
            TextFieldName::Input => "input",
            TextFieldName::Output => "output",
        }
    }
}

/// A regex that pulls typed facts out of a trace's text.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtractorSpec {
    /// The text field to read (`output` by default).
    #[serde(default)]
    pub from: TextFieldName,
    /// The regex (Rust `regex` syntax). `{table.column}` stands for an alternation of every value
    /// of a table's column, longest first. Named groups `(?P<name>…)` become typed fields.
    /// `\b \d \s \w` are ASCII classes, for speed.
    pub pattern: Located<String>,
    /// Types of the named groups: `string` (default), `float`, `int`, or a table's name (the
    /// text is looked up by the table's key and the match is dropped when no row has it).
    /// Whether a field is optional follows from the regex.
    #[serde(default)]
    pub captures: OrderedMap<Located<String>>,
    /// What it finds.
    #[serde(default)]
    pub description: String,
}

/// A severity as written in a spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum SeverityName {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl SeverityName {
    /// The core severity.
    pub fn severity(self) -> aegis_core::Severity {
        match self {
            SeverityName::Info => aegis_core::Severity::Info,
            SeverityName::Low => aegis_core::Severity::Low,
            SeverityName::Medium => aegis_core::Severity::Medium,
            SeverityName::High => aegis_core::Severity::High,
            SeverityName::Critical => aegis_core::Severity::Critical,
        }
    }
}

/// A Tier-1 validator: a compiled rule.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidatorSpec {
    /// A unique identifier (`no_medication_overdose`).
    pub id: Located<String>,
    /// How serious a violation is.
    pub severity: SeverityName,
    /// What the rule checks and why.
    #[serde(default)]
    pub description: String,
    /// Runs the rule once per extracted item (`m in medications`) or once per unordered pair of
    /// distinct items (`a, b in medications`); the names are bound in every expression.
    #[serde(default)]
    pub for_each: Option<Located<String>>,
    /// A precondition: the rule applies only where it is true.
    #[serde(default)]
    pub when: Option<Located<String>>,
    /// Named intermediate values, in order; each may use the ones before it.
    #[serde(default, rename = "let")]
    pub lets: OrderedMap<Located<String>>,
    /// Must be true; a violation when it is false. Unknown (a missing value) is not a violation.
    #[serde(default)]
    pub require: Option<Located<String>>,
    /// Must be false; a violation when it is true. Unknown (a missing value) is not a violation.
    #[serde(default)]
    pub forbid: Option<Located<String>>,
    /// The issue's message; `{expression}` placeholders are type-checked and filled in.
    pub message: Located<String>,
}

/// A tier a trace can be escalated to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EscalationTarget {
    /// Tier 2: small models.
    Tier2,
    /// Tier 3: the LLM judge.
    Tier3,
    /// Tier 4: human review.
    Tier4,
}

impl EscalationTarget {
    /// The core tier.
    pub fn tier(self) -> aegis_core::Tier {
        match self {
            EscalationTarget::Tier2 => aegis_core::Tier::Models,
            EscalationTarget::Tier3 => aegis_core::Tier::Judge,
            EscalationTarget::Tier4 => aegis_core::Tier::Human,
        }
    }
}

/// When Tier 1 decides by itself and when a trace goes on.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationSpec {
    /// An issue at or above this severity fails the trace at once (default `high`).
    #[serde(default = "default_fail_at")]
    pub fail_at: SeverityName,
    /// An issue at or above this severity but below `fail_at` makes Tier 1 unsure, and the trace
    /// goes on to the next tier. Absent: such issues never escalate by themselves.
    #[serde(default)]
    pub uncertain_at: Option<Located<SeverityName>>,
    /// Explicit rules: when `when` holds, the trace goes on to tier `to`. Expressions may also use
    /// `issues`, the list of Tier-1 issues (`issues.any(i => i.severity >= "medium")`).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub rules: Vec<EscalationRuleSpec>,
}

/// A list that may be written empty (`tier1:` with nothing under it).
fn null_as_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

fn default_fail_at() -> SeverityName {
    SeverityName::High
}

/// An explicit escalation rule.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationRuleSpec {
    /// A unique identifier.
    pub id: Located<String>,
    /// When the trace must go on.
    pub when: Located<String>,
    /// The tier it goes on to.
    pub to: EscalationTarget,
    /// Why, for a person; `{expression}` placeholders allowed.
    pub reason: Located<String>,
}
