//! A trained model, ready to score text: backbone + head + card.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use candle_core::{Device, Tensor};

use crate::card::{Backbone, ModelCard, Task};
use crate::error::{ModelError, Result};
use crate::minilm::MiniLm;

/// File names inside a model directory.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// The card's file name inside a model directory.
pub const CARD_FILE: &str = "card.json";

/// Loads shared backbones once per process (the MiniLM encoder is 90 MB; every model that uses
/// it shares one copy).
#[derive(Debug, Default)]
pub struct Backbones {
    minilm_dir: Option<PathBuf>,
    minilm: OnceLock<std::result::Result<Arc<MiniLm>, String>>,
}

impl Backbones {
    /// Backbones found where [`crate::minilm::locate`] looks, unless `minilm_dir` says where.
    pub fn new(minilm_dir: Option<PathBuf>) -> Self {
        Backbones {
            minilm_dir,
            minilm: OnceLock::new(),
        }
    }

    /// The MiniLM encoder, loaded on first use.
    pub fn minilm(&self) -> Result<Arc<MiniLm>> {
        self.minilm
            .get_or_init(|| {
                let dir = self.minilm_dir.clone().or_else(crate::minilm::locate).ok_or_else(|| {
                    format!(
                        "the minilm backbone is not installed: run `cargo xtask fetch-model minilm` \
                         (writes {}) or set {}",
                        crate::minilm::DEFAULT_DIR,
                        crate::minilm::DIR_ENV
                    )
                })?;
                MiniLm::load(&dir).map(Arc::new).map_err(|e| e.to_string())
            })
            .clone()
            .map_err(ModelError::Registry)
    }
}

enum Encoder {
    Hashed {
        config: crate::hashed::HashedConfig,
        embedding: Vec<f32>,
        bias: Vec<f32>,
    },
    Minilm(Arc<MiniLm>),
}

/// A trained model: scores texts.
pub struct TextModel {
    card: ModelCard,
    encoder: Encoder,
    /// `outputs × inputs`, row-major.
    head_weight: Vec<f32>,
    head_bias: Vec<f32>,
}

impl std::fmt::Debug for TextModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextModel")
            .field("card", &self.card)
            .finish_non_exhaustive()
    }
}

fn tensor_vec(map: &HashMap<String, Tensor>, name: &str, dims: &[usize]) -> Result<Vec<f32>> {
    let t = map
        .get(name)
        .ok_or_else(|| ModelError::Mismatch(format!("the weights have no tensor `{name}`")))?;
    if t.dims() != dims {
        return Err(ModelError::Mismatch(format!(
            "tensor `{name}` has shape {:?}, the card says {dims:?}",
            t.dims()
        )));
    }
    t.flatten_all()
        .and_then(|t| t.to_dtype(candle_core::DType::F32))
        .and_then(|t| t.to_vec1::<f32>())
        .map_err(ModelError::candle(format!("reading `{name}`")))
}

impl TextModel {
    /// A model from its weights (safetensors bytes) and card (JSON).
    pub fn from_bytes(weights: &[u8], card: &str, backbones: &Backbones) -> Result<Self> {
        let card: ModelCard = serde_json::from_str(card).map_err(|e| ModelError::BadFile {
            path: PathBuf::from(CARD_FILE),
            message: e.to_string(),
        })?;
        let tensors = candle_core::safetensors::load_buffer(weights, &Device::Cpu)
            .map_err(ModelError::candle("reading the weights"))?;
        Self::from_tensors(card, &tensors, backbones)
    }

    /// A model from a directory holding `model.safetensors` and `card.json`.
    pub fn load_dir(dir: &Path, backbones: &Backbones) -> Result<Self> {
        let weights_path = dir.join(WEIGHTS_FILE);
        let card_path = dir.join(CARD_FILE);
        let weights = std::fs::read(&weights_path).map_err(|e| ModelError::io(&weights_path, e))?;
        let card =
            std::fs::read_to_string(&card_path).map_err(|e| ModelError::io(&card_path, e))?;
        Self::from_bytes(&weights, &card, backbones).map_err(|e| match e {
            ModelError::BadFile { message, .. } => ModelError::BadFile {
                path: card_path,
                message,
            },
            other => other,
        })
    }

    pub(crate) fn from_tensors(
        card: ModelCard,
        tensors: &HashMap<String, Tensor>,
        backbones: &Backbones,
    ) -> Result<Self> {
        let outputs = card.task.outputs();
        let (encoder, inputs) = match &card.backbone {
            Backbone::HashedNgrams(config) => {
                config.validate().map_err(ModelError::Mismatch)?;
                let (b, h) = (config.buckets as usize, config.hidden as usize);
                let embedding = tensor_vec(tensors, "encoder.embedding", &[b, h])?;
                let bias = tensor_vec(tensors, "encoder.bias", &[h])?;
                (
                    Encoder::Hashed {
                        config: *config,
                        embedding,
                        bias,
                    },
                    h,
                )
            }
            Backbone::Minilm {
                dim,
                weights_sha256,
            } => {
                let minilm = backbones.minilm()?;
                if minilm.weights_sha256() != weights_sha256 {
                    return Err(ModelError::Mismatch(format!(
                        "{}/{} v{} was trained on another MiniLM (weights sha256 {}…, installed {}…)",
                        card.domain,
                        card.model,
                        card.version,
                        &weights_sha256[..weights_sha256.len().min(12)],
                        &minilm.weights_sha256()[..12]
                    )));
                }
                (Encoder::Minilm(minilm), *dim)
            }
        };
        let head_weight = tensor_vec(tensors, "head.weight", &[outputs, inputs])?;
        let head_bias = tensor_vec(tensors, "head.bias", &[outputs])?;
        Ok(TextModel {
            card,
            encoder,
            head_weight,
            head_bias,
        })
    }

    /// The model's card.
    pub fn card(&self) -> &ModelCard {
        &self.card
    }

    /// Scores one text: a probability per label (classifiers) or one risk score (regressors).
    pub fn predict(&self, text: &str) -> Result<Vec<f32>> {
        match &self.encoder {
            Encoder::Hashed {
                config,
                embedding,
                bias,
            } => {
                let mut hidden = vec![0.0f32; config.hidden as usize];
                config.embed(text, embedding, bias, &mut hidden);
                Ok(self.head(&hidden))
            }
            Encoder::Minilm(m) => {
                let e = m.embed_batch(&[text])?;
                Ok(e.first().map(|v| self.head(v)).unwrap_or_default())
            }
        }
    }

    /// Scores many texts (MiniLM: in length-sorted batches of 32).
    pub fn predict_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        match &self.encoder {
            Encoder::Hashed { .. } => texts.iter().map(|t| self.predict(t)).collect(),
            Encoder::Minilm(m) => Ok(m
                .embed_all(texts, 32)?
                .iter()
                .map(|v| self.head(v))
                .collect()),
        }
    }

    fn head(&self, x: &[f32]) -> Vec<f32> {
        let logits: Vec<f32> = self
            .head_weight
            .chunks_exact(x.len())
            .zip(&self.head_bias)
            .map(|(row, b)| row.iter().zip(x).map(|(w, v)| w * v).sum::<f32>() + b)
            .collect();
        match self.card.task {
            Task::TextClassifier { .. } => softmax(&logits),
            Task::RiskRegressor => logits.iter().map(|z| sigmoid(*z)).collect(),
        }
    }
}

pub(crate) fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exp: Vec<f32> = logits.iter().map(|z| (z - max).exp()).collect();
    let sum: f32 = exp.iter().sum();
    exp.iter().map(|e| e / sum).collect()
}

pub(crate) fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}
