//! Model cards: what a trained model is, what it was trained on and how well it did.

use serde::{Deserialize, Serialize};

use crate::hashed::HashedConfig;
use crate::metrics::Metrics;

/// What a model predicts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Task {
    /// One of several labels; the output is a probability per label.
    TextClassifier {
        /// The labels, in output order.
        labels: Vec<String>,
    },
    /// A risk score in `[0, 1]`; the output is one value.
    RiskRegressor,
}

impl Task {
    /// How many values the model outputs.
    pub fn outputs(&self) -> usize {
        match self {
            Task::TextClassifier { labels } => labels.len(),
            Task::RiskRegressor => 1,
        }
    }

    /// The spec's name for this kind (`text_classifier`, `risk_regressor`).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Task::TextClassifier { .. } => "text_classifier",
            Task::RiskRegressor => "risk_regressor",
        }
    }
}

/// The feature extractor under a model's head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "name")]
pub enum Backbone {
    /// Hashed character and word n-grams into a trained embedding ([`crate::hashed`]).
    HashedNgrams(HashedConfig),
    /// A frozen MiniLM sentence encoder ([`crate::minilm`]); only the head is trained.
    Minilm {
        /// Embedding width.
        dim: usize,
        /// SHA-256 of the encoder weights the head was trained on.
        weights_sha256: String,
    },
}

impl Backbone {
    /// The spec's name for this backbone (`hashed_ngrams`, `minilm`).
    pub fn name(&self) -> &'static str {
        match self {
            Backbone::HashedNgrams(_) => "hashed_ngrams",
            Backbone::Minilm { .. } => "minilm",
        }
    }
}

/// How many examples each split had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitSizes {
    /// Examples the weights were fitted on.
    pub train: usize,
    /// Examples early stopping watched.
    pub validation: usize,
    /// Held-out examples the metrics come from.
    pub test: usize,
}

/// The JSON card saved beside every model's weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    /// The domain the model belongs to.
    pub domain: String,
    /// The model's id in the domain's spec.
    pub model: String,
    /// Its version in the registry (1, 2, …); 0 for weights not in a registry.
    pub version: u32,
    /// What it predicts.
    pub task: Task,
    /// Its feature extractor.
    pub backbone: Backbone,
    /// Held-out metrics.
    pub metrics: Metrics,
    /// SHA-256 of the training examples (texts and targets, in order).
    pub data_sha256: String,
    /// The spec hash of the domain it was trained for.
    pub spec_hash: String,
    /// SHA-256 of the weights file.
    pub weights_sha256: String,
    /// Split sizes.
    pub examples: SplitSizes,
    /// Epochs run (early stopping may end before the maximum).
    pub epochs: usize,
    /// The epoch whose weights were kept (best validation loss).
    pub best_epoch: usize,
    /// Where the data came from (`labels.jsonl`, `synthetic:2000`, …).
    pub data_source: String,
    /// Seconds since the Unix epoch when training finished.
    pub created_unix: u64,
    /// The program that trained it.
    pub trainer: String,
}
