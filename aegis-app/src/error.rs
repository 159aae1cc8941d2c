//! The application layer's error: what stopped an operation, with its context.

/// An error that stops an operation. Messages never repeat trace text (it could be PHI).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A domain name this program does not link.
    #[error("unknown domain `{name}`; this aegis-eval knows: {known}")]
    UnknownDomain {
        /// The name given.
        name: String,
        /// The domains linked.
        known: String,
    },
    /// An input file could not be opened.
    #[error("cannot read {path}: {source}")]
    Open {
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Tier 0 could not be set up (key, vault).
    #[error("{0}")]
    Phi(String),
    /// A Tier-2 model could not be trained, loaded or managed.
    #[error("{0}")]
    Models(String),
    /// The Tier-3 judge configuration cannot be used.
    #[error("{0}")]
    Judge(String),
    /// The store could not be opened, read or written, or a query was not valid.
    #[error("{0}")]
    Store(String),
    /// A simulation could not be set up (an unknown simulator, a policy that does not fit).
    #[error("{0}")]
    Simulate(String),
    /// A transfer model could not be fitted, read or used.
    #[error("{0}")]
    Transfer(String),
    /// An option or argument that cannot be used, and why.
    #[error("{0}")]
    Usage(String),
    /// The server's configuration (`aegis.toml`) is not usable.
    #[error("{0}")]
    Config(String),
    /// The service cannot take more now (a shared queue at its bound): try again after
    /// `retry_after_s`.
    #[error("{message}")]
    Busy {
        /// What is full.
        message: String,
        /// When to try again, in seconds.
        retry_after_s: u64,
    },
    /// What was asked is not available in this set-up, and why.
    #[error("{0}")]
    Unsupported(String),
    /// Reading input or writing output failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// Why it failed.
        source: std::io::Error,
    },
}

impl From<std::io::Error> for AppError {
    fn from(source: std::io::Error) -> Self {
        AppError::Io {
            context: "cannot write output".into(),
            source,
        }
    }
}

impl From<aegis_store::StoreError> for AppError {
    fn from(e: aegis_store::StoreError) -> Self {
        AppError::Store(e.to_string())
    }
}

/// The application layer's result.
pub type Result<T, E = AppError> = std::result::Result<T, E>;
