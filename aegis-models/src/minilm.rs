//! The `minilm` backbone: a BERT-family sentence encoder (all-MiniLM-L6-v2 by default) run on
//! candle by the packed encoder of `bert.rs`, tokenised by the `tokenizers` crate, mean-pooled
//! over each text's tokens and L2-normalised — what sentence-transformers computes for that
//! model.
//!
//! The model is read from a local directory holding `config.json`, `tokenizer.json` and
//! `model.safetensors` (`cargo xtask fetch-model minilm` puts one in `models/all-MiniLM-L6-v2`).
//!
//! The encoder needs the `candle` feature (the default). Without it [`MiniLm`] still exists, so
//! that callers compile either way, but [`MiniLm::load`] returns
//! [`ModelError::Unsupported`] and no value of the type can be made.

use std::path::{Path, PathBuf};

#[cfg(feature = "candle")]
use candle_core::{DType, Device};
#[cfg(feature = "candle")]
use candle_nn::VarBuilder;
#[cfg(feature = "candle")]
use candle_transformers::models::bert::Config;
#[cfg(feature = "candle")]
use sha2::{Digest, Sha256};
#[cfg(feature = "candle")]
use tokenizers::{Tokenizer, TruncationParams};

#[cfg(feature = "candle")]
use crate::bert::PackedBert;
#[cfg(any(feature = "candle", doc))]
use crate::error::ModelError;
use crate::error::Result;

/// The directory `cargo xtask fetch-model minilm` writes, relative to the workspace root.
pub const DEFAULT_DIR: &str = "models/all-MiniLM-L6-v2";

/// The environment variable that names the MiniLM directory.
pub const DIR_ENV: &str = "AEGIS_MINILM_DIR";

/// Longest input, in tokens (sentence-transformers' `max_seq_length` for all-MiniLM-L6-v2).
pub const MAX_TOKENS: usize = 256;

/// Where the MiniLM model is: `$AEGIS_MINILM_DIR`, else `models/all-MiniLM-L6-v2` in the current
/// directory or one of its parents. `None` when there is none.
pub fn locate() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(DIR_ENV) {
        return Some(PathBuf::from(dir));
    }
    let mut dir = std::env::current_dir().ok()?;
    loop {
        let candidate = dir.join(DEFAULT_DIR);
        if candidate.join("model.safetensors").is_file() {
            return Some(candidate);
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// A loaded sentence encoder.
#[cfg(feature = "candle")]
pub struct MiniLm {
    model: PackedBert,
    tokenizer: Tokenizer,
    device: Device,
    dim: usize,
    weights_sha256: String,
}

#[cfg(feature = "candle")]
impl std::fmt::Debug for MiniLm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MiniLm")
            .field("dim", &self.dim)
            .field("weights_sha256", &self.weights_sha256)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "candle")]
impl MiniLm {
    /// Loads the encoder from `dir`.
    pub fn load(dir: &Path) -> Result<Self> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|e| ModelError::io(&path, e))
        };
        let config_path = dir.join("config.json");
        let config: Config =
            serde_json::from_slice(&read("config.json")?).map_err(|e| ModelError::BadFile {
                path: config_path.clone(),
                message: e.to_string(),
            })?;
        let mut tokenizer = Tokenizer::from_bytes(read("tokenizer.json")?)
            .map_err(|e| ModelError::Tokenizer(format!("{}: {e}", dir.display())))?;
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..TruncationParams::default()
            }))
            .map_err(|e| ModelError::Tokenizer(e.to_string()))?;
        tokenizer.with_padding(None);
        let weights = read("model.safetensors")?;
        let weights_sha256 = hex(&Sha256::digest(&weights));
        let device = Device::Cpu;
        let vb = VarBuilder::from_buffered_safetensors(weights, DType::F32, &device)
            .map_err(ModelError::candle(format!("{}", dir.display())))?;
        let model = PackedBert::load(vb, &config).map_err(ModelError::candle(format!(
            "{}: BERT weights",
            dir.display()
        )))?;
        Ok(MiniLm {
            model,
            tokenizer,
            device,
            dim: config.hidden_size,
            weights_sha256,
        })
    }

    /// The embedding width (384 for MiniLM-L6).
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// SHA-256 of the encoder's weights file, for model cards and provenance.
    pub fn weights_sha256(&self) -> &str {
        &self.weights_sha256
    }

    /// Embeds a batch of texts: one L2-normalised vector of [`MiniLm::dim`] values per text.
    /// The batch's texts are encoded end to end without padding; callers that embed many texts
    /// may still sort them by length ([`MiniLm::embed_all`] does) so batches finish together.
    pub fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| ModelError::Tokenizer(e.to_string()))?;
        let lens: Vec<usize> = encodings.iter().map(|e| e.get_ids().len()).collect();
        let ids: Vec<u32> = encodings
            .iter()
            .flat_map(|e| e.get_ids().iter().copied())
            .collect();
        let hidden = self
            .model
            .forward(&ids, &lens, &self.device)
            .map_err(ModelError::candle("MiniLM forward pass"))?;
        Ok(self.model.mean_pool_normalised(&hidden, &lens))
    }

    /// Embeds any number of texts in batches of `batch`, sorted by length so that little padding
    /// is computed; returns the vectors in the order of `texts`.
    pub fn embed_all(&self, texts: &[&str], batch: usize) -> Result<Vec<Vec<f32>>> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let mut out = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(batch.max(1)) {
            let slice: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
            for (i, v) in chunk.iter().zip(self.embed_batch(&slice)?) {
                out[*i] = v;
            }
        }
        Ok(out)
    }
}

/// A sentence encoder, in a build without the `candle` feature: none can be loaded.
#[cfg(not(feature = "candle"))]
#[derive(Debug)]
pub struct MiniLm {
    never: std::convert::Infallible,
}

#[cfg(not(feature = "candle"))]
impl MiniLm {
    /// Always [`ModelError::Unsupported`]: this build has no MiniLM support.
    pub fn load(dir: &Path) -> Result<Self> {
        let _ = dir;
        Err(crate::error::no_minilm())
    }

    /// The embedding width (never called: no value of this type exists).
    pub fn dim(&self) -> usize {
        match self.never {}
    }

    /// SHA-256 of the encoder's weights file (never called: no value of this type exists).
    pub fn weights_sha256(&self) -> &str {
        match self.never {}
    }

    /// Embeds a batch of texts (never called: no value of this type exists).
    pub fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let _ = texts;
        match self.never {}
    }

    /// Embeds any number of texts (never called: no value of this type exists).
    pub fn embed_all(&self, texts: &[&str], batch: usize) -> Result<Vec<Vec<f32>>> {
        let _ = (texts, batch);
        match self.never {}
    }
}

pub(crate) use aegis_core::digest::hex;
