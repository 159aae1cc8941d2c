//! Aegis Tier 0: finds the identifiers of HIPAA Safe Harbor in text and replaces them before any
//! other tier, store, log line or report sees the text.
//!
//! * [`Detector`] finds [`Detection`]s: structured identifiers in one multi-pattern regex pass,
//!   checked by their structure (Luhn, the VIN check digit, SSN allocation rules, IBAN mod 97,
//!   DEA check digits, IP address grammar) and by the words before them ("MRN", "fax", "member
//!   id"); names and places from census and multicultural gazetteers, titles, cue words and
//!   capitalisation. Medication names, doses, lab values, vital signs and ICD-10 codes are left
//!   alone (also under a JSON `name` field, which counts as a person only when it reads as one).
//! * [`PhiEngine`] replaces what the detector finds, as a domain's [`PhiSettings`] ask:
//!   consistent, format-preserving pseudonyms (keyed HMAC-SHA-256; dates shift by one offset per
//!   subject), redaction, masking or keyed hashes. It implements the core
//!   [`Sanitizer`](aegis_core::tiers::Sanitizer) trait, which is how traces become
//!   [`Sanitized`](aegis_core::Sanitized).
//! * [`Vault`] keeps pseudonym → original apart from the traces, sealed with AES-256-GCM under a
//!   key derived from the organisation's [`PhiKey`]; only that key opens it. Whoever runs the
//!   sanitiser holds that key, so the key is the boundary: keep it where the traces' readers
//!   cannot reach it.
//!
//! ```
//! use aegis_phi::{PhiEngine, PhiKey, all_classes};
//! use aegis_core::{PhiMode, SanitizeReport};
//!
//! let engine = PhiEngine::new(PhiKey::from_config("correct horse battery staple")?)?;
//! let mut report = SanitizeReport::default();
//! let text = "Mrs. Alvarez (MRN 00482913) called from 555-867-5309 about metformin 500 mg.";
//! let clean = engine.sanitize_text(text, &all_classes(PhiMode::Redact), "subject-1", &mut report);
//! assert_eq!(clean, "Mrs. [NAME] (MRN [MRN]) called from [PHONE] about metformin 500 mg.");
//! # Ok::<(), aegis_phi::PhiError>(())
//! ```

mod checks;
mod context;
mod dates;
mod detect;
mod engine;
mod key;
mod names;
mod patterns;
mod vault;

pub use detect::{Detection, Detector, DetectorError};
pub use engine::{PhiEngine, all_classes, random_subject};
pub use key::{KEY_ENV, PhiKey};
pub use vault::{Vault, VaultEntry};

pub use aegis_core::{PhiClass, PhiClasses, PhiMode, PhiSettings};

/// What can go wrong in Tier 0. Messages never hold the text being sanitised.
#[derive(Debug, thiserror::Error)]
pub enum PhiError {
    /// The detector could not be built.
    #[error(transparent)]
    Detector(#[from] DetectorError),
    /// The key is missing, malformed or cannot be made.
    #[error("PHI key: {0}")]
    Key(String),
    /// The vault cannot be read, opened or written.
    #[error("pseudonym vault: {0}")]
    Vault(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}
