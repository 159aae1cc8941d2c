//! Errors of the judge tier.

use std::path::PathBuf;

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The configuration file is not valid TOML of the expected shape.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A value is missing or wrong for a domain.
    #[error("judge configuration for domain `{domain}`: `{field}`: {message}")]
    Invalid {
        /// The domain.
        domain: String,
        /// The setting.
        field: String,
        /// What is wrong and what to do.
        message: String,
    },
}

/// Why a call to a provider gave no usable answer. Messages name the provider, the status and
/// the provider's error type; they never quote the prompt or the key.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum CallError {
    /// The spend cap is reached: no call was made.
    #[error(
        "the spend cap of {cap} for organisation `{organisation}` is reached ({spent} spent): no Tier-3 call was made"
    )]
    SpendCap {
        /// The organisation.
        organisation: String,
        /// Its cap.
        cap: aegis_core::UsdCost,
        /// What it has spent.
        spent: aegis_core::UsdCost,
    },
    /// The spend ledger could not be read or written, so the cap could not be checked: no
    /// call was made.
    #[error("{0}: no Tier-3 call was made")]
    Ledger(crate::ledger::LedgerError),
    /// The provider kept failing (429, 5xx, timeouts) after every retry.
    #[error("{provider}: gave up after {attempts} attempts: {last}")]
    Exhausted {
        /// The provider.
        provider: &'static str,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// The provider refused the request (4xx other than 408/429), so retrying cannot help.
    #[error("{provider}: HTTP {status}: {message}")]
    Rejected {
        /// The provider.
        provider: &'static str,
        /// The HTTP status.
        status: u16,
        /// The provider's error type and message, shortened.
        message: String,
    },
    /// The answer is not in the provider's wire format.
    #[error("{provider}: the response is not a {provider} answer: {message}")]
    BadResponse {
        /// The provider.
        provider: &'static str,
        /// What is wrong.
        message: String,
    },
}
