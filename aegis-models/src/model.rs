//! A trained model, ready to score text: backbone + head + card.

use std::path::{Path, PathBuf};
use std::sync::Arc;
#[cfg(feature = "candle")]
use std::sync::OnceLock;

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
    #[cfg_attr(not(feature = "candle"), allow(dead_code))]
    minilm_dir: Option<PathBuf>,
    #[cfg(feature = "candle")]
    minilm: OnceLock<std::result::Result<Arc<MiniLm>, String>>,
}

impl Backbones {
    /// Backbones found where [`crate::minilm::locate`] looks, unless `minilm_dir` says where.
    pub fn new(minilm_dir: Option<PathBuf>) -> Self {
        Backbones {
            minilm_dir,
            #[cfg(feature = "candle")]
            minilm: OnceLock::new(),
        }
    }

    /// The MiniLM encoder, loaded on first use. In a build without the `candle` feature,
    /// always [`ModelError::Unsupported`].
    #[cfg(not(feature = "candle"))]
    pub fn minilm(&self) -> Result<Arc<MiniLm>> {
        Err(crate::error::no_minilm())
    }

    /// The MiniLM encoder, loaded on first use. In a build without the `candle` feature,
    /// always [`ModelError::Unsupported`].
    #[cfg(feature = "candle")]
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

/// The weights file of a model: safetensors bytes, read by the `safetensors` crate (no candle:
/// serving a `hashed_ngrams` model needs none).
struct Weights<'a>(safetensors::SafeTensors<'a>);

impl<'a> Weights<'a> {
    fn parse(bytes: &'a [u8]) -> Result<Self> {
        safetensors::SafeTensors::deserialize(bytes)
            .map(Weights)
            .map_err(|e| ModelError::Weights {
                context: "reading the weights".to_owned(),
                message: e.to_string(),
            })
    }

    /// Tensor `name`, which must have shape `dims`, as `f32` values in row-major order.
    fn f32s(&self, name: &str, dims: &[usize]) -> Result<Vec<f32>> {
        let t = self.0.tensor(name).map_err(|e| match e {
            safetensors::SafeTensorError::TensorNotFound(_) => {
                ModelError::Mismatch(format!("the weights have no tensor `{name}`"))
            }
            other => ModelError::Weights {
                context: format!("reading `{name}`"),
                message: other.to_string(),
            },
        })?;
        if t.shape() != dims {
            return Err(ModelError::Mismatch(format!(
                "tensor `{name}` has shape {:?}, the card says {dims:?}",
                t.shape()
            )));
        }
        let values = to_f32(t.dtype(), t.data()).ok_or_else(|| ModelError::Weights {
            context: format!("reading `{name}`"),
            message: format!(
                "its dtype is {:?}; weights must be F32, F64, F16 or BF16",
                t.dtype()
            ),
        })?;
        if values.len() != dims.iter().product::<usize>() {
            return Err(ModelError::Weights {
                context: format!("reading `{name}`"),
                message: format!("{} values for shape {dims:?}", values.len()),
            });
        }
        Ok(values)
    }
}

/// Little-endian floating-point tensor data as `f32`; `None` for other dtypes.
fn to_f32(dtype: safetensors::Dtype, data: &[u8]) -> Option<Vec<f32>> {
    use safetensors::Dtype;
    let halves = || {
        data.chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    Some(match dtype {
        Dtype::F32 => data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        Dtype::F64 => data
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32)
            .collect(),
        Dtype::F16 => halves().map(f16_to_f32).collect(),
        Dtype::BF16 => halves()
            .map(|h| f32::from_bits(u32::from(h) << 16))
            .collect(),
        _ => return None,
    })
}

/// IEEE 754 half precision to single precision (exact: every f16 is an f32).
fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    let bits = match (exp, man) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal: man · 2^-24, normalised for f32.
            let shift = man.leading_zeros() - 21;
            let man = (man << shift) & 0x3ff;
            sign | ((113 - shift) << 23) | (man << 13)
        }
        (0x1f, _) => sign | 0x7f80_0000 | (man << 13),
        _ => sign | ((exp + 112) << 23) | (man << 13),
    };
    f32::from_bits(bits)
}

