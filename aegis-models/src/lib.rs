//! Aegis Tier 2: small text models on candle.
//!
//! - [`hashed`]: the `hashed_ngrams` backbone (no download; trained from scratch).
//! - [`minilm`]: the `minilm` backbone (a BERT-family sentence encoder from a local directory).
//! - [`train()`]: training with candle (class weights, AdamW, early stopping), held-out
//!   [`metrics`], and a [`ModelCard`].
//! - [`Registry`]: versions on disk, and which is in production.
//! - [`TextModel`]: a trained model that scores text.
//!
//! # Features
//!
//! - `candle` (default): the MiniLM backbone ([`minilm`], on candle and `tokenizers`) and
//!   [`train()`]. Without it (`default-features = false`) the crate compiles neither candle nor
//!   tokenizers and still does all that generated domain crates call: [`tier`] loads models
//!   from the [`Registry`] or from compiled-in weights and decides, `hashed_ngrams` models score
//!   text (plain Rust over the `safetensors` crate, the same numbers as with the feature), and
//!   [`card`], [`metrics`] and [`synth`] work as before. A `minilm` model, [`MiniLm::load`] and
//!   [`train()`] then return [`ModelError::Unsupported`]. Programs that only serve domain crates
//!   build without it.
//!
//! What it is not: it knows no domain and no trace. Generated domain crates wrap its models in
//! typed outputs; the runtime feeds them sanitised trace text.

#[cfg(feature = "candle")]
mod bert;
pub mod card;
pub mod error;
pub mod hashed;
pub mod metrics;
pub mod minilm;
mod model;
pub mod registry;
pub mod synth;
pub mod tier;
pub mod train;

pub use card::{Backbone, ModelCard, SplitSizes, Task};
pub use error::{ModelError, Result};
pub use hashed::HashedConfig;
pub use metrics::Metrics;
pub use minilm::MiniLm;
pub use model::{Backbones, CARD_FILE, TextModel, WEIGHTS_FILE};
pub use registry::{Production, Registry};
pub use train::{BackboneChoice, Example, Target, TrainOptions, TrainRequest, Trained, train};
