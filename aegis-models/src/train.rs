//! Training a model's head (and, for `hashed_ngrams`, its embedding) with candle: class weights,
//! AdamW, early stopping on a validation split, metrics on a held-out split.
//!
//! Training needs the `candle` feature (the default). Without it the types here remain, so that
//! callers compile either way, but [`train()`] returns [`ModelError::Unsupported`](crate::ModelError::Unsupported).

use sha2::{Digest, Sha256};

use crate::card::{ModelCard, Task};
use crate::error::Result;
use crate::hashed::HashedConfig;
use crate::minilm::{MiniLm, hex};

#[cfg(feature = "candle")]
mod fit;

/// One labelled text.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The text the model reads (already sanitised, as at inference).
    pub text: String,
    /// What it should predict.
    pub target: Target,
}

/// A training target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// The index of the label (classifiers).
    Label(usize),
    /// A risk score in `[0, 1]` (regressors).
    Score(f32),
}

/// The backbone to train on.
#[derive(Debug, Clone, Copy)]
pub enum BackboneChoice<'a> {
    /// Hashed n-grams with this configuration, trained from scratch.
    HashedNgrams(HashedConfig),
    /// A frozen MiniLM encoder; only the head is trained.
    Minilm(&'a MiniLm),
}

/// Knobs of a training run. The defaults suit a few hundred to a few hundred thousand examples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainOptions {
    /// Most epochs to run.
    pub max_epochs: usize,
    /// Stop after this many epochs without a better validation loss.
    pub patience: usize,
    /// Examples per step.
    pub batch_size: usize,
    /// AdamW learning rate.
    pub learning_rate: f64,
    /// Share of the examples held out for early stopping.
    pub validation_share: f64,
    /// Share of the examples held out for the reported metrics.
    pub test_share: f64,
    /// Seed of the split, the shuffles and the initial weights.
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            max_epochs: 40,
            patience: 4,
            batch_size: 32,
            learning_rate: 0.01,
            validation_share: 0.15,
            test_share: 0.15,
            seed: 17,
        }
    }
}

/// What the caller says about the model being trained.
#[derive(Debug, Clone)]
pub struct TrainRequest<'a> {
    /// The domain's name.
    pub domain: &'a str,
    /// The model's id in the spec.
    pub model: &'a str,
    /// The spec hash of the domain.
    pub spec_hash: &'a str,
    /// What the model predicts.
    pub task: Task,
    /// Where the data came from, for the card.
    pub data_source: String,
}

/// One epoch's progress, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochReport {
    /// The epoch (1-based).
    pub epoch: usize,
    /// Mean training loss.
    pub train_loss: f64,
    /// Validation loss.
    pub validation_loss: f64,
}

/// A trained model: its card (version 0 until a registry stores it) and its weights.
pub struct Trained {
    /// The card.
    pub card: ModelCard,
    /// The weights, as safetensors bytes.
    pub weights: Vec<u8>,
}

impl std::fmt::Debug for Trained {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trained")
            .field("card", &self.card)
            .finish_non_exhaustive()
    }
}

/// SHA-256 over the examples (text and target, in order): the card's `data_sha256`.
pub fn data_hash(examples: &[Example]) -> String {
    let mut h = Sha256::new();
    for e in examples {
        h.update(e.text.as_bytes());
        h.update([0]);
        match e.target {
            Target::Label(l) => h.update(format!("L{l}\n")),
            Target::Score(s) => h.update(format!("S{s}\n")),
        }
    }
    hex(&h.finalize())
}

/// Trains a model on `examples`; `progress` hears about every epoch.
///
/// # Errors
///
/// [`ModelError::Data`](crate::ModelError::Data) when the examples cannot train the model,
/// [`ModelError::Unsupported`](crate::ModelError::Unsupported) in a build without the `candle` feature, and whatever loading the
/// result for its test metrics can fail with.
pub fn train(
    request: &TrainRequest<'_>,
    backbone: BackboneChoice<'_>,
    examples: &[Example],
    options: &TrainOptions,
    progress: impl FnMut(EpochReport),
) -> Result<Trained> {
    #[cfg(feature = "candle")]
    {
        fit::train(request, backbone, examples, options, progress)
    }
    #[cfg(not(feature = "candle"))]
    {
        let _ = (request, backbone, examples, options, progress);
        Err(crate::error::no_training())
    }
}