impl TextModel {
    /// A model from its weights (safetensors bytes) and card (JSON).
    pub fn from_bytes(weights: &[u8], card: &str, backbones: &Backbones) -> Result<Self> {
        let card: ModelCard = serde_json::from_str(card).map_err(|e| ModelError::BadFile {
            path: PathBuf::from(CARD_FILE),
            message: e.to_string(),
        })?;
        Self::from_weights(card, weights, backbones)
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

    /// A model from its card and weights (safetensors bytes): the one loading path, for the
    /// registry, compiled-in weights and freshly trained models alike.
    pub(crate) fn from_weights(
        card: ModelCard,
        weights: &[u8],
        backbones: &Backbones,
    ) -> Result<Self> {
        let tensors = Weights::parse(weights)?;
        let outputs = card.task.outputs();
        let (encoder, inputs) = match &card.backbone {
            Backbone::HashedNgrams(config) => {
                config.validate().map_err(ModelError::Mismatch)?;
                let (b, h) = (config.buckets as usize, config.hidden as usize);
                let embedding = tensors.f32s("encoder.embedding", &[b, h])?;
                let bias = tensors.f32s("encoder.bias", &[h])?;
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
        let head_weight = tensors.f32s("head.weight", &[outputs, inputs])?;
        let head_bias = tensors.f32s("head.bias", &[outputs])?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_precision_converts_exactly() {
        assert_eq!(f16_to_f32(0x0000), 0.0);
        assert_eq!(f16_to_f32(0x8000).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0400), 2f32.powi(-14));
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x03ff), 1023.0 * 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x7c00), f32::INFINITY);
        assert_eq!(f16_to_f32(0xfc00), f32::NEG_INFINITY);
        assert!(f16_to_f32(0x7e00).is_nan());
    }

    /// The plain loader reads every F16 and BF16 value, and the shipped weights, exactly as
    /// candle's loader (the one this crate used before the `candle` feature) does.
    #[cfg(feature = "candle")]
    #[test]
    fn the_plain_loader_reads_what_candle_reads() {
        use candle_core::{DType, Device};

        let all: Vec<u8> = (0..=u16::MAX).flat_map(u16::to_le_bytes).collect();
        for dtype in ["F16", "BF16"] {
            let header = format!(
                r#"{{"t":{{"dtype":"{dtype}","shape":[65536],"data_offsets":[0,{}]}}}}"#,
                all.len()
            );
            let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
            bytes.extend(header.as_bytes());
            bytes.extend(&all);
            let plain = Weights::parse(&bytes)
                .and_then(|w| w.f32s("t", &[65536]))
                .expect("plain");
            let candle = candle_core::safetensors::load_buffer(&bytes, &Device::Cpu)
                .expect("candle")["t"]
                .to_dtype(DType::F32)
                .and_then(|t| t.to_vec1::<f32>())
                .expect("candle f32");
            for (i, (p, c)) in plain.iter().zip(&candle).enumerate() {
                assert!(
                    p.to_bits() == c.to_bits() || (p.is_nan() && c.is_nan()),
                    "{dtype} {i:#06x}: {p} vs {c}"
                );
            }
        }

        // The shipped models, scored through weights loaded by candle (the old path) and by the
        // plain loader: the same numbers, bit for bit.
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../domains");
        for dir in [
            "healthcare/models/safety_risk",
            "trading/models/advice_risk",
        ] {
            let dir = root.join(dir);
            let plain = TextModel::load_dir(&dir, &Backbones::default()).expect("plain load");
            let bytes = std::fs::read(dir.join(WEIGHTS_FILE)).expect("weights");
            let tensors =
                candle_core::safetensors::load_buffer(&bytes, &Device::Cpu).expect("candle load");
            let vec = |name: &str| {
                tensors[name]
                    .flatten_all()
                    .and_then(|t| t.to_dtype(DType::F32))
                    .and_then(|t| t.to_vec1::<f32>())
                    .expect("tensor")
            };
            let Encoder::Hashed { config, .. } = &plain.encoder else {
                panic!("the shipped models are hashed");
            };
            let via_candle = TextModel {
                card: plain.card.clone(),
                encoder: Encoder::Hashed {
                    config: *config,
                    embedding: vec("encoder.embedding"),
                    bias: vec("encoder.bias"),
                },
                head_weight: vec("head.weight"),
                head_bias: vec("head.bias"),
            };
            for text in [
                "You should double your dose of warfarin tonight.",
                "Please ask your pharmacist before changing any dose.",
                "Buy now, this stock is guaranteed to triple!",
                "",
            ] {
                assert_eq!(
                    plain.predict(text).expect("predict"),
                    via_candle.predict(text).expect("predict"),
                    "{text:?}"
                );
            }
        }
    }
}
