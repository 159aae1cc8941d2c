//! The one error type of this crate.

use std::path::PathBuf;

/// Why a model could not be loaded, trained, saved or run.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A model card or registry file is not valid JSON of the expected shape.
    #[error("{path}: {message}")]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A weights file is not valid safetensors, or a tensor in it cannot be read.
    #[error("{context}: {message}")]
    Weights {
        /// What was being read.
        context: String,
        /// What is wrong with it.
        message: String,
    },
    /// This build of the crate lacks what the request needs (the `candle` feature: MiniLM and
    /// training).
    #[error("{0}")]
    Unsupported(String),
    /// candle failed (a tensor had the wrong shape, a weight is missing…). Only in builds with
    /// the `candle` feature.
    #[cfg(feature = "candle")]
    #[error("{context}: {source}")]
    Candle {
        /// What was being done.
        context: String,
        /// candle's error.
        source: candle_core::Error,
    },
    /// The tokenizer failed to load or to encode.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// The training data cannot train this model (too few examples, one class only…).
    #[error("training data: {0}")]
    Data(String),
    /// The registry has no such model or version, or the request makes no sense.
    #[error("{0}")]
    Registry(String),
    /// A model's `when` could not be decided for a trace (its data does not fit the spec).
    #[error("whether it applies cannot be decided: {0}")]
    When(String),
    /// The weights do not fit the model the spec declares (other labels, other backbone).
    #[error("{0}")]
    Mismatch(String),
}

impl ModelError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ModelError::Io {
            path: path.into(),
            source,
        }
    }

    #[cfg(feature = "candle")]
    pub(crate) fn candle(context: impl Into<String>) -> impl FnOnce(candle_core::Error) -> Self {
        let context = context.into();
        move |source| ModelError::Candle { context, source }
    }
}

/// The error of a MiniLM request in a build without the `candle` feature.
#[cfg(not(feature = "candle"))]
pub(crate) fn no_minilm() -> ModelError {
    ModelError::Unsupported(
        "this build of aegis-models has no MiniLM support: enable the `candle` feature".to_owned(),
    )
}

/// The error of a training request in a build without the `candle` feature.
#[cfg(not(feature = "candle"))]
pub(crate) fn no_training() -> ModelError {
    ModelError::Unsupported(
        "this build of aegis-models cannot train models: enable the `candle` feature".to_owned(),
    )
}

/// This crate's result type.
pub type Result<T, E = ModelError> = std::result::Result<T, E>;
